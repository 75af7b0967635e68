// Unit tests for the LibTorch networks (models/sequence_network.h), model
// names and ensembles (models/model_plan.h), model sets and model files
// (models/model_set.h, models/model_file.h). Small networks and synthetic
// sequences keep the run short.
#include "common/content_hash.h"
#include "common/feedback.h"
#include "eval/evaluation_config.h"
#include "features/statistics.h"
#include "models/model_bytes.h"
#include "models/model_file.h"
#include "models/model_plan.h"
#include "models/model_set.h"
#include "models/sequence_network.h"

#include <QObject>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <vector>

namespace snilab {
namespace {

constexpr std::size_t kLength = 10;
constexpr std::size_t kChannels = 2;
constexpr int kClasses = 3;

struct Sequences {
    std::vector<float> x; // rows x kLength x kChannels, time-major
    std::vector<int> y;
    std::vector<std::uint32_t> packets;
    std::size_t rows() const { return y.size(); }
};

// Class c: channel 0 ~ N(c - 1, 0.3) and channel 1 alternating +-1 with a
// class-dependent phase, on 4..10 real rows after left padding.
Sequences makeSequences(std::size_t rows, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> noise(0.0f, 0.3f);
    std::uniform_int_distribution<int> len(4, static_cast<int>(kLength));
    Sequences s;
    s.x.assign(rows * kLength * kChannels, 0.0f);
    for (std::size_t i = 0; i < rows; ++i) {
        const int c = static_cast<int>(i % kClasses);
        const auto n = static_cast<std::size_t>(len(rng));
        for (std::size_t t = kLength - n; t < kLength; ++t) {
            s.x[(i * kLength + t) * kChannels] = static_cast<float>(c - 1) + noise(rng);
            s.x[(i * kLength + t) * kChannels + 1] =
                ((t + static_cast<std::size_t>(c)) % 2) ? 1.f : -1.f;
        }
        s.y.push_back(c);
        s.packets.push_back(static_cast<std::uint32_t>(n));
    }
    return s;
}

NetworkOptions smallOptions(NetworkKind kind)
{
    NetworkOptions o = NetworkOptions::defaults(kind);
    o.conv1 = 16;
    o.conv2 = 24;
    o.gru = 16;
    o.dense = 16;
    return o;
}

TrainingOptions quickTraining(int epochs = 25)
{
    TrainingOptions t;
    t.maxEpochs = epochs;
    t.patience = 5;
    t.batchSize = 32;
    t.learningRate = 5e-3;
    t.seed = 7;
    t.device = "cpu";
    t.threads = 2;
    return t;
}

double accuracy(const std::vector<double>& probs, const std::vector<int>& y, int k)
{
    std::size_t ok = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        const double* p = probs.data() + i * static_cast<std::size_t>(k);
        const auto best = static_cast<int>(std::max_element(p, p + k) - p);
        ok += best == y[i] ? 1 : 0;
    }
    return static_cast<double>(ok) / static_cast<double>(y.size());
}

class EpochLog final : public Feedback {
public:
    void epoch(const EpochReport& r) override
    {
        std::lock_guard lock(m_mutex);
        reports.push_back(r);
    }
    std::vector<EpochReport> reports;

private:
    std::mutex m_mutex;
};

std::vector<std::uint8_t> readAll(const std::string& path)
{
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

void writeAll(const std::string& path, const std::vector<std::uint8_t>& bytes)
{
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

// A Dataset with statistics (class-dependent) and the synthetic sequences on
// the channels size and payload.
Dataset makeDataset(std::size_t rows, std::uint64_t seed)
{
    const Sequences s = makeSequences(rows, seed);
    Dataset d;
    d.options.spec.channels = {true, true, false, false};
    d.options.spec.sequenceLength = kLength;
    std::mt19937_64 rng(seed + 1);
    std::normal_distribution<float> noise(0.0f, 1.0f);
    for (std::size_t i = 0; i < rows; ++i) {
        d.connectionIds.push_back(static_cast<std::int64_t>(i + 1));
        d.labels.push_back("class" + std::to_string(s.y[i]));
        d.snis.push_back(d.labels.back());
        d.groups.push_back(0);
        for (std::size_t f = 0; f < kStatisticCount; ++f)
            d.statistics.push_back(noise(rng) +
                                   (f == static_cast<std::size_t>(s.y[i]) ? 4.f : 0.f));
    }
    d.groupPaths = {"synthetic"};
    d.groupFirstNs = {0};
    d.sequences = s.x;
    d.sequencePackets = s.packets;
    return d;
}

} // namespace

class TestNetworks : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        if (!torchAvailable())
            QSKIP("built without LibTorch");
    }

