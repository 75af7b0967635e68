// Training a model file's content from a catalog (`snilab-cli train` and the
// workbench): the labeled connections of the classes that pass the threshold
// -> ModelSet::fit on all of them -> a ModelFile with its info filled in
// (label map, label mode, FeatureSpec, threshold, fingerprint, config).
//
// Thread: the calling thread (the forest uses its own workers).
// Failure: ModelError for an invalid model list, a model unavailable in this
// build, fewer than 2 classes at the threshold, or a model failure;
// CatalogError from the catalog. Returns nullopt when cancelled.
#pragma once

#include "catalog/catalog.h"
#include "common/feedback.h"
#include "eval/evaluator.h"
#include "models/model_file.h"

#include <optional>
#include <string>

namespace snilab {

// `config` supplies models, rule, seed, data (label mode, spec) and the
// model settings (trees, epochs, ...); thresholds and splits are not used.
// `primary` empty = the first of config.models.
std::optional<ModelFile> trainModel(Catalog& catalog, const EvaluationConfig& config, int threshold,
                                    const std::string& primary, Feedback& feedback);

} // namespace snilab
