// QuicInitialDecoder: the RFC datagrams, a ClientHello split, shuffled,
// duplicated and overlapped across CRYPTO frames, packets and datagrams
// (built with the test sealer), connection-ID changes, caps, and every
// truncation and bit flip of a real Initial.
#include "flow/client_hello.h"
#include "quic/quic_crypto.h"
#include "quic/quic_initial.h"
#include "quic_test_util.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTest>

#include <algorithm>
#include <random>
#include <string>

using namespace snilab;
using namespace snilab::test;

namespace {

using S = QuicDatagramStatus;

const Bytes kDcid = {0xc1, 0xd2, 0xe3, 0xf4, 0x05, 0x16, 0x27, 0x38};
const Bytes kScid = {0x5c, 0x1d};

QuicSealParams client(std::uint64_t pn, Bytes dcid = kDcid)
{
    QuicSealParams p;
    p.dcid = std::move(dcid);
    p.scid = kScid;
    p.packetNumber = pn;
    return p;
}

struct Piece {
    std::size_t from;
    std::size_t to;
};

Bytes cryptoFrames(const Bytes& hello, std::initializer_list<Piece> pieces)
{
    Bytes frames;
    for (const Piece& p : pieces)
        appendQuicCryptoFrame(frames, p.from, std::span(hello).subspan(p.from, p.to - p.from));
    return frames;
}

Bytes padded(Bytes frames, std::size_t size = 200)
{
    if (frames.size() < size)
        frames.resize(size, 0x00); // PADDING frames
    return frames;
}

Bytes concat(std::initializer_list<Bytes> parts)
{
    Bytes out;
    for (const Bytes& p : parts)
        append(out, p);
    return out;
}

QString statusName(S s)
{
    return QString::fromLatin1(quicDatagramStatusName(s));
}

#define QCOMPARE_STATUS(actual, expected) QCOMPARE(statusName(actual), statusName(expected))

// The JA4 of the same hello carried in a TLS record over TCP.
std::string tcpJa4(const Bytes& message)
{
    Bytes record = {22, 3, 1};
    putU16(record, message.size());
    append(record, message);
    ClientHelloInfo info;
    parseClientHello(record, info);
    return info.ja4;
}

} // namespace

class TestQuicDecoder : public QObject {
    Q_OBJECT

private slots:
    void rfcDatagrams()
    {
        for (const auto& [hex, version] : {std::pair{kRfc9001ClientInitial, 0x00000001u},
                                           std::pair{kRfc9369ClientInitial, 0x6b3343cfu}}) {
            QuicInitialDecoder d;
            const Bytes datagram = fromHex(hex);
            QCOMPARE_STATUS(d.feedClientDatagram(datagram), S::HelloComplete);
            QVERIFY(d.helloComplete());
            QCOMPARE(d.version(), version);
            QCOMPARE(QString::fromStdString(toHex(d.originalDcid())),
                     QString::fromLatin1(kRfcDcid));
            QVERIFY(d.scid().empty());
            QCOMPARE(d.hello().sni, std::string("example.com"));
            QCOMPARE(d.hello().ja4.substr(0, 11), std::string("q13d0211an_"));
            QCOMPARE(d.initialPacketsOpened(), std::size_t{1});
            // A repeat (retransmission) is answered without decrypting.
            QCOMPARE_STATUS(d.feedClientDatagram(datagram), S::AfterHello);
            QCOMPARE(d.initialPacketsOpened(), std::size_t{1});
            const QuicInitialDecoder moved = std::move(d);
            QVERIFY(moved.helloComplete());
        }
    }

