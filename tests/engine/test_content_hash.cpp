// Unit tests for ContentHasher (common/content_hash.h), the file hash and
// SHA-256 (common/digest.h).
#include "common/content_hash.h"
#include "common/digest.h"

#include <QObject>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <span>
#include <string>
#include <sys/stat.h>
#include <vector>

using namespace snilab;

namespace {

using Bytes = std::vector<std::uint8_t>;

// Deterministic pseudo-random bytes (xorshift), so failures reproduce.
Bytes pseudoRandom(std::size_t n, std::uint64_t seed = 0x1234567887654321ull)
{
    Bytes out(n);
    std::uint64_t x = seed;
    for (auto& b : out) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        b = static_cast<std::uint8_t>(x >> 24);
    }
    return out;
}

std::string hashWhole(const Bytes& data)
{
    ContentHasher h;
    h.update(data);
    return h.finishHex();
}

// Feeds `data` in chunks of the given sizes, cycling through them.
std::string hashChunked(const Bytes& data, const std::vector<std::size_t>& sizes)
{
    ContentHasher h;
    std::size_t pos = 0;
    std::size_t i = 0;
    while (pos < data.size()) {
        const std::size_t n = std::min(sizes[i % sizes.size()], data.size() - pos);
        h.update(std::span<const std::uint8_t>(data).subspan(pos, n));
        pos += n;
        ++i;
    }
    return h.finishHex();
}

bool isLowerHex(const std::string& s)
{
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    return true;
}

} // namespace

class TestContentHash : public QObject {
    Q_OBJECT

private slots:
    void format()
    {
        const std::string empty = hashWhole({});
        QCOMPARE(empty.size(), std::size_t{32});
        QVERIFY(isLowerHex(empty));
        const std::string some = hashWhole(pseudoRandom(100));
        QCOMPARE(some.size(), std::size_t{32});
        QVERIFY(isLowerHex(some));
        QVERIFY(empty != some);
    }

    void deterministic()
    {
        const Bytes data = pseudoRandom(1000);
        QCOMPARE(hashWhole(data), hashWhole(data));
    }

    void chunkingIndependent_data()
    {
        QTest::addColumn<int>("length");
        QTest::addColumn<std::vector<std::size_t>>("chunks");
        const std::vector<int> lengths = {0, 1, 31, 32, 33, 63, 64, 65, 1000, 4099};
        const std::vector<std::pair<const char*, std::vector<std::size_t>>> patterns = {
            {"bytes", {1}},  {"7", {7}},   {"31", {31}},
            {"32", {32}},    {"33", {33}}, {"mixed", {1, 40, 3, 64, 0, 17}},
            {"big", {4096}},
        };
        for (int len : lengths)
            for (const auto& [name, sizes] : patterns)
                QTest::addRow("len%d-%s", len, name) << len << sizes;
    }

    void chunkingIndependent()
    {
        QFETCH(int, length);
        QFETCH(std::vector<std::size_t>, chunks);
        const Bytes data = pseudoRandom(static_cast<std::size_t>(length));
        QCOMPARE(hashChunked(data, chunks), hashWhole(data));
    }

    void emptyUpdatesAreNoOps()
    {
        const Bytes data = pseudoRandom(50);
        ContentHasher h;
        h.update({});
        h.update(std::span<const std::uint8_t>(data).first(10));
        h.update({});
        h.update(std::span<const std::uint8_t>(data).subspan(10));
        h.update({});
        QCOMPARE(h.finishHex(), hashWhole(data));
    }

    void oneByteChange_data()
    {
        QTest::addColumn<int>("length");
        QTest::addColumn<int>("position");
        QTest::newRow("first of 1") << 1 << 0;
        QTest::newRow("first of 100") << 100 << 0;
        QTest::newRow("middle of 100") << 100 << 50;
        QTest::newRow("last full block") << 64 << 63;
        QTest::newRow("in tail") << 70 << 68;
        QTest::newRow("last of 4099") << 4099 << 4098;
    }

    void oneByteChange()
    {
        QFETCH(int, length);
        QFETCH(int, position);
        const Bytes data = pseudoRandom(static_cast<std::size_t>(length));
        Bytes changed = data;
        changed[static_cast<std::size_t>(position)] ^= 0x01;
        QVERIFY(hashWhole(data) != hashWhole(changed));
    }

    void trailingZeroByte_data()
    {
        QTest::addColumn<int>("length");
        for (int len : {0, 1, 31, 32, 33, 64, 100})
            QTest::addRow("len%d", len) << len;
    }

