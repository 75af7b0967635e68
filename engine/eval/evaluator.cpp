#include "eval/evaluator.h"

#include "dataset/splits.h"
#include "eval/metrics.h"
#include "features/statistics.h"
#include "models/model_set.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <optional>
#include <span>

namespace snilab {

namespace {

constexpr const char* kMetricNames[] = {"accuracy",   "macro_precision",    "macro_recall",
                                        "macro_f1",   "weighted_precision", "weighted_recall",
                                        "weighted_f1"};

// The best kStoredTopClasses classes, best first.
void setTopClasses(PredictionRow& row, const double* probs, int k)
{
    row.topCount = 0;
    for (const int c : topClasses(probs, k, static_cast<int>(kStoredTopClasses)))
        row.top[row.topCount++] = {c, tenThousandthsOf(probs[c])};
}

// Finishes a run on every exit path. finish() records the outcome; if the
// guard goes away without it (an exception that is not handled below), the
// run is marked failed. If even that write fails (a full disk), the run stays
// "running" in the file and reads as interrupted once this process is gone.
class RunGuard {
public:
    RunGuard(RunSink& sink, std::int64_t runId) : m_sink(sink), m_runId(runId) {}
    ~RunGuard()
    {
        if (!m_done)
            finishQuietly(RunStatus::Failed, "ended by an unexpected error");
    }
    RunGuard(const RunGuard&) = delete;
    RunGuard& operator=(const RunGuard&) = delete;

    void finish(RunStatus status, const std::string& error = {})
    {
        m_done = true;
        m_sink.finishRun(m_runId, status, error);
    }
    // Finishes as finish() does, swallowing a second error of the sink.
    void finishQuietly(RunStatus status, const std::string& error) noexcept
    {
        m_done = true;
        try {
            m_sink.finishRun(m_runId, status, error);
        } catch (...) {
        }
    }

private:
    RunSink& m_sink;
    std::int64_t m_runId;
    bool m_done = false;
};

// The samples of one threshold: the classes kept, their labels, the split.
struct ThresholdSamples {
    int threshold = 0;
    ClassSelection<std::string> selection;
    int classes = 0;
    const std::vector<std::string>& labels() const { return selection.classLabels; }
};

// The configured split of the kept samples (stratified, by capture, by time).
SplitResult splitSamples(const Dataset& data, const ThresholdSamples& t,
                         const EvaluationConfig& config)
{
    const std::size_t n = t.selection.sampleIndices.size();
    std::vector<int> groups(n);
    for (std::size_t i = 0; i < n; ++i)
        groups[i] = data.groups[t.selection.sampleIndices[i]];
    switch (config.split) {
    case SplitKind::Stratified:
        return stratifiedKFold(t.selection.classes, config.folds, config.seed);
    case SplitKind::Capture: return groupedKFold(groups, config.folds, config.seed);
    case SplitKind::Time: break;
    }
    std::vector<std::int64_t> sampleTimes(n);
    for (std::size_t i = 0; i < n; ++i)
        sampleTimes[i] = data.groupFirstNs[static_cast<std::size_t>(groups[i])];
    return timeSplit(sampleTimes, groups, config.timeTrainFraction);
}

// One fold as dataset rows and class ids.
struct FoldRows {
    int index = 0;
    std::vector<std::size_t> train, test;
    std::vector<int> yTrain, yTest;
};

FoldRows foldRows(const ThresholdSamples& t, const Fold& fold, int index)
{
    FoldRows rows;
    rows.index = index;
    for (const std::size_t i : fold.train) {
        rows.train.push_back(t.selection.sampleIndices[i]);
        rows.yTrain.push_back(t.selection.classes[i]);
    }
    for (const std::size_t i : fold.test) {
        rows.test.push_back(t.selection.sampleIndices[i]);
        rows.yTest.push_back(t.selection.classes[i]);
    }
    return rows;
}

// Per-class results from a confusion matrix summed over folds.
std::vector<ClassResult> classResults(const std::vector<std::uint64_t>& confusion, int k,
                                      const std::vector<std::string>& labels)
{
    const PerClass perClass = perClassMetrics(confusion, static_cast<std::size_t>(k));
    std::vector<ClassResult> out;
    for (std::size_t c = 0; c < static_cast<std::size_t>(k); ++c) {
        ClassResult r;
        r.classIndex = static_cast<int>(c);
        r.label = labels[c];
        r.support = perClass.support[c];
        r.accuracy = perClass.recall[c];
        r.precision = perClass.precision[c];
        r.f1 = perClass.f1[c];
        out.push_back(std::move(r));
    }
    return out;
}

// Everything one result row (model or ensemble) gathers over the folds.
class Accumulator {
public:
    Accumulator(const std::string& model, const ThresholdSamples& t, int folds)
    {
        m_result.model = model;
        m_result.threshold = t.threshold;
        m_result.classes = t.classes;
        m_result.samples = t.selection.sampleIndices.size();
        m_result.folds = folds;
        const auto k = static_cast<std::size_t>(std::max(t.classes, 0));
        m_result.confusion.assign(folds > 0 ? k * k : 0, 0);
    }
    const std::string& model() const { return m_result.model; }