    // LibTorch is a module opened on first use (models/network_backend.h):
    // not mapped until a network needs it, mapped after.
    void libTorchLoadsOnFirstUse()
    {
        const auto mapped = [] {
            std::ifstream maps("/proc/self/maps");
            std::string line;
            while (std::getline(maps, line))
                if (line.find("libtorch_cpu") != std::string::npos)
                    return true;
            return false;
        };
        QVERIFY2(!mapped(), "LibTorch is loaded before any network was used");
        QVERIFY(torchAvailable()); // found, without loading
        QVERIFY(!mapped());
        QVERIFY2(loadNetworkModule(), torchUnavailableReason().c_str());
        QVERIFY(mapped());
        QCOMPARE(QString::fromStdString(resolveDevice("cpu")), QStringLiteral("cpu"));
        QVERIFY_THROWS_EXCEPTION(ModelError, resolveDevice("tpu"));
    }

    void learnsSeparableSequences_data()
    {
        QTest::addColumn<int>("kind");
        QTest::newRow("cnngru") << static_cast<int>(NetworkKind::CnnGru);
        QTest::newRow("gru") << static_cast<int>(NetworkKind::Gru);
        QTest::newRow("cnn") << static_cast<int>(NetworkKind::Cnn);
    }
    void learnsSeparableSequences()
    {
        QFETCH(int, kind);
        const Sequences train = makeSequences(300, 1), test = makeSequences(150, 2);
        SequenceNetwork net(smallOptions(static_cast<NetworkKind>(kind)));
        EpochLog log;
        EpochReport tmpl;
        tmpl.model = "m";
        tmpl.threshold = 42;
        QVERIFY(net.fit(train.x.data(), train.rows(), kLength, kChannels, train.y.data(), kClasses,
                        quickTraining(), &log, tmpl));
        QVERIFY(net.isTrained());
        QCOMPARE(net.classCount(), kClasses);
        QVERIFY(net.parameterCount() > 0);
        const auto probs = net.predictProba(test.x.data(), test.rows());
        QCOMPARE(probs.size(), test.rows() * kClasses);
        for (std::size_t i = 0; i < test.rows(); ++i) {
            double sum = 0;
            for (int c = 0; c < kClasses; ++c)
                sum += probs[i * kClasses + static_cast<std::size_t>(c)];
            QVERIFY(std::abs(sum - 1.0) < 1e-5);
        }
        const double acc = accuracy(probs, test.y, kClasses);
        QVERIFY2(acc > 0.9, qPrintable(QString("accuracy %1").arg(acc)));
        // Every epoch reported once, with the template's fields.
        QCOMPARE(log.reports.size(), net.history().size());
        QCOMPARE(log.reports.front().model, std::string("m"));
        QCOMPARE(log.reports.front().threshold, 42);
        QCOMPARE(log.reports.front().epoch, 1);
        QCOMPARE(log.reports.front().maxEpochs, 25);
    }

