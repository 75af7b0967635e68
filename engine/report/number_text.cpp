#include "report/number_text.h"

#include <cstdio>

namespace snilab::report {

std::string meanStdText(double mean, double std, int folds)
{
    char buf[64];
    if (folds < 2)
        std::snprintf(buf, sizeof buf, "%.3f", mean);
    else
        std::snprintf(buf, sizeof buf, "%.3f ± %.3f", mean, std);
    return buf;
}

} // namespace snilab::report
