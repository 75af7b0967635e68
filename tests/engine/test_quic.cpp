// Unit tests for the QUIC Initial building blocks: the RFC 9001 and RFC 9369
// Appendix A vectors (keys, header protection, whole-packet decryption), the
// long-header parser, the frame parser, CRYPTO reassembly and the bare
// ClientHello hookup with JA4's "q" letter. The decoder is tested in
// test_quic_decoder.cpp, real captures in test_quic_captures.cpp.
#include "flow/client_hello.h"
#include "flow/ja4.h"
#include "quic/quic_crypto.h"
#include "quic/quic_crypto_stream.h"
#include "quic/quic_frames.h"
#include "quic/quic_header.h"
#include "quic_test_util.h"

#include <QObject>
#include <QTest>

#include <string>

using namespace snilab;
using namespace snilab::test;

namespace {

QuicInitialKeys keysFor(std::uint32_t version, QuicSide side)
{
    QuicInitialKeys keys;
    const Bytes dcid = fromHex(kRfcDcid);
    if (!deriveQuicInitialKeys(*findQuicVersion(version), dcid, side, keys))
        qFatal("key derivation failed");
    return keys;
}

QString hexOf(std::span<const std::uint8_t> bytes)
{
    return QString::fromStdString(toHex(bytes));
}

// Opens an RFC packet with the keys of `side` and checks it against the RFC.
void openRfcPacket(std::uint32_t version, QuicSide side, const char* packetHex,
                   std::uint64_t packetNumber, const Bytes& expectedPayload)
{
    const Bytes packet = fromHex(packetHex);
    QuicLongHeader h;
    QCOMPARE(parseQuicLongHeader(packet, h), QuicHeaderStatus::Ok);
    QCOMPARE(h.version, version);
    QCOMPARE(h.type, QuicPacketType::Initial);
    QCOMPARE(h.packetSize, packet.size());
    QuicPacketOpener opener;
    QVERIFY(opener.setKeys(keysFor(version, side)));
    QuicOpenedPacket opened;
    QCOMPARE(opener.open(packet, h.pnOffset, opened), QuicOpenStatus::Ok);
    QCOMPARE(opened.packetNumber, packetNumber);
    QCOMPARE(hexOf(opened.payload), QString::fromStdString(toHex(expectedPayload)));
    // The other side's keys must not verify it.
    QuicPacketOpener wrong;
    QVERIFY(wrong.setKeys(
        keysFor(version, side == QuicSide::Client ? QuicSide::Server : QuicSide::Client)));
    QCOMPARE(wrong.open(packet, h.pnOffset, opened), QuicOpenStatus::AuthFailed);
}

} // namespace

Q_DECLARE_METATYPE(QuicHeaderStatus)

class TestQuic : public QObject {
    Q_OBJECT

private slots:
    void rfc9001Keys()
    {
        QuicSecret initial{};
        const QuicVersionSpec* v1 = findQuicVersion(1);
        QVERIFY(v1 != nullptr);
        QVERIFY(quicHkdfExtract(v1->salt, fromHex(kRfcDcid), initial));
        QCOMPARE(
            hexOf(initial),
            QStringLiteral("7db5df06e7a69e432496adedb00851923595221596ae2ae9fb8115c1e9ed0a44"));
        const QuicInitialKeys client = keysFor(1, QuicSide::Client);
        QCOMPARE(
            hexOf(client.secret),
            QStringLiteral("c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea"));
        QCOMPARE(hexOf(client.key), QStringLiteral("1f369613dd76d5467730efcbe3b1a22d"));
        QCOMPARE(hexOf(client.iv), QStringLiteral("fa044b2f42a3fd3b46fb255c"));
        QCOMPARE(hexOf(client.hp), QStringLiteral("9f50449e04a0e810283a1e9933adedd2"));
        const QuicInitialKeys server = keysFor(1, QuicSide::Server);
        QCOMPARE(hexOf(server.key), QStringLiteral("cf3a5331653c364c88f0f379b6067e37"));
        QCOMPARE(hexOf(server.iv), QStringLiteral("0ac1493ca1905853b0bba03e"));
        QCOMPARE(hexOf(server.hp), QStringLiteral("c206b8d9b9f0f37644430b490eeaa314"));
    }

