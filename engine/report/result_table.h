// ResultTable: a table of results as typed values, the one shape every
// tabular report takes before it becomes text - summary.csv, per_class.csv,
// epochs.csv, the confusion matrices and Table 1 from `snilab-cli report`,
// the same tables in the workbench's views and in their CSV/LaTeX exports
// (predictions.csv, which grows with the data, is streamed instead). The
// builders of those tables (report/run_report.h) decide the columns once; the
// writers here decide the text once, so a renamed column or metric changes every output.
//
// Cells: text, an integer, a real, a mean ± std over folds, or missing.
// Text of a cell (cellText):
//   integer  decimal
//   real     `decimals` places (the column's, default 6) in files; 3 in the
//            workbench's display
//   mean±std report/number_text.h meanStdText ("0.970 ± 0.008"; one fold:
//            the mean alone)
//   missing  "" in CSV (a spreadsheet's empty cell), kMissingCell ("–") in
//            LaTeX and on screen
// In CSV a column holding a mean ± std becomes two numeric columns,
// NAME_mean and NAME_std (the column's decimals; std empty for one fold).
// CSV goes through report/csv.h (escaping, formula rule, RFC 4180), LaTeX
// through report/latex.h (every special character escaped).
// Thread: plain values and pure functions.
// Failure: addRow() throws std::invalid_argument for a row of the wrong
// width (a builder bug, not bad input).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace snilab::report {

struct MeanStd {
    double mean = 0;
    double std = 0;
    int folds = 0;
};

using Cell = std::variant<std::monostate, std::string, std::int64_t, double, MeanStd>;

struct Column {
    Column(std::string name_, std::string title_ = {}, char align_ = 'r', int decimals_ = 6)
        : name(std::move(name_)), title(std::move(title_)), align(align_), decimals(decimals_)
    {
    }
    std::string name;  // the header in files
    std::string title; // the header on screen ("" = name)
    char align = 'r';  // LaTeX column alignment: l, c or r
    int decimals = 6;  // reals in files
    const std::string& displayTitle() const { return title.empty() ? name : title; }
};

// A row from its values, each becoming one Cell.
template <class... T> std::vector<Cell> cells(T&&... values)
{
    std::vector<Cell> row;
    row.reserve(sizeof...(T));
    (row.emplace_back(std::forward<T>(values)), ...);
    return row;
}

class ResultTable {
public:
    ResultTable() = default;
    explicit ResultTable(std::vector<Column> columns) : m_columns(std::move(columns)) {}

    void addRow(std::vector<Cell> cells);

    std::size_t rowCount() const noexcept { return m_rows.size(); }
    std::size_t columnCount() const noexcept { return m_columns.size(); }
    const Column& column(std::size_t c) const { return m_columns.at(c); }
    const Cell& cell(std::size_t r, std::size_t c) const { return m_rows.at(r).at(c); }

private:
    std::vector<Column> m_columns;
    std::vector<std::vector<Cell>> m_rows;
};

enum class CellStyle { Csv, Latex, Display };

std::string cellText(const Cell& cell, const Column& column, CellStyle style);
// The number behind a cell (the mean of a mean±std), for sorting and charts.
std::optional<double> cellNumber(const Cell& cell);

// Header line and one line per row (report/csv.h).
std::string tableCsv(const ResultTable& table);
// A LaTeX tabular: "% comment" (if any), \begin{tabular}{aligns}, \hline,
// header, \hline, rows, \hline, \end{tabular}.
std::string tableLatex(const ResultTable& table, const std::string& comment = {});

} // namespace snilab::report
