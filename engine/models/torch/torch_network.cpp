// The LibTorch networks, built as the loadable module libsnilab_torch.so
// (models/network_backend.h): the only engine code that includes
// <torch/torch.h>. TorchNetwork is the NetworkBackend behind
// models/sequence_network.h.
#include "models/network_backend.h"

#include "common/content_hash.h"
#include "models/model_bytes.h"
#include "models/torch/torch_modules.h"
#include "models/torch/torch_training.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <malloc.h>
#include <mutex>
#include <numeric>
#include <random>
#include <sstream>
#include <thread>

namespace snilab {

using namespace torchmod;

namespace {

constexpr std::uint8_t kMagic[4] = {'S', 'N', 'N', 'N'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kChecksumSize = 32;
constexpr std::int64_t kPredictBatch = 1024;
constexpr std::int64_t kPredictBlock = 16; // batches per device round trip

std::string checksum(std::span<const std::uint8_t> bytes)
{
    ContentHasher hasher;
    hasher.update(bytes);
    return hasher.finishHex();
}

} // namespace

class TorchNetwork final : public NetworkBackend {
public:
    explicit TorchNetwork(NetworkOptions options) : m_options(options) {}

    bool fit(const float* x, std::size_t rows, std::size_t length, std::size_t channels,
             const int* classes, int classCount, const TrainingOptions& training,
             Feedback* feedback, const EpochReport& report) override;
    std::vector<double> predictProba(const float* x, std::size_t rows) const override;
    bool isTrained() const noexcept override;
    int classCount() const noexcept override;
    std::size_t length() const noexcept override;
    std::size_t channels() const noexcept override;
    const NetworkOptions& options() const noexcept override;
    std::string device() const override;
    std::int64_t parameterCount() const override;
    const std::vector<EpochReport>& history() const noexcept override;
    void setDevice(std::string_view device) override;
    void setThreads(int threads) noexcept override;
    std::vector<std::uint8_t> save() const override;
    static std::unique_ptr<TorchNetwork> load(std::span<const std::uint8_t> bytes);

private:
    struct Impl;
    NetworkOptions m_options;
    std::unique_ptr<Impl> m_impl;
};

struct TorchNetwork::Impl {
    std::shared_ptr<SequenceModuleImpl> module;
    int classCount = 0;
    std::size_t length = 0;
    std::size_t channels = 0;
    std::string device = "cpu";
    int threads = 0;
    std::vector<EpochReport> history;
};

bool TorchNetwork::isTrained() const noexcept
{
    return m_impl != nullptr;
}
int TorchNetwork::classCount() const noexcept
{
    return m_impl ? m_impl->classCount : 0;
}
std::size_t TorchNetwork::length() const noexcept
{
    return m_impl ? m_impl->length : 0;
}
std::size_t TorchNetwork::channels() const noexcept
{
    return m_impl ? m_impl->channels : 0;
}
const NetworkOptions& TorchNetwork::options() const noexcept
{
    return m_options;
}
std::string TorchNetwork::device() const
{
    return m_impl ? m_impl->device : "cpu";
}
const std::vector<EpochReport>& TorchNetwork::history() const noexcept
{
    static const std::vector<EpochReport> empty;
    return m_impl ? m_impl->history : empty;
}
void TorchNetwork::setThreads(int threads) noexcept
{
    if (m_impl)
        m_impl->threads = threads;
}

std::int64_t TorchNetwork::parameterCount() const
{
    if (!m_impl)
        return 0;
    std::int64_t n = 0;
    for (const auto& p : m_impl->module->parameters())
        n += p.numel();
    return n;
}

void TorchNetwork::setDevice(std::string_view device)
{
    const std::string resolved = torchmod::resolveDevice(device);
    if (!m_impl)
        return;
    try {
        m_impl->module->to(toDevice(resolved));
    } catch (const std::exception& e) {
        fail("could not move the network to " + resolved + ": " + firstLine(e.what()));
    }
    m_impl->device = resolved;
}

bool TorchNetwork::fit(const float* x, std::size_t rows, std::size_t length, std::size_t channels,
                       const int* classes, int classCount, const TrainingOptions& training,
                       Feedback* feedback, const EpochReport& report)
{
    checkOptions(m_options);
    if (classCount < 2)
        fail("need at least 2 classes (got " + std::to_string(classCount) + ")");
    if (rows < 2)
        fail("need at least 2 training samples (got " + std::to_string(rows) + ")");
    if (channels < 1 || length < 1 || length > 100000 || channels > 64)
        fail("bad sequence shape " + std::to_string(length) + " x " + std::to_string(channels));
    if (m_options.kind == NetworkKind::CnnGru && length < 3)
        fail("the CNN-GRU needs sequences of at least 3 packets");
    if (training.maxEpochs < 1 || training.batchSize < 1 || training.patience < 1 ||
        !(training.learningRate > 0) || !(training.validationFraction >= 0) ||
        training.validationFraction >= 1)
        fail("bad training options (epochs, batch size, patience >= 1; 0 <= validation < 1)");
    for (std::size_t i = 0; i < rows; ++i)
        if (classes[i] < 0 || classes[i] >= classCount)
            fail("class " + std::to_string(classes[i]) + " outside 0.." +
                 std::to_string(classCount - 1));
    const std::string resolved = torchmod::resolveDevice(training.device);
    const torch::Device dev = toDevice(resolved);
    applyThreads(training.threads);

    auto impl = std::make_unique<Impl>();
    impl->classCount = classCount;
    impl->length = length;
    impl->channels = channels;
    impl->device = resolved;
    impl->threads = training.threads;
    try {
        torch::manual_seed(training.seed);
        if (resolved == "cuda")
            torch::cuda::manual_seed_all(training.seed);
        impl->module = makeModule(m_options, static_cast<std::int64_t>(channels), classCount);
        impl->module->to(dev);
        const TrainingTensors data =
            trainingTensors(x, rows, length, channels, classes, training, dev);
        if (!trainModule(*impl->module, data, training, feedback, report, impl->history))
            return false;
    } catch (const ModelError&) {
        throw;
    } catch (const std::exception& e) {
        fail("LibTorch failed while training: " + firstLine(e.what()));
    }
    m_impl = std::move(impl);
    return true;
}

std::vector<double> TorchNetwork::predictProba(const float* x, std::size_t rows) const
{
    if (!m_impl)
        fail("predict before fit or load");
    std::vector<double> out(rows * static_cast<std::size_t>(m_impl->classCount));
    if (rows == 0)
        return out;
    try {
        applyThreads(m_impl->threads);
        torch::NoGradGuard noGrad;
        m_impl->module->eval();
        const torch::Device dev = toDevice(m_impl->device);
        const auto n = static_cast<std::int64_t>(rows);
        const auto L = static_cast<std::int64_t>(m_impl->length);
        const auto C = static_cast<std::int64_t>(m_impl->channels);
        const auto K = static_cast<std::int64_t>(m_impl->classCount);
        // Rows go to the device a block (kPredictBlock batches) at a time;
        // on a GPU a block's probabilities stay there until its last batch,
        // so the host waits once per block, not once per batch, and device
        // memory holds one block whatever the call's size. On the CPU every
        // batch is written straight into `out`.
        const bool onHost = dev.is_cpu();
        const torch::Tensor result = torch::from_blob(out.data(), {n, K}, torch::kFloat64);
        for (std::int64_t block = 0; block < n; block += kPredictBlock * kPredictBatch) {
            const std::int64_t blockEnd = std::min(n, block + kPredictBlock * kPredictBatch);
            const torch::Tensor xBlock = torch::from_blob(const_cast<float*>(x + block * L * C),
                                                          {blockEnd - block, L, C}, torch::kFloat32)
                                             .to(dev);
            const torch::Tensor target =
                onHost ? result.slice(0, block, blockEnd)
                       : torch::empty({blockEnd - block, K},
                                      torch::dtype(torch::kFloat32).device(dev));
            for (std::int64_t start = 0; start < blockEnd - block; start += kPredictBatch) {
                const std::int64_t end = std::min(blockEnd - block, start + kPredictBatch);
                target.slice(0, start, end)
                    .copy_(torch::softmax(m_impl->module->forward(xBlock.slice(0, start, end)), 1));
            }
            if (!onHost)
                result.slice(0, block, blockEnd).copy_(target); // to the host, as doubles
        }
    } catch (const std::exception& e) {
        fail("LibTorch failed while predicting: " + firstLine(e.what()));
    }
    return out;
}

std::vector<std::uint8_t> TorchNetwork::save() const
{
    if (!m_impl)
        fail("save before fit or load");
    std::vector<std::uint8_t> out(std::begin(kMagic), std::end(kMagic));
    putU32(out, kVersion);
    putString(out, std::string(networkKindName(m_options.kind)));
    putU32(out, static_cast<std::uint32_t>(m_options.conv1));
    putU32(out, static_cast<std::uint32_t>(m_options.conv2));
    putU32(out, static_cast<std::uint32_t>(m_options.gru));
    putU32(out, static_cast<std::uint32_t>(m_options.dense));
    putF64(out, m_options.dropout);
    putU32(out, static_cast<std::uint32_t>(m_impl->classCount));
    putU64(out, m_impl->length);
    putU64(out, m_impl->channels);
    try {
        // load() maps every tensor to the CPU, so a network trained on CUDA loads anywhere.
        torch::serialize::OutputArchive archive;
        m_impl->module->save(archive);
        std::ostringstream stream;
        archive.save_to(stream);
        const std::string blob = stream.str();
        putString(out, blob);
    } catch (const std::exception& e) {
        fail("LibTorch could not save the network: " + firstLine(e.what()));
    }
    const std::string digest = checksum(out);
    out.insert(out.end(), digest.begin(), digest.end());
    return out;
}

std::unique_ptr<TorchNetwork> TorchNetwork::load(std::span<const std::uint8_t> bytes)
{
    if (bytes.size() < sizeof(kMagic) || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
        fail("not a snilab network (bad magic)");
    if (bytes.size() < sizeof(kMagic) + 4 + kChecksumSize)
        fail("network bytes truncated");
    const auto payload = bytes.first(bytes.size() - kChecksumSize);
    const auto stored = bytes.last(kChecksumSize);
    const std::string digest = checksum(payload);
    if (!std::equal(stored.begin(), stored.end(), digest.begin(), digest.end()))
        fail("network bytes corrupt (checksum mismatch)");
    ByteReader in(payload);
    in.take(sizeof(kMagic), "magic");
    const std::uint32_t version = in.u32("version");
    if (version > kVersion)
        fail("network written by a newer snilab (format " + std::to_string(version) +
             ", this build reads " + std::to_string(kVersion) + ")");
    if (version != kVersion)
        fail("unsupported network format " + std::to_string(version));
    NetworkOptions o;
    const std::string kind = in.string("kind");
    const auto parsedKind = parseNetworkKind(kind);
    if (!parsedKind)
        fail("unknown network kind '" + kind + "'");
    o.kind = *parsedKind;
    o.conv1 = static_cast<int>(in.u32("options"));
    o.conv2 = static_cast<int>(in.u32("options"));
    o.gru = static_cast<int>(in.u32("options"));
    o.dense = static_cast<int>(in.u32("options"));
    o.dropout = in.f64("options");
    checkOptions(o);
    const std::uint32_t classCount = in.u32("class count");
    const std::uint64_t length = in.u64("length");
    const std::uint64_t channels = in.u64("channels");
    if (classCount < 2 || classCount > 1000000)
        fail("bad class count " + std::to_string(classCount));
    if (length < 1 || length > 100000 || channels < 1 || channels > 64)
        fail("bad sequence shape");
    const auto blob = in.bytes("weights");
    if (in.left() != 0)
        fail(std::to_string(in.left()) + " trailing bytes after the network");

    auto impl = std::make_unique<Impl>();
    impl->classCount = static_cast<int>(classCount);
    impl->length = static_cast<std::size_t>(length);
    impl->channels = static_cast<std::size_t>(channels);
    impl->device = "cpu";
    try {
        impl->module = makeModule(o, static_cast<std::int64_t>(channels),
                                  static_cast<std::int64_t>(classCount));
        torch::serialize::InputArchive archive;
        archive.load_from(reinterpret_cast<const char*>(blob.data()), blob.size(),
                          torch::Device(torch::kCPU));
        impl->module->load(archive);
        impl->module->eval();
    } catch (const std::exception& e) {
        fail("LibTorch could not read the network weights: " + firstLine(e.what()));
    }
    auto network = std::make_unique<TorchNetwork>(o);
    network->m_impl = std::move(impl);
    return network;
}

} // namespace snilab

extern "C" __attribute__((visibility("default"))) const snilab::NetworkModule*
snilab_network_module()
{
    using namespace snilab;
    static const NetworkModule table = {
        kNetworkModuleAbi,
        SNILAB_NETWORK_MODULE_BUILD_ID,
        &torchmod::cudaAvailable,
        &torchmod::cudaUnavailableReason,
        &torchmod::resolveDevice,
        [](const NetworkOptions& options) -> NetworkBackend* { return new TorchNetwork(options); },
        [](const std::uint8_t* bytes, std::size_t size) -> NetworkBackend* {
            return TorchNetwork::load(std::span<const std::uint8_t>(bytes, size)).release();
        },
    };
    return &table;
}
