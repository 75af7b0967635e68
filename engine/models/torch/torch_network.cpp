// The LibTorch networks, built as the loadable module libsnilab_torch.so
// (models/network_backend.h): the only engine code that includes
// <torch/torch.h>. TorchNetwork is the NetworkBackend behind
// models/sequence_network.h.
#include "models/network_backend.h"

#include "common/content_hash.h"
#include "models/model_bytes.h"

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

namespace {

[[noreturn]] void fail(const std::string& message)
{
    throw ModelError(message);
}

// c10::Error messages carry a C++ backtrace after the first line.
std::string firstLine(const char* text)
{
    std::string s(text ? text : "");
    const auto nl = s.find('\n');
    return nl == std::string::npos ? s : s.substr(0, nl);
}

constexpr std::uint8_t kMagic[4] = {'S', 'N', 'N', 'N'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kChecksumSize = 32;
constexpr std::int64_t kPredictBatch = 1024;

// --- The three architectures (DESIGN.md section 4), one module class each. ---

struct SequenceModuleImpl : torch::nn::Module {
    virtual torch::Tensor forward(torch::Tensor x) = 0; // x: batch x time x channels
};

struct CnnGruImpl : SequenceModuleImpl {
    CnnGruImpl(std::int64_t channels, std::int64_t classes, const NetworkOptions& o)
        : conv1(torch::nn::Conv1dOptions(channels, o.conv1, 3).padding(1)), bn1(o.conv1),
          conv2(torch::nn::Conv1dOptions(o.conv1, o.conv2, 3)), bn2(o.conv2),
          gru(torch::nn::GRUOptions(o.conv2, o.gru).batch_first(true)), drop1(o.dropout),
          dense(o.gru, o.dense), drop2(o.dropout), out(o.dense, classes)
    {
        register_module("conv1", conv1);
        register_module("bn1", bn1);
        register_module("conv2", conv2);
        register_module("bn2", bn2);
        register_module("gru", gru);
        register_module("drop1", drop1);
        register_module("dense", dense);
        register_module("drop2", drop2);
        register_module("out", out);
    }
    torch::Tensor forward(torch::Tensor x) override
    {
        x = x.transpose(1, 2);
        x = bn1(torch::relu(conv1(x)));
        x = bn2(torch::relu(conv2(x)));
        x = x.transpose(1, 2).contiguous();
        auto last = std::get<1>(gru(x))[-1];
        x = drop1(last);
        x = torch::sigmoid(dense(x));
        return out(drop2(x));
    }
    torch::nn::Conv1d conv1;
    torch::nn::BatchNorm1d bn1;
    torch::nn::Conv1d conv2;
    torch::nn::BatchNorm1d bn2;
    torch::nn::GRU gru;
    torch::nn::Dropout drop1;
    torch::nn::Linear dense;
    torch::nn::Dropout drop2;
    torch::nn::Linear out;
};
TORCH_MODULE(CnnGru);

struct GruNetImpl : SequenceModuleImpl {
    GruNetImpl(std::int64_t channels, std::int64_t classes, const NetworkOptions& o)
        : gru(torch::nn::GRUOptions(channels, o.gru).num_layers(2).batch_first(true)),
          out(o.gru, classes)
    {
        register_module("gru", gru);
        register_module("out", out);
    }
    torch::Tensor forward(torch::Tensor x) override
    {
        auto last = std::get<1>(gru(x))[-1];
        return out(last);
    }
    torch::nn::GRU gru;
    torch::nn::Linear out;
};
TORCH_MODULE(GruNet);

struct CnnNetImpl : SequenceModuleImpl {
    CnnNetImpl(std::int64_t channels, std::int64_t classes, const NetworkOptions& o)
        : conv1(torch::nn::Conv1dOptions(channels, o.conv1, 3).padding(1)),
          conv2(torch::nn::Conv1dOptions(o.conv1, o.conv2, 3).padding(1)), out(o.conv2, classes)
    {
        register_module("conv1", conv1);
        register_module("conv2", conv2);
        register_module("out", out);
    }
    torch::Tensor forward(torch::Tensor x) override
    {
        x = x.transpose(1, 2);
        x = torch::relu(conv2(torch::relu(conv1(x))));
        return out(std::get<0>(x.max(2)));
    }
    torch::nn::Conv1d conv1;
    torch::nn::Conv1d conv2;
    torch::nn::Linear out;
};
TORCH_MODULE(CnnNet);

std::shared_ptr<SequenceModuleImpl> makeModule(const NetworkOptions& o, std::int64_t channels,
                                               std::int64_t classes)
{
    switch (o.kind) {
    case NetworkKind::CnnGru: return CnnGru(channels, classes, o).ptr();
    case NetworkKind::Gru: return GruNet(channels, classes, o).ptr();
    case NetworkKind::Cnn: return CnnNet(channels, classes, o).ptr();
    }
    fail("unknown network kind");
}

void checkOptions(const NetworkOptions& o)
{
    const auto positive = [](int v, const char* name) {
        if (v < 1 || v > 100000)
            fail(std::string(name) + " must be in 1..100000 (got " + std::to_string(v) + ")");
    };
    positive(o.conv1, "conv1");
    positive(o.conv2, "conv2");
    positive(o.gru, "gru");
    positive(o.dense, "dense");
    if (!(o.dropout >= 0.0 && o.dropout < 1.0))
        fail("dropout must be in [0, 1)");
}

torch::Device toDevice(const std::string& resolved)
{
    return resolved == "cuda" ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
}

// glibc returns every freed multi-megabyte activation buffer to the kernel
// (mmap threshold, heap trim), so each training batch maps and page-faults
// its buffers again: measured 1.7 M minor faults and a third of the CPU time
// in the kernel on an 8k-sample epoch (tests/bench/nn_bench.py). Raising the
// thresholds once keeps those buffers in the heap (peak RSS +8 %, training
// +10 %, batch-256 inference +20 % per CPU second). Process-wide, once.
void tuneAllocator()
{
#ifdef __GLIBC__
    static std::once_flag once;
    std::call_once(once, [] {
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
        mallopt(M_TRIM_THRESHOLD, 128 << 20);
    });
#endif
}

void applyThreads(int threads)
{
    tuneAllocator();
    const int n =
        threads > 0 ? threads : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    if (torch::get_num_threads() != n)
        torch::set_num_threads(n);
}

std::string checksum(std::span<const std::uint8_t> bytes)
{
    ContentHasher hasher;
    hasher.update(bytes);
    return hasher.finishHex();
}

bool moduleCudaAvailable() noexcept
{
    try {
        return torch::cuda::is_available();
    } catch (...) {
        return false;
    }
}

std::string moduleCudaUnavailableReason()
{
    if (moduleCudaAvailable())
        return {};
    return "LibTorch sees no CUDA device (a CPU-only LibTorch build, no GPU, or no driver)";
}

std::string moduleResolveDevice(std::string_view device)
{
    if (device == "auto")
        return moduleCudaAvailable() ? "cuda" : "cpu";
    if (device == "cpu")
        return "cpu";
    if (device == "cuda") {
        if (!moduleCudaAvailable())
            fail("device cuda requested but not available: " + moduleCudaUnavailableReason());
        return "cuda";
    }
    fail("unknown device '" + std::string(device) + "' (use auto, cpu or cuda)");
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
    const std::string resolved = moduleResolveDevice(device);
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
    const std::string resolved = moduleResolveDevice(training.device);
    const torch::Device dev = toDevice(resolved);
    applyThreads(training.threads);

    // Stratified validation split of the given samples, seeded.
    std::mt19937_64 rng(training.seed * 0x9E3779B97F4A7C15ull + 0x51ED);
    std::vector<std::vector<std::int64_t>> byClass(static_cast<std::size_t>(classCount));
    for (std::size_t i = 0; i < rows; ++i)
        byClass[static_cast<std::size_t>(classes[i])].push_back(static_cast<std::int64_t>(i));
    std::vector<std::int64_t> trainIdx, valIdx;
    for (auto& members : byClass) {
        std::shuffle(members.begin(), members.end(), rng);
        auto take = static_cast<std::size_t>(
            std::floor(static_cast<double>(members.size()) * training.validationFraction + 0.5));
        if (take >= members.size())
            take = members.size() > 1 ? members.size() - 1 : 0;
        valIdx.insert(valIdx.end(), members.begin(),
                      members.begin() + static_cast<std::ptrdiff_t>(take));
        trainIdx.insert(trainIdx.end(), members.begin() + static_cast<std::ptrdiff_t>(take),
                        members.end());
    }
    std::sort(trainIdx.begin(), trainIdx.end());
    std::sort(valIdx.begin(), valIdx.end());

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

        const auto n = static_cast<std::int64_t>(rows);
        // from_blob does not copy: clone() so the tensor owns its data.
        const torch::Tensor all = torch::from_blob(const_cast<float*>(x),
                                                   {n, static_cast<std::int64_t>(length),
                                                    static_cast<std::int64_t>(channels)},
                                                   torch::kFloat32)
                                      .clone();
        std::vector<std::int64_t> labels(classes, classes + rows);
        const torch::Tensor allY = torch::tensor(labels, torch::kInt64);
        const auto pick = [&](const std::vector<std::int64_t>& idx) {
            const torch::Tensor t = torch::tensor(idx, torch::kInt64);
            return std::pair{all.index_select(0, t).to(dev), allY.index_select(0, t).to(dev)};
        };
        const auto [xTrain, yTrain] = pick(trainIdx);
        const auto [xVal, yVal] = pick(valIdx);
        const auto trainN = static_cast<std::int64_t>(trainIdx.size());
        const auto valN = static_cast<std::int64_t>(valIdx.size());

        torch::optim::Adam optimizer(impl->module->parameters(),
                                     torch::optim::AdamOptions(training.learningRate));
        // The best epoch's weights and batch-norm statistics.
        std::vector<torch::Tensor> best;
        const auto snapshot = [&] {
            best.clear();
            for (const auto& p : impl->module->parameters())
                best.push_back(p.detach().clone());
            for (const auto& b : impl->module->buffers())
                best.push_back(b.detach().clone());
        };
        const auto restore = [&] {
            torch::NoGradGuard noGrad;
            std::size_t i = 0;
            for (auto& p : impl->module->parameters())
                p.copy_(best[i++]);
            for (auto& b : impl->module->buffers())
                b.copy_(best[i++]);
        };
        double bestLoss = std::numeric_limits<double>::infinity();
        int sinceBest = 0;
        std::vector<std::int64_t> order(static_cast<std::size_t>(trainN));
        std::iota(order.begin(), order.end(), 0);
        const std::int64_t batch = training.batchSize;
        const double totalSteps = static_cast<double>(training.maxEpochs);

        for (int epoch = 1; epoch <= training.maxEpochs; ++epoch) {
            const auto started = std::chrono::steady_clock::now();
            impl->module->train();
            std::shuffle(order.begin(), order.end(), rng);
            const torch::Tensor perm = torch::tensor(order, torch::kInt64).to(dev);
            double lossSum = 0;
            std::int64_t correct = 0;
            for (std::int64_t start = 0; start < trainN; start += batch) {
                if (feedback && feedback->isCancelled())
                    return false;
                const std::int64_t end = std::min(trainN, start + batch);
                // BatchNorm cannot train on a single sample: fold a final
                // batch of one into the previous one's epoch (skip it).
                if (end - start < 2 && trainN >= 2)
                    continue;
                const torch::Tensor idx = perm.slice(0, start, end);
                const torch::Tensor xb = xTrain.index_select(0, idx);
                const torch::Tensor yb = yTrain.index_select(0, idx);
                optimizer.zero_grad();
                const torch::Tensor logits = impl->module->forward(xb);
                const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, yb);
                loss.backward();
                optimizer.step();
                lossSum += loss.item<double>() * static_cast<double>(end - start);
                correct += logits.argmax(1).eq(yb).sum().item<std::int64_t>();
            }
            EpochReport r = report;
            r.epoch = epoch;
            r.maxEpochs = training.maxEpochs;
            r.trainLoss = lossSum / static_cast<double>(std::max<std::int64_t>(trainN, 1));
            r.trainAccuracy = static_cast<double>(correct) /
                              static_cast<double>(std::max<std::int64_t>(trainN, 1));
            impl->module->eval();
            if (valN > 0) {
                torch::NoGradGuard noGrad;
                double vLoss = 0;
                std::int64_t vCorrect = 0;
                for (std::int64_t start = 0; start < valN; start += kPredictBatch) {
                    const std::int64_t end = std::min(valN, start + kPredictBatch);
                    const torch::Tensor logits = impl->module->forward(xVal.slice(0, start, end));
                    const torch::Tensor yb = yVal.slice(0, start, end);
                    vLoss +=
                        torch::nn::functional::cross_entropy(
                            logits, yb,
                            torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                            .item<double>();
                    vCorrect += logits.argmax(1).eq(yb).sum().item<std::int64_t>();
                }
                r.validationLoss = vLoss / static_cast<double>(valN);
                r.validationAccuracy = static_cast<double>(vCorrect) / static_cast<double>(valN);
            } else {
                // No validation samples (tiny data): track the training loss.
                r.validationLoss = r.trainLoss;
                r.validationAccuracy = r.trainAccuracy;
            }
            r.seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            r.improved = r.validationLoss < bestLoss;
            if (r.improved) {
                bestLoss = r.validationLoss;
                sinceBest = 0;
                snapshot();
            } else {
                ++sinceBest;
            }
            impl->history.push_back(r);
            if (feedback) {
                feedback->epoch(r);
                feedback->progress(static_cast<double>(epoch) / totalSteps,
                                   "epoch " + std::to_string(epoch));
            }
            if (sinceBest >= training.patience)
                break;
        }
        if (!best.empty())
            restore();
        impl->module->eval();
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
        for (std::int64_t start = 0; start < n; start += kPredictBatch) {
            const std::int64_t count = std::min(n - start, kPredictBatch);
            const torch::Tensor xb = torch::from_blob(const_cast<float*>(x + start * L * C),
                                                      {count, L, C}, torch::kFloat32)
                                         .to(dev);
            const torch::Tensor probs = torch::softmax(m_impl->module->forward(xb), 1)
                                            .to(torch::kCPU, torch::kFloat64)
                                            .contiguous();
            std::memcpy(out.data() + start * m_impl->classCount, probs.data_ptr<double>(),
                        static_cast<std::size_t>(probs.numel()) * sizeof(double));
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
        &moduleCudaAvailable,
        &moduleCudaUnavailableReason,
        &moduleResolveDevice,
        [](const NetworkOptions& options) -> NetworkBackend* { return new TorchNetwork(options); },
        [](const std::uint8_t* bytes, std::size_t size) -> NetworkBackend* {
            return TorchNetwork::load(std::span<const std::uint8_t>(bytes, size)).release();
        },
    };
    return &table;
}
