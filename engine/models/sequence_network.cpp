// models/sequence_network.h: the networks, forwarded to the LibTorch module
// opened on first use (models/network_backend.h explains why and where).
#include "models/sequence_network.h"

#include "models/network_backend.h"

#include <dlfcn.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>

#ifndef SNILAB_NETWORK_MODULE_BUILD_ID
#define SNILAB_NETWORK_MODULE_BUILD_ID "none" // built without LibTorch: no module to match
#endif

namespace snilab {

namespace {

constexpr const char* kModuleName = "libsnilab_torch.so";

// The first place the module is, "" when none (see network_backend.h).
std::string findModule()
{
    if (const char* env = std::getenv("SNILAB_TORCH_MODULE"); env && *env)
        return env;
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const auto installed = exe.parent_path().parent_path() / "lib" / "snilab" / kModuleName;
        if (std::filesystem::is_regular_file(installed, ec))
            return installed.string();
    }
#ifdef SNILAB_TORCH_MODULE_BUILD_PATH
    if (std::filesystem::is_regular_file(SNILAB_TORCH_MODULE_BUILD_PATH, ec))
        return SNILAB_TORCH_MODULE_BUILD_PATH;
#endif
    return {};
}

// The module's path is looked up once (cheap); loading it takes a second
// under `loadMutex`, while torchAvailable() reads only `loadState` and never
// waits for a load in progress (the workbench preloads on another thread).
struct ModuleState {
    std::once_flag searched;
    std::string path;
    std::mutex loadMutex;
    std::atomic<int> loadState{0}; // 0 not tried, 1 loaded, 2 failed (then `error` is set)
    const NetworkModule* module = nullptr;
    std::string error;
};

constexpr int kLoaded = 1;
constexpr int kFailed = 2;

ModuleState& state()
{
    static ModuleState s;
    return s;
}

const std::string& modulePath()
{
    ModuleState& s = state();
    std::call_once(s.searched, [&] { s.path = findModule(); });
    return s.path;
}

std::string absentReason()
{
#if SNILAB_WITH_TORCH
    return std::string("the LibTorch module ") + kModuleName +
           " was not found (set SNILAB_TORCH_MODULE to its path)";
#else
    return "this snilab was built without LibTorch (SNILAB_WITH_TORCH=OFF): no networks";
#endif
}

// Opens the module; the reason on failure.
std::string openModule(const std::string& path, const NetworkModule** out)
{
    if (path.empty())
        return absentReason();
    // RTLD_LOCAL: LibTorch's symbols stay out of the program's namespace.
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char* why = ::dlerror();
        return "could not load the LibTorch module " + path + ": " + (why ? why : "?");
    }
    using Entry = const NetworkModule* (*)();
    const auto entry = reinterpret_cast<Entry>(::dlsym(handle, "snilab_network_module"));
    const NetworkModule* m = entry ? entry() : nullptr;
    if (!m || m->abi != kNetworkModuleAbi || m->buildId == nullptr ||
        std::strcmp(m->buildId, SNILAB_NETWORK_MODULE_BUILD_ID) != 0)
        return "the LibTorch module " + path +
               " is from another snilab build"; // stays loaded:
                                                // unloading
                                                // LibTorch is unsafe
    *out = m;
    return {};
}

// The loaded module, or nullptr (the reason in state().error).
const NetworkModule* tryModule()
{
    ModuleState& s = state();
    if (s.loadState.load(std::memory_order_acquire) == 0) {
        std::lock_guard lock(s.loadMutex);
        if (s.loadState.load(std::memory_order_relaxed) == 0) {
            const NetworkModule* m = nullptr;
            std::string why = openModule(modulePath(), &m);
            s.module = m;
            s.error = std::move(why);
            s.loadState.store(m ? kLoaded : kFailed, std::memory_order_release);
        }
    }
    return s.loadState.load(std::memory_order_acquire) == kLoaded ? s.module : nullptr;
}

std::string lastError()
{
    ModuleState& s = state();
    return s.loadState.load(std::memory_order_acquire) == kFailed ? s.error : std::string();
}

const NetworkModule& module()
{
    if (const NetworkModule* m = tryModule())
        return *m;
    throw ModelError(lastError());
}

