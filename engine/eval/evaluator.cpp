#include "eval/evaluator.h"

#include "eval/metrics.h"
#include "eval/splits.h"
#include "features/statistics.h"
#include "models/model_set.h"
#include "report/label_list.h"

#include <algorithm>
#include <cstdio>
#include <map>
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

std::string EvaluationConfig::toText() const
{
    std::ostringstream out;
    out << "models=";
    for (std::size_t i = 0; i < models.size(); ++i)
        out << (i ? "," : "") << models[i];
    out << "\nthresholds=";
    for (std::size_t i = 0; i < thresholds.size(); ++i)
        out << (i ? "," : "") << thresholds[i];
    out << "\nthreshold_rule=" << thresholdRuleName(rule) << "\nsplit=" << splitKindName(split)
        << "\nfolds=" << folds << "\ntime_train_fraction=" << timeTrainFraction << "\nseed=" << seed
        << "\nlabel_mode=" << labelModeName(data.labelMode)
        << "\nfeature_spec=" << data.spec.toString() << "\nrf_trees=" << trees
        << "\nepochs=" << epochs << "\npatience=" << patience << "\nbatch_size=" << batchSize
        << "\nlearning_rate=" << learningRate << "\niat_dropout=" << iatDropout
        << "\ndevice=" << device << "\npreset=" << (preset.empty() ? "default" : preset)
        << "\nsnilab=" << SNILAB_VERSION << "\n";
    return out.str();
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

// Per-class results from a confusion matrix summed over folds.
std::vector<ClassResult> classResults(const std::vector<std::uint64_t>& confusion, int k,
                                      const std::vector<std::string>& labels)
{
    std::vector<ClassResult> out;
    const auto K = static_cast<std::size_t>(k);
    for (std::size_t c = 0; c < K; ++c) {
        std::uint64_t row = 0, col = 0;
        for (std::size_t j = 0; j < K; ++j) {
            row += confusion[c * K + j];
            col += confusion[j * K + c];
        }
        const double tp = static_cast<double>(confusion[c * K + c]);
        ClassResult r;
        r.classIndex = static_cast<int>(c);
        r.label = labels[c];
        r.support = row;
        r.accuracy = row ? tp / static_cast<double>(row) : 0.0;
        r.precision = col ? tp / static_cast<double>(col) : 0.0;
        r.f1 = r.accuracy + r.precision > 0
                   ? 2 * r.accuracy * r.precision / (r.accuracy + r.precision)
                   : 0.0;
        out.push_back(std::move(r));
    }
    return out;
}

} // namespace

namespace {

// Finishes a run on every exit path. finish() records the outcome; if the
// guard goes away without it (an exception that is not handled below), the
// run is marked failed. If even that write fails (a full disk), the run stays
// "running" in the file and reads as interrupted once this process is gone.
class RunGuard {
public:
    RunGuard(Catalog& catalog, std::int64_t runId) : m_catalog(catalog), m_runId(runId) {}
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
        m_catalog.finishRun(m_runId, status, error);
    }
    // Finishes as finish() does, swallowing a second catalog error.
    void finishQuietly(RunStatus status, const std::string& error) noexcept
    {
        m_done = true;
        try {
            m_catalog.finishRun(m_runId, status, error);
        } catch (...) {
        }
    }

private:
    Catalog& m_catalog;
    std::int64_t m_runId;
    bool m_done = false;
};

// Everything one result row (model or ensemble) gathers over the folds.
struct Accumulator {
    ModelResult result;
    std::map<std::string, std::vector<double>> perFold;
    std::vector<std::vector<double>> topK = std::vector<std::vector<double>>(5);
};

} // namespace

