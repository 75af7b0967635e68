// SequenceNetwork: the paper's sequence classifiers (docs/design.md section 4) on
// LibTorch - one class for every architecture, chosen by NetworkOptions:
//
//   CnnGru  Conv1d(C->conv1, k=3, same) + ReLU -> BatchNorm
//           -> Conv1d(conv1->conv2, k=3, valid) + ReLU -> BatchNorm
//           -> GRU(gru), last hidden state -> Dropout -> Linear(dense) + sigmoid
//           -> Dropout -> Linear(classes)
//   Gru     GRU(gru) -> GRU(gru) (two stacked layers), last state -> Linear(classes)
//   Cnn     Conv1d(C->conv1, k=3, same) + ReLU -> Conv1d(conv1->conv2, k=3, same)
//           + ReLU -> global max-pool over time -> Linear(classes)
//
// Input: `rows` sequences of `length` time steps x `channels` floats,
// time-major (features/sequences.h layout), already standardised. Output:
// softmax probabilities, rows x classes, row-major.
//
// Training (fit): Adam, cross-entropy, mini-batches shuffled by a seeded RNG;
// a stratified `validationFraction` of the given (training) samples is held
// out for early stopping on validation loss (patience epochs without a new
// minimum), and the weights of the best epoch are restored. Every epoch is
// reported through Feedback::epoch() and kept in history(). Seeded: the same
// seed, data and device give the same network on CPU.
//
// This header does not include LibTorch: the implementation lives in the
// module libsnilab_torch.so (engine/models/torch/), built when
// SNILAB_WITH_TORCH is on and opened on first use (models/network_backend.h);
// the macro SNILAB_WITH_TORCH=1 is then defined for every engine user.
//
// Thread: one network is used by one thread at a time; fit() and
// predictProba() use LibTorch's intra-op threads (TrainingOptions::threads).
// LibTorch's global RNG is seeded by fit(): do not train two networks at once.
// Failure: invalid arguments, an unavailable device, LibTorch errors and bad
// model bytes throw ModelError with a one-line message.
#pragma once

#include "common/feedback.h"
#include "models/model_error.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace snilab {

enum class NetworkKind { CnnGru, Gru, Cnn };
std::string_view networkKindName(NetworkKind kind); // "cnngru", "gru", "cnn"
std::optional<NetworkKind> parseNetworkKind(std::string_view text);

struct NetworkOptions {
    NetworkKind kind = NetworkKind::CnnGru;
    int conv1 = 200;      // first convolution's channels (Cnn: 64)
    int conv2 = 400;      // second convolution's channels (Cnn: 128)
    int gru = 200;        // GRU hidden size (Gru: 100)
    int dense = 200;      // CnnGru's sigmoid layer
    double dropout = 0.0; // CnnGru's dropouts (0.25 for IAT by default)

    // The paper's sizes for `kind` (docs/design.md section 4).
    static NetworkOptions defaults(NetworkKind kind);
};

struct TrainingOptions {
    int maxEpochs = 100;
    int batchSize = 64;
    double learningRate = 1e-3;
    int patience = 5; // epochs without a new validation-loss minimum before stopping
    double validationFraction = 0.1;
    std::uint64_t seed = 1;
    std::string device = "auto"; // auto | cpu | cuda
    int threads = 0;             // LibTorch intra-op threads; 0 = hardware concurrency
};

// What networks this build can run on: "cpu" always; "cuda" when LibTorch
// sees a CUDA device. availability reason for the UI when CUDA is absent.
// torchAvailable(): the LibTorch module (models/network_backend.h) is there -
// found, and not failed to load - without loading it; cudaAvailable() loads it.
bool torchAvailable() noexcept;
// Loads the module now (once; about a second); false with
// torchUnavailableReason() when it cannot be loaded.
bool loadNetworkModule() noexcept;
// Why not, when torchAvailable() or loadNetworkModule() is false (built without LibTorch; the
// module not found or not loadable, with the loader's reason).
std::string torchUnavailableReason();
bool cudaAvailable() noexcept;
std::string cudaUnavailableReason();
// One of the device names a user may give: auto, cpu, cuda (whether CUDA is
// there is resolveDevice()'s question).
inline bool isDeviceName(std::string_view device) noexcept
{
    return device == "auto" || device == "cpu" || device == "cuda";
}
// "auto" -> "cuda" when available, else "cpu"; "cpu"/"cuda" as given.
// Throws ModelError for "cuda" without CUDA and for unknown names.
std::string resolveDevice(std::string_view device);

class SequenceNetwork {
public:
    explicit SequenceNetwork(NetworkOptions options = {});
    ~SequenceNetwork();
    SequenceNetwork(SequenceNetwork&&) noexcept;
    SequenceNetwork& operator=(SequenceNetwork&&) noexcept;
    SequenceNetwork(const SequenceNetwork&) = delete;
    SequenceNetwork& operator=(const SequenceNetwork&) = delete;

    // classes[i] in [0, classCount); classCount >= 2; rows >= 2; length >= 3
    // for CnnGru (its second convolution has no padding). `report` is the
    // template for epoch reports (model, threshold, fold filled by the
    // caller). Returns false when cancelled through `feedback` (polled between
    // batches; the previous state is kept), true when trained.
    bool fit(const float* x, std::size_t rows, std::size_t length, std::size_t channels,
             const int* classes, int classCount, const TrainingOptions& training,
             Feedback* feedback = nullptr, const EpochReport& report = {});

    // rows x classCount() probabilities; rows may be 0. Runs on the device
    // the network was trained on (or CPU after load()) in batches of 1,024.
    std::vector<double> predictProba(const float* x, std::size_t rows) const;

    bool isTrained() const noexcept;
    int classCount() const noexcept;
    std::size_t length() const noexcept;
    std::size_t channels() const noexcept;
    const NetworkOptions& options() const noexcept;
    std::string device() const; // "cpu" or "cuda"
    std::int64_t parameterCount() const;
    const std::vector<EpochReport>& history() const noexcept;
    // Moves the network to another device ("cpu", "cuda", "auto").
    void setDevice(std::string_view device);
    void setThreads(int threads) noexcept;

    // "SNNN" header (version, options, shapes), LibTorch's archive of the
    // weights and batch-norm statistics, and a ContentHasher checksum.
    std::vector<std::uint8_t> save() const;
    // Inverse of save(); the network is on the CPU. Throws ModelError on a
    // wrong magic, newer version, checksum mismatch or truncation.
    static SequenceNetwork load(std::span<const std::uint8_t> bytes);

private:
    struct Impl;
    NetworkOptions m_options;
    std::unique_ptr<Impl> m_impl;
};

} // namespace snilab