    void statuses()
    {
        QuicInitialDecoder d;
        QCOMPARE_STATUS(d.feedClientDatagram({}), S::NotQuic);
        QCOMPARE_STATUS(d.feedClientDatagram(fromHex("4012345678")), S::NotQuic);
        QCOMPARE_STATUS(d.feedClientDatagram(fromHex("c000000000000000000001")),
                        S::VersionNegotiation);
        QCOMPARE_STATUS(d.feedClientDatagram(fromHex("c351303530080102030405060708000102")),
                        S::UnsupportedVersion);
        QCOMPARE_STATUS(d.feedClientDatagram(fromHex("e0000000010000020102")), S::NoInitial);
        QCOMPARE_STATUS(d.feedClientDatagram(fromHex("c00000000100000041000102")), S::Truncated);
        QCOMPARE_STATUS(d.feedClientDatagram(fromHex("c00000000115")), S::Malformed);
        QCOMPARE_STATUS(d.feedClientDatagram(fromHex(kRfc9001ServerInitial)), S::DecryptFailed);
        // Length too small for the header-protection sample.
        QCOMPARE_STATUS(d.feedClientDatagram(fromHex("c00000000100000004aabbccdd")), S::Malformed);
        QCOMPARE(d.version(), 0u);
        QVERIFY(d.originalDcid().empty());
        QCOMPARE(d.initialPacketsOpened(), std::size_t{0});
    }

    void splitAcrossDatagrams()
    {
        const Bytes hello = quicClientHello("split.example.org", "h3");
        const std::size_t n = hello.size();
        QVERIFY(n > 1300);
        // Datagram 1: the third piece, then the start of the first.
        const Bytes d1 =
            sealQuicInitial(client(0), padded(cryptoFrames(hello, {{700, 1100}, {0, 200}})));
        // Datagram 2, two coalesced packets: the last piece, an overlap of the
        // first, a duplicate of the third; then PING, ACK and the second piece
        // reaching into the third.
        Bytes second = cryptoFrames(hello, {{1100, n}, {150, 300}, {700, 1100}});
        Bytes third = {0x01};
        append(third, cryptoFrames(hello, {{300, 800}}));
        append(third, fromHex("0200000000"));
        const Bytes d2 = concat({sealQuicInitial(client(1), padded(second)),
                                 sealQuicInitial(client(2), padded(third))});
        QuicInitialDecoder d;
        QCOMPARE_STATUS(d.feedClientDatagram(d1), S::NeedMore);
        QVERIFY(!d.helloComplete());
        QVERIFY(d.hello().sni.empty());
        QCOMPARE_STATUS(d.feedClientDatagram(d2), S::HelloComplete);
        QCOMPARE(d.initialPacketsOpened(), std::size_t{3});
        QCOMPARE(d.hello().sni, std::string("split.example.org"));
        QCOMPARE(d.hello().alpn, std::vector<std::string>{"h3"});
        QCOMPARE(d.hello().transport, HelloTransport::Quic);
        const std::string ja4 = d.hello().ja4;
        QCOMPARE(ja4.substr(0, 1), std::string("q"));
        QCOMPARE(ja4.substr(1), tcpJa4(hello).substr(1));
        QCOMPARE(QString::fromStdString(toHex(d.scid())), QString::fromStdString(toHex(kScid)));
    }

    // Random splits, overlaps, duplicates and orders: the hello completes
    // exactly when its last byte arrives, always with the same result.
    void shuffledSplits()
    {
        const Bytes hello = quicClientHello("shuffle.example", "h3");
        const std::string expected = "q" + tcpJa4(hello).substr(1);
        std::mt19937 rng(20261126);
        for (int round = 0; round < 200; ++round) {
            std::vector<Piece> pieces;
            for (std::size_t at = 0; at < hello.size();) {
                const std::size_t len = 1 + rng() % 400;
                const std::size_t from = at > 0 ? at - std::min<std::size_t>(at, rng() % 40) : 0;
                const std::size_t to = std::min(hello.size(), at + len);
                pieces.push_back({from, to});
                at = to;
            }
            for (std::size_t dup = rng() % 4; dup > 0; --dup)
                pieces.push_back(pieces[rng() % pieces.size()]);
            std::shuffle(pieces.begin(), pieces.end(), rng);
            QuicInitialDecoder d;
            std::vector<bool> have(hello.size(), false);
            std::uint64_t pn = 0;
            for (std::size_t i = 0; i < pieces.size();) {
                // 1-3 packets per datagram, 1-3 frames per packet.
                Bytes datagram;
                for (std::size_t k = 1 + rng() % 3; k > 0 && i < pieces.size(); --k) {
                    Bytes frames;
                    for (std::size_t f = 1 + rng() % 3; f > 0 && i < pieces.size(); --f, ++i) {
                        const Piece p = pieces[i];
                        appendQuicCryptoFrame(frames, p.from,
                                              std::span(hello).subspan(p.from, p.to - p.from));
                        std::fill(have.begin() + static_cast<long>(p.from),
                                  have.begin() + static_cast<long>(p.to), true);
                    }
                    append(datagram, sealQuicInitial(client(pn++), padded(frames, 40)));
                }
                const bool wasComplete = d.helloComplete();
                const S s = d.feedClientDatagram(datagram);
                const bool all = std::find(have.begin(), have.end(), false) == have.end();
                QCOMPARE_STATUS(s, wasComplete ? S::AfterHello
                                               : (all ? S::HelloComplete : S::NeedMore));
            }
            QVERIFY2(d.helloComplete(), qPrintable(QString::number(round)));
            QCOMPARE(d.hello().ja4, expected);
            QCOMPARE(d.hello().sni, std::string("shuffle.example"));
        }
    }

