// ClientHello parsing in two stages: (1) walk the TLS records and gather the
// handshake bytes until the whole ClientHello message is present, judging a
// short input as NeedMore only while every header seen so far is valid;
// (2) parse the complete message body with a bounds-checked reader, where any
// length that disagrees with its container is Malformed.
#include "flow/client_hello.h"

#include "flow/ja4.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace snilab {

namespace {

constexpr std::uint8_t kContentHandshake = 22;
constexpr std::uint8_t kHandshakeClientHello = 1;
constexpr std::size_t kRecordHeaderSize = 5;
constexpr std::size_t kHandshakeHeaderSize = 4;
// TLSCiphertext may carry up to 2^14 + 2048 bytes (RFC 5246 6.2.3); anything
// larger is not a record a peer may send.
constexpr std::size_t kMaxRecordLength = 16384 + 2048;
// Real ClientHellos are a few KiB even with post-quantum key shares; the cap
// bounds how much a caller ever buffers for one.
constexpr std::size_t kMaxHandshakeLength = 64 * 1024;
constexpr std::size_t kRandomSize = 32;
constexpr std::size_t kMaxSessionIdSize = 32;

constexpr std::uint16_t kExtServerName = 0x0000;
constexpr std::uint16_t kExtSignatureAlgorithms = 0x000d;
constexpr std::uint16_t kExtAlpn = 0x0010;
constexpr std::uint16_t kExtSupportedVersions = 0x002b;
constexpr std::uint16_t kExtEncryptedClientHello = 0xfe0d;
constexpr std::uint8_t kServerNameTypeHostName = 0;

// Outcome of one read: Short means the bytes are not here yet but the read
// stays within every declared length (a valid prefix so far); Bad means a
// length disagrees with its container.
enum class Step : std::uint8_t { Ok, Short, Bad };

// Bounds-checked big-endian reader over a vector whose declared size
// (`limit`) may exceed the bytes present (`data`). Reads past `limit` are
// Bad, reads past the present bytes are Short; nothing is ever read outside
// `data`. This lets the same code judge a complete ClientHello and a prefix.
class Reader {
public:
    Reader(std::span<const std::uint8_t> data, std::size_t limit) noexcept
        : m_data(data.first(std::min(data.size(), limit))), m_limit(limit)
    {
    }

    bool atEnd() const noexcept { return m_pos == m_limit; }

    Step u8(std::uint8_t& out) noexcept
    {
        const Step s = check(1);
        if (s == Step::Ok)
            out = m_data[m_pos++];
        return s;
    }

    Step u16(std::uint16_t& out) noexcept
    {
        const Step s = check(2);
        if (s == Step::Ok) {
            out = static_cast<std::uint16_t>((m_data[m_pos] << 8) | m_data[m_pos + 1]);
            m_pos += 2;
        }
        return s;
    }

    Step skip(std::size_t n) noexcept
    {
        const Step s = check(n);
        if (s == Step::Ok)
            m_pos += n;
        return s;
    }

    // A nested vector of declared size n: Bad if it overruns this reader,
    // otherwise a reader over whatever part of it is present.
    Step sub(std::size_t n, Reader& out) noexcept
    {
        if (n > m_limit - m_pos)
            return Step::Bad;
        const std::size_t start = std::min(m_pos, m_data.size());
        out = Reader(m_data.subspan(start), n);
        m_pos += n;
        return Step::Ok;
    }

    // Bytes of a fully present vector; only valid after the caller has
    // walked `out` to its end with Ok results.
    std::span<const std::uint8_t> present() const noexcept { return m_data; }

private:
    Step check(std::size_t n) const noexcept
    {
        if (n > m_limit - m_pos)
            return Step::Bad;
        if (m_pos + n > m_data.size())
            return Step::Short;
        return Step::Ok;
    }

