// Unit tests for CaptureReader on the crafted captures of tests/data
// (written by tools/make_test_captures.py; the numbers below are the ones the
// generator wrote: record counts, first and last timestamps).
#include "capture/capture_reader.h"

#include <QObject>
#include <QString>
#include <QTest>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

using namespace snilab;

namespace {

std::filesystem::path dataFile(const char* name)
{
    return std::filesystem::path(SNILAB_TEST_DATA_DIR) / name;
}

struct Packet {
    std::int64_t tsNs = 0;
    std::uint32_t capturedLength = 0;
    std::uint32_t wireLength = 0;
    std::vector<std::uint8_t> bytes;
    bool operator==(const Packet&) const = default;
};

struct ReadAll {
    std::vector<Packet> packets;
    CaptureReader::Next last = CaptureReader::Next::End;
    InputError error;
    std::uint64_t bytesConsumed = 0;
};

ReadAll readAll(CaptureReader& reader)
{
    ReadAll result;
    RawPacket raw;
    for (;;) {
        result.last = reader.next(raw, result.error);
        if (result.last != CaptureReader::Next::Packet)
            break;
        result.packets.push_back({raw.tsNs, raw.capturedLength, raw.wireLength,
                                  std::vector<std::uint8_t>(raw.bytes.begin(), raw.bytes.end())});
    }
    result.bytesConsumed = reader.bytesConsumed();
    return result;
}

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

constexpr qint64 kBaseNs = 1'700'000'000'000'000'000;

} // namespace

class TestCaptureReader : public QObject {
    Q_OBJECT

private slots:
    void formats_data();
    void formats();
    void compressedEqualsPlain_data();
    void compressedEqualsPlain();
    void nanosecondTimestamps();
    void snapLength();
    void truncatedKeepsGoodPackets();
    void openFails_data();
    void openFails();
};

void TestCaptureReader::formats_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("container");
    QTest::addColumn<QString>("compression");
    QTest::addColumn<int>("linkType");
    QTest::addColumn<int>("altLinkType"); // libpcap maps LINKTYPE_RAW to DLT_RAW
    QTest::addColumn<QString>("linkTypeName");
    QTest::addColumn<int>("packets");
    QTest::addColumn<qint64>("firstNs");
    QTest::addColumn<qint64>("lastNs");

    // basic.pcap: µs timestamps scaled to ns.
    const qint64 basicFirst = kBaseNs + 1'000;
    const qint64 basicLast = kBaseNs + 1'354'543'000;
    QTest::newRow("basic.pcap") << "basic.pcap"
                                << "pcap"
                                << "none" << 1 << 1 << "EN10MB" << 61 << basicFirst << basicLast;
    QTest::newRow("basic.pcap.gz") << "basic.pcap.gz"
                                   << "pcap"
                                   << "gzip" << 1 << 1 << "EN10MB" << 61 << basicFirst << basicLast;
    QTest::newRow("basic.pcap.zst")
        << "basic.pcap.zst"
        << "pcap"
        << "zstd" << 1 << 1 << "EN10MB" << 61 << basicFirst << basicLast;
    QTest::newRow("ns.pcap") << "ns.pcap"
                             << "pcap-ns"
                             << "none" << 1 << 1 << "EN10MB" << 13 << kBaseNs + 100'124'456'866
                             << kBaseNs + 100'210'407'790;
    QTest::newRow("vlan_ipv6.pcapng") << "vlan_ipv6.pcapng"
                                      << "pcapng"
                                      << "none" << 1 << 1 << "EN10MB" << 13
                                      << kBaseNs + 200'001'000'000 << kBaseNs + 200'086'950'000;
    QTest::newRow("sll2.pcap") << "sll2.pcap"
                               << "pcap"
                               << "none" << 276 << 276 << "LINUX_SLL2" << 13
                               << kBaseNs + 300'001'000'000 << kBaseNs + 300'086'950'000;
    QTest::newRow("raw.pcap") << "raw.pcap"
                              << "pcap"
                              << "none" << 101 << 12 << "RAW" << 13 << kBaseNs + 400'001'000'000
                              << kBaseNs + 400'086'950'000;
    QTest::newRow("null.pcap") << "null.pcap"
                               << "pcap"
                               << "none" << 0 << 0 << "NULL" << 13 << kBaseNs + 500'001'000'000
                               << kBaseNs + 500'086'950'000;
    QTest::newRow("snaplen.pcap") << "snaplen.pcap"
                                  << "pcap"
                                  << "none" << 1 << 1 << "EN10MB" << 13 << kBaseNs + 600'001'000'000
                                  << kBaseNs + 600'086'950'000;
}

