#include "common/percentile.h"

#include <algorithm>
#include <cmath>

namespace snilab {

namespace {

// numpy's _lerp: a + t*(b-a), computed from b's side for t >= 0.5 (exact at t == 1).
double lerp(double a, double b, double t)
{
    const double diff = b - a;
    return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

} // namespace

double percentileOfSorted(std::span<const double> sorted, double q)
{
    if (sorted.empty())
        return 0.0;
    const double position = q * static_cast<double>(sorted.size() - 1);
    const double lowerPos = std::floor(position);
    const auto lower = static_cast<std::size_t>(lowerPos);
    const std::size_t upper = std::min(lower + 1, sorted.size() - 1);
    return lerp(sorted[lower], sorted[upper], position - lowerPos);
}

double percentileOfCounts(std::span<const ValueCount> ascending, double q)
{
    std::uint64_t total = 0;
    for (const ValueCount& v : ascending)
        total += v.count;
    if (total == 0)
        return 0.0;
    // As percentileOfSorted() on the expanded values: the values at ranks
    // `lower` and `lower + 1` (0-based), interpolated.
    const double position = q * static_cast<double>(total - 1);
    const double lowerPos = std::floor(position);
    const auto lower = static_cast<std::uint64_t>(lowerPos);
    const std::uint64_t upper = std::min(lower + 1, total - 1);
    double lowerValue = 0.0;
    double upperValue = 0.0;
    std::uint64_t seen = 0;
    for (const ValueCount& v : ascending) {
        const std::uint64_t next = seen + v.count;
        if (lower >= seen && lower < next)
            lowerValue = v.value;
        if (upper >= seen && upper < next) {
            upperValue = v.value;
            break;
        }
        seen = next;
    }
    return lerp(lowerValue, upperValue, position - lowerPos);
}

} // namespace snilab
