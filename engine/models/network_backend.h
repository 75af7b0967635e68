// The seam between the engine and the LibTorch networks. LibTorch costs about
// a second and 150 MiB just to load (its static initialisers and symbol
// relocations), so it is not linked into the programs: the networks live in
// a loadable module, libsnilab_torch.so (engine/models/torch/), that
// models/sequence_network.cpp opens with dlopen() the first time a network
// is built, trained or loaded. Commands that never touch a network (ingest,
// connections, features, report, a forest-only evaluate) never load it.
//
// The module exports one C function, snilab_network_module(), returning the
// table below; its networks are NetworkBackend objects, called only through
// their virtual functions, so no C++ symbol crosses the boundary. Both sides
// are built from the same tree; `abi` (kNetworkModuleAbi, folded with the
// sizes of the types passed across) and `buildId` refuse a module from
// another build.
//
// Where the module is looked for, first found wins: $SNILAB_TORCH_MODULE; the
// installed layout <bin>/../lib/snilab/libsnilab_torch.so next to the
// running program; the build tree's copy (SNILAB_TORCH_MODULE_BUILD_PATH).
//
// Thread: a backend is used by one thread at a time, like SequenceNetwork.
// Failure: ModelError, thrown inside the module and caught by the engine.
#pragma once

#include "models/sequence_network.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace snilab {

class NetworkBackend {
public:
    virtual ~NetworkBackend() = default;
    // As SequenceNetwork::fit, on a fresh backend; false when cancelled.
    virtual bool fit(const float* x, std::size_t rows, std::size_t length, std::size_t channels,
                     const int* classes, int classCount, const TrainingOptions& training,
                     Feedback* feedback, const EpochReport& report) = 0;
    virtual std::vector<double> predictProba(const float* x, std::size_t rows) const = 0;
    virtual bool isTrained() const noexcept = 0;
    virtual int classCount() const noexcept = 0;
    virtual std::size_t length() const noexcept = 0;
    virtual std::size_t channels() const noexcept = 0;
    virtual const NetworkOptions& options() const noexcept = 0;
    virtual std::string device() const = 0;
    virtual std::int64_t parameterCount() const = 0;
    virtual const std::vector<EpochReport>& history() const noexcept = 0;
    virtual void setDevice(std::string_view device) = 0;
    virtual void setThreads(int threads) noexcept = 0;
    virtual std::vector<std::uint8_t> save() const = 0;
};

constexpr std::uint64_t kNetworkModuleAbi =
    (std::uint64_t{2} << 48) ^ (sizeof(NetworkOptions) << 32) ^ (sizeof(TrainingOptions) << 16) ^
    (sizeof(EpochReport) << 8) ^ sizeof(std::string);

// Both sides are compiled with SNILAB_NETWORK_MODULE_BUILD_ID, a hash CMake
// computes of this header, sequence_network.h and common/feedback.h (the
// types and vtables that cross the boundary): a module built from other
// headers is refused even when the sizes agree.
// (Only the two files on either side of the boundary are compiled with it.)

struct NetworkModule {
    std::uint64_t abi = 0;
    const char* buildId = nullptr;
    bool (*cudaAvailable)() noexcept = nullptr;
    std::string (*cudaUnavailableReason)() = nullptr;
    std::string (*resolveDevice)(std::string_view device) = nullptr; // throws ModelError
    NetworkBackend* (*create)(const NetworkOptions& options) = nullptr;
    NetworkBackend* (*load)(const std::uint8_t* bytes, std::size_t size) = nullptr; // throws
};

} // namespace snilab

extern "C" const snilab::NetworkModule* snilab_network_module();
