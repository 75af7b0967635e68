#include "report/table_writer.h"

#include "report/csv.h"
#include "report/text_escape.h"

#include <algorithm>

namespace snilab::report {

void TableWriter::row(const std::vector<std::string>& fields)
{
    if (m_style == Style::Aligned) {
        m_pending.push_back(fields);
        return;
    }
    if (m_style == Style::Csv) {
        std::fputs(csvLine(fields).c_str(), m_out);
        return;
    }
    std::fputs(tsvLine(fields).c_str(), m_out);
}

void TableWriter::flush()
{
    if (m_pending.empty())
        return;
    std::vector<std::size_t> width;
    for (auto& r : m_pending)
        for (std::size_t i = 0; i < r.size(); ++i) {
            r[i] = escapeText(r[i]);
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

} // namespace snilab::report
