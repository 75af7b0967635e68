// Unit tests for the ClientHello parser, the JA4 fingerprint and SHA-256.
//
// Hand-built hellos come from HelloBuilder below; two real ClientHellos are
// embedded as hex (TCP payloads of public suricata-verify captures, see
// realCaptures_data for the source and the expected values).
#include "flow/client_hello.h"
#include "flow/ja4.h"
#include "flow/sha256.h"
#include "test_bytes.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QTest>

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

using namespace snilab;

Q_DECLARE_METATYPE(ClientHelloStatus)

namespace {

using namespace snilab::test;

Bytes fromQByteArray(const QByteArray& a)
{
    return Bytes(a.begin(), a.end());
}

// Builds ClientHello bodies, handshake messages and TLS records by hand.
struct HelloBuilder {
    std::uint16_t legacyVersion = 0x0303;
    Bytes sessionId = Bytes(32, 0x11);
    std::vector<std::uint16_t> ciphers;
    Bytes compression = {0};
    bool withExtensionsBlock = true;
    std::vector<std::pair<std::uint16_t, Bytes>> extensions;

    HelloBuilder& ext(std::uint16_t type, Bytes data)
    {
        extensions.emplace_back(type, std::move(data));
        return *this;
    }

    HelloBuilder& sni(const std::string& host)
    {
        Bytes entry;
        putU8(entry, 0);
        putU16(entry, host.size());
        append(entry, textBytes(host));
        Bytes data;
        putU16(data, entry.size());
        append(data, entry);
        return ext(0x0000, data);
    }

    HelloBuilder& alpn(const std::vector<std::string>& names)
    {
        Bytes list;
        for (const auto& n : names) {
            putU8(list, n.size());
            append(list, textBytes(n));
        }
        Bytes data;
        putU16(data, list.size());
        append(data, list);
        return ext(0x0010, data);
    }

    HelloBuilder& supportedVersions(const std::vector<std::uint16_t>& versions)
    {
        Bytes data;
        putU8(data, versions.size() * 2);
        for (auto v : versions)
            putU16(data, v);
        return ext(0x002b, data);
    }

    HelloBuilder& sigAlgs(const std::vector<std::uint16_t>& algs)
    {
        Bytes data;
        putU16(data, algs.size() * 2);
        for (auto a : algs)
            putU16(data, a);
        return ext(0x000d, data);
    }

    Bytes body() const
    {
        Bytes out;
        putU16(out, legacyVersion);
        for (std::uint8_t i = 0; i < 32; ++i)
            out.push_back(i);
        putU8(out, sessionId.size());
        append(out, sessionId);
        putU16(out, ciphers.size() * 2);
        for (auto c : ciphers)
            putU16(out, c);
        putU8(out, compression.size());
        append(out, compression);
        if (withExtensionsBlock) {
            Bytes block;
            for (const auto& [type, data] : extensions) {
                putU16(block, type);
                putU16(block, data.size());
                append(block, data);
            }
            putU16(out, block.size());
            append(out, block);
        }
        return out;
    }

    static Bytes handshake(const Bytes& body, std::uint8_t type = 1)
    {
        Bytes out;
        putU8(out, type);
        putU24(out, body.size());
        append(out, body);
        return out;
    }

    // Splits `payload` into records of the given fragment sizes; the last
    // record takes whatever remains.
    static Bytes records(const Bytes& payload, const std::vector<std::size_t>& sizes = {},
                         std::uint8_t contentType = 22)
    {
        Bytes out;
        std::size_t pos = 0;
        std::size_t i = 0;
        while (pos < payload.size()) {
            std::size_t n = i < sizes.size() ? sizes[i] : payload.size() - pos;
            n = std::min(n, payload.size() - pos);
            putU8(out, contentType);
            putU16(out, 0x0301);
            putU16(out, n);
            out.insert(out.end(), payload.begin() + static_cast<std::ptrdiff_t>(pos),
                       payload.begin() + static_cast<std::ptrdiff_t>(pos + n));
            pos += n;
            ++i;
        }
        return out;
    }

    Bytes wire(const std::vector<std::size_t>& sizes = {}) const
    {
        return records(handshake(body()), sizes);
    }
};

// The reference hello used by most tests: every field the parser extracts,
// plus GREASE in ciphers, extensions and supported_versions.
HelloBuilder referenceHello()
{
    HelloBuilder b;
    b.ciphers = {0x2a2a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0x00ff};
    b.ext(0x0a0a, {})
        .sni("www.Example.com")
        .ext(0x0017, {})
        .alpn({"h2", "http/1.1"})
        .sigAlgs({0x0403, 0x0804, 0x0401})
        .supportedVersions({0x3a3a, 0x0304, 0x0303})
        .ext(0x000a, {0x00, 0x04, 0x00, 0x1d, 0x00, 0x17})
        .ext(0xfe0d, {0x00, 0x00, 0x01, 0x00, 0x01, 0x42})
        .ext(0x1a1a, {0x00});
    return b;
}

// Independently computed (Python hashlib over the spec's strings):
// b = sha256("002f... sorted ciphers"), c = sha256("000a,000d,0017,002b,fe0d_0403,0804,0401").
const std::string kReferenceJa4 = "t13d0607h2_bcfe0a960bb4_f88f671f3879";

ClientHelloStatus parse(const Bytes& bytes, ClientHelloInfo& info, std::size_t* consumed = nullptr)
{
    return parseClientHello(std::span<const std::uint8_t>(bytes), info, consumed);
}

// Rewrites the length fields of an extension in a built body: used to make
// bogus inner lengths without hand-computing offsets.
Bytes withPatchedByte(Bytes bytes, std::size_t offset, std::uint8_t value)
{
    bytes.at(offset) = value;
    return bytes;
}

std::string hexOf(std::span<const std::uint8_t> bytes)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (auto b : bytes) {
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 0x0f]);
    }
    return out;
}

