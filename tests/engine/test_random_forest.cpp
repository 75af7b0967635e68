// Unit tests for RandomForest (models/random_forest.h): accuracy on a
// separable synthetic problem, probability rows, determinism across seeds and
// thread counts, classes absent from training, cancel, save/load and the
// ModelError paths. Small forests (50 trees) keep the run short.
#include "common/content_hash.h"
#include "common/feedback.h"
#include "models/random_forest.h"

#include <QObject>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

namespace snilab {
namespace {

constexpr std::size_t kFeatures = 6;
constexpr int kClasses = 3;

struct Samples {
    std::vector<float> x; // rows x kFeatures
    std::vector<int> y;
    std::size_t rows() const { return y.size(); }
};

// xorshift64* with Box-Muller: deterministic on every platform.
class Normal {
public:
    explicit Normal(std::uint64_t seed) : m_state(seed * 2685821657736338717ull + 1) {}
    double uniform()
    {
        m_state ^= m_state >> 12;
        m_state ^= m_state << 25;
        m_state ^= m_state >> 27;
        return static_cast<double>((m_state * 2685821657736338717ull) >> 11) * 0x1.0p-53;
    }
    double next()
    {
        const double u1 = std::max(uniform(), 1e-300);
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.14159265358979323846 * u2);
    }

private:
    std::uint64_t m_state;
};

// Class c has mean 3 on features 2c and 2c+1 and 0 elsewhere, unit variance.
// `allowed` lists the classes drawn (round robin).
Samples makeSamples(std::size_t rows, std::uint64_t seed, std::vector<int> allowed = {0, 1, 2})
{
    Normal normal(seed);
    Samples s;
    s.x.reserve(rows * kFeatures);
    for (std::size_t i = 0; i < rows; ++i) {
        const int c = allowed[i % allowed.size()];
        s.y.push_back(c);
        for (std::size_t f = 0; f < kFeatures; ++f) {
            const double mean = static_cast<int>(f / 2) == c ? 3.0 : 0.0;
            s.x.push_back(static_cast<float>(mean + normal.next()));
        }
    }
    return s;
}

RandomForestOptions smallOptions(int threads = 2, std::uint64_t seed = 7)
{
    RandomForestOptions o;
    o.trees = 50;
    o.threads = threads;
    o.seed = seed;
    return o;
}

RandomForest trained(const Samples& train, RandomForestOptions options, int classCount = kClasses)
{
    RandomForest rf(options);
    if (!rf.fit(train.x.data(), train.rows(), kFeatures, train.y.data(), classCount))
        throw ModelError("unexpectedly cancelled");
    return rf;
}

std::vector<double> predict(const RandomForest& rf, const Samples& s)
{
    return rf.predictProba(s.x.data(), s.rows(), kFeatures);
}

class RecordingFeedback : public Feedback {
public:
    void progress(double fraction, std::string_view /*stage*/) override
    {
        const std::lock_guard lock(m_mutex);
        m_fractions.push_back(fraction);
    }
    std::vector<double> fractions()
    {
        const std::lock_guard lock(m_mutex);
        return m_fractions;
    }

private:
    std::mutex m_mutex;
    std::vector<double> m_fractions;
};

void putU32(std::vector<std::uint8_t>& bytes, std::size_t at, std::uint32_t v)
{
    for (std::size_t i = 0; i < 4; ++i)
        bytes[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// Replaces the trailing checksum so that a deliberate header edit is checked
// by the header validation rather than by the checksum.
void reseal(std::vector<std::uint8_t>& bytes)
{
    ContentHasher hasher;
    hasher.update(std::span(bytes).first(bytes.size() - 32));
    const std::string digest = hasher.finishHex();
    std::copy(digest.begin(), digest.end(), bytes.end() - 32);
}

} // namespace

class TestRandomForest : public QObject {
    Q_OBJECT

private slots:
    void accuracyOnSeparableClasses()
    {
        const auto train = makeSamples(600, 1);
        const auto test = makeSamples(300, 2);
        const auto rf = trained(train, smallOptions());
        QVERIFY(rf.isTrained());
        QCOMPARE(rf.classCount(), kClasses);
        QCOMPARE(rf.featureCount(), kFeatures);
        QCOMPARE(rf.treeCount(), 50);
        const auto p = predict(rf, test);
        QCOMPARE(p.size(), test.rows() * kClasses);
        std::size_t correct = 0;
        for (std::size_t i = 0; i < test.rows(); ++i) {
            const auto row = p.begin() + static_cast<std::ptrdiff_t>(i * kClasses);
            const auto best = std::max_element(row, row + kClasses) - row;
            correct += best == test.y[i];
        }
        const double accuracy = static_cast<double>(correct) / static_cast<double>(test.rows());
        QVERIFY2(accuracy >= 0.95, qPrintable(QString("accuracy %1").arg(accuracy)));
    }

    void probabilityRows()
    {
        const auto train = makeSamples(600, 3);
        const auto test = makeSamples(200, 4);
        const auto rf = trained(train, smallOptions());
        const auto p = predict(rf, test);
        for (std::size_t i = 0; i < test.rows(); ++i) {
            double sum = 0;
            for (int c = 0; c < kClasses; ++c) {
                const double v = p[i * kClasses + static_cast<std::size_t>(c)];
                QVERIFY(v >= 0.0 && v <= 1.0);
                // Votes over 50 trees: every value is a multiple of 1/50.
                QVERIFY(std::abs(v * 50 - std::round(v * 50)) < 1e-9);
                sum += v;
            }
            QVERIFY(std::abs(sum - 1.0) <= 1e-9);
        }
        QVERIFY(rf.predictProba(test.x.data(), 0, kFeatures).empty());
    }

    void deterministicForSeedAnyThreads()
    {
        const auto train = makeSamples(600, 5);
        const auto test = makeSamples(300, 6);
        const auto a = predict(trained(train, smallOptions(2, 11)), test);
        const auto b = predict(trained(train, smallOptions(2, 11)), test);
        QVERIFY(a == b);
        // The sub-forest layout does not depend on the thread count.
        const auto one = predict(trained(train, smallOptions(1, 11)), test);
        const auto three = predict(trained(train, smallOptions(3, 11)), test);
        QVERIFY(a == one);
        QVERIFY(a == three);
        const auto other = predict(trained(train, smallOptions(2, 12)), test);
        QVERIFY(a != other);
    }

    void bothThreadCountsWork_data()
    {
        QTest::addColumn<int>("threads");
        QTest::newRow("1") << 1;
        QTest::newRow("2") << 2;
        QTest::newRow("hardware") << 0;
    }
    void bothThreadCountsWork()
    {
        QFETCH(int, threads);
        const auto train = makeSamples(300, 7);
        auto options = smallOptions(threads);
        options.trees = 23; // uneven: the last sub-forest takes the remainder
        const auto rf = trained(train, options);
        QCOMPARE(rf.treeCount(), 23);
        const auto p = predict(rf, train);
        for (std::size_t i = 0; i < train.rows(); ++i) {
            double sum = 0;
            for (int c = 0; c < kClasses; ++c)
                sum += p[i * kClasses + static_cast<std::size_t>(c)];
            QVERIFY(std::abs(sum - 1.0) <= 1e-9);
        }
    }

    void classAbsentFromTrainingGetsZero()
    {
        const auto train = makeSamples(400, 8, {0, 2});
        const auto test = makeSamples(150, 9); // includes class 1 samples
        const auto rf = trained(train, smallOptions());
        QCOMPARE(rf.classCount(), kClasses);
        const auto p = predict(rf, test);
        double seen = 0;
        for (std::size_t i = 0; i < test.rows(); ++i) {
            QCOMPARE(p[i * kClasses + 1], 0.0);
            seen += p[i * kClasses] + p[i * kClasses + 2];
        }
        QVERIFY(std::abs(seen - static_cast<double>(test.rows())) < 1e-6);
    }

    void progressAndCancel()
    {
        const auto train = makeSamples(300, 10);
        RecordingFeedback feedback;
        RandomForest rf(smallOptions());
        QVERIFY(
            rf.fit(train.x.data(), train.rows(), kFeatures, train.y.data(), kClasses, &feedback));
        const auto fractions = feedback.fractions();
        QCOMPARE(fractions.size(), std::size_t{5}); // 50 trees, 10 per sub-forest
        QCOMPARE(*std::max_element(fractions.begin(), fractions.end()), 1.0);

        const auto before = predict(rf, train);
        RecordingFeedback cancelled;
        cancelled.cancel();
        QVERIFY(
            !rf.fit(train.x.data(), train.rows(), kFeatures, train.y.data(), kClasses, &cancelled));
        QVERIFY(rf.isTrained()); // the previous model is kept
        QVERIFY(predict(rf, train) == before);

        RandomForest fresh(smallOptions());
        QVERIFY(!fresh.fit(train.x.data(), train.rows(), kFeatures, train.y.data(), kClasses,
                           &cancelled));
        QVERIFY(!fresh.isTrained());
    }

    void saveLoadRoundTrip()
    {
        const auto train = makeSamples(600, 11);
        const auto test = makeSamples(300, 12);
        auto options = smallOptions(2, 99);
        options.trees = 25;
        options.maxDepth = 12;
        options.minSamples = 2;
        options.activeVars = 3;
        const auto rf = trained(train, options);
        const auto bytes = rf.save();
        QVERIFY(bytes.size() > 4 && std::equal(bytes.begin(), bytes.begin() + 4, "SNRF"));
        const auto loaded = RandomForest::load(bytes);
        QVERIFY(loaded.isTrained());
        QCOMPARE(loaded.classCount(), kClasses);
        QCOMPARE(loaded.featureCount(), kFeatures);
        QCOMPARE(loaded.treeCount(), 25);
        QCOMPARE(loaded.options().trees, 25);
        QCOMPARE(loaded.options().maxDepth, 12);
        QCOMPARE(loaded.options().minSamples, 2);
        QCOMPARE(loaded.options().activeVars, 3);
        QCOMPARE(loaded.options().seed, std::uint64_t{99});
        QVERIFY(predict(loaded, test) == predict(rf, test));
        QVERIFY(loaded.save() == bytes);
    }

    void loadRejectsBadBytes()
    {
        const auto train = makeSamples(200, 13);
        auto options = smallOptions();
        options.trees = 12;
        const auto good = trained(train, options).save();

        QVERIFY_THROWS_EXCEPTION(ModelError, RandomForest::load({}));
        auto bad = good;
        bad[0] = 'X';
        QVERIFY_THROWS_EXCEPTION(ModelError, RandomForest::load(bad));
        for (std::size_t cut :
             {std::size_t{4}, std::size_t{20}, good.size() / 2, good.size() - 1}) {
            const std::vector<std::uint8_t> truncated(
                good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut));
            QVERIFY_THROWS_EXCEPTION(ModelError, RandomForest::load(truncated));
        }
        bad = good;
        bad[good.size() / 2] ^= 0x20; // inside a YAML document
        QVERIFY_THROWS_EXCEPTION(ModelError, RandomForest::load(bad));

        bad = good;
        putU32(bad, 4, 2); // version
        reseal(bad);
        QVERIFY_THROWS_EXCEPTION(ModelError, RandomForest::load(bad));
        bad = good;
        putU32(bad, 8, 1); // class count < 2
        reseal(bad);
        QVERIFY_THROWS_EXCEPTION(ModelError, RandomForest::load(bad));
        bad = good;
        putU32(bad, 8, 2); // a stored class id (2) is now out of range
        reseal(bad);
        QVERIFY_THROWS_EXCEPTION(ModelError, RandomForest::load(bad));
        bad = good;
        putU32(bad, 12, 5); // feature count
        reseal(bad);
        QVERIFY_THROWS_EXCEPTION(ModelError, RandomForest::load(bad));
        bad = good;
        putU32(bad, 20, 13); // tree count
        reseal(bad);
        QVERIFY_THROWS_EXCEPTION(ModelError, RandomForest::load(bad));
        bad = good;
        bad.insert(bad.end() - 32, std::uint8_t{0}); // trailing byte
        reseal(bad);
        QVERIFY_THROWS_EXCEPTION(ModelError, RandomForest::load(bad));
        bad = good;
        putU32(bad, 52, 10); // first sub-forest's YAML length: 10 bytes
        putU32(bad, 56, 0);
        reseal(bad);
        QVERIFY_THROWS_EXCEPTION(ModelError, RandomForest::load(bad));
    }

    void invalidArguments()
    {
        const auto train = makeSamples(60, 14);
        RandomForest rf(smallOptions());
        const float* x = train.x.data();
        const int* y = train.y.data();
        QVERIFY_THROWS_EXCEPTION(ModelError, rf.fit(x, 0, kFeatures, y, kClasses));
        QVERIFY_THROWS_EXCEPTION(ModelError, rf.fit(x, train.rows(), 0, y, kClasses));
        QVERIFY_THROWS_EXCEPTION(ModelError, rf.fit(x, train.rows(), kFeatures, y, 1));
        QVERIFY_THROWS_EXCEPTION(ModelError, rf.fit(x, train.rows(), kFeatures, y, 0));
        QVERIFY_THROWS_EXCEPTION(ModelError, rf.fit(x, train.rows(), kFeatures, y, 2)); // label 2
        QVERIFY_THROWS_EXCEPTION(ModelError, rf.predictProba(x, train.rows(), kFeatures));
        QVERIFY_THROWS_EXCEPTION(ModelError, rf.save());
        QVERIFY(!rf.isTrained());

        for (auto change : {+[](RandomForestOptions& o) { o.trees = 0; },
                            +[](RandomForestOptions& o) { o.maxDepth = 0; },
                            +[](RandomForestOptions& o) { o.maxDepth = 26; },
                            +[](RandomForestOptions& o) { o.minSamples = 0; },
                            +[](RandomForestOptions& o) { o.activeVars = -1; }}) {
            auto options = smallOptions();
            change(options);
            RandomForest bad(options);
            QVERIFY_THROWS_EXCEPTION(ModelError, bad.fit(x, train.rows(), kFeatures, y, kClasses));
        }

        // One class present of two: trains, and all votes go to it.
        const std::vector<int> zeros(train.rows(), 0);
        RandomForest single(smallOptions());
        QVERIFY(single.fit(x, train.rows(), kFeatures, zeros.data(), 2));
        const auto p = single.predictProba(x, 3, kFeatures);
        QCOMPARE(p, (std::vector<double>{1, 0, 1, 0, 1, 0}));

        const auto ok = trained(train, smallOptions());
        QVERIFY_THROWS_EXCEPTION(ModelError, ok.predictProba(x, 2, kFeatures - 1));
    }
};

} // namespace snilab

QTEST_APPLESS_MAIN(snilab::TestRandomForest)
#include "test_random_forest.moc"