void TestCaptureReader::formats()
{
    QFETCH(QString, file);
    QFETCH(QString, container);
    QFETCH(QString, compression);
    QFETCH(int, linkType);
    QFETCH(int, altLinkType);
    QFETCH(QString, linkTypeName);
    QFETCH(int, packets);
    QFETCH(qint64, firstNs);
    QFETCH(qint64, lastNs);

    const auto path = dataFile(file.toUtf8().constData());
    InputError error;
    auto reader = CaptureReader::open(path, error);
    QVERIFY2(reader, qPrintable(qs(error.oneLine())));
    const CaptureFormat& format = reader->format();
    QCOMPARE(qs(format.container), container);
    QCOMPARE(qs(format.compression), compression);
    QVERIFY2(format.linkType == linkType || format.linkType == altLinkType,
             qPrintable(QString::number(format.linkType)));
    QCOMPARE(qs(format.linkTypeName), linkTypeName);
    QCOMPARE(format.fileBytes, static_cast<std::uint64_t>(std::filesystem::file_size(path)));

    const ReadAll all = readAll(*reader);
    QVERIFY2(all.last == CaptureReader::Next::End, qPrintable(qs(all.error.oneLine())));
    QCOMPARE(static_cast<int>(all.packets.size()), packets);
    QCOMPARE(all.packets.front().tsNs, firstNs);
    QCOMPARE(all.packets.back().tsNs, lastNs);
    for (std::size_t i = 1; i < all.packets.size(); ++i)
        QVERIFY(all.packets[i].tsNs > all.packets[i - 1].tsNs);
    for (const Packet& p : all.packets) {
        QCOMPARE(p.bytes.size(), static_cast<std::size_t>(p.capturedLength));
        QVERIFY(p.capturedLength <= p.wireLength);
        if (format.container == "pcap") // µs files: whole microseconds
            QCOMPARE(p.tsNs % 1000, std::int64_t{0});
    }
    // Progress reaches 1 at the end: the whole file was consumed.
    QCOMPARE(all.bytesConsumed, format.fileBytes);
}

void TestCaptureReader::compressedEqualsPlain_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("gzip") << "basic.pcap.gz";
    QTest::newRow("zstd") << "basic.pcap.zst";
}

void TestCaptureReader::compressedEqualsPlain()
{
    QFETCH(QString, file);
    InputError error;
    auto plain = CaptureReader::open(dataFile("basic.pcap"), error);
    QVERIFY2(plain, qPrintable(qs(error.oneLine())));
    auto packed = CaptureReader::open(dataFile(file.toUtf8().constData()), error);
    QVERIFY2(packed, qPrintable(qs(error.oneLine())));
    QCOMPARE(packed->format().linkType, plain->format().linkType);
    QCOMPARE(packed->format().container, plain->format().container);
    QVERIFY(packed->format().fileBytes < plain->format().fileBytes);

    const ReadAll a = readAll(*plain);
    const ReadAll b = readAll(*packed);
    QVERIFY(a.last == CaptureReader::Next::End);
    QVERIFY2(b.last == CaptureReader::Next::End, qPrintable(qs(b.error.oneLine())));
    QCOMPARE(b.packets.size(), a.packets.size());
    for (std::size_t i = 0; i < a.packets.size(); ++i)
        QVERIFY2(a.packets[i] == b.packets[i], qPrintable(QString("packet %1").arg(i)));
}

