// Unit tests for the SQLite flow catalog (catalog/catalog.h).
//
// The raw SQLite C API is used on the side to look at the file the way
// another program would (journal mode, meta table) and to build files that
// are not catalogs.
#include "catalog/catalog.h"
#include "catalog/catalog_browse.h"
#include "catalog/catalog_check.h"
#include "catalog/run_list.h"
#include "common/process_identity.h"
#include "test_bytes.h"

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
#include <string>
#include <vector>

using namespace snilab;
using snilab::test::ipv4;

namespace {

// Runs `sql` on the database at `path` with a separate connection and returns
// the first column of the first row ("" when there is none).
std::string querySql(const std::filesystem::path& path, const std::string& sql)
{
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
        sqlite3_close(db);
        return "<open failed>";
    }
    std::string result;
    sqlite3_stmt* stmt = nullptr;
    const char* tail = sql.c_str();
    // Runs every statement; keeps the first value of the last one that returned a row.
    while (tail && *tail) {
        if (sqlite3_prepare_v2(db, tail, -1, &stmt, &tail) != SQLITE_OK) {
            result = std::string("<error: ") + sqlite3_errmsg(db) + ">";
            break;
        }
        if (!stmt)
            break;
        if (sqlite3_step(stmt) == SQLITE_ROW) {
            const auto* text = sqlite3_column_text(stmt, 0);
            result = text ? reinterpret_cast<const char*>(text) : "";
        }
        sqlite3_finalize(stmt);
        stmt = nullptr;
    }
    sqlite3_close(db);
    return result;
}

IpAddress ipv6Doc(std::uint8_t last)
{
    IpAddress ip;
    ip.bytes[0] = 0x20;
    ip.bytes[1] = 0x01;
    ip.bytes[2] = 0x0d;
    ip.bytes[3] = 0xb8;
    ip.bytes[15] = last;
    return ip;
}

CaptureRow captureRow(const std::string& hash, const std::string& path = "/data/a.pcap")
{
    CaptureRow c;
    c.path = path;
    c.contentHash = hash;
    c.sizeBytes = 123456789012ull;
    c.container = "pcapng";
    c.compression = "gzip";
    c.linkType = 1;
    c.linkTypeName = "EN10MB";
    return c;
}

