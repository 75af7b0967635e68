#include "flow/stream_prefix.h"

#include <algorithm>
#include <cstring>

namespace snilab {

void StreamPrefix::reset(std::uint32_t baseSeq)
{
    clear();
    m_hasBase = true;
    m_base = baseSeq;
}

void StreamPrefix::clear()
{
    m_hasBase = false;
    m_bytes.clear();
    m_pending.clear();
    m_pendingBytes = 0;
}

bool StreamPrefix::add(std::uint32_t seq, std::span<const std::uint8_t> payload)
{
    if (!m_hasBase || payload.empty())
        return false;
    // Offset of the segment relative to the base, modulo 2^32; a segment that
    // starts before the base (negative offset) may still overlap it.
    const auto rel = static_cast<std::int32_t>(seq - m_base);
    std::int64_t start = rel;
    if (start < 0) {
        if (-start >= static_cast<std::int64_t>(payload.size()))
            return false;
        payload = payload.subspan(static_cast<std::size_t>(-start));
        start = 0;
    }
    const auto offset = static_cast<std::size_t>(start);
    if (offset >= m_cap)
        return false;
    if (payload.size() > m_cap - offset)
        payload = payload.first(m_cap - offset);

    const std::size_t have = m_bytes.size();
    if (offset <= have) {
        if (offset + payload.size() <= have)
            return false; // a retransmission of bytes we already hold: first wins
        m_bytes.insert(m_bytes.end(), payload.begin() + static_cast<std::ptrdiff_t>(have - offset),
                       payload.end());
        overlayEarlier(have, m_pending.size());
        drainPending();
        return true;
    }
    // A gap: keep the segment for later, within the pending budget.
    if (m_pendingBytes + payload.size() <= m_cap) {
        m_pending.push_back({static_cast<std::uint32_t>(offset), {payload.begin(), payload.end()}});
        m_pendingBytes += payload.size();
    }
    return false;
}

void StreamPrefix::drainPending()
{
    bool progress = true;
    while (progress && !m_pending.empty()) {
        progress = false;
        for (auto it = m_pending.begin(); it != m_pending.end(); ++it) {
            const std::size_t have = m_bytes.size();
            if (it->offset > have)
                continue;
            const std::size_t end = it->offset + it->bytes.size();
            if (end > have) {
                m_bytes.insert(m_bytes.end(),
                               it->bytes.begin() + static_cast<std::ptrdiff_t>(have - it->offset),
                               it->bytes.end());
                overlayEarlier(have, static_cast<std::size_t>(it - m_pending.begin()));
            }
            m_pendingBytes -= it->bytes.size();
            m_pending.erase(it);
            progress = true;
            break;
        }
    }
}

// The bytes from `from` on were just appended from a segment that arrived
// after m_pending[0..before) (m_pending is in arrival order): those earlier
// segments' bytes win where they overlap, the earliest applied last.
void StreamPrefix::overlayEarlier(std::size_t from, std::size_t before)
{
    const std::size_t have = m_bytes.size();
    for (std::size_t i = before; i-- > 0;) {
        const Pending& p = m_pending[i];
        const std::size_t lo = std::max<std::size_t>(p.offset, from);
        const std::size_t hi = std::min(p.offset + p.bytes.size(), have);
        if (lo < hi)
            std::copy(p.bytes.begin() + static_cast<std::ptrdiff_t>(lo - p.offset),
                      p.bytes.begin() + static_cast<std::ptrdiff_t>(hi - p.offset),
                      m_bytes.begin() + static_cast<std::ptrdiff_t>(lo));
    }
}

std::size_t proxyHeaderLength(std::span<const std::uint8_t> b)
{
    static constexpr std::uint8_t kV2Signature[12] = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                                      0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    if (b.size() >= 16 && std::memcmp(b.data(), kV2Signature, 12) == 0) {
        const std::size_t length = 16 + (std::size_t(b[14]) << 8 | b[15]);
        return length <= b.size() ? length : 0;
    }
    static constexpr char kV1[] = "PROXY ";
    if (b.size() < 8 || std::memcmp(b.data(), kV1, 6) != 0)
        return 0;
    // v1: one line of at most 107 bytes, ending in CRLF.
    const std::size_t limit = std::min<std::size_t>(b.size(), 107);
    for (std::size_t i = 6; i + 1 < limit; ++i)
        if (b[i] == '\r' && b[i + 1] == '\n')
            return i + 2;
    return 0;
}

} // namespace snilab