    std::span<const std::uint8_t> m_data;
    std::size_t m_limit = 0;
    std::size_t m_pos = 0;
};

// Reads a vector with a 1- or 2-byte length prefix.
Step vector8(Reader& r, Reader& out) noexcept
{
    std::uint8_t len = 0;
    const Step s = r.u8(len);
    return s == Step::Ok ? r.sub(len, out) : s;
}

Step vector16(Reader& r, Reader& out) noexcept
{
    std::uint16_t len = 0;
    const Step s = r.u16(len);
    return s == Step::Ok ? r.sub(len, out) : s;
}

// A vector whose bytes must all be present (Short otherwise), as a string.
Step takeString(Reader& v, std::size_t declared, std::string& out)
{
    const Step s = v.skip(declared);
    if (s == Step::Ok)
        out.assign(v.present().begin(), v.present().end());
    return s;
}

// For extensions whose body is exactly one length-prefixed vector: the inner
// length must account for every byte of the extension.
Step wholeVector16(Reader& body, Reader& out) noexcept
{
    const Step s = vector16(body, out);
    if (s != Step::Ok)
        return s;
    return body.atEnd() ? Step::Ok : Step::Bad;
}

Step parseServerName(Reader body, ClientHelloInfo& info)
{
    Reader list({}, 0);
    if (const Step s = wholeVector16(body, list); s != Step::Ok)
        return s;
    bool found = false;
    while (!list.atEnd()) {
        std::uint8_t type = 0;
        std::uint16_t len = 0;
        Reader name({}, 0);
        if (const Step s = list.u8(type); s != Step::Ok)
            return s;
        if (const Step s = list.u16(len); s != Step::Ok)
            return s;
        if (const Step s = list.sub(len, name); s != Step::Ok)
            return s;
        // RFC 6066 allows one name per type; keep the first host_name and
        // still walk the rest so a bogus tail is reported.
        std::string value;
        if (const Step s = takeString(name, len, value); s != Step::Ok)
            return s;
        if (type == kServerNameTypeHostName && !found) {
            info.sni = std::move(value);
            found = true;
        }
    }
    return Step::Ok;
}

// A list of 2-byte values, e.g. signature schemes or versions.
Step parseU16List(Reader list, std::vector<std::uint16_t>& out, bool dropGrease)
{
    while (!list.atEnd()) {
        std::uint16_t v = 0;
        if (const Step s = list.u16(v); s != Step::Ok)
            return s; // an odd length ends in Bad here
        if (!dropGrease || !isGrease(v))
            out.push_back(v);
    }
    return Step::Ok;
}

Step parseSupportedVersions(Reader body, ClientHelloInfo& info)
{
    Reader list({}, 0);
    if (const Step s = vector8(body, list); s != Step::Ok)
        return s;
    if (!body.atEnd())
        return Step::Bad;
    return parseU16List(list, info.supportedVersions, true);
}

Step parseAlpn(Reader body, ClientHelloInfo& info)
{
    Reader list({}, 0);
    if (const Step s = wholeVector16(body, list); s != Step::Ok)
        return s;
    while (!list.atEnd()) {
        std::uint8_t len = 0;
        Reader name({}, 0);
        if (const Step s = list.u8(len); s != Step::Ok)
            return s;
        if (const Step s = list.sub(len, name); s != Step::Ok)
            return s;
        // RFC 7301 forbids empty names, but JA4 defines an output for one, so
        // keep it rather than reject the hello.
        std::string value;
        if (const Step s = takeString(name, len, value); s != Step::Ok)
            return s;
        info.alpn.push_back(std::move(value));
    }
    return Step::Ok;
}

Step parseSignatureAlgorithms(Reader body, ClientHelloInfo& info)
{
    Reader list({}, 0);
    if (const Step s = wholeVector16(body, list); s != Step::Ok)
        return s;
    return parseU16List(list, info.signatureAlgorithms, false);
}

Step parseExtensions(Reader block, ClientHelloInfo& info)
{
    bool seenSni = false;
    bool seenAlpn = false;
    bool seenVersions = false;
    bool seenSigAlgs = false;
    while (!block.atEnd()) {
        std::uint16_t type = 0;
        Reader data({}, 0);
        if (const Step s = block.u16(type); s != Step::Ok)
            return s;
        if (const Step s = vector16(block, data); s != Step::Ok)
            return s;
        info.extensions.push_back(type);
        // Duplicate extensions are illegal (RFC 8446 4.2); only the first of
        // each is interpreted, so a repeat cannot overwrite what was read.
        Step s = Step::Ok;
        switch (type) {
        case kExtServerName:
            if (!std::exchange(seenSni, true))
                s = parseServerName(data, info);
            break;
        case kExtAlpn:
            if (!std::exchange(seenAlpn, true))
                s = parseAlpn(data, info);
            break;
        case kExtSupportedVersions:
            if (!std::exchange(seenVersions, true))
                s = parseSupportedVersions(data, info);
            break;
        case kExtSignatureAlgorithms:
            if (!std::exchange(seenSigAlgs, true))
                s = parseSignatureAlgorithms(data, info);
            break;
        case kExtEncryptedClientHello: info.ech = true; break;
        default: break;
        }
        if (s != Step::Ok)
            return s;
    }
    return Step::Ok;
}

// Parses a ClientHello body (after the 4-byte handshake header); `body` may
// be a prefix of the declared size, in which case the result is Short unless
// an inconsistency already shows.
Step parseBody(Reader body, ClientHelloInfo& info)
{
    Reader field({}, 0);
    if (const Step s = body.u16(info.legacyVersion); s != Step::Ok)
        return s;
    if (const Step s = body.skip(kRandomSize); s != Step::Ok)
        return s;
    std::uint8_t sessionIdLength = 0;
    if (const Step s = body.u8(sessionIdLength); s != Step::Ok)
        return s;
    if (sessionIdLength > kMaxSessionIdSize)
        return Step::Bad;
    if (const Step s = body.skip(sessionIdLength); s != Step::Ok)
        return s;
    if (const Step s = vector16(body, field); s != Step::Ok)
        return s;
    if (const Step s = parseU16List(field, info.cipherSuites, false); s != Step::Ok)
        return s;
    if (const Step s = vector8(body, field); s != Step::Ok) // compression methods: not kept
        return s;

    // SSLv3 / TLS 1.0 clients may end the hello here (RFC 5246 7.4.1.2).
    if (body.atEnd())
        return Step::Ok;
    Reader block({}, 0);
    if (const Step s = vector16(body, block); s != Step::Ok)
        return s;
    if (!body.atEnd())
        return Step::Bad; // bytes after the extensions block
    return parseExtensions(block, info);
}

// Stage 2, shared by the record-layer and the bare-message paths: the
// handshake message's bytes so far (at least its 4-byte header) and its
// declared size. Short input is NeedMore while it is a valid prefix.
ClientHelloStatus parseMessage(std::span<const std::uint8_t> handshake, std::size_t messageSize,
                               HelloTransport transport, ClientHelloInfo& info)
{
    const bool complete = handshake.size() >= messageSize;
    const auto body = handshake.subspan(kHandshakeHeaderSize);
    ClientHelloInfo parsed;
    const Step step = parseBody(Reader(body, messageSize - kHandshakeHeaderSize), parsed);
    if (step == Step::Bad || (complete && step != Step::Ok))
        return ClientHelloStatus::Malformed;
    if (!complete)
        return ClientHelloStatus::NeedMore;
    parsed.transport = transport;
    parsed.ja4 = computeJa4(parsed);
    info = std::move(parsed);
    return ClientHelloStatus::Parsed;
}

} // namespace

