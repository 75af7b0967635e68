#include "flow/label.h"

#include <arpa/inet.h>
#include <libpsl.h>

namespace snilab {

std::optional<LabelMode> parseLabelMode(std::string_view text)
{
    if (text == "default")
        return LabelMode::Default;
    if (text == "paper")
        return LabelMode::Paper;
    return std::nullopt;
}

std::string_view labelModeName(LabelMode mode)
{
    return mode == LabelMode::Paper ? "paper" : "default";
}

std::string normalizeLabel(std::string_view sni, LabelMode mode)
{
    std::string label(sni);
    for (char& c : label)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    while (!label.empty() && label.back() == '.')
        label.pop_back();
    if (mode == LabelMode::Default || label.empty())
        return label;
    // libpsl treats an IPv4 literal as a host name under the implicit "*" rule
    // ("192.168.1.1" -> registrable "1.1"), so literals are recognised here.
    in_addr v4{};
    if (label.find(':') != std::string::npos || inet_pton(AF_INET, label.c_str(), &v4) == 1)
        return label;

    const char* registrable = psl_registrable_domain(psl_builtin(), label.c_str());
    if (!registrable)
        return label; // an IP literal, a bare suffix or a single label: nothing to strip
    const std::size_t suffixStart = label.size() - std::string_view(registrable).size();
    if (suffixStart == 0)
        return label;
    std::string out;
    std::string part;
    // Walk the labels left of the registrable domain ("a.b." before "example.com").
    for (std::size_t i = 0; i < suffixStart; ++i) {
        const char c = label[i];
        if (c == '.') {
            if (!part.empty()) {
                out += part;
                out += '.';
            }
            part.clear();
        } else if (!(c >= '0' && c <= '9') && c != '-') {
            part += c;
        }
    }
    if (!part.empty()) {
        out += part;
        out += '.';
    }
    out.append(label, suffixStart, std::string::npos);
    return out;
}

} // namespace snilab
