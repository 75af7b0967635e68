#include "report/atomic_file.h"

#include "common/process_identity.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace snilab::report {
namespace {

constexpr std::string_view kTag = ".snilab-";

// Live temporaries, for removeTemporariesFromSignalHandler(): each slot owns a
// heap copy of the path while its AtomicFile is alive. Only the owning thread
// writes its slot; the handler only reads.
constexpr int kSlots = 64;
std::atomic<char*> g_slots[kSlots];

int registerTemporary(const std::filesystem::path& path)
{
    for (int i = 0; i < kSlots; ++i) {
        char* expected = nullptr;
        char* copy = ::strdup(path.c_str());
        if (!copy)
            return -1;
        if (g_slots[i].compare_exchange_strong(expected, copy))
            return i;
        std::free(copy);
    }
    return -1; // more than kSlots files at once: only the pid sweep cleans up
}

void unregisterTemporary(int slot)
{
    if (slot >= 0)
        std::free(g_slots[slot].exchange(nullptr));
}

std::filesystem::path directoryOf(const std::filesystem::path& target)
{
    const auto parent = target.parent_path();
    return parent.empty() ? std::filesystem::path(".") : parent;
}

// This host's name, as it appears in temporary names (no '/' or '-').
std::string hostTag()
{
    std::string name = hostName();
    if (name.empty() || name == "?")
        return "host";
    // '-' separates the fields of the name: a host "node" must not match "node-2".
    for (char& c : name)
        if (c == '-')
            c = '_';
    return name;
}

// ".<name>.snilab-<host>-" for this host.
std::string temporaryPrefix(const std::filesystem::path& target)
{
    return "." + target.filename().string() + std::string(kTag) + hostTag() + "-";
}

// Leftovers ".<name>.snilab-<host>-<pid>-<random>.tmp" of processes of this
// host that are gone (another host's pids cannot be checked from here).
void removeStaleTemporaries(const std::filesystem::path& target)
{
    const std::string prefix = temporaryPrefix(target);
    std::error_code ec;
    for (std::filesystem::directory_iterator it(directoryOf(target), ec), end; !ec && it != end;
         it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.rfind(prefix, 0) != 0 || name.size() < prefix.size() + 5 ||
            name.substr(name.size() - 4) != ".tmp")
            continue;
        const std::string rest = name.substr(prefix.size());
        const auto dash = rest.find('-');
        if (dash == std::string::npos || dash == 0 || rest.find_first_not_of("0123456789") != dash)
            continue;
        long pid = 0;
        try {
            pid = std::stol(rest.substr(0, dash));
        } catch (const std::exception&) {
            continue;
        }
        if (pid > 0 && pid != static_cast<long>(getpid()) &&
            ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
            std::error_code removeError;
            std::filesystem::remove(it->path(), removeError);
        }
    }
}

} // namespace

AtomicFile::AtomicFile(std::filesystem::path target) : m_target(std::move(target))
{
    if (m_target.empty() || m_target.filename().empty())
        throw OutputError("cannot write '" + m_target.string() + "': not a file name");
    removeStaleTemporaries(m_target);
    std::random_device seed;
    std::mt19937_64 random((static_cast<std::uint64_t>(seed()) << 32) ^ seed());
    for (int attempt = 0; attempt < 100; ++attempt) {
        char suffix[40];
        std::snprintf(suffix, sizeof suffix, "%ld-%016llx.tmp", static_cast<long>(getpid()),
                      static_cast<unsigned long long>(random()));
        const auto candidate = directoryOf(m_target) / (temporaryPrefix(m_target) + suffix);
        const int fd =
            ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0) {
            if (errno == EEXIST)
                continue;
            throw OutputError("cannot write " + m_target.string() + ": " + std::strerror(errno));
        }
        m_file = ::fdopen(fd, "wb");
        if (!m_file) {
            const int err = errno;
            ::close(fd);
            ::unlink(candidate.c_str());
            throw OutputError("cannot write " + m_target.string() + ": " + std::strerror(err));
        }
        m_temp = candidate;
        m_slot = registerTemporary(m_temp);
        return;
    }
    throw OutputError("cannot write " + m_target.string() + ": no free temporary name");
}

AtomicFile::~AtomicFile()
{
    if (!m_committed)
        discard();
}

void AtomicFile::discard() noexcept
{
    if (m_file) {
        std::fclose(m_file);
        m_file = nullptr;
    }
    if (!m_temp.empty()) {
        ::unlink(m_temp.c_str());
        m_temp.clear();
    }
    unregisterTemporary(m_slot);
    m_slot = -1;
}

void AtomicFile::fail(const std::string& what)
{
    const std::string reason = errno ? std::strerror(errno) : "write error";
    discard();
    throw OutputError(what + " " + m_target.string() + ": " + reason);
}

void AtomicFile::write(std::string_view bytes)
{
    if (!m_file)
        throw OutputError("cannot write " + m_target.string() + ": file already closed");
    errno = 0;
    if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), m_file) != bytes.size())
        fail("cannot write");
}

void AtomicFile::commit()
{
    if (m_committed)
        return;
    if (!m_file)
        throw OutputError("cannot write " + m_target.string() + ": file already closed");
    errno = 0;
    if (std::fflush(m_file) != 0 || std::ferror(m_file))
        fail("cannot write");
    // A writer given temporaryPath() may have replaced the file's content
    // through its own handle: fsync whatever is at the temporary path now.
    const int syncFd = ::open(m_temp.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (syncFd < 0 || ::fsync(syncFd) != 0) {
        if (syncFd >= 0)
            ::close(syncFd);
        fail("cannot write");
    }
    ::close(syncFd);
    errno = 0;
    if (std::fclose(m_file) != 0) {
        m_file = nullptr;
        fail("cannot write");
    }
    m_file = nullptr;
    if (::rename(m_temp.c_str(), m_target.c_str()) != 0)
        fail("cannot write");
    m_temp.clear();
    unregisterTemporary(m_slot);
    m_slot = -1;
    m_committed = true;
    // The rename itself is durable once the directory is synced.
    const int dirFd = ::open(directoryOf(m_target).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
}

void removeTemporariesFromSignalHandler() noexcept
{
    for (auto& slot : g_slots)
        if (const char* path = slot.load())
            ::unlink(path);
}

void writeFileAtomically(const std::filesystem::path& target, std::string_view bytes)
{
    AtomicFile file(target);
    file.write(bytes);
    file.commit();
}

} // namespace snilab::report
