// TLS ClientHello parser (RFC 8446 / 5246 record and handshake layers).
//
// Parses the client's first bytes of a TCP stream: one or more TLS records of
// type handshake(22) whose concatenated fragments hold a ClientHello
// handshake message; or a bare ClientHello handshake message, as QUIC's
// CRYPTO frames carry it (no record layer). Every read is bounds-checked; any
// input returns a status, never crashes. Safe on any thread; no global state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace snilab {

// The transport that carried the ClientHello; it picks JA4's first letter.
enum class HelloTransport : std::uint8_t {
    Tcp,  // TLS records over TCP: "t"
    Quic, // QUIC CRYPTO frames: "q"
};

struct ClientHelloInfo {
    std::uint16_t legacyVersion = 0;              // client_version field
    std::vector<std::uint16_t> supportedVersions; // ext 43 list, GREASE removed, in order
    std::string sni;                              // host_name from ext 0 (as sent), empty if none
    std::vector<std::string> alpn;                // ext 16 protocol names, in order
    bool ech = false;                             // ext 0xfe0d present (sni is then the outer one)
    std::vector<std::uint16_t> cipherSuites;      // in order, GREASE included
    std::vector<std::uint16_t> extensions;        // types in order, GREASE included
    std::vector<std::uint16_t> signatureAlgorithms; // ext 13, in order
    std::string ja4;                                // JA4 fingerprint ("t13d1516h2_..."), see ja4.h
    HelloTransport transport = HelloTransport::Tcp; // set by the parser that found the hello
    // An SSL 2.0-format CLIENT-HELLO (old clients offering SSLv2/SSLv3/TLS 1.0
    // in a v2 record): no extensions, hence no SNI; cipherSuites holds the
    // offered specs that are TLS suites (first byte 0); ja4 is empty (JA4 is
    // defined over TLS ClientHello fields).
    bool sslv2Format = false;

    // Highest offered version, GREASE ignored: max(supportedVersions) if any,
    // else legacyVersion. 0x0304 = TLS 1.3.
    std::uint16_t maxVersion() const noexcept;
};

enum class ClientHelloStatus : std::uint8_t {
    Parsed,         // `info` holds the ClientHello
    NeedMore,       // a valid prefix of a ClientHello: feed more bytes
    NotTls,         // the bytes do not start a TLS handshake record
    NotClientHello, // a TLS handshake record, but its first message is not a ClientHello
    Malformed,      // a ClientHello whose lengths or fields are inconsistent
};

// `stream` holds the first bytes of one direction of a TCP stream, in order
// and without gaps. `consumedHint` (optional) receives the number of bytes the
// complete ClientHello records occupy when Parsed: the offset just past the
// record holding the ClientHello's last byte (it can exceed stream.size() only
// when that record carries further bytes after the ClientHello that have not
// arrived yet). NeedMore is returned only while every byte seen so far is a
// valid prefix; records must be handshake records of version 3.x with length
// 1..18432, and a ClientHello announcing more than 64 KiB is Malformed. On any
// status but Parsed, `info` is reset to its defaults.
ClientHelloStatus parseClientHello(std::span<const std::uint8_t> stream, ClientHelloInfo& info,
                                   std::size_t* consumedHint = nullptr);

// Parses a bare ClientHello handshake message (type 1, 24-bit length, body)
// with no TLS record layer, as QUIC carries it in CRYPTO frames (RFC 9001
// section 4). `message` holds the message's first bytes, in order; bytes
// after the message are ignored. NeedMore while `message` is a valid prefix,
// NotClientHello when its first byte is not 1, Malformed as for
// parseClientHello (the same body parser runs); never NotTls. On Parsed,
// info.transport = `transport` and info.ja4 uses its letter. On any status
// but Parsed, `info` is reset to its defaults.
ClientHelloStatus parseClientHelloMessage(std::span<const std::uint8_t> message,
                                          ClientHelloInfo& info,
                                          HelloTransport transport = HelloTransport::Quic);

// Parses an SSL 2.0-format CLIENT-HELLO (2-byte record header with the high
// bit set) at the start of `stream`; same statuses as parseClientHello.
ClientHelloStatus parseSslv2ClientHello(std::span<const std::uint8_t> stream,
                                        ClientHelloInfo& info);

// True when `bytes` look like the start of a TLS record carrying a
// ClientHello (content type 22, version 3.x, handshake type 1): used to spot a
// ClientHello that starts later in a stream (STARTTLS, proxies).
bool looksLikeClientHelloStart(std::span<const std::uint8_t> bytes) noexcept;

// TLS GREASE values (RFC 8701): 0x0a0a, 0x1a1a, ... 0xfafa.
constexpr bool isGrease(std::uint16_t v) noexcept
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

} // namespace snilab
