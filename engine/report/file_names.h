// The one file-safe name rule (confusion matrices, figures): a model or
// ensemble name becomes a file name by replacing every byte other than ASCII
// letters, digits and ". + -" with '_' ("0.5*rf+1/6*gru" -> "0.5_rf+1_6_gru").
// A name that would be empty, "." or ".." becomes "_". Thread: pure.
#pragma once

#include <string>
#include <string_view>

namespace snilab::report {

std::string fileSafeName(std::string_view name);

} // namespace snilab::report
