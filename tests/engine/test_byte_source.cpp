// Unit tests for the byte sources behind capture reading: plain, gzip and
// zstd files, the prefixed source and ByteSource::readFully. Compressed files
// are made with the gzip and zstd command-line tools (the test skips when one
// is missing): the engine links zlib and libzstd privately.
#include "capture/byte_source.h"

#include <QObject>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

namespace snilab {
namespace {

using Bytes = std::vector<std::uint8_t>;

// Deterministic data: `random` bytes do not compress, the others do.
Bytes makeData(std::size_t n, bool random, std::uint32_t seed = 1)
{
    Bytes b(n);
    std::uint32_t x = seed * 2654435761u + 1;
    for (std::size_t i = 0; i < n; ++i) {
        if (random) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            b[i] = static_cast<std::uint8_t>(x);
        } else {
            b[i] = static_cast<std::uint8_t>("snilab reads captures "[i % 22] + (i / 4096) % 3);
        }
    }
    return b;
}

Bytes concat(const Bytes& a, const Bytes& b)
{
    Bytes out = a;
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

struct ReadResult {
    Bytes data;
    ssize_t last = 0; // the read() result that ended reading: 0 or -1
    std::string error;
};

// Reads `source` to its end in chunks of `chunk` bytes.
ReadResult readAll(ByteSource& source, std::size_t chunk)
{
    ReadResult r;
    std::vector<char> buf(chunk);
    for (int guard = 0; guard < 10'000'000; ++guard) {
        const ssize_t n = source.read(buf.data(), buf.size());
        if (n <= 0) {
            r.last = n;
            break;
        }
        if (static_cast<std::size_t>(n) > chunk) {
            r.last = -2; // a source must not overrun the buffer
            break;
        }
        r.data.insert(r.data.end(), buf.begin(), buf.begin() + n);
    }
    r.error = source.error();
    return r;
}

// A source that hands out at most `step` bytes per read, then ends with
// `endResult` (0 or -1); counts its calls.
class DribbleSource final : public ByteSource {
public:
    DribbleSource(Bytes data, std::size_t step, ssize_t endResult)
        : m_data(std::move(data)), m_step(step), m_endResult(endResult)
    {
    }
    ssize_t read(char* out, std::size_t size) override
    {
        ++calls;
        if (m_pos == m_data.size())
            return m_endResult;
        const std::size_t n = std::min({size, m_step, m_data.size() - m_pos});
        std::copy_n(m_data.begin() + static_cast<std::ptrdiff_t>(m_pos), n, out);
        m_pos += n;
        return static_cast<ssize_t>(n);
    }
    std::uint64_t rawConsumed() const override { return m_pos; }
    std::string error() const override { return m_endResult < 0 ? "dribble failed" : ""; }

    int calls = 0;

private:
    Bytes m_data;
    std::size_t m_pos = 0;
    std::size_t m_step;
    ssize_t m_endResult;
};

} // namespace

class TestByteSource : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void readsWhole_data();
    void readsWhole();
    void rawConsumedGrows_data();
    void rawConsumedGrows();
    void concatenatedMembers_data();
    void concatenatedMembers();
    void cutStream_data();
    void cutStream();
    void corruptGzip_data();
    void corruptGzip();
    void corruptZstd();
    void plainReadError();
    void emptyPlainFile();
    void prefixed_data();
    void prefixed();
    void prefixedForwardsError();
    void readFully();
    void gzipTrailingPadding_data();
    void gzipTrailingPadding();

private:
    std::filesystem::path write(const Bytes& bytes, const QString& name);
    // `data` compressed by `tool` ("gzip" or "zstd"); `data` itself for "plain".
    // Empty (and `skipped` set) when the tool is missing.
    Bytes compressed(const QString& tool, const Bytes& data, bool& skipped);
    std::unique_ptr<ByteSource> open(const QString& tool, const std::filesystem::path& path);

    QTemporaryDir m_dir;
};

std::filesystem::path TestByteSource::write(const Bytes& bytes, const QString& name)
{
    const std::filesystem::path path = (m_dir.path() + "/" + name).toStdString();
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
    return path;
}

