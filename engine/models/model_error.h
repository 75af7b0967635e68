// ModelError: a model could not be trained, applied, saved or loaded. what()
// is one line saying what was wrong.
#pragma once

#include <stdexcept>

namespace snilab {

class ModelError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace snilab
