// QuicTracker: UDP datagrams into QUIC connections - the client is the sender
// of the first Initial, every datagram of the endpoint pair is one packet of
// the series, a new connection ID after the handshake starts a new
// connection, a Retry or a Version Negotiation does not, idle connections end,
// and nothing that is not QUIC is stored.
#include "quic/quic_tracker.h"
#include "quic_test_util.h"
#include "test_bytes.h"

#include <QObject>
#include <QTest>

#include <string>
#include <vector>

using namespace snilab;
using namespace snilab::test;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
const Bytes kScid = {0x5c, 0x1d};

// A client Initial of connection ID `dcid` carrying the whole ClientHello.
Bytes clientInitial(const std::string& sni, const Bytes& dcid, std::uint64_t pn = 0,
                    const Bytes& token = {})
{
    const Bytes hello = quicClientHello(sni, "h3", 400);
    Bytes frames;
    appendQuicCryptoFrame(frames, 0, hello);
    frames.resize(std::max<std::size_t>(frames.size(), 1162), 0x00); // PADDING
    QuicSealParams p;
    p.dcid = dcid;
    p.scid = kScid;
    p.token = token;
    p.packetNumber = pn;
    return sealQuicInitial(p, frames);
}

// A 1-RTT (short header) datagram: what follows the handshake.
Bytes shortHeader(std::size_t size)
{
    Bytes b(size, 0x5a);
    b[0] = 0x41;
    return b;
}

// A server Retry (RFC 9000 section 17.2.5) asking for connection ID `newId`.
Bytes retry(const Bytes& newId)
{
    Bytes b = {0xf0, 0x00, 0x00, 0x00, 0x01, static_cast<std::uint8_t>(kScid.size())};
    append(b, kScid);
    b.push_back(static_cast<std::uint8_t>(newId.size()));
    append(b, newId);
    append(b, Bytes(24, 0x77)); // token
    append(b, Bytes(16, 0x00)); // integrity tag (not checked by a tracker)
    return b;
}

// A Version Negotiation from the server (version 0) offering v1.
Bytes versionNegotiation()
{
    Bytes b = {0x80, 0, 0, 0, 0, static_cast<std::uint8_t>(kScid.size())};
    append(b, kScid);
    append(b, Bytes{8, 1, 2, 3, 4, 5, 6, 7, 8});
    append(b, Bytes{0, 0, 0, 1});
    return b;
}

struct Endpoint {
    IpAddress ip;
    std::uint16_t port;
};
const Endpoint kClient{ipv4(192, 0, 2, 7), 50123};
const Endpoint kServer{ipv4(198, 51, 100, 9), 443};

struct Run {
    std::vector<Connection> out;
    QuicTracker tracker;
    std::vector<Bytes> kept; // the payloads must outlive onDatagram only; kept for simplicity
    explicit Run(QuicTrackerOptions options = {})
        : tracker(options, [this](Connection&& c) { out.push_back(std::move(c)); })
    {
    }
    void send(const Endpoint& from, const Endpoint& to, std::int64_t ts, Bytes payload)
    {
        kept.push_back(std::move(payload));
        DecodedPacket p;
        p.src = from.ip;
        p.dst = to.ip;
        p.srcPort = from.port;
        p.dstPort = to.port;
        p.ipVersion = 4;
        p.payload = kept.back();
        p.payloadLength = static_cast<std::uint32_t>(kept.back().size());
        p.ipLength = p.payloadLength + 28;
        tracker.onDatagram(ts, p);
    }
};

} // namespace