    void earlyStoppingFollowsPatience()
    {
        const Sequences train = makeSequences(240, 3);
        SequenceNetwork net(smallOptions(NetworkKind::Cnn));
        TrainingOptions t = quickTraining(300);
        t.patience = 2;
        t.learningRate = 0.05; // noisy: validation loss stops improving soon
        QVERIFY(
            net.fit(train.x.data(), train.rows(), kLength, kChannels, train.y.data(), kClasses, t));
        const auto& h = net.history();
        QVERIFY(!h.empty());
        QVERIFY2(h.size() < 300, "training never stopped early");
        int lastImproved = 0;
        double best = 1e300;
        for (const auto& e : h) {
            QCOMPARE(e.improved, e.validationLoss < best);
            if (e.improved) {
                best = e.validationLoss;
                lastImproved = e.epoch;
            }
        }
        QCOMPARE(h.back().epoch - lastImproved, t.patience);
    }

    void sameSeedSameNetwork()
    {
        const Sequences train = makeSequences(150, 4), test = makeSequences(30, 5);
        const auto run = [&](std::uint64_t seed) {
            SequenceNetwork net(smallOptions(NetworkKind::CnnGru));
            TrainingOptions t = quickTraining(4);
            t.seed = seed;
            net.fit(train.x.data(), train.rows(), kLength, kChannels, train.y.data(), kClasses, t);
            return net.predictProba(test.x.data(), test.rows());
        };
        const auto a = run(11), b = run(11), c = run(12);
        QCOMPARE(a, b);
        QVERIFY(a != c);
    }

    void saveLoadRoundTripAndErrors()
    {
        const Sequences train = makeSequences(150, 6), test = makeSequences(40, 7);
        NetworkOptions o = smallOptions(NetworkKind::CnnGru);
        o.dropout = 0.25;
        SequenceNetwork net(o);
        QVERIFY(net.fit(train.x.data(), train.rows(), kLength, kChannels, train.y.data(), kClasses,
                        quickTraining(3)));
        const auto bytes = net.save();
        const SequenceNetwork loaded = SequenceNetwork::load(bytes);
        QCOMPARE(loaded.options().conv1, 16);
        QCOMPARE(loaded.options().dropout, 0.25);
        QCOMPARE(loaded.length(), kLength);
        QCOMPARE(loaded.predictProba(test.x.data(), test.rows()),
                 net.predictProba(test.x.data(), test.rows()));

        auto corrupt = bytes;
        corrupt[corrupt.size() / 2] ^= 0x40;
        QVERIFY_THROWS_EXCEPTION(ModelError, SequenceNetwork::load(corrupt));
        QVERIFY_THROWS_EXCEPTION(ModelError,
                                 SequenceNetwork::load(std::span(bytes).first(bytes.size() - 40)));
        QVERIFY_THROWS_EXCEPTION(ModelError, SequenceNetwork::load({}));
        auto foreign = bytes;
        foreign[0] = 'X';
        QVERIFY_THROWS_EXCEPTION(ModelError, SequenceNetwork::load(foreign));
        // A newer format version with a valid checksum: a clear "newer" error.
        auto newer = std::vector<std::uint8_t>(bytes.begin(), bytes.end() - 32);
        newer[4] = 99;
        ContentHasher h;
        h.update(newer);
        const std::string digest = h.finishHex();
        newer.insert(newer.end(), digest.begin(), digest.end());
        try {
            SequenceNetwork::load(newer);
            QFAIL("a newer format loaded");
        } catch (const ModelError& e) {
            QVERIFY2(std::string(e.what()).find("newer") != std::string::npos, e.what());
        }
    }

    void cancelKeepsUntrained()
    {
        const Sequences train = makeSequences(90, 8);
        SequenceNetwork net(smallOptions(NetworkKind::Gru));
        Feedback cancelled;
        cancelled.cancel();
        QVERIFY(!net.fit(train.x.data(), train.rows(), kLength, kChannels, train.y.data(), kClasses,
                         quickTraining(), &cancelled));
        QVERIFY(!net.isTrained());
        QVERIFY_THROWS_EXCEPTION(ModelError, net.predictProba(train.x.data(), 1));
    }