    void versions()
    {
        for (std::uint32_t v :
             {0xff000017u, 0xff00001bu, 0xff00001du, 0xff000020u, 0xff000021u, 0xfaceb001u,
              0xfaceb002u, 0xfaceb00eu, 0x6b3343cfu, 0x00000001u, 0x0a0a0a0au}) {
            QuicSealParams p = client(0);
            p.version = v;
            const Bytes packet = sealQuicInitial(p, rfcClientPayload());
            QVERIFY(!packet.empty());
            QuicInitialDecoder d;
            QCOMPARE_STATUS(d.feedClientDatagram(packet), S::HelloComplete);
            QCOMPARE(d.version(), v);
        }
    }

    // A reserved version carries the Initial of the client's real version:
    // v1's keys are tried, then draft-29's.
    void reservedVersion()
    {
        for (std::uint32_t keys : {0x00000001u, 0xff00001du}) {
            QuicSealParams p = client(0);
            p.version = 0x3a4a5a6a;
            p.keyVersion = keys;
            QuicInitialDecoder d;
            QCOMPARE_STATUS(d.feedClientDatagram(sealQuicInitial(p, rfcClientPayload())),
                            S::HelloComplete);
            QCOMPARE(d.version(), 0x3a4a5a6au);
        }
        QuicSealParams p = client(0);
        p.version = 0x3a4a5a6a;
        p.keyVersion = 0x6b3343cf; // neither salt: not opened
        QuicInitialDecoder d;
        QCOMPARE_STATUS(d.feedClientDatagram(sealQuicInitial(p, rfcClientPayload())),
                        S::DecryptFailed);
    }

    void serverChosenDcid()
    {
        QuicInitialDecoder d;
        QCOMPARE_STATUS(d.feedClientDatagram(fromHex(kRfc9001ClientInitial)), S::HelloComplete);
        // After the server's Initial the client writes the server's ID as
        // DCID but keeps the original keys: the same connection.
        QuicSealParams p;
        p.dcid = {1, 2, 3, 4, 5, 6, 7, 8};
        p.keyDcid = fromHex(kRfcDcid);
        p.packetNumber = 3;
        const Bytes ack = sealQuicInitial(p, padded(fromHex("0201000000"), 1100));
        QCOMPARE_STATUS(d.feedClientDatagram(ack), S::AfterHello);
        QCOMPARE(d.initialPacketsOpened(), std::size_t{2});
        QCOMPARE_STATUS(d.feedClientDatagram(ack), S::AfterHello); // now known: not decrypted
        QCOMPARE(d.initialPacketsOpened(), std::size_t{2});
        // Keys from its own DCID: another connection on the tuple.
        QuicSealParams other = client(0, {9, 9, 9, 9, 9, 9, 9, 9});
        const Bytes fresh = sealQuicInitial(other, rfcClientPayload());
        QCOMPARE_STATUS(d.feedClientDatagram(fresh), S::NewConnection);
        QCOMPARE(QString::fromStdString(toHex(d.originalDcid())), QString::fromLatin1(kRfcDcid));
        QuicInitialDecoder next;
        QCOMPARE_STATUS(next.feedClientDatagram(fresh), S::HelloComplete);
        // Neither keys: not ours.
        QuicSealParams stray = client(0, {7, 7, 7, 7});
        stray.keyDcid = {6, 6, 6, 6};
        QCOMPARE_STATUS(d.feedClientDatagram(sealQuicInitial(stray, rfcClientPayload())),
                        S::DecryptFailed);
    }