    void rfc9001HeaderProtection()
    {
        QuicPacketOpener opener;
        QVERIFY(opener.setKeys(keysFor(1, QuicSide::Client)));
        const Bytes sample = fromHex("d1b1c98dd7689fb8ec11d242b123dc9b");
        std::array<std::uint8_t, 5> mask{};
        QVERIFY(opener.headerMask(std::span(sample).first<16>(), mask));
        QCOMPARE(hexOf(mask), QStringLiteral("437b9aec36"));
        // The sample sits at pnOffset + 4 of the protected packet.
        const Bytes packet = fromHex(kRfc9001ClientInitial);
        QuicLongHeader h;
        QCOMPARE(parseQuicLongHeader(packet, h), QuicHeaderStatus::Ok);
        QCOMPARE(h.pnOffset, std::size_t{18});
        QCOMPARE(hexOf(std::span(packet).subspan(h.pnOffset + 4, 16)), hexOf(sample));
    }

    void rfc9001ClientInitial()
    {
        openRfcPacket(1, QuicSide::Client, kRfc9001ClientInitial, 2, rfcClientPayload());
    }

    void rfc9001ServerInitial()
    {
        openRfcPacket(1, QuicSide::Server, kRfc9001ServerInitial, 1, fromHex(kRfcServerPayload));
    }

    void rfc9369Keys()
    {
        const QuicInitialKeys client = keysFor(0x6b3343cf, QuicSide::Client);
        QCOMPARE(
            hexOf(client.secret),
            QStringLiteral("14ec9d6eb9fd7af83bf5a668bc17a7e283766aade7ecd0891f70f9ff7f4bf47b"));
        QCOMPARE(hexOf(client.key), QStringLiteral("8b1a0bc121284290a29e0971b5cd045d"));
        QCOMPARE(hexOf(client.iv), QStringLiteral("91f73e2351d8fa91660e909f"));
        QCOMPARE(hexOf(client.hp), QStringLiteral("45b95e15235d6f45a6b19cbcb0294ba9"));
        const QuicInitialKeys server = keysFor(0x6b3343cf, QuicSide::Server);
        QCOMPARE(
            hexOf(server.secret),
            QStringLiteral("0263db1782731bf4588e7e4d93b7463907cb8cd8200b5da55a8bd488eafc37c1"));
        QCOMPARE(hexOf(server.key), QStringLiteral("82db637861d55e1d011f19ea71d5d2a7"));
        QCOMPARE(hexOf(server.iv), QStringLiteral("dd13c276499c0249d3310652"));
        QCOMPARE(hexOf(server.hp), QStringLiteral("edf6d05c83121201b436e16877593c3a"));
        QuicPacketOpener opener;
        QVERIFY(opener.setKeys(client));
        const Bytes sample = fromHex("ffe67b6abcdb4298b485dd04de806071");
        std::array<std::uint8_t, 5> mask{};
        QVERIFY(opener.headerMask(std::span(sample).first<16>(), mask));
        QCOMPARE(hexOf(mask), QStringLiteral("94a0c95e80"));
    }

    void rfc9369ClientInitial()
    {
        openRfcPacket(0x6b3343cf, QuicSide::Client, kRfc9369ClientInitial, 2, rfcClientPayload());
    }

    void rfc9369ServerInitial()
    {
        openRfcPacket(0x6b3343cf, QuicSide::Server, kRfc9369ServerInitial, 1,
                      fromHex(kRfcServerPayload));
    }

    // The test sealer reproduces the RFC packets byte for byte, so the
    // packets it builds elsewhere are what a real client would send.
    void sealerMatchesRfc()
    {
        QuicSealParams p;
        p.dcid = fromHex(kRfcDcid);
        p.packetNumber = 2;
        QCOMPARE(hexOf(sealQuicInitial(p, rfcClientPayload())),
                 QString::fromLatin1(kRfc9001ClientInitial));
        p.version = 0x6b3343cf;
        QCOMPARE(hexOf(sealQuicInitial(p, rfcClientPayload())),
                 QString::fromLatin1(kRfc9369ClientInitial));
    }

    void versionTable()
    {
        for (std::uint32_t v :
             {0x00000001u, 0x6b3343cfu, 0xff000017u, 0xff00001cu, 0xff00001du, 0xff000020u,
              0xff000021u, 0xff000022u, 0xfaceb001u, 0xfaceb002u, 0xfaceb00eu})
            QVERIFY2(findQuicVersion(v) != nullptr && findQuicVersion(v)->version == v,
                     qPrintable(QString::number(v, 16)));
        for (std::uint32_t v : {0u, 2u, 0x51303530u /* Q050 */, 0x54303531u /* T051 */, 0xff000016u,
                                0xff000023u, 0x709a50c4u, 0xfaceb003u, 0x1a2a3a4bu})
            QVERIFY2(findQuicVersion(v) == nullptr, qPrintable(QString::number(v, 16)));
        // Reserved versions share one spec with v1's salt and layout.
        for (std::uint32_t v : {0x0a0a0a0au, 0x1a2a3a4au, 0xfafafafau})
            QVERIFY2(findQuicVersion(v) != nullptr && findQuicVersion(v)->version == 0,
                     qPrintable(QString::number(v, 16)));
        QVERIFY(findQuicVersion(0x6b3343cf)->v2);
        QVERIFY(!findQuicVersion(0xff00001d)->v2);
    }

