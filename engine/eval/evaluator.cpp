#include "eval/evaluator.h"

#include "dataset/splits.h"
#include "eval/metrics.h"
#include "features/statistics.h"
#include "models/model_set.h"
#include "report/label_list.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <iterator>
#include <locale>
#include <sstream>

namespace snilab {

std::string_view splitKindName(SplitKind kind)
{
    switch (kind) {
    case SplitKind::Stratified: return "stratified";
    case SplitKind::Capture: return "capture";
    case SplitKind::Time: return "time";
    }
    return "stratified";
}

std::optional<SplitKind> parseSplitKind(std::string_view text)
{
    for (auto k : {SplitKind::Stratified, SplitKind::Capture, SplitKind::Time})
        if (splitKindName(k) == text)
            return k;
    return std::nullopt;
}

std::vector<std::string> EvaluationConfig::availableModels()
{
    std::vector<std::string> out;
#if SNILAB_WITH_OPENCV
    out.push_back("rf");
#endif
    if (torchAvailable())
        for (const char* m : {"gru", "cnn", "cnngru-packet", "cnngru-payload", "cnngru-iat"})
            out.emplace_back(m);
    return out;
}

void EvaluationConfig::applyPaperPreset()
{
    preset = "paper";
    rule = ThresholdRule::MoreThan;
    data.labelMode = LabelMode::Paper;
    data.spec.packets = FeatureSpec::Packets::PayloadOnly;
}

std::string EvaluationConfig::validate() const
{
    const auto range = [](const char* name, long long v, long long lo, long long hi) {
        if (v >= lo && v <= hi)
            return std::string();
        return std::string(name) + " must be between " + std::to_string(lo) + " and " +
               std::to_string(hi) + ", not " + std::to_string(v);
    };
    if (thresholds.empty())
        return "thresholds: give at least one threshold";
    std::vector<int> sorted = thresholds;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        if (sorted[i] < 0 || sorted[i] > kMaxThreshold)
            return "thresholds: " + std::to_string(sorted[i]) + " is outside 0.." +
                   std::to_string(kMaxThreshold);
        if (i && sorted[i] == sorted[i - 1])
            return "thresholds: " + std::to_string(sorted[i]) +
                   " is listed twice (each threshold is one row of the results)";
    }
    if (models.empty())
        return "models: choose at least one model or ensemble";
    for (const auto& m : models)
        if (m.empty())
            return "models: an empty model name in the list";
    std::string planError;
    if (!planModels(models, &planError))
        return "models: " + planError;
    for (std::string e :
         {range("folds", folds, 2, 1000), range("trees", trees, 1, 100000),
          range("threads", threads, 0, 4096), range("epochs", epochs, 1, 100000),
          range("patience", patience, 1, 100000), range("batch size", batchSize, 2, 1000000)})
        if (!e.empty())
            return e;
    if (!(timeTrainFraction > 0) || !(timeTrainFraction < 1))
        return "the time split's training share must be between 0 and 1 (exclusive)";
    if (device != "auto" && device != "cpu" && device != "cuda")
        return "device must be auto, cpu or cuda, not '" + device + "'";
    if (!(learningRate > 0) || !(iatDropout >= 0) || !(iatDropout < 1))
        return "learning rate must be positive and IAT dropout in [0, 1)";
    if (!preset.empty() && preset != "paper")
        return "preset must be paper, not '" + preset + "'";
    return {};
}

namespace {

// The shortest text that reads back as the same double ("0.7", "0.001").
std::string doubleText(double v)
{
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

} // namespace

std::string EvaluationConfig::toText() const
{
    std::ostringstream out;
    out.imbue(std::locale::classic());
    out << "models=";
    for (std::size_t i = 0; i < models.size(); ++i)
        out << (i ? "," : "") << models[i];
    out << "\nthresholds=";
    for (std::size_t i = 0; i < thresholds.size(); ++i)
        out << (i ? "," : "") << thresholds[i];
    out << "\nthreshold_rule=" << thresholdRuleName(rule) << "\nsplit=" << splitKindName(split)
        << "\nfolds=" << folds << "\ntime_train_fraction=" << doubleText(timeTrainFraction)
        << "\nseed=" << seed << "\nlabel_mode=" << labelModeName(data.labelMode)
        << "\nfeature_spec=" << data.spec.toString() << "\nrf_trees=" << trees
        << "\nepochs=" << epochs << "\npatience=" << patience << "\nbatch_size=" << batchSize
        << "\nlearning_rate=" << doubleText(learningRate)
        << "\niat_dropout=" << doubleText(iatDropout) << "\ndevice=" << device
        << "\npreset=" << (preset.empty() ? "default" : preset) << "\nsnilab=" << SNILAB_VERSION
        << "\n";
    return out.str();
}

namespace {

std::vector<std::string> splitList(std::string_view text)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        out.emplace_back(text.substr(start, comma - start));
        start = comma + 1;
    }
    return out;
}