    void retryRestarts()
    {
        const Bytes hello = quicClientHello("retry.example", "h3");
        QuicInitialDecoder d;
        QCOMPARE_STATUS(
            d.feedClientDatagram(sealQuicInitial(client(0), cryptoFrames(hello, {{0, 500}}))),
            S::NeedMore);
        // After a Retry: the new DCID keys the packets, a token rides along,
        // and the CRYPTO stream starts again at 0.
        QuicSealParams p = client(1, {0xaa, 0xbb, 0xcc, 0xdd, 0xee});
        p.token = Bytes(40, 0x77);
        QCOMPARE_STATUS(
            d.feedClientDatagram(sealQuicInitial(p, cryptoFrames(hello, {{0, hello.size()}}))),
            S::HelloComplete);
        QCOMPARE(QString::fromStdString(toHex(d.originalDcid())), QStringLiteral("aabbccddee"));
        QCOMPARE(d.hello().sni, std::string("retry.example"));
        // A server may choose an empty connection ID for the Retry.
        QuicInitialDecoder e;
        QCOMPARE_STATUS(
            e.feedClientDatagram(sealQuicInitial(client(0), cryptoFrames(hello, {{0, 500}}))),
            S::NeedMore);
        QCOMPARE_STATUS(e.feedClientDatagram(sealQuicInitial(
                            client(1, {}), cryptoFrames(hello, {{0, hello.size()}}))),
                        S::HelloComplete);
        QVERIFY(e.originalDcid().empty());
    }

    void emptyDcid()
    {
        QuicInitialDecoder d;
        QCOMPARE_STATUS(d.feedClientDatagram(sealQuicInitial(client(0, {}), rfcClientPayload())),
                        S::HelloComplete);
        QVERIFY(d.originalDcid().empty());
    }

    void coalescedOtherDcidIgnored()
    {
        const Bytes hello = quicClientHello("coalesce.example", "h3");
        const Bytes datagram =
            concat({sealQuicInitial(client(0), cryptoFrames(hello, {{0, 600}})),
                    sealQuicInitial(client(1, {4, 4, 4, 4, 4, 4, 4, 4}),
                                    cryptoFrames(hello, {{600, hello.size()}}))});
        QuicInitialDecoder d;
        QCOMPARE_STATUS(d.feedClientDatagram(datagram), S::NeedMore);
        QCOMPARE(d.initialPacketsOpened(), std::size_t{1});
    }

    void forbiddenFrame()
    {
        QuicInitialDecoder d;
        Bytes frames = cryptoFrames(quicClientHello("f.example", "h3"), {{0, 10}});
        append(frames, fromHex("0800")); // STREAM: not allowed in an Initial
        QCOMPARE_STATUS(d.feedClientDatagram(sealQuicInitial(client(0), padded(frames))),
                        S::Malformed);
        QVERIFY(!d.failed());
        QCOMPARE_STATUS(d.feedClientDatagram(sealQuicInitial(client(1), rfcClientPayload())),
                        S::HelloComplete);
    }

    void notClientHello()
    {
        QuicInitialDecoder d;
        Bytes frames;
        appendQuicCryptoFrame(frames, 0, fromHex("020000040303aaaa")); // a ServerHello
        QCOMPARE_STATUS(d.feedClientDatagram(sealQuicInitial(client(0), padded(frames))),
                        S::Malformed);
        QVERIFY(d.failed());
        QCOMPARE_STATUS(d.feedClientDatagram(sealQuicInitial(client(1), rfcClientPayload())),
                        S::Malformed);
    }