    void addEpoch(const EpochReport& e) { m_result.epochs.push_back(e); }

    // A test fold's class probabilities, chunk by chunk: rows.test[begin ..
    // begin + count) in `probs` (count x classes), then endFold().
    void addChunk(const FoldRows& rows, std::size_t begin, std::size_t count,
                  const std::vector<double>& probs, const Dataset& data)
    {
        const int k = m_result.classes;
        if (!m_fold)
            m_fold.emplace(k);
        std::string error;
        if (k < 1 || probs.size() != count * static_cast<std::size_t>(k) ||
            begin > rows.yTest.size() || count > rows.yTest.size() - begin ||
            !m_fold->add(rows.yTest.data() + begin, count, probs.data(), &error))
            throw std::runtime_error("metrics: " + (error.empty() ? "rows mismatch" : error));
        // A model's fault (a NaN from a diverged network, say) fails the
        // run instead of being stored as confidence 0.
        for (const double v : probs)
            if (!(v >= 0.0 && v <= 1.0 + 1e-6))
                throw std::runtime_error(
                    "model " + m_result.model +
                    " gave a class probability outside [0, 1]: " + std::to_string(v));
        const auto predicted = predictClasses(probs, k);
        for (std::size_t i = 0; i < count; ++i) {
            const double* p = probs.data() + i * static_cast<std::size_t>(k);
            PredictionRow pr;
            pr.fold = rows.index;
            pr.connectionId = data.connectionIds[rows.test[begin + i]];
            pr.trueIndex = rows.yTest[begin + i];
            pr.predictedIndex = predicted[i];
            pr.confidence = p[predicted[i]];
            setTopClasses(pr, p, k);
            m_result.predictions.push_back(std::move(pr));
        }
    }

    void endFold()
    {
        std::string error;
        const auto metrics =
            m_fold ? m_fold->metrics(&error) : MetricCounts(m_result.classes).metrics(&error);
        m_fold.reset();
        if (!metrics)
            throw std::runtime_error("metrics: " + error);
        const double values[] = {metrics->accuracy,          metrics->macroPrecision,
                                 metrics->macroRecall,       metrics->macroF1,
                                 metrics->weightedPrecision, metrics->weightedRecall,
                                 metrics->weightedF1};
        for (std::size_t i = 0; i < std::size(kMetricNames); ++i)
            m_perFold[i].push_back(values[i]);
        for (std::size_t t = 0; t < metrics->topK.size() && t < m_topK.size(); ++t)
            m_topK[t].push_back(metrics->topK[t]);
        for (std::size_t c = 0; c < m_result.confusion.size(); ++c)
            m_result.confusion[c] += metrics->confusion[c];
    }

