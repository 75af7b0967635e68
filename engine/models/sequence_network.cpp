// models/sequence_network.h: the networks, forwarded to the LibTorch module
// opened on first use (models/network_backend.h explains why and where).
#include "models/sequence_network.h"

#include "models/network_backend.h"

#include <dlfcn.h>
#include <mutex>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

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

struct ModuleState {
    std::mutex mutex;
    bool searched = false;
    std::string path;
    bool tried = false; // dlopen() attempted
    const NetworkModule* module = nullptr;
    std::string error;
};

ModuleState& state()
{
    static ModuleState s;
    return s;
}

// Call with state().mutex held.
const std::string& modulePathLocked(ModuleState& s)
{
    if (!s.searched) {
        s.path = findModule();
        s.searched = true;
    }
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

// The loaded module, or nullptr with state().error set.
const NetworkModule* tryModule()
{
    ModuleState& s = state();
    std::lock_guard lock(s.mutex);
    const std::string& path = modulePathLocked(s);
    if (!s.tried) {
        s.tried = true;
        [&] {
            if (path.empty()) {
                s.error = absentReason();
                return;
            }
            // RTLD_LOCAL: LibTorch's symbols stay out of the program's namespace.
            void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
            if (!handle) {
                const char* why = ::dlerror();
                s.error = "could not load the LibTorch module " + path + ": " + (why ? why : "?");
                return;
            }
            using Entry = const NetworkModule* (*)();
            const auto entry = reinterpret_cast<Entry>(::dlsym(handle, "snilab_network_module"));
            const NetworkModule* m = entry ? entry() : nullptr;
            if (!m || m->abi != kNetworkModuleAbi) {
                s.error = "the LibTorch module " + path + " is from another snilab build";
                return; // kept loaded: unloading LibTorch is not safe
            }
            s.module = m;
        }();
    }
    return s.module;
}

std::string lastError()
{
    ModuleState& s = state();
    std::lock_guard lock(s.mutex);
    return s.error;
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
        ModuleState& s = state();
        std::lock_guard lock(s.mutex);
        // Not tried yet counts as available: loading costs a second, and a
        // failure then is a ModelError with the loader's reason.
        return !modulePathLocked(s).empty() && (!s.tried || s.module != nullptr);
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
    ModuleState& s = state();
    std::lock_guard lock(s.mutex);
    return modulePathLocked(s).empty() ? absentReason() : s.error;
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
    const std::string resolved = resolveDevice(device); // refuses a bad device even untrained
    if (isTrained())
        m_impl->backend->setDevice(resolved);
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