ClientHelloInfo infoForJa4(std::vector<std::uint16_t> ciphers, std::vector<std::uint16_t> exts,
                           std::vector<std::uint16_t> sigs)
{
    ClientHelloInfo info;
    info.legacyVersion = 0x0303;
    info.cipherSuites = std::move(ciphers);
    info.extensions = std::move(exts);
    info.signatureAlgorithms = std::move(sigs);
    return info;
}

} // namespace

class TestClientHello : public QObject {
    Q_OBJECT

private slots:
    void sslv2FormatHello()
    {
        // 2-byte header (length 31), CLIENT-HELLO, version 3.1, two cipher
        // specs (one a TLS suite 0x002f), no session id, 16-byte challenge.
        const QByteArray hex = "801f010301000600000010"
                               "00002f0700c0" +
                               QByteArray(32, 'a');
        const Bytes hello = fromQByteArray(QByteArray::fromHex(hex));
        ClientHelloInfo info;
        QCOMPARE(parseSslv2ClientHello(hello, info), ClientHelloStatus::Parsed);
        QVERIFY(info.sslv2Format);
        QCOMPARE(info.legacyVersion, std::uint16_t{0x0301});
        QCOMPARE(info.cipherSuites, std::vector<std::uint16_t>{0x002f});
        QVERIFY(info.sni.empty());
        QVERIFY(info.ja4.empty());
        // Strict prefixes need more bytes; the TLS parser does not take it.
        for (std::size_t n = 0; n < hello.size(); ++n)
            QCOMPARE(parseSslv2ClientHello(std::span(hello).first(n), info),
                     ClientHelloStatus::NeedMore);
        QCOMPARE(parseClientHello(hello, info), ClientHelloStatus::NotTls);
        // Inconsistent lengths and non-hellos.
        Bytes badLength = hello;
        badLength[1] = 0x20;
        QCOMPARE(parseSslv2ClientHello(badLength, info), ClientHelloStatus::Malformed);
        Bytes badSpecs = hello;
        badSpecs[6] = 0x05; // not a multiple of 3
        QCOMPARE(parseSslv2ClientHello(badSpecs, info), ClientHelloStatus::Malformed);
        Bytes serverHello = hello;
        serverHello[2] = 4;
        QCOMPARE(parseSslv2ClientHello(serverHello, info), ClientHelloStatus::NotTls);
        const Bytes tls = fromQByteArray(QByteArray::fromHex("160301002f01"));
        QCOMPARE(parseSslv2ClientHello(tls, info), ClientHelloStatus::NotTls);
    }

    // SHA-256
    void sha256Vectors_data();
    void sha256Vectors();
    void sha256MillionA();
    void sha256RawDigest();

    // Parser: well-formed input
    void parsesReferenceHello();
    void splitAcrossRecords_data();
    void splitAcrossRecords();
    void everyStrictPrefixNeedsMore_data();
    void everyStrictPrefixNeedsMore();
    void helloWithoutExtensions();
    void trailingBytesAfterHello();
    void firstOfDuplicatesWins();
    void sniSkipsOtherNameTypes();
    void emptyAlpnNameKept();

    // Parser: rejected input
    void truncatedBodyAtEveryOffset();
    void recordLength_data();
    void recordLength();
    void handshakeLengthCap();
    void malformed_data();
    void malformed();
    void malformedPrefixDetectedEarly();
    void notTls_data();
    void notTls();
    void notClientHello_data();
    void notClientHello();
    void nonHandshakeRecordMidHello();
    void mutationsNeverCrash();

    void looksLikeStart_data();
    void looksLikeStart();

    // JA4
    void ja4SpecExample();
    void ja4SpecExampleWithoutSigAlgs();
    void ja4IgnoresGrease();
    void ja4Alpn_data();
    void ja4Alpn();
    void ja4Version_data();
    void ja4Version();
    void ja4EmptyLists();
    void ja4CountsCapAt99();
    void ja4SniFlagFollowsExtension();

    // Real captures
    void realCaptures_data();
    void realCaptures();
};

// --- SHA-256 -----------------------------------------------------------------

void TestClientHello::sha256Vectors_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("digest");
    // FIPS 180-4 examples / NIST CAVS.
    QTest::newRow("empty") << QByteArray()
                           << "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    QTest::newRow("abc") << QByteArray("abc")
                         << "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    QTest::newRow("448 bits") << QByteArray(
                                     "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                              << "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
    QTest::newRow("896 bits")
        << QByteArray(
               "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
               "klmnopqrlmnopqrsmnopqrstnopqrstu")
        << "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1";
    // Padding boundaries: 55 fits one block, 56 needs two, 64 is exactly one.
    QTest::newRow("a x55") << QByteArray(55, 'a')
                           << "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318";
    QTest::newRow("a x56") << QByteArray(56, 'a')
                           << "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a";
    QTest::newRow("a x63") << QByteArray(63, 'a')
                           << "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34";
    QTest::newRow("a x64") << QByteArray(64, 'a')
                           << "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb";
    QTest::newRow("a x119") << QByteArray(119, 'a')
                            << "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb";
    QTest::newRow("a x120") << QByteArray(120, 'a')
                            << "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c";
    QTest::newRow("a x1000") << QByteArray(1000, 'a')
                             << "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3";
}

void TestClientHello::sha256Vectors()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, digest);
    QCOMPARE(QString::fromStdString(sha256Hex(
                 std::string_view(input.constData(), static_cast<std::size_t>(input.size())))),
             digest);
}