class TestQuicTracker : public QObject {
    Q_OBJECT

private slots:
    void oneConnection()
    {
        Run r;
        r.send(kClient, kServer, 10 * kSecond,
               clientInitial("one.example", {1, 2, 3, 4, 5, 6, 7, 8}));
        r.send(kServer, kClient, 10 * kSecond + 20'000'000, shortHeader(1200));
        r.send(kClient, kServer, 10 * kSecond + 30'000'000, shortHeader(60));
        r.send(kServer, kClient, 10 * kSecond + 50'000'000, shortHeader(0 + 900));
        QCOMPARE(r.tracker.liveConnections(), std::size_t{1});
        r.tracker.finishAll();
        QCOMPARE(r.out.size(), std::size_t{1});
        const Connection& c = r.out.front();
        QVERIFY(c.transport == Transport::Quic);
        QCOMPARE(c.quicVersion, std::uint32_t{1});
        QVERIFY(c.clientIp == kClient.ip && c.clientPort == kClient.port);
        QVERIFY(c.serverIp == kServer.ip && c.serverPort == kServer.port);
        QVERIFY(c.hasClientHello && c.clientKnown && !c.sawSyn);
        QCOMPARE(c.hello.sni, std::string("one.example"));
        QCOMPARE(c.hello.ja4.substr(0, 1), std::string("q"));
        QCOMPARE(c.closeReason, CloseReason::EndOfCapture);
        QCOMPARE(c.packets[0], std::uint64_t{2});
        QCOMPARE(c.packets[1], std::uint64_t{2});
        QCOMPARE(c.payloadBytes[1], std::uint64_t{2100});
        QCOMPARE(c.ipBytes[1], std::uint64_t{2100 + 2 * 28});
        QCOMPARE(c.startNs, 10 * kSecond);
        QCOMPARE(c.endNs, 10 * kSecond + 50'000'000);
        QCOMPARE(c.series.size(), std::size_t{4});
        QCOMPARE(c.series[1].tNs, std::int64_t{20'000'000});
        QCOMPARE(c.series[0].flags, PacketRecord::kClientToServer);
        QCOMPARE(c.series[1].flags, std::uint8_t{0});
        QCOMPARE(c.series[2].payloadLength, std::uint16_t{60});
        QCOMPARE(r.tracker.stats().connections, std::uint64_t{1});
        QCOMPARE(r.tracker.stats().quicPackets, std::uint64_t{4});
    }

    void newConnectionIdAfterHandshake()
    {
        Run r;
        r.send(kClient, kServer, 0, clientInitial("first.example", {1, 1, 1, 1, 1, 1, 1, 1}));
        r.send(kServer, kClient, 1'000'000, shortHeader(1200));
        // The same endpoints, a new ID and keys: the next connection.
        r.send(kClient, kServer, 2 * kSecond,
               clientInitial("second.example", {2, 2, 2, 2, 2, 2, 2, 2}));
        r.tracker.finishAll();
        QCOMPARE(r.out.size(), std::size_t{2});
        QCOMPARE(r.out[0].hello.sni, std::string("first.example"));
        QCOMPARE(r.out[0].closeReason, CloseReason::NewInitial);
        QCOMPARE(r.out[0].totalPackets(), std::uint64_t{2});
        QCOMPARE(r.out[1].hello.sni, std::string("second.example"));
        QCOMPARE(r.out[1].startNs, 2 * kSecond);
    }

    void retryIsTheSameConnection()
    {
        Run r;
        const Bytes asked = {0xaa, 0xbb, 0xcc, 0xdd, 0xee};
        r.send(kClient, kServer, 0, clientInitial("retry.example", {3, 3, 3, 3, 3, 3, 3, 3}));
        r.send(kServer, kClient, 1'000'000, retry(asked));
        r.send(kClient, kServer, 2'000'000,
               clientInitial("retry.example", asked, 1, Bytes(24, 0x77)));
        r.send(kServer, kClient, 3'000'000, shortHeader(1000));
        r.tracker.finishAll();
        QCOMPARE(r.out.size(), std::size_t{1});
        QCOMPARE(r.out[0].totalPackets(), std::uint64_t{4});
        QCOMPARE(r.out[0].hello.sni, std::string("retry.example"));
    }

