// SHA-256 (FIPS 180-4), used for JA4 hashes. Not for secrets.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace snilab {

std::array<std::uint8_t, 32> sha256(std::span<const std::uint8_t> data);
std::string sha256Hex(std::string_view text); // lowercase hex of the digest

} // namespace snilab
