#include "report/latex.h"

#include "report/text_escape.h"

namespace snilab::report {

std::string latexEscape(std::string_view raw)
{
    const std::string text = escapeText(raw);
    std::string out;
    out.reserve(text.size() + 8);
    const std::string_view v(text);
    for (std::size_t i = 0; i < v.size(); ++i) {
        const char c = v[i];
        const auto rest = v.substr(i);
        const auto symbol = [&](std::string_view utf8, const char* latex) {
            if (rest.substr(0, utf8.size()) != utf8)
                return false;
            out += latex;
            i += utf8.size() - 1;
            return true;
        };
        if (symbol("\xc2\xb1", "$\\pm$") || symbol("\xe2\x80\x93", "--") ||
            symbol("\xe2\x86\x92", "$\\rightarrow$") || symbol("\xe2\x86\x91", "$\\uparrow$") ||
            symbol("\xe2\x86\x93", "$\\downarrow$"))
            continue;
        switch (c) {
        case '\\': out += "\\textbackslash{}"; break;
        case '~': out += "\\textasciitilde{}"; break;
        case '^': out += "\\textasciicircum{}"; break;
        case '&':
        case '%':
        case '$':
        case '#':
        case '_':
        case '{':
        case '}':
            out += '\\';
            out += c;
            break;
        default: out += c;
        }
    }
    return out;
}

std::string latexRow(const std::vector<std::string>& escapedCells)
{
    std::string line;
    for (std::size_t i = 0; i < escapedCells.size(); ++i)
        line += (i ? " & " : "") + escapedCells[i];
    return line + " \\\\\n";
}

} // namespace snilab::report
