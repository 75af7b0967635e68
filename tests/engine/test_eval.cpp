// Unit tests for the evaluation engine (docs/design.md section 5): class
// thresholds, splits (stratified / grouped k-fold, time split, validation
// holdout), metrics and fold aggregation.
//
// Expected metric values are computed by hand (fractions in the comments).
// scikit-learn was not installed where these tests were written, so there is
// no sklearn cross-check; the conventions followed (zero_division=0,
// labels=None averaging) are those of sklearn.metrics.precision_recall_fscore_support.
#include "common/text_parse.h"
#include "dataset/splits.h"
#include "dataset/thresholds.h"
#include "eval/metrics.h"

#include <QObject>
#include <QString>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace snilab {
namespace {

using Indices = std::vector<std::size_t>;
using Ints = std::vector<int>;
using Doubles = std::vector<double>;
using Counts = std::vector<std::uint64_t>;
using Strings = std::vector<std::string>;

constexpr double kEpsilon = 1e-12;

bool near(double a, double b)
{
    return std::fabs(a - b) <= kEpsilon;
}

#define COMPARE_NEAR(actual, expected)                                                             \
    do {                                                                                           \
        const double a_ = (actual);                                                                \
        const double e_ = (expected);                                                              \
        QVERIFY2(near(a_, e_), qPrintable(QString("%1 = %2, expected %3")                          \
                                              .arg(#actual)                                        \
                                              .arg(a_, 0, 'g', 17)                                 \
                                              .arg(e_, 0, 'g', 17)));                              \
    } while (false)

#define COMPARE_ALL_NEAR(actual, expected)                                                         \
    do {                                                                                           \
        const Doubles av_ = (actual);                                                              \
        const Doubles ev_ = (expected);                                                            \
        QCOMPARE(av_.size(), ev_.size());                                                          \
        for (std::size_t i_ = 0; i_ < av_.size(); ++i_)                                            \
            COMPARE_NEAR(av_[i_], ev_[i_]);                                                        \
    } while (false)

// A score row that predicts `predicted`: 0.6 there, the rest shared equally.
Doubles oneRow(int predicted, int classCount)
{
    const double rest = classCount > 1 ? 0.4 / (classCount - 1) : 0.0;
    Doubles row(static_cast<std::size_t>(classCount), rest);
    row[static_cast<std::size_t>(predicted)] = 0.6;
    return row;
}

Doubles scoresFor(const Ints& predicted, int classCount)
{
    Doubles scores;
    for (const int p : predicted) {
        const Doubles row = oneRow(p, classCount);
        scores.insert(scores.end(), row.begin(), row.end());
    }
    return scores;
}

// Expands a K x K confusion matrix (row = true, column = predicted) into
// per-sample true and predicted ids.
void expandConfusion(const Counts& confusion, int classCount, Ints& trues, Ints& predicted)
{
    const auto k = static_cast<std::size_t>(classCount);
    for (std::size_t t = 0; t < k; ++t) {
        for (std::size_t p = 0; p < k; ++p) {
            for (std::uint64_t n = 0; n < confusion[t * k + p]; ++n) {
                trues.push_back(static_cast<int>(t));
                predicted.push_back(static_cast<int>(p));
            }
        }
    }
}

// Class ids for `sizes[c]` samples of class c, interleaved so that classes
// are not in contiguous blocks.
Ints makeClasses(const Ints& sizes)
{
    Ints out;
    Ints left = sizes;
    bool any = true;
    while (any) {
        any = false;
        for (std::size_t c = 0; c < left.size(); ++c) {
            if (left[c] > 0) {
                out.push_back(static_cast<int>(c));
                --left[c];
                any = true;
            }
        }
    }
    return out;
}

bool isSortedUnique(const Indices& v)
{
    return std::adjacent_find(v.begin(), v.end(),
                              [](std::size_t a, std::size_t b) { return a >= b; }) == v.end();
}

Indices complementOf(const Indices& test, std::size_t n)
{
    std::vector<bool> in(n, false);
    for (const std::size_t i : test)
        in[i] = true;
    Indices out;
    for (std::size_t i = 0; i < n; ++i) {
        if (!in[i])
            out.push_back(i);
    }
    return out;
}

// Every index 0..n-1 in exactly one test fold; train = complement of test.
// Returns an empty string or what is wrong.
QString checkPartition(const SplitResult& r, std::size_t n)
{
    std::vector<int> testCount(n, 0);
    for (std::size_t f = 0; f < r.folds.size(); ++f) {
        const Fold& fold = r.folds[f];
        if (!isSortedUnique(fold.test) || !isSortedUnique(fold.train))
            return QString("fold %1 not sorted/unique").arg(f);
        if (fold.test.empty())
            return QString("fold %1 has an empty test set").arg(f);
        for (const std::size_t i : fold.test) {
            if (i >= n)
                return QString("fold %1 index %2 out of range").arg(f).arg(i);
            ++testCount[i];
        }
        if (fold.train != complementOf(fold.test, n))
            return QString("fold %1 train is not the complement of test").arg(f);
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (testCount[i] != 1)
            return QString("sample %1 is in %2 test folds").arg(i).arg(testCount[i]);
    }
    return {};
}

bool sameFolds(const SplitResult& a, const SplitResult& b)
{
    if (a.folds.size() != b.folds.size())
        return false;
    for (std::size_t f = 0; f < a.folds.size(); ++f) {
        if (a.folds[f].train != b.folds[f].train || a.folds[f].test != b.folds[f].test)
            return false;
    }
    return true;
}

} // namespace
} // namespace snilab

using namespace snilab;

