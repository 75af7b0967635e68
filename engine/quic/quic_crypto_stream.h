// Reassembly of the Initial-level CRYPTO stream from frames that arrive out
// of order, duplicated or overlapping (Chrome splits and shuffles its
// ClientHello across many CRYPTO frames in one or two datagrams).
//
// Bytes already received are never overwritten: a later frame that
// disagrees about a byte cannot change what was read (RFC 9000 section
// 19.6 lets a receiver keep either). The stream is capped: a frame reaching
// beyond the cap is refused, so one connection buffers at most `cap` bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace snilab {

// A real ClientHello is a few KiB even with post-quantum key shares.
inline constexpr std::size_t kQuicDefaultCryptoCap = 64 * 1024;

enum class QuicCryptoAddStatus : std::uint8_t {
    Ok,     // accepted (possibly all duplicate)
    OverCap // the frame ends beyond the cap; nothing of it was kept
};

class QuicCryptoReassembler {
public:
    explicit QuicCryptoReassembler(std::size_t cap = kQuicDefaultCryptoCap) : m_cap(cap) {}

    QuicCryptoAddStatus add(std::uint64_t offset, std::span<const std::uint8_t> data);

    // Bytes [0, n) once every one of them has arrived.
    std::span<const std::uint8_t> contiguous() const noexcept
    {
        return std::span<const std::uint8_t>(m_bytes).first(m_contiguous);
    }
    std::size_t distinctBytes() const noexcept { return m_distinct; }
    std::size_t cap() const noexcept { return m_cap; }
    void clear() noexcept;

private:
    std::size_t m_cap;
    std::vector<std::uint8_t> m_bytes;
    std::vector<bool> m_have; // one flag per byte of m_bytes
    std::size_t m_contiguous = 0;
    std::size_t m_distinct = 0;
};

} // namespace snilab