    void headerStatuses_data()
    {
        QTest::addColumn<QByteArray>("hex");
        QTest::addColumn<QuicHeaderStatus>("status");
        using S = QuicHeaderStatus;
        QTest::newRow("empty") << QByteArray("") << S::Truncated;
        QTest::newRow("short header") << QByteArray("4100") << S::ShortHeader;
        QTest::newRow("version cut") << QByteArray("c00000") << S::Truncated;
        QTest::newRow("version negotiation")
            << QByteArray("c000000000040102030404050607080000000100000002")
            << S::VersionNegotiation;
        QTest::newRow("gquic Q050")
            << QByteArray("c3513035300801020304050607080000") << S::UnsupportedVersion;
        QTest::newRow("unknown version, 21-byte cid")
            << QByteArray("c0faceb00315") + QByteArray(42, '1') + "00" << S::UnsupportedVersion;
        QTest::newRow("v1, 21-byte dcid")
            << QByteArray("c00000000115") + QByteArray(42, '1') + "00" << S::Malformed;
        QTest::newRow("v1, 21-byte scid")
            << QByteArray("c0000000010015") + QByteArray(42, '1') << S::Malformed;
        QTest::newRow("v1, dcid cut") << QByteArray("c000000001080102") << S::Truncated;
        QTest::newRow("v1, token length cut") << QByteArray("c0000000010000") << S::Truncated;
        QTest::newRow("v1, token cut") << QByteArray("c000000001000005aabb") << S::Truncated;
        QTest::newRow("v1, length beyond datagram")
            << QByteArray("c00000000100000041000102") << S::Truncated;
        QTest::newRow("v1, handshake") << QByteArray("e0000000010000020102") << S::Ok;
        QTest::newRow("v1, retry too short") << QByteArray("f00000000100000102") << S::Malformed;
        QTest::newRow("v1, retry")
            << QByteArray("f0000000010000aabb") + QByteArray(32, 'c') << S::Ok;
    }

    void headerStatuses()
    {
        QFETCH(QByteArray, hex);
        QFETCH(QuicHeaderStatus, status);
        const Bytes bytes = fromHex(hex.toStdString());
        QuicLongHeader h;
        QCOMPARE(parseQuicLongHeader(bytes, h), status);
        QVERIFY(h.packetSize <= bytes.size());
    }

    void headerFields()
    {
        // v2 Initial (type bits 01) with a token, then v2 type bits of the others.
        const Bytes packet = fromHex("d26b3343cf04a1a2a3a402b1b203c1c2c34005aabbccddee");
        QuicLongHeader h;
        QCOMPARE(parseQuicLongHeader(packet, h), QuicHeaderStatus::Ok);
        QCOMPARE(h.type, QuicPacketType::Initial);
        QCOMPARE(hexOf(h.dcid), QStringLiteral("a1a2a3a4"));
        QCOMPARE(hexOf(h.scid), QStringLiteral("b1b2"));
        QCOMPARE(hexOf(h.token), QStringLiteral("c1c2c3"));
        QCOMPARE(h.pnOffset, std::size_t{19});
        QCOMPARE(h.packetSize, packet.size());
        const std::pair<std::uint8_t, QuicPacketType> v2Types[] = {
            {0xc0, QuicPacketType::Retry},
            {0xe0, QuicPacketType::ZeroRtt},
            {0xf0, QuicPacketType::Handshake}};
        for (const auto& [first, type] : v2Types) {
            Bytes p = fromHex("c06b3343cf0000020000");
            p[0] = first;
            if (type == QuicPacketType::Retry)
                p.resize(p.size() + 16, 0);
            QCOMPARE(parseQuicLongHeader(p, h), QuicHeaderStatus::Ok);
            QCOMPARE(h.type, type);
        }
        // The cheap check wants room for the header-protection sample.
        const Bytes rfcPacket = fromHex(kRfc9001ClientInitial); // h points into it
        QVERIFY(looksLikeQuicInitial(rfcPacket, &h));
        QCOMPARE(hexOf(h.dcid), QString::fromLatin1(kRfcDcid));
        QVERIFY(!looksLikeQuicInitial(packet));
        QVERIFY(!looksLikeQuicInitial(fromHex("e0000000010000020102"))); // Handshake
    }