    void cryptoCap()
    {
        QuicDecoderOptions small;
        small.cryptoCap = 1000;
        const Bytes hello = quicClientHello("cap.example", "h3");
        {
            QuicInitialDecoder d(small);
            QCOMPARE_STATUS(d.feedClientDatagram(
                                sealQuicInitial(client(0), cryptoFrames(hello, {{900, 1100}}))),
                            S::CryptoOverflow);
            QVERIFY(d.failed());
            QCOMPARE_STATUS(d.feedClientDatagram(sealQuicInitial(client(1), rfcClientPayload())),
                            S::CryptoOverflow);
        }
        {
            // A hello that announces more than the cap fails once its header is in.
            QuicInitialDecoder d(small);
            QCOMPARE_STATUS(
                d.feedClientDatagram(sealQuicInitial(client(0), cryptoFrames(hello, {{0, 500}}))),
                S::CryptoOverflow);
        }
        {
            QuicInitialDecoder d;
            Bytes frames;
            appendQuicCryptoFrame(frames, kQuicDefaultCryptoCap - 10, Bytes(20, 1));
            QCOMPARE_STATUS(d.feedClientDatagram(sealQuicInitial(client(0), padded(frames))),
                            S::CryptoOverflow);
        }
    }

    void everyTruncation()
    {
        const Bytes hello = quicClientHello("cut.example", "h3", 300);
        const std::vector<Bytes> datagrams = {
            fromHex(kRfc9001ClientInitial),
            concat({sealQuicInitial(client(0), cryptoFrames(hello, {{200, hello.size()}})),
                    sealQuicInitial(client(1), cryptoFrames(hello, {{0, 250}}))})};
        for (const Bytes& full : datagrams) {
            for (std::size_t n = 0; n <= full.size(); ++n) {
                QuicInitialDecoder d;
                const S s = d.feedClientDatagram(std::span(full).first(n));
                if (n < full.size())
                    QVERIFY2(s != S::HelloComplete, qPrintable(QString::number(n)));
                else
                    QCOMPARE_STATUS(s, S::HelloComplete);
            }
        }
    }

    void everyBitFlip()
    {
        const Bytes packet = fromHex(kRfc9001ClientInitial);
        for (std::size_t i = 0; i < packet.size(); ++i) {
            Bytes damaged = packet;
            damaged[i] ^= static_cast<std::uint8_t>(1u << (i % 8));
            QuicInitialDecoder d;
            const S s = d.feedClientDatagram(damaged);
            QVERIFY2(s != S::HelloComplete && s != S::NeedMore, qPrintable(QString::number(i)));
        }
    }

    void randomGarbage()
    {
        std::mt19937 rng(7);
        const Bytes prefix = fromHex("c00000000108");
        QuicInitialDecoder d;
        for (int i = 0; i < 3000; ++i) {
            Bytes datagram = (i % 2 == 0) ? prefix : Bytes{};
            for (std::size_t n = rng() % 1300; n > 0; --n)
                datagram.push_back(static_cast<std::uint8_t>(rng()));
            const S s = d.feedClientDatagram(datagram);
            QVERIFY(s != S::HelloComplete && s != S::NeedMore);
        }
    }

    void decryptRate()
    {
        // Not a pass/fail benchmark: prints the rate for the record.
        const Bytes packet = fromHex(kRfc9001ClientInitial);
        constexpr int kConnections = 2000;
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < kConnections; ++i) {
            QuicInitialDecoder d;
            if (d.feedClientDatagram(packet) != S::HelloComplete)
                QFAIL("decode failed");
        }
        const double perConnection = double(timer.nsecsElapsed()) / kConnections;
        QuicPacketOpener opener;
        QuicInitialKeys keys;
        QVERIFY(
            deriveQuicInitialKeys(*findQuicVersion(1), fromHex(kRfcDcid), QuicSide::Client, keys));
        QVERIFY(opener.setKeys(keys));
        constexpr int kPackets = 20000;
        QuicOpenedPacket opened;
        timer.restart();
        for (int i = 0; i < kPackets; ++i) {
            if (opener.open(packet, 18, opened) != QuicOpenStatus::Ok)
                QFAIL("open failed");
        }
        const double perPacket = double(timer.nsecsElapsed()) / kPackets;
        qInfo("QUIC: %.0f new connections/s (keys + decrypt + frames + ClientHello), "
              "%.0f Initial decryptions/s (1200 bytes, reused keys)",
              1e9 / perConnection, 1e9 / perPacket);
    }
};

QTEST_APPLESS_MAIN(TestQuicDecoder)
#include "test_quic_decoder.moc"
