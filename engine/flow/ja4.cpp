// JA4 (TLS client) as specified in FoxIO-LLC/ja4 technical_details/JA4.md.
//
// Spec points that are easy to get wrong, and the choice made here:
// - GREASE (RFC 8701) is ignored everywhere: cipher and extension counts and
//   hashes, supported_versions, and signature algorithms (the reference
//   implementations all filter sigalg GREASE since Chrome 152 began sending one).
// - SNI "d"/"i" depends on extension 0x0000 being present, not on a host name
//   having been parsed from it.
// - Counts include SNI and ALPN; the extension hash excludes them.
// - The signature algorithms keep their wire order; "_" is only added when at
//   least one remains.
// - An empty cipher list or an empty (post SNI/ALPN removal) extension list
//   hashes to "000000000000" rather than sha256("").
#include "flow/ja4.h"

#include "flow/client_hello.h"
#include "flow/sha256.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace snilab {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr std::uint16_t kExtServerName = 0x0000;
constexpr std::uint16_t kExtAlpn = 0x0010;
constexpr std::size_t kHashChars = 12;
constexpr std::string_view kEmptyHash = "000000000000";

std::string versionCode(std::uint16_t version)
{
    switch (version) {
    case 0x0304: return "13";
    case 0x0303: return "12";
    case 0x0302: return "11";
    case 0x0301: return "10";
    case 0x0300: return "s3";
    case 0x0002: return "s2";
    default: return "00";
    }
}

std::string twoDigits(std::size_t count)
{
    const std::size_t capped = std::min<std::size_t>(count, 99);
    std::string out(2, '0');
    out[0] = static_cast<char>('0' + capped / 10);
    out[1] = static_cast<char>('0' + capped % 10);
    return out;
}

bool isAsciiAlnum(unsigned char c) noexcept
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// First and last character of the first ALPN value. When either end byte is
// not ASCII alphanumeric, the spec switches to the hex form of the whole value
// and takes its first and last hex digits: high nibble of the first byte, low
// nibble of the last byte (so one byte 0xAB gives "ab").
std::string alpnCode(const std::vector<std::string>& alpn)
{
    if (alpn.empty() || alpn.front().empty())
        return "00";
    const std::string& value = alpn.front();
    const auto first = static_cast<unsigned char>(value.front());
    const auto last = static_cast<unsigned char>(value.back());
    if (isAsciiAlnum(first) && isAsciiAlnum(last))
        return std::string{static_cast<char>(first), static_cast<char>(last)};
    return std::string{kHexDigits[first >> 4], kHexDigits[last & 0x0f]};
}

void appendHex4(std::string& out, std::uint16_t v)
{
    out.push_back(kHexDigits[(v >> 12) & 0x0f]);
    out.push_back(kHexDigits[(v >> 8) & 0x0f]);
    out.push_back(kHexDigits[(v >> 4) & 0x0f]);
    out.push_back(kHexDigits[v & 0x0f]);
}

std::string joinHex(const std::vector<std::uint16_t>& values)
{
    std::string out;
    out.reserve(values.size() * 5);
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i != 0)
            out.push_back(',');
        appendHex4(out, values[i]);
    }
    return out;
}

std::vector<std::uint16_t> withoutGrease(const std::vector<std::uint16_t>& values)
{
    std::vector<std::uint16_t> out;
    out.reserve(values.size());
    for (const std::uint16_t v : values) {
        if (!isGrease(v))
            out.push_back(v);
    }
    return out;
}

std::string hash12(std::string_view text)
{
    return sha256Hex(text).substr(0, kHashChars);
}

// A capture holds few distinct clients, so the same sorted cipher and
// extension lists repeat connection after connection: remember recent hashes
// (per thread, bounded), keyed by the raw values, so that a repeat costs
// neither the hex text nor SHA-256.
template <typename MakeText>
std::string cachedHash12(const std::vector<std::uint16_t>& first,
                         const std::vector<std::uint16_t>& second, MakeText makeText)
{
    constexpr std::size_t kCacheEntries = 4096;
    thread_local std::unordered_map<std::string, std::string> cache;
    std::string key;
    key.resize(2 * (first.size() + second.size()) + 1);
    // (memcpy from an empty vector's null data() is undefined, even for 0 bytes.)
    if (!first.empty())
        std::memcpy(key.data(), first.data(), 2 * first.size());
    key[2 * first.size()] = '|';
    if (!second.empty())
        std::memcpy(key.data() + 2 * first.size() + 1, second.data(), 2 * second.size());
    if (const auto it = cache.find(key); it != cache.end())
        return it->second;
    if (cache.size() >= kCacheEntries)
        cache.clear();
    std::string hash = hash12(makeText());
    cache.emplace(std::move(key), hash);
    return hash;
}

} // namespace

std::string computeJa4(const ClientHelloInfo& hello)
{
    std::vector<std::uint16_t> ciphers = withoutGrease(hello.cipherSuites);
    std::vector<std::uint16_t> extensions = withoutGrease(hello.extensions);
    const std::vector<std::uint16_t> sigAlgs = withoutGrease(hello.signatureAlgorithms);
    const bool hasSni =
        std::find(extensions.begin(), extensions.end(), kExtServerName) != extensions.end();

    // The transport letter: "t" for TLS over TCP, "q" for QUIC (FoxIO spec).
    std::string out(1, hello.transport == HelloTransport::Quic ? 'q' : 't');
    out += versionCode(hello.maxVersion());
    out.push_back(hasSni ? 'd' : 'i');
    out += twoDigits(ciphers.size());
    out += twoDigits(extensions.size());
    out += alpnCode(hello.alpn);

    out.push_back('_');
    if (ciphers.empty()) {
        out += kEmptyHash;
    } else {
        // Sorting the numbers equals sorting their fixed-width lowercase hex.
        std::sort(ciphers.begin(), ciphers.end());
        out += cachedHash12(ciphers, {}, [&] { return joinHex(ciphers); });
    }

    out.push_back('_');
    std::erase_if(extensions, [](std::uint16_t t) { return t == kExtServerName || t == kExtAlpn; });
    if (extensions.empty()) {
        out += kEmptyHash;
    } else {
        std::sort(extensions.begin(), extensions.end());
        out += cachedHash12(extensions, sigAlgs, [&] {
            std::string text = joinHex(extensions);
            if (!sigAlgs.empty()) {
                text.push_back('_');
                text += joinHex(sigAlgs);
            }
            return text;
        });
    }
    return out;
}

} // namespace snilab
