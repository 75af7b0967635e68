// The one validated configuration of an evaluation (docs/design.md section
// 5): every setting with its default, the one set of rules both front ends
// apply (validate()), the text stored with a run and its inverse (toText(),
// fromText()). The CLI maps options and the experiment dialog maps widgets
// onto it; neither checks a value itself.
// Thread: plain values; availableModels() may load nothing (it asks whether
// the LibTorch module is there).
#pragma once

#include "dataset/dataset.h"
#include "dataset/thresholds.h"
#include "models/model_set.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace snilab {

enum class SplitKind { Stratified, Capture, Time };
std::string_view splitKindName(SplitKind kind);
std::optional<SplitKind> parseSplitKind(std::string_view text);

struct EvaluationConfig {
    std::vector<std::string> models = {"rf"};
    std::vector<int> thresholds = {100};
    ThresholdRule rule = ThresholdRule::AtLeast;
    SplitKind split = SplitKind::Stratified;
    int folds = 10;                 // stratified and capture splits
    double timeTrainFraction = 0.7; // time split: share of samples in the earliest captures
    std::uint64_t seed = 1;
    DatasetOptions data;
    int trees = 250;
    int maxDepth = 25; // random forest: 1..25 (25 = OpenCV's deepest, the default)
    // Networks (docs/design.md section 4).
    int epochs = 100; // upper bound; early stopping usually ends sooner
    int patience = 5; // epochs without a new validation-loss minimum
    int batchSize = 64;
    double learningRate = 1e-3;
    double iatDropout = 0.25;    // CNN-GRU dropout on the IAT input (0 for the others)
    std::string device = "auto"; // auto | cpu | cuda
    int threads = 0;             // 0 = hardware concurrency
    std::string preset;          // "" (honest default) or "paper"

    // The base models this build can evaluate: "rf" with OpenCV; the networks
    // (gru, cnn, cnngru-packet, cnngru-payload, cnngru-iat) with LibTorch.
    // Variants (+dir, -all) and ensembles of these are accepted too.
    static std::vector<std::string> availableModels();
    // Every model name this build can evaluate, canonical, for pickers: "rf",
    // then each network (cnngru, gru, cnn) on each input (packet, payload,
    // iat, all), without and with "+dir", then the named ensembles ("paper"
    // needs rf and the networks, "cnngru-mean" the networks). Custom weighted
    // ensembles are accepted by planModels but not listed.
    static std::vector<std::string> modelChoices();
    // Every rule a configuration must meet, for the CLI and the workbench
    // alike: "" when it can run, else a one-line reason naming the setting.
    // Checks ranges (folds 2..1000, trees 1..100000, max depth 1..25, epochs and patience
    // 1..100000, batch size 2..1000000, threads 0..4096 with 0 = all cores,
    // time-split share in (0, 1)), thresholds (at least one, each
    // 0..kMaxThreshold, none twice), model names (none empty, every one known
    // to planModels) and the device name. evaluate() refuses an invalid
    // configuration before it creates a run.
    std::string validate() const;
    // One "key=value" line per setting, stored with the run.
    std::string toText() const;
    // The inverse of toText(): a stored run's configuration read back.
    // Missing keys keep their defaults (runs of older versions store fewer);
    // unknown keys are ignored (the `snilab` version line among them);
    // a malformed value gives nullopt and a one-line `error` naming the key.
    // fromText(c.toText())->toText() == c.toText() for every valid c.
    static std::optional<EvaluationConfig> fromText(std::string_view text,
                                                    std::string* error = nullptr);
    // The model settings above as ModelSet options (seed: `seed`).
    ModelSetOptions modelSetOptions() const;
    // The paper's choices: more-than-T, paper label normalisation, payload packets.
    void applyPaperPreset();
};

} // namespace snilab