    void frames()
    {
        Bytes payload = {0x00, 0x00, 0x01};                    // PADDING x2, PING
        append(payload, fromHex("02050101030000"));            // ACK with one more range
        append(payload, fromHex("0305000001010101"));          // ACK_ECN: 3 counts
        appendQuicCryptoFrame(payload, 5, textBytes("world")); // CRYPTO
        appendQuicCryptoFrame(payload, 0, textBytes("hello"));
        append(payload, fromHex("1c0a0603616263")); // CONNECTION_CLOSE "abc"
        append(payload, fromHex("1d0b00"));         // application CLOSE
        QuicInitialFrames f;
        QCOMPARE(parseQuicInitialFrames(payload, f), QuicFrameStatus::Ok);
        QCOMPARE(f.paddingBytes, std::size_t{2});
        QCOMPARE(f.pings, std::size_t{1});
        QCOMPARE(f.acks, std::size_t{2});
        QCOMPARE(f.connectionCloses, std::size_t{2});
        QCOMPARE(f.crypto.size(), std::size_t{2});
        QCOMPARE(f.crypto[0].offset, std::uint64_t{5});
        QCOMPARE(std::string(f.crypto[0].data.begin(), f.crypto[0].data.end()),
                 std::string("world"));
        QCOMPARE(f.crypto[1].offset, std::uint64_t{0});
    }

    void frameErrors_data()
    {
        QTest::addColumn<QByteArray>("hex");
        QTest::addColumn<int>("status");
        const int bad = int(QuicFrameStatus::Malformed);
        const int forbidden = int(QuicFrameStatus::ForbiddenFrame);
        QTest::newRow("stream frame") << QByteArray("0800") << forbidden;
        QTest::newRow("new token") << QByteArray("07") << forbidden;
        QTest::newRow("handshake done") << QByteArray("1e") << forbidden;
        QTest::newRow("crypto in two-byte type") << QByteArray("4006000100") << forbidden;
        QTest::newRow("ack cut") << QByteArray("020501") << bad;
        QTest::newRow("ack range below zero") << QByteArray("0201000002") << bad;
        QTest::newRow("ack ranges cut") << QByteArray("02050003010101") << bad;
        QTest::newRow("ack ecn counts cut") << QByteArray("0305000101") << bad;
        QTest::newRow("crypto data cut") << QByteArray("06000461") << bad;
        QTest::newRow("crypto past 2^62") << QByteArray("06ffffffffffffffff0161") << bad;
        QTest::newRow("close reason cut") << QByteArray("1c000005aa") << bad;
        QTest::newRow("varint cut") << QByteArray("0680") << bad;
    }

    void frameErrors()
    {
        QFETCH(QByteArray, hex);
        QFETCH(int, status);
        QuicInitialFrames f;
        QCOMPARE(int(parseQuicInitialFrames(fromHex(hex.toStdString()), f)), status);
    }

    void reassembly()
    {
        const std::string text = "the quick brown fox jumps over the lazy dog";
        const Bytes all = textBytes(text);
        const auto piece = [&](std::size_t from, std::size_t to) {
            return std::span<const std::uint8_t>(all).subspan(from, to - from);
        };
        QuicCryptoReassembler r(64);
        QCOMPARE(r.add(30, piece(30, all.size())), QuicCryptoAddStatus::Ok);
        QCOMPARE(r.contiguous().size(), std::size_t{0});
        QCOMPARE(r.add(10, piece(10, 20)), QuicCryptoAddStatus::Ok);
        QCOMPARE(r.add(10, piece(10, 20)), QuicCryptoAddStatus::Ok); // duplicate
        QCOMPARE(r.add(0, piece(0, 5)), QuicCryptoAddStatus::Ok);
        QCOMPARE(r.contiguous().size(), std::size_t{5});
        QCOMPARE(r.add(3, piece(3, 12)), QuicCryptoAddStatus::Ok); // overlaps both sides
        QCOMPARE(r.contiguous().size(), std::size_t{20});
        // A conflicting overlap does not overwrite what was read.
        const Bytes liar(15, 'X');
        QCOMPARE(r.add(18, liar), QuicCryptoAddStatus::Ok);
        QCOMPARE(r.contiguous().size(), all.size());
        QCOMPARE(std::string(r.contiguous().begin(), r.contiguous().begin() + 20),
                 text.substr(0, 20));
        QCOMPARE(std::string(r.contiguous().begin() + 18, r.contiguous().begin() + 20),
                 text.substr(18, 2));
        QCOMPARE(r.distinctBytes(), all.size());
        QCOMPARE(r.add(60, piece(0, 5)), QuicCryptoAddStatus::OverCap);
        QCOMPARE(r.add(std::uint64_t{1} << 61, piece(0, 1)), QuicCryptoAddStatus::OverCap);
        QCOMPARE(r.add(64, {}), QuicCryptoAddStatus::Ok);          // empty frames claim nothing
        QCOMPARE(r.add(59, piece(0, 5)), QuicCryptoAddStatus::Ok); // ends exactly at the cap
        r.clear();
        QCOMPARE(r.contiguous().size(), std::size_t{0});
    }

