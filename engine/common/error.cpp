#include "common/error.h"

namespace snilab {

std::string InputError::describe() const
{
    if (offset == kNoOffset)
        return reason;
    return "offset " + std::to_string(offset) + ": " + reason;
}

std::string InputError::oneLine() const
{
    return (file.empty() ? std::string("<input>") : file) + ": " + describe();
}

} // namespace snilab
