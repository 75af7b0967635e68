// Frames of a decrypted Initial packet payload (RFC 9000 sections 12.4, 19).
//
// An Initial may carry only PADDING, PING, ACK, CRYPTO and CONNECTION_CLOSE
// (RFC 9000 table 3); any other frame type is a protocol violation that
// stops the parse. Pure function of the bytes; every read is bounds-checked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace snilab {

struct QuicCryptoFrame {
    std::uint64_t offset = 0;
    std::span<const std::uint8_t> data; // points into the payload
};

struct QuicInitialFrames {
    std::vector<QuicCryptoFrame> crypto; // in payload order
    std::size_t paddingBytes = 0;
    std::size_t pings = 0;
    std::size_t acks = 0;
    std::size_t connectionCloses = 0;
    std::uint8_t forbiddenTypeByte = 0; // first byte of the offending frame type (ForbiddenFrame)
};

enum class QuicFrameStatus : std::uint8_t {
    Ok,             // every byte of the payload was parsed
    Malformed,      // a frame runs past the payload or has an impossible field
    ForbiddenFrame, // a frame type not allowed in an Initial packet
};

// Parses the whole payload into `out` (reset first, keeping the capacity
// of out.crypto). On any status but Ok
// the CRYPTO frames collected so far are left in `out` but must not be
// trusted: the packet is a protocol violation.
QuicFrameStatus parseQuicInitialFrames(std::span<const std::uint8_t> payload,
                                       QuicInitialFrames& out);

} // namespace snilab
