// Initial-packet frame walk. ACK and CONNECTION_CLOSE are parsed only far
// enough to be skipped: the classifier needs the CRYPTO bytes, but a frame
// that cannot be skipped exactly would misplace every frame after it.
#include "quic/quic_frames.h"

#include "quic/quic_wire.h"

namespace snilab {

namespace {

namespace frame {
constexpr std::uint8_t kPadding = 0x00;
constexpr std::uint8_t kPing = 0x01;
constexpr std::uint8_t kAck = 0x02;
constexpr std::uint8_t kAckEcn = 0x03;
constexpr std::uint8_t kCrypto = 0x06;
constexpr std::uint8_t kConnectionClose = 0x1c; // transport error
constexpr std::uint8_t kConnectionCloseApp =
    0x1d; // application error (sent as 0x1c in Initials, tolerated)
} // namespace frame

// Largest Acknowledged, ACK Delay, ACK Range Count, First ACK Range, then
// (Gap, ACK Range Length) pairs and, for 0x03, three ECN counts. A huge
// range count cannot loop long: every range consumes at least two bytes.
bool skipAck(QuicCursor& c, bool ecn) noexcept
{
    std::uint64_t largest = 0;
    std::uint64_t delay = 0;
    std::uint64_t rangeCount = 0;
    std::uint64_t firstRange = 0;
    if (!c.varint(largest) || !c.varint(delay) || !c.varint(rangeCount) || !c.varint(firstRange))
        return false;
    if (firstRange > largest)
        return false; // acknowledges packet numbers below zero
    for (std::uint64_t i = 0; i < rangeCount; ++i) {
        std::uint64_t gap = 0;
        std::uint64_t length = 0;
        if (!c.varint(gap) || !c.varint(length))
            return false;
    }
    if (ecn) {
        std::uint64_t count = 0;
        for (int i = 0; i < 3; ++i) {
            if (!c.varint(count))
                return false;
        }
    }
    return true;
}

bool skipConnectionClose(QuicCursor& c, bool transport) noexcept
{
    std::uint64_t errorCode = 0;
    std::uint64_t frameType = 0;
    std::uint64_t reasonLength = 0;
    if (!c.varint(errorCode))
        return false;
    if (transport && !c.varint(frameType))
        return false;
    return c.varint(reasonLength) && c.skip(reasonLength);
}

bool readCrypto(QuicCursor& c, QuicInitialFrames& out)
{
    QuicCryptoFrame f;
    std::uint64_t length = 0;
    if (!c.varint(f.offset) || !c.varint(length) || !c.bytes(length, f.data))
        return false;
    // RFC 9000 section 19.6: the stream may not extend past 2^62 - 1.
    if (f.offset > kQuicVarintMax - length)
        return false;
    out.crypto.push_back(f);
    return true;
}

} // namespace

QuicFrameStatus parseQuicInitialFrames(std::span<const std::uint8_t> payload,
                                       QuicInitialFrames& out)
{
    out.crypto.clear(); // keeps its capacity: the decoder reuses one QuicInitialFrames
    out.paddingBytes = out.pings = out.acks = out.connectionCloses = 0;
    out.forbiddenTypeByte = 0;
    QuicCursor c(payload);
    while (!c.atEnd()) {
        // Frame types are varints in their shortest form (RFC 9000 section
        // 12.4); every type allowed here fits one byte, so a longer encoding
        // is a forbidden frame whatever it encodes.
        std::uint8_t type = 0;
        c.u8(type);
        bool ok = true;
        switch (type) {
        case frame::kPadding: ++out.paddingBytes; break;
        case frame::kPing: ++out.pings; break;
        case frame::kAck:
        case frame::kAckEcn:
            ok = skipAck(c, type == frame::kAckEcn);
            ++out.acks;
            break;
        case frame::kCrypto: ok = readCrypto(c, out); break;
        case frame::kConnectionClose:
        case frame::kConnectionCloseApp:
            ok = skipConnectionClose(c, type == frame::kConnectionClose);
            ++out.connectionCloses;
            break;
        default: out.forbiddenTypeByte = type; return QuicFrameStatus::ForbiddenFrame;
        }
        if (!ok)
            return QuicFrameStatus::Malformed;
    }
    return QuicFrameStatus::Ok;
}

} // namespace snilab