class TestEval : public QObject {
    Q_OBJECT

private slots:
    // Chunk by chunk (the evaluator's path at scale) equals all at once,
    // field by field, whatever the chunk size; errors count samples across chunks.
    void metricCountsInChunks()
    {
        std::mt19937 rng(5);
        const int k = 7;
        const std::size_t n = 1000;
        std::vector<int> y(n);
        std::vector<double> scores(n * k);
        for (std::size_t i = 0; i < n; ++i) {
            y[i] = static_cast<int>(rng() % k);
            for (int c = 0; c < k; ++c) // ties on purpose: a coarse grid
                scores[i * k + static_cast<std::size_t>(c)] = double(rng() % 4) + (c == y[i]);
        }
        const auto whole = computeMetrics(y, scores, k);
        QVERIFY(whole);
        for (const std::size_t chunk : {std::size_t{1}, std::size_t{3}, std::size_t{500}, n}) {
            MetricCounts counts(k);
            for (std::size_t b = 0; b < n; b += chunk) {
                const std::size_t m = std::min(chunk, n - b);
                QVERIFY(counts.add(y.data() + b, m, scores.data() + b * k));
            }
            const auto parts = counts.metrics();
            QVERIFY(parts);
            QCOMPARE(parts->confusion, whole->confusion);
            QCOMPARE(parts->topK, whole->topK);
            QCOMPARE(parts->accuracy, whole->accuracy);
            QCOMPARE(parts->macroF1, whole->macroF1);
            QCOMPARE(parts->weightedPrecision, whole->weightedPrecision);
            QCOMPARE(parts->perClassF1, whole->perClassF1);
        }
        MetricCounts bad(k);
        QVERIFY(bad.add(y.data(), 10, scores.data()));
        int wrong[] = {0, 9};
        std::string error;
        QVERIFY(!bad.add(wrong, 2, scores.data(), &error));
        QVERIFY2(error.find("sample 11 has class 9") != std::string::npos, error.c_str());
        QVERIFY(!MetricCounts(k).metrics(&error));
        QVERIFY2(error.find("at least 1 sample") != std::string::npos, error.c_str());
    }

    // ---- option text (common/text_parse.h) ---------------------------------

    void numbersAreExactAndNeverClamped()
    {
        using snilab::parseNumber;
        QCOMPARE(parseNumber<int>("42"), std::optional<int>(42));
        QCOMPARE(parseNumber<int>("-3"), std::optional<int>(-3));
        for (const char* bad : {"", " 1", "1 ", "+1", "1x", "0x10", "1.5", "2147483648"})
            QVERIFY2(!parseNumber<int>(bad), bad);
        QVERIFY(!parseNumber<unsigned>("-1")); // never wraps
        QCOMPARE(parseNumber<unsigned long long>("18446744073709551615"),
                 std::optional<unsigned long long>(18446744073709551615ull));
        QVERIFY(!parseNumber<unsigned long long>("18446744073709551616"));
        QCOMPARE(parseNumber<double>("0.25"), std::optional<double>(0.25));
        QCOMPARE(parseNumber<double>("1e-3"), std::optional<double>(1e-3));
        for (const char* bad : {"inf", "nan", "1,5", ".", "0.5 ", "+0.5"})
            QVERIFY2(!parseNumber<double>(bad), bad);
    }

    void listsKeepEmptyPartsTrimmed()
    {
        const auto parts = snilab::splitTrimmed(" rf ,\tcnngru-iat,, ");
        QCOMPARE(parts.size(), std::size_t{4});
        QCOMPARE(std::string(parts[0]), std::string("rf"));
        QCOMPARE(std::string(parts[1]), std::string("cnngru-iat"));
        QVERIFY(parts[2].empty() && parts[3].empty());
        QCOMPARE(snilab::splitTrimmed("").size(), std::size_t{1});
        QCOMPARE(std::string(snilab::trimBlanks("\t a b \t")), std::string("a b"));
    }

    // ---- thresholds --------------------------------------------------------

    void thresholdRule_data()
    {
        QTest::addColumn<qulonglong>("count");
        QTest::addColumn<qulonglong>("threshold");
        QTest::addColumn<bool>("atLeast");
        QTest::addColumn<bool>("moreThan");
        QTest::newRow("below") << 99ull << 100ull << false << false;
        QTest::newRow("at the boundary") << 100ull << 100ull << true << false;
        QTest::newRow("above") << 101ull << 100ull << true << true;
        QTest::newRow("T = 0, empty class") << 0ull << 0ull << true << false;
    }

    void thresholdRule()
    {
        QFETCH(qulonglong, count);
        QFETCH(qulonglong, threshold);
        QFETCH(bool, atLeast);
        QFETCH(bool, moreThan);
        QCOMPARE(meetsThreshold(count, threshold), atLeast); // default rule = AtLeast
        QCOMPARE(meetsThreshold(count, threshold, ThresholdRule::AtLeast), atLeast);
        QCOMPARE(meetsThreshold(count, threshold, ThresholdRule::MoreThan), moreThan);
    }

    void thresholdStrings_data()
    {
        // Counts: a = 3, b = 2, c = 1, "" (unlabeled) = 4.
        QTest::addColumn<qulonglong>("threshold");
        QTest::addColumn<bool>("moreThan");
        QTest::addColumn<QString>("kept"); // comma-separated
        QTest::newRow("T=0 at least") << 0ull << false << "a,b,c";
        QTest::newRow("T=0 more than") << 0ull << true << "a,b,c";
        QTest::newRow("T=1 at least") << 1ull << false << "a,b,c";
        QTest::newRow("T=1 more than") << 1ull << true << "a,b";
        QTest::newRow("T=2 at least (boundary)") << 2ull << false << "a,b";
        QTest::newRow("T=2 more than (boundary)") << 2ull << true << "a";
        QTest::newRow("T=3 at least") << 3ull << false << "a";
        QTest::newRow("T=3 more than") << 3ull << true << "";
        QTest::newRow("T=4: unlabeled never kept") << 4ull << false << "";
    }

    void thresholdStrings()
    {
        QFETCH(qulonglong, threshold);
        QFETCH(bool, moreThan);
        QFETCH(QString, kept);
        const Strings labels{"b", "", "a", "c", "", "a", "b", "", "a", ""};
        const ThresholdRule rule = moreThan ? ThresholdRule::MoreThan : ThresholdRule::AtLeast;
        const Strings got = classesMeetingThreshold(labels, threshold, rule);
        QStringList gotList;
        for (const std::string& s : got)
            gotList << QString::fromStdString(s);
        QCOMPARE(gotList.join(','), kept);
    }

    void thresholdInts_data()
    {
        // Counts: 7 -> 3, -2 -> 2, 40 -> 1.
        QTest::addColumn<qulonglong>("threshold");
        QTest::addColumn<bool>("moreThan");
        QTest::addColumn<Ints>("kept");
        QTest::newRow("T=1 at least") << 1ull << false << Ints{-2, 7, 40};
        QTest::newRow("T=2 at least (boundary)") << 2ull << false << Ints{-2, 7};
        QTest::newRow("T=2 more than (boundary)") << 2ull << true << Ints{7};
        QTest::newRow("T=3 more than") << 3ull << true << Ints{};
    }

