#include "common/content_hash.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace snilab {
namespace {

constexpr std::uint64_t kPrime1 = 0x9E3779B185EBCA87ull;
constexpr std::uint64_t kPrime2 = 0xC2B2AE3D27D4EB4Full;

std::uint64_t rotl(std::uint64_t v, int r)
{
    return (v << r) | (v >> (64 - r));
}

std::uint64_t load64(const std::uint8_t* p)
{
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return v; // little-endian hosts only (x86-64, aarch64): the hash is a local fingerprint
}

std::uint64_t avalanche(std::uint64_t h)
{
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 33;
    return h;
}

} // namespace

void ContentHasher::block(const std::uint8_t* p) noexcept
{
    for (int i = 0; i < 4; ++i) {
        m_lane[i] += load64(p + 8 * i) * kPrime2;
        m_lane[i] = rotl(m_lane[i], 31) * kPrime1;
    }
}

void ContentHasher::update(std::span<const std::uint8_t> data) noexcept
{
    if (data.empty())
        return; // (and memcpy from an empty span's null data() would be undefined)
    m_total += data.size();
    std::size_t i = 0;
    if (m_tailLength > 0) {
        const std::size_t take = std::min<std::size_t>(32 - m_tailLength, data.size());
        std::memcpy(m_tail + m_tailLength, data.data(), take);
        m_tailLength += take;
        i = take;
        if (m_tailLength < 32)
            return;
        block(m_tail);
        m_tailLength = 0;
    }
    // Lanes in locals so the compiler keeps them in registers across blocks.
    std::uint64_t l0 = m_lane[0], l1 = m_lane[1], l2 = m_lane[2], l3 = m_lane[3];
    const std::uint8_t* p = data.data();
    for (; i + 32 <= data.size(); i += 32) {
        l0 = rotl(l0 + load64(p + i) * kPrime2, 31) * kPrime1;
        l1 = rotl(l1 + load64(p + i + 8) * kPrime2, 31) * kPrime1;
        l2 = rotl(l2 + load64(p + i + 16) * kPrime2, 31) * kPrime1;
        l3 = rotl(l3 + load64(p + i + 24) * kPrime2, 31) * kPrime1;
    }
    m_lane[0] = l0;
    m_lane[1] = l1;
    m_lane[2] = l2;
    m_lane[3] = l3;
    m_tailLength = data.size() - i;
    if (m_tailLength > 0)
        std::memcpy(m_tail, data.data() + i, m_tailLength);
}

std::string ContentHasher::finishHex()
{
    // The tail is zero-padded and the total length mixed in, so inputs that
    // differ only by trailing zero bytes still hash differently.
    std::memset(m_tail + m_tailLength, 0, 32 - m_tailLength);
    block(m_tail);
    const std::uint64_t hi = avalanche(m_lane[0] ^ rotl(m_lane[1], 17) ^ m_total * kPrime1);
    const std::uint64_t lo = avalanche(m_lane[2] ^ rotl(m_lane[3], 29) ^ (m_total + hi) * kPrime2);
    char buf[33];
    std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(hi),
                  static_cast<unsigned long long>(lo));
    return buf;
}

} // namespace snilab
