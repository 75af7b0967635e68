#include "models/torch/torch_training.h"

#include "dataset/splits.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <string>

namespace snilab::torchmod {

namespace {

// Larger than any training batch: no gradients are kept.
constexpr std::int64_t kValidationBatch = 1024;

// The seed of the mini-batch shuffle: apart from the validation split's.
constexpr std::uint64_t shuffleSeed(std::uint64_t seed)
{
    return seed * 0x9E3779B97F4A7C15ull + 0x51ED;
}

torch::Tensor indexTensor(const std::vector<std::size_t>& indices)
{
    return torch::tensor(std::vector<std::int64_t>(indices.begin(), indices.end()), torch::kInt64);
}

// The best epoch's parameters and buffers (batch-norm statistics).
class BestWeights {
public:
    void take(SequenceModuleImpl& module)
    {
        m_tensors.clear();
        for (const auto& p : module.parameters())
            m_tensors.push_back(p.detach().clone());
        for (const auto& b : module.buffers())
            m_tensors.push_back(b.detach().clone());
    }
    void restore(SequenceModuleImpl& module) const
    {
        if (m_tensors.empty())
            return;
        torch::NoGradGuard noGrad;
        std::size_t i = 0;
        for (auto& p : module.parameters())
            p.copy_(m_tensors[i++]);
        for (auto& b : module.buffers())
            b.copy_(m_tensors[i++]);
    }

private:
    std::vector<torch::Tensor> m_tensors;
};

struct Totals {
    double loss = 0;
    double accuracy = 0;
};

// One pass over the fit part in the order `order`; `completed` is false when
// feedback asked to cancel.
Totals trainEpoch(SequenceModuleImpl& module, torch::optim::Optimizer& optimizer,
                  const TrainingTensors& data, const std::vector<std::size_t>& order,
                  std::int64_t batch, Feedback* feedback, bool& completed)
{
    module.train();
    const auto n = static_cast<std::int64_t>(order.size());
    const torch::Device device = data.xFit.device();
    const torch::Tensor perm = indexTensor(order).to(device);
    // The sums stay on the device: no host synchronisation per batch (the
    // same double arithmetic as summing loss.item<double>() on the host).
    torch::Tensor lossSum = torch::zeros({}, torch::dtype(torch::kFloat64).device(device));
    torch::Tensor correct = torch::zeros({}, torch::dtype(torch::kInt64).device(device));
    completed = false;
    for (std::int64_t start = 0; start < n; start += batch) {
        if (feedback && feedback->isCancelled())
            return {};
        const std::int64_t end = std::min(n, start + batch);
        // BatchNorm cannot train on a single sample: fold a final batch of
        // one into the previous one's epoch (skip it).
        if (end - start < 2 && n >= 2)
            continue;
        const torch::Tensor idx = perm.slice(0, start, end);
        const torch::Tensor xb = data.xFit.index_select(0, idx);
        const torch::Tensor yb = data.yFit.index_select(0, idx);
        optimizer.zero_grad();
        const torch::Tensor logits = module.forward(xb);
        const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, yb);
        loss.backward();
        optimizer.step();
        lossSum += loss.detach().to(torch::kFloat64) * static_cast<double>(end - start);
        correct += logits.detach().argmax(1).eq(yb).sum();
    }
    completed = true;
    const auto total = static_cast<double>(std::max<std::int64_t>(n, 1));
    return {lossSum.item<double>() / total,
            static_cast<double>(correct.item<std::int64_t>()) / total};
}

// Mean cross-entropy and accuracy on the validation part (module in eval mode).
Totals validate(SequenceModuleImpl& module, const TrainingTensors& data)
{
    torch::NoGradGuard noGrad;
    const std::int64_t n = data.xValidation.size(0);
    const torch::Device device = data.xValidation.device();
    torch::Tensor loss = torch::zeros({}, torch::dtype(torch::kFloat64).device(device));
    torch::Tensor correct = torch::zeros({}, torch::dtype(torch::kInt64).device(device));
    for (std::int64_t start = 0; start < n; start += kValidationBatch) {
        const std::int64_t end = std::min(n, start + kValidationBatch);
        const torch::Tensor logits = module.forward(data.xValidation.slice(0, start, end));
        const torch::Tensor yb = data.yValidation.slice(0, start, end);
        loss +=
            torch::nn::functional::cross_entropy(
                logits, yb, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                .to(torch::kFloat64);
        correct += logits.argmax(1).eq(yb).sum();
    }
    const auto total = static_cast<double>(n);
    return {loss.item<double>() / total, static_cast<double>(correct.item<std::int64_t>()) / total};
}

} // namespace

TrainingTensors trainingTensors(const float* x, std::size_t rows, std::size_t length,
                                std::size_t channels, const int* classes,
                                const TrainingOptions& training, const torch::Device& device)
{
    const std::vector<int> classIds(classes, classes + rows);
    std::vector<std::size_t> all(rows);
    std::iota(all.begin(), all.end(), std::size_t{0});
    const ValidationSplit split =
        stratifiedValidationSplit(classIds, all, training.validationFraction, training.seed);
    if (!split.ok())
        fail(split.error);
    // from_blob does not copy: index_select() makes tensors that own their data.
    const torch::Tensor xAll =
        torch::from_blob(const_cast<float*>(x),
                         {static_cast<std::int64_t>(rows), static_cast<std::int64_t>(length),
                          static_cast<std::int64_t>(channels)},
                         torch::kFloat32);
    const torch::Tensor yAll =
        torch::tensor(std::vector<std::int64_t>(classIds.begin(), classIds.end()), torch::kInt64);
    TrainingTensors t;
    const auto pick = [&](const std::vector<std::size_t>& indices, torch::Tensor& xs,
                          torch::Tensor& ys) {
        const torch::Tensor idx = indexTensor(indices);
        xs = xAll.index_select(0, idx).to(device);
        ys = yAll.index_select(0, idx).to(device);
    };
    pick(split.fit, t.xFit, t.yFit);
    pick(split.validation, t.xValidation, t.yValidation);
    return t;
}

bool trainModule(SequenceModuleImpl& module, const TrainingTensors& data,
                 const TrainingOptions& training, Feedback* feedback, const EpochReport& report,
                 std::vector<EpochReport>& history)
{
    torch::optim::Adam optimizer(module.parameters(),
                                 torch::optim::AdamOptions(training.learningRate));
    std::mt19937_64 rng(shuffleSeed(training.seed));
    std::vector<std::size_t> order(static_cast<std::size_t>(data.xFit.size(0)));
    std::iota(order.begin(), order.end(), std::size_t{0});
    BestWeights best;
    double bestLoss = std::numeric_limits<double>::infinity();
    int sinceBest = 0;
    for (int epoch = 1; epoch <= training.maxEpochs; ++epoch) {
        const auto started = std::chrono::steady_clock::now();
        seededShuffle(order, rng);
        bool completed = false;
        const Totals fit =
            trainEpoch(module, optimizer, data, order, training.batchSize, feedback, completed);
        if (!completed)
            return false;
        module.eval();
        // No validation samples (tiny data): the training loss stands in.
        const Totals val = data.xValidation.size(0) > 0 ? validate(module, data) : fit;
        EpochReport r = report;
        r.epoch = epoch;
        r.maxEpochs = training.maxEpochs;
        r.trainLoss = fit.loss;
        r.trainAccuracy = fit.accuracy;
        r.validationLoss = val.loss;
        r.validationAccuracy = val.accuracy;
        r.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        r.improved = r.validationLoss < bestLoss;
        if (r.improved) {
            bestLoss = r.validationLoss;
            sinceBest = 0;
            best.take(module);
        } else {
            ++sinceBest;
        }
        history.push_back(r);
        if (feedback) {
            feedback->epoch(r);
            feedback->progress(static_cast<double>(epoch) / training.maxEpochs,
                               "epoch " + std::to_string(epoch));
        }
        if (sinceBest >= training.patience)
            break;
    }
    best.restore(module);
    module.eval();
    return true;
}

} // namespace snilab::torchmod
