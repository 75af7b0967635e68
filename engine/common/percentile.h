// numpy's default percentile ('linear': position q*(m-1) in the sorted values,
// linear interpolation), over sorted values or over distinct values with
// their counts: one definition for the statistics of a stored series
// (features/statistics.h) and for those of a whole connection
// (flow/whole_statistics.h), so both give the same number for the same values.
//
// Thread: pure functions. Failure: none.
#pragma once

#include <cstdint>
#include <span>

namespace snilab {

// `sorted` ascending; q in [0, 1]. Empty -> 0.
double percentileOfSorted(std::span<const double> sorted, double q);

// A multiset as distinct values with their counts, ascending by value
// (counts > 0): the same percentile as over the expanded values. Empty -> 0.
struct ValueCount {
    double value = 0.0;
    std::uint64_t count = 0;
};
double percentileOfCounts(std::span<const ValueCount> ascending, double q);

} // namespace snilab