template <typename T> bool parseNumber(std::string_view text, T& out)
{
    const std::string s(text);
    if (s.empty())
        return false;
    std::istringstream in(s);
    in.imbue(std::locale::classic());
    T value{};
    in >> value;
    if (!in || in.peek() != std::char_traits<char>::eof())
        return false;
    out = value;
    return true;
}

// Applies one stored key; false when its value does not parse.
bool applyKey(EvaluationConfig& c, std::string_view key, std::string_view value)
{
    const auto assign = [](auto parsed, auto& field) {
        if (!parsed)
            return false;
        field = *parsed;
        return true;
    };
    if (key == "models") {
        c.models = splitList(value);
        return true;
    }
    if (key == "thresholds")
        return assign(parseThresholdList(value, nullptr), c.thresholds);
    if (key == "threshold_rule")
        return assign(parseThresholdRule(value), c.rule);
    if (key == "split")
        return assign(parseSplitKind(value), c.split);
    if (key == "label_mode")
        return assign(parseLabelMode(value), c.data.labelMode);
    if (key == "feature_spec")
        return assign(FeatureSpec::parse(value, nullptr), c.data.spec);
    if (key == "device" || key == "preset") {
        (key == "device" ? c.device : c.preset) =
            key == "preset" && value == "default" ? std::string() : std::string(value);
        return true;
    }
    if (key == "folds")
        return parseNumber(value, c.folds);
    if (key == "time_train_fraction")
        return parseNumber(value, c.timeTrainFraction);
    if (key == "seed")
        return parseNumber(value, c.seed);
    if (key == "rf_trees")
        return parseNumber(value, c.trees);
    if (key == "epochs")
        return parseNumber(value, c.epochs);
    if (key == "patience")
        return parseNumber(value, c.patience);
    if (key == "batch_size")
        return parseNumber(value, c.batchSize);
    if (key == "learning_rate")
        return parseNumber(value, c.learningRate);
    if (key == "iat_dropout")
        return parseNumber(value, c.iatDropout);
    return true; // unknown keys (the snilab version, keys of later versions)
}

} // namespace

std::optional<EvaluationConfig> EvaluationConfig::fromText(std::string_view text,
                                                           std::string* error)
{
    EvaluationConfig c;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        const std::string_view line = text.substr(start, end - start);
        start = end + 1;
        if (line.empty())
            continue;
        const std::size_t eq = line.find('=');
        if (eq == std::string_view::npos || !applyKey(c, line.substr(0, eq), line.substr(eq + 1))) {
            if (error)
                *error = "stored configuration: bad line '" +
                         std::string(line.substr(0, std::min<std::size_t>(line.size(), 80))) + "'";
            return std::nullopt;
        }
    }
    return c;
}

ModelSetOptions EvaluationConfig::modelSetOptions() const
{
    ModelSetOptions o;
    o.trees = trees;
    o.threads = threads;
    o.seed = seed;
    o.iatDropout = iatDropout;
    o.training.maxEpochs = epochs;
    o.training.patience = patience;
    o.training.batchSize = batchSize;
    o.training.learningRate = learningRate;
    o.training.device = device;
    return o;
}

