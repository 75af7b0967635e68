// Unit tests for ConnectionTracker (flow/connection_tracker.h): connection
// boundaries, client detection, counters, series and ClientHello
// reassembly, fed with hand-made DecodedPacket values (no pcap).
#include "flow/connection_tracker.h"
#include "test_bytes.h"

#include <QObject>
#include <QString>
#include <QTest>

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

using namespace snilab;

namespace {

using namespace snilab::test;

// One TLS record holding a ClientHello with server_name, supported_versions
// and a padding extension of `padding` bytes (to make multi-segment hellos).
Bytes clientHello(const std::string& sni, std::size_t padding = 0)
{
    Bytes body;
    putU16(body, 0x0303);
    for (std::size_t i = 0; i < 32; ++i)
        putU8(body, (i * 37 + 11) & 0xff); // random
    putU8(body, 32);                       // session id
    for (std::size_t i = 0; i < 32; ++i)
        putU8(body, 0xa0 + (i & 0x0f));
    putU16(body, 6); // cipher suites
    putU16(body, 0x1301);
    putU16(body, 0x1302);
    putU16(body, 0xc02f);
    putU8(body, 1); // compression: null
    putU8(body, 0);

    Bytes exts;
    Bytes name;
    putU8(name, 0); // host_name
    putU16(name, sni.size());
    append(name, textBytes(sni));
    putU16(exts, 0x0000); // server_name
    putU16(exts, name.size() + 2);
    putU16(exts, name.size());
    append(exts, name);
    putU16(exts, 0x002b); // supported_versions
    putU16(exts, 5);
    putU8(exts, 4);
    putU16(exts, 0x0304);
    putU16(exts, 0x0303);
    if (padding > 0) {
        putU16(exts, 0x0015);
        putU16(exts, padding);
        exts.insert(exts.end(), padding, 0);
    }
    putU16(body, exts.size());
    append(body, exts);

    Bytes handshake;
    putU8(handshake, 1); // client_hello
    putU24(handshake, body.size());
    append(handshake, body);

    Bytes record;
    putU8(record, 0x16);
    putU16(record, 0x0301);
    putU16(record, handshake.size());
    append(record, handshake);
    return record;
}

IpAddress ipv6(std::uint16_t last)
{
    IpAddress ip;
    ip.bytes[0] = 0x20;
    ip.bytes[1] = 0x01;
    ip.bytes[2] = 0x0d;
    ip.bytes[3] = 0xb8;
    ip.bytes[14] = static_cast<std::uint8_t>(last >> 8);
    ip.bytes[15] = static_cast<std::uint8_t>(last);
    return ip;
}

struct Side {
    IpAddress ip;
    std::uint16_t port = 0;
    std::uint32_t seq = 0; // next sequence number this side sends
};

constexpr std::uint8_t kSyn = tcpflag::kSyn;
constexpr std::uint8_t kAck = tcpflag::kAck;
constexpr std::uint8_t kFin = tcpflag::kFin;
constexpr std::uint8_t kRst = tcpflag::kRst;
constexpr std::uint8_t kPsh = tcpflag::kPsh;

// IP + TCP header bytes of every hand-made segment.
std::uint32_t headerBytes(const IpAddress& ip)
{
    return ip.isV4() ? 40 : 60;
}

DecodedPacket segment(const Side& from, const Side& to, std::uint8_t flags, std::uint32_t seq,
                      std::span<const std::uint8_t> payload)
{
    DecodedPacket p;
    p.src = from.ip;
    p.dst = to.ip;
    p.srcPort = from.port;
    p.dstPort = to.port;
    p.ipVersion = from.ip.isV4() ? 4 : 6;
    p.tcpFlags = flags;
    p.seq = seq;
    p.payloadLength = static_cast<std::uint32_t>(payload.size());
    p.ipLength = headerBytes(from.ip) + p.payloadLength;
    p.payload = payload;
    return p;
}

// Collects what the tracker hands out.
struct Harness {
    std::vector<Connection> out;
    ConnectionTracker tracker;
    explicit Harness(TrackerOptions options = {})
        : tracker(options, [this](Connection&& c) { out.push_back(std::move(c)); })
    {
    }
};

// Two endpoints talking through a tracker; sequence numbers advance like TCP.
class Conversation {
public:
    static constexpr int kClient = 0;
    static constexpr int kServer = 1;

    Conversation(ConnectionTracker& tracker, Side client, Side server)
        : m_tracker(tracker), m_side{client, server}
    {
    }

    // Sends from `from` at `ts` with the side's next sequence number.
    void send(int from, std::int64_t ts, std::uint8_t flags, const Bytes& payload = {})
    {
        Side& s = m_side[from];
        sendAt(from, ts, flags, s.seq, payload);
        s.seq +=
            static_cast<std::uint32_t>(payload.size()) + ((flags & (kSyn | kFin)) != 0 ? 1u : 0u);
    }

    // Sends with an explicit sequence number; the side's next number is kept.
    void sendAt(int from, std::int64_t ts, std::uint8_t flags, std::uint32_t seq,
                const Bytes& payload = {})
    {
        DecodedPacket p = segment(m_side[from], m_side[1 - from], flags, seq, payload);
        if (flags & kAck)
            p.ack = m_side[1 - from].seq; // acknowledges everything the peer sent
        m_tracker.onPacket(ts, p);
    }

    void handshake(std::int64_t ts, std::int64_t step = 1000)
    {
        send(kClient, ts, kSyn);
        send(kServer, ts + step, kSyn | kAck);
        send(kClient, ts + 2 * step, kAck);
    }

    Side& side(int i) { return m_side[i]; }

private:
    ConnectionTracker& m_tracker;
    Side m_side[2];
};

Side clientSide(std::uint32_t isn = 1000)
{
    return {ipv4(10, 0, 0, 1), 50000, isn};
}

Side serverSide(std::uint32_t isn = 5000, std::uint16_t port = 443)
{
    return {ipv4(93, 184, 216, 34), port, isn};
}

bool sameIp(const IpAddress& a, const IpAddress& b)
{
    return a == b;
}

} // namespace

