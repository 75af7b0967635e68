// The one text of a ranked label list (the `top` cells of predict's CSV and
// of a run's predictions.csv; the catalog stores class indices since schema 7):
// "label:p;label:p", p with four decimals by default (probabilityText());
// inside a label
// `\`, `;` and `:` are written `\\`, `\;` and `\:`, so a list splits
// unambiguously whatever the SNI holds. A CSV cell holding it is then escaped
// like any other (report/csv.h).
//
// Thread: free functions, no state.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace snilab::report {

// p with `decimals` decimals (1..17; outside that range, 4).
std::string probabilityText(double p, int decimals = 4);
std::string labelProbabilityList(const std::vector<std::pair<std::string, double>>& entries,
                                 int decimals = 4);

} // namespace snilab::report
