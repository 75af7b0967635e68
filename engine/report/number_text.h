// The one text of a metric over folds, for the terminal grid, the workbench's
// Table 1 and table1.tex (through latexEscape, which turns "±" into $\pm$):
// "0.981 ± 0.004" - three decimals - or "0.981" alone when the cell has fewer
// than two folds (a time split), where a standard deviation means nothing.
// kMissingCell is the one text of an empty cell.
//
// Thread: free function, no state.
#pragma once

#include <string>

namespace snilab::report {

std::string meanStdText(double mean, double std, int folds);

// A cell with no value (no such model x threshold, no metric): an en dash in
// every front end (latexEscape writes it `--`).
inline constexpr const char* kMissingCell = "–";

} // namespace snilab::report
