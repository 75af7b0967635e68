// Test-only QUIC Initial sealing (the inverse of the engine's
// QuicPacketOpener): builds a long header, encrypts the payload with
// AES-128-GCM and applies header protection, all through libcrypto, so that
// tests and the fuzzer can make Initial packets from plaintext frames. The
// engine never needs to encrypt, so this stays out of it.
#pragma once

#include "quic/quic_crypto.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace snilab::test {

struct QuicSealParams {
    std::uint32_t version = 0x00000001; // must be in the engine's version table
    std::uint32_t keyVersion = 0;       // salt and labels of this version instead, when not 0
    std::vector<std::uint8_t> dcid;     // also the key input (the original DCID)
    std::vector<std::uint8_t> keyDcid;  // keys from this DCID instead, when not empty
    std::vector<std::uint8_t> scid;
    std::vector<std::uint8_t> token;
    std::uint64_t packetNumber = 0;
    std::size_t packetNumberLength = 4; // 1..4
    QuicSide side = QuicSide::Client;
};

// One protected Initial packet; empty if the version is unknown or libcrypto
// fails. The payload must leave room for the header-protection sample
// (packetNumberLength + payload.size() >= 4); it is not padded here.
std::vector<std::uint8_t> sealQuicInitial(const QuicSealParams& params,
                                          std::span<const std::uint8_t> payload);

// A CRYPTO frame (type 0x06, offset and length as varints, then the data).
void appendQuicCryptoFrame(std::vector<std::uint8_t>& out, std::uint64_t offset,
                           std::span<const std::uint8_t> data);

// A QUIC variable-length integer in its shortest form.
void appendQuicVarint(std::vector<std::uint8_t>& out, std::uint64_t value);

} // namespace snilab::test