    void trailingZeroByte()
    {
        QFETCH(int, length);
        const Bytes data = pseudoRandom(static_cast<std::size_t>(length));
        Bytes padded = data;
        padded.push_back(0);
        QVERIFY(hashWhole(data) != hashWhole(padded));
        // Zero-only inputs of different lengths differ too.
        QVERIFY(hashWhole(Bytes(static_cast<std::size_t>(length), 0)) !=
                hashWhole(Bytes(static_cast<std::size_t>(length) + 1, 0)));
    }

    void swappedBlocksDiffer()
    {
        const Bytes a = pseudoRandom(32, 1);
        const Bytes b = pseudoRandom(32, 2);
        Bytes ab = a;
        ab.insert(ab.end(), b.begin(), b.end());
        Bytes ba = b;
        ba.insert(ba.end(), a.begin(), a.end());
        QVERIFY(hashWhole(ab) != hashWhole(ba));
    }

    void sha256KnownAnswers()
    {
        // FIPS 180-2 test vectors.
        const auto hex = [](const std::string& text) {
            Sha256 d;
            d.update({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
            return d.finishHex();
        };
        QCOMPARE(hex(""),
                 std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        QCOMPARE(hex("abc"),
                 std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                 std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
        Sha256 le;
        le.updateU64(0x0102030405060708ull);
        QCOMPARE(le.finishHex(), hex(std::string("\x08\x07\x06\x05\x04\x03\x02\x01", 8)));
    }

    // BackgroundSha256 is Sha256 of the same bytes, however they are cut and
    // whether or not a thread hashes them: empty, short, exactly one block,
    // blocks and a tail, pieces larger than a block, and many small records
    // (more blocks than may wait, so the producer blocks on the worker).
    void backgroundSha256IsSha256()
    {
        const std::size_t block = BackgroundSha256::kBlockBytes;
        for (const std::size_t length :
             {std::size_t{0}, std::size_t{3}, block, block + 1, 3 * block + 77, 9 * block + 5}) {
            Bytes data(length);
            std::uint32_t x = 0x9e3779b9u ^ static_cast<std::uint32_t>(length);
            for (auto& b : data) {
                x = x * 1664525u + 1013904223u;
                b = static_cast<std::uint8_t>(x >> 24);
            }
            Sha256 reference;
            reference.update(data);
            reference.updateU64(length);
            const std::string expected = reference.finishHex();
            for (const bool threaded : {false, true})
                for (const std::size_t piece : {std::size_t{1} << 20, std::size_t{2} << 20,
                                                std::size_t{61}, std::size_t{1500}}) {
                    BackgroundSha256 d(threaded);
                    for (std::size_t at = 0; at < data.size(); at += piece)
                        d.update(std::span(data).subspan(at, std::min(piece, data.size() - at)));
                    d.updateU64(length);
                    QCOMPARE(d.finishHex(), expected);
                }
        }
        // Destroyed without finishing: the worker stops, nothing hangs.
        BackgroundSha256 abandoned(true);
        abandoned.update(Bytes(3 * block, 1));
    }

    void fastFileHashMatchesInMemory_data()
    {
        QTest::addColumn<int>("length");
        QTest::newRow("empty") << 0;
        QTest::newRow("small") << 77;
        // Larger than the 256 KiB read buffer, not a multiple of it.
        QTest::newRow("over one buffer") << (1 << 20) + 12345;
    }

    void fastFileHashMatchesInMemory()
    {
        QFETCH(int, length);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = dir.filePath("data.bin").toStdString();
        const Bytes data = pseudoRandom(static_cast<std::size_t>(length));
        {
            std::ofstream out(path, std::ios::binary);
            out.write(reinterpret_cast<const char*>(data.data()),
                      static_cast<std::streamsize>(data.size()));
        }
        InputError error;
        const auto hex = fastFileHash(path, error);
        QVERIFY(hex.has_value());
        QCOMPARE(*hex, hashWhole(data));
        QVERIFY(error.reason.empty());
    }

    void fastFileHashMissing()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = dir.filePath("does-not-exist.pcap").toStdString();
        InputError error;
        const auto hex = fastFileHash(path, error);
        QVERIFY(!hex.has_value());
        QCOMPARE(error.file, path);
        QVERIFY(!error.reason.empty());
        QCOMPARE(error.offset, InputError::kNoOffset);
    }

    void fastFileHashNotRegular()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        InputError error;
        QVERIFY(!fastFileHash(dir.path().toStdString(), error).has_value());
        QCOMPARE(error.reason, std::string("not a regular file"));
        // A FIFO is refused at once: opening it does not wait for a writer.
        const std::string fifo = dir.filePath("live.pcap").toStdString();
        QCOMPARE(::mkfifo(fifo.c_str(), 0600), 0);
        QVERIFY(!fastFileHash(fifo, error).has_value());
        QCOMPARE(error.reason, std::string("not a regular file"));
    }
};

QTEST_APPLESS_MAIN(TestContentHash)
#include "test_content_hash.moc"