void TestCaptureReader::nanosecondTimestamps()
{
    // ns.pcap: every step between records is a whole number of µs plus 77 ns,
    // so any rounding to µs shows.
    InputError error;
    auto reader = CaptureReader::open(dataFile("ns.pcap"), error);
    QVERIFY2(reader, qPrintable(qs(error.oneLine())));
    const ReadAll all = readAll(*reader);
    QCOMPARE(all.packets.size(), std::size_t{13});
    for (std::size_t i = 1; i < all.packets.size(); ++i)
        QCOMPARE((all.packets[i].tsNs - all.packets[i - 1].tsNs) % 1000, std::int64_t{77});
    QCOMPARE(all.packets[1].tsNs - all.packets[0].tsNs, std::int64_t{20'000'077});
}

void TestCaptureReader::snapLength()
{
    // The four data segments after the ClientHello were cut to 96 bytes; the
    // ClientHello (record 4) is whole.
    InputError error;
    auto reader = CaptureReader::open(dataFile("snaplen.pcap"), error);
    QVERIFY2(reader, qPrintable(qs(error.oneLine())));
    const ReadAll all = readAll(*reader);
    QCOMPARE(all.packets.size(), std::size_t{13});
    int cut = 0;
    for (const Packet& p : all.packets) {
        if (p.capturedLength < p.wireLength) {
            ++cut;
            QCOMPARE(p.capturedLength, std::uint32_t{96});
        }
    }
    QCOMPARE(cut, 4);
    QCOMPARE(all.packets[3].capturedLength, all.packets[3].wireLength);
    QVERIFY(all.packets[3].wireLength > 300);
}

void TestCaptureReader::truncatedKeepsGoodPackets()
{
    // truncated.pcap = basic.pcap cut in the middle of record 25's data.
    const auto path = dataFile("truncated.pcap");
    InputError error;
    auto reader = CaptureReader::open(path, error);
    QVERIFY2(reader, qPrintable(qs(error.oneLine())));
    const ReadAll all = readAll(*reader);
    QVERIFY(all.last == CaptureReader::Next::Error);
    QCOMPARE(all.packets.size(), std::size_t{25});

    InputError plainError;
    auto plain = CaptureReader::open(dataFile("basic.pcap"), plainError);
    QVERIFY(plain);
    const ReadAll full = readAll(*plain);
    for (std::size_t i = 0; i < all.packets.size(); ++i)
        QVERIFY(all.packets[i] == full.packets[i]);

    QCOMPARE(all.error.file, path.string());
    QVERIFY(!all.error.reason.empty());
    QVERIFY(all.error.offset != InputError::kNoOffset);
    QVERIFY(all.error.offset <= std::filesystem::file_size(path));
    // Past the last good record: 24-byte header + 25 records.
    std::uint64_t good = 24;
    for (const Packet& p : all.packets)
        good += 16 + p.capturedLength;
    QVERIFY2(all.error.offset >= good, qPrintable(qs(all.error.oneLine())));
    QVERIFY(all.error.oneLine().find('\n') == std::string::npos);
}

void TestCaptureReader::openFails_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("not a capture") << "not_a_capture.pcap";
    QTest::newRow("empty") << "empty.pcap";
    QTest::newRow("missing") << "no_such_file.pcap";
    QTest::newRow("directory") << ".";
}

void TestCaptureReader::openFails()
{
    QFETCH(QString, file);
    const auto path = dataFile(file.toUtf8().constData());
    InputError error;
    auto reader = CaptureReader::open(path, error);
    QVERIFY(!reader);
    QCOMPARE(error.file, path.string());
    QVERIFY(!error.reason.empty());
    QVERIFY(error.oneLine().find('\n') == std::string::npos);
}

QTEST_APPLESS_MAIN(TestCaptureReader)

#include "test_capture_reader.moc"
