// Long-header parsing: the invariant part (RFC 8999: form bit, version,
// connection IDs) for every version, the rest (token, Length, packet-number
// offset) only for the versions in the table, whose layout is RFC 9000's.
#include "quic/quic_header.h"

#include "quic/quic_wire.h"

#include <algorithm>

namespace snilab {

namespace {

constexpr std::uint8_t kLongHeaderBit = 0x80;
// RFC 9000 section 17.2: at most 20 bytes in versions 1 and 2 (and the
// drafts decoded here); the invariants allow 255 for other versions.
constexpr std::size_t kMaxConnectionIdV1 = 20;
constexpr std::size_t kRetryIntegrityTag = 16;
// Header-protection sample: 16 bytes starting 4 bytes after pnOffset.
constexpr std::size_t kSampleEnd = 4 + 16;

using Salt = std::array<std::uint8_t, 20>;
constexpr Salt kSaltV1 = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                          0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
constexpr Salt kSaltV2 = {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
                          0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9};
constexpr Salt kSaltDraft29 = {0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
                               0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99};
constexpr Salt kSaltDraft21 = {0x7f, 0xbc, 0xdb, 0x0e, 0x7c, 0x66, 0xbb, 0xe9, 0x19, 0x3a,
                               0x96, 0xcd, 0x21, 0x51, 0x9e, 0xbd, 0x7a, 0x02, 0x64, 0x4a};
constexpr Salt kSaltDraft23 = {0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7,
                               0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02};

constexpr QuicVersionSpec kVersions[] = {
    {0x00000001, "v1", kSaltV1, false},
    {0x6b3343cf, "v2", kSaltV2, true},
    {0xff000017, "draft-23", kSaltDraft23, false},
    {0xff000018, "draft-24", kSaltDraft23, false},
    {0xff000019, "draft-25", kSaltDraft23, false},
    {0xff00001a, "draft-26", kSaltDraft23, false},
    {0xff00001b, "draft-27", kSaltDraft23, false},
    {0xff00001c, "draft-28", kSaltDraft23, false},
    {0xff00001d, "draft-29", kSaltDraft29, false},
    {0xff00001e, "draft-30", kSaltDraft29, false},
    {0xff00001f, "draft-31", kSaltDraft29, false},
    {0xff000020, "draft-32", kSaltDraft29, false},
    {0xff000021, "draft-33", kSaltV1, false},
    {0xff000022, "draft-34", kSaltV1, false},
    // Facebook mvfst, on the wire as the IETF draft each one tracked.
    {0xfaceb001, "mvfst-draft-22", kSaltDraft21, false},
    {0xfaceb002, "mvfst-draft-27", kSaltDraft23, false},
    {0xfaceb00e, "mvfst-experimental", kSaltDraft23, false},
};

// RFC 9000 section 15 reserves 0x?a?a?a?a to exercise version negotiation.
// Clients that send one write an otherwise ordinary Initial of the version
// they speak: v1 today, draft-29 in the interop runner's captures of 2020.
constexpr QuicVersionSpec kReservedDraft29 = {0, "reserved", kSaltDraft29, false, nullptr};
constexpr QuicVersionSpec kReservedVersion = {0, "reserved", kSaltV1, false, &kReservedDraft29};

// The two type bits of the first byte. RFC 9369 section 3.2 rotates them by
// one in v2 (Retry 0, Initial 1, 0-RTT 2, Handshake 3).
QuicPacketType packetType(std::uint8_t firstByte, bool v2) noexcept
{
    const unsigned bits = (firstByte >> 4) & 0x3u;
    const unsigned v1Bits = v2 ? (bits + 3) & 0x3u : bits;
    switch (v1Bits) {
    case 0: return QuicPacketType::Initial;
    case 1: return QuicPacketType::ZeroRtt;
    case 2: return QuicPacketType::Handshake;
    default: return QuicPacketType::Retry;
    }
}

bool connectionId(QuicCursor& c, std::size_t maxLength, std::span<const std::uint8_t>& out,
                  QuicHeaderStatus& failure) noexcept
{
    std::uint8_t length = 0;
    if (!c.u8(length)) {
        failure = QuicHeaderStatus::Truncated;
        return false;
    }
    if (length > maxLength) {
        failure = QuicHeaderStatus::Malformed;
        return false;
    }
    if (!c.bytes(length, out)) {
        failure = QuicHeaderStatus::Truncated;
        return false;
    }
    return true;
}

// Token (Initial only), Length and the packet-number offset of a decoded version.
QuicHeaderStatus versionFields(QuicCursor& c, std::size_t packetBytes, QuicLongHeader& out) noexcept
{
    if (out.type == QuicPacketType::Retry) {
        // Retry: the token runs to the integrity tag; no Length field.
        if (c.remaining() < kRetryIntegrityTag)
            return QuicHeaderStatus::Malformed;
        c.bytes(c.remaining() - kRetryIntegrityTag, out.token);
        out.packetSize = packetBytes;
        return QuicHeaderStatus::Ok;
    }
    if (out.type == QuicPacketType::Initial) {
        std::uint64_t tokenLength = 0;
        if (!c.varint(tokenLength) || !c.bytes(tokenLength, out.token))
            return QuicHeaderStatus::Truncated;
    }
    std::uint64_t length = 0;
    if (!c.varint(length))
        return QuicHeaderStatus::Truncated;
    out.pnOffset = c.offset();
    if (length > c.remaining())
        return QuicHeaderStatus::Truncated;
    out.packetSize = out.pnOffset + static_cast<std::size_t>(length);
    return QuicHeaderStatus::Ok;
}

} // namespace

const QuicVersionSpec* findQuicVersion(std::uint32_t version) noexcept
{
    const auto* it = std::find_if(std::begin(kVersions), std::end(kVersions),
                                  [&](const QuicVersionSpec& s) { return s.version == version; });
    if (it != std::end(kVersions))
        return it;
    return (version & 0x0f0f0f0fu) == 0x0a0a0a0au ? &kReservedVersion : nullptr;
}

QuicHeaderStatus parseQuicLongHeader(std::span<const std::uint8_t> packet,
                                     QuicLongHeader& out) noexcept
{
    out = QuicLongHeader{};
    QuicCursor c(packet);
    if (!c.u8(out.firstByte))
        return QuicHeaderStatus::Truncated;
    if ((out.firstByte & kLongHeaderBit) == 0)
        return QuicHeaderStatus::ShortHeader;
    if (!c.u32(out.version))
        return QuicHeaderStatus::Truncated;
    const QuicVersionSpec* spec = findQuicVersion(out.version);
    const std::size_t maxCid = spec != nullptr ? kMaxConnectionIdV1 : 255;
    QuicHeaderStatus failure = QuicHeaderStatus::Truncated;
    if (!connectionId(c, maxCid, out.dcid, failure) || !connectionId(c, maxCid, out.scid, failure))
        return failure;
    if (spec == nullptr) {
        // Nothing after the connection IDs is defined for an unknown version.
        out.packetSize = packet.size();
        return out.version == 0 ? QuicHeaderStatus::VersionNegotiation
                                : QuicHeaderStatus::UnsupportedVersion;
    }
    out.type = packetType(out.firstByte, spec->v2);
    return versionFields(c, packet.size(), out);
}

bool looksLikeQuicInitial(std::span<const std::uint8_t> udpPayload, QuicLongHeader* header) noexcept
{
    QuicLongHeader parsed;
    const bool ok = parseQuicLongHeader(udpPayload, parsed) == QuicHeaderStatus::Ok &&
                    parsed.type == QuicPacketType::Initial &&
                    parsed.packetSize - parsed.pnOffset >= kSampleEnd;
    if (header != nullptr)
        *header = parsed;
    return ok;
}

} // namespace snilab