    void thresholdInts()
    {
        QFETCH(qulonglong, threshold);
        QFETCH(bool, moreThan);
        QFETCH(Ints, kept);
        const Ints labels{7, 40, -2, 7, -2, 7};
        const ThresholdRule rule = moreThan ? ThresholdRule::MoreThan : ThresholdRule::AtLeast;
        QCOMPARE(classesMeetingThreshold(labels, threshold, rule), kept);
    }

    void selectClassesStrings()
    {
        // 0    1    2   3    4    5    6    7
        const Strings labels{"b.com", "a.com", "", "c.com", "a.com", "b.com", "a.com", "B.com"};
        // T = 2 at least: a.com (3), b.com (2); c.com (1), B.com (1), "" dropped.
        const auto sel = selectClasses(labels, 2);
        QCOMPARE(sel.classLabels, (Strings{"a.com", "b.com"}));
        QCOMPARE(sel.sampleIndices, (Indices{0, 1, 4, 5, 6}));
        QCOMPARE(sel.classes, (Ints{1, 0, 0, 1, 0}));

        // T = 1 at least: sorted by byte-wise text, so "B.com" < "a.com".
        const auto all = selectClasses(labels, 1);
        QCOMPARE(all.classLabels, (Strings{"B.com", "a.com", "b.com", "c.com"}));
        QCOMPARE(all.sampleIndices, (Indices{0, 1, 3, 4, 5, 6, 7}));
        QCOMPARE(all.classes, (Ints{2, 1, 3, 1, 2, 1, 0}));

        // MoreThan at the boundary drops b.com.
        const auto more = selectClasses(labels, 2, ThresholdRule::MoreThan);
        QCOMPARE(more.classLabels, (Strings{"a.com"}));
        QCOMPARE(more.sampleIndices, (Indices{1, 4, 6}));
        QCOMPARE(more.classes, (Ints{0, 0, 0}));

        const auto none = selectClasses(Strings{}, 0);
        QVERIFY(none.classLabels.empty() && none.sampleIndices.empty() && none.classes.empty());
    }

    void selectClassesInts()
    {
        const Ints labels{10, 3, 10, 2, 3, 10};
        // Counts: 10 -> 3, 3 -> 2, 2 -> 1. Sorted numerically.
        const auto sel = selectClasses(labels, 2);
        QCOMPARE(sel.classLabels, (Ints{3, 10}));
        QCOMPARE(sel.sampleIndices, (Indices{0, 1, 2, 4, 5}));
        QCOMPARE(sel.classes, (Ints{1, 0, 1, 0, 1}));
    }

    // ---- seeded randomness -------------------------------------------------

    void uniformBelowBounds()
    {
        std::mt19937_64 rng(7);
        QCOMPARE(uniformBelow(rng, 0), std::uint64_t{0});
        QCOMPARE(uniformBelow(rng, 1), std::uint64_t{0});
        const std::uint64_t big = (std::uint64_t{1} << 63) + 12345; // high rejection rate
        for (int i = 0; i < 1000; ++i) {
            QVERIFY(uniformBelow(rng, 3) < 3);
            QVERIFY(uniformBelow(rng, big) < big);
        }
        // std::mt19937_64 is fully specified by the standard, so the draws are
        // the same everywhere: rng() % 10 of the first output of seed 5489.
        std::mt19937_64 standard; // default seed 5489
        std::mt19937_64 copy;
        QCOMPARE(uniformBelow(standard, 10), copy() % 10);
    }

    void shuffleIsPermutation()
    {
        Indices v(50);
        for (std::size_t i = 0; i < v.size(); ++i)
            v[i] = i;
        std::mt19937_64 a(1), b(1), c(2);
        Indices va = v, vb = v, vc = v;
        seededShuffle(va, a);
        seededShuffle(vb, b);
        seededShuffle(vc, c);
        QCOMPARE(va, vb);
        QVERIFY(va != vc);
        QVERIFY(va != v);
        std::sort(va.begin(), va.end());
        QCOMPARE(va, v);
        Indices empty;
        seededShuffle(empty, a);
        QVERIFY(empty.empty());
    }

    // ---- stratified k-fold -------------------------------------------------

    void stratifiedKFold_data()
    {
        QTest::addColumn<Ints>("classSizes");
        QTest::addColumn<int>("k");
        QTest::addColumn<qulonglong>("seed");
        QTest::newRow("10 folds, mixed sizes") << Ints{23, 7, 3, 1, 10, 40} << 10 << 1ull;
        QTest::newRow("5 folds, small classes") << Ints{23, 7, 3, 1, 10} << 5 << 42ull;
        QTest::newRow("2 folds, balanced") << Ints{10, 10, 10} << 2 << 3ull;
        QTest::newRow("k = n") << Ints{2, 3} << 5 << 9ull;
        QTest::newRow("one class") << Ints{17} << 4 << 0ull;
        QTest::newRow("many singletons") << Ints{1, 1, 1, 1, 1, 1, 1, 1, 1, 5} << 3 << 11ull;
    }

    void stratifiedKFold()
    {
        QFETCH(Ints, classSizes);
        QFETCH(int, k);
        QFETCH(qulonglong, seed);
        const Ints classes = makeClasses(classSizes);
        const SplitResult r = snilab::stratifiedKFold(classes, k, seed);
        QVERIFY2(r.ok(), r.error.c_str());
        QCOMPARE(r.folds.size(), static_cast<std::size_t>(k));
        const QString problem = checkPartition(r, classes.size());
        QVERIFY2(problem.isEmpty(), qPrintable(problem));

        // Per class, test-fold counts within 1 of each other (so within +-1 of
        // size / k); fold sizes within 1 of each other.
        std::size_t minFold = classes.size(), maxFold = 0;
        for (const Fold& f : r.folds) {
            minFold = std::min(minFold, f.test.size());
            maxFold = std::max(maxFold, f.test.size());
        }
        QVERIFY(maxFold - minFold <= 1);
        for (std::size_t c = 0; c < classSizes.size(); ++c) {
            int lo = std::numeric_limits<int>::max(), hi = 0;
            for (const Fold& f : r.folds) {
                const int n = static_cast<int>(
                    std::count_if(f.test.begin(), f.test.end(), [&](std::size_t i) {
                        return classes[i] == static_cast<int>(c);
                    }));
                lo = std::min(lo, n);
                hi = std::max(hi, n);
            }
            QVERIFY2(hi - lo <= 1, qPrintable(QString("class %1: %2..%3").arg(c).arg(lo).arg(hi)));
            QVERIFY(lo == classSizes[c] / k);
        }

        // Deterministic for a seed; other seeds give other splits (all the rows
        // have some class with more than one sample; a single other seed could
        // repeat a small split by chance, five in a row practically cannot).
        QVERIFY(sameFolds(r, snilab::stratifiedKFold(classes, k, seed)));
        bool differs = false;
        for (std::uint64_t other = seed + 1; other <= seed + 5 && !differs; ++other)
            differs = !sameFolds(r, snilab::stratifiedKFold(classes, k, other));
        QVERIFY(differs);
    }