    void invalidArguments()
    {
        const Sequences train = makeSequences(30, 9);
        SequenceNetwork net(smallOptions(NetworkKind::CnnGru));
        QVERIFY_THROWS_EXCEPTION(ModelError,
                                 net.fit(train.x.data(), train.rows(), kLength, kChannels,
                                         train.y.data(), 1, quickTraining()));
        std::vector<int> bad = train.y;
        bad[3] = 5;
        QVERIFY_THROWS_EXCEPTION(ModelError,
                                 net.fit(train.x.data(), train.rows(), kLength, kChannels,
                                         bad.data(), kClasses, quickTraining()));
        // The CNN-GRU's unpadded second convolution needs 3 packets.
        QVERIFY_THROWS_EXCEPTION(ModelError, net.fit(train.x.data(), 10, 2, kChannels,
                                                     train.y.data(), kClasses, quickTraining()));
        TrainingOptions t = quickTraining();
        t.device = "tpu";
        QVERIFY_THROWS_EXCEPTION(ModelError, net.fit(train.x.data(), train.rows(), kLength,
                                                     kChannels, train.y.data(), kClasses, t));
    }

    void deviceSelection()
    {
        QCOMPARE(resolveDevice("cpu"), std::string("cpu"));
        QCOMPARE(resolveDevice("auto"), std::string(cudaAvailable() ? "cuda" : "cpu"));
        if (cudaAvailable()) {
            QCOMPARE(resolveDevice("cuda"), std::string("cuda"));
        } else {
            QVERIFY(!cudaUnavailableReason().empty());
            QVERIFY_THROWS_EXCEPTION(ModelError, resolveDevice("cuda"));
        }
        QVERIFY_THROWS_EXCEPTION(ModelError, resolveDevice("gpu"));
    }

    void modelNames()
    {
        const auto m = parseModelName("cnngru-iat+dir");
        QVERIFY(m);
        QCOMPARE(m->name, std::string("cnngru-iat+dir"));
        QCOMPARE(m->channels, (std::vector<std::string>{"iat", "dir"}));
        QCOMPARE(parseModelName("gru-packet")->name, std::string("gru"));
        QCOMPARE(parseModelName("cnngru")->name, std::string("cnngru-packet"));
        QCOMPARE(parseModelName("cnn-all")->channels,
                 (std::vector<std::string>{"size", "payload", "iat"}));
        QVERIFY(parseModelName("rf")->forest);
        std::string error;
        QVERIFY(!parseModelName("svm", &error));
        QVERIFY(error.find("unknown model 'svm'") != std::string::npos);
        QVERIFY(!parseModelName("cnngru-bytes", &error));
        QVERIFY(error.find("packet, payload, iat or all") != std::string::npos);
    }

    void ensembles()
    {
        QVERIFY(!isEnsembleText("cnngru-packet+dir"));
        QVERIFY(isEnsembleText("cnngru-packet+dir+rf"));
        QVERIFY(isEnsembleText("paper"));
        const auto paper = parseEnsemble("paper");
        QVERIFY(paper);
        QCOMPARE(paper->members.size(), std::size_t{4});
        QCOMPARE(paper->members[0], (std::pair<std::string, double>{"rf", 0.5}));
        QCOMPARE(paper->members[3].first, std::string("cnngru-iat"));
        QVERIFY(std::abs(paper->members[3].second - 1.0 / 6.0) < 1e-12);
        const auto glued = parseEnsemble("cnngru-packet+dir + 2*rf");
        QVERIFY(glued);
        QCOMPARE(glued->members[0].first, std::string("cnngru-packet+dir"));
        QCOMPARE(glued->members[1].second, 2.0);
        std::string error;
        QVERIFY(!parseEnsemble("0*rf+gru", &error));
        QVERIFY(error.find("bad weight") != std::string::npos);
        QVERIFY(!parseEnsemble("rf+rf", &error));
        QVERIFY(!parseEnsemble("rf+bogus", &error));

        // Weighted mean: (1 * a + 3 * b) / 4.
        const std::vector<double> a = {1.0, 0.0}, b = {0.0, 1.0};
        const auto e = parseEnsemble("1*rf+3*gru");
        QCOMPARE(combineEnsemble(*e, {&a, &b}), (std::vector<double>{0.25, 0.75}));

        const auto plan = planModels({"rf", "paper", "gru"});
        QVERIFY(plan);
        QCOMPARE(plan->order, (std::vector<std::string>{"rf", "paper", "gru", "cnngru-packet",
                                                        "cnngru-payload", "cnngru-iat"}));
        QCOMPARE(plan->models.size(), std::size_t{5});
        QCOMPARE(plan->ensembles.size(), std::size_t{1});
        QVERIFY(!planModels({}, &error));
    }

