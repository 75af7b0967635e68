// The quic_initial fuzz input. Random bytes almost never pass AES-GCM, so
// besides raw datagrams the input can be plaintext that is sealed here with
// the real Initial keys (the decoder's state machine behind the AEAD), or
// plaintext handed straight to the frame parser and reassembler.
#include "fuzz_inputs.h"

#include "flow/client_hello.h"
#include "quic/quic_crypto_stream.h"
#include "quic/quic_frames.h"
#include "quic/quic_header.h"
#include "quic/quic_initial.h"
#include "quic_seal.h"

#include <algorithm>
#include <cstdlib>
#include <span>
#include <vector>

namespace snilab::fuzz {

namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::size_t kMaxRecords = 64;

// Splits the input into records: a 2-byte big-endian length, then that many
// bytes (cut short at the end of the input). `headerBytes` leading bytes of
// each record are passed apart (flags).
template <typename Visit>
void records(std::span<const std::uint8_t> in, std::size_t headerBytes, Visit visit)
{
    std::size_t pos = 0;
    for (std::size_t n = 0; n < kMaxRecords && pos + headerBytes + 2 <= in.size(); ++n) {
        const auto head = in.subspan(pos, headerBytes);
        pos += headerBytes;
        std::size_t len = std::size_t{in[pos]} << 8 | in[pos + 1];
        pos += 2;
        len = std::min(len, in.size() - pos);
        visit(head, in.subspan(pos, len));
        pos += len;
    }
}

void checkDecoder(const QuicInitialDecoder& d)
{
    if (d.helloComplete() && (d.hello().transport != HelloTransport::Quic ||
                              (!d.hello().ja4.empty() && d.hello().ja4[0] != 'q')))
        std::abort();
}

void rawDatagrams(std::span<const std::uint8_t> in)
{
    QuicInitialDecoder d;
    records(in, 0, [&](std::span<const std::uint8_t>, std::span<const std::uint8_t> datagram) {
        QuicLongHeader h;
        if (parseQuicLongHeader(datagram, h) == QuicHeaderStatus::Ok &&
            (h.packetSize > datagram.size() || h.pnOffset > h.packetSize))
            std::abort();
        looksLikeQuicInitial(datagram);
        d.feedClientDatagram(datagram);
        checkDecoder(d);
    });
}

void plaintextFrames(std::span<const std::uint8_t> in)
{
    // A small cap so that the fuzzer reaches it.
    QuicCryptoReassembler stream(4096);
    QuicInitialFrames frames;
    ClientHelloInfo info;
    records(in, 0, [&](std::span<const std::uint8_t>, std::span<const std::uint8_t> payload) {
        parseQuicInitialFrames(payload, frames);
        for (const QuicCryptoFrame& f : frames.crypto) {
            if (f.data.data() < payload.data() ||
                f.data.data() + f.data.size() > payload.data() + payload.size())
                std::abort();
            stream.add(f.offset, f.data);
        }
        if (stream.contiguous().size() > stream.cap())
            std::abort();
        parseClientHelloMessage(stream.contiguous(), info);
    });
}

// Each record: flags, then the plaintext of one Initial packet. Flags:
// bit 0 coalesce with the previous packet, bit 1 another DCID with its own
// keys, bit 2 another DCID with the original keys, bits 3-4 the version,
// bit 5 a 1-byte packet number, bit 6 a token.
void sealedDatagrams(std::span<const std::uint8_t> in)
{
    static constexpr std::uint32_t kVersions[] = {0x00000001, 0x6b3343cf, 0xff00001d, 0xff000017};
    const Bytes original = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};
    const Bytes other = {0x01, 0x02, 0x03, 0x04, 0x05};
    std::vector<Bytes> datagrams;
    std::uint64_t pn = 0;
    records(in, 1, [&](std::span<const std::uint8_t> head, std::span<const std::uint8_t> plain) {
        const std::uint8_t flags = head[0];
        test::QuicSealParams p;
        p.version = kVersions[(flags >> 3) & 3];
        p.dcid = (flags & 6) != 0 ? other : original;
        if ((flags & 4) != 0)
            p.keyDcid = original;
        p.packetNumber = pn++;
        p.packetNumberLength = (flags & 0x20) != 0 ? 1 : 4;
        if ((flags & 0x40) != 0)
            p.token = Bytes(16, 0x7a);
        Bytes payload(plain.begin(), plain.end());
        if (payload.size() < 4)
            payload.resize(4, 0); // room for the header-protection sample
        const Bytes packet = test::sealQuicInitial(p, payload);
        if ((flags & 1) != 0 && !datagrams.empty())
            datagrams.back().insert(datagrams.back().end(), packet.begin(), packet.end());
        else
            datagrams.push_back(packet);
    });
    QuicInitialDecoder d;
    for (const Bytes& datagram : datagrams) {
        d.feedClientDatagram(datagram);
        checkDecoder(d);
    }
}

} // namespace

void quicInitial(const std::uint8_t* data, std::size_t size)
{
    if (size < 1)
        return;
    const std::span<const std::uint8_t> rest(data + 1, size - 1);
    switch (data[0] % 3) {
    case 0: rawDatagrams(rest); break;
    case 1: plaintextFrames(rest); break;
    default: sealedDatagrams(rest); break;
    }
}

} // namespace snilab::fuzz