    void stratifiedKFoldGolden()
    {
        // Regression pin (not hand-derived): the exact folds for a small case,
        // recorded from this implementation. mt19937_64 and the documented
        // draw/shuffle make them platform independent; a change here changes
        // every stored run's split.
        const Ints classes{0, 1, 0, 1, 0, 1, 0, 2};
        const SplitResult r = snilab::stratifiedKFold(classes, 2, 2024);
        QVERIFY2(r.ok(), r.error.c_str());
        QCOMPARE(r.folds.size(), std::size_t{2});
        QCOMPARE(r.folds[0].test, (Indices{0, 2, 3, 5}));
        QCOMPARE(r.folds[1].test, (Indices{1, 4, 6, 7}));
    }

    void stratifiedKFoldErrors_data()
    {
        QTest::addColumn<Ints>("classes");
        QTest::addColumn<int>("k");
        QTest::newRow("k = 1") << Ints{0, 1, 0, 1} << 1;
        QTest::newRow("k = 0") << Ints{0, 1, 0, 1} << 0;
        QTest::newRow("k < 0") << Ints{0, 1, 0, 1} << -3;
        QTest::newRow("fewer samples than k") << Ints{0, 1, 0} << 4;
        QTest::newRow("no samples") << Ints{} << 2;
    }

    void stratifiedKFoldErrors()
    {
        QFETCH(Ints, classes);
        QFETCH(int, k);
        const SplitResult r = snilab::stratifiedKFold(classes, k, 1);
        QVERIFY(!r.ok());
        QVERIFY(r.folds.empty());
    }

    // ---- grouped k-fold ----------------------------------------------------

    void groupedKFold_data()
    {
        QTest::addColumn<Ints>("groupSizes"); // group id = index * 10 + 3
        QTest::addColumn<int>("k");
        QTest::addColumn<qulonglong>("seed");
        QTest::newRow("k = groups") << Ints{5, 3, 3, 1} << 4 << 1ull;
        QTest::newRow("mixed") << Ints{50, 3, 17, 1, 1, 8, 22, 9, 9, 9, 4, 30} << 5 << 7ull;
        QTest::newRow("equal groups") << Ints{4, 4, 4, 4, 4, 4, 4, 4, 4, 4} << 3 << 2ull;
        QTest::newRow("one huge group") << Ints{100, 1, 1, 1} << 2 << 5ull;
    }

    void groupedKFold()
    {
        QFETCH(Ints, groupSizes);
        QFETCH(int, k);
        QFETCH(qulonglong, seed);
        // Group index c has groupSizes[c] samples.
        const Ints index = makeClasses(groupSizes);
        Ints groups;
        for (const int c : index)
            groups.push_back(c * 10 + 3);
        const SplitResult r = snilab::groupedKFold(groups, k, seed);
        QVERIFY2(r.ok(), r.error.c_str());
        QCOMPARE(r.folds.size(), static_cast<std::size_t>(k));
        const QString problem = checkPartition(r, groups.size());
        QVERIFY2(problem.isEmpty(), qPrintable(problem));

        // No group in both train and test of a fold.
        for (const Fold& f : r.folds) {
            std::set<int> testGroups;
            for (const std::size_t i : f.test)
                testGroups.insert(groups[i]);
            for (const std::size_t i : f.train)
                QVERIFY(!testGroups.count(groups[i]));
        }
        // Greedy balance: the fold loads differ by at most the largest group.
        std::size_t lo = groups.size(), hi = 0;
        for (const Fold& f : r.folds) {
            lo = std::min(lo, f.test.size());
            hi = std::max(hi, f.test.size());
        }
        const auto largest =
            static_cast<std::size_t>(*std::max_element(groupSizes.begin(), groupSizes.end()));
        QVERIFY(hi - lo <= largest);

        QVERIFY(sameFolds(r, snilab::groupedKFold(groups, k, seed)));
    }

    void groupedKFoldHandComputed()
    {
        // Groups 10 (5 samples), 20 (3), 30 (3), 40 (1), k = 2. Largest first:
        // 10 -> fold 0 (load 5); 20/30 (seeded order) -> fold 1 (3), the other
        // -> fold 1 (6, since 3 < 5); 40 -> fold 0 (6). So 10 and 40 share a
        // fold and 20 and 30 share the other, whatever the seed.
        const Ints groups{10, 20, 30, 40, 10, 20, 30, 10, 20, 30, 10, 10};
        for (std::uint64_t seed = 0; seed < 20; ++seed) {
            const SplitResult r = snilab::groupedKFold(groups, 2, seed);
            QVERIFY2(r.ok(), r.error.c_str());
            QCOMPARE(r.folds[0].test, (Indices{0, 3, 4, 7, 10, 11}));
            QCOMPARE(r.folds[1].test, (Indices{1, 2, 5, 6, 8, 9}));
        }
    }

    void groupedKFoldSeedMatters()
    {
        // Ten equal groups into 2 folds: which five go together depends on
        // the seed.
        Ints groups;
        for (int g = 0; g < 10; ++g)
            groups.insert(groups.end(), 3, g);
        const SplitResult a = snilab::groupedKFold(groups, 2, 1);
        bool differs = false;
        for (std::uint64_t seed = 2; seed < 10 && !differs; ++seed)
            differs = !sameFolds(a, snilab::groupedKFold(groups, 2, seed));
        QVERIFY(differs);
        QCOMPARE(a.folds[0].test.size(), std::size_t{15});
    }

