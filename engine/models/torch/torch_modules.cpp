#include "models/torch/torch_modules.h"

#include <algorithm>
#include <malloc.h>
#include <mutex>
#include <thread>

namespace snilab::torchmod {

void fail(const std::string& message)
{
    throw ModelError(message);
}

std::string firstLine(const char* text)
{
    std::string s(text ? text : "");
    const auto nl = s.find('\n');
    return nl == std::string::npos ? s : s.substr(0, nl);
}

namespace {

// --- The three architectures (docs/design.md section 4), one module class each. ---

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

} // namespace

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

void applyThreads(int threads)
{
    tuneAllocator();
    const int n =
        threads > 0 ? threads : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    if (torch::get_num_threads() != n)
        torch::set_num_threads(n);
}

bool cudaAvailable() noexcept
{
    try {
        return torch::cuda::is_available();
    } catch (...) {
        return false;
    }
}

std::string cudaUnavailableReason()
{
    if (cudaAvailable())
        return {};
    return "LibTorch sees no CUDA device (a CPU-only LibTorch build, no GPU, or no driver)";
}

std::string resolveDevice(std::string_view device)
{
    if (device == "auto")
        return cudaAvailable() ? "cuda" : "cpu";
    if (device == "cpu")
        return "cpu";
    if (device == "cuda") {
        if (!cudaAvailable())
            fail("device cuda requested but not available: " + cudaUnavailableReason());
        return "cuda";
    }
    fail("unknown device '" + std::string(device) + "' (use auto, cpu or cuda)");
}

} // namespace snilab::torchmod
