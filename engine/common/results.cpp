#include "common/results.h"

#include <cmath>

namespace snilab {

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
