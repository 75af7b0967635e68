#include "common/openmp_env.h"

#include <cstdlib>
#include <unistd.h>

namespace snilab {

void ensurePassiveOpenMp(char** argv)
{
    if (std::getenv("OMP_WAIT_POLICY") != nullptr || argv == nullptr || argv[0] == nullptr)
        return;
    if (::setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0)
        return;
    ::execv("/proc/self/exe", argv);
    // execv returned: /proc is missing or the binary is gone; run on as is.
}

} // namespace snilab