namespace {

constexpr const char* kMetricNames[] = {"accuracy",   "macro_precision",    "macro_recall",
                                        "macro_f1",   "weighted_precision", "weighted_recall",
                                        "weighted_f1"};

// "label:probability;..." for the best five classes.
std::string topText(const double* probs, int k, const std::vector<std::string>& labels)
{
    std::vector<std::pair<std::string, double>> entries;
    for (const int c : topClasses(probs, k, 5))
        entries.emplace_back(labels[static_cast<std::size_t>(c)], probs[c]);
    return report::labelProbabilityList(entries);
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

    // One test fold's class probabilities (rows.test.size() x classes).
    void addFold(const FoldRows& rows, const std::vector<double>& probs, const Dataset& data,
                 const std::vector<std::string>& labels)
    {
        const int k = m_result.classes;
        std::string error;
        const auto metrics = computeMetrics(rows.yTest, probs, k, &error);
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
        const auto predicted = predictClasses(probs, k);
        for (std::size_t i = 0; i < rows.test.size(); ++i) {
            const double* p = probs.data() + i * static_cast<std::size_t>(k);
            PredictionRow pr;
            pr.fold = rows.index;
            pr.connectionId = data.connectionIds[rows.test[i]];
            pr.trueIndex = rows.yTest[i];
            pr.predictedIndex = predicted[i];
            pr.confidence = p[predicted[i]];
            pr.top = topText(p, k, labels);
            m_result.predictions.push_back(std::move(pr));
        }
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
    std::vector<double> m_perFold[std::size(kMetricNames)];
    std::vector<std::vector<double>> m_topK = std::vector<std::vector<double>>(kMaxTopK);
};

// What one evaluation needs at every step.
struct Pipeline {
    const Dataset& data;
    const EvaluationConfig& config;
    const ModelPlan& plan;
    Feedback& feedback;
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
    const auto probsByName = models.predict(p.data, rows.test);
    for (Accumulator& a : accumulators)
        a.addFold(rows, probsByName.at(a.model()), p.data, t.labels());
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

// "" when the plan's models can run on this build and data's features.
std::string checkRunnable(const ModelPlan& plan, const EvaluationConfig& config)
{
    try {
        ModelSet::check(plan, config.data.spec);
        if (plan.usesNetworks())
            resolveDevice(config.device);
    } catch (const ModelError& e) {
        return e.what();
    }
    return {};
}

} // namespace

EvaluationOutcome evaluate(const Dataset& data, const EvaluationConfig& config, RunSink& sink,
                           Feedback& feedback)
{
    EvaluationOutcome outcome;
    outcome.labeledConnections = data.size();
    std::string planError;
    const auto plan = planModels(config.models, &planError);
    if (const std::string invalid = config.validate(); !invalid.empty() || !plan) {
        outcome.error = invalid.empty() ? planError : invalid;
        return outcome;
    }
    if (outcome.error = checkRunnable(*plan, config); !outcome.error.empty())
        return outcome;
    if ((plan->usesForest() && data.statistics.size() < data.size() * kStatisticCount) ||
        (plan->usesNetworks() && data.size() > 0 && data.sequences.empty())) {
        outcome.error = "the dataset was loaded without the features these models need";
        return outcome;
    }
    outcome.runId = sink.createRun(config.toText(), config.seed, data.fingerprint());
    RunGuard guard(sink, outcome.runId);
    const Pipeline pipeline{data, config, *plan, feedback};
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
    std::string planError;
    const auto plan = planModels(config.models, &planError);
    if (const std::string invalid = config.validate(); !invalid.empty() || !plan) {
        outcome.error = invalid.empty() ? planError : invalid;
        return outcome;
    }
    // Refused before the (possibly long) read of the catalog.
    if (outcome.error = checkRunnable(*plan, config); !outcome.error.empty())
        return outcome;
    feedback.progress(0.0, "reading the catalog");
    DatasetOptions dataOptions = config.data;
    dataOptions.statistics = plan->usesForest();
    dataOptions.sequences = plan->usesNetworks();
    const Dataset data = loadDataset(catalog, dataOptions, feedback);
    if (feedback.isCancelled()) {
        outcome.labeledConnections = data.size();
        outcome.status = RunStatus::Cancelled;
        return outcome;
    }
    outcome = evaluate(data, config, catalog, feedback);
    if (outcome.status == RunStatus::Finished)
        outcome.grid = catalog.runGrid(outcome.runId);
    return outcome;
}

} // namespace snilab
