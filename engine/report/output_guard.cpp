#include "report/output_guard.h"

#include "report/text_escape.h"

#include <sys/stat.h>

namespace snilab::report {

std::vector<GuardedInput> catalogInputs(const std::filesystem::path& catalog)
{
    std::vector<GuardedInput> out = {{catalog, "the catalog"}};
    // SQLite names the side files after the catalog's real path (a symlinked
    // catalog's journal sits next to its target): both names are guarded.
    std::error_code ec;
    const auto real = std::filesystem::weakly_canonical(catalog, ec);
    for (const char* suffix : {"-wal", "-shm", "-journal"}) {
        std::filesystem::path side = catalog;
        side += suffix;
        out.push_back({side, "the catalog's SQLite file", true});
        if (!ec && real != catalog) {
            std::filesystem::path realSide = real;
            realSide += suffix;
            out.push_back({realSide, "the catalog's SQLite file", true});
        }
    }
    return out;
}

bool sameFile(const std::filesystem::path& a, const std::filesystem::path& b)
{
    struct stat sa {
    }, sb{};
    if (::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0)
        return false;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

namespace {

[[noreturn]] void conflict(const std::filesystem::path& output, const GuardedInput& in,
                           const std::string& option)
{
    throw OutputConflict(option + " " + escapeText(output.string()) + " is " + in.role +
                         (output == in.path ? "" : " (" + escapeText(in.path.string()) + ")") +
                         ": refusing to overwrite an input");
}

} // namespace

void refuseOverwrite(const std::filesystem::path& output, const std::vector<GuardedInput>& inputs,
                     const std::string& option)
{
    for (const auto& in : inputs) {
        if (!in.evenIfAbsent)
            continue;
        std::error_code e1, e2;
        const auto a = std::filesystem::weakly_canonical(output, e1);
        const auto b = std::filesystem::weakly_canonical(in.path, e2);
        if (!e1 && !e2 && a == b)
            conflict(output, in, option);
    }
    struct stat so {};
    if (::stat(output.c_str(), &so) != 0)
        return; // nothing there yet: nothing to overwrite
    for (const auto& in : inputs) {
        struct stat si {};
        if (::stat(in.path.c_str(), &si) != 0)
            continue;
        if (so.st_dev == si.st_dev && so.st_ino == si.st_ino)
            conflict(output, in, option);
    }
}

} // namespace snilab::report