EvaluationOutcome evaluate(Catalog& catalog, const EvaluationConfig& config, Feedback& feedback)
{
    EvaluationOutcome outcome;
    if (const std::string invalid = config.validate(); !invalid.empty()) {
        outcome.error = invalid;
        return outcome;
    }
    std::string planError;
    const auto plan = planModels(config.models, &planError);
    if (!plan) {
        outcome.error = planError;
        return outcome;
    }
    const bool forest = plan->usesForest(), networks = plan->usesNetworks();
    try {
        ModelSet::check(*plan, config.data.spec);
        if (networks)
            resolveDevice(config.device);
    } catch (const ModelError& e) {
        outcome.error = e.what();
        return outcome;
    }

    feedback.progress(0.0, "reading the catalog");
    DatasetOptions dataOptions = config.data;
    dataOptions.statistics = forest;
    dataOptions.sequences = networks;
    const Dataset data = loadDataset(catalog, dataOptions, feedback);
    outcome.labeledConnections = data.size();
    if (feedback.isCancelled()) {
        outcome.status = RunStatus::Cancelled;
        return outcome;
    }
    outcome.runId = catalog.createRun(config.toText(), config.seed, data.fingerprint());
    RunGuard guard(catalog, outcome.runId);

    const ModelSetOptions setOptions = config.modelSetOptions();

    const double thresholdShare = 1.0 / static_cast<double>(config.thresholds.size());
    try {
        for (std::size_t ti = 0; ti < config.thresholds.size(); ++ti) {
            const int threshold = config.thresholds[ti];
            const auto selection = selectClasses(
                data.labels, static_cast<std::size_t>(std::max(threshold, 0)), config.rule);
            const int k = static_cast<int>(selection.classLabels.size());
            const std::size_t n = selection.sampleIndices.size();
            std::vector<Accumulator> rows(plan->order.size());
            for (std::size_t r = 0; r < rows.size(); ++r) {
                rows[r].result.model = plan->order[r];
                rows[r].result.threshold = threshold;
                rows[r].result.classes = k;
                rows[r].result.samples = n;
            }
            if (k < 2) {
                // Fewer than two classes: nothing to classify at this threshold.
                for (auto& row : rows)
                    catalog.addRunResult(outcome.runId, row.result);
                continue;
            }
            SplitResult split;
            std::vector<int> groups(n);
            for (std::size_t i = 0; i < n; ++i)
                groups[i] = data.groups[selection.sampleIndices[i]];
            if (config.split == SplitKind::Stratified)
                split = stratifiedKFold(selection.classes, config.folds, config.seed);
            else if (config.split == SplitKind::Capture)
                split = groupedKFold(groups, config.folds, config.seed);
            else {
                std::vector<std::int64_t> sampleTimes(n);
                for (std::size_t i = 0; i < n; ++i)
                    sampleTimes[i] = data.groupFirstNs[static_cast<std::size_t>(groups[i])];
                split = timeSplit(sampleTimes, groups, config.timeTrainFraction);
            }
            if (!split.ok())
                throw std::runtime_error("threshold " + std::to_string(threshold) + ": " +
                                         split.error);
            for (auto& row : rows) {
                row.result.folds = static_cast<int>(split.folds.size());
                row.result.confusion.assign(
                    static_cast<std::size_t>(k) * static_cast<std::size_t>(k), 0);
            }
            const double foldShare = thresholdShare / static_cast<double>(split.folds.size());
            for (std::size_t f = 0; f < split.folds.size(); ++f) {
                const Fold& fold = split.folds[f];
                std::vector<std::size_t> trainRows, testRows;
                std::vector<int> yTrain, yTest;
                for (std::size_t i : fold.train) {
                    trainRows.push_back(selection.sampleIndices[i]);
                    yTrain.push_back(selection.classes[i]);
                }
                for (std::size_t i : fold.test) {
                    testRows.push_back(selection.sampleIndices[i]);
                    yTest.push_back(selection.classes[i]);
                }
                ScaledFeedback sub(
                    feedback,
                    thresholdShare * static_cast<double>(ti) + foldShare * static_cast<double>(f),
                    foldShare,
                    "T=" + std::to_string(threshold) + " fold " + std::to_string(f + 1) + "/" +
                        std::to_string(split.folds.size()));
                ModelSetOptions foldOptions = setOptions;
                foldOptions.seed = config.seed + f;
                EpochReport tmpl;
                tmpl.threshold = threshold;
                tmpl.fold = static_cast<int>(f);
                ModelSet models;
                if (!models.fit(*plan, data, trainRows, yTrain, k, foldOptions, sub, tmpl)) {
                    guard.finish(RunStatus::Cancelled, "cancelled");
                    outcome.status = RunStatus::Cancelled;
                    return outcome;
                }
                for (const EpochReport& e : models.history())
                    for (auto& row : rows)
                        if (row.result.model == e.model)
                            row.result.epochs.push_back(e);
                const auto probsByName = models.predict(data, testRows);
                for (auto& row : rows) {
                    const std::vector<double>& probs = probsByName.at(row.result.model);
                    std::string error;
                    const auto metrics = computeMetrics(yTest, probs, k, &error);
                    if (!metrics)
                        throw std::runtime_error("metrics: " + error);
                    row.perFold["accuracy"].push_back(metrics->accuracy);
                    row.perFold["macro_precision"].push_back(metrics->macroPrecision);
                    row.perFold["macro_recall"].push_back(metrics->macroRecall);
                    row.perFold["macro_f1"].push_back(metrics->macroF1);
                    row.perFold["weighted_precision"].push_back(metrics->weightedPrecision);
                    row.perFold["weighted_recall"].push_back(metrics->weightedRecall);
                    row.perFold["weighted_f1"].push_back(metrics->weightedF1);
                    for (std::size_t t = 0; t < metrics->topK.size() && t < row.topK.size(); ++t)
                        row.topK[t].push_back(metrics->topK[t]);
                    for (std::size_t c = 0; c < row.result.confusion.size(); ++c)
                        row.result.confusion[c] += metrics->confusion[c];
                    const auto predicted = predictClasses(probs, k);
                    for (std::size_t i = 0; i < fold.test.size(); ++i) {
                        const double* p = probs.data() + i * static_cast<std::size_t>(k);
                        PredictionRow pr;
                        pr.fold = static_cast<int>(f);
                        pr.connectionId = data.connectionIds[testRows[i]];
                        pr.trueIndex = yTest[i];
                        pr.predictedIndex = predicted[i];
                        pr.confidence = p[predicted[i]];
                        pr.top = topText(p, k, selection.classLabels);
                        row.result.predictions.push_back(std::move(pr));
                    }
                }
            }
            for (auto& row : rows) {
                for (const char* name : kMetricNames)
                    row.result.foldMetrics.push_back({name, row.perFold[name]});
                for (std::size_t t = 0; t < row.topK.size(); ++t)
                    if (row.topK[t].size() == split.folds.size())
                        row.result.foldMetrics.push_back(
                            {"top" + std::to_string(t + 1), row.topK[t]});
                row.result.classResults =
                    classResults(row.result.confusion, k, selection.classLabels);
                catalog.addRunResult(outcome.runId, row.result);
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
    outcome.grid = catalog.runGrid(outcome.runId);
    feedback.progress(1.0, "done");
    return outcome;
}

} // namespace snilab
