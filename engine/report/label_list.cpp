#include "report/label_list.h"

#include <cstdio>

namespace snilab::report {

std::string probabilityText(double p)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f", p);
    return buf;
}

std::string labelProbabilityList(const std::vector<std::pair<std::string, double>>& entries)
{
    std::string out;
    for (const auto& [label, p] : entries) {
        if (!out.empty())
            out += ';';
        for (const char ch : label) {
            if (ch == '\\' || ch == ';' || ch == ':')
                out += '\\';
            out += ch;
        }
        out += ':';
        out += probabilityText(p);
    }
    return out;
}

} // namespace snilab::report