    // The row as stored: per-fold metrics (top-k where every fold has it)
    // and the per-class results of the summed confusion matrix.
    // A threshold with fewer than two classes has no folds and no metrics.
    ModelResult finish(const std::vector<std::string>& labels) &&
    {
        const auto folds = static_cast<std::size_t>(m_result.folds);
        if (folds == 0)
            return std::move(m_result);
        for (std::size_t i = 0; i < std::size(kMetricNames); ++i)
            m_result.foldMetrics.push_back({kMetricNames[i], m_perFold[i]});
        for (std::size_t t = 0; t < m_topK.size(); ++t)
            if (m_topK[t].size() == folds)
                m_result.foldMetrics.push_back({"top" + std::to_string(t + 1), m_topK[t]});
        m_result.classResults = classResults(m_result.confusion, m_result.classes, labels);
        return std::move(m_result);
    }

private:
    ModelResult m_result;
    std::optional<MetricCounts> m_fold; // the fold being added
    std::vector<double> m_perFold[std::size(kMetricNames)];
    std::vector<std::vector<double>> m_topK = std::vector<std::vector<double>>(kMaxTopK);
};

// What one evaluation needs at every step.
struct Pipeline {
    const Dataset& data;
    const EvaluationConfig& config;
    const ModelPlan& plan;
    Feedback& feedback;
    std::size_t testChunkRows;
};

// Trains every base model on one fold's training rows and adds each row's
// test-fold results to its accumulator. false when cancelled.
bool runFold(const Pipeline& p, const ThresholdSamples& t, const FoldRows& rows,
             std::vector<Accumulator>& accumulators, Feedback& feedback)
{
    ModelSetOptions options = p.config.modelSetOptions();
    options.seed = p.config.seed + static_cast<std::uint64_t>(rows.index);
    EpochReport tmpl;
    tmpl.threshold = t.threshold;
    tmpl.fold = rows.index;
    ModelSet models;
    if (!models.fit(p.plan, p.data, rows.train, rows.yTrain, t.classes, options, feedback, tmpl))
        return false;
    for (const EpochReport& e : models.history())
        for (Accumulator& a : accumulators)
            if (a.model() == e.model)
                a.addEpoch(e);
    // The test rows in chunks: one chunk's probabilities per model are held
    // at a time (16,384 x classes doubles by default, 70 MB at 532 classes),
    // not the whole fold's.
    const std::span<const std::size_t> test(rows.test);
    const std::size_t step = std::max<std::size_t>(p.testChunkRows, 1);
    for (std::size_t begin = 0; begin < test.size(); begin += step) {
        if (feedback.isCancelled())
            return false;
        const auto chunk = test.subspan(begin, std::min(step, test.size() - begin));
        const auto probsByName = models.predict(p.data, chunk);
        for (Accumulator& a : accumulators)
            a.addChunk(rows, begin, chunk.size(), probsByName.at(a.model()), p.data);
    }
    for (Accumulator& a : accumulators)
        a.endFold();
    return true;
}

// One threshold: select the classes, split, run every fold, then hand each
// model's result to the sink. false when cancelled. Throws std::runtime_error
// for a split that cannot be made on this data.
bool evaluateThreshold(const Pipeline& p, std::size_t thresholdIndex, RunSink& sink,
                       std::int64_t runId)
{
    ThresholdSamples t;
    t.threshold = p.config.thresholds[thresholdIndex];
    t.selection = selectClasses(p.data.labels, static_cast<std::size_t>(std::max(t.threshold, 0)),
                                p.config.rule);
    t.classes = static_cast<int>(t.selection.classLabels.size());
    if (t.classes < 2) {
        // Fewer than two classes: nothing to classify at this threshold.
        for (const std::string& model : p.plan.order)
            sink.addRunResult(runId, Accumulator(model, t, 0).finish(t.labels()));
        return true;
    }
    const SplitResult split = splitSamples(p.data, t, p.config);
    if (!split.ok())
        throw std::runtime_error("threshold " + std::to_string(t.threshold) + ": " + split.error);
    const int folds = static_cast<int>(split.folds.size());
    std::vector<Accumulator> accumulators;
    for (const std::string& model : p.plan.order)
        accumulators.emplace_back(model, t, folds);
    const double thresholdShare = 1.0 / static_cast<double>(p.config.thresholds.size());
    const double foldShare = thresholdShare / folds;
    for (int f = 0; f < folds; ++f) {
        ScaledFeedback sub(p.feedback,
                           thresholdShare * static_cast<double>(thresholdIndex) + foldShare * f,
                           foldShare,
                           "T=" + std::to_string(t.threshold) + " fold " + std::to_string(f + 1) +
                               "/" + std::to_string(folds));
        if (!runFold(p, t, foldRows(t, split.folds[static_cast<std::size_t>(f)], f), accumulators,
                     sub))
            return false;
    }
    for (Accumulator& a : accumulators)
        sink.addRunResult(runId, std::move(a).finish(t.labels()));
    return true;
}

// The plan of a valid configuration whose models this build can run with
// its features and device; nullopt with the one-line reason in `error`.
std::optional<ModelPlan> runnablePlan(const EvaluationConfig& config, std::string& error)
{
    if (error = config.validate(); !error.empty())
        return std::nullopt;
    auto plan = planModels(config.models, &error);
    if (!plan)
        return std::nullopt;
    try {
        ModelSet::check(*plan, config.data.spec);
        if (plan->usesNetworks())
            resolveDevice(config.device);
    } catch (const ModelError& e) {
        error = e.what();
        return std::nullopt;
    }
    return plan;
}

} // namespace

EvaluationOutcome evaluate(const Dataset& data, const EvaluationConfig& config, RunSink& sink,
                           Feedback& feedback, const EvaluationTuning& tuning)
{
    EvaluationOutcome outcome;
    outcome.labeledConnections = data.size();
    const auto plan = runnablePlan(config, outcome.error);
    if (!plan)
        return outcome;
    if ((plan->usesForest() && data.statistics.size() < data.size() * kStatisticCount) ||
        (plan->usesNetworks() && data.size() > 0 && data.sequences.empty())) {
        outcome.error = "the dataset was loaded without the features these models need";
        return outcome;
    }
    outcome.runId = sink.createRun(config.toText(), config.seed, data.fingerprint());
    RunGuard guard(sink, outcome.runId);
    const Pipeline pipeline{data, config, *plan, feedback, tuning.testChunkRows};
    try {
        for (std::size_t ti = 0; ti < config.thresholds.size(); ++ti) {
            if (!evaluateThreshold(pipeline, ti, sink, outcome.runId)) {
                guard.finish(RunStatus::Cancelled, "cancelled");
                outcome.status = RunStatus::Cancelled;
                return outcome;
            }
        }
    } catch (const CatalogError& e) {
        // The catalog itself failed (disk full, locked, corrupt): the run is
        // marked failed if the catalog still takes that, and the error goes on.
        guard.finishQuietly(RunStatus::Failed, std::string("catalog error: ") + e.what());
        throw;
    } catch (const std::exception& e) {
        // A configuration that cannot run on this data, or a model failure:
        // the run is kept as failed, with the reason.
        outcome.error = e.what();
        guard.finish(RunStatus::Failed, outcome.error);
        outcome.status = RunStatus::Failed;
        return outcome;
    }
    guard.finish(RunStatus::Finished);
    outcome.status = RunStatus::Finished;
    feedback.progress(1.0, "done");
    return outcome;
}

EvaluationOutcome evaluate(Catalog& catalog, const EvaluationConfig& config, Feedback& feedback)
{
    EvaluationOutcome outcome;
    // Refused before the (possibly long) read of the catalog.
    const auto plan = runnablePlan(config, outcome.error);
    if (!plan)
        return outcome;
    feedback.progress(0.0, "reading the catalog");
    DatasetOptions dataOptions = config.data;
    dataOptions.statistics = plan->usesForest();
    dataOptions.sequences = plan->usesNetworks();
    const Dataset data = loadDataset(catalog.connections(), dataOptions, feedback);
    if (feedback.isCancelled()) {
        outcome.labeledConnections = data.size();
        outcome.status = RunStatus::Cancelled;
        return outcome;
    }
    outcome = evaluate(data, config, catalog.runs(), feedback);
    if (outcome.status == RunStatus::Finished)
        outcome.grid = catalog.runs().runGrid(outcome.runId);
    return outcome;
}

} // namespace snilab