    void groupedKFoldErrors_data()
    {
        QTest::addColumn<Ints>("groups");
        QTest::addColumn<int>("k");
        QTest::newRow("fewer groups than k") << Ints{1, 1, 2, 2, 3, 3} << 4;
        QTest::newRow("one group") << Ints{5, 5, 5, 5} << 2;
        QTest::newRow("no samples") << Ints{} << 2;
        QTest::newRow("k = 1") << Ints{1, 2, 3} << 1;
    }

    void groupedKFoldErrors()
    {
        QFETCH(Ints, groups);
        QFETCH(int, k);
        const SplitResult r = snilab::groupedKFold(groups, k, 1);
        QVERIFY(!r.ok());
        QVERIFY(r.folds.empty());
    }

    // ---- time split --------------------------------------------------------

    void timeSplit_data()
    {
        // Groups (id: time, samples): 3: 100, 2; 5: 200, 4; 7: 300, 4; 9: 400, 2.
        // n = 12. Prefix sample counts: 2, 6, 10.
        QTest::addColumn<double>("fraction");
        QTest::addColumn<Ints>("trainGroups");
        QTest::newRow("0.5 -> 6 of 12") << 0.5 << Ints{3, 5};
        QTest::newRow("0.8 -> 10 (9.6)") << 0.8 << Ints{3, 5, 7};
        QTest::newRow("0.25 -> 2 (3)") << 0.25 << Ints{3};
        QTest::newRow("tiny: one group still trains") << 0.01 << Ints{3};
        QTest::newRow("0.99: one group still tests") << 0.99 << Ints{3, 5, 7};
    }

    void timeSplit()
    {
        QFETCH(double, fraction);
        QFETCH(Ints, trainGroups);
        const Ints groups{7, 3, 5, 9, 7, 5, 3, 7, 5, 9, 7, 5};
        std::vector<std::int64_t> times;
        const std::map<int, std::int64_t> groupTime{{3, 100}, {5, 200}, {7, 300}, {9, 400}};
        for (const int g : groups)
            times.push_back(groupTime.at(g));
        const SplitResult r = snilab::timeSplit(times, groups, fraction);
        QVERIFY2(r.ok(), r.error.c_str());
        QCOMPARE(r.folds.size(), std::size_t{1});
        // One fold: train and test partition the samples.
        QVERIFY(isSortedUnique(r.folds[0].train) && isSortedUnique(r.folds[0].test));
        QVERIFY(!r.folds[0].train.empty() && !r.folds[0].test.empty());
        QCOMPARE(r.folds[0].train, complementOf(r.folds[0].test, groups.size()));
        std::set<int> gotTrain;
        std::int64_t latestTrain = 0, earliestTest = std::numeric_limits<std::int64_t>::max();
        for (const std::size_t i : r.folds[0].train) {
            gotTrain.insert(groups[i]);
            latestTrain = std::max(latestTrain, times[i]);
        }
        for (const std::size_t i : r.folds[0].test)
            earliestTest = std::min(earliestTest, times[i]);
        QCOMPARE(gotTrain, (std::set<int>(trainGroups.begin(), trainGroups.end())));
        QVERIFY(latestTrain < earliestTest);
    }

    void timeSplitTiesAndGroupTime()
    {
        // Group 30: 2 samples at 100 (and one sample stamped later: the group's
        // time is its earliest), group 10: 4 at 200, group 20: 2 at 300.
        // n = 8, fraction 0.5 -> target 4: prefixes 2 and 6 are equally far,
        // the shorter one wins.
        const Ints groups{10, 30, 20, 10, 30, 10, 20, 10};
        const std::vector<std::int64_t> times{200, 100, 300, 200, 150, 200, 300, 200};
        const SplitResult r = snilab::timeSplit(times, groups, 0.5);
        QVERIFY2(r.ok(), r.error.c_str());
        QCOMPARE(r.folds[0].train, (Indices{1, 4}));
        QCOMPARE(r.folds[0].test, (Indices{0, 2, 3, 5, 6, 7}));

        // Equal times: ordered by group id.
        const Ints g2{8, 4, 8, 4};
        const std::vector<std::int64_t> t2{50, 50, 50, 50};
        const SplitResult r2 = snilab::timeSplit(t2, g2, 0.5);
        QVERIFY2(r2.ok(), r2.error.c_str());
        QCOMPARE(r2.folds[0].train, (Indices{1, 3}));
    }

    void timeSplitErrors_data()
    {
        QTest::addColumn<Ints>("groups");
        QTest::addColumn<int>("timeCount");
        QTest::addColumn<double>("fraction");
        QTest::newRow("sizes differ") << Ints{1, 2, 3} << 2 << 0.5;
        QTest::newRow("fraction 0") << Ints{1, 2, 3} << 3 << 0.0;
        QTest::newRow("fraction 1") << Ints{1, 2, 3} << 3 << 1.0;
        QTest::newRow("fraction NaN")
            << Ints{1, 2, 3} << 3 << std::numeric_limits<double>::quiet_NaN();
        QTest::newRow("one group") << Ints{1, 1, 1} << 3 << 0.5;
        QTest::newRow("no samples") << Ints{} << 0 << 0.5;
    }

    void timeSplitErrors()
    {
        QFETCH(Ints, groups);
        QFETCH(int, timeCount);
        QFETCH(double, fraction);
        std::vector<std::int64_t> times(static_cast<std::size_t>(timeCount));
        for (std::size_t i = 0; i < times.size(); ++i)
            times[i] = static_cast<std::int64_t>(i);
        const SplitResult r = snilab::timeSplit(times, groups, fraction);
        QVERIFY(!r.ok());
        QVERIFY(r.folds.empty());
    }

    // ---- validation split --------------------------------------------------