[[noreturn]] void untrained(const char* what)
{
    throw ModelError(std::string(what) + " before fit or load");
}

} // namespace

bool torchAvailable() noexcept
{
    try {
        // Not tried yet (or loading) counts as available: a failure then is
        // a ModelError with the loader's reason.
        return !modulePath().empty() && state().loadState.load() != kFailed;
    } catch (...) {
        return false;
    }
}

bool loadNetworkModule() noexcept
{
    try {
        return tryModule() != nullptr;
    } catch (...) {
        return false;
    }
}

std::string torchUnavailableReason()
{
    return modulePath().empty() ? absentReason() : lastError();
}

bool cudaAvailable() noexcept
{
    try {
        const NetworkModule* m = tryModule();
        return m && m->cudaAvailable();
    } catch (...) {
        return false;
    }
}

std::string cudaUnavailableReason()
{
    const NetworkModule* m = tryModule();
    return m ? m->cudaUnavailableReason() : lastError();
}

std::string resolveDevice(std::string_view device)
{
    return module().resolveDevice(device);
}

struct SequenceNetwork::Impl {
    std::unique_ptr<NetworkBackend> backend;
};

SequenceNetwork::SequenceNetwork(NetworkOptions options)
    : m_options(options), m_impl(std::make_unique<Impl>())
{
}
SequenceNetwork::~SequenceNetwork() = default;
SequenceNetwork::SequenceNetwork(SequenceNetwork&&) noexcept = default;
SequenceNetwork& SequenceNetwork::operator=(SequenceNetwork&&) noexcept = default;

bool SequenceNetwork::fit(const float* x, std::size_t rows, std::size_t length,
                          std::size_t channels, const int* classes, int classCount,
                          const TrainingOptions& training, Feedback* feedback,
                          const EpochReport& report)
{
    // A fresh network each time; a cancelled fit keeps the previous one.
    std::unique_ptr<NetworkBackend> fresh(module().create(m_options));
    if (!fresh->fit(x, rows, length, channels, classes, classCount, training, feedback, report))
        return false;
    if (!m_impl)
        m_impl = std::make_unique<Impl>();
    m_impl->backend = std::move(fresh);
    return true;
}

std::vector<double> SequenceNetwork::predictProba(const float* x, std::size_t rows) const
{
    if (!isTrained())
        untrained("predict");
    return m_impl->backend->predictProba(x, rows);
}

bool SequenceNetwork::isTrained() const noexcept
{
    return m_impl && m_impl->backend && m_impl->backend->isTrained();
}
int SequenceNetwork::classCount() const noexcept
{
    return isTrained() ? m_impl->backend->classCount() : 0;
}
std::size_t SequenceNetwork::length() const noexcept
{
    return isTrained() ? m_impl->backend->length() : 0;
}
std::size_t SequenceNetwork::channels() const noexcept
{
    return isTrained() ? m_impl->backend->channels() : 0;
}
const NetworkOptions& SequenceNetwork::options() const noexcept
{
    return m_options;
}
std::string SequenceNetwork::device() const
{
    return isTrained() ? m_impl->backend->device() : "cpu";
}
std::int64_t SequenceNetwork::parameterCount() const
{
    return isTrained() ? m_impl->backend->parameterCount() : 0;
}
const std::vector<EpochReport>& SequenceNetwork::history() const noexcept
{
    static const std::vector<EpochReport> empty;
    return isTrained() ? m_impl->backend->history() : empty;
}
void SequenceNetwork::setDevice(std::string_view device)
{
    if (isTrained())
        m_impl->backend->setDevice(device); // resolves (and refuses) the device itself
    else
        resolveDevice(device); // refuses a bad device even untrained
}
void SequenceNetwork::setThreads(int threads) noexcept
{
    if (isTrained())
        m_impl->backend->setThreads(threads);
}
std::vector<std::uint8_t> SequenceNetwork::save() const
{
    if (!isTrained())
        untrained("save");
    return m_impl->backend->save();
}
SequenceNetwork SequenceNetwork::load(std::span<const std::uint8_t> bytes)
{
    std::unique_ptr<NetworkBackend> backend(module().load(bytes.data(), bytes.size()));
    SequenceNetwork network(backend->options());
    network.m_impl->backend = std::move(backend);
    return network;
}

} // namespace snilab
