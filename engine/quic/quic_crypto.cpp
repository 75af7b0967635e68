// Initial packet protection on libcrypto. The EVP_KDF and EVP_CIPHER
// algorithm objects are fetched once per process (fetching is the slow part
// of OpenSSL 3's API and the fetched objects are immutable, so sharing them
// across threads is safe); contexts belong to one QuicPacketOpener.
#include "quic/quic_crypto.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <algorithm>
#include <limits>
#include <utility>

namespace snilab {

namespace {

constexpr std::string_view kTls13LabelPrefix = "tls13 ";
constexpr std::size_t kMaxLabel = 255 - kTls13LabelPrefix.size();
constexpr std::uint8_t kLongHeaderProtectedBits = 0x0f;

EVP_KDF* hkdfAlgorithm() noexcept
{
    static EVP_KDF* const kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    return kdf;
}

EVP_CIPHER* aes128Gcm() noexcept
{
    static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
    return cipher;
}

EVP_CIPHER* aes128Ecb() noexcept
{
    static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-128-ECB", nullptr);
    return cipher;
}

// OSSL_PARAM wants a non-null pointer even for an empty octet string (an
// empty connection ID is legal after a Retry).
void* octets(std::span<const std::uint8_t> bytes) noexcept
{
    static std::uint8_t empty = 0;
    return bytes.empty() ? &empty : const_cast<std::uint8_t*>(bytes.data());
}

bool hkdf(int mode, std::span<const std::uint8_t> key, std::span<const std::uint8_t> salt,
          std::span<const std::uint8_t> info, std::span<std::uint8_t> out) noexcept
{
    EVP_KDF* kdf = hkdfAlgorithm();
    if (kdf == nullptr)
        return false;
    EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
    if (ctx == nullptr)
        return false;
    OSSL_PARAM params[6];
    std::size_t n = 0;
    params[n++] =
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>("SHA256"), 0);
    params[n++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, octets(key), key.size());
    if (!salt.empty())
        params[n++] =
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, octets(salt), salt.size());
    if (!info.empty())
        params[n++] =
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, octets(info), info.size());
    params[n] = OSSL_PARAM_construct_end();
    const bool ok = EVP_KDF_derive(ctx, out.data(), out.size(), params) == 1;
    EVP_KDF_CTX_free(ctx);
    return ok;
}

} // namespace

bool quicHkdfExtract(std::span<const std::uint8_t> salt, std::span<const std::uint8_t> ikm,
                     QuicSecret& prk) noexcept
{
    return hkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, ikm, salt, {}, prk);
}

bool quicHkdfExpandLabel(std::span<const std::uint8_t> secret, std::string_view label,
                         std::span<std::uint8_t> out) noexcept
{
    if (label.size() > kMaxLabel || out.size() > 0xffff)
        return false;
    // HkdfLabel: uint16 length, opaque label<7..255> = "tls13 " + label,
    // opaque context<0..255> (empty here).
    std::array<std::uint8_t, 2 + 1 + 255 + 1> info{};
    std::size_t n = 0;
    info[n++] = static_cast<std::uint8_t>(out.size() >> 8);
    info[n++] = static_cast<std::uint8_t>(out.size() & 0xff);
    info[n++] = static_cast<std::uint8_t>(kTls13LabelPrefix.size() + label.size());
    for (const char ch : kTls13LabelPrefix)
        info[n++] = static_cast<std::uint8_t>(ch);
    for (const char ch : label)
        info[n++] = static_cast<std::uint8_t>(ch);
    info[n++] = 0;
    return hkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, secret, {}, std::span(info).first(n), out);
}

bool deriveQuicInitialKeys(const QuicVersionSpec& version, std::span<const std::uint8_t> dcid,
                           QuicSide side, QuicInitialKeys& out) noexcept
{
    QuicSecret initial{};
    if (!quicHkdfExtract(version.salt, dcid, initial))
        return false;
    const std::string_view sideLabel = side == QuicSide::Client ? "client in" : "server in";
    if (!quicHkdfExpandLabel(initial, sideLabel, out.secret))
        return false;
    // RFC 9369 section 3.3.2: v2 renames the packet-protection labels.
    const bool v2 = version.v2;
    return quicHkdfExpandLabel(out.secret, v2 ? "quicv2 key" : "quic key", out.key) &&
           quicHkdfExpandLabel(out.secret, v2 ? "quicv2 iv" : "quic iv", out.iv) &&
           quicHkdfExpandLabel(out.secret, v2 ? "quicv2 hp" : "quic hp", out.hp);
}

struct QuicPacketOpener::Impl {
    EVP_CIPHER_CTX* gcm = EVP_CIPHER_CTX_new();
    EVP_CIPHER_CTX* ecb = EVP_CIPHER_CTX_new();
    std::array<std::uint8_t, kQuicIvSize> iv{};
    bool ready = false;
    std::vector<std::uint8_t> header;    // unprotected header: the AEAD's associated data
    std::vector<std::uint8_t> plaintext; // reused so that steady state allocates nothing

    ~Impl()
    {
        EVP_CIPHER_CTX_free(gcm);
        EVP_CIPHER_CTX_free(ecb);
    }

    bool decrypt(std::span<const std::uint8_t> ciphertext,
                 std::span<const std::uint8_t, kQuicTagSize> tag, std::uint64_t packetNumber);
};