    void validationSplit_data()
    {
        QTest::addColumn<Ints>("classSizes"); // in the training fold
        QTest::addColumn<double>("fraction");
        QTest::addColumn<Ints>("expectedPerClass");
        // m = 35, ceil(3.5) = 4. Quotas 2.0, 0.9, 0.1, 0.5: floors 2,0,0,0;
        // the remaining 2 go to class 1 (0.9) and class 3 (0.5); class 2 has
        // one sample and stays in fit.
        QTest::newRow("10 %") << Ints{20, 9, 1, 5} << 0.1 << Ints{2, 1, 0, 1};
        // m = 100, 0.07 * 100 = 7.000000000000001 in double: 7, not 8 (the
        // tolerance). Quotas 3.5, 3.5: floors 3, 3; the extra goes to the
        // tie's lower class id.
        QTest::newRow("7 %, rounding") << Ints{50, 50} << 0.07 << Ints{4, 3};
        // Caps: m = 6, ceil(0.5 * 6) = 3; class 0 (2 samples) gives at most 1,
        // each singleton 0; quota of class 0 = 1, so 1 in validation, and no
        // other class can give one.
        QTest::newRow("caps bind") << Ints{2, 1, 1, 1, 1} << 0.5 << Ints{1, 0, 0, 0, 0};
        QTest::newRow("fraction 0") << Ints{4, 4} << 0.0 << Ints{0, 0};
        // m = 40, ceil(4) = 4; quotas 3.0, 1.0 exactly.
        QTest::newRow("exact") << Ints{30, 10} << 0.1 << Ints{3, 1};
        // m = 12, ceil(1.2) = 2; quotas 0.4 each: floors 0, remainders tie,
        // ties by size then class id -> classes 0 and 1.
        QTest::newRow("remainder ties") << Ints{4, 4, 4} << 0.1 << Ints{1, 1, 0};
    }

    void validationSplit()
    {
        QFETCH(Ints, classSizes);
        QFETCH(double, fraction);
        QFETCH(Ints, expectedPerClass);
        // The dataset interleaves a test fold (every third sample, class 99)
        // that must never be touched.
        const Ints trainClasses = makeClasses(classSizes);
        Ints classes;
        Indices trainIndices;
        for (const int c : trainClasses) {
            trainIndices.push_back(classes.size());
            classes.push_back(c);
            if (classes.size() % 3 == 2)
                classes.push_back(99);
        }
        // Pass the training indices in scrambled order: the result must not
        // depend on it.
        Indices scrambled = trainIndices;
        std::reverse(scrambled.begin(), scrambled.end());

        const ValidationSplit v = stratifiedValidationSplit(classes, scrambled, fraction, 5);
        QVERIFY2(v.ok(), v.error.c_str());
        QVERIFY(isSortedUnique(v.fit) && isSortedUnique(v.validation));
        Indices all = v.fit;
        all.insert(all.end(), v.validation.begin(), v.validation.end());
        std::sort(all.begin(), all.end());
        QCOMPARE(all, trainIndices); // disjoint, and together the training fold

        Ints perClass(classSizes.size(), 0);
        for (const std::size_t i : v.validation) {
            QVERIFY(classes[i] != 99);
            ++perClass[static_cast<std::size_t>(classes[i])];
        }
        QCOMPARE(perClass, expectedPerClass);

        const ValidationSplit again = stratifiedValidationSplit(classes, trainIndices, fraction, 5);
        QCOMPARE(again.fit, v.fit);
        QCOMPARE(again.validation, v.validation);
    }

    void validationSplitSeed()
    {
        const Ints classes = makeClasses(Ints{50, 30});
        Indices train(classes.size());
        for (std::size_t i = 0; i < train.size(); ++i)
            train[i] = i;
        const ValidationSplit a = stratifiedValidationSplit(classes, train, 0.1, 1);
        const ValidationSplit b = stratifiedValidationSplit(classes, train, 0.1, 2);
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(a.validation.size(), std::size_t{8});
        QCOMPARE(b.validation.size(), std::size_t{8});
        QVERIFY(a.validation != b.validation);
    }

    void validationSplitErrors_data()
    {
        QTest::addColumn<Indices>("train");
        QTest::addColumn<double>("fraction");
        QTest::newRow("fraction 1") << Indices{0, 1, 2} << 1.0;
        QTest::newRow("negative fraction") << Indices{0, 1, 2} << -0.1;
        QTest::newRow("NaN fraction")
            << Indices{0, 1, 2} << std::numeric_limits<double>::quiet_NaN();
        QTest::newRow("index out of range") << Indices{0, 4} << 0.1;
        QTest::newRow("repeated index") << Indices{1, 2, 1} << 0.1;
    }

    void validationSplitErrors()
    {
        QFETCH(Indices, train);
        QFETCH(double, fraction);
        const ValidationSplit v = stratifiedValidationSplit(Ints{0, 1, 0, 1}, train, fraction, 1);
        QVERIFY(!v.ok());
    }

    // ---- metrics -----------------------------------------------------------

