// Reassembles the first bytes of one direction of a TCP stream, from a base
// sequence number, up to a byte cap: enough to parse a ClientHello that spans
// segments, arrives out of order or is retransmitted.
//
// Overlaps keep the bytes that arrived first (like most TCP stacks and
// Suricata's "first" policy); a retransmission with different bytes does not
// rewrite what was already assembled. Bytes beyond the cap are dropped. Memory:
// at most `cap` contiguous bytes plus at most `cap` bytes of pending segments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace snilab {

// Length of a PROXY protocol header (HAProxy v1 text or v2 binary) at the
// start of `b`, or 0 when there is none or it is not complete in `b`: the
// tracker looks for a ClientHello after it.
std::size_t proxyHeaderLength(std::span<const std::uint8_t> b);

class StreamPrefix {
public:
    explicit StreamPrefix(std::size_t cap = 16384) : m_cap(cap) {}

    bool hasBase() const noexcept { return m_hasBase; }
    std::uint32_t base() const noexcept { return m_base; }
    // Sequence number of the first byte; clears anything assembled before.
    void reset(std::uint32_t baseSeq);
    // Forgets everything (no base).
    void clear();

    // Adds a segment's captured payload starting at sequence `seq`. Returns
    // true when the contiguous prefix grew.
    bool add(std::uint32_t seq, std::span<const std::uint8_t> payload);

    std::span<const std::uint8_t> contiguous() const noexcept { return m_bytes; }
    bool full() const noexcept { return m_bytes.size() >= m_cap; }

private:
    struct Pending {
        std::uint32_t offset;
        std::vector<std::uint8_t> bytes;
    };
    void drainPending();
    void overlayEarlier(std::size_t from, std::size_t before);

    std::size_t m_cap;
    bool m_hasBase = false;
    std::uint32_t m_base = 0;
    std::vector<std::uint8_t> m_bytes;
    std::vector<Pending> m_pending;
    std::size_t m_pendingBytes = 0;
};

} // namespace snilab
