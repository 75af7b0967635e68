#include "report/label_list.h"

#include <cstdio>

namespace snilab::report {

std::string probabilityText(double p, int decimals)
{
    if (decimals < 1 || decimals > 17)
        decimals = 4;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, p);
    return buf;
}

std::string labelProbabilityList(const std::vector<std::pair<std::string, double>>& entries,
                                 int decimals)
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
        out += probabilityText(p, decimals);
    }
    return out;
}

} // namespace snilab::report
