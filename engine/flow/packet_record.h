// One packet of a connection's series (flow/connection.h).
#pragma once

#include <cstdint>

namespace snilab {

// Per-packet record of a connection's series. Times are ns relative to the
// connection's first packet (negative when a capture's clock steps back).
struct PacketRecord {
    static constexpr std::uint8_t kClientToServer = 0x01;
    static constexpr std::uint8_t kRetransmission = 0x02; // no new sequence space (payload only)
    static constexpr std::uint8_t kSyn = 0x04;
    static constexpr std::uint8_t kFin = 0x08;
    static constexpr std::uint8_t kRst = 0x10;

    std::int64_t tNs = 0;
    std::uint16_t ipLength = 0;      // IP datagram length, clamped to 65535
    std::uint16_t payloadLength = 0; // TCP or UDP payload length, clamped to 65535
    std::uint8_t flags = 0;

    // A length as a record stores it: clamped to 65535.
    static constexpr std::uint16_t clampLength(std::uint32_t length) noexcept
    {
        return static_cast<std::uint16_t>(length < 65535 ? length : 65535);
    }
};

} // namespace snilab
