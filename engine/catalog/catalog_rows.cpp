#include "catalog/catalog_rows.h"

namespace snilab {

std::string_view captureStatusName(CaptureStatus status)
{
    switch (status) {
    case CaptureStatus::Incomplete: return "incomplete";
    case CaptureStatus::Complete: return "complete";
    case CaptureStatus::Partial: return "partial";
    case CaptureStatus::Failed: return "failed";
    }
    return "incomplete";
}

std::optional<CaptureStatus> parseCaptureStatus(std::string_view text)
{
    for (auto s : {CaptureStatus::Incomplete, CaptureStatus::Complete, CaptureStatus::Partial,
                   CaptureStatus::Failed})
        if (captureStatusName(s) == text)
            return s;
    return std::nullopt;
}

} // namespace snilab
