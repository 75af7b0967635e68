// Ingests each capture of tests/data/malformed/ (written by
// tools/make_malformed_captures.py; tests/data/malformed/README.md is the
// table of cases) through the engine and checks the outcome it was built for:
// the exact connections kept, the SNI where one must be recovered, the
// per-file error (outcome, reason, byte offset) and that what was read before
// the damage is stored. The numbers are the generator's (--expect prints them).
#include "capture/capture_reader.h"
#include "catalog/catalog.h"
#include "common/feedback.h"
#include "ingest/capture_files.h"
#include "ingest/ingester.h"

#include <QObject>
#include <QString>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

using namespace snilab;

namespace {

std::filesystem::path malformedDir()
{
    return std::filesystem::path(SNILAB_TEST_DATA_DIR) / "malformed";
}

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

constexpr std::int64_t kSecond = 1'000'000'000;
// BASE_S of the generator: 1'700'000'000 + 20'000 s; case n starts n * 100 s later.
constexpr std::int64_t kBaseNs = 1'700'020'000 * kSecond;

struct Outcome {
    IngestFileResult result;
    CaptureRow capture;                                       // the file's row in the catalog
    std::vector<ConnectionRow> connections;                   // as stored, by start time
    std::map<std::int64_t, std::vector<PacketRecord>> series; // by connection id
};

// Ingests one file into a fresh catalog and reads back what was stored.
Outcome ingest(const std::string& name)
{
    Outcome out;
    QTemporaryDir dir;
    if (!dir.isValid())
        qFatal("no temporary directory");
    Catalog catalog(std::filesystem::path(dir.path().toStdString()) / "cat.sqlite");
    Feedback feedback;
    IngestOptions options;
    options.threads = 1;
    out.result = ingestFile(malformedDir() / name, catalog.captures(), options, feedback);
    const auto captures = catalog.captures().all();
    if (captures.size() == 1)
        out.capture = captures.front();
    catalog.connections().forEachConnection(
        [&](const ConnectionRow& row) { out.connections.push_back(row); });
    for (const ConnectionRow& row : out.connections)
        out.series[row.id] = catalog.connections().series(row.id);
    return out;
}

const ConnectionRow* byPort(const Outcome& o, std::uint16_t clientPort)
{
    for (const ConnectionRow& row : o.connections)
        if (row.clientPort == clientPort)
            return &row;
    return nullptr;
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

// Checks one stored connection: client port, packets (client, server), close
// reason and SNI ("" = no ClientHello was recovered).
#define CHECK_CONN(o, port, toServer, toClient, close, sniText)                                    \
    do {                                                                                           \
        const ConnectionRow* c_ = byPort(o, port);                                                 \
        QVERIFY2(c_, "no connection from client port " #port);                                     \
        QCOMPARE(c_->packets[0], std::uint64_t{toServer});                                         \
        QCOMPARE(c_->packets[1], std::uint64_t{toClient});                                         \
        QCOMPARE(qs(c_->closeReason), QString(close));                                             \
        const std::string sni_ = sniText;                                                          \
        QCOMPARE(qs(c_->sni), qs(sni_));                                                           \
        QCOMPARE(c_->hasClientHello, !sni_.empty());                                               \
        QCOMPARE(c_->serverPort, std::uint16_t{443});                                              \
    } while (0)

// Nothing could be read: outcome Failed, a one-line reason naming the file,
// the failure recorded in the catalog, no connection.
#define CHECK_FAILED(o, fileName, reasonPart)                                                      \
    do {                                                                                           \
        QCOMPARE(o.result.outcome, IngestOutcome::Failed);                                         \
        QCOMPARE(qs(o.result.error.file), qs((malformedDir() / fileName).string()));               \
        QVERIFY2(contains(o.result.error.reason, reasonPart),                                      \
                 qPrintable(qs(o.result.error.reason)));                                           \
        QVERIFY(o.result.error.oneLine().find('\n') == std::string::npos);                         \
        QCOMPARE(o.result.packets, std::uint64_t{0});                                              \
        QCOMPARE(o.capture.status, CaptureStatus::Failed);                                         \
        QVERIFY2(contains(o.capture.error, reasonPart), qPrintable(qs(o.capture.error)));          \
        QVERIFY(o.connections.empty());                                                            \
    } while (0)

// Read up to damage at byte `at`: outcome Partial, the packets before it
// counted, the reason and offset in the result and the catalog.
#define CHECK_PARTIAL(o, fileName, packetsRead, reasonPart, at)                                    \
    do {                                                                                           \
        QCOMPARE(o.result.outcome, IngestOutcome::Partial);                                        \
        QCOMPARE(qs(o.result.error.file), qs((malformedDir() / fileName).string()));               \
        QVERIFY2(contains(o.result.error.reason, reasonPart),                                      \
                 qPrintable(qs(o.result.error.reason)));                                           \
        QCOMPARE(o.result.error.offset, std::uint64_t{at});                                        \
        QVERIFY(o.result.error.oneLine().find('\n') == std::string::npos);                         \
        QCOMPARE(o.result.packets, std::uint64_t{packetsRead});                                    \
        QCOMPARE(o.capture.status, CaptureStatus::Partial);                                        \
        QCOMPARE(o.capture.packets, std::uint64_t{packetsRead});                                   \
        QVERIFY2(contains(o.capture.error, reasonPart), qPrintable(qs(o.capture.error)));          \
    } while (0)

#define CHECK_INGESTED(o, packetsRead)                                                             \
    do {                                                                                           \
        QVERIFY2(o.result.outcome == IngestOutcome::Ingested,                                      \
                 qPrintable(qs(o.result.error.oneLine())));                                        \
        QCOMPARE(o.result.packets, std::uint64_t{packetsRead});                                    \
        QCOMPARE(o.capture.status, CaptureStatus::Complete);                                       \
        QVERIFY(o.capture.error.empty());                                                          \
    } while (0)

class TestMalformed : public QObject {
    Q_OBJECT

private:
    // Files cut or damaged in connection b's server reply (record 18): a is
    // whole, b keeps its handshake, ClientHello and first server segment.
    void damagedInB(const std::string& file, const std::string& reasonPart, std::uint64_t at,
                    const std::string& caseName)
    {
        const Outcome o = ingest(file);
        CHECK_PARTIAL(o, file, 18, reasonPart, at);
        QCOMPARE(o.connections.size(), std::size_t{2});
        QCOMPARE(o.result.connections, std::uint64_t{2});
        QCOMPARE(o.result.clientHellos, std::uint64_t{2});
        CHECK_CONN(o, 41000, 8, 5, "fin", "a." + caseName + ".example");
        CHECK_CONN(o, 41001, 3, 2, "end-of-capture", "b." + caseName + ".example");
    }

private slots:
    // --- files that cannot be read at all --------------------------------

    void emptyFile()
    {
        const Outcome o = ingest("empty.pcap");
        CHECK_FAILED(o, "empty.pcap", "empty file");
    }

    void wrongMagicPcap()
    {
        const Outcome o = ingest("wrong_magic.pcap");
        CHECK_FAILED(o, "wrong_magic.pcap", "not a pcap or pcapng file");
        QCOMPARE(o.result.error.offset, std::uint64_t{0});
    }

    void wrongMagicPcapng()
    {
        const Outcome o = ingest("wrong_magic.pcapng");
        CHECK_FAILED(o, "wrong_magic.pcapng", "pcapng: bad byte-order magic in section header");
        QCOMPARE(o.result.error.offset, std::uint64_t{0});
    }

    void cutFileHeaderPcap()
    {
        const Outcome o = ingest("cut_file_header.pcap");
        CHECK_FAILED(o, "cut_file_header.pcap", "truncated dump file");
        QVERIFY(contains(o.result.error.reason, "file header"));
    }

    void cutSectionHeaderPcapng()
    {
        const Outcome o = ingest("cut_section_header.pcapng");
        CHECK_FAILED(o, "cut_section_header.pcapng", "pcapng: file ends inside a section header");
    }

    // --- files read up to damage: what came before is kept --------------

    void cutRecordHeaderPcap()
    {
        damagedInB("cut_record_header.pcap", "truncated dump file; tried to read 16 header bytes",
                   6262, "cut-record-header");
    }

    void cutBlockHeaderPcapng()
    {
        damagedInB("cut_block_header.pcapng", "pcapng: file ends inside a block header", 6588,
                   "cut-block-header");
    }

    void cutRecordDataPcap()
    {
        damagedInB("cut_record_data.pcap",
                   "truncated dump file; tried to read 394 captured bytes, only got 197", 6258,
                   "cut-record-data");
    }

    void cutRecordDataGzip()
    {
        // The gzip stream of cut_record_data.pcap, without its trailer: the
        // same packets, and the error says the gzip stream ended.
        damagedInB("cut_record_data.pcap.gz", "gzip stream ends early", 6258, "cut-record-data");
        const Outcome o = ingest("cut_record_data.pcap.gz");
        QCOMPARE(qs(o.capture.compression), QString("gzip"));
    }

    void cutBlockDataPcapng()
    {
        damagedInB("cut_block_data.pcapng", "pcapng: file ends inside a block", 6580,
                   "cut-block-data");
    }

    void cutInClientHello()
    {
        // Cut inside b's ClientHello record: b is kept, without a ClientHello.
        const Outcome o = ingest("cut_in_client_hello.pcap");
        CHECK_PARTIAL(o, "cut_in_client_hello.pcap", 16,
                      "truncated dump file; tried to read 372 captured bytes, only got 100", 4348);
        QCOMPARE(o.connections.size(), std::size_t{2});
        CHECK_CONN(o, 41000, 8, 5, "fin", "a.cut-in-client-hello.example");
        CHECK_CONN(o, 41001, 2, 1, "end-of-capture", "");
    }

    void hugeCaplenPcap()
    {
        damagedInB("huge_caplen.pcap", "invalid packet capture length 4294967040", 6250,
                   "huge-caplen");
    }

    void hugeCaplenPcapng()
    {
        damagedInB("huge_caplen.pcapng", "pcapng: captured length 4294967040 runs past its block",
                   6580, "huge-caplen-ng");
    }

    void hugeBlockLengthPcapng()
    {
        damagedInB("huge_block_length.pcapng", "pcapng: bad block length 2147483632", 6588,
                   "huge-block-length");
    }

    void blockTrailerMismatchPcapng()
    {
        damagedInB("block_trailer_mismatch.pcapng",
                   "pcapng: block total length in header and trailer differ", 6580,
                   "block-trailer");
    }

    void packetBeforeInterfacePcapng()
    {
        // The first packet block names interface 0 before any interface block.
        const Outcome o = ingest("epb_before_idb.pcapng");
        CHECK_PARTIAL(o, "epb_before_idb.pcapng", 0,
                      "pcapng: packet refers to undefined interface 0", 28);
        QVERIFY(o.connections.empty());
    }

    void unsupportedLinkType()
    {
        // Readable records of LINKTYPE_USER0: every frame skipped, and said so.
        const Outcome o = ingest("unsupported_link.pcap");
        QCOMPARE(o.result.outcome, IngestOutcome::Partial);
        QCOMPARE(o.result.packets, std::uint64_t{26});
        QCOMPARE(o.result.skippedFrames, std::uint64_t{26});
        QVERIFY2(contains(o.result.error.reason,
                          "26 of 26 frames have a link type snilab does not decode"),
                 qPrintable(qs(o.result.error.reason)));
        QVERIFY(contains(o.result.error.reason, "147"));
        QCOMPARE(o.capture.status, CaptureStatus::Partial);
        QCOMPARE(o.capture.linkType, 147);
        QVERIFY(o.connections.empty());
    }

    // --- record lengths and snap lengths --------------------------------

    void caplenOverSnaplenPcap()
    {
        // Header snap length 128, records whole (up to 1514 bytes): read whole,
        // as Wireshark does, so both ClientHellos are found.
        const Outcome o = ingest("caplen_over_snaplen.pcap");
        CHECK_INGESTED(o, 26);
        QCOMPARE(o.connections.size(), std::size_t{2});
        CHECK_CONN(o, 41000, 8, 5, "fin", "a.caplen-over-snaplen.example");
        CHECK_CONN(o, 41001, 8, 5, "fin", "b.caplen-over-snaplen.example");
        // Every record comes back whole, not cut to the header's 128 bytes.
        InputError error;
        auto reader = CaptureReader::open(malformedDir() / "caplen_over_snaplen.pcap", error);
        QVERIFY2(reader, qPrintable(qs(error.oneLine())));
        RawPacket packet;
        std::uint32_t longest = 0;
        int records = 0;
        while (reader->next(packet, error) == CaptureReader::Next::Packet) {
            QCOMPARE(packet.capturedLength, packet.wireLength);
            QCOMPARE(packet.bytes.size(), std::size_t{packet.wireLength});
            longest = std::max(longest, packet.capturedLength);
            ++records;
        }
        QCOMPARE(records, 26);
        QCOMPARE(longest, std::uint32_t{1514});
    }

    void caplenOverSnaplenPcapng()
    {
        const Outcome o = ingest("caplen_over_snaplen.pcapng");
        CHECK_INGESTED(o, 26);
        QCOMPARE(o.connections.size(), std::size_t{2});
        CHECK_CONN(o, 41000, 8, 5, "fin", "a.caplen-over-snaplen-ng.example");
        CHECK_CONN(o, 41001, 8, 5, "fin", "b.caplen-over-snaplen-ng.example");
    }

    void snaplenCutClientHello()
    {
        // a's ClientHello record captured up to just past its SNI: not a whole
        // ClientHello, so a is unlabeled; its byte counts still come from the
        // IP header. b is whole.
        const Outcome o = ingest("snaplen_cut_hello.pcap");
        CHECK_INGESTED(o, 26);
        QCOMPARE(o.connections.size(), std::size_t{2});
        CHECK_CONN(o, 41000, 8, 5, "fin", "");
        CHECK_CONN(o, 41001, 8, 5, "fin", "b.snaplen-cut-hello.example");
        const ConnectionRow* a = byPort(o, 41000);
        const ConnectionRow* b = byPort(o, 41001);
        // The same sizes as b (the SNIs have the same length): the cut bytes count.
        QCOMPARE(a->payloadBytes[0], b->payloadBytes[0]);
        QCOMPARE(a->ipBytes[0], b->ipBytes[0]);
        QCOMPARE(a->ipBytes[1], b->ipBytes[1]);
    }

    // --- timestamps ------------------------------------------------------

    void timestampsGoBackwards()
    {
        // The clock steps back 1 h after a's ClientHello and 2 s more inside b.
        // Nothing is split or dropped: a connection's start is its first
        // packet (arrival order), its end the latest timestamp; the capture's
        // first/last are the minimum and maximum.
        const Outcome o = ingest("time_backwards.pcap");
        CHECK_INGESTED(o, 26);
        QCOMPARE(o.connections.size(), std::size_t{2});
        CHECK_CONN(o, 41000, 8, 5, "fin", "a.time-backwards.example");
        CHECK_CONN(o, 41001, 8, 5, "fin", "b.time-backwards.example");
        const std::int64_t base = kBaseNs + 1800 * kSecond;
        const ConnectionRow* a = byPort(o, 41000);
        const ConnectionRow* b = byPort(o, 41001);
        QCOMPARE(a->startNs, base + 1'000'000);
        QCOMPARE(a->endNs, base + 21'300'000);
        QCOMPARE(b->startNs, base - 3600 * kSecond + 87'950'000);
        QCOMPARE(b->endNs, base - 3600 * kSecond + 128'400'000);
        QCOMPARE(o.capture.firstNs, base - 3602 * kSecond + 128'700'000);
        QCOMPARE(o.capture.lastNs, base + 21'300'000);
        // The series keeps arrival order; times are relative to the first
        // packet, so they go negative after the step.
        const auto& series = o.series.at(a->id);
        QCOMPARE(series.size(), std::size_t{13});
        QCOMPARE(series[3].tNs, std::int64_t{20'300'000});
        QCOMPARE(series[4].tNs, 40'300'000 - 3600 * kSecond);
    }

    // --- ClientHello reassembly -----------------------------------------

    void clientHelloInFiveSegments()
    {
        // Cut inside the record header, the handshake header and the SNI.
        const Outcome o = ingest("hello_split_5.pcap");
        CHECK_INGESTED(o, 17);
        QCOMPARE(o.connections.size(), std::size_t{1});
        CHECK_CONN(o, 41000, 12, 5, "fin", "a.hello-split-5.example");
    }

    void clientHelloReversed()
    {
        const Outcome o = ingest("hello_reversed.pcap");
        CHECK_INGESTED(o, 16);
        QCOMPARE(o.connections.size(), std::size_t{1});
        CHECK_CONN(o, 41000, 11, 5, "fin", "a.hello-reversed.example");
    }

    void clientHelloRetransmittedWithDifferentBytes()
    {
        // The bytes that arrived first win, for an exact and for an
        // overlapping retransmission ("wrong-..." never shows).
        const Outcome o = ingest("hello_retrans_diff.pcap");
        CHECK_INGESTED(o, 31);
        QCOMPARE(o.connections.size(), std::size_t{2});
        CHECK_CONN(o, 41000, 11, 5, "fin", "a.hello-retrans-diff.example");
        CHECK_CONN(o, 41001, 10, 5, "fin", "b.hello-retrans-diff.example");
    }

    void clientHelloOverSeveralRecords()
    {
        // a: three TLS records in three segments; b: two records in one segment.
        const Outcome o = ingest("hello_record_fragments.pcap");
        CHECK_INGESTED(o, 28);
        QCOMPARE(o.connections.size(), std::size_t{2});
        CHECK_CONN(o, 41000, 10, 5, "fin", "a.hello-record-fragments.example");
        CHECK_CONN(o, 41001, 8, 5, "fin", "b.hello-record-fragments.example");
    }

    // --- bogus TLS lengths: a is damaged, b (after it) is whole -----------

    void tlsRecordLengthTooLong()
    {
        // The record claims 16384 bytes, the ClientHello message in it is
        // whole: snilab takes the message (tshark waits for the record).
        const Outcome o = ingest("tls_record_len_long.pcap");
        CHECK_INGESTED(o, 26);
        QCOMPARE(o.connections.size(), std::size_t{2});
        CHECK_CONN(o, 41000, 8, 5, "fin", "a.tls-record-len-long.example");
        CHECK_CONN(o, 41001, 8, 5, "fin", "b.tls-record-len-long.example");
    }

    void tlsHandshakeLengthTooLong()
    {
        const Outcome o = ingest("tls_handshake_len_long.pcap");
        CHECK_INGESTED(o, 26);
        QCOMPARE(o.connections.size(), std::size_t{2});
        CHECK_CONN(o, 41000, 8, 5, "fin", "");
        CHECK_CONN(o, 41001, 8, 5, "fin", "b.tls-handshake-len-long.example");
    }

    void tlsSniLengthBad()
    {
        const Outcome o = ingest("tls_sni_len_bad.pcap");
        CHECK_INGESTED(o, 26);
        QCOMPARE(o.connections.size(), std::size_t{2});
        CHECK_CONN(o, 41000, 8, 5, "fin", "");
        CHECK_CONN(o, 41001, 8, 5, "fin", "b.tls-sni-len-bad.example");
    }

    void tlsExtensionsLengthBad()
    {
        const Outcome o = ingest("tls_ext_len_bad.pcap");
        CHECK_INGESTED(o, 26);
        QCOMPARE(o.connections.size(), std::size_t{2});
        CHECK_CONN(o, 41000, 8, 5, "fin", "");
        CHECK_CONN(o, 41001, 8, 5, "fin", "b.tls-ext-len-bad.example");
    }

    // --- link and network layers ----------------------------------------

    void ipv6ExtensionHeaderChain()
    {
        // a: hop-by-hop, segment routing, atomic fragment, destination
        // options, AH before TCP. b: its ClientHello packet's destination
        // options header runs past the datagram: that packet alone is skipped.
        const Outcome o = ingest("ipv6_ext_chain.pcap");
        CHECK_INGESTED(o, 26);
        QCOMPARE(o.result.skippedFrames, std::uint64_t{1});
        QCOMPARE(o.connections.size(), std::size_t{2});
        CHECK_CONN(o, 41000, 8, 5, "fin", "a.ipv6-ext-chain.example");
        CHECK_CONN(o, 41001, 7, 5, "fin", "");
        for (const ConnectionRow& c : o.connections)
            QCOMPARE(c.ipVersion, 6);
        // IP bytes count the 72 bytes of extension headers (8 + 24 + 8 + 8 + 24)
        // of each of the server's 5 packets; its SYN-ACK has a 4-byte TCP option.
        const ConnectionRow* a = byPort(o, 41000);
        QCOMPARE(a->ipBytes[1] - a->payloadBytes[1], std::uint64_t{5 * (40 + 72 + 20) + 4});
    }

    void fragmentedClientHello()
    {
        // The ClientHello datagrams (IPv4 and IPv6) come as two fragments:
        // fragments are skipped, so both connections are unlabeled.
        const Outcome o = ingest("fragmented_hello.pcap");
        CHECK_INGESTED(o, 28);
        QCOMPARE(o.result.skippedFrames, std::uint64_t{4});
        QCOMPARE(o.result.tcpPackets, std::uint64_t{24});
        QCOMPARE(o.connections.size(), std::size_t{2});
        CHECK_CONN(o, 41000, 7, 5, "fin", "");
        CHECK_CONN(o, 41001, 7, 5, "fin", "");
    }

    void stackedVlans()
    {
        const Outcome o = ingest("stacked_vlans.pcap");
        CHECK_INGESTED(o, 39);
        QCOMPARE(o.result.skippedFrames, std::uint64_t{0});
        QCOMPARE(o.connections.size(), std::size_t{3});
        CHECK_CONN(o, 41000, 8, 5, "fin", "a.stacked-vlans.example");
        CHECK_CONN(o, 41001, 8, 5, "fin", "b.stacked-vlans.example");
        CHECK_CONN(o, 41002, 8, 5, "fin", "c.stacked-vlans.example");
        QCOMPARE(byPort(o, 41002)->ipVersion, 6);
    }

    void nonTcpNoise()
    {
        // 12 frames of ARP, LLDP, STP, UDP (DNS; ClientHello bytes to port
        // 443), ICMP (one quoting a's TCP header), ICMPv6, IGMP, SCTP, a cut
        // TCP header and a runt: none makes a connection. The two UDP
        // datagrams are read (and are not QUIC), the other ten skipped.
        const Outcome o = ingest("non_tcp_noise.pcap");
        CHECK_INGESTED(o, 25);
        QCOMPARE(o.result.skippedFrames, std::uint64_t{10});
        QCOMPARE(o.result.udpPackets, std::uint64_t{2});
        QCOMPARE(o.capture.udpPackets, std::uint64_t{2});
        QCOMPARE(o.result.quicConnections, std::uint64_t{0});
        QCOMPARE(o.result.tcpPackets, std::uint64_t{13});
        QCOMPARE(o.capture.tcpPackets, std::uint64_t{13});
        QCOMPARE(o.connections.size(), std::size_t{1});
        CHECK_CONN(o, 41000, 8, 5, "fin", "a.non-tcp-noise.example");
    }

    // --- all at once -----------------------------------------------------

    // One discovery rule for the CLI and the workbench (ingest/capture_files.h).
    void captureFileDiscovery()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::filesystem::path d = dir.path().toStdString();
        std::filesystem::create_directories(d / "sub" / "deeper");
        for (const char* name :
             {"b.PCAP", "a.pcapng.zst", "notes.txt", "sub/c.cap.gz", "sub/deeper/d.dmp",
              "sub/x.pcap.bak", "new\nline.pcap", "sub/e.mcap.GZ", ".pcap"})
            std::ofstream(d / name) << "x";
        std::filesystem::create_directories(d / "dir.pcap"); // a directory, not a capture
        const auto found = findCaptureFiles({d, d / "a.pcapng.zst", d / "missing.pcap"});
        const std::vector<std::filesystem::path> expected = {d / "a.pcapng.zst",
                                                             d / "b.PCAP",
                                                             d / "new\nline.pcap",
                                                             d / "sub" / "c.cap.gz",
                                                             d / "sub" / "deeper" / "d.dmp",
                                                             d / "sub" / "e.mcap.GZ",
                                                             d / "missing.pcap"};
        QCOMPARE(found.size(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i)
            QCOMPARE(QString::fromStdString(found[i].string()),
                     QString::fromStdString(expected[i].string()));
        QVERIFY(isCaptureName("X.PcapNG"));
        QVERIFY(!isCaptureName(".pcap"));
        QVERIFY(!isCaptureName("a.gz"));
        QVERIFY(!isCaptureName("a.pcap.gz.zst"));
    }

    // The catalog fails in the middle of an ingest (here: full, through
    // SQLite's page limit; on a disk, ENOSPC): the failure reaches the caller
    // even when the connections are stored on a thread of their own, the
    // capture stays incomplete, and the next ingest redoes it whole.
    void catalogFullMidIngest()
    {
        const auto sample = std::filesystem::path(SNILAB_TEST_DATA_DIR) / ".." / ".." /
                            "resources" / "samples" / "day5.pcap.gz";
        QVERIFY(std::filesystem::exists(sample));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto path = std::filesystem::path(dir.path().toStdString()) / "cat.sqlite";
        IngestOptions options;
        options.threads = 1;
        options.batchSize = 4; // many batches: the failure comes mid-file
        std::uint64_t whole = 0;
        {
            Catalog reference(std::filesystem::path(dir.path().toStdString()) / "ref.sqlite");
            Feedback feedback;
            const IngestFileResult r = ingestFile(sample, reference.captures(), options, feedback);
            QCOMPARE(r.outcome, IngestOutcome::Ingested);
            whole = r.connections;
            QVERIFY(whole > 100);
        }
        {
            Catalog catalog(path);
            sqlite3* db = catalog.database().handle();
            sqlite3_stmt* st = nullptr;
            QCOMPARE(sqlite3_prepare_v2(db, "PRAGMA page_count", -1, &st, nullptr), SQLITE_OK);
            QCOMPARE(sqlite3_step(st), SQLITE_ROW);
            const std::int64_t pages = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
            const std::string limit = "PRAGMA max_page_count=" + std::to_string(pages + 40);
            QCOMPARE(sqlite3_exec(db, limit.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
            Feedback feedback;
            QString failure;
            try {
                ingestFile(sample, catalog.captures(), options, feedback);
            } catch (const CatalogError& e) {
                failure = QString::fromUtf8(e.what());
            }
            QVERIFY2(failure.contains("full"), qPrintable("no full-catalog error: " + failure));
            const auto captures = catalog.captures().all();
            QCOMPARE(captures.size(), std::size_t{1});
            QCOMPARE(captures.front().status, CaptureStatus::Incomplete);
            // It failed while storing connections (some batches were in), not
            // when claiming or finishing the capture.
            QCOMPARE(sqlite3_prepare_v2(db, "SELECT count(*) FROM connections", -1, &st, nullptr),
                     SQLITE_OK);
            QCOMPARE(sqlite3_step(st), SQLITE_ROW);
            const std::int64_t stored = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
            QVERIFY2(stored > 0 && static_cast<std::uint64_t>(stored) < whole,
                     qPrintable(QString::number(stored)));
        }
        Catalog catalog(path);
        QCOMPARE(sqlite3_exec(catalog.database().handle(), "PRAGMA max_page_count=1073741823",
                              nullptr, nullptr, nullptr),
                 SQLITE_OK);
        Feedback feedback;
        const IngestFileResult again = ingestFile(sample, catalog.captures(), options, feedback);
        QCOMPARE(again.outcome, IngestOutcome::Ingested);
        QCOMPARE(again.connections, whole);
        std::uint64_t stored = 0;
        catalog.connections().forEachConnection([&](const ConnectionRow&) { ++stored; });
        QCOMPARE(stored, whole);
    }

    void wholeDirectory()
    {
        // Every file of the set in one multi-threaded ingest: each gets its
        // own outcome, and the bad ones do not disturb the others.
        std::vector<std::filesystem::path> paths;
        for (const auto& entry : std::filesystem::directory_iterator(malformedDir()))
            if (entry.is_regular_file() && entry.path().extension() != ".md")
                paths.push_back(entry.path());
        std::sort(paths.begin(), paths.end());
        QCOMPARE(paths.size(), std::size_t{33});
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        Catalog catalog(std::filesystem::path(dir.path().toStdString()) / "cat.sqlite");
        Feedback feedback;
        IngestOptions options;
        options.threads = 2;
        // Per-file events, in arrival order.
        struct Recorder : IngestObserver {
            std::mutex mutex;
            std::vector<std::vector<double>> events; // per file: 0..1 progress, -1 start, 2 end
            std::vector<IngestOutcome> finished;
            explicit Recorder(std::size_t n) : events(n), finished(n, IngestOutcome::Failed) {}
            void fileStarted(std::size_t i, const std::filesystem::path&) override
            {
                std::lock_guard lock(mutex);
                events[i].push_back(-1);
            }
            void fileProgress(std::size_t i, double f) override
            {
                std::lock_guard lock(mutex);
                events[i].push_back(f);
            }
            void fileFinished(std::size_t i, const IngestFileResult& r) override
            {
                std::lock_guard lock(mutex);
                events[i].push_back(2);
                finished[i] = r.outcome;
            }
        } recorder(paths.size());
        const auto results = ingestFiles(paths, catalog.captures(), options, feedback, &recorder);
        for (std::size_t i = 0; i < paths.size(); ++i) {
            const auto& e = recorder.events[i];
            QVERIFY(e.size() >= 2);
            QCOMPARE(e.front(), -1.0);
            QCOMPARE(e.back(), 2.0);
            for (std::size_t j = 2; j + 1 < e.size(); ++j)
                QVERIFY(e[j] > e[j - 1] && e[j] <= 1.0); // whole percents, never back
            QCOMPARE(recorder.finished[i], results[i].outcome);
            if (results[i].outcome == IngestOutcome::Ingested)
                QCOMPARE(e[e.size() - 2], 1.0);
        }
        std::map<IngestOutcome, int> outcomes;
        std::uint64_t connections = 0;
        for (const IngestFileResult& r : results) {
            ++outcomes[r.outcome];
            connections += r.connections;
        }
        QCOMPARE(outcomes[IngestOutcome::Failed], 5);
        // cut_record_data.pcap.gz holds the same records as cut_record_data.pcap:
        // one of the two is folded into the other (identity of traffic).
        QCOMPARE(outcomes[IngestOutcome::Partial], 11);
        QCOMPARE(outcomes[IngestOutcome::AlreadyPresent], 1);
        QCOMPARE(outcomes[IngestOutcome::Ingested], 16);
        // 9 partial files keep 2 connections each; the 16 complete ones hold 30.
        QCOMPARE(connections, std::uint64_t{9 * 2 + 30});
        QCOMPARE(catalog.connections().connectionCount(), connections);
    }
};

QTEST_APPLESS_MAIN(TestMalformed)
#include "test_malformed.moc"
