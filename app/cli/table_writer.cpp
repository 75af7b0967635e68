#include "table_writer.h"

#include <algorithm>

namespace snilab::cli {
namespace {

std::string escapeControls(const std::string& s)
{
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        if (c < 0x20 || c == 0x7f) {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

std::string csvField(const std::string& raw)
{
    const std::string s = escapeControls(raw);
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

} // namespace

void TableWriter::row(const std::vector<std::string>& fields)
{
    if (m_style == Style::Aligned) {
        m_pending.push_back(fields);
        return;
    }
    std::string line;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i)
            line += m_style == Style::Csv ? ',' : '\t';
        line += m_style == Style::Csv ? csvField(fields[i]) : escapeControls(fields[i]);
    }
    line += '\n';
    std::fputs(line.c_str(), m_out);
}

void TableWriter::flush()
{
    if (m_pending.empty())
        return;
    std::vector<std::size_t> width;
    for (auto& r : m_pending)
        for (std::size_t i = 0; i < r.size(); ++i) {
            r[i] = escapeControls(r[i]);
            if (width.size() <= i)
                width.push_back(0);
            width[i] = std::max(width[i], r[i].size());
        }
    for (const auto& r : m_pending) {
        std::string line;
        for (std::size_t i = 0; i < r.size(); ++i) {
            const bool numeric = !r[i].empty() && std::all_of(r[i].begin(), r[i].end(), [](char c) {
                return c >= '0' && c <= '9';
            });
            const std::string pad(width[i] - r[i].size(), ' ');
            if (i + 1 == r.size() && !numeric) {
                line += r[i]; // no trailing spaces
            } else {
                line += numeric ? pad + r[i] : r[i] + pad;
            }
            if (i + 1 < r.size())
                line += "  ";
        }
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        line += '\n';
        std::fputs(line.c_str(), m_out);
    }
    m_pending.clear();
    std::fflush(m_out);
}

} // namespace snilab::cli
