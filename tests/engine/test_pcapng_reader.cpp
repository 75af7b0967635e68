// Unit tests for PcapngReader, read both through CaptureReader::open and
// directly over makePlainSource(fopen(...)), and for CaptureReader's
// detection of patched pcap files (RedHat 6.1, 8 extra bytes per record
// header). Every capture is built here by a small writer.
#include "capture/byte_source.h"
#include "capture/capture_reader.h"
#include "capture/pcapng_reader.h"

#include <QObject>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

namespace snilab {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::uint32_t kShb = 0x0A0D0D0A;
constexpr std::uint32_t kIdb = 1;
constexpr std::uint32_t kObsoletePacket = 2;
constexpr std::uint32_t kSimplePacket = 3;
constexpr std::uint32_t kNrb = 4;
constexpr std::uint32_t kIsb = 5;
constexpr std::uint32_t kEpb = 6;
constexpr std::uint32_t kDsb = 0x0A;
constexpr std::uint32_t kCustom = 0xBAD;

constexpr std::uint64_t kBaseSec = 1'700'000'000;
constexpr std::int64_t kBaseNs = 1'700'000'000'000'000'000;

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

Bytes payload(std::size_t n, std::uint8_t seed)
{
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i)
        b[i] = static_cast<std::uint8_t>(seed + i * 7);
    return b;
}

// Appends integers in one byte order.
class ByteWriter {
public:
    explicit ByteWriter(bool bigEndian) : m_big(bigEndian) {}
    void u8(std::uint8_t v) { m_data.push_back(v); }
    void u16(std::uint16_t v) { uint(v, 2); }
    void u32(std::uint32_t v) { uint(v, 4); }
    void u64(std::uint64_t v) { uint(v, 8); }
    void bytes(const Bytes& b) { m_data.insert(m_data.end(), b.begin(), b.end()); }
    void pad4()
    {
        while (m_data.size() % 4 != 0)
            m_data.push_back(0);
    }
    const Bytes& data() const { return m_data; }

private:
    void uint(std::uint64_t v, int n)
    {
        for (int i = 0; i < n; ++i)
            m_data.push_back(static_cast<std::uint8_t>(v >> (m_big ? 8 * (n - 1 - i) : 8 * i)));
    }
    bool m_big;
    Bytes m_data;
};

struct Option {
    std::uint16_t code = 0;
    Bytes value;
};

// Writes pcapng blocks; remembers where each block starts.
class PcapngWriter {
public:
    void section(bool bigEndian, std::uint16_t major = 1, std::uint16_t minor = 0)
    {
        m_big = bigEndian;
        ByteWriter body(m_big);
        body.u32(0x1A2B3C4D);
        body.u16(major);
        body.u16(minor);
        body.u64(~std::uint64_t{0});               // section length unknown
        options(body, {{4, text("snilab test")}}); // shb_userappl
        block(kShb, body.data());
    }
    void interface(std::uint16_t linkType, std::uint32_t snapLength,
                   const std::vector<Option>& opts = {})
    {
        ByteWriter body(m_big);
        body.u16(linkType);
        body.u16(0);
        body.u32(snapLength);
        options(body, opts);
        block(kIdb, body.data());
    }
    void enhanced(std::uint32_t iface, std::uint64_t units, const Bytes& data,
                  std::uint32_t wire = 0)
    {
        ByteWriter body(m_big);
        body.u32(iface);
        body.u32(static_cast<std::uint32_t>(units >> 32));
        body.u32(static_cast<std::uint32_t>(units));
        body.u32(static_cast<std::uint32_t>(data.size()));
        body.u32(wire ? wire : static_cast<std::uint32_t>(data.size()));
        body.bytes(data);
        body.pad4();
        options(body, {{1, text("comment")}}); // opt_comment
        block(kEpb, body.data());
    }
    void simple(std::uint32_t wire, const Bytes& data)
    {
        ByteWriter body(m_big);
        body.u32(wire);
        body.bytes(data);
        block(kSimplePacket, body.data());
    }
    void obsolete(std::uint16_t iface, std::uint64_t units, const Bytes& data)
    {
        ByteWriter body(m_big);
        body.u16(iface);
        body.u16(0); // drops
        body.u32(static_cast<std::uint32_t>(units >> 32));
        body.u32(static_cast<std::uint32_t>(units));
        body.u32(static_cast<std::uint32_t>(data.size()));
        body.u32(static_cast<std::uint32_t>(data.size()));
        body.bytes(data);
        block(kObsoletePacket, body.data());
    }
    // A block of any type; the body is padded to 4 bytes.
    void block(std::uint32_t type, const Bytes& body)
    {
        Bytes padded = body;
        while (padded.size() % 4 != 0)
            padded.push_back(0);
        const auto length = static_cast<std::uint32_t>(12 + padded.size());
        rawBlock(type, length, padded, length);
    }
    // A block written exactly as given, lengths included.
    void rawBlock(std::uint32_t type, std::uint32_t headLength, const Bytes& body,
                  std::uint32_t trailLength)
    {
        m_starts.push_back(m_data.size());
        ByteWriter w(m_big);
        w.u32(type);
        w.u32(headLength);
        w.bytes(body);
        w.u32(trailLength);
        m_data.insert(m_data.end(), w.data().begin(), w.data().end());
    }
    // Option values in the current section's byte order.
    Bytes u8Value(std::uint8_t v) const { return {v}; }
    Bytes u64Value(std::uint64_t v) const
    {
        ByteWriter w(m_big);
        w.u64(v);
        return w.data();
    }
    static Bytes text(const std::string& s) { return Bytes(s.begin(), s.end()); }