std::uint16_t ClientHelloInfo::maxVersion() const noexcept
{
    if (supportedVersions.empty())
        return legacyVersion;
    return *std::max_element(supportedVersions.begin(), supportedVersions.end());
}

ClientHelloStatus parseClientHello(std::span<const std::uint8_t> stream, ClientHelloInfo& info,
                                   std::size_t* consumedHint)
{
    info = ClientHelloInfo{};
    if (consumedHint != nullptr)
        *consumedHint = 0;

    // Stage 1: gather handshake bytes record by record. Partial record
    // fragments are used too, so a prefix is judged on every byte present.
    std::vector<std::uint8_t> handshake;
    std::size_t messageSize = 0; // header + body; 0 until the header is present
    std::size_t pos = 0;
    std::size_t lastRecordEnd = 0;
    bool firstRecord = true;
    while (messageSize == 0 || handshake.size() < messageSize) {
        const std::size_t avail = stream.size() - pos;
        if (avail >= 1 && stream[pos] != kContentHandshake)
            return firstRecord ? ClientHelloStatus::NotTls : ClientHelloStatus::Malformed;
        if (avail >= 2 && stream[pos + 1] != 0x03)
            return firstRecord ? ClientHelloStatus::NotTls : ClientHelloStatus::Malformed;
        if (avail < kRecordHeaderSize)
            break;
        const std::size_t recordLength = (std::size_t{stream[pos + 3]} << 8) | stream[pos + 4];
        // Zero-length handshake fragments are forbidden (RFC 8446 5.1).
        if (recordLength == 0 || recordLength > kMaxRecordLength)
            return ClientHelloStatus::Malformed;
        const std::size_t fragmentStart = pos + kRecordHeaderSize;
        const std::size_t present = std::min(recordLength, stream.size() - fragmentStart);
        const std::size_t before = handshake.size();
        const auto fragment = stream.subspan(fragmentStart, present);
        handshake.insert(handshake.end(), fragment.begin(), fragment.end());
        firstRecord = false;
        lastRecordEnd = fragmentStart + recordLength;

        if (before == 0 && !handshake.empty() && handshake[0] != kHandshakeClientHello)
            return ClientHelloStatus::NotClientHello;
        if (messageSize == 0 && handshake.size() >= kHandshakeHeaderSize) {
            const std::size_t bodyLength =
                (std::size_t{handshake[1]} << 16) | (std::size_t{handshake[2]} << 8) | handshake[3];
            if (bodyLength > kMaxHandshakeLength)
                return ClientHelloStatus::Malformed;
            messageSize = kHandshakeHeaderSize + bodyLength;
        }
        if (present < recordLength)
            break;
        pos = lastRecordEnd;
    }
    if (messageSize == 0)
        return ClientHelloStatus::NeedMore;

    // Stage 2: parse the body once, complete or not; bytes after the message
    // in its last record belong to a following handshake message.
    const ClientHelloStatus status =
        parseMessage(handshake, messageSize, HelloTransport::Tcp, info);
    if (status == ClientHelloStatus::Parsed && consumedHint != nullptr)
        *consumedHint = lastRecordEnd;
    return status;
}