    void versionNegotiationIsTheSameConnection()
    {
        Run r;
        r.send(kClient, kServer, 0, clientInitial("vn.example", {4, 4, 4, 4, 4, 4, 4, 4}));
        r.send(kServer, kClient, 1'000'000, versionNegotiation());
        r.send(kClient, kServer, 2'000'000, clientInitial("vn.example", {5, 5, 5, 5, 5, 5, 5, 5}));
        r.tracker.finishAll();
        QCOMPARE(r.out.size(), std::size_t{1});
        QCOMPARE(r.out[0].totalPackets(), std::uint64_t{3});
    }

    void idleTimeoutEnds()
    {
        QuicTrackerOptions o;
        o.idleTimeoutNs = 30 * kSecond;
        Run r(o);
        r.send(kClient, kServer, 0, clientInitial("idle.example", {6, 6, 6, 6, 6, 6, 6, 6}));
        r.send(kServer, kClient, kSecond, shortHeader(800));
        // 31 s later a 1-RTT datagram cannot start a connection: not stored.
        r.send(kClient, kServer, 32 * kSecond, shortHeader(100));
        QCOMPARE(r.out.size(), std::size_t{1});
        QCOMPARE(r.out[0].closeReason, CloseReason::Idle);
        QCOMPARE(r.out[0].totalPackets(), std::uint64_t{2});
        QCOMPARE(r.tracker.stats().notQuic, std::uint64_t{1});
        QCOMPARE(r.tracker.liveConnections(), std::size_t{0});
    }

    void onlyQuicIsStored()
    {
        Run r;
        // DNS, and a long header of a decoded version whose packet never opens.
        Bytes dns = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0};
        r.send(kClient, Endpoint{kServer.ip, 53}, 0, dns);
        Bytes fake = clientInitial("fake.example", {7, 7, 7, 7, 7, 7, 7, 7});
        for (std::size_t i = 40; i < fake.size(); ++i)
            fake[i] ^= 0x55; // the ciphertext and its tag no longer match
        r.send(kClient, kServer, 1, fake);
        r.send(kServer, kClient, 2, shortHeader(300));
        r.tracker.finishAll();
        QVERIFY(r.out.empty());
        QCOMPARE(r.tracker.stats().notQuic, std::uint64_t{1});
        QCOMPARE(r.tracker.stats().undecrypted, std::uint64_t{1});
        QCOMPARE(r.tracker.stats().udpPackets, std::uint64_t{3});
    }

    void boundedTable()
    {
        QuicTrackerOptions o;
        o.maxLiveConnections = 1;
        o.maxSeriesPackets = 2;
        Run r(o);
        r.send(kClient, kServer, 0, clientInitial("a.example", {8, 8, 8, 8, 8, 8, 8, 8}));
        for (int i = 1; i <= 3; ++i)
            r.send(kServer, kClient, i, shortHeader(100));
        const Endpoint other{kClient.ip, 50124};
        r.send(other, kServer, 10, clientInitial("b.example", {9, 9, 9, 9, 9, 9, 9, 9}));
        QCOMPARE(r.out.size(), std::size_t{1});
        QCOMPARE(r.out[0].closeReason, CloseReason::Evicted);
        QCOMPARE(r.out[0].series.size(), std::size_t{2}); // the cap; totals stay true
        QCOMPARE(r.out[0].totalPackets(), std::uint64_t{4});
        QCOMPARE(r.tracker.stats().evicted, std::uint64_t{1});
        r.tracker.finishAll();
        QCOMPARE(r.out.size(), std::size_t{2});
        QCOMPARE(r.out[1].hello.sni, std::string("b.example"));
        QVERIFY(!validateQuicTrackerOptions(QuicTrackerOptions{}).size());
        o.idleTimeoutNs = 0;
        QVERIFY(!validateQuicTrackerOptions(o).empty());
    }
};

QTEST_APPLESS_MAIN(TestQuicTracker)
#include "test_quic_tracker.moc"