    void metrics_data()
    {
        QTest::addColumn<Counts>("confusion");
        QTest::addColumn<int>("k");
        QTest::addColumn<double>("accuracy");
        QTest::addColumn<Doubles>("macro");    // precision, recall, F1
        QTest::addColumn<Doubles>("weighted"); // precision, recall, F1
        QTest::addColumn<Doubles>("precision");
        QTest::addColumn<Doubles>("recall");
        QTest::addColumn<Doubles>("f1");

        // Row = true, column = predicted:
        //        p0 p1 p2  support
        //   t0    4  1  0   5
        //   t1    1  2  1   4
        //   t2    1  1  1   3
        // predicted 6  4  2      n = 12, correct = 7 -> accuracy 7/12
        // P = 4/6, 2/4, 1/2 = 2/3, 1/2, 1/2
        // R = 4/5, 2/4, 1/3
        // F1_0 = 2(2/3)(4/5)/(2/3 + 4/5) = (16/15)/(22/15) = 8/11
        // F1_1 = 1/2
        // F1_2 = 2(1/2)(1/3)/(1/2 + 1/3) = (1/3)/(5/6) = 2/5
        // macro P = (2/3 + 1/2 + 1/2)/3 = 5/9
        // macro R = (4/5 + 1/2 + 1/3)/3 = (49/30)/3 = 49/90
        // macro F1 = (8/11 + 1/2 + 2/5)/3 = (179/110)/3 = 179/330
        // weighted P = (5(2/3) + 4(1/2) + 3(1/2))/12 = (41/6)/12 = 41/72
        // weighted R = (4 + 2 + 1)/12 = 7/12
        // weighted F1 = (5(8/11) + 4(1/2) + 3(2/5))/12 = (376/55)/12 = 94/165
        QTest::newRow("3 classes, known confusion")
            << Counts{4, 1, 0, 1, 2, 1, 1, 1, 1} << 3 << 7.0 / 12
            << Doubles{5.0 / 9, 49.0 / 90, 179.0 / 330} << Doubles{41.0 / 72, 7.0 / 12, 94.0 / 165}
            << Doubles{2.0 / 3, 0.5, 0.5} << Doubles{0.8, 0.5, 1.0 / 3}
            << Doubles{8.0 / 11, 0.5, 0.4};

        //        p0 p1 p2
        //   t0    2  0  0
        //   t1    0  2  0
        //   t2    1  1  0     class 2 never predicted
        // P = 2/3, 2/3, 0 (zero_division = 0); R = 1, 1, 0
        // F1 = 4/5, 4/5, 0 (P + R = 0)
        // macro P = 4/9, R = 2/3, F1 = (8/5)/3 = 8/15; accuracy 4/6
        // weighted P = (2(2/3) + 2(2/3))/6 = 4/9, R = 2/3, F1 = (3.2)/6 = 8/15
        QTest::newRow("class never predicted")
            << Counts{2, 0, 0, 0, 2, 0, 1, 1, 0} << 3 << 2.0 / 3
            << Doubles{4.0 / 9, 2.0 / 3, 8.0 / 15} << Doubles{4.0 / 9, 2.0 / 3, 8.0 / 15}
            << Doubles{2.0 / 3, 2.0 / 3, 0.0} << Doubles{1.0, 1.0, 0.0} << Doubles{0.8, 0.8, 0.0};

        // The same with K = 4: class 3 is in neither y_true nor y_pred, so it
        // is left out of the macro averages (unique_labels), which stay as
        // above.
        QTest::newRow("class in neither (K = 4)")
            << Counts{2, 0, 0, 0, 0, 2, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0} << 4 << 2.0 / 3
            << Doubles{4.0 / 9, 2.0 / 3, 8.0 / 15} << Doubles{4.0 / 9, 2.0 / 3, 8.0 / 15}
            << Doubles{2.0 / 3, 2.0 / 3, 0.0, 0.0} << Doubles{1.0, 1.0, 0.0, 0.0}
            << Doubles{0.8, 0.8, 0.0, 0.0};

        //        p0 p1 p2
        //   t0    1  0  1
        //   t1    0  2  0
        //   t2    0  0  0     class 2 only predicted (support 0)
        // P = 1, 1, 0; R = 1/2, 1, 0 (0/0 -> 0); F1 = 2/3, 1, 0
        // macro over 3 classes: P = 2/3, R = 1/2, F1 = (5/3)/3 = 5/9
        // weighted: P = (2 + 2)/4 = 1, R = (1 + 2)/4 = 3/4, F1 = (4/3 + 2)/4 = 5/6
        QTest::newRow("class only predicted")
            << Counts{1, 0, 1, 0, 2, 0, 0, 0, 0} << 3 << 0.75 << Doubles{2.0 / 3, 0.5, 5.0 / 9}
            << Doubles{1.0, 0.75, 5.0 / 6} << Doubles{1.0, 1.0, 0.0} << Doubles{0.5, 1.0, 0.0}
            << Doubles{2.0 / 3, 1.0, 0.0};

        QTest::newRow("perfect") << Counts{3, 0, 0, 0, 1, 0, 0, 0, 2} << 3 << 1.0
                                 << Doubles{1.0, 1.0, 1.0} << Doubles{1.0, 1.0, 1.0}
                                 << Doubles{1.0, 1.0, 1.0} << Doubles{1.0, 1.0, 1.0}
                                 << Doubles{1.0, 1.0, 1.0};

        QTest::newRow("all wrong")
            << Counts{0, 2, 1, 1, 0, 0, 3, 1, 0} << 3 << 0.0 << Doubles{0.0, 0.0, 0.0}
            << Doubles{0.0, 0.0, 0.0} << Doubles{0.0, 0.0, 0.0} << Doubles{0.0, 0.0, 0.0}
            << Doubles{0.0, 0.0, 0.0};

        // One class, always right.
        QTest::newRow("single class")
            << Counts{5} << 1 << 1.0 << Doubles{1.0, 1.0, 1.0} << Doubles{1.0, 1.0, 1.0}
            << Doubles{1.0} << Doubles{1.0} << Doubles{1.0};
    }

    void metrics()
    {
        QFETCH(Counts, confusion);
        QFETCH(int, k);
        QFETCH(double, accuracy);
        QFETCH(Doubles, macro);
        QFETCH(Doubles, weighted);
        QFETCH(Doubles, precision);
        QFETCH(Doubles, recall);
        QFETCH(Doubles, f1);

        Ints trues, predicted;
        expandConfusion(confusion, k, trues, predicted);
        std::string error;
        const auto m = computeMetrics(trues, scoresFor(predicted, k), k, &error);
        QVERIFY2(m.has_value(), error.c_str());
        QCOMPARE(m->confusion, confusion);
        COMPARE_NEAR(m->accuracy, accuracy);
        COMPARE_NEAR(m->macroPrecision, macro[0]);
        COMPARE_NEAR(m->macroRecall, macro[1]);
        COMPARE_NEAR(m->macroF1, macro[2]);
        COMPARE_NEAR(m->weightedPrecision, weighted[0]);
        COMPARE_NEAR(m->weightedRecall, weighted[1]);
        COMPARE_NEAR(m->weightedF1, weighted[2]);
        COMPARE_NEAR(m->weightedRecall, m->accuracy);
        COMPARE_ALL_NEAR(m->perClassPrecision, precision);
        COMPARE_ALL_NEAR(m->perClassAccuracy, recall);
        COMPARE_ALL_NEAR(m->perClassF1, f1);

        Counts support(static_cast<std::size_t>(k), 0);
        for (const int t : trues)
            ++support[static_cast<std::size_t>(t)];
        QCOMPARE(m->support, support);
        QCOMPARE(m->topK.size(), std::min(static_cast<std::size_t>(k), kMaxTopK));
        COMPARE_NEAR(m->topK[0], m->accuracy);
        QCOMPARE(predictClasses(scoresFor(predicted, k), k), predicted);
    }

