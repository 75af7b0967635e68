// Decodes one captured frame down to its TCP segment (or, with
// decodeTcpOrUdpPacket(), its UDP datagram).
//
// Pure function of the bytes: no allocation, no state, safe on any thread.
// Every read is bounds-checked against the captured bytes; a frame that is
// truncated or malformed yields a DecodeStatus other than Tcp, never a crash.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace snilab {

// libpcap LINKTYPE_* values that the decoder understands.
namespace linktype {
inline constexpr int kNull = 0; // BSD loopback, host-order AF
inline constexpr int kEthernet = 1;
inline constexpr int kPpp = 9;
inline constexpr int kRaw = 101; // raw IPv4/IPv6 (also DLT_RAW 12 and 14)
inline constexpr int kPppHdlc = 50;
inline constexpr int kLoop = 108; // OpenBSD loopback, network-order AF
inline constexpr int kLinuxSll = 113;
inline constexpr int kIpv4 = 228;
inline constexpr int kIpv6 = 229;
inline constexpr int kLinuxSll2 = 276;
} // namespace linktype

// True when decodePacket() can decode frames of this link type.
bool isSupportedLinkType(int linkType) noexcept;

// An IPv4 address is stored as an IPv4-mapped IPv6 address (::ffff:a.b.c.d)
// so that both families share one key type.
struct IpAddress {
    std::array<std::uint8_t, 16> bytes{};
    bool isV4() const noexcept;
    auto operator<=>(const IpAddress&) const = default;
};

enum class DecodeStatus : std::uint8_t {
    Tcp,       // a TCP segment: every field of DecodedPacket is valid
    NotIp,     // link layer carries something else (ARP, LLDP, ...)
    NotTcp,    // IP but not TCP (UDP, ICMP, ...)
    Fragment,  // an IP fragment (first or later): skipped, never reassembled
    Truncated, // captured bytes end before a header that is needed
    Malformed, // a header field is impossible (bad version, bad length)
    UnsupportedLink,
    Udp, // a UDP datagram (decodeTcpOrUdpPacket() only); see there for the fields
};

namespace tcpflag {
inline constexpr std::uint8_t kFin = 0x01;
inline constexpr std::uint8_t kSyn = 0x02;
inline constexpr std::uint8_t kRst = 0x04;
inline constexpr std::uint8_t kPsh = 0x08;
inline constexpr std::uint8_t kAck = 0x10;
} // namespace tcpflag

struct DecodedPacket {
    IpAddress src;
    IpAddress dst;
    std::uint16_t srcPort = 0;
    std::uint16_t dstPort = 0;
    std::uint8_t ipVersion = 0; // 4 or 6 (of the innermost IP header)
    std::uint8_t tcpFlags = 0;  // tcpflag::*
    bool vlanTagged = false;    // at least one 802.1Q/802.1ad tag was seen
    std::uint32_t seq = 0;
    std::uint32_t ack = 0;
    // IP datagram length from the IP header (IP header + TCP/UDP header + payload),
    // never the captured or on-wire frame length: link-layer independent.
    std::uint32_t ipLength = 0;
    // TCP payload length derived from IP lengths (Ethernet padding excluded);
    // for UDP, the UDP length field minus its header (the IP length if that is 0).
    std::uint32_t payloadLength = 0;
    // The payload bytes that were actually captured (may be shorter than
    // payloadLength when the frame was cut by the snap length).
    std::span<const std::uint8_t> payload;
};

// Decodes `frame` (the captured bytes, caplen long) of link type `linkType`.
// `out` is fully written only when the result is DecodeStatus::Tcp.
DecodeStatus decodePacket(int linkType, std::span<const std::uint8_t> frame,
                          DecodedPacket& out) noexcept;

// As decodePacket(), except that a UDP datagram that is not a tunnel (VXLAN,
// Geneve and GTP-U are still followed to the inner packet) ends the walk with
// DecodeStatus::Udp instead of NotTcp: then src, dst, the ports, ipVersion,
// vlanTagged, ipLength, payloadLength and payload are written and tcpFlags,
// seq and ack are 0. TCP segments decode exactly as with decodePacket().
DecodeStatus decodeTcpOrUdpPacket(int linkType, std::span<const std::uint8_t> frame,
                                  DecodedPacket& out) noexcept;

} // namespace snilab
