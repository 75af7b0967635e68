// Error values for bad input. Broken invariants throw; bad bytes never do.
#pragma once

#include <cstdint>
#include <string>

namespace snilab {

// Where and why input could not be read. `offset` is a byte offset into the
// file (or the packet/stream being parsed), or kNoOffset when it does not apply.
struct InputError {
    static constexpr std::uint64_t kNoOffset = ~std::uint64_t{0};
    std::string file;
    std::uint64_t offset = kNoOffset;
    std::string reason;

    // "file: reason" or "file: offset N: reason", one line.
    std::string oneLine() const;
    // The same without the file name: "reason" or "offset N: reason".
    std::string describe() const;
};

} // namespace snilab
