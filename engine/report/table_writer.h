// Writes rows to a FILE* as CSV (report/csv.h: the one CSV rule), TSV (cells
// escaped by escapeText(), so a tab or newline inside a cell cannot split it,
// and formula cells neutralised as in CSV)
// or an aligned text table for the terminal (cells escaped by escapeText();
// buffered until flush()). Thread: one writer per thread.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace snilab::report {

class TableWriter {
public:
    enum class Style { Csv, Tsv, Aligned };
    TableWriter(std::FILE* out, Style style) : m_out(out), m_style(style) {}
    ~TableWriter() { flush(); }
    TableWriter(const TableWriter&) = delete;
    TableWriter& operator=(const TableWriter&) = delete;

    void row(const std::vector<std::string>& fields);
    void flush();

private:
    std::FILE* m_out;
    Style m_style;
    std::vector<std::vector<std::string>> m_pending;
};

} // namespace snilab::report
