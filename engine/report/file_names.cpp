#include "report/file_names.h"

namespace snilab::report {

std::string fileSafeName(std::string_view name)
{
    std::string out(name);
    for (char& c : out) {
        const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '.' || c == '+' || c == '-';
        if (!keep)
            c = '_';
    }
    if (out.empty() || out == "." || out == "..")
        return std::string(1, '_');
    return out;
}

} // namespace snilab::report