ClientHelloStatus parseClientHelloMessage(std::span<const std::uint8_t> message,
                                          ClientHelloInfo& info, HelloTransport transport)
{
    info = ClientHelloInfo{};
    if (message.empty())
        return ClientHelloStatus::NeedMore;
    if (message[0] != kHandshakeClientHello)
        return ClientHelloStatus::NotClientHello;
    if (message.size() < kHandshakeHeaderSize)
        return ClientHelloStatus::NeedMore;
    const std::size_t bodyLength =
        (std::size_t{message[1]} << 16) | (std::size_t{message[2]} << 8) | message[3];
    if (bodyLength > kMaxHandshakeLength)
        return ClientHelloStatus::Malformed;
    return parseMessage(message, kHandshakeHeaderSize + bodyLength, transport, info);
}

ClientHelloStatus parseSslv2ClientHello(std::span<const std::uint8_t> stream, ClientHelloInfo& info)
{
    info = ClientHelloInfo{};
    // Header: 2 bytes, high bit set, 15-bit length; then msg type 1, version,
    // cipher-spec length, session-id length, challenge length (RFC 6101 E.2).
    if (stream.empty())
        return ClientHelloStatus::NeedMore;
    if ((stream[0] & 0x80) == 0)
        return ClientHelloStatus::NotTls;
    if (stream.size() < 3)
        return ClientHelloStatus::NeedMore;
    if (stream[2] != 1)
        return ClientHelloStatus::NotTls;
    const std::size_t length = (std::size_t{stream[0] & 0x7fu} << 8) | stream[1];
    if (stream.size() < 11)
        return ClientHelloStatus::NeedMore;
    const auto u16 = [&](std::size_t at) {
        return static_cast<std::uint16_t>(stream[at] << 8 | stream[at + 1]);
    };
    const std::uint16_t version = u16(3);
    const std::size_t cipherLength = u16(5);
    const std::size_t sessionLength = u16(7);
    const std::size_t challengeLength = u16(9);
    // Versions seen in such hellos: SSL 2.0 (0x0002) and SSL 3.0 / TLS 1.x (0x03xx).
    const bool knownVersion = version == 0x0002 || (version >> 8) == 0x03;
    if (!knownVersion || cipherLength == 0 || cipherLength % 3 != 0 ||
        (sessionLength != 0 && sessionLength != 16) || challengeLength < 16 ||
        challengeLength > 32 || length != 9 + cipherLength + sessionLength + challengeLength)
        return ClientHelloStatus::Malformed;
    if (stream.size() < 2 + length)
        return ClientHelloStatus::NeedMore;
    info.legacyVersion = version;
    info.sslv2Format = true;
    for (std::size_t i = 0; i < cipherLength; i += 3) {
        const std::size_t at = 11 + i;
        if (stream[at] == 0)
            info.cipherSuites.push_back(u16(at + 1));
    }
    return ClientHelloStatus::Parsed;
}

bool looksLikeClientHelloStart(std::span<const std::uint8_t> bytes) noexcept
{
    if (bytes.size() < 6)
        return false;
    const std::size_t recordLength = (std::size_t{bytes[3]} << 8) | bytes[4];
    return bytes[0] == kContentHandshake && bytes[1] == 0x03 && bytes[2] <= 0x04 &&
           recordLength >= 1 && recordLength <= kMaxRecordLength &&
           bytes[5] == kHandshakeClientHello;
}

} // namespace snilab
