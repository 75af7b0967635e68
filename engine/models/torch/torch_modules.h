// Internal to the LibTorch module (models/network_backend.h): the three
// architectures of docs/design.md section 4 as LibTorch modules, and the
// device and thread settings every backend call applies. Included only by
// engine/models/torch/*.cpp.
// Failure: ModelError (fail()).
#pragma once

#include "models/model_error.h"
#include "models/sequence_network.h"

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace snilab::torchmod {

[[noreturn]] void fail(const std::string& message);
// c10::Error messages carry a C++ backtrace after the first line.
std::string firstLine(const char* text);

struct SequenceModuleImpl : torch::nn::Module {
    virtual torch::Tensor forward(torch::Tensor x) = 0; // x: batch x time x channels
};

// A fresh, randomly initialised network of o.kind (uses LibTorch's seeded RNG).
std::shared_ptr<SequenceModuleImpl> makeModule(const NetworkOptions& o, std::int64_t channels,
                                               std::int64_t classes);
// The layer sizes and dropout a network file may carry.
void checkOptions(const NetworkOptions& o);

torch::Device toDevice(const std::string& resolved);
// LibTorch's intra-op threads (0 = all cores), with the allocator tuned once.
void applyThreads(int threads);

bool cudaAvailable() noexcept;
std::string cudaUnavailableReason();
// "auto" -> "cuda" when available, else "cpu"; throws for cuda without CUDA.
std::string resolveDevice(std::string_view device);

} // namespace snilab::torchmod
