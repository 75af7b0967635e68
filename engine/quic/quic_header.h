// QUIC long-header parsing (RFC 9000 section 17.2, RFC 8999 invariants) and
// the table of versions whose Initial packets snilab decrypts.
//
// Decoded versions (Initial keys, header protection and AEAD as RFC 9001):
//   0x00000001             QUIC v1 (RFC 9000/9001)
//   0x6b3343cf             QUIC v2 (RFC 9369: own salt, "quicv2 " labels,
//                          rotated long-header packet types, Initial = 0b01)
//   0xff000017-0xff00001c  IETF drafts 23-28 (draft-23 salt)
//   0xff00001d-0xff000020  IETF drafts 29-32 (draft-29 salt)
//   0xff000021-0xff000022  IETF drafts 33-34 (v1 salt)
//   0xfaceb001             Facebook mvfst draft-22 (draft-21/22 salt)
//   0xfaceb002, 0xfaceb00e Facebook mvfst draft-27 and experimental (draft-23 salt)
//   0x?a?a?a?a             reserved versions (RFC 9000 section 15): tried with v1's
//                          keys, then draft-29's: clients forcing version negotiation
//                          write an Initial of the version they really speak
// Everything else with a long header (version 0 = Version Negotiation, Google
// QUIC "Q0xx" and "T0xx" -- T050/T051 carry TLS but in gQUIC frames --,
// drafts before 23, the v2 drafts) is reported, not decoded.
//
// Pure functions of the bytes, safe on any thread; every read is
// bounds-checked and any input returns a status.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace snilab {

// What differs between the decoded versions.
struct QuicVersionSpec {
    std::uint32_t version = 0;
    const char* name = "";               // "v1", "v2", "draft-29", ...
    std::array<std::uint8_t, 20> salt{}; // initial_salt of RFC 9001 section 5.2
    bool v2 = false; // RFC 9369: "quicv2 key/iv/hp" labels and v2 packet-type bits
    // Another salt to try when this one's keys do not open a packet (only for
    // reserved versions, whose real keys are the client's actual version's).
    const QuicVersionSpec* fallback = nullptr;
};

// The spec of a decoded version, or nullptr for any other version. For a
// reserved version the spec's `version` is 0 (one spec serves them all).
const QuicVersionSpec* findQuicVersion(std::uint32_t version) noexcept;

// Long-header packet types, independent of their version-specific bits.
enum class QuicPacketType : std::uint8_t { Initial, ZeroRtt, Handshake, Retry, Unknown };

enum class QuicHeaderStatus : std::uint8_t {
    Ok,                 // a long-header packet of a decoded version: every field is valid
    ShortHeader,        // first bit 0: a 1-RTT packet, padding, or not QUIC at all
    VersionNegotiation, // version 0; version/dcid/scid are filled
    UnsupportedVersion, // a version not in the table; version/dcid/scid are filled
    Truncated,          // the bytes end before the header or the declared Length
    Malformed,          // an impossible field (connection ID over 20 bytes, Retry too short)
};

struct QuicLongHeader {
    std::uint32_t version = 0;
    QuicPacketType type = QuicPacketType::Unknown;
    std::uint8_t firstByte = 0;          // as on the wire (still header-protected)
    std::span<const std::uint8_t> dcid;  // destination connection ID
    std::span<const std::uint8_t> scid;  // source connection ID
    std::span<const std::uint8_t> token; // Initial token, or Retry token (Retry)
    std::size_t pnOffset = 0;            // packet-number offset from the packet start
    // Bytes of this packet: pnOffset + Length for Initial, 0-RTT and
    // Handshake; the rest of the datagram for Retry and unsupported versions
    // (they carry no Length field).
    std::size_t packetSize = 0;
};

// Parses the long header at the start of `packet` (a UDP payload, or the
// rest of one after earlier coalesced packets). `out` is reset first;
// dcid/scid/token point into `packet`.
QuicHeaderStatus parseQuicLongHeader(std::span<const std::uint8_t> packet,
                                     QuicLongHeader& out) noexcept;

// Cheap test before any cryptography: true when `udpPayload` starts with an
// Initial packet of a decoded version whose header and Length fit the
// datagram and leave room for the header-protection sample. `header`
// (optional) receives the parsed header. The fixed bit is not required
// (RFC 9287 lets clients grease it), nor the 1200-byte datagram minimum
// (captures may cut datagrams).
bool looksLikeQuicInitial(std::span<const std::uint8_t> udpPayload,
                          QuicLongHeader* header = nullptr) noexcept;

} // namespace snilab
