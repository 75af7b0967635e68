#include "common/process_identity.h"

#include <cerrno>
#include <csignal>
#include <fstream>
#include <sstream>
#include <unistd.h>
#include <vector>

namespace snilab {

std::string hostName()
{
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0)
        return "?";
    std::string name = buf;
    for (char& c : name)
        if (c == '/')
            c = '_';
    return name;
}

namespace {

std::string bootId()
{
    std::ifstream in("/proc/sys/kernel/random/boot_id");
    std::string id;
    std::getline(in, id);
    return id.empty() ? "?" : id;
}

// Field 22 of /proc/<pid>/stat (after the parenthesised command name, which
// may itself contain spaces and parentheses); "" when there is no such process.
std::string startTime(long pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!std::getline(in, stat))
        return {};
    const auto close = stat.rfind(')');
    if (close == std::string::npos)
        return {};
    std::istringstream fields(stat.substr(close + 1));
    std::string field;
    // Fields 3.. follow the name; the start time is field 22.
    for (int i = 3; i <= 22; ++i)
        if (!(fields >> field))
            return {};
    return field;
}

std::vector<std::string> splitSlash(const std::string& s)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        const auto slash = s.find('/', start);
        parts.push_back(s.substr(start, slash - start));
        if (slash == std::string::npos)
            return parts;
        start = slash + 1;
    }
}

} // namespace

std::string currentProcessOwner()
{
    const long pid = static_cast<long>(::getpid());
    return hostName() + "/" + bootId() + "/" + std::to_string(pid) + "/" + startTime(pid);
}

OwnerState ownerState(const std::string& owner)
{
    if (owner.empty())
        return OwnerState::Dead; // a run of a build before owners were stored: long gone
    const auto parts = splitSlash(owner);
    if (parts.size() != 4 || parts[2].empty() ||
        parts[2].find_first_not_of("0123456789") != std::string::npos || parts[2].size() > 10)
        return OwnerState::Unknown;
    if (parts[0] != hostName())
        return OwnerState::Unknown;
    if (parts[1] != bootId())
        return OwnerState::Dead; // this host rebooted since
    // Dead only on evidence: no such process, or a process whose start time
    // differs (the pid was reused). An unreadable /proc entry (hidepid, another
    // pid namespace) proves nothing.
    const long pid = std::stol(parts[2]);
    const std::string now = startTime(pid);
    if (!now.empty())
        return now == parts[3] ? OwnerState::Alive : OwnerState::Dead;
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
        return OwnerState::Dead;
    return OwnerState::Unknown;
}

} // namespace snilab