    const Bytes& data() const { return m_data; }
    std::uint64_t size() const { return m_data.size(); }
    // Start offset of every block written, in order.
    const std::vector<std::size_t>& starts() const { return m_starts; }
    std::uint64_t lastStart() const { return m_starts.back(); }
    bool bigEndian() const { return m_big; }

private:
    void options(ByteWriter& body, const std::vector<Option>& opts) const
    {
        if (opts.empty())
            return;
        for (const Option& o : opts) {
            body.u16(o.code);
            body.u16(static_cast<std::uint16_t>(o.value.size()));
            body.bytes(o.value);
            body.pad4();
        }
        body.u16(0); // opt_endofopt
        body.u16(0);
    }

    bool m_big = false;
    Bytes m_data;
    std::vector<std::size_t> m_starts;
};

struct Packet {
    std::int64_t tsNs = 0;
    int linkType = -1;
    std::uint32_t capturedLength = 0;
    std::uint32_t wireLength = 0;
    Bytes bytes;
    bool operator==(const Packet&) const = default;
};

Packet packet(std::int64_t tsNs, int linkType, const Bytes& bytes, std::uint32_t wire = 0)
{
    return {tsNs, linkType, static_cast<std::uint32_t>(bytes.size()),
            wire ? wire : static_cast<std::uint32_t>(bytes.size()), bytes};
}

enum class Last { End, Error };

struct Outcome {
    bool opened = true; // CaptureReader::open succeeded (always true when read directly)
    std::vector<Packet> packets;
    Last last = Last::End;
    InputError error;

    // Both ways of reading must agree on everything but whether open() failed.
    bool sameAs(const Outcome& o) const
    {
        if (packets != o.packets || last != o.last)
            return false;
        return last == Last::End || (error.file == o.error.file && error.offset == o.error.offset &&
                                     error.reason == o.error.reason);
    }
    QString describe() const
    {
        QString s = QString("%1 packets, ").arg(packets.size());
        if (!opened)
            s += "open failed: ";
        if (last == Last::End)
            return s + "End";
        return s + "Error: " + qs(error.oneLine());
    }
};

Outcome readDirect(const std::filesystem::path& path)
{
    Outcome out;
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
        out.last = Last::Error;
        out.error.reason = "test: cannot open";
        return out;
    }
    PcapngReader reader(makePlainSource(f), path.string());
    PcapngPacket p;
    for (;;) {
        const auto next = reader.next(p, out.error);
        if (next == PcapngReader::Next::End)
            break;
        if (next == PcapngReader::Next::Error) {
            out.last = Last::Error;
            break;
        }
        out.packets.push_back({p.tsNs, p.linkType, p.capturedLength, p.wireLength,
                               Bytes(p.bytes.begin(), p.bytes.end())});
    }
    return out;
}

Outcome readCapture(const std::filesystem::path& path, CaptureFormat* format = nullptr,
                    std::uint64_t* consumed = nullptr)
{
    Outcome out;
    auto reader = CaptureReader::open(path, out.error);
    if (!reader) {
        out.opened = false;
        out.last = Last::Error;
        return out;
    }
    if (format)
        *format = reader->format();
    RawPacket p;
    for (;;) {
        const auto next = reader->next(p, out.error);
        if (next == CaptureReader::Next::End)
            break;
        if (next == CaptureReader::Next::Error) {
            out.last = Last::Error;
            break;
        }
        out.packets.push_back({p.tsNs, p.linkType, p.capturedLength, p.wireLength,
                               Bytes(p.bytes.begin(), p.bytes.end())});
    }
    if (consumed)
        *consumed = reader->bytesConsumed();
    return out;
}

QString describe(const std::vector<Packet>& packets)
{
    QString s;
    for (const Packet& p : packets)
        s += QString("[ts %1 link %2 cap %3 wire %4] ")
                 .arg(p.tsNs)
                 .arg(p.linkType)
                 .arg(p.capturedLength)
                 .arg(p.wireLength);
    return s;
}

// Compresses `in` with the command-line tool (gzip or zstd); empty when absent.
Bytes compressWithTool(const QString& dir, const QString& tool, const Bytes& in)
{
    const QString exe = QStandardPaths::findExecutable(tool);
    if (exe.isEmpty())
        return {};
    const QString src = dir + "/to-compress-" + tool;
    const QString dst = src + (tool == "gzip" ? ".gz" : ".zst");
    {
        std::ofstream f(src.toStdString(), std::ios::binary | std::ios::trunc);
        f.write(reinterpret_cast<const char*>(in.data()), static_cast<std::streamsize>(in.size()));
    }
    QProcess p;
    if (tool == "gzip")
        p.start(exe, {"-f", "-k", "-n", src});
    else
        p.start(exe, {"-q", "-f", src, "-o", dst});
    if (!p.waitForFinished(60000) || p.exitCode() != 0)
        return {};
    std::ifstream f(dst.toStdString(), std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

struct PcapRecord {
    std::uint32_t sec = 0;
    std::uint32_t usec = 0;
    Bytes data;
};

// A classic µs pcap; `extra` bytes follow each 16-byte record header (8 for
// the RedHat 6.1 patched tcpdump: ifindex, protocol, packet type, padding).
Bytes classicPcap(const std::vector<PcapRecord>& records, int extra, bool bigEndian = false)
{
    ByteWriter w(bigEndian);
    w.u32(0xA1B2C3D4);
    w.u16(2);
    w.u16(4);
    w.u32(0); // thiszone
    w.u32(0); // sigfigs
    w.u32(65535);
    w.u32(1); // Ethernet
    for (const PcapRecord& r : records) {
        w.u32(r.sec);
        w.u32(r.usec);
        w.u32(static_cast<std::uint32_t>(r.data.size()));
        w.u32(static_cast<std::uint32_t>(r.data.size()));
        if (extra == 8) {
            w.u32(2);      // ifindex
            w.u16(0x0800); // protocol
            w.u8(0);       // packet type
            w.u8(0);       // padding
        }
        w.bytes(r.data);
    }
    return w.data();
}

std::vector<Packet> expectedPcapPackets(const std::vector<PcapRecord>& records)
{
    std::vector<Packet> out;
    for (const PcapRecord& r : records)
        out.push_back(packet(static_cast<std::int64_t>(r.sec) * 1'000'000'000 +
                                 static_cast<std::int64_t>(r.usec) * 1000,
                             1, r.data));
    return out;
}

} // namespace

class TestPcapngReader : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void byteOrder_data();
    void byteOrder();
    void twoSections();
    void sectionResetsInterfaces();
    void mixedLinkTypes();
    void timestamps_data();
    void timestamps();
    void blockKinds();
    void simplePacketLength_data();
    void simplePacketLength();
    void skippedBlocks_data();
    void skippedBlocks();
    void malformed_data();
    void malformed();
    void noSectionHeader();
    void truncation_data();
    void truncation();
    void patchedPcap_data();
    void patchedPcap();
    void standardPcapNotPatched_data();
    void standardPcapNotPatched();

private:
    std::filesystem::path write(const Bytes& bytes, const QString& name = "capture.pcapng");
    // Reads `bytes` both ways, checks they agree and returns the outcome.
    Outcome readBoth(const Bytes& bytes, CaptureFormat* format = nullptr);

    QTemporaryDir m_dir;
    bool m_bothAgree = true;
};

