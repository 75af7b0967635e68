#include "common/error.h"

namespace snilab {

std::string InputError::oneLine() const
{
    std::string s = file.empty() ? std::string("<input>") : file;
    s += ": ";
    if (offset != kNoOffset) {
        s += "offset ";
        s += std::to_string(offset);
        s += ": ";
    }
    s += reason;
    return s;
}

} // namespace snilab
