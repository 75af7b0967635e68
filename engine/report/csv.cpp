#include "report/csv.h"

#include "report/text_escape.h"

namespace snilab::report {

bool isPlainNumber(std::string_view s)
{
    std::size_t i = 0;
    const auto digits = [&] {
        const std::size_t start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9')
            ++i;
        return i > start;
    };
    if (i < s.size() && (s[i] == '+' || s[i] == '-'))
        ++i;
    bool mantissa = digits();
    if (i < s.size() && s[i] == '.') {
        ++i;
        mantissa = digits() || mantissa;
    }
    if (!mantissa)
        return false;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-'))
            ++i;
        if (!digits())
            return false;
    }
    return i == s.size();
}

std::string neutraliseFormula(std::string s)
{
    const auto formula = [](char c) { return c == '=' || c == '+' || c == '-' || c == '@'; };
    if (!s.empty() && formula(s[0]) && !isPlainNumber(s))
        s.insert(s.begin(), '\'');
    else if (s.size() >= 2 && s[0] == '\'' && formula(s[1]))
        s.replace(0, 1, "\\x27"); // so that "'=" always means an added apostrophe
    return s;
}

std::string csvCell(std::string_view raw)
{
    std::string s = neutraliseFormula(escapeText(raw));
    if (s.find_first_of(",\"") == std::string::npos)
        return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
    return out;
}

std::string tsvLine(const std::vector<std::string>& cells)
{
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (i)
            line += '\t';
        line += neutraliseFormula(escapeText(cells[i]));
    }
    line += '\n';
    return line;
}

std::string csvLine(const std::vector<std::string>& cells)
{
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (i)
            line += ',';
        line += csvCell(cells[i]);
    }
    line += '\n';
    return line;
}

} // namespace snilab::report
