#include "tasks/model_training.h"

#include "dataset/dataset.h"
#include "dataset/thresholds.h"

#include <algorithm>

namespace snilab {

std::optional<ModelFile> trainModel(Catalog& catalog, const EvaluationConfig& config, int threshold,
                                    const std::string& primary, Feedback& feedback)
{
    std::string planError;
    const auto plan = planModels(config.models, &planError);
    if (!plan)
        throw ModelError("models: " + planError);
    const std::string chosen = primary.empty() ? plan->order.front() : primary;
    if (std::find(plan->order.begin(), plan->order.end(), chosen) == plan->order.end())
        throw ModelError("primary model '" + chosen + "' is not one of the models");
    const bool forest = plan->usesForest(), networks = plan->usesNetworks();
    ModelSet::check(*plan, config.data.spec);
    if (networks)
        resolveDevice(config.device);

    DatasetOptions dataOptions = config.data;
    dataOptions.statistics = forest;
    dataOptions.sequences = networks;
    const Dataset data = loadDataset(catalog.connections(), dataOptions, feedback);
    if (feedback.isCancelled())
        return std::nullopt;
    const auto selection =
        selectClasses(data.labels, static_cast<std::size_t>(std::max(0, threshold)), config.rule);
    if (selection.classLabels.size() < 2)
        throw ModelError("only " + std::to_string(selection.classLabels.size()) +
                         " class(es) reach the threshold " + std::to_string(threshold) + " in " +
                         std::to_string(data.size()) + " labeled connections; nothing to train");
    ModelFile model;
    if (!model.models.fit(*plan, data, selection.sampleIndices, selection.classes,
                          static_cast<int>(selection.classLabels.size()), config.modelSetOptions(),
                          feedback))
        return std::nullopt;
    model.info.primary = chosen;
    model.info.labelMode = config.data.labelMode;
    model.info.spec = config.data.spec;
    model.info.rule = config.rule;
    model.info.threshold = threshold;
    model.info.labels = selection.classLabels;
    model.info.trainedConnections = selection.sampleIndices.size();
    model.info.dataFingerprint = data.fingerprint();
    model.info.trainingConfig = config.toText();
    return model;
}

} // namespace snilab
