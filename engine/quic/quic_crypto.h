// QUIC Initial packet protection (RFC 9001 sections 5.2-5.4; RFC 9369 for
// v2): key derivation from the client's original destination connection ID,
// header-protection removal and AES-128-GCM decryption.
//
// All primitives are OpenSSL 3 libcrypto (HKDF through EVP_KDF, AES-128-GCM
// and AES-128-ECB through EVP_CIPHER); only the HKDF-Expand-Label framing is
// written here. Failure is a return value, never an exception (except
// std::bad_alloc). A QuicPacketOpener is one thread's object; the functions
// are safe on any thread.
#pragma once

#include "quic/quic_header.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace snilab {

inline constexpr std::size_t kQuicSecretSize = 32; // SHA-256 output
inline constexpr std::size_t kQuicKeySize = 16;    // AES-128
inline constexpr std::size_t kQuicIvSize = 12;
inline constexpr std::size_t kQuicTagSize = 16;
inline constexpr std::size_t kQuicSampleSize = 16;

using QuicSecret = std::array<std::uint8_t, kQuicSecretSize>;

// HKDF-Extract with SHA-256 (RFC 5869). False only if libcrypto fails.
bool quicHkdfExtract(std::span<const std::uint8_t> salt, std::span<const std::uint8_t> ikm,
                     QuicSecret& prk) noexcept;

// HKDF-Expand-Label (RFC 8446 section 7.1) with SHA-256 and an empty
// context: "tls13 " + label, out.size() bytes (at most 255).
bool quicHkdfExpandLabel(std::span<const std::uint8_t> secret, std::string_view label,
                         std::span<std::uint8_t> out) noexcept;

enum class QuicSide : std::uint8_t { Client, Server };

struct QuicInitialKeys {
    QuicSecret secret{}; // client_initial_secret (or server_initial_secret)
    std::array<std::uint8_t, kQuicKeySize> key{};
    std::array<std::uint8_t, kQuicIvSize> iv{};
    std::array<std::uint8_t, kQuicKeySize> hp{};
};

// Initial keys of `side` for the connection whose client chose `dcid` as the
// destination connection ID of its first Initial. False only if libcrypto fails.
bool deriveQuicInitialKeys(const QuicVersionSpec& version, std::span<const std::uint8_t> dcid,
                           QuicSide side, QuicInitialKeys& out) noexcept;

enum class QuicOpenStatus : std::uint8_t {
    Ok,
    TooShort,    // no room for the header-protection sample or the AEAD tag
    AuthFailed,  // the tag does not verify: other keys (a server Initial, another DCID) or damage
    CryptoError, // libcrypto failed, or no keys were set
};

struct QuicOpenedPacket {
    std::uint64_t packetNumber = 0; // as sent (1-4 bytes; Initial numbers start at 0)
    std::size_t packetNumberLength = 0;
    std::uint8_t firstByte = 0;            // with header protection removed
    std::span<const std::uint8_t> payload; // plaintext; valid until the next open()
};

// The AES-128-GCM and AES-128-ECB contexts of one key set, reused for every
// packet (creating OpenSSL contexts costs more than decrypting an Initial).
class QuicPacketOpener {
public:
    QuicPacketOpener();
    ~QuicPacketOpener();
    QuicPacketOpener(QuicPacketOpener&&) noexcept;
    QuicPacketOpener& operator=(QuicPacketOpener&&) noexcept;
    QuicPacketOpener(const QuicPacketOpener&) = delete;
    QuicPacketOpener& operator=(const QuicPacketOpener&) = delete;

    // False if libcrypto fails; the opener then has no keys.
    bool setKeys(const QuicInitialKeys& keys) noexcept;
    bool hasKeys() const noexcept;

    // The 5 mask bytes of RFC 9001 section 5.4.3 for one sample.
    bool headerMask(std::span<const std::uint8_t, kQuicSampleSize> sample,
                    std::array<std::uint8_t, 5>& mask) noexcept;

    // Removes header protection from, and decrypts, one whole long-header
    // packet (`packet` = its packetSize bytes, `pnOffset` from its header).
    // The input is not modified.
    QuicOpenStatus open(std::span<const std::uint8_t> packet, std::size_t pnOffset,
                        QuicOpenedPacket& out);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace snilab
