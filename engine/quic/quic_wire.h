// Bounds-checked reads of QUIC wire fields: fixed-width big-endian integers
// and variable-length integers (RFC 9000 section 16).
//
// Every read either succeeds and advances, or fails and leaves the cursor
// where it was; nothing is ever read outside the span. Header-only so the
// header, frame and decoder code share one reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace snilab {

// Largest value a QUIC varint can hold (2^62 - 1).
inline constexpr std::uint64_t kQuicVarintMax = (std::uint64_t{1} << 62) - 1;

class QuicCursor {
public:
    explicit QuicCursor(std::span<const std::uint8_t> data) noexcept : m_data(data) {}

    std::size_t offset() const noexcept { return m_pos; }
    std::size_t remaining() const noexcept { return m_data.size() - m_pos; }
    bool atEnd() const noexcept { return m_pos == m_data.size(); }

    bool u8(std::uint8_t& out) noexcept
    {
        if (remaining() < 1)
            return false;
        out = m_data[m_pos++];
        return true;
    }

    bool u32(std::uint32_t& out) noexcept
    {
        if (remaining() < 4)
            return false;
        out = (std::uint32_t{m_data[m_pos]} << 24) | (std::uint32_t{m_data[m_pos + 1]} << 16) |
              (std::uint32_t{m_data[m_pos + 2]} << 8) | std::uint32_t{m_data[m_pos + 3]};
        m_pos += 4;
        return true;
    }

    // The two high bits of the first byte give the length: 1, 2, 4 or 8 bytes.
    bool varint(std::uint64_t& out) noexcept
    {
        if (remaining() < 1)
            return false;
        const std::size_t length = std::size_t{1} << (m_data[m_pos] >> 6);
        if (remaining() < length)
            return false;
        std::uint64_t v = m_data[m_pos] & 0x3fu;
        for (std::size_t i = 1; i < length; ++i)
            v = (v << 8) | m_data[m_pos + i];
        m_pos += length;
        out = v;
        return true;
    }

    // `n` bytes as a span (n is a wire value, so it may be absurdly large).
    bool bytes(std::uint64_t n, std::span<const std::uint8_t>& out) noexcept
    {
        if (n > remaining())
            return false;
        out = m_data.subspan(m_pos, static_cast<std::size_t>(n));
        m_pos += static_cast<std::size_t>(n);
        return true;
    }

    bool skip(std::uint64_t n) noexcept
    {
        if (n > remaining())
            return false;
        m_pos += static_cast<std::size_t>(n);
        return true;
    }

private:
    std::span<const std::uint8_t> m_data;
    std::size_t m_pos = 0;
};

} // namespace snilab