Connection tlsConnection(const std::string& sni, std::int64_t startNs = 1'000'000'000)
{
    Connection c;
    c.clientIp = ipv4(192, 0, 2, 10);
    c.serverIp = ipv4(198, 51, 100, 7);
    c.clientPort = 51234;
    c.serverPort = 443;
    c.ipVersion = 4;
    c.sawSyn = true;
    c.clientKnown = true;
    c.closeReason = CloseReason::Fin;
    c.startNs = startNs;
    c.endNs = startNs + 2'500'000'000;
    c.packets[0] = 12;
    c.packets[1] = 15;
    c.ipBytes[0] = 3000;
    c.ipBytes[1] = 45000;
    c.payloadBytes[0] = 2000;
    c.payloadBytes[1] = 44000;
    c.hasClientHello = true;
    c.hello.legacyVersion = 0x0303;
    c.hello.supportedVersions = {0x0304, 0x0303};
    c.hello.sni = sni;
    c.hello.alpn = {"h2", "http/1.1"};
    c.hello.ech = true;
    c.hello.ja4 = "t13d1516h2_8daaf6152771_e5627efa2ab1";
    c.series = {
        {0, 60, 0, PacketRecord::kClientToServer | PacketRecord::kSyn},
        {1'000, 60, 0, PacketRecord::kSyn},
        {2'000, 52, 0, PacketRecord::kClientToServer},
        {3'000, 569, 517, PacketRecord::kClientToServer},
        {-5, 65535, 65535, PacketRecord::kRetransmission | PacketRecord::kFin | PacketRecord::kRst},
    };
    return c;
}

Connection plainConnection(std::int64_t startNs)
{
    Connection c;
    c.clientIp = ipv6Doc(1);
    c.serverIp = ipv6Doc(2);
    c.clientPort = 40000;
    c.serverPort = 80;
    c.ipVersion = 6;
    c.sawSyn = false;
    c.clientKnown = false;
    c.closeReason = CloseReason::Idle;
    c.startNs = startNs;
    c.endNs = startNs + 10;
    c.packets[0] = 1;
    c.packets[1] = 0;
    c.ipBytes[0] = 100;
    c.payloadBytes[0] = 40;
    c.series = {{0, 100, 40, PacketRecord::kClientToServer}};
    return c;
}

// Marks a capture complete, as a finished ingest does.
void complete(Catalog& catalog, std::int64_t id, const std::string& hash)
{
    CaptureRow done = captureRow(hash);
    done.id = id;
    done.status = CaptureStatus::Complete;
    catalog.captures().finishCapture(done);
}

std::vector<ConnectionRow> allRows(Catalog& catalog)
{
    std::vector<ConnectionRow> rows;
    catalog.connections().forEachConnection([&](const ConnectionRow& r) { rows.push_back(r); });
    return rows;
}

bool sameRecords(const std::vector<PacketRecord>& a, const std::vector<PacketRecord>& b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].tNs != b[i].tNs || a[i].ipLength != b[i].ipLength ||
            a[i].payloadLength != b[i].payloadLength || a[i].flags != b[i].flags)
            return false;
    return true;
}

// Message of the CatalogError thrown by `f`, or "<no exception>".
template <typename F> std::string catalogErrorOf(F&& f)
{
    try {
        f();
    } catch (const CatalogError& e) {
        return e.what();
    }
    return "<no exception>";
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

class TestCatalog : public QObject {
    Q_OBJECT

private:
    std::filesystem::path tempPath(const QTemporaryDir& dir, const char* name)
    {
        return std::filesystem::path(dir.filePath(name).toStdString());
    }

private slots:
    void createFresh()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto path = tempPath(dir, "cat.sqlite");
        {
            Catalog catalog(path);
            QCOMPARE(catalog.path(), path);
            QVERIFY(std::filesystem::exists(path));
            QCOMPARE(catalog.connections().connectionCount(), std::uint64_t{0});
            QVERIFY(catalog.captures().all().empty());
            QVERIFY(catalog.connections().labelCounts().empty());
            QVERIFY(!catalog.captures().findCaptureByHash("nothing").has_value());
            QVERIFY(catalog.connections().series(1).empty());
            // WAL mode is a property of the file: another connection sees it.
            QCOMPARE(querySql(path, "PRAGMA journal_mode"), std::string("wal"));
        }
        QCOMPARE(Catalog::kSchemaVersion, 7);
        QCOMPARE(querySql(path, "SELECT value FROM meta WHERE key='schema_version'"),
                 std::to_string(Catalog::kSchemaVersion));
        QVERIFY(
            contains(querySql(path, "SELECT value FROM meta WHERE key='created_by'"), "snilab"));
        // Reopening an existing catalog works, with both entry points.
        {
            Catalog again(path);
        }
        auto existing = Catalog::openExisting(path);
        QVERIFY(existing != nullptr);
        QCOMPARE(existing->connections().connectionCount(), std::uint64_t{0});
    }

    void roundTrip()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto path = tempPath(dir, "cat.sqlite");
        const Connection tls = tlsConnection("WWW.Example.COM.", 5'000);
        Connection legacy = tlsConnection("legacy.example.org", 7'000);
        legacy.hello.supportedVersions.clear(); // TLS 1.2 client: the legacy version is stored
        legacy.hello.alpn.clear();
        legacy.hello.ech = false;
        legacy.closeReason = CloseReason::Rst;
        const Connection plain = plainConnection(6'000);

        std::int64_t captureId = 0;
        {
            Catalog catalog(path);
            CaptureRow capture = captureRow("hash-1");
            captureId = catalog.captures().beginCapture(capture);
            QVERIFY(captureId > 0);

            auto found = catalog.captures().findCaptureByHash("hash-1");
            QVERIFY(found.has_value());
            QCOMPARE(found->id, captureId);
            QCOMPARE(found->status, CaptureStatus::Incomplete);
            QCOMPARE(found->path, capture.path);
            QCOMPARE(found->sizeBytes, capture.sizeBytes);

            const std::vector<Connection> batch1 = {tls, plain};
            catalog.captures().addConnections(captureId, batch1);
            const std::vector<Connection> batch2 = {legacy};
            catalog.captures().addConnections(captureId, batch2);
            catalog.captures().addConnections(captureId, {}); // an empty batch is fine

            capture.id = captureId;
            capture.packets = 1000;
            capture.tcpPackets = 900;
            capture.firstNs = 1'700'000'000'000'000'000;
            capture.lastNs = 1'700'000'100'000'000'000;
            capture.status = CaptureStatus::Partial;
            capture.error = "a.pcap: offset 4096: truncated record";
            capture.container = "pcap";
            capture.compression = "none";
            capture.linkType = 113;
            capture.linkTypeName = "LINUX_SLL";
            catalog.captures().finishCapture(capture);
        }

        // Everything is read back from a reopened file.
        auto catalog = Catalog::openExisting(path);
        auto found = catalog->captures().findCaptureByHash("hash-1");
        QVERIFY(found.has_value());
        QCOMPARE(found->id, captureId);
        QCOMPARE(found->path, std::string("/data/a.pcap"));
        QCOMPARE(found->contentHash, std::string("hash-1"));
        QCOMPARE(found->sizeBytes, std::uint64_t{123456789012ull});
        QCOMPARE(found->container, std::string("pcap"));
        QCOMPARE(found->compression, std::string("none"));
        QCOMPARE(found->linkType, 113);
        QCOMPARE(found->linkTypeName, std::string("LINUX_SLL"));
        QCOMPARE(found->packets, std::uint64_t{1000});
        QCOMPARE(found->tcpPackets, std::uint64_t{900});
        QCOMPARE(found->firstNs, std::int64_t{1'700'000'000'000'000'000});
        QCOMPARE(found->lastNs, std::int64_t{1'700'000'100'000'000'000});
        QCOMPARE(found->status, CaptureStatus::Partial);
        QCOMPARE(found->error, std::string("a.pcap: offset 4096: truncated record"));

        const auto caps = catalog->captures().all();
        QCOMPARE(caps.size(), std::size_t{1});
        QCOMPARE(caps[0].id, captureId);
        QCOMPARE(caps[0].connections, std::uint64_t{3});
        QCOMPARE(caps[0].labeled, std::uint64_t{2});
        QCOMPARE(caps[0].status, CaptureStatus::Partial);

        QCOMPARE(catalog->connections().connectionCount(), std::uint64_t{3});
        const auto rows = allRows(*catalog);
        QCOMPARE(rows.size(), std::size_t{3});
        // Ordered by capture, then start time.
        QCOMPARE(rows[0].startNs, std::int64_t{5'000});
        QCOMPARE(rows[1].startNs, std::int64_t{6'000});
        QCOMPARE(rows[2].startNs, std::int64_t{7'000});

        const ConnectionRow& a = rows[0];
        QCOMPARE(a.captureId, captureId);
        QCOMPARE(a.capturePath, std::string("/data/a.pcap"));
        QCOMPARE(a.clientIp, std::string("192.0.2.10"));
        QCOMPARE(a.clientPort, std::uint16_t{51234});
        QCOMPARE(a.serverIp, std::string("198.51.100.7"));
        QCOMPARE(a.serverPort, std::uint16_t{443});
        QCOMPARE(a.ipVersion, 4);
        QCOMPARE(a.endNs, std::int64_t{5'000 + 2'500'000'000});
        QCOMPARE(a.packets[0], std::uint64_t{12});
        QCOMPARE(a.packets[1], std::uint64_t{15});
        QCOMPARE(a.ipBytes[0], std::uint64_t{3000});
        QCOMPARE(a.ipBytes[1], std::uint64_t{45000});
        QCOMPARE(a.payloadBytes[0], std::uint64_t{2000});
        QCOMPARE(a.payloadBytes[1], std::uint64_t{44000});
        QVERIFY(a.sawSyn);
        QCOMPARE(a.closeReason, std::string("fin"));
        QVERIFY(a.hasClientHello);
        QCOMPARE(a.sni, std::string("WWW.Example.COM."));
        QCOMPARE(a.label, std::string("www.example.com"));
        QCOMPARE(a.tlsVersions, std::string("0x0304,0x0303"));
        QCOMPARE(a.alpn, std::string("h2,http/1.1"));
        QVERIFY(a.ech);
        QCOMPARE(a.ja4, std::string("t13d1516h2_8daaf6152771_e5627efa2ab1"));
        QVERIFY(sameRecords(catalog->connections().series(a.id), tls.series));

        const ConnectionRow& p = rows[1];
        QCOMPARE(p.clientIp, std::string("2001:db8::1"));
        QCOMPARE(p.serverIp, std::string("2001:db8::2"));
        QCOMPARE(p.clientPort, std::uint16_t{40000});
        QCOMPARE(p.serverPort, std::uint16_t{80});
        QCOMPARE(p.ipVersion, 6);
        QVERIFY(!p.sawSyn);
        QCOMPARE(p.closeReason, std::string("idle"));
        QVERIFY(!p.hasClientHello);
        QVERIFY(p.sni.empty());
        QVERIFY(p.label.empty());
        QVERIFY(p.tlsVersions.empty());
        QVERIFY(p.alpn.empty());
        QVERIFY(!p.ech);
        QVERIFY(p.ja4.empty());
        QCOMPARE(p.packets[1], std::uint64_t{0});
        QVERIFY(sameRecords(catalog->connections().series(p.id), plain.series));

        const ConnectionRow& l = rows[2];
        QCOMPARE(l.closeReason, std::string("rst"));
        QCOMPARE(l.label, std::string("legacy.example.org"));
        QCOMPARE(l.tlsVersions, std::string("0x0303"));
        QVERIFY(l.alpn.empty());
        QVERIFY(!l.ech);

        QVERIFY(catalog->connections().series(a.id + p.id + l.id + 100).empty());
    }

    void helloFieldsIgnoredWithoutClientHello()
    {
        // A connection whose hello struct is filled but hasClientHello is
        // false stores nothing from it (unlabeled).
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        Catalog catalog(tempPath(dir, "cat.sqlite"));
        const auto id = catalog.captures().beginCapture(captureRow("h"));
        Connection c = tlsConnection("ignored.example.com");
        c.hasClientHello = false;
        catalog.captures().addConnections(id, std::span<const Connection>(&c, 1));
        complete(catalog, id, "h");
        const auto rows = allRows(catalog);
        QCOMPARE(rows.size(), std::size_t{1});
        QVERIFY(!rows[0].hasClientHello);
        QVERIFY(rows[0].sni.empty());
        QVERIFY(rows[0].label.empty());
        QVERIFY(rows[0].ja4.empty());
        QVERIFY(!rows[0].ech);
    }

    void seriesEncoding()
    {
        const std::vector<PacketRecord> records = {
            {0x0102030405060708, 0x1122, 0x3344, 0x55},
            {-1, 0, 0, 0},
            {std::numeric_limits<std::int64_t>::min(), 65535, 65535, 0xff},
            {std::numeric_limits<std::int64_t>::max(), 1, 2, PacketRecord::kClientToServer},
        };
        const auto blob = encodeSeries(records);
        QCOMPARE(blob.size(), records.size() * 16);
        // Little-endian layout of the first record, padding zero.
        const std::vector<std::uint8_t> first = {0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
                                                 0x22, 0x11, 0x44, 0x33, 0x55, 0x00, 0x00, 0x00};
        QVERIFY(std::equal(first.begin(), first.end(), blob.begin()));
        for (std::size_t i = 16 + 8; i < 16 + 16; ++i)
            QCOMPARE(blob[i], std::uint8_t{0}); // -1: lengths and flags zero, padding zero
        QVERIFY(sameRecords(decodeSeries(blob), records));

        QVERIFY(encodeSeries({}).empty());
        QVERIFY(decodeSeries({}).empty());
        // A trailing partial record is ignored.
        auto truncated = blob;
        truncated.resize(blob.size() - 3);
        const auto decoded = decodeSeries(truncated);
        QCOMPARE(decoded.size(), records.size() - 1);
        QVERIFY(sameRecords(decoded, {records.begin(), records.end() - 1}));
    }

    void beginCaptureReplacesIncomplete()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        Catalog catalog(tempPath(dir, "cat.sqlite"));
        const std::int64_t other =
            catalog.captures().beginCapture(captureRow("other", "/data/b.pcap"));
        const std::vector<Connection> otherConns = {tlsConnection("b.example.com")};
        catalog.captures().addConnections(other, otherConns);

        // An ingest that was interrupted: incomplete, with some connections.
        const std::int64_t first = catalog.captures().beginCapture(captureRow("same"));
        const std::vector<Connection> batch = {tlsConnection("a.example.com", 1),
                                               tlsConnection("a.example.com", 2)};
        catalog.captures().addConnections(first, batch);
        QCOMPARE(catalog.connections().connectionCount(), std::uint64_t{3});
        // Listings leave incomplete captures out until they are ingested again.
        QVERIFY(allRows(catalog).empty());
        std::vector<std::int64_t> firstIds;
        for (const std::string& id :
             {querySql(catalog.path(), "SELECT min(id) FROM connections WHERE capture_id = " +
                                           std::to_string(first)),
              querySql(catalog.path(), "SELECT max(id) FROM connections WHERE capture_id = " +
                                           std::to_string(first))})
            firstIds.push_back(std::stoll(id));
        QVERIFY(firstIds[0] != firstIds[1]);
        for (std::int64_t id : firstIds)
            QVERIFY(!catalog.connections().series(id).empty());

        // Re-ingest: the incomplete row and its connections (and series) go.
        const std::int64_t second = catalog.captures().beginCapture(captureRow("same"));
        QCOMPARE(catalog.connections().connectionCount(), std::uint64_t{1});
        for (std::int64_t id : firstIds)
            QVERIFY(catalog.connections().series(id).empty());
        QCOMPARE(catalog.captures().findCaptureByHash("same")->id, second);
        catalog.captures().addConnections(second, batch);
        CaptureRow done = captureRow("same");
        done.id = second;
        done.status = CaptureStatus::Complete;
        catalog.captures().finishCapture(done);

        const auto caps = catalog.captures().all();
        QCOMPARE(caps.size(), std::size_t{2});
        std::map<std::string, std::uint64_t> perHash;
        for (const auto& c : caps)
            perHash[c.contentHash] += c.connections;
        QCOMPARE(perHash["same"], std::uint64_t{2});
        QCOMPARE(perHash["other"], std::uint64_t{1});
        QCOMPARE(catalog.connections().connectionCount(), std::uint64_t{3});
        QCOMPARE(catalog.captures().findCaptureByHash("other")->status, CaptureStatus::Incomplete);

        // A complete capture is never deleted by beginCapture.
        const std::int64_t third = catalog.captures().beginCapture(captureRow("same"));
        QVERIFY(third != second);
        QCOMPARE(catalog.captures().all().size(), std::size_t{3});
        QCOMPARE(catalog.connections().connectionCount(), std::uint64_t{3});
        QCOMPARE(catalog.captures().findCaptureByHash("same")->id, third); // the newest
    }

    void labelCounts_data()
    {
        QTest::addColumn<bool>("paper");
        QTest::addColumn<QStringList>("expected"); // "label|connections|captures"
        QTest::newRow("default") << false
                                 << QStringList{"|2|2", "r3---sn-4g5e6nsz.googlevideo.com|2|1",
                                                "r4---sn-4g5e6nsz.googlevideo.com|1|1",
                                                "www.example.com|3|2"};
        QTest::newRow("paper") << true
                               << QStringList{"|2|2", "rsngensz.googlevideo.com|3|1",
                                              "www.example.com|3|2"};
    }

    void labelCounts()
    {
        QFETCH(bool, paper);
        QFETCH(QStringList, expected);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        Catalog catalog(tempPath(dir, "cat.sqlite"));
        const auto c1 = catalog.captures().beginCapture(captureRow("one", "/one.pcap"));
        const auto c2 = catalog.captures().beginCapture(captureRow("two", "/two.pcap"));
        // Distinct start times: distinct connections (one with the same
        // endpoints and start in two captures is the same connection, stored once).
        const std::vector<Connection> first = {
            tlsConnection("r3---sn-4g5e6nsz.googlevideo.com", 1'000'000'001),
            tlsConnection("R3---sn-4g5e6nsz.googlevideo.com.", 1'000'000'002),
            tlsConnection("r4---sn-4g5e6nsz.googlevideo.com", 1'000'000'003),
            tlsConnection("www.example.com", 1'000'000'004),
            tlsConnection("WWW.EXAMPLE.COM", 1'000'000'005),
            plainConnection(1),
        };
        const std::vector<Connection> second = {
            tlsConnection("www.example.com.", 1'000'000'006),
            plainConnection(2),
        };
        catalog.captures().addConnections(c1, first);
        catalog.captures().addConnections(c2, second);
        complete(catalog, c1, "one");
        complete(catalog, c2, "two");
        // An interrupted capture's connections are not counted.
        const auto c3 = catalog.captures().beginCapture(captureRow("three", "/three.pcap"));
        const std::vector<Connection> interrupted = {
            tlsConnection("www.example.com", 1'000'000'007)};
        catalog.captures().addConnections(c3, interrupted);

        const auto counts =
            catalog.connections().labelCounts(paper ? LabelMode::Paper : LabelMode::Default);
        QStringList actual;
        for (const auto& c : counts)
            actual << QString("%1|%2|%3")
                          .arg(QString::fromStdString(c.label))
                          .arg(c.connections)
                          .arg(c.captures);
        actual.sort();
        expected.sort();
        QCOMPARE(actual, expected);
        std::uint64_t total = 0;
        for (const auto& c : counts)
            total += c.connections;
        // Every stored connection except the interrupted capture's one.
        QCOMPARE(total, catalog.connections().connectionCount() - 1);
    }

    void openErrors_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("messagePart");
        QTest::newRow("not sqlite") << "text"
                                    << "not a database";
        QTest::newRow("sqlite, not a catalog") << "foreign"
                                               << "not a snilab catalog";
        QTest::newRow("meta without schema_version") << "meta-only"
                                                     << "not a snilab catalog";
        QTest::newRow("newer schema") << "schema999"
                                      << "newer than this snilab";
        QTest::newRow("bad schema") << "schema-bad"
                                    << "unknown catalog schema";
        QTest::newRow("missing directory") << "no-dir"
                                           << "cannot open catalog";
    }

    void openErrors()
    {
        QFETCH(QString, kind);
        QFETCH(QString, messagePart);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        auto path = tempPath(dir, "file.sqlite");
        std::string before;
        if (kind == "text") {
            std::ofstream out(path, std::ios::binary);
            for (int i = 0; i < 200; ++i)
                out << "this is a capture list, not a database\n";
        } else if (kind == "foreign") {
            querySql(path, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"
                           "INSERT INTO notes (body) VALUES ('keep me')");
        } else if (kind == "meta-only") {
            querySql(path, "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                           "INSERT INTO meta VALUES ('owner', 'someone else')");
        } else if (kind == "schema999" || kind == "schema-bad") {
            {
                Catalog fresh(path);
            }
            querySql(path, std::string("UPDATE meta SET value='") +
                               (kind == "schema999" ? "999" : "banana") +
                               "' WHERE key='schema_version'");
        } else if (kind == "no-dir") {
            path = tempPath(dir, "missing-dir/cat.sqlite");
        }
        if (kind == "foreign" || kind == "meta-only")
            before = querySql(path, "PRAGMA journal_mode");

        const std::string message = catalogErrorOf([&] { Catalog catalog(path); });
        QVERIFY2(contains(message, messagePart.toStdString()), message.c_str());
        QVERIFY2(contains(message, path.string()), message.c_str());
        if (kind != "no-dir") {
            const std::string viaExisting =
                catalogErrorOf([&] { auto c = Catalog::openExisting(path); });
            QVERIFY2(contains(viaExisting, messagePart.toStdString()), viaExisting.c_str());
        }
        if (kind == "schema999")
            QVERIFY2(contains(message, "999"), message.c_str());
        if (kind == "foreign") {
            // The foreign database is left as it was: no tables added, data intact.
            QCOMPARE(querySql(path, "SELECT count(*) FROM sqlite_master"), std::string("1"));
            QCOMPARE(querySql(path, "SELECT body FROM notes"), std::string("keep me"));
        }
        if (!before.empty()) // a failed open does not switch a foreign file to WAL
            QCOMPARE(querySql(path, "PRAGMA journal_mode"), before);
    }

    void openExistingMissing()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto path = tempPath(dir, "nope.sqlite");
        const std::string message = catalogErrorOf([&] { auto c = Catalog::openExisting(path); });
        QVERIFY2(contains(message, "no catalog at"), message.c_str());
        QVERIFY2(contains(message, path.string()), message.c_str());
        QVERIFY(!std::filesystem::exists(path)); // nothing was created
        // A directory is not a catalog either.
        const std::string dirMessage =
            catalogErrorOf([&] { auto c = Catalog::openExisting(dir.path().toStdString()); });
        QVERIFY2(contains(dirMessage, "no catalog at"), dirMessage.c_str());
    }

    // Runs of a dead process read as interrupted; a live run cannot be
    // deleted; a schema-3 catalog gains the owner column in place.
    void runStatesAndOwners()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto path = tempPath(dir, "runs.sqlite");
        std::int64_t live = 0, dead = 0, otherHost = 0;
        {
            Catalog catalog(path);
            live = catalog.runs().createRun("models=rf\n", 1, "fp");
            dead = catalog.runs().createRun("models=rf\n", 1, "fp");
            otherHost = catalog.runs().createRun("models=rf\n", 1, "fp");
        }
        const std::string me = currentProcessOwner();
        QCOMPARE(ownerState(me), OwnerState::Alive);
        // The same host and boot, a pid that does not exist: the process is gone.
        const std::string prefix = me.substr(0, me.find('/', me.find('/') + 1) + 1);
        querySql(path, "UPDATE runs SET owner = '" + prefix +
                           "2147483632/1' WHERE id = " + std::to_string(dead));
        querySql(path, "UPDATE runs SET owner = 'elsewhere/b/1/1' WHERE id = " +
                           std::to_string(otherHost));
        QCOMPARE(ownerState(prefix + "2147483632/1"), OwnerState::Dead);
        QCOMPARE(ownerState("elsewhere/b/1/1"), OwnerState::Unknown);
        QCOMPARE(ownerState("garbage"), OwnerState::Unknown);
        QCOMPARE(ownerState(""), OwnerState::Dead);
        {
            Catalog catalog(path);
            QVERIFY(catalog.runs().find(live)->status == RunStatus::Running);
            QVERIFY(catalog.runs().find(dead)->status == RunStatus::Interrupted);
            QVERIFY(catalog.runs().find(otherHost)->status == RunStatus::Running);
            QVERIFY(readRunList(path)[1].status == RunStatus::Interrupted);
            QCOMPARE(std::string(runStatusName(RunStatus::Interrupted)),
                     std::string("interrupted"));
            const std::string refused = catalogErrorOf([&] { catalog.runs().deleteRun(live); });
            QVERIFY2(contains(refused, "still running"), refused.c_str());
            QVERIFY(catalog.runs().find(live).has_value());
            QVERIFY(catalog.runs().deleteRun(dead));
            QVERIFY(!catalog.runs().deleteRun(dead));
            // Another host's run cannot be checked: deleted only when forced.
            const std::string unverifiable =
                catalogErrorOf([&] { catalog.runs().deleteRun(otherHost); });
            QVERIFY2(contains(unverifiable, "--force"), unverifiable.c_str());
            QVERIFY(catalog.runs().deleteRun(otherHost, true));
            catalog.runs().finishRun(live, RunStatus::Cancelled, "cancelled");
            QVERIFY(catalog.runs().deleteRun(live));
        }
        // A catalog of schema 3 (no owner column): read-only listing works,
        // opening upgrades it in place.
        const auto old = tempPath(dir, "old.sqlite");
        {
            Catalog catalog(old);
            catalog.runs().createRun("models=rf\n", 1, "fp");
        }
        querySql(old, "ALTER TABLE runs DROP COLUMN owner;"
                      "UPDATE meta SET value='3' WHERE key='schema_version'");
        QCOMPARE(querySql(old, "SELECT count(*) FROM pragma_table_info('runs') WHERE name='owner'"),
                 std::string("0"));
        // A run left "running" by a build before owners were stored is long gone.
        QVERIFY(readRunList(old).front().status == RunStatus::Interrupted);
        {
            Catalog catalog(old);
            QVERIFY(catalog.runs().find(1)->status == RunStatus::Interrupted);
        }
        QCOMPARE(querySql(old, "SELECT count(*) FROM pragma_table_info('runs') WHERE name='owner'"),
                 std::string("1"));
        QCOMPARE(querySql(old, "SELECT value FROM meta WHERE key='schema_version'"),
                 std::to_string(Catalog::kSchemaVersion));
    }

    // Schema 6: a QUIC connection is stored with its transport and version,
    // read back by every reader, and filtered by transport; a schema-5
    // catalog gains the columns in place and its connections read as TCP.
    void quicConnectionsAndSchema6()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto path = tempPath(dir, "quic.sqlite");
        {
            Catalog catalog(path);
            CaptureRow capture = captureRow("hash-q");
            capture.id = catalog.captures().beginCapture(capture);
            Connection quic = tlsConnection("quic.example", 9'000);
            quic.transport = Transport::Quic;
            quic.quicVersion = 0x6b3343cf;
            quic.sawSyn = false;
            quic.closeReason = CloseReason::NewInitial;
            quic.series = {{0, 1250, 1222, PacketRecord::kClientToServer}, {5'000, 1250, 1222, 0}};
            Connection tcp = tlsConnection("tcp.example", 8'000);
            tcp.series = {{0, 60, 0, PacketRecord::kClientToServer | PacketRecord::kSyn}};
            QCOMPARE(catalog.captures().addConnections(capture.id, {{quic, tcp}}).stored,
                     std::uint64_t{2});
            capture.status = CaptureStatus::Complete;
            capture.tcpPackets = 1;
            capture.udpPackets = 2;
            catalog.captures().finishCapture(capture);
            QCOMPARE(catalog.captures().find(capture.id)->udpPackets, std::uint64_t{2});
            std::map<std::string, ConnectionRow> rows;
            catalog.connections().forEachConnection(
                [&](const ConnectionRow& r) { rows[r.sni] = r; });
            QCOMPARE(rows.at("quic.example").transport, Transport::Quic);
            QCOMPARE(rows.at("quic.example").quicVersion, std::uint32_t{0x6b3343cf});
            QCOMPARE(rows.at("quic.example").closeReason, std::string("new-initial"));
            QCOMPARE(rows.at("tcp.example").transport, Transport::Tcp);
            const auto snisOf = [&](TransportFilter filter) {
                std::vector<std::string> snis;
                catalog.connections().forEachSeries(
                    [&](const SeriesRow& r) {
                        snis.push_back(r.sni + ":" + std::string(transportName(r.transport)));
                    },
                    true, filter);
                std::sort(snis.begin(), snis.end());
                return snis;
            };
            QCOMPARE(snisOf(TransportFilter::Quic), std::vector<std::string>{"quic.example:quic"});
            QCOMPARE(snisOf(TransportFilter::Tcp), std::vector<std::string>{"tcp.example:tcp"});
            QCOMPARE(snisOf(TransportFilter::All),
                     (std::vector<std::string>{"quic.example:quic", "tcp.example:tcp"}));
        }
        // Back to schema 5: without the QUIC columns (every connection TCP).
        querySql(path, "DELETE FROM connections WHERE transport = 'quic';"
                       "ALTER TABLE connections DROP COLUMN transport;"
                       "ALTER TABLE connections DROP COLUMN quic_version;"
                       "ALTER TABLE captures DROP COLUMN udp_packets;"
                       "UPDATE meta SET value='5' WHERE key='schema_version'");
        {
            Catalog catalog(path);
            std::vector<ConnectionRow> rows;
            catalog.connections().forEachConnection(
                [&](const ConnectionRow& r) { rows.push_back(r); });
            QCOMPARE(rows.size(), std::size_t{1});
            QCOMPARE(rows.front().transport, Transport::Tcp);
            QCOMPARE(catalog.captures().all().front().udpPackets, std::uint64_t{0});
        }
        QCOMPARE(querySql(path, "SELECT value FROM meta WHERE key='schema_version'"),
                 std::to_string(Catalog::kSchemaVersion));
        QCOMPARE(querySql(path, "SELECT count(*) FROM pragma_table_info('connections') WHERE "
                                "name IN ('transport', 'quic_version')"),
                 std::string("2"));
        QVERIFY(parseTransportFilter("all") == TransportFilter::All);
        QVERIFY(!parseTransportFilter("udp"));
    }

    // The workbench's browser filters by transport (a bound parameter, with
    // the other filters) and reads a QUIC row's transport and version.
    void browserFiltersByTransport()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto path = tempPath(dir, "browse.sqlite");
        {
            Catalog catalog(path);
            CaptureRow capture = captureRow("hash-b");
            capture.id = catalog.captures().beginCapture(capture);
            Connection quic = tlsConnection("quic.example", 9'000);
            quic.transport = Transport::Quic;
            quic.quicVersion = 0x00000001;
            quic.sawSyn = false;
            Connection tcp = tlsConnection("tcp.example", 8'000);
            tcp.clientPort = 51235;
            QCOMPARE(catalog.captures().addConnections(capture.id, {{quic, tcp}}).stored,
                     std::uint64_t{2});
            capture.status = CaptureStatus::Complete;
            catalog.captures().finishCapture(capture);
        }
        CatalogBrowser browser(path);
        ConnectionFilter filter;
        QCOMPARE(browser.connectionIds(filter).size(), std::size_t{2});
        const auto only = [&](TransportFilter transport) {
            filter.transport = transport;
            const auto ids = browser.connectionIds(filter);
            return ids.size() == 1 ? browser.connectionsBetween(filter, ids[0], ids[0])
                                   : std::vector<ConnectionRow>{};
        };
        const auto quicRows = only(TransportFilter::Quic);
        QCOMPARE(quicRows.size(), std::size_t{1});
        QCOMPARE(quicRows[0].sni, std::string("quic.example"));
        QCOMPARE(quicRows[0].transport, Transport::Quic);
        QCOMPARE(quicVersionText(quicRows[0].quicVersion), std::string("0x00000001"));
        const auto tcpRows = only(TransportFilter::Tcp);
        QCOMPARE(tcpRows.size(), std::size_t{1});
        QCOMPARE(tcpRows[0].sni, std::string("tcp.example"));
        QCOMPARE(tcpRows[0].transport, Transport::Tcp);
        // With the other filters: a TCP label under the QUIC filter matches nothing;
        // the whole id range read under the QUIC filter holds the QUIC row only.
        filter.transport = TransportFilter::Quic;
        filter.labelContains = "tcp.";
        QVERIFY(browser.connectionIds(filter).empty());
        filter.transport = TransportFilter::Tcp;
        QCOMPARE(browser.connectionIds(filter).size(), std::size_t{1});
        filter.transport = TransportFilter::Quic;
        filter.labelContains.clear();
        QCOMPARE(browser.connectionsBetween(filter, 0, 1'000'000).size(), std::size_t{1});
        QVERIFY(!(filter == ConnectionFilter{}));
    }

    // Identity of traffic: one row per connection across captures; a copy cut
    // short by the end of its capture gives way to a longer one; captures with
    // the same decoded records are folded into one.
    void connectionIdentity()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto path = tempPath(dir, "identity.sqlite");
        Catalog catalog(path);
        const auto a = catalog.captures().claimCapture(captureRow("hash-a", "/a.pcap")).id;
        Connection cut = tlsConnection("x.example", 5'000);
        cut.closeReason = CloseReason::EndOfCapture;
        cut.packets[1] = 3;
        auto added = catalog.captures().addConnections(
            a, std::vector<Connection>{tlsConnection("a.example", 1'000), cut});
        QCOMPARE(added.stored, std::uint64_t{2});
        CaptureRow rowA = captureRow("hash-a", "/a.pcap");
        rowA.id = a;
        rowA.status = CaptureStatus::Complete;
        rowA.recordDigest = "records-a";
        QCOMPARE(catalog.captures().finishCapture(rowA).sameTrafficAs, std::int64_t{0});

        // Another capture with the same first connection and a longer copy of
        // the cut one, plus one of its own.
        const auto b = catalog.captures().claimCapture(captureRow("hash-b", "/b.pcap")).id;
        Connection longer = tlsConnection("x.example", 5'000);
        added = catalog.captures().addConnections(
            b, std::vector<Connection>{tlsConnection("a.example", 1'000), longer,
                                       tlsConnection("b.example", 9'000)});
        QCOMPARE(added.duplicates, std::uint64_t{1});
        QCOMPARE(added.replaced, std::uint64_t{1});
        QCOMPARE(added.stored, std::uint64_t{2});
        QCOMPARE(catalog.connections().connectionCount(), std::uint64_t{3});
        QCOMPARE(querySql(path, "SELECT capture_id || ':' || packets_s2c FROM connections "
                                "WHERE sni = 'x.example'"),
                 std::to_string(b) + ":15");
        CaptureRow rowB = captureRow("hash-b", "/b.pcap");
        rowB.id = b;
        rowB.status = CaptureStatus::Complete;
        rowB.recordDigest = "records-b";
        QCOMPARE(catalog.captures().finishCapture(rowB).sameTrafficAs, std::int64_t{0});
        QCOMPARE(catalog.captures().duplicateConnectionGroups(), std::uint64_t{0});

        // The same records as capture a (another container): folded into a.
        const auto c = catalog.captures().claimCapture(captureRow("hash-c", "/a.pcap.gz")).id;
        added = catalog.captures().addConnections(
            c, std::vector<Connection>{tlsConnection("a.example", 1'000),
                                       tlsConnection("c.example", 7'000)});
        QCOMPARE(added.duplicates, std::uint64_t{1});
        CaptureRow rowC = captureRow("hash-c", "/a.pcap.gz");
        rowC.id = c;
        rowC.status = CaptureStatus::Complete;
        rowC.recordDigest = "records-a";
        QCOMPARE(catalog.captures().finishCapture(rowC).sameTrafficAs, a);
        QCOMPARE(catalog.captures().all().size(), std::size_t{2});
        QCOMPARE(querySql(path, "SELECT capture_id FROM connections WHERE sni = 'c.example'"),
                 std::to_string(a));

        // An incomplete capture of an earlier process does not hide a
        // connection: it is redone (deleted) when ingested again.
        const auto stale = catalog.captures().beginCapture(captureRow("hash-d", "/d.pcap"));
        catalog.captures().addConnections(
            stale, std::vector<Connection>{tlsConnection("d.example", 3'000)});
        const auto e = catalog.captures().claimCapture(captureRow("hash-e", "/e.pcap")).id;
        added = catalog.captures().addConnections(
            e, std::vector<Connection>{tlsConnection("d.example", 3'000)});
        QCOMPARE(added.stored, std::uint64_t{1});
    }

    // Two captures read at the same time: each stores its copies; the one that
    // ends second gives up the rows the first holds; one that ends incomplete
    // (cancelled, killed) hides nothing of the other.
    void connectionIdentityConcurrent()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto path = tempPath(dir, "concurrent.sqlite");
        Catalog catalog(path);
        const auto finish = [&](std::int64_t id, const char* hash, CaptureStatus status) {
            CaptureRow row = captureRow(hash, std::string("/") + hash);
            row.id = id;
            row.status = status;
            row.recordDigest = std::string("records-") + hash;
            return catalog.captures().finishCapture(row);
        };
        const auto a = catalog.captures().claimCapture(captureRow("a", "/a")).id;
        const auto b = catalog.captures().claimCapture(captureRow("b", "/b")).id;
        const std::vector<Connection> both = {tlsConnection("x.example", 1'000)};
        QCOMPARE(catalog.captures().addConnections(a, both).stored, std::uint64_t{1});
        QCOMPARE(catalog.captures().addConnections(b, both).stored, std::uint64_t{1});
        QCOMPARE(finish(a, "a", CaptureStatus::Complete).duplicates, std::uint64_t{0});
        const auto second = finish(b, "b", CaptureStatus::Complete);
        QCOMPARE(second.duplicates, std::uint64_t{1});
        QCOMPARE(second.duplicatesWithHello, std::uint64_t{1});
        QCOMPARE(querySql(path, "SELECT count(*) FROM connections"), std::string("1"));

        const auto c = catalog.captures().claimCapture(captureRow("c", "/c")).id;
        const auto d = catalog.captures().claimCapture(captureRow("d", "/d")).id;
        const std::vector<Connection> shared = {tlsConnection("y.example", 2'000)};
        catalog.captures().addConnections(c, shared);
        catalog.captures().addConnections(d, shared);
        catalog.captures().releaseClaim(c); // c is cancelled: it stays incomplete
        QCOMPARE(finish(d, "d", CaptureStatus::Complete).duplicates, std::uint64_t{0});
        // d's copy is what listings see.
        std::vector<std::string> listed;
        catalog.connections().forEachConnection(
            [&](const ConnectionRow& r) { listed.push_back(r.sni); });
        QCOMPARE(std::count(listed.begin(), listed.end(), std::string("y.example")), 1);
    }

    // A damaged series blob is an error naming the connection, never other features.
    void seriesChecksum()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto path = tempPath(dir, "series.sqlite");
        std::int64_t id = 0;
        {
            Catalog catalog(path);
            const auto cap = catalog.captures().beginCapture(captureRow("h", "/s.pcap"));
            catalog.captures().addConnections(cap,
                                              std::vector<Connection>{tlsConnection("s.example")});
            complete(catalog, cap, "h");
            id = std::stoll(querySql(path, "SELECT id FROM connections"));
            QCOMPARE(catalog.connections().series(id).size(), std::size_t{5});
        }
        querySql(path, "UPDATE connection_series SET data = zeroblob(length(data))");
        QCOMPARE(querySql(path, "PRAGMA integrity_check"), std::string("ok"));
        Catalog catalog(path);
        const std::string error = catalogErrorOf([&] { catalog.connections().series(id); });
        QVERIFY2(contains(error, "connection " + std::to_string(id)) &&
                     contains(error, "checksum mismatch"),
                 error.c_str());
        const std::string viaScan = catalogErrorOf(
            [&] { catalog.connections().forEachSeries([](const SeriesRow&) {}, false); });
        QVERIFY2(contains(viaScan, "damaged"), viaScan.c_str());
    }

    // The ingest lock is the catalog's, whatever path names it.
    void ingestLockFollowsSymlinks()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto path = tempPath(dir, "real.sqlite");
        const auto link = tempPath(dir, "link.sqlite");
        Catalog first(path);
        std::filesystem::create_symlink(path, link);
        Catalog second(link);
        first.captures().lockForIngest();
        const std::string refused = catalogErrorOf([&] { second.captures().lockForIngest(); });
        QVERIFY2(contains(refused, "another process is ingesting"), refused.c_str());
    }

    void statusNames_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("name");
        QTest::newRow("incomplete") << int(CaptureStatus::Incomplete) << "incomplete";
        QTest::newRow("complete") << int(CaptureStatus::Complete) << "complete";
        QTest::newRow("partial") << int(CaptureStatus::Partial) << "partial";
        QTest::newRow("failed") << int(CaptureStatus::Failed) << "failed";
    }

    void statusNames()
    {
        QFETCH(int, status);
        QFETCH(QString, name);
        const auto s = static_cast<CaptureStatus>(status);
        QCOMPARE(QString::fromUtf8(captureStatusName(s).data(),
                                   static_cast<qsizetype>(captureStatusName(s).size())),
                 name);
        QCOMPARE(parseCaptureStatus(name.toStdString()), std::optional<CaptureStatus>(s));
        QVERIFY(!parseCaptureStatus("Complete").has_value());
    }

    // Only captures that did not finish cleanly can be removed; their
    // connections and series go with them, other captures' stay.
    void removesOnlyUnfinishedCaptures()
    {
        QTemporaryDir dir;
        Catalog catalog(tempPath(dir, "c.sqlite"));
        const auto good = catalog.captures().beginCapture(captureRow("good", "/data/good.pcap"));
        const Connection kept[] = {tlsConnection("kept.example")};
        catalog.captures().addConnections(good, kept);
        complete(catalog, good, "good");
        const auto bad = catalog.captures().beginCapture(captureRow("bad", "/data/bad.pcap"));
        const Connection lost[] = {tlsConnection("lost.example", 5'000'000'000)};
        catalog.captures().addConnections(bad, lost);
        CaptureRow partial = captureRow("bad", "/data/bad.pcap");
        partial.id = bad;
        partial.status = CaptureStatus::Partial;
        catalog.captures().finishCapture(partial);
        QCOMPARE(catalog.connections().connectionCount(), std::uint64_t{2});

        const std::string refused = catalogErrorOf([&] { catalog.captures().removeCapture(good); });
        QVERIFY2(contains(refused, "is complete"), refused.c_str());
        QVERIFY(catalog.captures().removeCapture(bad));
        QVERIFY(!catalog.captures().removeCapture(bad)); // gone
        QCOMPARE(catalog.captures().all().size(), std::size_t{1});
        const auto rows = allRows(catalog);
        QCOMPARE(rows.size(), std::size_t{1});
        QCOMPARE(QString::fromStdString(rows.front().sni), QStringLiteral("kept.example"));
        QCOMPARE(querySql(catalog.path(), "SELECT count(*) FROM connection_series"),
                 std::string("1"));
    }

    // An intact catalog passes the check with its row counts; one with
    // garbage written over its middle is reported damaged, and what can
    // still be read is listed.
    void quickCheckFindsDamage()
    {
        QTemporaryDir dir;
        const auto path = tempPath(dir, "c.sqlite");
        {
            Catalog catalog(path);
            const auto id = catalog.captures().beginCapture(captureRow("h", "/data/a.pcap"));
            std::vector<Connection> many;
            for (int i = 0; i < 3000; ++i)
                many.push_back(tlsConnection("s" + std::to_string(i % 40) + ".example",
                                             1'000'000'000LL * (i + 1)));
            catalog.captures().addConnections(id, many);
            complete(catalog, id, "h");
            const CatalogCheck check = checkCatalog(catalog.database());
            QVERIFY2(check.intact(), check.describe().c_str());
            QCOMPARE(check.tables.size(), std::size_t{4});
            QCOMPARE(check.tables[0].rows, std::optional<std::uint64_t>(1));
            QCOMPARE(check.tables[1].rows, std::optional<std::uint64_t>(3000));
            QCOMPARE(check.capturePaths, std::vector<std::string>{"/data/a.pcap"});
        }
        const auto size = std::filesystem::file_size(path);
        QVERIFY(size > 200'000);
        {
            std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
            file.seekp(static_cast<std::streamoff>(size / 2));
            const std::string garbage(16384, '\xa5');
            file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
        }
        Catalog damaged(path, Catalog::Open::ExistingOnly); // the header still reads
        const CatalogCheck check = checkCatalog(damaged.database());
        QVERIFY(!check.intact());
        QVERIFY(contains(check.describe(), "damaged"));
        QVERIFY(contains(check.describe(), "create a new catalog"));
        QCOMPARE(check.tables[0].rows, std::optional<std::uint64_t>(1)); // page 2: intact
    }
};

QTEST_APPLESS_MAIN(TestCatalog)
#include "test_catalog.moc"
