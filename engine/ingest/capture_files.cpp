#include "ingest/capture_files.h"

#include <algorithm>
#include <set>
#include <string>
#include <string_view>

namespace snilab {

bool isCaptureName(const std::filesystem::path& path)
{
    std::string name = path.filename().string();
    for (char& c : name)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    const auto strip = [&](std::string_view suffix) {
        if (name.size() > suffix.size() &&
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
            name.resize(name.size() - suffix.size());
            return true;
        }
        return false;
    };
    if (!strip(".gz"))
        strip(".zst");
    for (const char* ext : {".pcap", ".pcapng", ".cap", ".dmp", ".mcap"})
        if (strip(ext))
            return true;
    return false;
}

std::vector<std::filesystem::path>
findCaptureFiles(const std::vector<std::filesystem::path>& inputs)
{
    std::vector<std::filesystem::path> files;
    std::set<std::filesystem::path> seen;
    const auto add = [&](const std::filesystem::path& p) {
        if (seen.insert(p.lexically_normal()).second)
            files.push_back(p);
    };
    for (const auto& in : inputs) {
        std::error_code ec;
        if (!std::filesystem::is_directory(in, ec)) {
            add(in);
            continue;
        }
        std::vector<std::filesystem::path> found;
        for (auto it = std::filesystem::recursive_directory_iterator(
                 in, std::filesystem::directory_options::skip_permission_denied, ec);
             !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
            if (it->is_regular_file(ec) && isCaptureName(it->path()))
                found.push_back(it->path());
        std::sort(found.begin(), found.end());
        for (const auto& f : found)
            add(f);
    }
    return files;
}

} // namespace snilab
