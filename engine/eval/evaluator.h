// The evaluation driver: dataset -> thresholds -> splits -> models -> metrics,
// stored as one immutable run in the catalog's run registry (docs/design.md section 5).
//
// Nothing of a test fold reaches training: class selection uses label counts
// only (the threshold is a property of the whole dataset, as in the paper),
// features are per-connection, the random forest fits on the training fold
// alone, and each network's channel scaler is fitted on the training fold and
// its early-stopping validation set is a stratified part of the training fold.
//
// Models: EvaluationConfig::models holds base model names and ensemble
// expressions (models/model_plan.h). Per fold every base model is trained once;
// ensembles combine their members' probabilities on the same test fold. Each
// network epoch is reported through Feedback::epoch() and stored with the run.
//
// Thread: runs on the calling thread (the forest uses its own threads).
// Failure: a configuration that cannot run (unknown model, too few captures
// for a grouped split) is reported in EvaluationOutcome::error and the run is
// stored as failed; catalog errors throw CatalogError, model errors ModelError.
#pragma once

#include "catalog/catalog.h"
#include "common/feedback.h"
#include "dataset/dataset.h"
#include "dataset/thresholds.h"
#include "eval/evaluation_config.h"
#include "models/model_plan.h"
#include "models/model_set.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace snilab {

struct EvaluationOutcome {
    std::int64_t runId = 0;
    RunStatus status = RunStatus::Failed;
    std::string error;
    std::uint64_t labeledConnections = 0;
    std::vector<GridCell> grid;
};

// The pipeline: validate the configuration, then per threshold select the
// classes, split (splits.h), per fold fit every base model on the training
// rows and test it (ensembles combine the members), accumulate the fold
// metrics, and write one ModelResult per model and threshold to `sink`. The
// run is created in the sink only once the configuration is valid and is
// finished on every exit path (finished, cancelled, or failed with the reason).
// `data` must hold what the models need (statistics for the forest,
// sequences for the networks). A sink's CatalogError is rethrown after the
// run is marked failed (if the sink still takes that).
// How the work is cut (not stored in the run).
struct EvaluationTuning {
    // Test rows predicted at a time: memory holds this many rows x classes
    // probabilities per model. The forest's results do not depend on it; the
    // networks' are identical for any multiple of their inference batch of
    // 1,024 (models/torch/torch_network.cpp) - the default is 16 x that -
    // and may differ in the last bits otherwise (other batch boundaries).
    std::size_t testChunkRows = 16 * 1024;
};

EvaluationOutcome evaluate(const Dataset& data, const EvaluationConfig& config, RunSink& sink,
                           Feedback& feedback, const EvaluationTuning& tuning = {});
// The same on a catalog: loads the dataset (only the features the models
// need) and writes to its run registry; `grid` is read back when finished.
EvaluationOutcome evaluate(Catalog& catalog, const EvaluationConfig& config, Feedback& feedback);

} // namespace snilab
