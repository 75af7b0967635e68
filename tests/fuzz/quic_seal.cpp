#include "quic_seal.h"

#include <openssl/evp.h>

#include <array>
#include <memory>

namespace snilab::test {

namespace {

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherCtx newCtx()
{
    return CipherCtx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
}

void appendU32(std::vector<std::uint8_t>& out, std::uint32_t v)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<std::uint8_t>(v >> shift));
}

// AES-128-GCM over `plain` with `aad`; ciphertext then tag appended to `out`.
bool gcmSeal(const QuicInitialKeys& keys, std::uint64_t pn, std::span<const std::uint8_t> aad,
             std::span<const std::uint8_t> plain, std::vector<std::uint8_t>& out)
{
    std::array<std::uint8_t, kQuicIvSize> nonce = keys.iv;
    for (std::size_t i = 0; i < 8; ++i)
        nonce[kQuicIvSize - 1 - i] ^= static_cast<std::uint8_t>(pn >> (8 * i));
    CipherCtx ctx = newCtx();
    int len = 0;
    if (!ctx ||
        EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, keys.key.data(), nonce.data()) !=
            1 ||
        EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1)
        return false;
    const std::size_t start = out.size();
    out.resize(start + plain.size() + kQuicTagSize);
    if (!plain.empty() && EVP_EncryptUpdate(ctx.get(), out.data() + start, &len, plain.data(),
                                            static_cast<int>(plain.size())) != 1)
        return false;
    std::uint8_t tail[16];
    return EVP_EncryptFinal_ex(ctx.get(), tail, &len) == 1 &&
           EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kQuicTagSize),
                               out.data() + start + plain.size()) == 1;
}

bool ecbMask(const QuicInitialKeys& keys, const std::uint8_t* sample, std::uint8_t* mask)
{
    CipherCtx ctx = newCtx();
    int len = 0;
    return ctx &&
           EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ecb(), nullptr, keys.hp.data(), nullptr) ==
               1 &&
           EVP_CIPHER_CTX_set_padding(ctx.get(), 0) == 1 &&
           EVP_EncryptUpdate(ctx.get(), mask, &len, sample, 16) == 1 && len == 16;
}

} // namespace

void appendQuicVarint(std::vector<std::uint8_t>& out, std::uint64_t value)
{
    int bytes = 1;
    std::uint8_t prefix = 0x00;
    if (value >= (std::uint64_t{1} << 30)) {
        bytes = 8;
        prefix = 0xc0;
    } else if (value >= (1u << 14)) {
        bytes = 4;
        prefix = 0x80;
    } else if (value >= (1u << 6)) {
        bytes = 2;
        prefix = 0x40;
    }
    for (int i = bytes - 1; i >= 0; --i) {
        auto b = static_cast<std::uint8_t>(value >> (8 * i));
        if (i == bytes - 1)
            b = static_cast<std::uint8_t>(b | prefix);
        out.push_back(b);
    }
}

void appendQuicCryptoFrame(std::vector<std::uint8_t>& out, std::uint64_t offset,
                           std::span<const std::uint8_t> data)
{
    out.push_back(0x06);
    appendQuicVarint(out, offset);
    appendQuicVarint(out, data.size());
    out.insert(out.end(), data.begin(), data.end());
}

std::vector<std::uint8_t> sealQuicInitial(const QuicSealParams& p,
                                          std::span<const std::uint8_t> payload)
{
    const QuicVersionSpec* spec = findQuicVersion(p.version);
    const QuicVersionSpec* keySpec = p.keyVersion != 0 ? findQuicVersion(p.keyVersion) : spec;
    QuicInitialKeys keys;
    const auto& keyDcid = p.keyDcid.empty() ? p.dcid : p.keyDcid;
    if (spec == nullptr || keySpec == nullptr || p.packetNumberLength < 1 ||
        p.packetNumberLength > 4 || !deriveQuicInitialKeys(*keySpec, keyDcid, p.side, keys))
        return {};
    // Initial is type 0b00 in v1 and the drafts, 0b01 in v2 (RFC 9369 section 3.2).
    const std::uint8_t typeBits = spec->v2 ? 0x10 : 0x00;
    std::vector<std::uint8_t> packet;
    packet.push_back(static_cast<std::uint8_t>(0xc0 | typeBits | (p.packetNumberLength - 1)));
    appendU32(packet, p.version);
    packet.push_back(static_cast<std::uint8_t>(p.dcid.size()));
    packet.insert(packet.end(), p.dcid.begin(), p.dcid.end());
    packet.push_back(static_cast<std::uint8_t>(p.scid.size()));
    packet.insert(packet.end(), p.scid.begin(), p.scid.end());
    appendQuicVarint(packet, p.token.size());
    packet.insert(packet.end(), p.token.begin(), p.token.end());
    // The Length field in two bytes when it fits, as most stacks write it.
    const std::size_t length = p.packetNumberLength + payload.size() + kQuicTagSize;
    if (length < (1u << 14)) {
        packet.push_back(static_cast<std::uint8_t>(0x40 | (length >> 8)));
        packet.push_back(static_cast<std::uint8_t>(length & 0xff));
    } else {
        appendQuicVarint(packet, length);
    }
    const std::size_t pnOffset = packet.size();
    for (std::size_t i = p.packetNumberLength; i-- > 0;)
        packet.push_back(static_cast<std::uint8_t>(p.packetNumber >> (8 * i)));
    const std::vector<std::uint8_t> header = packet;
    if (!gcmSeal(keys, p.packetNumber, header, payload, packet) ||
        packet.size() < pnOffset + 4 + 16)
        return {};
    std::array<std::uint8_t, 16> mask{};
    if (!ecbMask(keys, packet.data() + pnOffset + 4, mask.data()))
        return {};
    packet[0] ^= static_cast<std::uint8_t>(mask[0] & 0x0f);
    for (std::size_t i = 0; i < p.packetNumberLength; ++i)
        packet[pnOffset + i] ^= mask[1 + i];
    return packet;
}

} // namespace snilab::test
