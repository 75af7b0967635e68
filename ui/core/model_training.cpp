#include "model_training.h"

#include "catalog/catalog.h"
#include "eval/evaluator.h"
#include "models/model_file.h"
#include "tasks/model_training.h"

namespace snilab::ui {

bool trainModelFile(const std::filesystem::path& catalogPath, const std::filesystem::path& out,
                    const ModelTrainingOptions& options, snilab::Feedback& feedback)
{
    snilab::EvaluationConfig config;
    config.models = options.models;
    config.trees = options.trees;
    config.epochs = options.epochs;
    config.threads = options.threads;
    config.seed = options.seed;
    config.device = "cpu";
    auto catalog = snilab::Catalog::openExisting(catalogPath);
    auto model = snilab::trainModel(*catalog, config, options.threshold, {}, feedback);
    if (!model)
        return false;
    snilab::writeModelFile(out, *model);
    return true;
}

} // namespace snilab::ui
