// The one CSV writer's cell and line rules (every CSV snilab writes, from the
// CLI or the workbench, goes through csvCell()):
//  1. the text is escaped by escapeText() (report/text_escape.h): no control
//     character, line break or direction override survives, so one record is
//     always one line and `cat` cannot drive a terminal;
//  2. a cell that a spreadsheet would evaluate - it starts with '=', '+', '-'
//     or '@' - gets a leading apostrophe ("=cmd()" -> "'=cmd()"), unless the
//     whole cell is a plain decimal number ("-0.25", "+1e-3"), which no
//     spreadsheet runs and which must stay a number. Tab and CR cannot lead a
//     cell: rule 1 has already made them "\x09" and "\x0d". A text that
//     itself starts with an apostrophe and a formula character is written
//     with the apostrophe as "\x27", so the rule stays reversible;
//  3. RFC 4180 quoting: a cell holding ',' or '"' is put in double quotes
//     with '"' doubled. Records end with "\n".
// docs/outputs.md documents the rules for users. Thread: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace snilab::report {

std::string csvCell(std::string_view raw);
// Rule 2 alone, on already escaped text (TSV cells use it too).
std::string neutraliseFormula(std::string escaped);
// The cells joined by ',' and terminated by '\n'.
std::string csvLine(const std::vector<std::string>& cells);
// A TSV record (`connections --format tsv`, the workbench's copied cells):
// each cell escaped by escapeText() - a tab or line break inside it cannot
// split it - and rule 2 applied (TSV is pasted into spreadsheets too); joined
// by tabs and terminated by '\n'.
std::string tsvLine(const std::vector<std::string>& cells);
// True for a plain decimal number: [+-]digits[.digits][e[+-]digits].
bool isPlainNumber(std::string_view text);

} // namespace snilab::report
