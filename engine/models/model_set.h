// ModelSet: the base models of a ModelPlan trained together on one label set
// - the random forest on the 42 statistics, each network on its channels of
// the packet sequences with its own ChannelScaler - and their ensembles.
// Evaluation trains one per fold; a model file (models/model_file.h) holds one
// trained on all eligible connections.
//
// Inputs are rows of a Dataset (dataset/dataset.h): statistics for the forest,
// sequences for the networks (the dataset's FeatureSpec must enable every
// channel a network uses). Scalers are fitted on the training rows only.
//
// Thread: fit() and load() need exclusive access; predict() and save() are
// const. Networks train one after another (LibTorch's global RNG).
// Failure: ModelError (bad plan for this build, missing channel, model
// failures); fit() returns false when cancelled.
#pragma once

#include "common/feedback.h"
#include "dataset/dataset.h"
#include "models/model_plan.h"
#include "models/random_forest.h"
#include "models/sequence_network.h"

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace snilab {

struct ModelSetOptions {
    int trees = 250;
    int maxDepth = 25; // random forest (RandomForestOptions::maxDepth)
    int threads = 0;   // 0 = hardware concurrency (forest workers and LibTorch)
    std::uint64_t seed = 1;
    TrainingOptions training; // seed and threads are taken from above
    double iatDropout = 0.25; // CNN-GRU on the IAT input
};

class ModelSet {
public:
    ModelSet();
    ~ModelSet();
    ModelSet(ModelSet&&) noexcept;
    ModelSet& operator=(ModelSet&&) noexcept;

    // Throws ModelError when a model of `plan` is not available in this build
    // or a network needs a channel the dataset's spec lacks.
    static void check(const ModelPlan& plan, const FeatureSpec& spec);

    // Trains every base model on data rows `rows` with classes[i] in [0, k).
    // `report` is the epoch-report template (threshold, fold); progress is
    // reported per model. Returns false when cancelled.
    bool fit(const ModelPlan& plan, const Dataset& data, std::span<const std::size_t> rows,
             std::span<const int> classes, int k, const ModelSetOptions& options,
             Feedback& feedback, const EpochReport& report = {});

    // Probabilities (rows x k, row-major) for every name of plan().order.
    std::map<std::string, std::vector<double>> predict(const Dataset& data,
                                                       std::span<const std::size_t> rows) const;

    const ModelPlan& plan() const noexcept;
    int classCount() const noexcept;
    // Every epoch of every network of the last fit(), in training order.
    const std::vector<EpochReport>& history() const noexcept;
    void setThreads(int threads);
    // Moves every network to `device` (auto, cpu, cuda); ModelError for an
    // unknown device or cuda without a GPU. The forest runs on the CPU.
    void setDevice(std::string_view device);

    // Bytes of the trained models (format in model_set.cpp); load() checks
    // them and throws ModelError on anything unexpected.
    std::vector<std::uint8_t> save() const;
    static ModelSet load(std::span<const std::uint8_t> bytes);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace snilab