    // Every name a picker offers is canonical, accepted by planModels and
    // described; an unknown name's description is the parser's error.
    void modelChoices()
    {
        const std::vector<std::string> choices = EvaluationConfig::modelChoices();
        QCOMPARE(std::set<std::string>(choices.begin(), choices.end()).size(), choices.size());
        for (const std::string& name : choices) {
            std::string error;
            QVERIFY2(planModels({name}, &error), (name + ": " + error).c_str());
            if (!isEnsembleText(name))
                QCOMPARE(parseModelName(name)->name, name);
            QVERIFY2(!describeModel(name).empty(), name.c_str());
        }
        if (torchAvailable()) {
            for (const char* m : {"gru", "gru-all+dir", "cnn-iat", "cnngru-packet",
                                  "cnngru-iat+dir", "cnngru-mean"})
                QVERIFY2(std::find(choices.begin(), choices.end(), m) != choices.end(), m);
            QVERIFY(std::find(choices.begin(), choices.end(), "gru-packet") == choices.end());
        }
        QCOMPARE(describeModel("cnngru-iat+dir"),
                 std::string("CNN-GRU on the first 25 packets' inter-arrival times, with the "
                             "direction channel"));
        QVERIFY(describeModel("paper").find("0.5 x rf") != std::string::npos);
        QVERIFY(describeModel("bogus").find("unknown model 'bogus'") != std::string::npos);
    }

