// Unit tests for the evaluation pipeline (eval/evaluator.h) on an in-memory
// dataset and a recording RunSink: what reaches the sink, that a run is
// finished on every exit path, and the stored configuration read back
// (EvaluationConfig::fromText).
#include "catalog/catalog.h"
#include "eval/evaluator.h"
#include "eval/metrics.h"
#include "features/statistics.h"

#include <QObject>
#include <QTest>

#include <random>
#include <stdexcept>
#include <string>
#include <vector>

using namespace snilab;

namespace {

#ifdef SNILAB_WITH_OPENCV
constexpr bool kForest = true;
#else
constexpr bool kForest = false;
#endif

// Three well separated classes of `perClass` samples each, two captures.
Dataset separableDataset(int perClass)
{
    Dataset d;
    d.options.statistics = true;
    d.groupPaths = {"a.pcap", "b.pcap"};
    d.groupFirstNs = {0, 1000};
    std::mt19937_64 rng(7);
    std::normal_distribution<float> noise(0.0f, 0.05f);
    std::int64_t id = 1;
    for (int c = 0; c < 3; ++c)
        for (int i = 0; i < perClass; ++i) {
            d.connectionIds.push_back(id++);
            d.labels.push_back("class" + std::to_string(c) + ".example");
            d.snis.push_back(d.labels.back());
            d.groups.push_back(i % 2);
            for (std::size_t f = 0; f < kStatisticCount; ++f)
                d.statistics.push_back(static_cast<float>(f % 3 == static_cast<std::size_t>(c)) +
                                       noise(rng));
        }
    return d;
}

// Records every call; throws from addRunResult when told to.
class RecordingSink final : public RunSink {
public:
    enum class Fail { Never, Runtime, Catalog };
    Fail fail = Fail::Never;
    int created = 0;
    std::vector<ModelResult> results;
    std::vector<std::pair<RunStatus, std::string>> finished;

    std::int64_t createRun(const std::string& config, std::uint64_t, const std::string&) override
    {
        ++created;
        storedConfig = config;
        return 41 + created;
    }
    void addRunResult(std::int64_t runId, const ModelResult& result) override
    {
        QCOMPARE(runId, std::int64_t{42});
        if (fail == Fail::Runtime)
            throw std::runtime_error("sink refused the result");
        if (fail == Fail::Catalog)
            throw CatalogError("disk full");
        results.push_back(result);
    }
    void finishRun(std::int64_t, RunStatus status, const std::string& error) override
    {
        finished.emplace_back(status, error);
    }
    std::string storedConfig;
};

// Cancels as soon as the first fold reports progress.
class CancelOnProgress final : public Feedback {
public:
    void progress(double, std::string_view stage) override
    {
        if (stage.find("fold") != std::string_view::npos)
            cancel();
    }
};

EvaluationConfig forestConfig()
{
    EvaluationConfig c;
    c.models = {"rf"};
    c.thresholds = {10, 1000};
    c.folds = 3;
    c.trees = 10;
    c.threads = 1;
    return c;
}

} // namespace

class TestEvaluator : public QObject {
    Q_OBJECT

private slots:
    void pipelineWritesEveryResultThroughTheSink()
    {
        if (!kForest)
            QSKIP("built without OpenCV: no random forest");
        const Dataset data = separableDataset(30);
        RecordingSink sink;
        Feedback feedback;
        const EvaluationOutcome out = evaluate(data, forestConfig(), sink, feedback);
        QVERIFY2(out.error.empty(), out.error.c_str());
        QCOMPARE(out.status, RunStatus::Finished);
        QCOMPARE(sink.created, 1);
        QCOMPARE(sink.finished.size(), std::size_t{1});
        QCOMPARE(sink.finished[0].first, RunStatus::Finished);
        QCOMPARE(sink.results.size(), std::size_t{2});

        const ModelResult& r = sink.results[0];
        QCOMPARE(r.model, std::string("rf"));
        QCOMPARE(r.threshold, 10);
        QCOMPARE(r.classes, 3);
        QCOMPARE(r.folds, 3);
        QCOMPARE(r.samples, std::uint64_t{90});
        // 7 metrics and top-1..top-3 (three classes), one value per fold.
        QCOMPARE(r.foldMetrics.size(), std::size_t{10});
        for (const auto& [name, values] : r.foldMetrics)
            QCOMPARE(values.size(), std::size_t{3});
        QCOMPARE(r.foldMetrics[0].first, std::string("accuracy"));
        QVERIFY(aggregate(r.foldMetrics[0].second).mean > 0.9);
        QCOMPARE(r.predictions.size(), std::size_t{90});
        std::uint64_t total = 0, support = 0;
        for (const std::uint64_t n : r.confusion)
            total += n;
        QCOMPARE(total, std::uint64_t{90});
        // Per-class results are those of the summed confusion matrix.
        const PerClass perClass = perClassMetrics(r.confusion, 3);
        QCOMPARE(r.classResults.size(), std::size_t{3});
        for (std::size_t c = 0; c < 3; ++c) {
            support += r.classResults[c].support;
            QCOMPARE(r.classResults[c].accuracy, perClass.recall[c]);
            QCOMPARE(r.classResults[c].precision, perClass.precision[c]);
            QCOMPARE(r.classResults[c].label, "class" + std::to_string(c) + ".example");
        }
        QCOMPARE(support, std::uint64_t{90});

        // T = 1000 keeps no class: a result row without folds or metrics.
        const ModelResult& empty = sink.results[1];
        QCOMPARE(empty.threshold, 1000);
        QCOMPARE(empty.classes, 0);
        QCOMPARE(empty.folds, 0);
        QVERIFY(empty.foldMetrics.empty());
        QVERIFY(empty.predictions.empty());

        // The stored configuration reads back as the one that ran.
        const auto stored = EvaluationConfig::fromText(sink.storedConfig);
        QVERIFY(stored);
        QCOMPARE(stored->toText(), forestConfig().toText());
    }