std::filesystem::path TestPcapngReader::write(const Bytes& bytes, const QString& name)
{
    const std::filesystem::path path = (m_dir.path() + "/" + name).toStdString();
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
    return path;
}

Outcome TestPcapngReader::readBoth(const Bytes& bytes, CaptureFormat* format)
{
    const auto path = write(bytes);
    const Outcome direct = readDirect(path);
    const Outcome capture = readCapture(path, format);
    m_bothAgree = direct.sameAs(capture);
    if (!m_bothAgree)
        qWarning("direct: %s\ncapture: %s", qPrintable(direct.describe()),
                 qPrintable(capture.describe()));
    return direct;
}

void TestPcapngReader::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

void TestPcapngReader::byteOrder_data()
{
    QTest::addColumn<bool>("bigEndian");
    QTest::newRow("little-endian") << false;
    QTest::newRow("big-endian") << true;
}

void TestPcapngReader::byteOrder()
{
    QFETCH(bool, bigEndian);
    PcapngWriter w;
    w.section(bigEndian);
    w.interface(1, 65535);
    const std::uint64_t us = kBaseSec * 1'000'000;
    w.enhanced(0, us + 1, payload(60, 1));
    w.enhanced(0, us + 2'000'002, payload(61, 2), 1514);
    w.enhanced(0, us + 3'000'003, payload(1, 3));

    CaptureFormat format;
    const Outcome out = readBoth(w.data(), &format);
    QVERIFY(m_bothAgree);
    QVERIFY2(out.last == Last::End, qPrintable(out.describe()));
    std::uint64_t consumed = 0;
    readCapture(write(w.data()), nullptr, &consumed);
    QCOMPARE(consumed, w.size()); // progress reaches 1
    const std::vector<Packet> expected = {
        packet(kBaseNs + 1'000, 1, payload(60, 1)),
        packet(kBaseNs + 2'000'002'000, 1, payload(61, 2), 1514),
        packet(kBaseNs + 3'000'003'000, 1, payload(1, 3)),
    };
    QVERIFY2(out.packets == expected, qPrintable(describe(out.packets)));
    QCOMPARE(qs(format.container), QString("pcapng"));
    QCOMPARE(qs(format.compression), QString("none"));
    QCOMPARE(format.linkType, 1);
    QCOMPARE(qs(format.linkTypeName), QString("EN10MB"));
    QCOMPARE(format.fileBytes, w.size());
    QCOMPARE(format.recordHeaderExtra, 0);
}

void TestPcapngReader::twoSections()
{
    // The second section switches byte order and link type; its interface 0
    // is a new one.
    PcapngWriter w;
    w.section(false);
    w.interface(1, 65535);
    w.enhanced(0, kBaseSec * 1'000'000, payload(20, 1));
    w.section(true);
    w.interface(101, 65535, {{9, w.u8Value(9)}});
    w.enhanced(0, kBaseSec * 1'000'000'000 + 5, payload(21, 2));
    w.obsolete(0, kBaseSec * 1'000'000'000 + 6, payload(22, 3));

    CaptureFormat format;
    const Outcome out = readBoth(w.data(), &format);
    QVERIFY(m_bothAgree);
    QVERIFY2(out.last == Last::End, qPrintable(out.describe()));
    const std::vector<Packet> expected = {
        packet(kBaseNs, 1, payload(20, 1)),
        packet(kBaseNs + 5, 101, payload(21, 2)),
        packet(kBaseNs + 6, 101, payload(22, 3)),
    };
    QVERIFY2(out.packets == expected, qPrintable(describe(out.packets)));
    QCOMPARE(format.linkType, 1);
}

void TestPcapngReader::sectionResetsInterfaces()
{
    // Interface 1 exists in the first section only.
    PcapngWriter w;
    w.section(false);
    w.interface(1, 65535);
    w.interface(101, 65535);
    w.enhanced(1, kBaseSec * 1'000'000, payload(20, 1));
    w.section(false);
    w.interface(1, 65535);
    w.enhanced(0, kBaseSec * 1'000'000, payload(20, 2));
    w.enhanced(1, kBaseSec * 1'000'000, payload(20, 3));
    const Outcome out = readBoth(w.data());
    QVERIFY(m_bothAgree);
    QCOMPARE(out.packets.size(), std::size_t{2});
    QCOMPARE(out.packets[0].linkType, 101);
    QCOMPARE(out.packets[1].linkType, 1);
    QVERIFY(out.last == Last::Error);
    QCOMPARE(out.error.offset, w.lastStart());
    QVERIFY2(out.error.reason.find("undefined interface 1") != std::string::npos,
             out.error.reason.c_str());
}

void TestPcapngReader::mixedLinkTypes()
{
    // dumpcap -i eth0 -i tun0: Ethernet and raw IP with different snap lengths.
    PcapngWriter w;
    w.section(false);
    w.interface(1, 262144);
    w.interface(101, 96, {{9, w.u8Value(9)}});
    const std::uint64_t us = kBaseSec * 1'000'000;
    const std::uint64_t ns = kBaseSec * 1'000'000'000;
    w.enhanced(0, us + 10, payload(64, 1));
    w.enhanced(1, ns + 20, payload(40, 2), 1400); // wire length beyond the bytes
    w.enhanced(1, ns + 30, payload(96, 3), 1500);
    w.enhanced(0, us + 40, payload(1514, 4));
    w.obsolete(1, ns + 50, payload(28, 5));

    CaptureFormat format;
    const Outcome out = readBoth(w.data(), &format);
    QVERIFY(m_bothAgree);
    QVERIFY2(out.last == Last::End, qPrintable(out.describe()));
    const std::vector<Packet> expected = {
        packet(kBaseNs + 10'000, 1, payload(64, 1)),
        packet(kBaseNs + 20, 101, payload(40, 2), 1400),
        packet(kBaseNs + 30, 101, payload(96, 3), 1500),
        packet(kBaseNs + 40'000, 1, payload(1514, 4)),
        packet(kBaseNs + 50, 101, payload(28, 5)),
    };
    QVERIFY2(out.packets == expected, qPrintable(describe(out.packets)));
    QCOMPARE(format.linkType, 1);
    QCOMPARE(qs(format.linkTypeName), QString("EN10MB"));

    // Raw IP first: the format reports the first interface's link type.
    PcapngWriter raw;
    raw.section(true);
    raw.interface(101, 0);
    raw.interface(1, 0);
    raw.enhanced(1, us, payload(60, 1));
    raw.enhanced(0, us, payload(20, 2));
    const Outcome rawOut = readBoth(raw.data(), &format);
    QVERIFY(m_bothAgree);
    QCOMPARE(format.linkType, 101);
    QCOMPARE(qs(format.linkTypeName), QString("RAW"));
    QCOMPARE(rawOut.packets.size(), std::size_t{2});
    QCOMPARE(rawOut.packets[0].linkType, 1);
    QCOMPARE(rawOut.packets[1].linkType, 101);
}

void TestPcapngReader::timestamps_data()
{
    QTest::addColumn<bool>("bigEndian");
    QTest::addColumn<int>("tsresol"); // -1: no if_tsresol option
    QTest::addColumn<bool>("hasOffset");
    QTest::addColumn<qint64>("offsetSeconds");
    QTest::addColumn<quint64>("units");
    QTest::addColumn<qint64>("expectedNs");

    const quint64 sec = kBaseSec;
    const qint64 base = kBaseNs;
    for (bool big : {false, true}) {
        const char* order = big ? "BE " : "LE ";
        auto row = [&](const char* name) {
            return &(QTest::newRow(qPrintable(QString(order) + name)) << big);
        };
        *row("default µs") << -1 << false << qint64{0} << quint64{sec * 1'000'000 + 123'456}
                           << base + 123'456'000;
        *row("tsresol 6") << 6 << false << qint64{0} << quint64{sec * 1'000'000 + 999'999}
                          << base + 999'999'000;
        *row("tsresol 9 ns") << 9 << false << qint64{0}
                             << quint64{sec * 1'000'000'000 + 123'456'789} << base + 123'456'789;
        *row("tsresol 3 ms") << 3 << false << qint64{0} << quint64{sec * 1'000 + 7}
                             << base + 7'000'000;
        *row("binary 2^-20") << 0x80 + 20 << false << qint64{0}
                             << quint64{(sec << 20) + (1u << 19) + (1u << 18)}
                             << base + 750'000'000;
        *row("binary 2^-10") << 0x80 + 10 << false << qint64{0} << quint64{(sec << 10) + 512}
                             << base + 500'000'000;
        *row("tsoffset, µs") << -1 << true << qint64{kBaseSec} << quint64{1'000'001}
                             << base + 1'000'001'000;
        *row("tsoffset, ns") << 9 << true << qint64{100} << quint64{sec * 1'000'000'000 + 5}
                             << base + 100'000'000'005;
        *row("negative tsoffset") << 9 << true << qint64{-3600} << quint64{sec * 1'000'000'000 + 5}
                                  << base - 3'600'000'000'000 + 5;
        *row("large tsoffset") << 6 << true << qint64{0x1'0000'0001} << quint64{0}
                               << qint64{0x1'0000'0001} * 1'000'000'000;
        *row("tsresol 0 s") << 0 << false << qint64{0} << quint64{sec} << base;
        *row("tsresol 12 ps, tsoffset")
            << 12 << true << qint64{kBaseSec} << quint64{123'456'789'999} << base + 123'456'789;
        // Hostile values saturate instead of overflowing.
        *row("decimal exponent 127") << 0x7F << false << qint64{0} << ~quint64{0} << qint64{0};
        *row("binary exponent 127")
            << 0xFF << false << qint64{0} << ~quint64{0} << qint64{1'999'999'999};
        // ...and are clamped to +-2^62 ns so that differences of timestamps
        // (idle times, series times) cannot overflow either.
        constexpr qint64 kLimit = qint64{1} << 62;
        *row("units beyond int64") << 9 << false << qint64{0} << ~quint64{0} << kLimit;
        *row("units beyond int64 plus offset") << 9 << true << qint64{10} << ~quint64{0} << kLimit;
        *row("tsoffset INT64_MAX s")
            << -1 << true << std::numeric_limits<qint64>::max() << quint64{5} << kLimit;
        *row("tsoffset INT64_MIN s")
            << -1 << true << std::numeric_limits<qint64>::min() << quint64{0} << -kLimit;
        *row("just inside the clamp")
            << 9 << false << qint64{0} << quint64{kLimit - 1} << kLimit - 1;
    }
}

void TestPcapngReader::timestamps()
{
    QFETCH(bool, bigEndian);
    QFETCH(int, tsresol);
    QFETCH(bool, hasOffset);
    QFETCH(qint64, offsetSeconds);
    QFETCH(quint64, units);
    QFETCH(qint64, expectedNs);

    PcapngWriter w;
    w.section(bigEndian);
    std::vector<Option> opts = {{2, PcapngWriter::text("eth0")}}; // if_name
    if (tsresol >= 0)
        opts.push_back({9, w.u8Value(static_cast<std::uint8_t>(tsresol))});
    if (hasOffset)
        opts.push_back({14, w.u64Value(static_cast<std::uint64_t>(offsetSeconds))});
    w.interface(1, 65535, opts);
    w.enhanced(0, units, payload(10, 1));
    w.obsolete(0, units, payload(10, 2));
    w.simple(10, payload(10, 3)); // takes the previous timestamp

    const Outcome out = readBoth(w.data());
    QVERIFY(m_bothAgree);
    QVERIFY2(out.last == Last::End, qPrintable(out.describe()));
    QCOMPARE(out.packets.size(), std::size_t{3});
    for (const Packet& p : out.packets)
        QCOMPARE(p.tsNs, static_cast<std::int64_t>(expectedNs));
}

void TestPcapngReader::blockKinds()
{
    PcapngWriter w;
    w.section(false);
    w.interface(1, 0, {{9, w.u8Value(9)}});
    const std::uint64_t ns = kBaseSec * 1'000'000'000;
    w.simple(30, payload(30, 1)); // before any timestamp: 0
    w.enhanced(0, ns + 1, payload(40, 2), 60);
    w.simple(31, payload(31, 3)); // padded to 32 in the block
    w.obsolete(0, ns + 2, payload(42, 4));
    w.simple(100, payload(20, 5)); // wire length beyond the block
    w.enhanced(0, ns + 3, Bytes{}, 0);

    const Outcome out = readBoth(w.data());
    QVERIFY(m_bothAgree);
    QVERIFY2(out.last == Last::End, qPrintable(out.describe()));
    const std::vector<Packet> expected = {
        packet(0, 1, payload(30, 1)),
        packet(kBaseNs + 1, 1, payload(40, 2), 60),
        {kBaseNs + 1, 1, 31, 31, payload(31, 3)},
        packet(kBaseNs + 2, 1, payload(42, 4)),
        {kBaseNs + 2, 1, 20, 100, payload(20, 5)},
        {kBaseNs + 3, 1, 0, 0, {}},
    };
    QVERIFY2(out.packets == expected, qPrintable(describe(out.packets)));
}

void TestPcapngReader::simplePacketLength_data()
{
    QTest::addColumn<uint>("snapLength");
    QTest::addColumn<uint>("wire");
    QTest::addColumn<int>("dataBytes"); // bytes in the block
    QTest::addColumn<uint>("expectedCaplen");

    QTest::newRow("whole") << 0u << 40u << 40 << 40u;
    QTest::newRow("snaplen cuts") << 16u << 40u << 40 << 16u;
    QTest::newRow("block cuts") << 0u << 1500u << 64 << 64u;
    QTest::newRow("block cuts before snaplen") << 128u << 1500u << 64 << 64u;
    QTest::newRow("snaplen cuts before block") << 32u << 1500u << 64 << 32u;
    QTest::newRow("wire shorter than padding") << 0u << 5u << 8 << 5u;
    QTest::newRow("empty") << 0u << 0u << 0 << 0u;
}

void TestPcapngReader::simplePacketLength()
{
    QFETCH(uint, snapLength);
    QFETCH(uint, wire);
    QFETCH(int, dataBytes);
    QFETCH(uint, expectedCaplen);

    PcapngWriter w;
    w.section(true);
    w.interface(1, snapLength);
    w.interface(101, 4); // simple packets always belong to interface 0
    const Bytes data = payload(static_cast<std::size_t>(dataBytes), 9);
    w.simple(wire, data);
    const Outcome out = readBoth(w.data());
    QVERIFY(m_bothAgree);
    QVERIFY2(out.last == Last::End, qPrintable(out.describe()));
    QCOMPARE(out.packets.size(), std::size_t{1});
    const Packet& p = out.packets[0];
    QCOMPARE(p.capturedLength, expectedCaplen);
    QCOMPARE(p.wireLength, wire);
    QCOMPARE(p.linkType, 1);
    QVERIFY(p.bytes == Bytes(data.begin(), data.begin() + expectedCaplen));
}

void TestPcapngReader::skippedBlocks_data()
{
    QTest::addColumn<bool>("bigEndian");
    QTest::newRow("little-endian") << false;
    QTest::newRow("big-endian") << true;
}

void TestPcapngReader::skippedBlocks()
{
    QFETCH(bool, bigEndian);
    const auto addSkipped = [](PcapngWriter& w) {
        ByteWriter nrb(w.bigEndian());
        nrb.u16(1); // nrb_record_ipv4
        nrb.u16(4 + 8);
        nrb.bytes({192, 0, 2, 1});
        nrb.bytes(PcapngWriter::text("example"));
        nrb.u8(0);
        nrb.pad4();
        nrb.u16(0); // nrb_record_end
        nrb.u16(0);
        w.block(kNrb, nrb.data());
        ByteWriter isb(w.bigEndian());
        isb.u32(0);
        isb.u64(12345);
        w.block(kIsb, isb.data());
        ByteWriter dsb(w.bigEndian());
        dsb.u32(0x544c534b); // TLS key log
        dsb.u32(5);
        dsb.bytes(PcapngWriter::text("CLIENT_RANDOM"));
        w.block(kDsb, dsb.data());
        w.block(kCustom, PcapngWriter::text("custom, copyable"));
        w.block(0x40000BAD, PcapngWriter::text("custom, not copyable"));
        w.block(0x12345678, {}); // unknown, empty body
    };
    const std::uint64_t us = kBaseSec * 1'000'000;

    PcapngWriter w;
    w.section(bigEndian);
    addSkipped(w);
    w.interface(1, 65535);
    addSkipped(w);
    w.enhanced(0, us + 1, payload(10, 1));
    addSkipped(w);
    w.simple(11, payload(11, 2));
    addSkipped(w);
    w.obsolete(0, us + 3, payload(12, 3));
    addSkipped(w);

    CaptureFormat format;
    const Outcome out = readBoth(w.data(), &format);
    QVERIFY(m_bothAgree);
    QVERIFY2(out.last == Last::End, qPrintable(out.describe()));
    const std::vector<Packet> expected = {
        packet(kBaseNs + 1'000, 1, payload(10, 1)),
        {kBaseNs + 1'000, 1, 11, 11, payload(11, 2)},
        packet(kBaseNs + 3'000, 1, payload(12, 3)),
    };
    QVERIFY2(out.packets == expected, qPrintable(describe(out.packets)));
    QCOMPARE(format.linkType, 1);
}

void TestPcapngReader::malformed_data()
{
    QTest::addColumn<QByteArray>("file");
    QTest::addColumn<int>("packetsBefore");
    QTest::addColumn<qulonglong>("offset");
    QTest::addColumn<QString>("reason");

    const std::uint64_t us = kBaseSec * 1'000'000;
    const auto start = [](bool big) {
        PcapngWriter w;
        w.section(big);
        w.interface(1, 65535);
        w.enhanced(0, kBaseSec * 1'000'000, payload(20, 1));
        return w;
    };
    const auto add = [](const QByteArray& name, const PcapngWriter& w, int before,
                        std::uint64_t offset, const char* reason) {
        QTest::newRow(name.constData())
            << QByteArray(reinterpret_cast<const char*>(w.data().data()),
                          static_cast<qsizetype>(w.data().size()))
            << before << qulonglong{offset} << QString(reason);
    };

    for (bool big : {false, true}) {
        const QString order = big ? "BE " : "LE ";
        const auto name = [&](const char* n) { return (order + n).toUtf8(); };
        {
            PcapngWriter w;
            w.section(big);
            w.enhanced(0, us, payload(20, 1));
            add(name("enhanced packet before any interface"), w, 0, w.lastStart(),
                "packet refers to undefined interface 0");
        }
        {
            PcapngWriter w;
            w.section(big);
            w.block(kNrb, {});
            w.obsolete(0, us, payload(20, 1));
            add(name("obsolete packet before any interface"), w, 0, w.lastStart(),
                "packet refers to undefined interface 0");
        }
        {
            PcapngWriter w;
            w.section(big);
            w.simple(20, payload(20, 1));
            add(name("simple packet before any interface"), w, 0, w.lastStart(),
                "simple packet block before any interface");
        }
        {
            PcapngWriter w = start(big);
            w.enhanced(1, us, payload(20, 2));
            add(name("interface id out of range"), w, 1, w.lastStart(),
                "packet refers to undefined interface 1");
        }
        {
            PcapngWriter w = start(big);
            w.enhanced(0xFFFFFFFF, us, payload(20, 2));
            add(name("interface id 2^32-1"), w, 1, w.lastStart(),
                "packet refers to undefined interface 4294967295");
        }
        {
            PcapngWriter w = start(big);
            w.obsolete(3, us, payload(20, 2));
            add(name("obsolete packet interface out of range"), w, 1, w.lastStart(),
                "packet refers to undefined interface 3");
        }
        {
            PcapngWriter w = start(big);
            w.rawBlock(kEpb, 30, Bytes(18, 0), 30);
            add(name("length not a multiple of 4"), w, 1, w.lastStart(), "bad block length 30");
        }
        {
            PcapngWriter w = start(big);
            w.rawBlock(kNrb, 8, {}, 8);
            add(name("length below 12"), w, 1, w.lastStart(), "bad block length 8");
        }
        {
            PcapngWriter w = start(big);
            w.rawBlock(kEpb, 0, {}, 0);
            add(name("length 0"), w, 1, w.lastStart(), "bad block length 0");
        }
        {
            PcapngWriter w = start(big);
            w.rawBlock(kEpb, 64u * 1024 * 1024 + 4, Bytes(20, 0), 12);
            add(name("length over 64 MiB"), w, 1, w.lastStart(), "bad block length 67108868");
        }
        {
            PcapngWriter w = start(big);
            w.rawBlock(kCustom, 16, Bytes(4, 0), 20);
            add(name("trailer length differs"), w, 1, w.lastStart(),
                "block total length in header and trailer differ");
        }
        {
            PcapngWriter w;
            w.section(big);
            w.rawBlock(kIdb, 20, Bytes(8, 0), 16);
            add(name("interface trailer differs"), w, 0, w.lastStart(),
                "block total length in header and trailer differ");
        }
        {
            PcapngWriter w = start(big);
            ByteWriter body(big);
            body.u32(0);
            body.u64(0);
            body.u32(17); // 16 bytes of data follow
            body.u32(17);
            body.bytes(Bytes(16, 0));
            w.block(kEpb, body.data());
            add(name("captured length past the block"), w, 1, w.lastStart(),
                "captured length 17 runs past its block");
        }
        {
            PcapngWriter w = start(big);
            ByteWriter body(big);
            body.u32(0);
            body.u64(0);
            body.u32(0xFFFFFFF0);
            body.u32(0xFFFFFFF0);
            w.block(kEpb, body.data());
            add(name("huge captured length"), w, 1, w.lastStart(),
                "captured length 4294967280 runs past its block");
        }
        {
            PcapngWriter w = start(big);
            w.rawBlock(kEpb, 28, Bytes(16, 0), 28);
            add(name("enhanced packet too short"), w, 1, w.lastStart(), "packet block too short");
        }
        {
            PcapngWriter w = start(big);
            w.rawBlock(kSimplePacket, 12, {}, 12);
            add(name("simple packet too short"), w, 1, w.lastStart(),
                "simple packet block too short");
        }
        {
            PcapngWriter w;
            w.section(big);
            ByteWriter body(big);
            body.u16(1);
            body.u16(0);
            body.u32(65535);
            body.u16(2); // if_name claims 100 bytes, 4 are there
            body.u16(100);
            body.bytes(PcapngWriter::text("eth0"));
            w.block(kIdb, body.data());
            add(name("option past the interface block"), w, 0, w.lastStart(),
                "interface option runs past its block");
        }
        {
            PcapngWriter w = start(big);
            ByteWriter body(big);
            body.u16(101);
            body.u16(0);
            body.u32(65535);
            body.u16(9);
            body.u16(1);
            body.u8(9);
            body.pad4();
            body.u16(14); // if_tsoffset: 8 bytes claimed, 4 there
            body.u16(8);
            body.u32(0);
            w.block(kIdb, body.data());
            add(name("second interface's option past its block"), w, 1, w.lastStart(),
                "interface option runs past its block");
        }
        {
            PcapngWriter w;
            w.section(big);
            w.rawBlock(kIdb, 16, Bytes(4, 0), 16);
            add(name("interface too short"), w, 0, w.lastStart(),
                "interface description too short");
        }
        {
            PcapngWriter w;
            w.section(big, 2, 0);
            w.interface(1, 65535);
            add(name("major version 2"), w, 0, 0, "unsupported version 2.0");
        }
        {
            PcapngWriter w;
            w.section(big, 0, 9);
            add(name("major version 0"), w, 0, 0, "unsupported version 0.9");
        }
        {
            PcapngWriter w = start(big);
            w.section(!big, 3, 1);
            add(name("second section major version 3"), w, 1, w.lastStart(),
                "unsupported version 3.1");
        }
        {
            PcapngWriter w = start(big);
            w.rawBlock(kShb, 16, Bytes(4, 0x77), 16);
            add(name("bad byte-order magic"), w, 1, w.lastStart(),
                "bad byte-order magic in section header");
        }
        {
            PcapngWriter w = start(big);
            ByteWriter body(big);
            body.u32(0x1A2B3C4D);
            w.block(kShb, body.data());
            add(name("section header too short"), w, 1, w.lastStart(), "section header too short");
        }
    }
}

void TestPcapngReader::malformed()
{
    QFETCH(QByteArray, file);
    QFETCH(int, packetsBefore);
    QFETCH(qulonglong, offset);
    QFETCH(QString, reason);

    const Outcome out = readBoth(Bytes(file.begin(), file.end()));
    QVERIFY(m_bothAgree);
    QVERIFY2(out.last == Last::Error, qPrintable(out.describe()));
    QCOMPARE(static_cast<int>(out.packets.size()), packetsBefore);
    QCOMPARE(qulonglong{out.error.offset}, offset);
    QCOMPARE(qs(out.error.reason), "pcapng: " + reason);
    QCOMPARE(qs(out.error.file), QString(m_dir.path() + "/capture.pcapng"));
}

void TestPcapngReader::noSectionHeader()
{
    // Only the direct reader sees this: CaptureReader would not call it pcapng.
    PcapngWriter w;
    w.interface(1, 65535);
    const Outcome out = readDirect(write(w.data()));
    QVERIFY(out.last == Last::Error);
    QCOMPARE(out.error.offset, std::uint64_t{0});
    QCOMPARE(qs(out.error.reason), QString("pcapng: no section header before the first block"));

    // Empty input: a clean end for the reader; CaptureReader refuses it.
    const auto empty = write({});
    const Outcome direct = readDirect(empty);
    QVERIFY(direct.last == Last::End);
    QVERIFY(direct.packets.empty());
    const Outcome capture = readCapture(empty);
    QVERIFY(!capture.opened);
}

void TestPcapngReader::truncation_data()
{
    QTest::addColumn<bool>("bigEndian");
    QTest::newRow("little-endian") << false;
    QTest::newRow("big-endian") << true;
}

void TestPcapngReader::truncation()
{
    QFETCH(bool, bigEndian);
    // Three packets of three kinds among skipped blocks and two interfaces.
    PcapngWriter w;
    w.section(bigEndian);
    w.interface(1, 0, {{9, w.u8Value(9)}, {14, w.u64Value(10)}});
    w.block(kNrb, {});
    w.enhanced(0, kBaseSec * 1'000'000'000 + 1, payload(13, 1));
    w.interface(101, 64);
    w.obsolete(1, kBaseSec * 1'000'000 + 2, payload(30, 2));
    w.block(kIsb, Bytes(12, 0));
    w.simple(7, payload(7, 3));
    const Bytes full = w.data();
    const std::vector<std::size_t>& starts = w.starts();
    // Blocks 3, 5 and 7 hold packets; block 1 is the first interface.
    const std::vector<bool> isPacket = {false, false, false, true, false, true, false, true};
    QCOMPARE(starts.size(), isPacket.size());
    const std::size_t firstInterfaceEnd = starts[2];

    const Outcome whole = readBoth(full);
    QVERIFY(m_bothAgree);
    QVERIFY2(whole.last == Last::End, qPrintable(whole.describe()));
    QCOMPARE(whole.packets.size(), std::size_t{3});
    QCOMPARE(whole.packets[0].tsNs, kBaseNs + 10'000'000'001);
    QCOMPARE(whole.packets[1].linkType, 101);
    QCOMPARE(whole.packets[2].tsNs, whole.packets[1].tsNs);

    for (std::size_t cut = 0; cut <= full.size(); ++cut) {
        // The block the cut falls in (or starts at), and the packets before it.
        std::size_t block = 0;
        while (block + 1 < starts.size() && starts[block + 1] <= cut)
            ++block;
        const bool atBoundary = cut == full.size() || cut == starts[block];
        std::size_t packetsBefore = 0;
        for (std::size_t b = 0; b < block; ++b)
            packetsBefore += isPacket[b] ? 1 : 0;
        if (cut == full.size())
            packetsBefore = 3;

        const Bytes bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(cut));
        const auto path = write(bytes);
        const Outcome direct = readDirect(path);
        const QString where = QString("cut at %1: %2").arg(cut).arg(direct.describe());
        QVERIFY2(direct.packets.size() == packetsBefore, qPrintable(where));
        QVERIFY2(std::equal(direct.packets.begin(), direct.packets.end(), whole.packets.begin()),
                 qPrintable(where));
        if (atBoundary) {
            QVERIFY2(direct.last == Last::End, qPrintable(where));
        } else {
            QVERIFY2(direct.last == Last::Error, qPrintable(where));
            QVERIFY2(direct.error.offset == starts[block], qPrintable(where));
            QVERIFY2(direct.error.reason.find("ends inside") != std::string::npos,
                     qPrintable(where));
        }

        const Outcome capture = readCapture(path);
        if (cut < firstInterfaceEnd) {
            QVERIFY2(!capture.opened, qPrintable(where));
            QVERIFY2(!capture.error.reason.empty(), qPrintable(where));
        } else {
            QVERIFY2(capture.opened, qPrintable(where + " / " + capture.describe()));
            QVERIFY2(direct.sameAs(capture), qPrintable(where + " / " + capture.describe()));
        }
    }
}

void TestPcapngReader::patchedPcap_data()
{
    QTest::addColumn<QString>("compression");
    QTest::addColumn<bool>("bigEndian");
    QTest::addColumn<int>("count");
    QTest::newRow("plain") << "none" << false << 5;
    QTest::newRow("plain, big-endian") << "none" << true << 5;
    QTest::newRow("two records") << "none" << false << 2;
    QTest::newRow("gzip") << "gzip" << false << 5;
    QTest::newRow("zstd") << "zstd" << false << 5;
    // Beyond the 64 KiB peeked at open: records straddle the fixer's refills.
    QTest::newRow("plain, 300 KB") << "none" << false << 600;
    QTest::newRow("gzip, 300 KB") << "gzip" << false << 600;
}

void TestPcapngReader::patchedPcap()
{
    QFETCH(QString, compression);
    QFETCH(bool, bigEndian);
    QFETCH(int, count);

    std::vector<PcapRecord> records;
    for (int i = 0; i < count; ++i) {
        const auto n = static_cast<std::uint32_t>(i);
        records.push_back(
            {static_cast<std::uint32_t>(kBaseSec) + n / 10, 1000 * (n % 900) + 7,
             payload(i == 2 ? 1 : 60 + (n * 37) % 1000, static_cast<std::uint8_t>(i))});
    }
    Bytes file = classicPcap(records, 8, bigEndian);
    if (compression != "none") {
        file = compressWithTool(m_dir.path(), compression, file);
        if (file.empty())
            QSKIP(qPrintable(compression + " command-line tool not available"));
    }
    const auto path = write(file, "patched.pcap");
    CaptureFormat format;
    std::uint64_t consumed = 0;
    const Outcome out = readCapture(path, &format, &consumed);
    QVERIFY2(out.opened && out.last == Last::End, qPrintable(out.describe()));
    QCOMPARE(qs(format.container), QString("pcap-patched+8"));
    QCOMPARE(format.recordHeaderExtra, 8);
    QCOMPARE(qs(format.compression), compression);
    QCOMPARE(format.linkType, 1);
    QCOMPARE(format.fileBytes, std::uint64_t{file.size()});
    QCOMPARE(consumed, std::uint64_t{file.size()});
    const std::vector<Packet> expected = expectedPcapPackets(records);
    QVERIFY2(out.packets == expected, qPrintable(describe(out.packets)));
}

void TestPcapngReader::standardPcapNotPatched_data()
{
    QTest::addColumn<QString>("compression");
    QTest::addColumn<QList<int>>("sizes"); // captured length of each record

    for (const char* c : {"none", "gzip"}) {
        const QString comp(c);
        QTest::newRow(qPrintable(comp + ", ordinary")) << comp << QList<int>{60, 1514, 74, 66};
        QTest::newRow(qPrintable(comp + ", tiny first record"))
            << comp << QList<int>{1, 60, 60, 60};
        QTest::newRow(qPrintable(comp + ", empty first record"))
            << comp << QList<int>{0, 60, 60, 60};
        QTest::newRow(qPrintable(comp + ", eight-byte first record"))
            << comp << QList<int>{8, 60, 60};
        QTest::newRow(qPrintable(comp + ", all tiny")) << comp << QList<int>{0, 1, 2, 3, 4, 8};
        QTest::newRow(qPrintable(comp + ", one record")) << comp << QList<int>{42};
    }
}

void TestPcapngReader::standardPcapNotPatched()
{
    QFETCH(QString, compression);
    QFETCH(QList<int>, sizes);

    std::vector<PcapRecord> records;
    for (int i = 0; i < sizes.size(); ++i)
        records.push_back(
            {static_cast<std::uint32_t>(kBaseSec + i), static_cast<std::uint32_t>(i),
             payload(static_cast<std::size_t>(sizes[i]), static_cast<std::uint8_t>(0x40 + i))});
    Bytes file = classicPcap(records, 0);
    if (compression != "none") {
        file = compressWithTool(m_dir.path(), compression, file);
        if (file.empty())
            QSKIP(qPrintable(compression + " command-line tool not available"));
    }
    const auto path = write(file, "standard.pcap");
    CaptureFormat format;
    const Outcome out = readCapture(path, &format);
    QVERIFY2(out.opened && out.last == Last::End, qPrintable(out.describe()));
    QCOMPARE(qs(format.container), QString("pcap"));
    QCOMPARE(format.recordHeaderExtra, 0);
    QCOMPARE(qs(format.compression), compression);
    const std::vector<Packet> expected = expectedPcapPackets(records);
    QVERIFY2(out.packets == expected, qPrintable(describe(out.packets)));
}

} // namespace snilab

QTEST_APPLESS_MAIN(snilab::TestPcapngReader)
#include "test_pcapng_reader.moc"
