// Writes rows as CSV (RFC 4180 quoting), TSV (tabs/newlines in fields become
// spaces) or an aligned text table (buffered until flush()).
// Control characters in fields are written as \xNN so a hostile SNI cannot
// drive the terminal.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace snilab::cli {

class TableWriter {
public:
    enum class Style { Csv, Tsv, Aligned };
    TableWriter(std::FILE* out, Style style) : m_out(out), m_style(style) {}
    ~TableWriter() { flush(); }

    void row(const std::vector<std::string>& fields);
    void flush();

private:
    std::FILE* m_out;
    Style m_style;
    std::vector<std::vector<std::string>> m_pending;
};

} // namespace snilab::cli