    void invalidConfigurationCreatesNoRun()
    {
        const Dataset data = separableDataset(5);
        RecordingSink sink;
        Feedback feedback;
        EvaluationConfig c = forestConfig();
        c.patience = 0;
        const EvaluationOutcome out = evaluate(data, c, sink, feedback);
        QVERIFY(out.error.find("patience") != std::string::npos);
        QCOMPARE(sink.created, 0);
        QVERIFY(sink.finished.empty());
    }

    void missingFeaturesAreRefusedBeforeTheRun()
    {
        if (!kForest)
            QSKIP("built without OpenCV: no random forest");
        Dataset data = separableDataset(5);
        data.statistics.clear();
        RecordingSink sink;
        Feedback feedback;
        const EvaluationOutcome out = evaluate(data, forestConfig(), sink, feedback);
        QVERIFY(out.error.find("features") != std::string::npos);
        QCOMPARE(sink.created, 0);
    }

    void aFailingSinkStillFinishesTheRun()
    {
        if (!kForest)
            QSKIP("built without OpenCV: no random forest");
        const Dataset data = separableDataset(12);
        Feedback feedback;
        {
            RecordingSink sink;
            sink.fail = RecordingSink::Fail::Runtime;
            const EvaluationOutcome out = evaluate(data, forestConfig(), sink, feedback);
            QCOMPARE(out.status, RunStatus::Failed);
            QCOMPARE(out.error, std::string("sink refused the result"));
            QCOMPARE(sink.finished.size(), std::size_t{1});
            QCOMPARE(sink.finished[0].first, RunStatus::Failed);
            QCOMPARE(sink.finished[0].second, std::string("sink refused the result"));
        }
        {
            RecordingSink sink;
            sink.fail = RecordingSink::Fail::Catalog;
            QVERIFY_THROWS_EXCEPTION(CatalogError, evaluate(data, forestConfig(), sink, feedback));
            QCOMPARE(sink.finished.size(), std::size_t{1});
            QCOMPARE(sink.finished[0].first, RunStatus::Failed);
            QVERIFY(sink.finished[0].second.find("disk full") != std::string::npos);
        }
    }