    void bareClientHello()
    {
        const Bytes message = quicClientHello("bare.example", "h3");
        ClientHelloInfo quic;
        QCOMPARE(parseClientHelloMessage(message, quic), ClientHelloStatus::Parsed);
        QCOMPARE(quic.sni, std::string("bare.example"));
        QCOMPARE(quic.transport, HelloTransport::Quic);
        QVERIFY(quic.extensions.back() == 0x0039);
        // Same bytes inside a TLS record: same fields, JA4 differs in its letter only.
        Bytes record = {22, 3, 1};
        putU16(record, message.size());
        append(record, message);
        ClientHelloInfo tcp;
        QCOMPARE(parseClientHello(record, tcp), ClientHelloStatus::Parsed);
        QCOMPARE(tcp.transport, HelloTransport::Tcp);
        QCOMPARE(tcp.extensions, quic.extensions);
        QCOMPARE(tcp.ja4.substr(0, 1), std::string("t"));
        QCOMPARE(quic.ja4.substr(0, 1), std::string("q"));
        QCOMPARE(quic.ja4.substr(1), tcp.ja4.substr(1));
        QCOMPARE(quic.ja4.substr(0, 11), std::string("q13d0306h3_"));
        // computeJa4 follows the field.
        ClientHelloInfo copy = quic;
        copy.transport = HelloTransport::Tcp;
        QCOMPARE(computeJa4(copy), tcp.ja4);
        // The transport is a parameter of the bare path.
        ClientHelloInfo asTcp;
        QCOMPARE(parseClientHelloMessage(message, asTcp, HelloTransport::Tcp),
                 ClientHelloStatus::Parsed);
        QCOMPARE(asTcp.ja4, tcp.ja4);
    }

    void bareClientHelloStatuses()
    {
        const Bytes message = quicClientHello("prefix.example", "h3", 64);
        ClientHelloInfo info;
        for (std::size_t n = 0; n < message.size(); ++n) {
            const auto status = parseClientHelloMessage(std::span(message).first(n), info);
            QVERIFY2(status == ClientHelloStatus::NeedMore, qPrintable(QString::number(n)));
            QVERIFY(info.sni.empty());
        }
        Bytes longer = message;
        longer.push_back(0xff); // bytes after the message are not its business
        QCOMPARE(parseClientHelloMessage(longer, info), ClientHelloStatus::Parsed);
        Bytes serverHello = message;
        serverHello[0] = 2;
        QCOMPARE(parseClientHelloMessage(serverHello, info), ClientHelloStatus::NotClientHello);
        Bytes badLength = message;
        badLength[3] = static_cast<std::uint8_t>(badLength[3] - 1); // body one byte short
        QCOMPARE(parseClientHelloMessage(badLength, info), ClientHelloStatus::Malformed);
        QCOMPARE(parseClientHelloMessage(fromHex("01ffffff"), info), ClientHelloStatus::Malformed);
        QCOMPARE(parseClientHelloMessage(fromHex("01000005ffff"), info),
                 ClientHelloStatus::Malformed);
        QCOMPARE(parseClientHelloMessage(fromHex("01000064ffff"), info),
                 ClientHelloStatus::NeedMore);
    }

    void rfcClientHelloJa4()
    {
        // The RFC's ClientHello: 2 suites, 11 extensions, ALPN "alpn".
        const Bytes frame = fromHex(kRfcClientCryptoFrame);
        ClientHelloInfo info;
        QCOMPARE(parseClientHelloMessage(std::span(frame).subspan(4), info),
                 ClientHelloStatus::Parsed);
        QCOMPARE(info.sni, std::string("example.com"));
        QCOMPARE(info.alpn, std::vector<std::string>{"alpn"});
        QCOMPARE(info.ja4.substr(0, 11), std::string("q13d0211an_"));
    }
};

QTEST_APPLESS_MAIN(TestQuic)
#include "test_quic.moc"
