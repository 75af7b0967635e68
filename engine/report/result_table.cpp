#include "report/result_table.h"

#include "report/csv.h"
#include "report/latex.h"
#include "report/number_text.h"

#include <cstdio>
#include <stdexcept>

namespace snilab::report {

void ResultTable::addRow(std::vector<Cell> cells)
{
    if (cells.size() != m_columns.size())
        throw std::invalid_argument("result table row of " + std::to_string(cells.size()) +
                                    " cells for " + std::to_string(m_columns.size()) + " columns");
    m_rows.push_back(std::move(cells));
}

std::string cellText(const Cell& cell, const Column& column, CellStyle style)
{
    if (std::holds_alternative<std::monostate>(cell))
        return style == CellStyle::Csv ? std::string() : std::string(kMissingCell);
    if (const auto* text = std::get_if<std::string>(&cell))
        return *text;
    if (const auto* n = std::get_if<std::int64_t>(&cell))
        return std::to_string(*n);
    if (const auto* ms = std::get_if<MeanStd>(&cell))
        return meanStdText(ms->mean, ms->std, ms->folds);
    char buf[64];
    const int decimals = style == CellStyle::Display ? 3 : column.decimals;
    std::snprintf(buf, sizeof buf, "%.*f", decimals, std::get<double>(cell));
    return buf;
}

std::optional<double> cellNumber(const Cell& cell)
{
    if (const auto* n = std::get_if<std::int64_t>(&cell))
        return static_cast<double>(*n);
    if (const auto* d = std::get_if<double>(&cell))
        return *d;
    if (const auto* ms = std::get_if<MeanStd>(&cell))
        return ms->mean;
    return std::nullopt;
}

std::string tableCsv(const ResultTable& table)
{
    // A column holding a mean ± std becomes two numeric columns, so that a
    // spreadsheet or a script reads numbers, not "0.970 ± 0.008".
    std::vector<bool> split(table.columnCount(), false);
    for (std::size_t c = 0; c < table.columnCount(); ++c)
        for (std::size_t r = 0; r < table.rowCount() && !split[c]; ++r)
            split[c] = std::holds_alternative<MeanStd>(table.cell(r, c));
    std::vector<std::string> cells;
    for (std::size_t c = 0; c < table.columnCount(); ++c) {
        const std::string& name = table.column(c).name;
        if (split[c]) {
            cells.push_back(name + "_mean");
            cells.push_back(name + "_std");
        } else {
            cells.push_back(name);
        }
    }
    std::string out = csvLine(cells);
    for (std::size_t r = 0; r < table.rowCount(); ++r) {
        cells.clear();
        for (std::size_t c = 0; c < table.columnCount(); ++c) {
            const Cell& cell = table.cell(r, c);
            if (!split[c]) {
                cells.push_back(cellText(cell, table.column(c), CellStyle::Csv));
                continue;
            }
            const auto* ms = std::get_if<MeanStd>(&cell);
            const int decimals = table.column(c).decimals;
            cells.push_back(ms ? cellText(Cell(ms->mean), table.column(c), CellStyle::Csv) : "");
            // One fold has no spread: its std is left empty, not 0.
            cells.push_back(
                ms && ms->folds > 1
                    ? cellText(Cell(ms->std), Column("", "", 'r', decimals), CellStyle::Csv)
                    : "");
        }
        out += csvLine(cells);
    }
    return out;
}

std::string tableLatex(const ResultTable& table, const std::string& comment)
{
    std::string out;
    if (!comment.empty()) {
        // Only what could end the comment line is escaped (as escapeText()
        // writes it); the rest is the caller's LaTeX ("$\\pm$").
        out += "% ";
        for (const char ch : comment) {
            const auto u = static_cast<unsigned char>(ch);
            if (u < 0x20 || u == 0x7f) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\x%02x", u);
                out += buf;
            } else {
                out += ch;
            }
        }
        out += "\n";
    }
    std::string aligns;
    std::vector<std::string> cells;
    for (std::size_t c = 0; c < table.columnCount(); ++c) {
        const char a = table.column(c).align;
        aligns.push_back(a == 'l' || a == 'c' ? a : 'r');
        cells.push_back(latexEscape(table.column(c).name));
    }
    out += "\\begin{tabular}{" + aligns + "}\n\\hline\n" + latexRow(cells) + "\\hline\n";
    for (std::size_t r = 0; r < table.rowCount(); ++r) {
        cells.clear();
        for (std::size_t c = 0; c < table.columnCount(); ++c)
            cells.push_back(
                latexEscape(cellText(table.cell(r, c), table.column(c), CellStyle::Latex)));
        out += latexRow(cells);
    }
    out += "\\hline\n\\end{tabular}\n";
    return out;
}

} // namespace snilab::report