Bytes TestByteSource::compressed(const QString& tool, const Bytes& data, bool& skipped)
{
    skipped = false;
    if (tool == "plain")
        return data;
    const QString exe = QStandardPaths::findExecutable(tool);
    if (exe.isEmpty()) {
        skipped = true;
        return {};
    }
    const auto src = write(data, "input-" + tool);
    const QString srcName = QString::fromStdString(src.string());
    const QString dst = srcName + (tool == "gzip" ? ".gz" : ".zst");
    QProcess p;
    if (tool == "gzip")
        p.start(exe, {"-f", "-k", "-n", srcName});
    else
        p.start(exe, {"-q", "-f", srcName, "-o", dst});
    if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return {};
    std::ifstream f(dst.toStdString(), std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

std::unique_ptr<ByteSource> TestByteSource::open(const QString& tool,
                                                 const std::filesystem::path& path)
{
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f)
        return nullptr;
    if (tool == "gzip")
        return makeGzipSource(f);
    if (tool == "zstd")
        return makeZstdSource(f);
    return makePlainSource(f);
}

void TestByteSource::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

void TestByteSource::readsWhole_data()
{
    QTest::addColumn<QString>("tool");
    QTest::addColumn<int>("size");
    QTest::addColumn<bool>("random");
    QTest::addColumn<int>("chunk");

    for (const char* tool : {"plain", "gzip", "zstd"}) {
        const QString t(tool);
        for (int chunk : {1, 7, 4096, 1 << 20}) {
            QTest::newRow(qPrintable(QString("%1, 300 KB random, chunk %2").arg(t).arg(chunk)))
                << t << 300'000 << true << chunk;
            QTest::newRow(qPrintable(QString("%1, 1 MB text, chunk %2").arg(t).arg(chunk)))
                << t << 1'000'000 << false << chunk;
        }
        QTest::newRow(qPrintable(t + ", 1 byte")) << t << 1 << true << 4096;
        QTest::newRow(qPrintable(t + ", empty")) << t << 0 << false << 4096;
    }
}

void TestByteSource::readsWhole()
{
    QFETCH(QString, tool);
    QFETCH(int, size);
    QFETCH(bool, random);
    QFETCH(int, chunk);

    const Bytes data = makeData(static_cast<std::size_t>(size), random);
    bool skipped = false;
    const Bytes file = compressed(tool, data, skipped);
    if (skipped)
        QSKIP(qPrintable(tool + " command-line tool not available"));
    QVERIFY(tool == "plain" || !file.empty());
    auto source = open(tool, write(file, "whole"));
    QVERIFY(source);
    QCOMPARE(source->rawConsumed(), std::uint64_t{0});
    const ReadResult r = readAll(*source, static_cast<std::size_t>(chunk));
    QCOMPARE(r.last, ssize_t{0});
    QCOMPARE(QString::fromStdString(r.error), QString());
    QCOMPARE(r.data.size(), data.size());
    QVERIFY(r.data == data);
    QCOMPARE(source->rawConsumed(), std::uint64_t{file.size()});
    // The end stays the end.
    char c = 0;
    QCOMPARE(source->read(&c, 1), ssize_t{0});
    QCOMPARE(source->read(&c, 1), ssize_t{0});
    QCOMPARE(source->rawConsumed(), std::uint64_t{file.size()});
}

void TestByteSource::rawConsumedGrows_data()
{
    QTest::addColumn<QString>("tool");
    QTest::newRow("plain") << "plain";
    QTest::newRow("gzip") << "gzip";
    QTest::newRow("zstd") << "zstd";
}

void TestByteSource::rawConsumedGrows()
{
    // Progress: compressed bytes, growing with reading, the file size at the end.
    QFETCH(QString, tool);
    const Bytes data = makeData(2'000'000, true);
    bool skipped = false;
    const Bytes file = compressed(tool, data, skipped);
    if (skipped)
        QSKIP(qPrintable(tool + " command-line tool not available"));
    auto source = open(tool, write(file, "progress"));
    QVERIFY(source);
    std::vector<char> buf(100'000);
    std::uint64_t previous = 0;
    std::size_t total = 0;
    int growths = 0;
    for (;;) {
        const ssize_t n = source->read(buf.data(), buf.size());
        QVERIFY(n >= 0);
        if (n == 0)
            break;
        total += static_cast<std::size_t>(n);
        const std::uint64_t now = source->rawConsumed();
        QVERIFY(now >= previous);
        QVERIFY(now <= file.size());
        growths += now > previous ? 1 : 0;
        previous = now;
    }
    QCOMPARE(total, data.size());
    QVERIFY2(growths >= 5, qPrintable(QString::number(growths)));
    QCOMPARE(source->rawConsumed(), std::uint64_t{file.size()});
}

void TestByteSource::concatenatedMembers_data()
{
    QTest::addColumn<QString>("tool");
    QTest::addColumn<int>("firstSize");
    QTest::newRow("gzip") << "gzip" << 100'000;
    QTest::newRow("gzip, empty first member") << "gzip" << 0;
    QTest::newRow("zstd") << "zstd" << 100'000;
    QTest::newRow("zstd, empty first frame") << "zstd" << 0;
}

void TestByteSource::concatenatedMembers()
{
    // `cat a.gz b.gz` (or two zstd frames) reads as one stream.
    QFETCH(QString, tool);
    QFETCH(int, firstSize);
    const Bytes a = makeData(static_cast<std::size_t>(firstSize), false, 1);
    const Bytes b = makeData(70'000, true, 2);
    bool skipped = false;
    const Bytes ca = compressed(tool, a, skipped);
    if (skipped)
        QSKIP(qPrintable(tool + " command-line tool not available"));
    const Bytes cb = compressed(tool, b, skipped);
    QVERIFY(!ca.empty() && !cb.empty());
    const Bytes file = concat(ca, cb);
    auto source = open(tool, write(file, "members"));
    QVERIFY(source);
    const ReadResult r = readAll(*source, 5000);
    QCOMPARE(QString::fromStdString(r.error), QString());
    QCOMPARE(r.last, ssize_t{0});
    QCOMPARE(r.data.size(), a.size() + b.size());
    QVERIFY(r.data == concat(a, b));
    QCOMPARE(source->rawConsumed(), std::uint64_t{file.size()});
}

void TestByteSource::cutStream_data()
{
    QTest::addColumn<QString>("tool");
    QTest::addColumn<int>("keep"); // bytes kept: > 0 from the start, < 0 all but that many

    for (const char* tool : {"gzip", "zstd"}) {
        const QString t(tool);
        QTest::newRow(qPrintable(t + ", empty file")) << t << 0;
        QTest::newRow(qPrintable(t + ", 1 byte")) << t << 1;
        QTest::newRow(qPrintable(t + ", header only")) << t << 10;
        QTest::newRow(qPrintable(t + ", middle")) << t << 60'000;
        QTest::newRow(qPrintable(t + ", all but 1 byte")) << t << -1;
        QTest::newRow(qPrintable(t + ", all but 4 bytes")) << t << -4;
        QTest::newRow(qPrintable(t + ", second member cut")) << t << -20'000;
    }
}

void TestByteSource::cutStream()
{
    QFETCH(QString, tool);
    QFETCH(int, keep);
    const Bytes data = makeData(150'000, true);
    bool skipped = false;
    Bytes file = compressed(tool, data, skipped);
    if (skipped)
        QSKIP(qPrintable(tool + " command-line tool not available"));
    if (keep == -20'000) // a complete first member, then a cut second one
        file = concat(compressed(tool, makeData(1000, false), skipped), file);
    const std::size_t kept = keep >= 0 ? static_cast<std::size_t>(keep) : file.size() + keep;
    QVERIFY(kept < file.size());
    file.resize(kept);
    auto source = open(tool, write(file, "cut"));
    QVERIFY(source);
    const ReadResult r = readAll(*source, 4096);
    QVERIFY2(r.last == 0 || r.last == -1, qPrintable(QString::number(r.last)));
    QCOMPARE(QString::fromStdString(r.error), tool + " stream ends early");
    QVERIFY(r.data.size() < data.size() + 1000);
    // Whatever came out is a prefix of the original.
    const Bytes original = keep == -20'000 ? concat(makeData(1000, false), data) : data;
    QVERIFY(std::equal(r.data.begin(), r.data.end(), original.begin()));
    // It stays failed.
    char c = 0;
    QVERIFY(source->read(&c, 1) <= 0);
    QCOMPARE(QString::fromStdString(source->error()), tool + " stream ends early");
    QCOMPARE(source->rawConsumed(), std::uint64_t{file.size()});
}

void TestByteSource::corruptGzip_data()
{
    QTest::addColumn<int>("at"); // byte to change: >= 0 from the start, < 0 from the end
    QTest::addColumn<int>("value");
    QTest::newRow("compression method") << 2 << 7;
    QTest::newRow("reserved flags") << 3 << 0xE0;
    QTest::newRow("deflate data") << 100 << -1; // -1: invert the byte
    QTest::newRow("deep in the data") << 50'000 << -1;
    QTest::newRow("crc") << -8 << -1;
    QTest::newRow("length") << -2 << -1;
}

void TestByteSource::corruptGzip()
{
    QFETCH(int, at);
    QFETCH(int, value);
    const Bytes data = makeData(100'000, true);
    bool skipped = false;
    Bytes file = compressed("gzip", data, skipped);
    if (skipped)
        QSKIP("gzip command-line tool not available");
    const std::size_t pos = at >= 0 ? static_cast<std::size_t>(at) : file.size() + at;
    QVERIFY(pos < file.size());
    file[pos] =
        value < 0 ? static_cast<std::uint8_t>(~file[pos]) : static_cast<std::uint8_t>(value);
    auto source = open("gzip", write(file, "corrupt.gz"));
    QVERIFY(source);
    const ReadResult r = readAll(*source, 4096);
    QCOMPARE(r.last, ssize_t{-1});
    QVERIFY2(r.error.starts_with("gzip"), r.error.c_str());
    QVERIFY(r.data.size() <= data.size());
    char c = 0;
    QCOMPARE(source->read(&c, 1), ssize_t{-1});
}

void TestByteSource::corruptZstd()
{
    const Bytes data = makeData(100'000, true);
    bool skipped = false;
    const Bytes good = compressed("zstd", data, skipped);
    if (skipped)
        QSKIP("zstd command-line tool not available");
    // A bad frame header, then a damaged checksum at the end.
    for (const std::size_t pos : {std::size_t{4}, good.size() - 1}) {
        Bytes file = good;
        file[pos] = static_cast<std::uint8_t>(~file[pos]);
        auto source = open("zstd", write(file, "corrupt.zst"));
        QVERIFY(source);
        const ReadResult r = readAll(*source, 4096);
        QCOMPARE(r.last, ssize_t{-1});
        QVERIFY2(r.error.starts_with("zstd: "), r.error.c_str());
    }
}

void TestByteSource::plainReadError()
{
    // fopen() accepts a directory; reading it fails.
    std::FILE* f = std::fopen(qPrintable(m_dir.path()), "rb");
    if (!f)
        QSKIP("fopen refuses directories here");
    auto source = makePlainSource(f);
    char buf[16];
    QCOMPARE(source->read(buf, sizeof buf), ssize_t{-1});
    QCOMPARE(QString::fromStdString(source->error()), QString("read error"));
    QCOMPARE(source->readFully(buf, sizeof buf), std::size_t{0});
    QCOMPARE(source->rawConsumed(), std::uint64_t{0});
}

void TestByteSource::emptyPlainFile()
{
    auto source = open("plain", write({}, "empty"));
    QVERIFY(source);
    char buf[16];
    QCOMPARE(source->read(buf, sizeof buf), ssize_t{0});
    QCOMPARE(QString::fromStdString(source->error()), QString());
    QCOMPARE(source->rawConsumed(), std::uint64_t{0});
}

void TestByteSource::prefixed_data()
{
    QTest::addColumn<QString>("tool");
    QTest::addColumn<int>("prefixSize");
    QTest::addColumn<int>("chunk");
    for (const char* tool : {"plain", "gzip", "zstd"}) {
        const QString t(tool);
        for (int prefix : {0, 1, 100, 70'000})
            for (int chunk : {1, 3, 65'536})
                QTest::newRow(
                    qPrintable(QString("%1, prefix %2, chunk %3").arg(t).arg(prefix).arg(chunk)))
                    << t << prefix << chunk;
    }
}

void TestByteSource::prefixed()
{
    // CaptureReader peeks the start of a file, then serves it again.
    QFETCH(QString, tool);
    QFETCH(int, prefixSize);
    QFETCH(int, chunk);
    const Bytes prefix = makeData(static_cast<std::size_t>(prefixSize), true, 7);
    const Bytes rest = makeData(50'000, false, 8);
    bool skipped = false;
    const Bytes file = compressed(tool, rest, skipped);
    if (skipped)
        QSKIP(qPrintable(tool + " command-line tool not available"));
    auto inner = open(tool, write(file, "inner"));
    QVERIFY(inner);
    auto source = makePrefixedSource(prefix, std::move(inner));
    const ReadResult r = readAll(*source, static_cast<std::size_t>(chunk));
    QCOMPARE(r.last, ssize_t{0});
    QCOMPARE(QString::fromStdString(r.error), QString());
    QCOMPARE(r.data.size(), prefix.size() + rest.size());
    QVERIFY(r.data == concat(prefix, rest));
    QCOMPARE(source->rawConsumed(), std::uint64_t{file.size()});
}

void TestByteSource::prefixedForwardsError()
{
    // A peeked prefix, then the inner source's failure and its reason.
    auto inner = std::make_unique<DribbleSource>(makeData(10, true), 4, -1);
    auto source = makePrefixedSource({1, 2, 3}, std::move(inner));
    char buf[64];
    QCOMPARE(source->read(buf, sizeof buf), ssize_t{3}); // the prefix alone first
    QCOMPARE(source->readFully(buf, sizeof buf), std::size_t{10});
    QCOMPARE(source->read(buf, sizeof buf), ssize_t{-1});
    QCOMPARE(QString::fromStdString(source->error()), QString("dribble failed"));
    QCOMPARE(source->rawConsumed(), std::uint64_t{10});
}

void TestByteSource::readFully()
{
    const Bytes data = makeData(25, true);
    {
        // Short reads are joined until the size asked for.
        DribbleSource s(data, 3, 0);
        std::vector<char> buf(100);
        QCOMPARE(s.readFully(buf.data(), 10), std::size_t{10});
        QCOMPARE(s.calls, 4);
        QVERIFY(std::memcmp(buf.data(), data.data(), 10) == 0);
        // At the end: what was there, and then 0.
        QCOMPARE(s.readFully(buf.data(), 100), std::size_t{15});
        QVERIFY(std::memcmp(buf.data(), data.data() + 10, 15) == 0);
        QCOMPARE(s.readFully(buf.data(), 100), std::size_t{0});
        // Asking for nothing reads nothing.
        const int calls = s.calls;
        QCOMPARE(s.readFully(buf.data(), 0), std::size_t{0});
        QCOMPARE(s.calls, calls);
    }
    {
        // An error ends it too, keeping what was read.
        DribbleSource s(data, 7, -1);
        std::vector<char> buf(100);
        QCOMPARE(s.readFully(buf.data(), 100), std::size_t{25});
        QVERIFY(std::memcmp(buf.data(), data.data(), 25) == 0);
        QCOMPARE(s.readFully(buf.data(), 100), std::size_t{0});
        QCOMPARE(QString::fromStdString(s.error()), QString("dribble failed"));
    }
    {
        // Over a real file and a compressed one: exact sizes, then the remainder.
        for (const char* tool : {"plain", "gzip", "zstd"}) {
            const Bytes big = makeData(200'000, true, 3);
            bool skipped = false;
            const Bytes file = compressed(tool, big, skipped);
            if (skipped)
                continue;
            auto source = open(tool, write(file, "fully"));
            QVERIFY(source);
            std::vector<char> buf(150'000);
            QCOMPARE(source->readFully(buf.data(), buf.size()), buf.size());
            QVERIFY(std::memcmp(buf.data(), big.data(), buf.size()) == 0);
            QCOMPARE(source->readFully(buf.data(), buf.size()), std::size_t{50'000});
            QVERIFY(std::memcmp(buf.data(), big.data() + 150'000, 50'000) == 0);
            QCOMPARE(source->readFully(buf.data(), buf.size()), std::size_t{0});
            QCOMPARE(source->rawConsumed(), std::uint64_t{file.size()});
        }
    }
}

void TestByteSource::gzipTrailingPadding_data()
{
    QTest::addColumn<int>("padding");
    QTest::addColumn<int>("chunk");
    for (int padding : {1, 2, 512, 70000})
        for (int chunk : {7, 1 << 20})
            QTest::newRow(qPrintable(QString("%1 zero bytes, chunk %2").arg(padding).arg(chunk)))
                << padding << chunk;
}

// Zero bytes after the last gzip member (tape/block padding) end the stream
// cleanly, as `gzip -t` accepts them.
void TestByteSource::gzipTrailingPadding()
{
    QFETCH(int, padding);
    QFETCH(int, chunk);
    const Bytes data = makeData(100'000, true);
    bool skipped = false;
    Bytes file = compressed("gzip", data, skipped);
    if (skipped)
        QSKIP("gzip command-line tool not available");
    file.insert(file.end(), static_cast<std::size_t>(padding), 0);
    auto source = open("gzip", write(file, "padded.gz"));
    QVERIFY(source);
    const ReadResult r = readAll(*source, static_cast<std::size_t>(chunk));
    QCOMPARE(r.last, ssize_t{0});
    QCOMPARE(QString::fromStdString(r.error), QString());
    QVERIFY(r.data == data);
}

} // namespace snilab

QTEST_APPLESS_MAIN(snilab::TestByteSource)
#include "test_byte_source.moc"
