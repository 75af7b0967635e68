#include "common/text_parse.h"

namespace snilab {

std::string_view trimBlanks(std::string_view text) noexcept
{
    const auto blank = [](char c) { return c == ' ' || c == '\t'; };
    while (!text.empty() && blank(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && blank(text.back()))
        text.remove_suffix(1);
    return text;
}

std::vector<std::string_view> splitTrimmed(std::string_view text, char sep)
{
    std::vector<std::string_view> parts;
    while (true) {
        const std::size_t pos = text.find(sep);
        parts.push_back(trimBlanks(text.substr(0, pos)));
        if (pos == std::string_view::npos)
            return parts;
        text.remove_prefix(pos + 1);
    }
}

} // namespace snilab
