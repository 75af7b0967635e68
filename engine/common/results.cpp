#include "common/results.h"

#include <cmath>
#include <cstdio>

namespace snilab {

std::uint16_t tenThousandthsOf(double p)
{
    if (!(p > 0.0))
        return 0;
    if (p >= 1.0)
        return 10000;
    // Exactly the digits "%.4f" prints ("0.dddd", or "1.0000" just below 1).
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f", p);
    if (buf[0] != '0' || buf[1] != '.')
        return 10000;
    int q = 0;
    for (int i = 2; i < 6; ++i)
        q = q * 10 + (buf[i] - '0');
    return static_cast<std::uint16_t>(q);
}

std::string_view runStatusName(RunStatus status)
{
    switch (status) {
    case RunStatus::Running: return "running";
    case RunStatus::Finished: return "finished";
    case RunStatus::Failed: return "failed";
    case RunStatus::Cancelled: return "cancelled";
    case RunStatus::Interrupted: return "interrupted";
    }
    return "failed";
}

RunStatus parseRunStatus(std::string_view text)
{
    for (auto s : {RunStatus::Running, RunStatus::Finished, RunStatus::Failed, RunStatus::Cancelled,
                   RunStatus::Interrupted})
        if (runStatusName(s) == text)
            return s;
    return RunStatus::Failed;
}

Aggregate aggregate(const std::vector<double>& values)
{
    Aggregate a;
    if (values.empty())
        return a;
    double sum = 0.0;
    for (const double v : values)
        sum += v;
    a.mean = sum / static_cast<double>(values.size());
    double squares = 0.0;
    for (const double v : values)
        squares += (v - a.mean) * (v - a.mean);
    a.std = std::sqrt(squares / static_cast<double>(values.size()));
    return a;
}

} // namespace snilab