class TestConnectionTracker : public QObject {
    Q_OBJECT

private slots:
    // Merged multi-queue captures can put the SYN-ACK before its SYN.
    void synAckBeforeSyn()
    {
        Harness h;
        const Side client = clientSide(1000);
        const Side server = serverSide(5000);
        Conversation c(h.tracker, client, server);
        // The SYN-ACK acknowledges the client's ISN + 1.
        DecodedPacket synAck = segment(server, client, kSyn | kAck, 5000, {});
        synAck.ack = 1001;
        h.tracker.onPacket(1000, synAck);
        c.sendAt(Conversation::kClient, 900, kSyn, 1000);
        c.sendAt(Conversation::kClient, 2000, kAck, 1001);
        h.tracker.finishAll();
        QCOMPARE(h.out.size(), std::size_t{1});
        QVERIFY(sameIp(h.out[0].clientIp, client.ip));
        QCOMPARE(h.out[0].packets[Connection::kC2S], std::uint64_t{2});
        QCOMPARE(h.out[0].packets[Connection::kS2C], std::uint64_t{1});
    }

    // TCP Fast Open: the ClientHello rides in the SYN, one past its sequence number.
    void clientHelloInSyn()
    {
        Harness h;
        Conversation c(h.tracker, clientSide(1000), serverSide(5000));
        c.send(Conversation::kClient, 0, kSyn, clientHello("fast.open.example"));
        c.send(Conversation::kServer, 1000, kSyn | kAck);
        c.send(Conversation::kClient, 2000, kAck);
        h.tracker.finishAll();
        QCOMPARE(h.out.size(), std::size_t{1});
        QVERIFY(h.out[0].hasClientHello);
        QCOMPARE(h.out[0].hello.sni, std::string("fast.open.example"));
        QCOMPARE(h.out[0].retransmissions, std::uint64_t{0});
    }