    void modelSetAndModelFile()
    {
        const Dataset data = makeDataset(150, 10);
        std::vector<std::string> names = {"cnngru-packet", "gru-payload+dir"};
#if SNILAB_WITH_OPENCV
        names = {"rf", "cnngru-packet", "0.5*rf+0.5*cnngru-packet"};
#endif
        const auto plan = planModels(names);
        QVERIFY(plan);
        // A network whose channel the spec lacks is refused up front.
        QVERIFY_THROWS_EXCEPTION(ModelError,
                                 ModelSet::check(*planModels({"cnngru-iat"}), data.options.spec));
        std::vector<std::size_t> rows;
        std::vector<int> classes;
        for (std::size_t i = 0; i < data.size(); ++i) {
            rows.push_back(i);
            classes.push_back(static_cast<int>(i % kClasses));
        }
        ModelSetOptions options;
        options.trees = 20;
        options.threads = 2;
        options.training = quickTraining(3);
        ModelFile file;
        Feedback feedback;
        QVERIFY(file.models.fit(*plan, data, rows, classes, kClasses, options, feedback));
        const auto probs = file.models.predict(data, rows);
        QCOMPARE(probs.size(), plan->order.size());
        for (const auto& name : plan->order)
            QCOMPARE(probs.at(name).size(), data.size() * kClasses);

        file.info.primary = plan->order.front();
        file.info.spec = data.options.spec;
        file.info.labels = {"class0", "class1", "class2"};
        file.info.threshold = 10;
        file.info.trainingConfig = "seed=1\nepochs=3\n";
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/m.snilab").toStdString();
        writeModelFile(path, file);
        const ModelFile back = readModelFile(path);
        QCOMPARE(back.info.labels, file.info.labels);
        QCOMPARE(back.info.primary, file.info.primary);
        QVERIFY(back.info.spec == data.options.spec);
        QCOMPARE(back.info.threshold, 10);
        QCOMPARE(back.info.formatVersion, ModelFileInfo::kFormatVersion);
        QVERIFY(back.info.trainingConfig.find("epochs=3") != std::string::npos);
        QCOMPARE(back.models.predict(data, rows), probs);

        const auto bytes = readAll(path);
        const auto expectError = [&](const std::vector<std::uint8_t>& content, const char* text) {
            const std::string bad = (dir.path() + "/bad.snilab").toStdString();
            writeAll(bad, content);
            try {
                readModelFile(bad);
                QFAIL("a bad model file loaded");
            } catch (const ModelError& e) {
                QVERIFY2(std::string(e.what()).find(text) != std::string::npos, e.what());
                QVERIFY2(std::string(e.what()).find(bad) == 0, e.what());
            }
        };
        expectError({}, "not a snilab model file");
        expectError({'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f', 'o', 'r', 'm'},
                    "not a snilab model file");
        expectError(std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + bytes.size() / 2),
                    "checksum mismatch");
        auto flipped = bytes;
        flipped[bytes.size() / 3] ^= 1;
        expectError(flipped, "checksum mismatch");
        auto newer = bytes;
        newer[8] = ModelFileInfo::kFormatVersion + 1; // from a future snilab
        expectError(newer, "newer snilab");
        QVERIFY_THROWS_EXCEPTION(ModelError, readModelFile(dir.path().toStdString() + "/none"));

        // Labels are SNIs, chosen by whoever is on the monitored network: no
        // byte of one can change the file's structure (format 2 is
        // length-prefixed), and each comes back byte for byte.
        const auto labels = file.info.labels;
        file.info.labels = {"a\nfeature_spec=packets=all;retrans=keep;window=all\nlabel=x",
                            std::string("nul\0byte=", 9), "\xff\xfe=invalid utf-8\r\n"};
        const std::string hostilePath = (dir.path() + "/hostile.snilab").toStdString();
        writeModelFile(hostilePath, file);
        const ModelFile read = readModelFile(hostilePath);
        QCOMPARE(read.info.labels, file.info.labels);
        file.info.labels = labels;
        QVERIFY(read.info.spec == data.options.spec);
        QCOMPARE(read.models.predict(data, rows), probs);

        // Format 1 (text lines) is still read, but a header in which a label
        // injected a second feature spec is refused instead of obeyed.
        const auto formatOne = [&](const std::string& header) {
            std::vector<std::uint8_t> out = {'S', 'N', 'I', 'L', 'A', 'B', 'M', 'F'};
            putU32(out, 1);
            putString(out, header);
            putBytes(out, file.models.save());
            ContentHasher hasher;
            hasher.update(out);
            const std::string digest = hasher.finishHex();
            out.insert(out.end(), digest.begin(), digest.end());
            return out;
        };
        const std::string v1 =
            "created_by=snilab\nprimary=" + file.info.primary +
            "\nlabel_mode=default\nfeature_spec=" + data.options.spec.toString() +
            "\nthreshold=10\nlabel=class0\nlabel=class1\n";
        const std::string v1Path = (dir.path() + "/v1.snilab").toStdString();
        writeAll(v1Path, formatOne(v1 + "label=class2\n"));
        const ModelFile old = readModelFile(v1Path);
        QCOMPARE(old.info.formatVersion, 1u);
        QCOMPARE(old.info.labels, file.info.labels);
        expectError(formatOne(v1 + "label=c\nfeature_spec=packets=all;retrans=keep;window=all\n"),
                    "appears twice");
    }
};

} // namespace snilab

QTEST_APPLESS_MAIN(snilab::TestNetworks)
#include "test_networks.moc"
