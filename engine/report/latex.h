// The one LaTeX writer's escaping (tables for papers, from the CLI and the
// workbench): the text is first made safe by escapeText()
// (report/text_escape.h), then every character special to LaTeX is escaped -
// \ & % $ # _ { } ~ ^ - and the few non-ASCII symbols snilab itself writes
// (± – → ↑ ↓) become their math-mode forms. Other UTF-8 is kept (pdflatex
// with inputenc, or xelatex/lualatex, typeset it). Thread: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace snilab::report {

std::string latexEscape(std::string_view text);
// "a & b & c \\\n" from already escaped cells.
std::string latexRow(const std::vector<std::string>& escapedCells);

} // namespace snilab::report
