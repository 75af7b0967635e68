// ModelError: a model could not be trained, applied, saved or loaded. what()
// is one line saying what was wrong.
#pragma once

#include <stdexcept>

namespace snilab {

// Default visibility: thrown inside the LibTorch module (hidden visibility)
// and caught in the programs, so both must see one type.
class __attribute__((visibility("default"))) ModelError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace snilab