    void argmaxTies_data()
    {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        QTest::addColumn<Doubles>("row");
        QTest::addColumn<int>("expected");
        QTest::newRow("tie first two") << Doubles{0.4, 0.4, 0.2} << 0;
        QTest::newRow("tie last two") << Doubles{0.1, 0.45, 0.45} << 1;
        QTest::newRow("all equal") << Doubles{0.3, 0.3, 0.3} << 0;
        QTest::newRow("clear max last") << Doubles{0.1, 0.2, 0.7} << 2;
        QTest::newRow("NaN first") << Doubles{nan, 0.1, 0.2} << 2;
        QTest::newRow("all NaN") << Doubles{nan, nan, nan} << 0;
        QTest::newRow("negative scores") << Doubles{-3.0, -1.0, -2.0} << 1;
    }

    void argmaxTies()
    {
        QFETCH(Doubles, row);
        QFETCH(int, expected);
        QCOMPARE(predictClasses(row, 3), Ints{expected});
        // In the confusion matrix too: true class 0.
        const auto m = computeMetrics(Ints{0}, row, 3);
        QVERIFY(m.has_value());
        QCOMPARE(m->confusion[static_cast<std::size_t>(expected)], std::uint64_t{1});
        COMPARE_NEAR(m->accuracy, expected == 0 ? 1.0 : 0.0);
    }

    void topK_data()
    {
        // K = 4, five samples; rank = number of classes ranked before the true
        // one (higher score, or equal score and lower id):
        //   A true 2 {0.1, 0.4, 0.3, 0.2}     order 1,2,3,0 -> rank 1
        //   B true 3 {0.25, 0.25, 0.25, 0.25} order 0,1,2,3 -> rank 3
        //   C true 0 {0.2, 0.5, 0.2, 0.1}     order 1,0,2,3 -> rank 1
        //   D true 2 {0.2, 0.5, 0.2, 0.1}     order 1,0,2,3 -> rank 2
        //   E true 1 {0.1, 0.6, 0.2, 0.1}     order 1,...   -> rank 0
        // top-k hits rank < k: k=1 {E} 1/5; k=2 {A,C,E} 3/5; k=3 +D 4/5; k=4 all.
        QTest::addColumn<int>("k");
        QTest::addColumn<double>("expected");
        QTest::newRow("k=1") << 1 << 0.2;
        QTest::newRow("k=2") << 2 << 0.6;
        QTest::newRow("k=3") << 3 << 0.8;
        QTest::newRow("k=4") << 4 << 1.0;
    }

    void topK()
    {
        QFETCH(int, k);
        QFETCH(double, expected);
        const Ints trues{2, 3, 0, 2, 1};
        const Doubles scores{0.1,  0.4,  0.3,  0.2,  // A
                             0.25, 0.25, 0.25, 0.25, // B
                             0.2,  0.5,  0.2,  0.1,  // C
                             0.2,  0.5,  0.2,  0.1,  // D
                             0.1,  0.6,  0.2,  0.1}; // E
        const auto m = computeMetrics(trues, scores, 4);
        QVERIFY(m.has_value());
        QCOMPARE(m->topK.size(), std::size_t{4}); // min(5, K)
        COMPARE_NEAR(m->topK[static_cast<std::size_t>(k - 1)], expected);
        COMPARE_NEAR(m->accuracy, 0.2);
    }

    void topKCappedAtFive()
    {
        // K = 7: topK has 5 entries. True class 6 with all-equal scores has
        // rank 6, so it is never in the top 5.
        const Doubles scores(7, 1.0 / 7);
        const auto m = computeMetrics(Ints{6}, scores, 7);
        QVERIFY(m.has_value());
        QCOMPARE(m->topK, (Doubles{0, 0, 0, 0, 0}));
        const auto m0 = computeMetrics(Ints{4}, scores, 7);
        QCOMPARE(m0->topK, (Doubles{0, 0, 0, 0, 1}));
    }

    void metricsErrors_data()
    {
        QTest::addColumn<Ints>("trues");
        QTest::addColumn<Doubles>("scores");
        QTest::addColumn<int>("k");
        QTest::newRow("no classes") << Ints{0} << Doubles{} << 0;
        QTest::newRow("negative K") << Ints{0} << Doubles{1.0} << -1;
        QTest::newRow("no samples") << Ints{} << Doubles{} << 2;
        QTest::newRow("too few scores") << Ints{0, 1} << Doubles{0.5, 0.5, 1.0} << 2;
        QTest::newRow("too many scores") << Ints{0} << Doubles{0.5, 0.5, 1.0} << 2;
        QTest::newRow("class too large") << Ints{0, 2} << Doubles{1, 0, 0, 1} << 2;
        QTest::newRow("negative class") << Ints{-1} << Doubles{1, 0} << 2;
    }

    void metricsErrors()
    {
        QFETCH(Ints, trues);
        QFETCH(Doubles, scores);
        QFETCH(int, k);
        std::string error;
        QVERIFY(!computeMetrics(trues, scores, k, &error).has_value());
        QVERIFY(!error.empty());
        QVERIFY(error.find('\n') == std::string::npos);
        QVERIFY(!computeMetrics(trues, scores, k).has_value()); // no error pointer
    }

    // ---- aggregate ---------------------------------------------------------

    void aggregate_data()
    {
        QTest::addColumn<Doubles>("values");
        QTest::addColumn<double>("mean");
        QTest::addColumn<double>("stddev");
        // Population std (ddof = 0): sqrt(((-0.1)^2 + 0 + 0.1^2)/3) = sqrt(0.02/3).
        QTest::newRow("three folds") << Doubles{0.8, 0.9, 1.0} << 0.9 << std::sqrt(0.02 / 3);
        // mean 2.5; deviations 1.5, 0.5 twice -> (2.25+0.25+0.25+2.25)/4 = 1.25.
        QTest::newRow("1..4") << Doubles{1, 2, 3, 4} << 2.5 << std::sqrt(1.25);
        QTest::newRow("one value") << Doubles{0.7} << 0.7 << 0.0;
        QTest::newRow("constant") << Doubles{0.5, 0.5, 0.5} << 0.5 << 0.0;
        QTest::newRow("empty") << Doubles{} << 0.0 << 0.0;
    }

    void aggregate()
    {
        QFETCH(Doubles, values);
        QFETCH(double, mean);
        QFETCH(double, stddev);
        const Aggregate a = snilab::aggregate(values);
        COMPARE_NEAR(a.mean, mean);
        COMPARE_NEAR(a.std, stddev);
    }
};

QTEST_APPLESS_MAIN(TestEval)
#include "test_eval.moc"
