// A fast 128-bit checksum against accidental damage (model files, series
// blobs, data fingerprints): non-cryptographic (four 64-bit multiply-rotate
// lanes over 32-byte blocks, then a final avalanche), collisions only by
// accident - or on purpose: identities that traffic could forge (a capture's
// identity) use SHA-256 (common/digest.h).
#pragma once

#include "common/error.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>

namespace snilab {

class ContentHasher {
public:
    void update(std::span<const std::uint8_t> data) noexcept;
    // 32 lowercase hex digits; the hasher may not be updated afterwards.
    std::string finishHex();

private:
    void block(const std::uint8_t* p) noexcept;
    std::uint64_t m_lane[4] = {0x9E3779B97F4A7C15ull, 0xC2B2AE3D27D4EB4Full, 0x165667B19E3779F9ull,
                               0x27D4EB2F165667C5ull};
    std::uint8_t m_tail[32]{};
    std::size_t m_tailLength = 0;
    std::uint64_t m_total = 0;
};

} // namespace snilab
