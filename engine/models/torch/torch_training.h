// Internal to the LibTorch module: one network's training (docs/design.md
// section 4, "Training"). The early-stopping validation set is the engine's
// seeded stratified split of the training samples and the mini-batches are
// drawn with the engine's seeded shuffle (dataset/splits.h: the same on every
// standard library), so a seed gives the same network on every platform up to
// LibTorch's own floating point.
// Failure: ModelError; LibTorch's exceptions pass through to the caller.
#pragma once

#include "common/feedback.h"
#include "models/sequence_network.h"
#include "models/torch/torch_modules.h"

#include <cstddef>
#include <vector>

namespace snilab::torchmod {

// The fit and validation parts of one training set, on the training device.
struct TrainingTensors {
    torch::Tensor xFit, yFit;               // batch x time x channels, class ids (int64)
    torch::Tensor xValidation, yValidation; // may be empty (tiny data)
};

// Splits rows x length x channels floats and their classes by
// stratifiedValidationSplit(training.validationFraction, training.seed) and
// copies both parts to `device`.
TrainingTensors trainingTensors(const float* x, std::size_t rows, std::size_t length,
                                std::size_t channels, const int* classes,
                                const TrainingOptions& training, const torch::Device& device);

// Adam (training.learningRate) on cross-entropy over mini-batches of
// training.batchSize, reshuffled every epoch, for up to training.maxEpochs;
// stops after training.patience epochs without a new validation-loss minimum
// (the training loss stands in when there is no validation set) and restores
// the best epoch's weights and batch-norm statistics. Every epoch is appended
// to `history` and reported to `feedback` (epoch() and progress()).
// false when feedback asked to cancel (the module is then half trained).
bool trainModule(SequenceModuleImpl& module, const TrainingTensors& data,
                 const TrainingOptions& training, Feedback* feedback, const EpochReport& report,
                 std::vector<EpochReport>& history);

} // namespace snilab::torchmod
