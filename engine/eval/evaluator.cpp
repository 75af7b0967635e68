#include "eval/evaluator.h"

#include "eval/metrics.h"
#include "eval/splits.h"
#include "features/statistics.h"
#if SNILAB_WITH_OPENCV
#include "models/random_forest.h"
#endif

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
#if SNILAB_WITH_OPENCV
    return {"rf"};
#else
    return {};
#endif
}

void EvaluationConfig::applyPaperPreset()
{
    preset = "paper";
    rule = ThresholdRule::MoreThan;
    data.labelMode = LabelMode::Paper;
    data.spec.packets = FeatureSpec::Packets::PayloadOnly;
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
    out << "\nthreshold_rule=" << (rule == ThresholdRule::AtLeast ? "at-least" : "more-than")
        << "\nsplit=" << splitKindName(split) << "\nfolds=" << folds
        << "\ntime_train_fraction=" << timeTrainFraction << "\nseed=" << seed
        << "\nlabel_mode=" << labelModeName(data.labelMode)
        << "\nfeature_spec=" << data.spec.toString() << "\nrf_trees=" << trees
        << "\npreset=" << (preset.empty() ? "default" : preset) << "\nsnilab=" << SNILAB_VERSION
        << "\n";
    return out.str();
}

namespace {

constexpr const char* kMetricNames[] = {"accuracy",   "macro_precision",    "macro_recall",
                                        "macro_f1",   "weighted_precision", "weighted_recall",
                                        "weighted_f1"};

// "label:probability;..." for the best five classes.
std::string topText(const double* probs, int k, const std::vector<std::string>& labels)
{
    std::vector<int> order(static_cast<std::size_t>(k));
    for (int i = 0; i < k; ++i)
        order[static_cast<std::size_t>(i)] = i;
    const int n = std::min(k, 5);
    std::partial_sort(order.begin(), order.begin() + n, order.end(), [&](int a, int b) {
        return probs[a] != probs[b] ? probs[a] > probs[b] : a < b;
    });
    std::string out;
    char buf[32];
    for (int i = 0; i < n; ++i) {
        const int c = order[static_cast<std::size_t>(i)];
        std::snprintf(buf, sizeof buf, ":%.4f", probs[c]);
        out += (i ? ";" : "") + labels[static_cast<std::size_t>(c)] + buf;
    }
    return out;
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

// Scales a sub-task's progress into the whole evaluation's fraction.
class SubFeedback final : public Feedback {
public:
    SubFeedback(Feedback& parent, double base, double share, std::string stage)
        : m_parent(parent), m_base(base), m_share(share), m_stage(std::move(stage))
    {
    }
    void progress(double fraction, std::string_view) override
    {
        m_parent.progress(m_base + m_share * fraction, m_stage);
        if (m_parent.isCancelled())
            cancel();
    }

private:
    Feedback& m_parent;
    double m_base, m_share;
    std::string m_stage;
};

} // namespace

EvaluationOutcome evaluate(Catalog& catalog, const EvaluationConfig& config, Feedback& feedback)
{
    EvaluationOutcome outcome;
    const auto available = EvaluationConfig::availableModels();
    for (const auto& m : config.models) {
        if (std::find(available.begin(), available.end(), m) == available.end()) {
            std::string list;
            for (const auto& a : available)
                list += (list.empty() ? "" : ", ") + a;
            outcome.error = "model '" + m + "' is not available in this build (available: " +
                            (list.empty() ? "none; build with SNILAB_WITH_OPENCV" : list) + ")";
            return outcome;
        }
    }
    if (config.thresholds.empty() || config.models.empty()) {
        outcome.error = "nothing to evaluate: no thresholds or no models";
        return outcome;
    }

    feedback.progress(0.0, "reading the catalog");
    DatasetOptions dataOptions = config.data;
    dataOptions.statistics = true;
    dataOptions.sequences = false;
    const Dataset data = loadDataset(catalog, dataOptions, feedback);
    outcome.labeledConnections = data.size();
    if (feedback.isCancelled()) {
        outcome.status = RunStatus::Cancelled;
        return outcome;
    }
    outcome.runId = catalog.createRun(config.toText(), config.seed, data.fingerprint());

    const std::size_t cols = kStatisticCount;
    const double cells = static_cast<double>(config.thresholds.size() * config.models.size());
    std::size_t cellIndex = 0;
    try {
        for (int threshold : config.thresholds) {
            const auto selection = selectClasses(
                data.labels, static_cast<std::size_t>(std::max(threshold, 0)), config.rule);
            const int k = static_cast<int>(selection.classLabels.size());
            const std::size_t n = selection.sampleIndices.size();
            for (const std::string& model : config.models) {
                ModelResult result;
                result.model = model;
                result.threshold = threshold;
                result.classes = k;
                result.samples = n;
                const double base = static_cast<double>(cellIndex++) / cells;
                if (k < 2) {
                    // Fewer than two classes: nothing to classify at this threshold.
                    catalog.addRunResult(outcome.runId, result);
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
                result.folds = static_cast<int>(split.folds.size());
                std::map<std::string, std::vector<double>> perFold;
                std::vector<std::vector<double>> topK(5);
                result.confusion.assign(static_cast<std::size_t>(k) * static_cast<std::size_t>(k),
                                        0);
                for (std::size_t f = 0; f < split.folds.size(); ++f) {
                    const Fold& fold = split.folds[f];
                    std::vector<float> xTrain, xTest;
                    std::vector<int> yTrain, yTest;
                    for (std::size_t i : fold.train) {
                        const std::size_t s = selection.sampleIndices[i];
                        xTrain.insert(
                            xTrain.end(),
                            data.statistics.begin() + static_cast<std::ptrdiff_t>(s * cols),
                            data.statistics.begin() + static_cast<std::ptrdiff_t>((s + 1) * cols));
                        yTrain.push_back(selection.classes[i]);
                    }
                    for (std::size_t i : fold.test) {
                        const std::size_t s = selection.sampleIndices[i];
                        xTest.insert(
                            xTest.end(),
                            data.statistics.begin() + static_cast<std::ptrdiff_t>(s * cols),
                            data.statistics.begin() + static_cast<std::ptrdiff_t>((s + 1) * cols));
                        yTest.push_back(selection.classes[i]);
                    }
                    const double foldShare = 1.0 / cells / static_cast<double>(split.folds.size());
                    SubFeedback sub(feedback, base + foldShare * static_cast<double>(f), foldShare,
                                    model + " T=" + std::to_string(threshold) + " fold " +
                                        std::to_string(f + 1) + "/" +
                                        std::to_string(split.folds.size()));
                    std::vector<double> probs;
#if SNILAB_WITH_OPENCV
                    RandomForestOptions rf;
                    rf.trees = config.trees;
                    rf.threads = config.threads;
                    rf.seed = config.seed + f;
                    RandomForest forest(rf);
                    if (!forest.fit(xTrain.data(), yTrain.size(), cols, yTrain.data(), k, &sub)) {
                        catalog.finishRun(outcome.runId, RunStatus::Cancelled, "cancelled");
                        outcome.status = RunStatus::Cancelled;
                        return outcome;
                    }
                    probs = forest.predictProba(xTest.data(), yTest.size(), cols);
#endif
                    std::string error;
                    const auto metrics = computeMetrics(yTest, probs, k, &error);
                    if (!metrics)
                        throw std::runtime_error("metrics: " + error);
                    perFold["accuracy"].push_back(metrics->accuracy);
                    perFold["macro_precision"].push_back(metrics->macroPrecision);
                    perFold["macro_recall"].push_back(metrics->macroRecall);
                    perFold["macro_f1"].push_back(metrics->macroF1);
                    perFold["weighted_precision"].push_back(metrics->weightedPrecision);
                    perFold["weighted_recall"].push_back(metrics->weightedRecall);
                    perFold["weighted_f1"].push_back(metrics->weightedF1);
                    for (std::size_t t = 0; t < metrics->topK.size() && t < topK.size(); ++t)
                        topK[t].push_back(metrics->topK[t]);
                    for (std::size_t c = 0; c < result.confusion.size(); ++c)
                        result.confusion[c] += metrics->confusion[c];
                    const auto predicted = predictClasses(probs, k);
                    for (std::size_t i = 0; i < fold.test.size(); ++i) {
                        const double* row = probs.data() + i * static_cast<std::size_t>(k);
                        PredictionRow p;
                        p.fold = static_cast<int>(f);
                        p.connectionId = data.connectionIds[selection.sampleIndices[fold.test[i]]];
                        p.trueIndex = yTest[i];
                        p.predictedIndex = predicted[i];
                        p.confidence = row[predicted[i]];
                        p.top = topText(row, k, selection.classLabels);
                        result.predictions.push_back(std::move(p));
                    }
                }
                for (const char* name : kMetricNames)
                    result.foldMetrics.push_back({name, perFold[name]});
                for (std::size_t t = 0; t < topK.size(); ++t)
                    if (topK[t].size() == split.folds.size())
                        result.foldMetrics.push_back({"top" + std::to_string(t + 1), topK[t]});
                result.classResults = classResults(result.confusion, k, selection.classLabels);
                catalog.addRunResult(outcome.runId, result);
            }
        }
    } catch (const CatalogError&) {
        throw;
    } catch (const std::exception& e) {
        // A configuration that cannot run on this data, or a model failure:
        // the run is kept as failed, with the reason.
        outcome.error = e.what();
        catalog.finishRun(outcome.runId, RunStatus::Failed, outcome.error);
        outcome.status = RunStatus::Failed;
        return outcome;
    }
    catalog.finishRun(outcome.runId, RunStatus::Finished);
    outcome.status = RunStatus::Finished;
    outcome.grid = catalog.runGrid(outcome.runId);
    feedback.progress(1.0, "done");
    return outcome;
}

} // namespace snilab
