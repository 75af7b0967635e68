#include "eval/evaluation_config.h"

#include "common/text_parse.h"
#include "models/model_plan.h"
#include "models/sequence_network.h"

#include <algorithm>
#include <charconv>
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

std::vector<std::string> EvaluationConfig::modelChoices()
{
    std::vector<std::string> out;
    const std::vector<std::string> base = availableModels();
    const bool forest = std::find(base.begin(), base.end(), "rf") != base.end();
    if (forest)
        out.push_back("rf");
    if (!torchAvailable())
        return out;
    for (const char* net : {"cnngru", "gru", "cnn"})
        for (const char* input : {"packet", "payload", "iat", "all"})
            for (const char* dir : {"", "+dir"}) {
                // The model parser names it, so the list is canonical
                // ("gru", not "gru-packet").
                const auto spec = parseModelName(std::string(net) + "-" + input + dir);
                if (spec)
                    out.push_back(spec->name);
            }
    if (forest)
        out.emplace_back("paper");
    out.emplace_back("cnngru-mean");
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
          range("max depth", maxDepth, 1, 25), range("threads", threads, 0, 4096),
          range("epochs", epochs, 1, 100000), range("patience", patience, 1, 100000),
          range("batch size", batchSize, 2, 1000000)})
        if (!e.empty())
            return e;
    if (!(timeTrainFraction > 0) || !(timeTrainFraction < 1))
        return "the time split's training share must be between 0 and 1 (exclusive)";
    if (!isDeviceName(device))
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
        << "\ntransport=" << transportFilterName(data.transport)
        << "\nfeature_spec=" << data.spec.toString() << "\nrf_trees=" << trees
        << "\nrf_max_depth=" << maxDepth << "\nepochs=" << epochs << "\npatience=" << patience
        << "\nbatch_size=" << batchSize << "\nlearning_rate=" << doubleText(learningRate)
        << "\niat_dropout=" << doubleText(iatDropout) << "\ndevice=" << device
        << "\npreset=" << (preset.empty() ? "default" : preset) << "\nsnilab=" << SNILAB_VERSION
        << "\n";
    return out.str();
}

namespace {

// Stores the parsed number in `out`; false when `text` is not one.
template <typename T> bool parseInto(std::string_view text, T& out)
{
    const auto value = parseNumber<T>(text);
    if (value)
        out = *value;
    return value.has_value();
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
        c.models.clear();
        for (const std::string_view model : splitTrimmed(value))
            c.models.emplace_back(model);
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
    if (key == "transport") // absent before QUIC: every connection was TCP, "all" is the same
        return assign(parseTransportFilter(value), c.data.transport);
    if (key == "feature_spec")
        return assign(FeatureSpec::parse(value, nullptr), c.data.spec);
    if (key == "device" || key == "preset") {
        (key == "device" ? c.device : c.preset) =
            key == "preset" && value == "default" ? std::string() : std::string(value);
        return true;
    }
    if (key == "folds")
        return parseInto(value, c.folds);
    if (key == "time_train_fraction")
        return parseInto(value, c.timeTrainFraction);
    if (key == "seed")
        return parseInto(value, c.seed);
    if (key == "rf_trees")
        return parseInto(value, c.trees);
    if (key == "rf_max_depth")
        return parseInto(value, c.maxDepth);
    if (key == "epochs")
        return parseInto(value, c.epochs);
    if (key == "patience")
        return parseInto(value, c.patience);
    if (key == "batch_size")
        return parseInto(value, c.batchSize);
    if (key == "learning_rate")
        return parseInto(value, c.learningRate);
    if (key == "iat_dropout")
        return parseInto(value, c.iatDropout);
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
    o.maxDepth = maxDepth;
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

} // namespace snilab