    void proxyProtocolHeaderBeforeClientHello_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<bool>("sameSegment");
        const QByteArray v1("PROXY TCP4 192.0.2.1 198.51.100.2 48502 443\r\n");
        QByteArray v2("\r\n\r\n\0\r\nQUIT\n", 12);
        v2 += QByteArray("\x21\x11\x00\x0c", 4); // v2 PROXY, TCP over IPv4, 12 address bytes
        v2 += QByteArray(12, '\x07');
        QTest::newRow("v1, same segment") << v1 << true;
        QTest::newRow("v2, same segment") << v2 << true;
        QTest::newRow("v1, own segment") << v1 << false;
    }

    // A load balancer's PROXY protocol header in front of the ClientHello.
    void proxyProtocolHeaderBeforeClientHello()
    {
        QFETCH(QByteArray, header);
        QFETCH(bool, sameSegment);
        Harness h;
        Conversation c(h.tracker, clientSide(), serverSide());
        c.handshake(0);
        const Bytes headerBytes(header.begin(), header.end());
        Bytes hello = clientHello("behind.proxy.example");
        if (sameSegment) {
            Bytes both = headerBytes;
            append(both, hello);
            c.send(Conversation::kClient, 5000, kAck | kPsh, both);
        } else {
            c.send(Conversation::kClient, 5000, kAck | kPsh, headerBytes);
            c.send(Conversation::kClient, 6000, kAck | kPsh, hello);
        }
        h.tracker.finishAll();
        QCOMPARE(h.out.size(), std::size_t{1});
        QVERIFY(h.out[0].hasClientHello);
        QCOMPARE(h.out[0].hello.sni, std::string("behind.proxy.example"));
    }

    void fullConnection()
    {
        Harness h;
        const Side client = clientSide(1000);
        const Side server = serverSide(5000);
        Conversation conv(h.tracker, client, server);
        const Bytes hello = clientHello("www.example.com");
        const Bytes response(1000, 0x42);
        conv.handshake(10'000);                   // 3 packets
        conv.send(0, 13'000, kAck | kPsh, hello); // c2s data
        const std::uint32_t responseSeq = conv.side(1).seq;
        conv.send(1, 14'000, kAck | kPsh, response);                // s2c data
        conv.sendAt(1, 14'500, kAck | kPsh, responseSeq, response); // retransmission
        conv.send(0, 15'000, kAck);
        conv.send(0, 16'000, kFin | kAck);
        conv.send(1, 17'000, kFin | kAck);
        QCOMPARE(h.tracker.liveConnections(), std::size_t{1});
        QVERIFY(h.out.empty()); // closed, but the server's FIN is not acknowledged yet
        conv.send(0, 18'000, kAck);
        // Both FINs acknowledged: handed out at once, only the key lingers.
        QCOMPARE(h.tracker.liveConnections(), std::size_t{0});
        QCOMPARE(h.out.size(), std::size_t{1});
        h.tracker.finishAll();
        QCOMPARE(h.tracker.liveConnections(), std::size_t{0});
        QCOMPARE(h.out.size(), std::size_t{1});

        const Connection& c = h.out[0];
        QVERIFY(sameIp(c.clientIp, client.ip));
        QCOMPARE(c.clientPort, client.port);
        QVERIFY(sameIp(c.serverIp, server.ip));
        QCOMPARE(c.serverPort, server.port);
        QCOMPARE(c.ipVersion, std::uint8_t{4});
        QVERIFY(c.sawSyn);
        QVERIFY(c.clientKnown);
        QVERIFY(!c.vlanTagged);
        QCOMPARE(c.closeReason, CloseReason::Fin);
        QCOMPARE(c.startNs, std::int64_t{10'000});
        QCOMPARE(c.endNs, std::int64_t{18'000});
        QCOMPARE(c.packets[Connection::kC2S], std::uint64_t{6});
        QCOMPARE(c.packets[Connection::kS2C], std::uint64_t{4});
        QCOMPARE(c.totalPackets(), std::uint64_t{10});
        QCOMPARE(c.ipBytes[Connection::kC2S], std::uint64_t{6 * 40 + hello.size()});
        QCOMPARE(c.ipBytes[Connection::kS2C], std::uint64_t{4 * 40 + 2 * response.size()});
        QCOMPARE(c.payloadBytes[Connection::kC2S], std::uint64_t{hello.size()});
        QCOMPARE(c.payloadBytes[Connection::kS2C], std::uint64_t{2 * response.size()});
        QCOMPARE(c.payloadPackets[Connection::kC2S], std::uint64_t{1});
        QCOMPARE(c.payloadPackets[Connection::kS2C], std::uint64_t{2});
        QCOMPARE(c.retransmissions, std::uint64_t{1});
        QVERIFY(c.hasClientHello);
        QCOMPARE(QString::fromStdString(c.hello.sni), QString("www.example.com"));
        QCOMPARE(c.hello.maxVersion(), std::uint16_t{0x0304});

        using R = PacketRecord;
        struct Expect {
            std::int64_t t;
            std::uint16_t ip;
            std::uint16_t payload;
            std::uint8_t flags;
        };
        const auto helloLen = static_cast<std::uint16_t>(hello.size());
        const std::vector<Expect> expected = {
            {0, 40, 0, R::kClientToServer | R::kSyn},
            {1000, 40, 0, R::kSyn},
            {2000, 40, 0, R::kClientToServer},
            {3000, static_cast<std::uint16_t>(40 + helloLen), helloLen, R::kClientToServer},
            {4000, 1040, 1000, 0},
            {4500, 1040, 1000, R::kRetransmission},
            {5000, 40, 0, R::kClientToServer},
            {6000, 40, 0, R::kClientToServer | R::kFin},
            {7000, 40, 0, R::kFin},
            {8000, 40, 0, R::kClientToServer},
        };
        QCOMPARE(c.series.size(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i) {
            QCOMPARE(c.series[i].tNs, expected[i].t);
            QCOMPARE(c.series[i].ipLength, expected[i].ip);
            QCOMPARE(c.series[i].payloadLength, expected[i].payload);
            QCOMPARE(c.series[i].flags, expected[i].flags);
        }
        QCOMPARE(h.tracker.stats().tcpPackets, std::uint64_t{10});
        QCOMPARE(h.tracker.stats().connections, std::uint64_t{1});
        QCOMPARE(h.tracker.stats().clientHellos, std::uint64_t{1});
    }

    void synAckFirst()
    {
        // The client's SYN was not captured: the SYN-ACK's receiver is the client.
        Harness h;
        Conversation conv(h.tracker, clientSide(), serverSide(5000, 8443));
        conv.side(0).seq += 1; // the SYN that was missed
        conv.send(1, 100, kSyn | kAck);
        conv.send(0, 200, kAck);
        conv.send(0, 300, kAck | kPsh, textBytes("hello"));
        conv.send(1, 400, kAck);
        conv.send(1, 500, kAck | kPsh, Bytes(30, 1));
        h.tracker.finishAll();
        QCOMPARE(h.out.size(), std::size_t{1});
        const Connection& c = h.out[0];
        QVERIFY(sameIp(c.clientIp, clientSide().ip));
        QCOMPARE(c.clientPort, std::uint16_t{50000});
        QCOMPARE(c.serverPort, std::uint16_t{8443});
        QVERIFY(!c.sawSyn);
        QVERIFY(c.clientKnown);
        QCOMPARE(c.packets[Connection::kC2S], std::uint64_t{2});
        QCOMPARE(c.packets[Connection::kS2C], std::uint64_t{3});
        QCOMPARE(c.payloadBytes[Connection::kC2S], std::uint64_t{5});
        QCOMPARE(c.payloadBytes[Connection::kS2C], std::uint64_t{30});
        QCOMPARE(c.series.size(), std::size_t{5});
        QCOMPARE(c.series[0].flags, std::uint8_t{PacketRecord::kSyn}); // s2c
        QCOMPARE(c.series[1].flags, std::uint8_t{PacketRecord::kClientToServer});
        QCOMPARE(c.closeReason, CloseReason::EndOfCapture);
    }

    void clientHelloSenderIsClient()
    {
        // No SYN; the first packet comes from the server; both ports are
        // ephemeral-looking, so only the ClientHello tells who the client is.
        Harness h;
        Conversation conv(h.tracker, clientSide(), serverSide(5000, 8443));
        conv.send(1, 100, kAck);
        conv.send(1, 150, kAck | kPsh, Bytes(7, 9));
        const Bytes hello = clientHello("mail.example.net");
        conv.send(0, 200, kAck | kPsh, hello);
        conv.send(1, 300, kAck | kPsh, Bytes(100, 1));
        conv.send(0, 400, kAck);
        conv.send(0, 500, kAck);
        h.tracker.finishAll();
        QCOMPARE(h.out.size(), std::size_t{1});
        const Connection& c = h.out[0];
        QVERIFY(c.hasClientHello);
        QCOMPARE(QString::fromStdString(c.hello.sni), QString("mail.example.net"));
        QVERIFY(sameIp(c.clientIp, clientSide().ip));
        QCOMPARE(c.clientPort, std::uint16_t{50000});
        QCOMPARE(c.serverPort, std::uint16_t{8443});
        QVERIFY(c.clientKnown);
        QVERIFY(!c.sawSyn);
        QCOMPARE(c.startNs, std::int64_t{100});
        QCOMPARE(c.packets[Connection::kC2S], std::uint64_t{3});
        QCOMPARE(c.packets[Connection::kS2C], std::uint64_t{3});
        QCOMPARE(c.payloadBytes[Connection::kC2S], std::uint64_t{hello.size()});
        QCOMPARE(c.payloadBytes[Connection::kS2C], std::uint64_t{107});
        QCOMPARE(c.ipBytes[Connection::kC2S], std::uint64_t{3 * 40 + hello.size()});
        QCOMPARE(c.payloadPackets[Connection::kS2C], std::uint64_t{2});
        QCOMPARE(c.series.size(), std::size_t{6});
        const std::vector<std::uint8_t> dirs = {0, 0, 1, 0, 1, 1};
        for (std::size_t i = 0; i < dirs.size(); ++i)
            QCOMPARE(std::uint8_t(c.series[i].flags & PacketRecord::kClientToServer), dirs[i]);
    }

    void clientUnknown_data()
    {
        QTest::addColumn<int>("firstSenderPort");
        QTest::addColumn<int>("peerPort");
        QTest::addColumn<int>("expectedClientPort");
        // Neither side well-known: the first sender is the client.
        QTest::newRow("ephemeral pair") << 50000 << 8443 << 50000;
        // The first sender used a well-known port, its peer an ephemeral one.
        QTest::newRow("server spoke first") << 443 << 50000 << 50000;
        QTest::newRow("both well-known") << 25 << 443 << 25;
    }

    void clientUnknown()
    {
        QFETCH(int, firstSenderPort);
        QFETCH(int, peerPort);
        QFETCH(int, expectedClientPort);
        Harness h;
        const Side first{ipv4(192, 0, 2, 1), static_cast<std::uint16_t>(firstSenderPort), 1};
        const Side peer{ipv4(192, 0, 2, 2), static_cast<std::uint16_t>(peerPort), 1};
        Conversation conv(h.tracker, first, peer);
        conv.send(0, 10, kAck | kPsh, textBytes("GET / HTTP/1.1\r\n\r\n"));
        conv.send(1, 20, kAck);
        conv.send(0, 30, kAck);
        h.tracker.finishAll();
        QCOMPARE(h.out.size(), std::size_t{1});
        const Connection& c = h.out[0];
        QVERIFY(!c.clientKnown);
        QVERIFY(!c.hasClientHello);
        QCOMPARE(int(c.clientPort), expectedClientPort);
        const bool firstIsClient = expectedClientPort == firstSenderPort;
        QCOMPARE(c.packets[Connection::kC2S], std::uint64_t{firstIsClient ? 2u : 1u});
        QCOMPARE(bool(c.series[0].flags & PacketRecord::kClientToServer), firstIsClient);
    }

    void reusedTupleAfterFin_data()
    {
        QTest::addColumn<bool>("newSynFromOldServer");
        QTest::addColumn<bool>("sameIsn");
        QTest::newRow("client reconnects") << false << false;
        QTest::newRow("client reconnects, same ISN") << false << true;
        QTest::newRow("old server connects back") << true << false;
    }

    void reusedTupleAfterFin()
    {
        QFETCH(bool, newSynFromOldServer);
        QFETCH(bool, sameIsn);
        Harness h;
        Conversation conv(h.tracker, clientSide(1000), serverSide(5000));
        conv.handshake(1'000);
        conv.send(0, 4'000, kAck | kPsh, textBytes("ping"));
        conv.send(1, 5'000, kAck | kPsh, textBytes("pong"));
        conv.send(0, 6'000, kFin | kAck);
        conv.send(1, 7'000, kFin | kAck);
        conv.send(0, 8'000, kAck);
        // A new connection on the same 4-tuple, well within the linger time.
        const Side a = conv.side(newSynFromOldServer ? 1 : 0);
        const Side b = conv.side(newSynFromOldServer ? 0 : 1);
        Conversation next(h.tracker, {a.ip, a.port, sameIsn ? 1000u : 777'777u},
                          {b.ip, b.port, 99'999});
        next.handshake(9'000);
        next.send(0, 12'000, kAck | kPsh, textBytes("again"));
        QCOMPARE(h.out.size(), std::size_t{1}); // the first one ended at its last ACK
        h.tracker.finishAll();
        QCOMPARE(h.out.size(), std::size_t{2});
        const Connection& first = h.out[0];
        const Connection& second = h.out[1];
        QCOMPARE(first.closeReason, CloseReason::Fin);
        QCOMPARE(first.startNs, std::int64_t{1'000});
        QCOMPARE(first.endNs, std::int64_t{8'000});
        QCOMPARE(first.totalPackets(), std::uint64_t{8});
        QCOMPARE(first.clientPort, std::uint16_t{50000});
        QCOMPARE(second.closeReason, CloseReason::EndOfCapture);
        QCOMPARE(second.startNs, std::int64_t{9'000});
        QCOMPARE(second.totalPackets(), std::uint64_t{4});
        QCOMPARE(second.payloadBytes[Connection::kC2S], std::uint64_t{5});
        QVERIFY(sameIp(second.clientIp, a.ip));
        QCOMPARE(second.clientPort, a.port);
        QVERIFY(second.sawSyn);
        QCOMPARE(second.series.front().tNs, std::int64_t{0});
        QCOMPARE(second.series.front().flags,
                 std::uint8_t(PacketRecord::kClientToServer | PacketRecord::kSyn));
    }

    void newSynWhileOpen()
    {
        Harness h;
        Conversation conv(h.tracker, clientSide(1000), serverSide(5000));
        conv.handshake(1'000);
        conv.send(0, 4'000, kAck | kPsh, textBytes("data"));
        // Same client port, different ISN: the client restarted the connection.
        Conversation next(h.tracker, clientSide(424'242), serverSide(8000));
        next.handshake(5'000);
        h.tracker.finishAll();
        QCOMPARE(h.out.size(), std::size_t{2});
        QCOMPARE(h.out[0].closeReason, CloseReason::NewSyn);
        QCOMPARE(h.out[0].totalPackets(), std::uint64_t{4});
        QCOMPARE(h.out[1].startNs, std::int64_t{5'000});
        QCOMPARE(h.out[1].totalPackets(), std::uint64_t{3});
        QVERIFY(h.out[1].sawSyn);
    }

    void retransmittedSyn()
    {
        Harness h;
        Conversation conv(h.tracker, clientSide(1000), serverSide(5000));
        conv.sendAt(0, 1'000, kSyn, 1000);
        conv.sendAt(0, 2'000, kSyn, 1000); // same ISN: a retransmission
        conv.sendAt(0, 4'000, kSyn, 1000);
        conv.side(0).seq = 1001;
        conv.send(1, 4'100, kSyn | kAck);
        conv.sendAt(0, 4'150, kSyn, 1000); // late duplicate after the SYN-ACK
        conv.send(0, 4'200, kAck);
        h.tracker.finishAll();
        QCOMPARE(h.out.size(), std::size_t{1});
        const Connection& c = h.out[0];
        QCOMPARE(c.packets[Connection::kC2S], std::uint64_t{5});
        QCOMPARE(c.packets[Connection::kS2C], std::uint64_t{1});
        QCOMPARE(c.startNs, std::int64_t{1'000});
        QVERIFY(c.sawSyn);
        int syns = 0;
        for (const auto& r : c.series)
            syns += (r.flags & PacketRecord::kSyn) ? 1 : 0;
        QCOMPARE(syns, 5);
    }

    void rstEnds()
    {
        TrackerOptions options;
        options.closedLingerNs = 10'000;
        Harness h(options);
        Conversation conv(h.tracker, clientSide(1000), serverSide(5000));
        conv.handshake(1'000);
        conv.send(0, 4'000, kAck | kPsh, textBytes("x"));
        conv.send(1, 5'000, kRst | kAck);
        conv.send(0, 6'000, kAck); // trailing packet within the linger: same connection
        QVERIFY(h.out.empty());
        // Long after the RST: a new connection (no SYN).
        conv.send(0, 30'000, kAck | kPsh, textBytes("late"));
        QCOMPARE(h.out.size(), std::size_t{1});
        h.tracker.finishAll();
        QCOMPARE(h.out.size(), std::size_t{2});
        const Connection& c = h.out[0];
        QCOMPARE(c.closeReason, CloseReason::Rst);
        QCOMPARE(c.totalPackets(), std::uint64_t{6});
        QCOMPARE(c.endNs, std::int64_t{6'000});
        QVERIFY(c.series[4].flags & PacketRecord::kRst);
        QCOMPARE(h.out[1].startNs, std::int64_t{30'000});
        QCOMPARE(h.out[1].totalPackets(), std::uint64_t{1});
        QVERIFY(!h.out[1].sawSyn);
    }

    // A completed connection (both FINs acknowledged) costs no state but its
    // key: stragglers within the linger are counted apart, a SYN or a packet
    // after the linger starts a new connection.
    void completedConnectionLeavesOnlyItsKey()
    {
        TrackerOptions options;
        options.closedLingerNs = 10'000;
        Harness h(options);
        Conversation conv(h.tracker, clientSide(1000), serverSide(5000));
        conv.handshake(1'000);
        conv.send(0, 4'000, kAck | kPsh, textBytes("ping"));
        conv.send(1, 5'000, kAck | kPsh, textBytes("pong"));
        conv.send(1, 6'000, kFin | kAck);
        const std::uint32_t serverFinSeq = conv.side(1).seq - 1;
        conv.send(0, 7'000, kFin | kAck);
        QVERIFY(h.out.empty()); // the client's FIN is not acknowledged yet
        conv.send(1, 8'000, kAck);
        QCOMPARE(h.out.size(), std::size_t{1});
        QCOMPARE(h.tracker.liveConnections(), std::size_t{0});
        conv.sendAt(1, 9'000, kFin | kAck, serverFinSeq); // retransmitted FIN
        conv.send(0, 9'500, kAck);                        // and its duplicate ACK
        QCOMPARE(h.out.size(), std::size_t{1});
        QCOMPARE(h.tracker.liveConnections(), std::size_t{0});
        QCOMPARE(h.tracker.stats().packetsAfterClose, std::uint64_t{2});
        QCOMPARE(h.tracker.stats().tcpPackets, std::uint64_t{10});
        const Connection& c = h.out[0];
        QCOMPARE(c.closeReason, CloseReason::Fin);
        QCOMPARE(c.totalPackets(), std::uint64_t{8});
        QCOMPARE(c.endNs, std::int64_t{8'000});
        // After the linger a packet on the tuple is a new connection.
        conv.send(0, 30'000, kAck | kPsh, textBytes("late"));
        QCOMPARE(h.tracker.liveConnections(), std::size_t{1});
        h.tracker.finishAll();
        QCOMPARE(h.out.size(), std::size_t{2});
        QCOMPARE(h.out[1].startNs, std::int64_t{30'000});
        QCOMPARE(h.out[1].totalPackets(), std::uint64_t{1});
        QCOMPARE(h.tracker.stats().packetsAfterClose, std::uint64_t{2});
    }

    // Within the linger, a segment that carries data past its side's FIN is
    // a new connection (a reused tuple whose SYN was not captured); one
    // captured late, with data from before the FIN, is a straggler.
    void afterCompletionNewDataIsANewConnection()
    {
        TrackerOptions options;
        options.closedLingerNs = 1'000'000;
        Harness h(options);
        Conversation conv(h.tracker, clientSide(1000), serverSide(5000));
        conv.handshake(1'000);
        const std::uint32_t dataSeq = conv.side(0).seq;
        conv.send(0, 4'000, kAck | kPsh, textBytes("request"));
        conv.send(1, 5'000, kAck | kPsh, textBytes("response"));
        conv.send(0, 6'000, kFin | kAck);
        conv.send(1, 7'000, kFin | kAck);
        conv.send(0, 8'000, kAck);
        QCOMPARE(h.out.size(), std::size_t{1});
        conv.sendAt(0, 9'000, kAck | kPsh, dataSeq, textBytes("request")); // captured late
        QCOMPARE(h.tracker.liveConnections(), std::size_t{0});
        QCOMPARE(h.tracker.stats().packetsAfterClose, std::uint64_t{1});
        conv.send(0, 10'000, kAck | kPsh, textBytes("new data")); // past the FIN
        QCOMPARE(h.tracker.liveConnections(), std::size_t{1});
        h.tracker.finishAll();
        QCOMPARE(h.out.size(), std::size_t{2});
        QCOMPARE(h.out[1].startNs, std::int64_t{10'000});
        QCOMPARE(h.out[1].payloadBytes[Connection::kC2S], std::uint64_t{8});
    }

    // The remembered keys of completed connections are bounded like live ones.
    void completedKeysAreBounded()
    {
        TrackerOptions options;
        options.maxLiveConnections = 4;
        Harness h(options);
        std::vector<Conversation> convs;
        for (int i = 0; i < 12; ++i) {
            convs.emplace_back(h.tracker,
                               Side{ipv4(10, 3, 0, static_cast<std::uint8_t>(i)), 30000, 1},
                               serverSide(5000));
            Conversation& c = convs.back();
            const std::int64_t t = i * 100;
            c.handshake(t, 1);
            c.send(0, t + 10, kFin | kAck);
            c.send(1, t + 11, kFin | kAck);
            c.send(0, t + 12, kAck);
        }
        QCOMPARE(h.out.size(), std::size_t{12});
        // The newest is still remembered: its duplicate ACK is a straggler.
        convs.back().send(0, 2'000, kAck);
        QCOMPARE(h.tracker.stats().packetsAfterClose, std::uint64_t{1});
        // The oldest was forgotten: its duplicate ACK starts a connection.
        convs.front().send(0, 2'001, kAck);
        QCOMPARE(h.tracker.liveConnections(), std::size_t{1});
        QCOMPARE(h.tracker.stats().packetsAfterClose, std::uint64_t{1});
    }

    // Many short connections closed within the linger time are not all held:
    // each is handed out at its last ACK (memory stays flat).
    void shortConnectionsDoNotAccumulate()
    {
        Harness h; // the default 60 s linger
        const int n = 3000;
        std::size_t maxLive = 0;
        for (int i = 0; i < n; ++i) {
            Conversation conv(
                h.tracker,
                Side{ipv4(10, 2, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)),
                     static_cast<std::uint16_t>(20000 + i), 1},
                serverSide(5000));
            const std::int64_t t = i * 100'000;
            conv.handshake(t, 10);
            conv.send(0, t + 40, kAck | kPsh, textBytes("x"));
            conv.send(1, t + 50, kFin | kAck);
            conv.send(0, t + 60, kFin | kAck);
            conv.send(1, t + 70, kAck);
            maxLive = std::max(maxLive, h.tracker.liveConnections());
        }
        QCOMPARE(maxLive, std::size_t{0});
        QCOMPARE(int(h.out.size()), n);
        h.tracker.finishAll();
        QCOMPARE(int(h.out.size()), n);
        for (const Connection& c : h.out) {
            QCOMPARE(c.closeReason, CloseReason::Fin);
            QCOMPARE(c.totalPackets(), std::uint64_t{7});
        }
    }

    void idleTimeout_data()
    {
        QTest::addColumn<qint64>("gap");
        QTest::addColumn<int>("connections");
        QTest::newRow("just below") << qint64(999'999) << 1;
        QTest::newRow("exactly the timeout") << qint64(1'000'000) << 1;
        QTest::newRow("just above") << qint64(1'000'001) << 2;
        QTest::newRow("far above") << qint64(50'000'000) << 2;
    }

    void idleTimeout()
    {
        QFETCH(qint64, gap);
        QFETCH(int, connections);
        TrackerOptions options;
        options.idleTimeoutNs = 1'000'000;
        Harness h(options);
        Conversation conv(h.tracker, clientSide(1000), serverSide(5000));
        conv.handshake(1'000);
        conv.send(0, 4'000, kAck | kPsh, textBytes("abc"));
        conv.send(1, 4'000 + gap, kAck | kPsh, textBytes("defg"));
        conv.send(0, 4'100 + gap, kAck);
        h.tracker.finishAll();
        QCOMPARE(int(h.out.size()), connections);
        if (connections == 1) {
            QCOMPARE(h.out[0].totalPackets(), std::uint64_t{6});
            return;
        }
        const Connection& first = h.out[0];
        const Connection& second = h.out[1];
        QCOMPARE(first.closeReason, CloseReason::Idle);
        QCOMPARE(first.totalPackets(), std::uint64_t{4});
        QCOMPARE(first.endNs, std::int64_t{4'000});
        QCOMPARE(second.startNs, std::int64_t{4'000 + gap});
        QCOMPARE(second.totalPackets(), std::uint64_t{2});
        QCOMPARE(second.series[0].tNs, std::int64_t{0});
        QCOMPARE(second.series[1].tNs, std::int64_t{100});
        // The server spoke first in the second part, from a well-known port:
        // the port rule makes the peer the client.
        QCOMPARE(second.clientPort, std::uint16_t{50000});
        QCOMPARE(second.payloadBytes[Connection::kS2C], std::uint64_t{4});
    }

    void seriesCap()
    {
        TrackerOptions options;
        options.maxSeriesPackets = 5;
        Harness h(options);
        Conversation conv(h.tracker, clientSide(1000), serverSide(5000));
        conv.handshake(0);
        std::uint64_t payload[2] = {0, 0};
        for (int i = 0; i < 20; ++i) {
            const int from = i % 3 == 0 ? 0 : 1;
            const Bytes data(static_cast<std::size_t>(100 + i), 7);
            conv.send(from, 10'000 + i * 10, kAck | kPsh, data);
            payload[from] += data.size();
        }
        h.tracker.finishAll();
        QCOMPARE(h.out.size(), std::size_t{1});
        const Connection& c = h.out[0];
        QCOMPARE(c.series.size(), std::size_t{5});
        QCOMPARE(c.totalPackets(), std::uint64_t{23});
        QCOMPARE(c.packets[Connection::kC2S], std::uint64_t{2 + 7});
        QCOMPARE(c.packets[Connection::kS2C], std::uint64_t{1 + 13});
        QCOMPARE(c.payloadBytes[Connection::kC2S], payload[0]);
        QCOMPARE(c.payloadBytes[Connection::kS2C], payload[1]);
        QCOMPARE(c.ipBytes[Connection::kC2S], 9 * 40 + payload[0]);
        QCOMPARE(c.ipBytes[Connection::kS2C], 14 * 40 + payload[1]);
        QCOMPARE(c.endNs, std::int64_t{10'190});
        // The series holds the first packets.
        QCOMPARE(c.series[4].tNs, std::int64_t{10'010});
    }

    void clientHelloReassembly_data()
    {
        QTest::addColumn<QList<int>>("order"); // segment indices; 10 + i = corrupt copy of i
        const QList<QList<int>> perms = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                         {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
        for (const auto& p : perms) {
            const QString name = QString("%1%2%3").arg(p[0]).arg(p[1]).arg(p[2]);
            QTest::newRow(qPrintable(name)) << p;
            // The retransmission of each segment with other bytes, right after
            // the original and at the very end: the original's bytes win.
            for (int seg = 0; seg < 3; ++seg) {
                QList<int> after;
                for (int i : p) {
                    after << i;
                    if (i == seg)
                        after << 10 + seg;
                }
                QTest::newRow(qPrintable(name + QString("-r%1-next").arg(seg))) << after;
                QList<int> last = p;
                last << 10 + seg;
                QTest::newRow(qPrintable(name + QString("-r%1-last").arg(seg))) << last;
            }
        }
    }

    // A 2 KB ClientHello over three segments in any order, with retransmissions
    // carrying different bytes: parsed once, with the right SNI.
    void clientHelloReassembly()
    {
        QFETCH(QList<int>, order);
        Harness h;
        Conversation conv(h.tracker, clientSide(0xFFFFFB00u), serverSide(5000));
        conv.handshake(1'000);
        const std::string sni = "r3---sn-4g5e6nsz.googlevideo.com";
        const Bytes hello = clientHello(sni, 2000);
        QVERIFY(hello.size() > 2000);
        // Cut inside the SNI and inside the padding; the stream wraps 2^32.
        const std::size_t cuts[4] = {0, 100, 1200, hello.size()};
        const std::uint32_t base = conv.side(0).seq;
        std::int64_t ts = 10'000;
        for (int index : order) {
            const int seg = index % 10;
            Bytes bytes(hello.begin() + static_cast<std::ptrdiff_t>(cuts[seg]),
                        hello.begin() + static_cast<std::ptrdiff_t>(cuts[seg + 1]));
            if (index >= 10)
                for (auto& b : bytes)
                    b = static_cast<std::uint8_t>(b ^ 0x5a);
            conv.sendAt(0, ts, kAck | kPsh, base + static_cast<std::uint32_t>(cuts[seg]), bytes);
            ts += 100;
        }
        h.tracker.finishAll();
        QCOMPARE(h.out.size(), std::size_t{1});
        const Connection& c = h.out[0];
        QVERIFY(c.hasClientHello);
        QCOMPARE(QString::fromStdString(c.hello.sni), QString::fromStdString(sni));
        QCOMPARE(h.tracker.stats().clientHellos, std::uint64_t{1});
        QCOMPARE(c.payloadPackets[Connection::kC2S], std::uint64_t(order.size()));
    }

    // A retransmission that covers more than the original segment (a stack
    // re-packetising) and carries other bytes where they overlap: the bytes
    // that arrived first win, also when the first ones were still waiting
    // for a gap to fill.
    void clientHelloRepacketizedRetransmission()
    {
        Harness h;
        Conversation conv(h.tracker, clientSide(7000), serverSide(5000));
        conv.handshake(1'000);
        const std::string sni = "video.example.com";
        const Bytes hello = clientHello(sni, 1500);
        const std::uint32_t base = conv.side(0).seq;
        const auto cut = [&](std::size_t from, std::size_t to) {
            return Bytes(hello.begin() + static_cast<std::ptrdiff_t>(from),
                         hello.begin() + static_cast<std::ptrdiff_t>(to));
        };
        // Second segment (from inside the SNI on) first: waits for the gap.
        conv.sendAt(0, 10'000, kAck | kPsh, base + 100, cut(100, 1000));
        // Then bytes 0..1000 in one segment, 100..1000 differing from the original.
        Bytes repacketized = cut(0, 1000);
        for (std::size_t i = 100; i < repacketized.size(); ++i)
            repacketized[i] = static_cast<std::uint8_t>(repacketized[i] ^ 0x5a);
        conv.sendAt(0, 10'100, kAck | kPsh, base, repacketized);
        conv.sendAt(0, 10'200, kAck | kPsh, base + 1000, cut(1000, hello.size()));
        h.tracker.finishAll();
        QCOMPARE(h.out.size(), std::size_t{1});
        QVERIFY(h.out[0].hasClientHello);
        QCOMPARE(QString::fromStdString(h.out[0].hello.sni), QString::fromStdString(sni));
    }

    void clientHelloSearchLimits_data()
    {
        QTest::addColumn<int>("maxSegments");
        QTest::addColumn<int>("byteCap");
        QTest::addColumn<bool>("found");
        // Two plaintext client segments come before the two-segment hello.
        QTest::newRow("segment limit reached") << 3 << 32 * 1024 << false;
        QTest::newRow("segment limit just enough") << 4 << 32 * 1024 << true;
        QTest::newRow("byte cap too small") << 64 << 512 << false;
        QTest::newRow("byte cap large enough") << 64 << 2048 << true;
    }

    void clientHelloSearchLimits()
    {
        QFETCH(int, maxSegments);
        QFETCH(int, byteCap);
        QFETCH(bool, found);
        TrackerOptions options;
        options.maxClientHelloSegments = static_cast<std::size_t>(maxSegments);
        options.handshakeByteCap = static_cast<std::size_t>(byteCap);
        Harness h(options);
        Conversation conv(h.tracker, clientSide(1000), serverSide(5000));
        conv.handshake(1'000);
        conv.send(0, 4'000, kAck | kPsh, textBytes("CONNECT a:443 HTTP/1.1\r\n"));
        conv.send(0, 4'100, kAck | kPsh, textBytes("\r\n"));
        const Bytes hello = clientHello("proxied.example.com", 1000);
        conv.send(0, 5'000, kAck | kPsh, Bytes(hello.begin(), hello.begin() + 700));
        conv.send(0, 5'100, kAck | kPsh, Bytes(hello.begin() + 700, hello.end()));
        h.tracker.finishAll();
        QCOMPARE(h.out.size(), std::size_t{1});
        QCOMPARE(h.out[0].hasClientHello, found);
        if (found)
            QCOMPARE(QString::fromStdString(h.out[0].hello.sni), QString("proxied.example.com"));
        // Unlabeled or not, the connection is handed out with its counters.
        QCOMPARE(h.out[0].payloadPackets[Connection::kC2S], std::uint64_t{4});
    }

    void startTls_data()
    {
        QTest::addColumn<int>("helloSegments");
        QTest::newRow("one segment") << 1;
        QTest::newRow("two segments") << 2;
    }

    // The ClientHello follows plaintext (STARTTLS-like): it is found at the
    // segment that opens a ClientHello record.
    void startTls()
    {
        QFETCH(int, helloSegments);
        Harness h;
        Conversation conv(h.tracker, clientSide(1000), serverSide(5000, 25));
        conv.handshake(1'000);
        conv.send(1, 4'000, kAck | kPsh, textBytes("220 mail.example.org ESMTP\r\n"));
        conv.send(0, 5'000, kAck | kPsh, textBytes("EHLO me\r\n"));
        conv.send(1, 6'000, kAck | kPsh, textBytes("250 STARTTLS\r\n"));
        conv.send(0, 7'000, kAck | kPsh, textBytes("STARTTLS\r\n"));
        conv.send(1, 8'000, kAck | kPsh, textBytes("220 go ahead\r\n"));
        const Bytes hello = clientHello("smtp.example.org", 600);
        if (helloSegments == 1) {
            conv.send(0, 9'000, kAck | kPsh, hello);
        } else {
            conv.send(0, 9'000, kAck | kPsh, Bytes(hello.begin(), hello.begin() + 300));
            conv.send(0, 9'100, kAck | kPsh, Bytes(hello.begin() + 300, hello.end()));
        }
        h.tracker.finishAll();
        QCOMPARE(h.out.size(), std::size_t{1});
        const Connection& c = h.out[0];
        QVERIFY(c.hasClientHello);
        QCOMPARE(QString::fromStdString(c.hello.sni), QString("smtp.example.org"));
        QCOMPARE(c.clientPort, std::uint16_t{50000});
        QCOMPARE(c.serverPort, std::uint16_t{25});
    }

    void httpIsUnlabeled()
    {
        Harness h;
        Conversation conv(h.tracker, clientSide(1000), serverSide(5000, 80));
        conv.handshake(1'000);
        conv.send(0, 4'000, kAck | kPsh,
                  textBytes("GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n"));
        conv.send(1, 5'000, kAck | kPsh, textBytes("HTTP/1.1 200 OK\r\n\r\nhello"));
        conv.send(0, 6'000, kFin | kAck);
        conv.send(1, 7'000, kFin | kAck);
        h.tracker.finishAll();
        QCOMPARE(h.out.size(), std::size_t{1});
        const Connection& c = h.out[0];
        QVERIFY(!c.hasClientHello);
        QVERIFY(c.hello.sni.empty());
        QVERIFY(c.clientKnown);
        QCOMPARE(c.serverPort, std::uint16_t{80});
        QCOMPARE(c.totalPackets(), std::uint64_t{7});
        QCOMPARE(h.tracker.stats().clientHellos, std::uint64_t{0});
    }

    void finishAllOrdersByStart()
    {
        Harness h;
        const std::int64_t starts[3] = {300, 100, 200};
        std::vector<Conversation> convs;
        for (int i = 0; i < 3; ++i)
            convs.emplace_back(h.tracker,
                               Side{ipv4(10, 0, 0, 1), static_cast<std::uint16_t>(40000 + i), 1},
                               serverSide(5000));
        // Packets of different connections interleave; starts are not in port order.
        for (int i = 0; i < 3; ++i)
            convs[static_cast<std::size_t>(i)].send(0, starts[i], kSyn);
        for (int i = 0; i < 3; ++i)
            convs[static_cast<std::size_t>(i)].send(1, 1'000 - i, kSyn | kAck);
        QCOMPARE(h.tracker.liveConnections(), std::size_t{3});
        QVERIFY(h.out.empty());
        h.tracker.finishAll();
        QCOMPARE(h.tracker.liveConnections(), std::size_t{0});
        QCOMPARE(h.out.size(), std::size_t{3});
        QCOMPARE(h.out[0].startNs, std::int64_t{100});
        QCOMPARE(h.out[0].clientPort, std::uint16_t{40001});
        QCOMPARE(h.out[1].startNs, std::int64_t{200});
        QCOMPARE(h.out[1].clientPort, std::uint16_t{40002});
        QCOMPARE(h.out[2].startNs, std::int64_t{300});
        QCOMPARE(h.out[2].clientPort, std::uint16_t{40000});
        for (const auto& c : h.out)
            QCOMPARE(c.closeReason, CloseReason::EndOfCapture);
        QCOMPARE(h.tracker.stats().connections, std::uint64_t{3});
        // Nothing left: a second call hands out nothing.
        h.tracker.finishAll();
        QCOMPARE(h.out.size(), std::size_t{3});
    }

    void evictsLeastRecentlyActive()
    {
        TrackerOptions options;
        options.maxLiveConnections = 3;
        Harness h(options);
        std::vector<Conversation> convs;
        for (int i = 0; i < 4; ++i)
            convs.emplace_back(h.tracker,
                               Side{ipv4(10, 0, 0, 1), static_cast<std::uint16_t>(40000 + i), 1},
                               serverSide(5000));
        convs[0].send(0, 1, kSyn);
        convs[1].send(0, 2, kSyn);
        convs[2].send(0, 3, kSyn);
        convs[0].send(1, 4, kSyn | kAck); // connection 0 is active again
        QCOMPARE(h.tracker.liveConnections(), std::size_t{3});
        convs[3].send(0, 5, kSyn); // over the limit: connection 1 goes
        QCOMPARE(h.tracker.liveConnections(), std::size_t{3});
        QCOMPARE(h.out.size(), std::size_t{1});
        QCOMPARE(h.out[0].clientPort, std::uint16_t{40001});
        QCOMPARE(h.out[0].closeReason, CloseReason::Evicted);
        QCOMPARE(h.tracker.stats().evicted, std::uint64_t{1});
        // A later packet of the evicted tuple starts a new connection.
        convs[1].send(0, 6, kAck);
        QCOMPARE(h.tracker.liveConnections(), std::size_t{3});
        QCOMPARE(h.out.size(), std::size_t{2});
        QCOMPARE(h.out[1].clientPort, std::uint16_t{40002});
        h.tracker.finishAll();
        QCOMPARE(h.out.size(), std::size_t{5});
        QCOMPARE(h.tracker.stats().evicted, std::uint64_t{2});
    }

    void manyConnections()
    {
        // Enough tuples to grow the hash table and reuse freed slots.
        TrackerOptions options;
        options.closedLingerNs = 0;
        Harness h(options);
        const int n = 5000;
        for (int i = 0; i < n; ++i) {
            Conversation conv(
                h.tracker,
                Side{ipv4(10, 1, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)),
                     static_cast<std::uint16_t>(1024 + i), 1},
                serverSide(5000));
            conv.send(0, i * 10, kSyn);
            conv.send(1, i * 10 + 1, kSyn | kAck);
            conv.send(0, i * 10 + 2, kRst);
        }
        h.tracker.finishAll();
        QCOMPARE(int(h.out.size()), n);
        for (const auto& c : h.out) {
            QCOMPARE(c.totalPackets(), std::uint64_t{3});
            QCOMPARE(c.closeReason, CloseReason::Rst);
        }
    }

    void ipv6AndVlan()
    {
        Harness h;
        Conversation conv(h.tracker, Side{ipv6(1), 50000, 1}, Side{ipv6(0x0102), 443, 1});
        conv.handshake(0);
        DecodedPacket tagged = segment(conv.side(0), conv.side(1), kAck, conv.side(0).seq, {});
        tagged.vlanTagged = true;
        h.tracker.onPacket(5'000, tagged);
        h.tracker.finishAll();
        QCOMPARE(h.out.size(), std::size_t{1});
        const Connection& c = h.out[0];
        QCOMPARE(c.ipVersion, std::uint8_t{6});
        QVERIFY(c.vlanTagged);
        QCOMPARE(c.ipBytes[Connection::kC2S], std::uint64_t{3 * 60});
        QCOMPARE(QString::fromStdString(formatIp(c.clientIp)), QString("2001:db8::1"));
        QCOMPARE(QString::fromStdString(formatIp(c.serverIp)), QString("2001:db8::102"));
    }

    void names()
    {
        QCOMPARE(closeReasonName(CloseReason::Fin), std::string_view("fin"));
        QCOMPARE(closeReasonName(CloseReason::Rst), std::string_view("rst"));
        QCOMPARE(closeReasonName(CloseReason::Idle), std::string_view("idle"));
        QCOMPARE(closeReasonName(CloseReason::NewSyn), std::string_view("new-syn"));
        QCOMPARE(closeReasonName(CloseReason::Evicted), std::string_view("evicted"));
        QCOMPARE(closeReasonName(CloseReason::EndOfCapture), std::string_view("end-of-capture"));
        QCOMPARE(QString::fromStdString(formatIp(ipv4(192, 0, 2, 255))), QString("192.0.2.255"));
        QCOMPARE(QString::fromStdString(formatIp(ipv4(0, 0, 0, 0))), QString("0.0.0.0"));
        QCOMPARE(QString::fromStdString(formatIp(ipv4(10, 100, 20, 5))), QString("10.100.20.5"));
        QCOMPARE(QString::fromStdString(formatIp(ipv4(255, 9, 99, 109))), QString("255.9.99.109"));
        QCOMPARE(QString::fromStdString(formatIp(IpAddress{})), QString("::"));
    }
};

QTEST_APPLESS_MAIN(TestConnectionTracker)
#include "test_connection_tracker.moc"