    // Test folds are predicted in chunks (EvaluationTuning::testChunkRows):
    // chunks of 7 rows - many per fold, the last one short - give exactly
    // the results of one chunk per fold.
    void chunkedPredictionGivesTheSameResults()
    {
        if (!kForest)
            QSKIP("built without OpenCV: no random forest");
        const Dataset data = separableDataset(40);
        EvaluationConfig c = forestConfig();
        c.thresholds = {10};
        RecordingSink whole;
        RecordingSink chunked;
        Feedback feedback;
        const EvaluationOutcome a = evaluate(data, c, whole, feedback);
        const EvaluationOutcome b = evaluate(data, c, chunked, feedback, EvaluationTuning{7});
        QVERIFY2(a.error.empty() && b.error.empty(), (a.error + b.error).c_str());
        QCOMPARE(whole.results.size(), std::size_t{1});
        QCOMPARE(chunked.results.size(), std::size_t{1});
        const ModelResult& x = whole.results[0];
        const ModelResult& y = chunked.results[0];
        QCOMPARE(y.predictions.size(), std::size_t{120});
        QCOMPARE(y.predictions.size(), x.predictions.size());
        for (std::size_t i = 0; i < x.predictions.size(); ++i) {
            const PredictionRow& p = x.predictions[i];
            const PredictionRow& q = y.predictions[i];
            QCOMPARE(q.fold, p.fold);
            QCOMPARE(q.connectionId, p.connectionId);
            QCOMPARE(q.trueIndex, p.trueIndex);
            QCOMPARE(q.predictedIndex, p.predictedIndex);
            QCOMPARE(q.confidence, p.confidence);
            QCOMPARE(q.topCount, p.topCount);
            for (std::size_t t = 0; t < p.topCount; ++t) {
                QCOMPARE(q.top[t].classIndex, p.top[t].classIndex);
                QCOMPARE(q.top[t].tenThousandths, p.top[t].tenThousandths);
            }
        }
        QCOMPARE(y.confusion, x.confusion);
        QCOMPARE(y.foldMetrics, x.foldMetrics);
    }

    void aCancelledRunIsFinishedCancelled()
    {
        if (!kForest)
            QSKIP("built without OpenCV: no random forest");
        const Dataset data = separableDataset(12);
        RecordingSink sink;
        CancelOnProgress feedback;
        const EvaluationOutcome out = evaluate(data, forestConfig(), sink, feedback);
        QCOMPARE(out.status, RunStatus::Cancelled);
        QCOMPARE(sink.finished.size(), std::size_t{1});
        QCOMPARE(sink.finished[0].first, RunStatus::Cancelled);
        QVERIFY(sink.results.empty());
    }

    void configurationTextRoundTrips_data()
    {
        QTest::addColumn<int>("which");
        QTest::newRow("defaults") << 0;
        QTest::newRow("paper preset") << 1;
        QTest::newRow("everything changed") << 2;
    }
    void configurationTextRoundTrips()
    {
        QFETCH(int, which);
        EvaluationConfig c;
        if (which == 1)
            c.applyPaperPreset();
        if (which == 2) {
            c.models = {"rf", "paper", "0.25*rf+0.75*cnngru-iat+dir"};
            c.thresholds = {50, 100, 1000};
            c.rule = ThresholdRule::MoreThan;
            c.split = SplitKind::Time;
            c.folds = 7;
            c.timeTrainFraction = 0.625;
            c.seed = 123456789012345ull;
            c.data.labelMode = LabelMode::Paper;
            c.data.transport = TransportFilter::Quic;
            c.trees = 33;
            c.epochs = 12;
            c.patience = 3;
            c.batchSize = 128;
            c.learningRate = 0.00012345678901;
            c.iatDropout = 0.1;
            c.device = "cpu";
        }
        std::string error;
        const auto back = EvaluationConfig::fromText(c.toText(), &error);
        QVERIFY2(back, error.c_str());
        QCOMPARE(back->toText(), c.toText());
        QCOMPARE(back->models, c.models);
        QCOMPARE(back->thresholds, c.thresholds);
        QCOMPARE(back->seed, c.seed);
        QCOMPARE(back->learningRate, c.learningRate);
        QCOMPARE(back->timeTrainFraction, c.timeTrainFraction);
        QCOMPARE(back->preset, c.preset);
        QCOMPARE(back->data.spec.toString(), c.data.spec.toString());
        QVERIFY(back->data.transport == c.data.transport);
    }

    void configurationTextErrors()
    {
        std::string error;
        QVERIFY(!EvaluationConfig::fromText("folds=ten\n", &error));
        QVERIFY(error.find("folds=ten") != std::string::npos);
        QVERIFY(!EvaluationConfig::fromText("no equals sign\n", &error));
        QVERIFY(!EvaluationConfig::fromText("split=sideways\n", &error));
        QVERIFY(!EvaluationConfig::fromText("seed=12abc\n", &error));
        QVERIFY(!EvaluationConfig::fromText("transport=udp\n", &error));
        // Older runs store fewer keys; later versions may store more.
        const auto partial = EvaluationConfig::fromText("folds=4\nsome_future_key=1\n", &error);
        QVERIFY(partial);
        QCOMPARE(partial->folds, 4);
        QCOMPARE(partial->trees, EvaluationConfig{}.trees);
        QVERIFY(partial->data.transport == TransportFilter::All); // runs before QUIC: all TCP
    }
};

QTEST_GUILESS_MAIN(TestEvaluator)
#include "test_evaluator.moc"