void TestClientHello::sha256MillionA()
{
    const std::string input(1000000, 'a');
    QCOMPARE(sha256Hex(input),
             std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
}

void TestClientHello::sha256RawDigest()
{
    const std::uint8_t abc[] = {'a', 'b', 'c'};
    const auto digest = sha256(abc);
    QCOMPARE(hexOf(digest),
             std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
}

// --- Parser: well-formed ---------------------------------------------------

void TestClientHello::parsesReferenceHello()
{
    const Bytes wire = referenceHello().wire();
    ClientHelloInfo info;
    std::size_t consumed = 0;
    QCOMPARE(parse(wire, info, &consumed), ClientHelloStatus::Parsed);
    QCOMPARE(consumed, wire.size());
    QCOMPARE(info.legacyVersion, std::uint16_t{0x0303});
    QCOMPARE(info.supportedVersions, (std::vector<std::uint16_t>{0x0304, 0x0303}));
    QCOMPARE(info.maxVersion(), std::uint16_t{0x0304});
    QCOMPARE(info.sni, std::string("www.Example.com")); // as sent, not lowercased
    QCOMPARE(info.alpn, (std::vector<std::string>{"h2", "http/1.1"}));
    QVERIFY(info.ech);
    QCOMPARE(info.cipherSuites,
             (std::vector<std::uint16_t>{0x2a2a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0x00ff}));
    QCOMPARE(info.extensions, (std::vector<std::uint16_t>{0x0a0a, 0x0000, 0x0017, 0x0010, 0x000d,
                                                          0x002b, 0x000a, 0xfe0d, 0x1a1a}));
    QCOMPARE(info.signatureAlgorithms, (std::vector<std::uint16_t>{0x0403, 0x0804, 0x0401}));
    QCOMPARE(info.ja4, kReferenceJa4);
    QCOMPARE(computeJa4(info), kReferenceJa4);
}

void TestClientHello::splitAcrossRecords_data()
{
    QTest::addColumn<std::vector<std::size_t>>("sizes");
    QTest::newRow("1 record") << std::vector<std::size_t>{};
    QTest::newRow("2 records, mid body") << std::vector<std::size_t>{100};
    QTest::newRow("2 records, inside handshake header") << std::vector<std::size_t>{2};
    QTest::newRow("3 records") << std::vector<std::size_t>{50, 60};
    QTest::newRow("3 records, 1-byte first") << std::vector<std::size_t>{1, 3};
    QTest::newRow("1-byte records") << std::vector<std::size_t>(400, 1);
}

void TestClientHello::splitAcrossRecords()
{
    QFETCH(std::vector<std::size_t>, sizes);
    const Bytes wire = referenceHello().wire(sizes);
    ClientHelloInfo info;
    std::size_t consumed = 0;
    QCOMPARE(parse(wire, info, &consumed), ClientHelloStatus::Parsed);
    QCOMPARE(consumed, wire.size());
    QCOMPARE(info.sni, std::string("www.Example.com"));
    QCOMPARE(info.ja4, kReferenceJa4);
}

void TestClientHello::everyStrictPrefixNeedsMore_data()
{
    splitAcrossRecords_data();
}

void TestClientHello::everyStrictPrefixNeedsMore()
{
    QFETCH(std::vector<std::size_t>, sizes);
    const Bytes wire = referenceHello().wire(sizes);
    for (std::size_t n = 0; n < wire.size(); ++n) {
        const Bytes prefix(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(n));
        ClientHelloInfo info;
        info.sni = "stale";
        std::size_t consumed = 99;
        const auto status = parse(prefix, info, &consumed);
        if (status != ClientHelloStatus::NeedMore)
            QFAIL(qPrintable(QStringLiteral("prefix of %1 bytes: status %2")
                                 .arg(n)
                                 .arg(static_cast<int>(status))));
        QVERIFY(info.sni.empty());
        QCOMPARE(consumed, std::size_t{0});
    }
}

void TestClientHello::helloWithoutExtensions()
{
    HelloBuilder b;
    b.legacyVersion = 0x0301;
    b.sessionId = {};
    b.ciphers = {0x0035, 0x002f, 0x000a};
    b.compression = {1, 0};
    b.withExtensionsBlock = false;
    ClientHelloInfo info;
    QCOMPARE(parse(b.wire(), info), ClientHelloStatus::Parsed);
    QCOMPARE(info.legacyVersion, std::uint16_t{0x0301});
    QCOMPARE(info.maxVersion(), std::uint16_t{0x0301});
    QVERIFY(info.extensions.empty());
    QVERIFY(info.sni.empty());
    QVERIFY(!info.ech);
    QCOMPARE(info.ja4, std::string("t10i030000_5704bdfc91c6_000000000000"));

    // An empty extensions block is equally fine.
    b.withExtensionsBlock = true;
    QCOMPARE(parse(b.wire(), info), ClientHelloStatus::Parsed);
    QCOMPARE(info.ja4, std::string("t10i030000_5704bdfc91c6_000000000000"));
}

void TestClientHello::trailingBytesAfterHello()
{
    Bytes wire = referenceHello().wire({200});
    const std::size_t helloSize = wire.size();
    // A ChangeCipherSpec record and some application data follow.
    append(wire, {20, 3, 3, 0, 1, 1, 23, 3, 3, 0, 2, 0xaa, 0xbb});
    ClientHelloInfo info;
    std::size_t consumed = 0;
    QCOMPARE(parse(wire, info, &consumed), ClientHelloStatus::Parsed);
    QCOMPARE(consumed, helloSize);

    // Extra handshake bytes after the message inside its last record are not
    // read; consumed still covers the whole record.
    const Bytes hs = HelloBuilder::handshake(referenceHello().body());
    Bytes payload = hs;
    append(payload, {0x14, 0x00, 0x00});
    const Bytes wire2 = HelloBuilder::records(payload);
    QCOMPARE(parse(wire2, info, &consumed), ClientHelloStatus::Parsed);
    QCOMPARE(consumed, wire2.size());
    // ...even when the record's tail has not arrived yet.
    const Bytes cut(wire2.begin(), wire2.end() - 2);
    QCOMPARE(parse(cut, info, &consumed), ClientHelloStatus::Parsed);
    QCOMPARE(consumed, wire2.size());
}

void TestClientHello::firstOfDuplicatesWins()
{
    HelloBuilder b;
    b.ciphers = {0x1301};
    b.sni("first.example").sni("second.example").alpn({"h2"}).alpn({"x"});
    ClientHelloInfo info;
    QCOMPARE(parse(b.wire(), info), ClientHelloStatus::Parsed);
    QCOMPARE(info.sni, std::string("first.example"));
    QCOMPARE(info.alpn, (std::vector<std::string>{"h2"}));
    QCOMPARE(info.extensions, (std::vector<std::uint16_t>{0, 0, 16, 16}));
}

void TestClientHello::sniSkipsOtherNameTypes()
{
    Bytes list;
    putU8(list, 7); // unknown name type
    putU16(list, 3);
    append(list, textBytes("abc"));
    putU8(list, 0);
    putU16(list, 11);
    append(list, textBytes("example.org"));
    Bytes data;
    putU16(data, list.size());
    append(data, list);
    HelloBuilder b;
    b.ciphers = {0x1301};
    b.ext(0, data);
    ClientHelloInfo info;
    QCOMPARE(parse(b.wire(), info), ClientHelloStatus::Parsed);
    QCOMPARE(info.sni, std::string("example.org"));
}

void TestClientHello::emptyAlpnNameKept()
{
    HelloBuilder b;
    b.ciphers = {0x1301};
    b.alpn({"", "h2"});
    ClientHelloInfo info;
    QCOMPARE(parse(b.wire(), info), ClientHelloStatus::Parsed);
    QCOMPARE(info.alpn, (std::vector<std::string>{"", "h2"}));
    QVERIFY(info.ja4.starts_with("t12i010100_"));
}

// --- Parser: rejected ------------------------------------------------------

void TestClientHello::truncatedBodyAtEveryOffset()
{
    // The body is cut at every offset and re-wrapped with consistent
    // handshake and record lengths: only the cut right after the compression
    // methods is itself a valid (extension-less) hello.
    const HelloBuilder b = referenceHello();
    const Bytes body = b.body();
    const std::size_t endOfCompression =
        2 + 32 + 1 + b.sessionId.size() + 2 + b.ciphers.size() * 2 + 1 + b.compression.size();
    for (std::size_t n = 0; n < body.size(); ++n) {
        const Bytes cut(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(n));
        const Bytes wire = HelloBuilder::records(HelloBuilder::handshake(cut), {90});
        ClientHelloInfo info;
        const auto status = parse(wire, info);
        const auto expected =
            n == endOfCompression ? ClientHelloStatus::Parsed : ClientHelloStatus::Malformed;
        if (status != expected)
            QFAIL(qPrintable(
                QStringLiteral("cut at %1: status %2").arg(n).arg(static_cast<int>(status))));
    }
}

void TestClientHello::recordLength_data()
{
    QTest::addColumn<int>("length");
    QTest::addColumn<ClientHelloStatus>("expected");
    QTest::newRow("zero") << 0 << ClientHelloStatus::Malformed;
    QTest::newRow("18433") << 18433 << ClientHelloStatus::Malformed;
    QTest::newRow("0xffff") << 0xffff << ClientHelloStatus::Malformed;
    // Longer than the hello: the hello completes inside the record.
    QTest::newRow("too long by 1") << -1 << ClientHelloStatus::Parsed;
    // Shorter than the hello: the next bytes are read as a record header.
    QTest::newRow("too short by 1") << -2 << ClientHelloStatus::Malformed;
}

void TestClientHello::recordLength()
{
    QFETCH(int, length);
    QFETCH(ClientHelloStatus, expected);
    Bytes wire = referenceHello().wire();
    const std::size_t actual = wire.size() - 5;
    std::size_t value = static_cast<std::size_t>(length);
    if (length == -1) {
        value = actual + 1;
        wire.push_back(0); // one more handshake byte is present
    } else if (length == -2) {
        value = actual - 1;
    }
    wire[3] = static_cast<std::uint8_t>(value >> 8);
    wire[4] = static_cast<std::uint8_t>(value);
    ClientHelloInfo info;
    QCOMPARE(parse(wire, info), expected);
}

void TestClientHello::handshakeLengthCap()
{
    ClientHelloInfo info;
    // 64 KiB exactly: a valid prefix of a (large) hello.
    Bytes hs = {1, 0x01, 0x00, 0x00, 0x03, 0x03};
    QCOMPARE(parse(HelloBuilder::records(hs), info), ClientHelloStatus::NeedMore);
    // One more byte announced: rejected from the header alone.
    hs = {1, 0x01, 0x00, 0x01, 0x03, 0x03};
    QCOMPARE(parse(HelloBuilder::records(hs), info), ClientHelloStatus::Malformed);
    hs = {1, 0xff, 0xff, 0xff};
    QCOMPARE(parse(HelloBuilder::records(hs), info), ClientHelloStatus::Malformed);
}

void TestClientHello::malformed_data()
{
    QTest::addColumn<QByteArray>("body");

    auto row = [](const char* name, const HelloBuilder& b) {
        const Bytes body = b.body();
        QTest::newRow(name) << QByteArray(reinterpret_cast<const char*>(body.data()),
                                          static_cast<qsizetype>(body.size()));
    };
    auto base = [] {
        HelloBuilder b;
        b.ciphers = {0x1301, 0x1302};
        return b;
    };

    {
        HelloBuilder b = base();
        b.sessionId = Bytes(33, 0);
        row("session id 33 bytes", b);
    }
    {
        // Odd cipher list length: built by hand below via a raw body.
        HelloBuilder b = base();
        b.withExtensionsBlock = false;
        Bytes body = b.body();
        body[2 + 32 + 1 + 32 + 1] = 3; // cipher list length 4 -> 3
        QTest::newRow("odd cipher length") << QByteArray(reinterpret_cast<const char*>(body.data()),
                                                         static_cast<qsizetype>(body.size()));
    }
    {
        HelloBuilder b = base();
        b.withExtensionsBlock = false;
        Bytes body = b.body();
        body.push_back(0x00); // a lone byte where the 2-byte block length goes
        QTest::newRow("1-byte extensions length") << QByteArray(
            reinterpret_cast<const char*>(body.data()), static_cast<qsizetype>(body.size()));
    }
    {
        HelloBuilder b = base();
        b.sni("a.example");
        Bytes body = b.body();
        body.push_back(0x00); // stray byte after the extensions block
        QTest::newRow("bytes after extensions block") << QByteArray(
            reinterpret_cast<const char*>(body.data()), static_cast<qsizetype>(body.size()));
    }
    {
        HelloBuilder b = base();
        b.sni("a.example");
        Bytes body = b.body();
        // Extension length of the (only) extension: last 2 bytes before its data.
        const std::size_t extLenAt = body.size() - (2 + 1 + 2 + 9) - 2;
        body =
            withPatchedByte(body, extLenAt + 1, static_cast<std::uint8_t>(body[extLenAt + 1] + 1));
        QTest::newRow("ext length beyond block") << QByteArray(
            reinterpret_cast<const char*>(body.data()), static_cast<qsizetype>(body.size()));
    }
    {
        HelloBuilder b = base();
        b.ext(0x0000, {0x00, 0x0d, 0x00, 0x00, 0x09, 'a', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e'});
        row("SNI list length too long", b);
    }
    {
        HelloBuilder b = base();
        b.ext(0x0000, {0x00, 0x0b, 0x00, 0x00, 0x09, 'a', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e'});
        row("SNI list length too short", b);
    }
    {
        HelloBuilder b = base();
        b.ext(0x0000, {0x00, 0x0c, 0x00, 0x00, 0x0a, 'a', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e'});
        row("SNI name length beyond list", b);
    }
    {
        HelloBuilder b = base();
        b.ext(0x0000, {0x00});
        row("SNI extension 1 byte", b);
    }
    {
        HelloBuilder b = base();
        b.ext(0x0000, {0x00, 0x05, 0x00, 0x00, 0x02, 'a', 'b', 0x00});
        row("SNI ext has bytes after list", b);
    }
    {
        HelloBuilder b = base();
        b.ext(0x0010, {0x00, 0x03, 0x02, 'h', '2', 0x00});
        row("ALPN ext has bytes after list", b);
    }
    {
        HelloBuilder b = base();
        b.ext(0x000d, {0x00, 0x02, 0x04, 0x03, 0x00, 0x00});
        row("sig algs ext has bytes after list", b);
    }
    {
        HelloBuilder b = base();
        b.ext(0x0010, {0x00, 0x03, 0x03, 'h', '2'});
        row("ALPN name length beyond list", b);
    }
    {
        HelloBuilder b = base();
        b.ext(0x0010, {0x00, 0x03, 0x01, 'h', '2'});
        row("ALPN name length short of list", b);
    }
    {
        HelloBuilder b = base();
        b.ext(0x0010, {0x00, 0x04, 0x02, 'h', '2'});
        row("ALPN list length wrong", b);
    }
    {
        HelloBuilder b = base();
        b.ext(0x002b, {0x03, 0x03, 0x04, 0x03});
        row("supported_versions odd length", b);
    }
    {
        HelloBuilder b = base();
        b.ext(0x002b, {0x04, 0x03, 0x04});
        row("supported_versions list beyond ext", b);
    }
    {
        HelloBuilder b = base();
        b.ext(0x002b, {0x02, 0x03, 0x04, 0x03, 0x03});
        row("supported_versions list short of ext", b);
    }
    {
        HelloBuilder b = base();
        b.ext(0x000d, {0x00, 0x03, 0x04, 0x03, 0x08});
        row("sig algs odd length", b);
    }
    {
        HelloBuilder b = base();
        b.ext(0x000d, {0x00, 0x04, 0x04, 0x03});
        row("sig algs list beyond ext", b);
    }
}

void TestClientHello::malformed()
{
    QFETCH(QByteArray, body);
    const Bytes wire = HelloBuilder::records(HelloBuilder::handshake(fromQByteArray(body)));
    ClientHelloInfo info;
    info.sni = "stale";
    QCOMPARE(parse(wire, info), ClientHelloStatus::Malformed);
    QVERIFY(info.sni.empty());
    QVERIFY(info.ja4.empty());
    // Split over records it is still Malformed, and no prefix is Parsed.
    const Bytes split =
        HelloBuilder::records(HelloBuilder::handshake(fromQByteArray(body)), {7, 30});
    QCOMPARE(parse(split, info), ClientHelloStatus::Malformed);
    for (std::size_t n = 0; n < split.size(); ++n) {
        const Bytes prefix(split.begin(), split.begin() + static_cast<std::ptrdiff_t>(n));
        const auto status = parse(prefix, info);
        QVERIFY(status == ClientHelloStatus::NeedMore || status == ClientHelloStatus::Malformed);
    }
}

void TestClientHello::malformedPrefixDetectedEarly()
{
    // A bad SNI list length is reported as soon as the bytes showing it
    // arrive, before the rest of a (long) hello.
    HelloBuilder b;
    b.ciphers = {0x1301};
    b.ext(0x0000, {0x00, 0x0d, 0x00, 0x00, 0x09, 'a', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e'});
    b.ext(0x0015, Bytes(1000, 0));
    const Bytes wire = b.wire();
    const Bytes prefix(wire.begin(),
                       wire.begin() + 5 + 4 + 2 + 32 + 1 + 32 + 4 + 2 + 2 + 2 + 2 + 2 + 20);
    ClientHelloInfo info;
    QCOMPARE(parse(prefix, info), ClientHelloStatus::Malformed);

    // A session id length over 32 likewise.
    HelloBuilder c;
    c.ciphers = {0x1301};
    c.sessionId = Bytes(40, 0);
    const Bytes wire2 = c.wire();
    const Bytes prefix2(wire2.begin(), wire2.begin() + 5 + 4 + 2 + 32 + 1);
    QCOMPARE(parse(prefix2, info), ClientHelloStatus::Malformed);
}

void TestClientHello::notTls_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<ClientHelloStatus>("expected");
    QTest::newRow("HTTP GET") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                              << ClientHelloStatus::NotTls;
    QTest::newRow("G") << QByteArray("G") << ClientHelloStatus::NotTls;
    QTest::newRow("SSLv2 hello") << QByteArray::fromHex("8046010301002d0000001000000500")
                                 << ClientHelloStatus::NotTls;
    QTest::newRow("SSH banner") << QByteArray("SSH-2.0-OpenSSH_9.6\r\n")
                                << ClientHelloStatus::NotTls;
    QTest::newRow("0x16 then not 3") << QByteArray::fromHex("1602") << ClientHelloStatus::NotTls;
    QTest::newRow("0x16 0x04 full header")
        << QByteArray::fromHex("160401000501") << ClientHelloStatus::NotTls;
    QTest::newRow("empty") << QByteArray() << ClientHelloStatus::NeedMore;
    QTest::newRow("0x16 alone") << QByteArray::fromHex("16") << ClientHelloStatus::NeedMore;
    QTest::newRow("record header only")
        << QByteArray::fromHex("1603010100") << ClientHelloStatus::NeedMore;
}

void TestClientHello::notTls()
{
    QFETCH(QByteArray, bytes);
    QFETCH(ClientHelloStatus, expected);
    ClientHelloInfo info;
    QCOMPARE(parse(fromQByteArray(bytes), info), expected);
}

void TestClientHello::notClientHello_data()
{
    QTest::addColumn<QByteArray>("bytes");
    // A ServerHello (TLS 1.2) record, as a server sends it.
    QTest::newRow("ServerHello") << QByteArray::fromHex(
        "160303003d020000390303"
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
        "00c02f000011ff01000100000b000403000102002300000017");
    // Only the first handshake byte is needed to tell.
    QTest::newRow("Certificate, 1 byte") << QByteArray::fromHex("16030300100b");
    QTest::newRow("HelloRequest") << QByteArray::fromHex("160303000400000000");
}

void TestClientHello::notClientHello()
{
    QFETCH(QByteArray, bytes);
    ClientHelloInfo info;
    QCOMPARE(parse(fromQByteArray(bytes), info), ClientHelloStatus::NotClientHello);
}

void TestClientHello::nonHandshakeRecordMidHello()
{
    Bytes wire = referenceHello().wire({100});
    ClientHelloInfo info;
    QCOMPARE(parse(wire, info), ClientHelloStatus::Parsed);
    const std::size_t second = 5 + 100;
    wire[second] = 21; // alert
    QCOMPARE(parse(wire, info), ClientHelloStatus::Malformed);
    wire[second] = 22;
    wire[second + 1] = 2; // not version 3.x
    QCOMPARE(parse(wire, info), ClientHelloStatus::Malformed);
    wire[second + 1] = 3;

    // RFC 5246 6.2.1: no zero-length handshake fragments, even between
    // otherwise valid records.
    Bytes withEmpty = {22, 3, 1, 0, 0};
    append(withEmpty, referenceHello().wire());
    QCOMPARE(parse(withEmpty, info), ClientHelloStatus::Malformed);
    Bytes emptyInside = referenceHello().wire({100});
    const Bytes empty = {22, 3, 1, 0, 0};
    emptyInside.insert(emptyInside.begin() + static_cast<std::ptrdiff_t>(second), empty.begin(),
                       empty.end());
    QCOMPARE(parse(emptyInside, info), ClientHelloStatus::Malformed);

    wire[second + 3] = 0; // zero-length record
    wire[second + 4] = 0;
    QCOMPARE(parse(wire, info), ClientHelloStatus::Malformed);
}

void TestClientHello::mutationsNeverCrash()
{
    // Deterministic byte flips and truncations of valid hellos: every result
    // is a status (the sanitizer build checks that nothing is read out of
    // bounds), and a Parsed result always carries a JA4.
    const Bytes bases[] = {referenceHello().wire(), referenceHello().wire({3, 40, 77})};
    std::uint32_t state = 12345;
    auto next = [&state] {
        state = state * 1103515245U + 12345U;
        return state >> 8;
    };
    int parsed = 0;
    for (const Bytes& base : bases) {
        for (int round = 0; round < 4000; ++round) {
            Bytes m = base;
            const int flips = 1 + static_cast<int>(next() % 3);
            for (int f = 0; f < flips; ++f)
                m[next() % m.size()] = static_cast<std::uint8_t>(next());
            if (next() % 4 == 0)
                m.resize(next() % m.size());
            ClientHelloInfo info;
            std::size_t consumed = 0;
            if (parse(m, info, &consumed) == ClientHelloStatus::Parsed) {
                ++parsed;
                QVERIFY(!info.ja4.empty());
                QVERIFY(consumed > 0);
            }
        }
    }
    QVERIFY(parsed > 0); // some flips land in random/session bytes
}

void TestClientHello::looksLikeStart_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("expected");
    QTest::newRow("TLS 1.0 record") << QByteArray::fromHex("160301020001") << true;
    QTest::newRow("TLS 1.2 record") << QByteArray::fromHex("160303004001000000") << true;
    QTest::newRow("SSL 3.0 record") << QByteArray::fromHex("160300000101") << true;
    QTest::newRow("minor 4") << QByteArray::fromHex("160304000101") << true;
    QTest::newRow("minor 5") << QByteArray::fromHex("160305000101") << false;
    QTest::newRow("max record length") << QByteArray::fromHex("160301480001") << true;
    QTest::newRow("record length 18433") << QByteArray::fromHex("160301480101") << false;
    QTest::newRow("record length 0") << QByteArray::fromHex("160301000001") << false;
    QTest::newRow("5 bytes") << QByteArray::fromHex("1603010200") << false;
    QTest::newRow("ServerHello") << QByteArray::fromHex("160303004002") << false;
    QTest::newRow("application data") << QByteArray::fromHex("170303004001") << false;
    QTest::newRow("HTTP") << QByteArray("GET / HTTP/1.1") << false;
}

void TestClientHello::looksLikeStart()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, expected);
    const Bytes b = fromQByteArray(bytes);
    QCOMPARE(looksLikeClientHelloStart(std::span<const std::uint8_t>(b)), expected);
}

// --- JA4 ---------------------------------------------------------------------

namespace {
// The worked example of FoxIO technical_details/JA4.md.
const std::vector<std::uint16_t> kSpecCiphers = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
                                                 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013,
                                                 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
const std::vector<std::uint16_t> kSpecExtensions = {0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017,
                                                    0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b,
                                                    0xff01, 0x000b, 0x000a, 0x0015};
const std::vector<std::uint16_t> kSpecSigAlgs = {0x0403, 0x0804, 0x0401, 0x0503,
                                                 0x0805, 0x0501, 0x0806, 0x0601};

ClientHelloInfo specExample()
{
    ClientHelloInfo info = infoForJa4(kSpecCiphers, kSpecExtensions, kSpecSigAlgs);
    info.supportedVersions = {0x0304, 0x0303};
    info.sni = "example.com";
    info.alpn = {"h2", "http/1.1"};
    return info;
}
} // namespace

void TestClientHello::ja4SpecExample()
{
    QCOMPARE(computeJa4(specExample()), std::string("t13d1516h2_8daaf6152771_e5627efa2ab1"));
}

void TestClientHello::ja4SpecExampleWithoutSigAlgs()
{
    // The spec's example of the extension string without the "_" part:
    // "0005,...,ff01" hashes to 6d807ffa2a79.
    ClientHelloInfo info = specExample();
    info.signatureAlgorithms.clear();
    QCOMPARE(computeJa4(info), std::string("t13d1516h2_8daaf6152771_6d807ffa2a79"));
}

void TestClientHello::ja4IgnoresGrease()
{
    ClientHelloInfo info = specExample();
    info.cipherSuites.insert(info.cipherSuites.begin(), 0x0a0a);
    info.cipherSuites.push_back(0xfafa);
    info.extensions.insert(info.extensions.begin(), 0x5a5a);
    info.extensions.push_back(0xdada);
    info.signatureAlgorithms.insert(info.signatureAlgorithms.begin() + 2, 0x8a8a);
    QCOMPARE(computeJa4(info), std::string("t13d1516h2_8daaf6152771_e5627efa2ab1"));
}

void TestClientHello::ja4Alpn_data()
{
    QTest::addColumn<QByteArray>("first"); // empty row name "none" = no ALPN at all
    QTest::addColumn<bool>("present");
    QTest::addColumn<QString>("code");
    QTest::newRow("none") << QByteArray() << false << "00";
    QTest::newRow("empty value") << QByteArray() << true << "00";
    QTest::newRow("h2") << QByteArray("h2") << true << "h2";
    QTest::newRow("http/1.1") << QByteArray("http/1.1") << true << "h1";
    QTest::newRow("spdy/3.1") << QByteArray("spdy/3.1") << true << "s1";
    QTest::newRow("single char") << QByteArray("h") << true << "hh";
    QTest::newRow("upper case kept") << QByteArray("Ab") << true << "Ab";
    // The spec's hex examples.
    QTest::newRow("0xAB") << QByteArray::fromHex("ab") << true << "ab";
    QTest::newRow("0xAB 0xCD") << QByteArray::fromHex("abcd") << true << "ad";
    QTest::newRow("0x30 0xAB") << QByteArray::fromHex("30ab") << true << "3b";
    QTest::newRow("0x30 0x31 0xAB 0xCD") << QByteArray::fromHex("3031abcd") << true << "3d";
    QTest::newRow("0x30 0xAB 0xCD 0x31") << QByteArray::fromHex("30abcd31") << true << "01";
    QTest::newRow("non-alnum first only") << QByteArray("/x") << true << "28";
    QTest::newRow("non-alnum last only") << QByteArray("x/") << true << "7f";
}

void TestClientHello::ja4Alpn()
{
    QFETCH(QByteArray, first);
    QFETCH(bool, present);
    QFETCH(QString, code);
    ClientHelloInfo info = specExample();
    info.alpn.clear();
    if (present)
        info.alpn = {first.toStdString(), "zz"};
    const std::string ja4 = computeJa4(info);
    QCOMPARE(QString::fromStdString(ja4.substr(8, 2)), code);
    QCOMPARE(ja4.size(), std::size_t{36});
}

void TestClientHello::ja4Version_data()
{
    QTest::addColumn<int>("legacy");
    QTest::addColumn<std::vector<std::uint16_t>>("supported");
    QTest::addColumn<QString>("code");
    QTest::newRow("1.3 via ext") << 0x0303 << std::vector<std::uint16_t>{0x0303, 0x0304} << "13";
    QTest::newRow("ext max wins, order irrelevant")
        << 0x0301 << std::vector<std::uint16_t>{0x0302, 0x0303} << "12";
    QTest::newRow("legacy 1.2") << 0x0303 << std::vector<std::uint16_t>{} << "12";
    QTest::newRow("legacy 1.1") << 0x0302 << std::vector<std::uint16_t>{} << "11";
    QTest::newRow("legacy 1.0") << 0x0301 << std::vector<std::uint16_t>{} << "10";
    QTest::newRow("legacy ssl3") << 0x0300 << std::vector<std::uint16_t>{} << "s3";
    QTest::newRow("legacy ssl2") << 0x0002 << std::vector<std::uint16_t>{} << "s2";
    QTest::newRow("unknown") << 0x0305 << std::vector<std::uint16_t>{} << "00";
    QTest::newRow("unknown via ext") << 0x0303 << std::vector<std::uint16_t>{0x7f17} << "00";
    QTest::newRow("DTLS 1.2 over TCP") << 0xfefd << std::vector<std::uint16_t>{} << "00";
}

void TestClientHello::ja4Version()
{
    QFETCH(int, legacy);
    QFETCH(std::vector<std::uint16_t>, supported);
    QFETCH(QString, code);
    ClientHelloInfo info = specExample();
    info.legacyVersion = static_cast<std::uint16_t>(legacy);
    info.supportedVersions = supported;
    QCOMPARE(QString::fromStdString(computeJa4(info).substr(1, 2)), code);
}

void TestClientHello::ja4EmptyLists()
{
    // No ciphers: b is all zeros. Only SNI + ALPN extensions: c is all zeros.
    ClientHelloInfo info = infoForJa4({}, {0x0000, 0x0010}, {});
    info.alpn = {"h2"};
    QCOMPARE(computeJa4(info), std::string("t12d0002h2_000000000000_000000000000"));
    info = infoForJa4({0x0a0a}, {0x0a0a}, {});
    QCOMPARE(computeJa4(info), std::string("t12i000000_000000000000_000000000000"));
}

void TestClientHello::ja4CountsCapAt99()
{
    std::vector<std::uint16_t> ciphers;
    std::vector<std::uint16_t> exts;
    for (std::uint16_t i = 1; i <= 150; ++i) {
        ciphers.push_back(i);
        exts.push_back(static_cast<std::uint16_t>(0x100 + i));
    }
    const std::string ja4 = computeJa4(infoForJa4(ciphers, exts, {}));
    QCOMPARE(ja4.substr(0, 10), std::string("t12i999900"));
    const std::string small = computeJa4(infoForJa4({1, 2, 3, 4, 5, 6, 7, 8, 9}, {0x17}, {}));
    QCOMPARE(small.substr(0, 10), std::string("t12i090100"));
}

void TestClientHello::ja4SniFlagFollowsExtension()
{
    // "d" depends on extension 0 being present, not on a parsed host name.
    ClientHelloInfo info = infoForJa4({0x1301}, {0x0000}, {});
    QCOMPARE(computeJa4(info).substr(0, 4), std::string("t12d"));
    info.sni = "example.com";
    info.extensions = {0x0017};
    QCOMPARE(computeJa4(info).substr(0, 4), std::string("t12i"));
}

// --- Real captures -----------------------------------------------------------

void TestClientHello::realCaptures_data()
{
    QTest::addColumn<QByteArray>("hex");
    QTest::addColumn<QString>("sni");
    QTest::addColumn<QStringList>("alpn");
    QTest::addColumn<int>("maxVersion");
    QTest::addColumn<QString>("ja4");

    // suricata-verify tests/ja4-tls/input.pcap, frame 4 (TCP payload);
    // test.yaml expects tls.ja4 t12i1810s1_27d4652c4487_06a4338d0495 (the
    // README shows the same from FoxIO's ja4 binary). TLS 1.2, no SNI,
    // ALPN spdy/3.1 + http/1.1.
    QTest::newRow("suricata-verify ja4-tls")
        << QByteArray(
               "16030100af010000ab0303942d1fef575d770207c29dbe2401ccf05dcde1d2a5869c4a3eee38db551a"
               "d9bc000024c02bc02f009ec00ac009c013c014c007c011003300320039009c002f0035000a000500"
               "040100005eff01000100000a00080006001700180019000b00020100002300003374000000100014"
               "001208737064792f332e3108687474702f312e317550000000050005010000000000120000000d00"
               "12001004010501020104030503020304020202")
        << QString() << QStringList{"spdy/3.1", "http/1.1"} << 0x0303
        << "t12i1810s1_27d4652c4487_06a4338d0495";

    // suricata-verify tests/ja4-rules/input.pcap, frame 4 (TCP payload);
    // test.yaml expects tls.ja4 t13d1516h2_8daaf6152771_e5627efa2ab1 (the
    // spec's own example). TLS 1.3 via supported_versions with GREASE,
    // GREASE ciphers/extensions, padding.
    QTest::newRow("suricata-verify ja4-rules")
        << QByteArray(
               "1603010200010001fc0303a8ba73151e99d1a071af2e07e67c8b38f14914d8757d56f0f1d85a5a33"
               "72f74120c08eb52a78fdabf9d36b2bc688a1d2024ac9d39c07fe8d2f8190fe1ca00232640020baba"
               "130113021303c02bc02fc02cc030cca9cca8c013c014009c009d002f0035010001930a0a00000000"
               "00180016000013636c6f7564666c6172652d717569632e636f6d00170000ff01000100000a000a00"
               "08eaea001d00170018000b00020100002300000010000e000c02683208687474702f312e31000500"
               "050100000000000d0012001004030804040105030805050108060601001200000033002b0029eaea"
               "000100001d002065f7b9167d2fb3022d176527bb5b9649296ce07a0fae416fc279d0789747ca1000"
               "2d00020101002b0007063a3a03040303001b00030200024469000500030268328a8a000100001500"
               "c4000000000000000000000000000000000000000000000000000000000000000000000000000000"
               "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
               "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
               "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
               "00000000000000000000000000000000000000000000000000000000000000000000000000")
        << "cloudflare-quic.com" << QStringList{"h2", "http/1.1"} << 0x0304
        << "t13d1516h2_8daaf6152771_e5627efa2ab1";
}

void TestClientHello::realCaptures()
{
    QFETCH(QByteArray, hex);
    QFETCH(QString, sni);
    QFETCH(QStringList, alpn);
    QFETCH(int, maxVersion);
    QFETCH(QString, ja4);
    const Bytes wire = fromQByteArray(QByteArray::fromHex(hex));
    QVERIFY(wire.size() > 100);
    QVERIFY(looksLikeClientHelloStart(std::span<const std::uint8_t>(wire)));

    ClientHelloInfo info;
    std::size_t consumed = 0;
    QCOMPARE(parse(wire, info, &consumed), ClientHelloStatus::Parsed);
    QCOMPARE(consumed, wire.size());
    QCOMPARE(QString::fromStdString(info.sni), sni);
    QStringList gotAlpn;
    for (const auto& a : info.alpn)
        gotAlpn << QString::fromStdString(a);
    QCOMPARE(gotAlpn, alpn);
    QCOMPARE(int{info.maxVersion()}, maxVersion);
    QCOMPARE(QString::fromStdString(info.ja4), ja4);

    // Re-split the same handshake bytes into 3 records: same result.
    const Bytes hs(wire.begin() + 5, wire.end());
    const Bytes split = HelloBuilder::records(hs, {61, 17});
    ClientHelloInfo again;
    QCOMPARE(parse(split, again, &consumed), ClientHelloStatus::Parsed);
    QCOMPARE(consumed, split.size());
    QCOMPARE(QString::fromStdString(again.ja4), ja4);

    for (std::size_t n = 0; n < wire.size(); ++n) {
        const Bytes prefix(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(n));
        QCOMPARE(parse(prefix, again), ClientHelloStatus::NeedMore);
    }
}

QTEST_APPLESS_MAIN(TestClientHello)
#include "test_client_hello.moc"
