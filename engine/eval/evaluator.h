// The evaluation driver: dataset -> thresholds -> splits -> models -> metrics,
// stored as one immutable run in the catalog's run registry (DESIGN.md §5).
//
// Nothing of a test fold reaches training: class selection uses label counts
// only (the threshold is a property of the whole dataset, as in the paper),
// features are per-connection, and the random forest fits on the training
// fold alone (it needs no scaler and no early stopping).
//
// Thread: runs on the calling thread (the forest uses its own threads).
// Failure: a configuration that cannot run (unknown model, too few captures
// for a grouped split) is reported in EvaluationOutcome::error and the run is
// stored as failed; catalog errors throw CatalogError, model errors ModelError.
#pragma once

#include "catalog/catalog.h"
#include "common/feedback.h"
#include "dataset/dataset.h"
#include "eval/thresholds.h"

#include <cstdint>
#include <string>
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
    int threads = 0;    // 0 = hardware concurrency
    std::string preset; // "" (honest default) or "paper"

    // The models this build can evaluate ("rf" with OpenCV).
    static std::vector<std::string> availableModels();
    // One "key=value" line per setting, stored with the run.
    std::string toText() const;
    // The paper's choices: more-than-T, paper label normalisation, payload packets.
    void applyPaperPreset();
};

struct EvaluationOutcome {
    std::int64_t runId = 0;
    RunStatus status = RunStatus::Failed;
    std::string error;
    std::uint64_t labeledConnections = 0;
    std::vector<GridCell> grid;
};

EvaluationOutcome evaluate(Catalog& catalog, const EvaluationConfig& config, Feedback& feedback);

} // namespace snilab