bool QuicPacketOpener::Impl::decrypt(std::span<const std::uint8_t> ciphertext,
                                     std::span<const std::uint8_t, kQuicTagSize> tag,
                                     std::uint64_t packetNumber)
{
    // RFC 9001 section 5.3: nonce = iv XOR the packet number, left-padded to 12 bytes.
    std::array<std::uint8_t, kQuicIvSize> nonce = iv;
    for (std::size_t i = 0; i < 8; ++i)
        nonce[kQuicIvSize - 1 - i] ^= static_cast<std::uint8_t>(packetNumber >> (8 * i));
    std::array<std::uint8_t, kQuicTagSize> tagCopy{}; // the ctrl call takes a non-const pointer
    std::copy(tag.begin(), tag.end(), tagCopy.begin());
    plaintext.resize(ciphertext.size());
    int length = 0;
    if (EVP_DecryptInit_ex(gcm, nullptr, nullptr, nullptr, nonce.data()) != 1 ||
        EVP_DecryptUpdate(gcm, nullptr, &length, header.data(), static_cast<int>(header.size())) !=
            1)
        return false;
    int produced = 0;
    if (!ciphertext.empty()) {
        if (EVP_DecryptUpdate(gcm, plaintext.data(), &produced, ciphertext.data(),
                              static_cast<int>(ciphertext.size())) != 1)
            return false;
    }
    if (EVP_CIPHER_CTX_ctrl(gcm, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kQuicTagSize),
                            tagCopy.data()) != 1)
        return false;
    std::uint8_t tail[16];
    return EVP_DecryptFinal_ex(gcm, tail, &length) == 1;
}

QuicPacketOpener::QuicPacketOpener() : m_impl(std::make_unique<Impl>()) {}
QuicPacketOpener::~QuicPacketOpener() = default;
QuicPacketOpener::QuicPacketOpener(QuicPacketOpener&&) noexcept = default;
QuicPacketOpener& QuicPacketOpener::operator=(QuicPacketOpener&&) noexcept = default;

bool QuicPacketOpener::setKeys(const QuicInitialKeys& keys) noexcept
{
    if (!m_impl)
        return false; // moved from
    Impl& d = *m_impl;
    d.ready = false;
    if (d.gcm == nullptr || d.ecb == nullptr || aes128Gcm() == nullptr || aes128Ecb() == nullptr)
        return false;
    if (EVP_DecryptInit_ex(d.gcm, aes128Gcm(), nullptr, keys.key.data(), nullptr) != 1 ||
        EVP_EncryptInit_ex(d.ecb, aes128Ecb(), nullptr, keys.hp.data(), nullptr) != 1 ||
        EVP_CIPHER_CTX_set_padding(d.ecb, 0) != 1)
        return false;
    d.iv = keys.iv;
    d.ready = true;
    return true;
}

bool QuicPacketOpener::hasKeys() const noexcept
{
    return m_impl && m_impl->ready;
}

bool QuicPacketOpener::headerMask(std::span<const std::uint8_t, kQuicSampleSize> sample,
                                  std::array<std::uint8_t, 5>& mask) noexcept
{
    if (!hasKeys())
        return false;
    // ECB without padding keeps no state between blocks: one update per sample.
    std::array<std::uint8_t, kQuicSampleSize> block{};
    int length = 0;
    if (EVP_EncryptUpdate(m_impl->ecb, block.data(), &length, sample.data(),
                          static_cast<int>(sample.size())) != 1 ||
        length != static_cast<int>(kQuicSampleSize))
        return false;
    std::copy_n(block.begin(), mask.size(), mask.begin());
    return true;
}

QuicOpenStatus QuicPacketOpener::open(std::span<const std::uint8_t> packet, std::size_t pnOffset,
                                      QuicOpenedPacket& out)
{
    out = QuicOpenedPacket{};
    if (!hasKeys())
        return QuicOpenStatus::CryptoError;
    // RFC 9001 section 5.4.2: the sample starts 4 bytes after pnOffset, as if
    // the packet number were 4 bytes long.
    if (pnOffset > packet.size() || packet.size() - pnOffset < 4 + kQuicSampleSize)
        return QuicOpenStatus::TooShort;
    if (packet.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        return QuicOpenStatus::TooShort;
    std::array<std::uint8_t, 5> mask{};
    if (!headerMask(packet.subspan(pnOffset + 4).first<kQuicSampleSize>(), mask))
        return QuicOpenStatus::CryptoError;
    const auto first = static_cast<std::uint8_t>(packet[0] ^ (mask[0] & kLongHeaderProtectedBits));
    const std::size_t pnLength = (first & 0x03u) + 1;
    const std::size_t headerLength = pnOffset + pnLength;
    if (packet.size() - headerLength < kQuicTagSize)
        return QuicOpenStatus::TooShort;

    Impl& d = *m_impl;
    d.header.assign(packet.begin(), packet.begin() + static_cast<std::ptrdiff_t>(headerLength));
    d.header[0] = first;
    std::uint64_t packetNumber = 0;
    for (std::size_t i = 0; i < pnLength; ++i) {
        d.header[pnOffset + i] ^= mask[1 + i];
        packetNumber = (packetNumber << 8) | d.header[pnOffset + i];
    }
    const std::size_t ciphertextLength = packet.size() - headerLength - kQuicTagSize;
    const auto ciphertext = packet.subspan(headerLength, ciphertextLength);
    const auto tag = packet.subspan(headerLength + ciphertextLength).first<kQuicTagSize>();
    if (!d.decrypt(ciphertext, tag, packetNumber))
        return QuicOpenStatus::AuthFailed;
    out.packetNumber = packetNumber;
    out.packetNumberLength = pnLength;
    out.firstByte = first;
    out.payload = std::span<const std::uint8_t>(d.plaintext.data(), ciphertextLength);
    return QuicOpenStatus::Ok;
}

} // namespace snilab
