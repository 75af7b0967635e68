// Small helpers shared by the engine tests to build wire bytes and addresses.
#pragma once

#include "capture/packet_decoder.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace snilab::test {

using Bytes = std::vector<std::uint8_t>;

inline void putU8(Bytes& out, std::size_t v)
{
    out.push_back(static_cast<std::uint8_t>(v));
}

// Big-endian (network order), as TLS and IP write them.
inline void putU16(Bytes& out, std::size_t v)
{
    putU8(out, v >> 8);
    putU8(out, v & 0xff);
}

inline void putU24(Bytes& out, std::size_t v)
{
    putU8(out, v >> 16);
    putU16(out, v & 0xffff);
}

inline void append(Bytes& out, const Bytes& more)
{
    out.insert(out.end(), more.begin(), more.end());
}

inline Bytes textBytes(const std::string& s)
{
    return Bytes(s.begin(), s.end());
}

// a.b.c.d as an IPv4-mapped IpAddress.
inline IpAddress ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d)
{
    IpAddress ip;
    ip.bytes[10] = 0xff;
    ip.bytes[11] = 0xff;
    ip.bytes[12] = a;
    ip.bytes[13] = b;
    ip.bytes[14] = c;
    ip.bytes[15] = d;
    return ip;
}

} // namespace snilab::test
