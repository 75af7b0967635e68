// Little-endian byte writing and bounds-checked reading for the model
// formats (random forest, networks, model files).
//
// Thread: plain values. Failure: ByteReader throws ModelError naming what
// was being read when the bytes run out; it never reads past its span.
#pragma once

#include "models/model_error.h"

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

namespace snilab {

inline void putU32(std::vector<std::uint8_t>& out, std::uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

inline void putU64(std::vector<std::uint8_t>& out, std::uint64_t v)
{
    for (int i = 0; i < 8; ++i)
        out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// A double as its IEEE-754 bits (u64), exact.
inline void putF64(std::vector<std::uint8_t>& out, double v)
{
    std::uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    putU64(out, bits);
}

// A length-prefixed (u64) byte string.
inline void putBytes(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> bytes)
{
    putU64(out, bytes.size());
    out.insert(out.end(), bytes.begin(), bytes.end());
}

inline void putString(std::vector<std::uint8_t>& out, const std::string& text)
{
    putBytes(out, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

class ByteReader {
public:
    explicit ByteReader(std::span<const std::uint8_t> bytes) : m_bytes(bytes) {}

    std::span<const std::uint8_t> take(std::size_t n, const char* what)
    {
        if (n > m_bytes.size() - m_pos)
            throw ModelError(std::string("model bytes truncated in ") + what);
        const auto part = m_bytes.subspan(m_pos, n);
        m_pos += n;
        return part;
    }
    std::uint32_t u32(const char* what)
    {
        const auto b = take(4, what);
        std::uint32_t v = 0;
        for (int i = 3; i >= 0; --i)
            v = (v << 8) | b[static_cast<std::size_t>(i)];
        return v;
    }
    std::uint64_t u64(const char* what)
    {
        const auto b = take(8, what);
        std::uint64_t v = 0;
        for (int i = 7; i >= 0; --i)
            v = (v << 8) | b[static_cast<std::size_t>(i)];
        return v;
    }
    double f64(const char* what)
    {
        const std::uint64_t bits = u64(what);
        double v = 0;
        std::memcpy(&v, &bits, sizeof v);
        return v;
    }
    std::span<const std::uint8_t> bytes(const char* what)
    {
        const std::uint64_t n = u64(what);
        if (n > left())
            throw ModelError(std::string("model bytes truncated in ") + what);
        return take(static_cast<std::size_t>(n), what);
    }
    std::string string(const char* what)
    {
        const auto b = bytes(what);
        return {b.begin(), b.end()};
    }
    std::size_t left() const noexcept { return m_bytes.size() - m_pos; }

private:
    std::span<const std::uint8_t> m_bytes;
    std::size_t m_pos = 0;
};

} // namespace snilab
