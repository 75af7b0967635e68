// QUIC Initial decoding for one candidate connection: fed the client's UDP
// datagrams in capture order, it decrypts the client Initial packets (the
// versions of quic_header.h), reassembles their CRYPTO frames and parses the
// ClientHello they carry (flow/client_hello.h, JA4 with the "q" letter).
//
// How a flow tracker uses it: key a candidate on the UDP 4-tuple plus the
// DCID of the first client Initial (looksLikeQuicInitial() finds that DCID
// without cryptography); feed every client datagram of the tuple. A client
// Initial with another DCID is either the same connection (the client
// switched to the server's chosen ID: decrypted with the original keys and
// absorbed) or another connection attempt on the tuple (it decrypts only
// with keys from its own DCID): before the hello completes the decoder
// restarts on it (a Retry, or an attempt that replaced a lost one); after,
// it answers NewConnection and changes nothing, so that the tracker can
// start a new decoder with the same datagram.
//
// Cost: one key derivation per connection (cached, up to 4 key sets) and one
// AES-GCM decryption per client Initial until the hello is complete; after
// that, datagrams with a known DCID are answered without decrypting.
// Memory is bounded by the CRYPTO cap. One object per thread at a time.
#pragma once

#include "flow/client_hello.h"
#include "quic/quic_crypto_stream.h"
#include "quic/quic_header.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace snilab {

enum class QuicDatagramStatus : std::uint8_t {
    NotQuic,            // no long header first (short header, or not QUIC)
    VersionNegotiation, // a Version Negotiation packet (version 0)
    UnsupportedVersion, // a long header of a version not decoded (gQUIC, old drafts, ...)
    NoInitial,          // long-header packets of a decoded version, none an Initial
    NeedMore,           // Initial(s) decrypted; the ClientHello is not complete yet
    HelloComplete,      // this datagram completed the ClientHello: hello() is valid
    AfterHello,         // an Initial of this connection after the hello (or after failure)
    NewConnection,      // an Initial of another connection on the tuple; nothing changed
    DecryptFailed,      // no Initial verified: a server Initial, other keys, or damage
    Truncated,          // the datagram ends inside the first packet (a cut capture)
    Malformed,          // impossible header, forbidden frame, or a bad ClientHello
    CryptoOverflow,     // CRYPTO data beyond the cap: the decoder gives up
};

// A short stable name ("NeedMore", ...) for logs and tests.
const char* quicDatagramStatusName(QuicDatagramStatus status) noexcept;

struct QuicDecoderOptions {
    // CRYPTO stream offset space kept for the ClientHello; a frame reaching
    // past it, or a hello announcing more, is CryptoOverflow.
    std::size_t cryptoCap = kQuicDefaultCryptoCap;
};

class QuicInitialDecoder {
public:
    explicit QuicInitialDecoder(const QuicDecoderOptions& options = {});
    ~QuicInitialDecoder();
    QuicInitialDecoder(QuicInitialDecoder&&) noexcept;
    QuicInitialDecoder& operator=(QuicInitialDecoder&&) noexcept;
    QuicInitialDecoder(const QuicInitialDecoder&) = delete;
    QuicInitialDecoder& operator=(const QuicInitialDecoder&) = delete;

    // One UDP payload sent by the client. Coalesced packets are walked by
    // their Length fields (RFC 9000 section 12.2) until a short header, a
    // packet that does not parse, or one with another DCID (ignored, as the
    // RFC lets a receiver do). Never throws except std::bad_alloc.
    QuicDatagramStatus feedClientDatagram(std::span<const std::uint8_t> udpPayload);

    bool helloComplete() const noexcept;
    // True once the ClientHello was found Malformed or the cap was exceeded.
    bool failed() const noexcept;
    // The parsed ClientHello (transport Quic); defaults until helloComplete().
    const ClientHelloInfo& hello() const noexcept;
    // Version of the connection's first decrypted Initial; 0 before.
    std::uint32_t version() const noexcept;
    // DCID of the connection's first decrypted Initial (the keys' input) and
    // the client's SCID; empty before.
    std::span<const std::uint8_t> originalDcid() const noexcept;
    std::span<const std::uint8_t> scid() const noexcept;
    // Initial packets decrypted so far.
    std::size_t initialPacketsOpened() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace snilab
