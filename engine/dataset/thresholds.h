// Class thresholds (docs/design.md section 5, "Threshold T").
//
// A class (label) is kept when its number of samples meets the threshold T:
//   ThresholdRule::AtLeast  (default)  count >= T
//   ThresholdRule::MoreThan            count >  T   (what the paper's code did)
// The paper's sweep is T = 100, 200, ..., 1000.
//
// String labels: the empty label marks an unlabeled connection (flow/label.h);
// it never forms a class and is never kept, whatever T is. Int labels: every
// value is a class.
//
// Dense class ids: the kept labels sorted ascending (std::string: by byte-wise
// text, i.e. std::string's operator<; int: numerically); the i-th of them is
// class id i, so ids are 0..K-1 and stable for the same set of kept labels.
//
// Thread: pure functions, safe from any thread. Failure: none (no throw except
// std::bad_alloc).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace snilab {

enum class ThresholdRule { AtLeast, MoreThan };
// "at-least" / "more-than", and back (nullopt for anything else).
std::string_view thresholdRuleName(ThresholdRule rule);
std::optional<ThresholdRule> parseThresholdRule(std::string_view text);

// The largest threshold accepted anywhere.
inline constexpr int kMaxThreshold = 1'000'000'000;

// A threshold list as users type it, in the CLI (--thresholds) and in the
// workbench: comma-separated items, each a whole number 0..kMaxThreshold or a
// range FROM-TO/STEP (100-1000/100 = 100, 200, ..., 1000; at most 1000
// values); spaces around items are allowed. The result is ascending. Refused
// (nullopt, one-line reason in *error): an empty list or item ("100,,200",
// "rf,"), anything else than digits, a threshold listed twice (also through a
// range: every threshold is one row of the results).
std::optional<std::vector<int>> parseThresholdList(std::string_view text, std::string* error);

// True when `count` meets `threshold` under `rule`.
constexpr bool meetsThreshold(std::size_t count, std::size_t threshold,
                              ThresholdRule rule = ThresholdRule::AtLeast)
{
    return rule == ThresholdRule::AtLeast ? count >= threshold : count > threshold;
}

// The distinct labels of `labels` (one per sample) whose sample count meets
// the threshold, sorted ascending. Labels with no sample are never returned
// (so T = 0 with AtLeast keeps every label that occurs).
std::vector<int> classesMeetingThreshold(const std::vector<int>& labels, std::size_t threshold,
                                         ThresholdRule rule = ThresholdRule::AtLeast);
std::vector<std::string> classesMeetingThreshold(const std::vector<std::string>& labels,
                                                 std::size_t threshold,
                                                 ThresholdRule rule = ThresholdRule::AtLeast);

// The kept classes and the samples that belong to them.
template <typename Label> struct ClassSelection {
    // Kept labels, sorted ascending; class id i <-> classLabels[i]. K = size().
    std::vector<Label> classLabels;
    // Indices (into the input) of the samples whose label is kept, ascending.
    std::vector<std::size_t> sampleIndices;
    // Dense class id of each kept sample, parallel to sampleIndices.
    std::vector<int> classes;
};

// classesMeetingThreshold() plus the dense ids and the kept samples.
ClassSelection<int> selectClasses(const std::vector<int>& labels, std::size_t threshold,
                                  ThresholdRule rule = ThresholdRule::AtLeast);
ClassSelection<std::string> selectClasses(const std::vector<std::string>& labels,
                                          std::size_t threshold,
                                          ThresholdRule rule = ThresholdRule::AtLeast);

} // namespace snilab
