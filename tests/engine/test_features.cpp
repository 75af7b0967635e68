// Unit tests for the feature module (features/feature_spec.h, statistics.h,
// sequences.h). Every expected value is computed by hand (the arithmetic is
// written out next to it); percentiles follow numpy's default 'linear' method.
#include "features/feature_spec.h"
#include "features/sequences.h"
#include "features/statistics.h"

#include <QList>
#include <QObject>
#include <QString>
#include <QTest>

#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

using namespace snilab;

namespace {

using Series = std::vector<PacketRecord>;
// Expected statistics by name; names not listed are expected to be 0.
using Expected = std::map<std::string, double>;

constexpr std::int64_t kMs = 1000000;
constexpr std::uint8_t kC2S = PacketRecord::kClientToServer;
constexpr std::uint8_t kS2C = 0;
constexpr std::uint8_t kRetx = PacketRecord::kRetransmission;

PacketRecord pkt(std::int64_t tNs, int ipLength, int payloadLength, std::uint8_t flags)
{
    PacketRecord p;
    p.tNs = tNs;
    p.ipLength = static_cast<std::uint16_t>(ipLength);
    p.payloadLength = static_cast<std::uint16_t>(payloadLength);
    p.flags = flags;
    return p;
}

// A small TLS-like connection used by several cases:
//   t(ms)  dir  ip    payload
//   0      c2s  60    0       SYN
//   10     s2c  60    0       SYN-ACK
//   20     c2s  52    0       ACK
//   30     c2s  552   500     ClientHello
//   50     s2c  1452  1400    ServerHello...
//   60     s2c  152   100
//   100    c2s  92    40
Series handshake()
{
    return {pkt(0, 60, 0, kC2S | PacketRecord::kSyn),
            pkt(10 * kMs, 60, 0, kS2C | PacketRecord::kSyn),
            pkt(20 * kMs, 52, 0, kC2S),
            pkt(30 * kMs, 552, 500, kC2S),
            pkt(50 * kMs, 1452, 1400, kS2C),
            pkt(60 * kMs, 152, 100, kS2C),
            pkt(100 * kMs, 92, 40, kC2S)};
}

// Adds the 16 (s2c/c2s) statistics of one direction.
void addDirection(Expected& e, const std::string& dir, double count,
                  std::initializer_list<double> size, std::initializer_list<double> payload,
                  std::initializer_list<double> iat)
{
    e[dir + "_packets_count"] = count;
    const char* dist[] = {"p25", "p50", "p75", "max", "mean", "var"};
    const char* quart[] = {"p25", "p50", "p75"};
    std::size_t i = 0;
    for (double v : size)
        e[dir + "_size_" + dist[i++]] = v;
    i = 0;
    for (double v : payload)
        e[dir + "_payload_" + dist[i++]] = v;
    i = 0;
    for (double v : iat)
        e[dir + "_iat_" + quart[i++]] = v;
}

// Adds the 10 combined statistics.
void addCombined(Expected& e, double count, std::initializer_list<double> size,
                 std::initializer_list<double> iat)
{
    addDirection(e, "all", count, size, {}, iat);
}

bool near(double actual, double expected)
{
    return std::fabs(actual - expected) <= 1e-9 * std::max(1.0, std::fabs(expected));
}

FeatureSpec spec(const QString& text)
{
    std::string error;
    const auto parsed = FeatureSpec::parse(text.toStdString(), &error);
    if (!parsed)
        qFatal("bad spec in test: %s", error.c_str());
    return *parsed;
}

} // namespace

Q_DECLARE_METATYPE(Series)
Q_DECLARE_METATYPE(Expected)

class TestFeatures : public QObject {
    Q_OBJECT

private slots:
    // ---- FeatureSpec -------------------------------------------------------

    void specDefaults()
    {
        const FeatureSpec s;
        QVERIFY(s.packets == FeatureSpec::Packets::PayloadOnly);
        QVERIFY(s.retransmissions == FeatureSpec::Retransmissions::Keep);
        QVERIFY(s.window == FeatureSpec::Window::WholeConnection);
        QCOMPARE(s.sequenceLength, std::size_t{25});
        QCOMPARE(s.channelCount(), std::size_t{4});
        QCOMPARE(QString::fromStdString(s.toString()),
                 QString("packets=payload;retrans=keep;window=all;seqlen=25;"
                         "channels=size,payload,iat,dir"));
        std::string error;
        const auto empty = FeatureSpec::parse("", &error);
        QVERIFY(empty.has_value());
        QVERIFY(*empty == s);
    }

    void specRoundTrip_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("default") << "packets=payload;retrans=keep;window=all;seqlen=25;"
                                    "channels=size,payload,iat,dir";
        QTest::newRow("all options") << "packets=all;retrans=drop;window=first:10;seqlen=5;"
                                        "channels=iat";
        QTest::newRow("seqlen 1, two channels") << "packets=payload;retrans=drop;window=all;"
                                                   "seqlen=1;channels=size,dir";
        QTest::newRow("max lengths") << "packets=all;retrans=keep;window=first:100000000;"
                                        "seqlen=10000;channels=payload,iat";
    }

    void specRoundTrip()
    {
        QFETCH(QString, text);
        std::string error;
        const auto parsed = FeatureSpec::parse(text.toStdString(), &error);
        QVERIFY2(parsed.has_value(), error.c_str());
        QCOMPARE(QString::fromStdString(parsed->toString()), text);
        const auto again = FeatureSpec::parse(parsed->toString());
        QVERIFY(again.has_value());
        QVERIFY(*again == *parsed);
    }

    void specParseLenient_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("canonical");
        QTest::newRow("any key order, spaces, trailing ;")
            << " seqlen = 10 ; packets=all; channels = dir , size ;"
            << "packets=all;retrans=keep;window=all;seqlen=10;channels=size,dir";
        QTest::newRow("only window") << "window=first:7"
                                     << "packets=payload;retrans=keep;window=first:7;seqlen=25;"
                                        "channels=size,payload,iat,dir";
        QTest::newRow("leading zeros") << "seqlen=007"
                                       << "packets=payload;retrans=keep;window=all;seqlen=7;"
                                          "channels=size,payload,iat,dir";
    }

    void specParseLenient()
    {
        QFETCH(QString, text);
        QFETCH(QString, canonical);
        std::string error;
        const auto parsed = FeatureSpec::parse(text.toStdString(), &error);
        QVERIFY2(parsed.has_value(), error.c_str());
        QCOMPARE(QString::fromStdString(parsed->toString()), canonical);
    }

    void specParseErrors_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("errorPart");
        QTest::newRow("unknown key") << "foo=1"
                                     << "unknown key 'foo'";
        QTest::newRow("not key=value") << "packets"
                                       << "'packets' is not key=value";
        QTest::newRow("bad packets") << "packets=some"
                                     << "bad value 'some' for packets";
        QTest::newRow("bad retrans") << "retrans=yes"
                                     << "bad value 'yes' for retrans";
        QTest::newRow("key twice") << "packets=all;packets=payload"
                                   << "key 'packets' given twice";
        QTest::newRow("window no n") << "window=first"
                                     << "bad value 'first' for window";
        QTest::newRow("window empty n") << "window=first:"
                                        << "for window";
        QTest::newRow("window zero") << "window=first:0"
                                     << "for window";
        QTest::newRow("window too big") << "window=first:100000001"
                                        << "for window";
        QTest::newRow("seqlen zero") << "seqlen=0"
                                     << "bad value '0' for seqlen";
        QTest::newRow("seqlen negative") << "seqlen=-1"
                                         << "for seqlen";
        QTest::newRow("seqlen plus") << "seqlen=+3"
                                     << "for seqlen";
        QTest::newRow("seqlen too big") << "seqlen=10001"
                                        << "for seqlen";
        QTest::newRow("seqlen overflow") << "seqlen=99999999999999999999999"
                                         << "for seqlen";
        QTest::newRow("seqlen text") << "seqlen=abc"
                                     << "for seqlen";
        QTest::newRow("seqlen exponent") << "seqlen=1e3"
                                         << "for seqlen";
        QTest::newRow("seqlen empty") << "seqlen="
                                      << "for seqlen";
        QTest::newRow("no channels") << "channels="
                                     << "at least one";
        QTest::newRow("empty channel") << "channels=size,,iat"
                                       << "empty channel name";
        QTest::newRow("unknown channel") << "channels=bytes"
                                         << "unknown channel 'bytes'";
        QTest::newRow("channel twice") << "channels=size,iat,size"
                                       << "channel 'size' given twice";
        QTest::newRow("case matters") << "packets=ALL"
                                      << "for packets";
    }

    void specParseErrors()
    {
        QFETCH(QString, text);
        QFETCH(QString, errorPart);
        std::string error;
        const auto parsed = FeatureSpec::parse(text.toStdString(), &error);
        QVERIFY(!parsed.has_value());
        QVERIFY2(QString::fromStdString(error).startsWith("feature spec: "), error.c_str());
        QVERIFY2(QString::fromStdString(error).contains(errorPart), error.c_str());
        QVERIFY(!FeatureSpec::parse(text.toStdString()).has_value()); // no error sink: fine
    }

    void selection()
    {
        // Payload-only drops the three handshake packets; time order kept.
        const Series series = handshake();
        const auto payload = selectPackets(series, FeatureSpec{});
        QCOMPARE(payload.size(), std::size_t{4});
        QCOMPARE(payload[0].tNs, 30 * kMs);
        QCOMPARE(payload[3].tNs, 100 * kMs);
        QCOMPARE(selectPackets(series, spec("packets=all")).size(), std::size_t{7});
        // Equal times keep capture order (stable), backwards times are sorted.
        const Series odd = {pkt(5, 100, 1, kC2S), pkt(5, 200, 1, kS2C), pkt(-3, 300, 1, kC2S)};
        const auto sorted = selectPackets(odd, FeatureSpec{});
        QCOMPARE(sorted[0].ipLength, std::uint16_t{300});
        QCOMPARE(sorted[1].ipLength, std::uint16_t{100});
        QCOMPARE(sorted[2].ipLength, std::uint16_t{200});
    }

    // ---- statistics helpers ------------------------------------------------

    void percentiles_data()
    {
        QTest::addColumn<QList<double>>("values");
        QTest::addColumn<double>("q");
        QTest::addColumn<double>("expected");
        // [1,2,3,4]: position q*3.
        QTest::newRow("1234 p25") << QList<double>{1, 2, 3, 4} << 0.25 << 1.75;
        QTest::newRow("1234 p50") << QList<double>{1, 2, 3, 4} << 0.50 << 2.5;
        QTest::newRow("1234 p75") << QList<double>{1, 2, 3, 4} << 0.75 << 3.25;
        QTest::newRow("1234 p0") << QList<double>{1, 2, 3, 4} << 0.0 << 1.0;
        QTest::newRow("1234 p100") << QList<double>{1, 2, 3, 4} << 1.0 << 4.0;
        QTest::newRow("single p25") << QList<double>{5} << 0.25 << 5.0;
        QTest::newRow("single p50") << QList<double>{5} << 0.50 << 5.0;
        QTest::newRow("single p75") << QList<double>{5} << 0.75 << 5.0;
        // Unsorted [3,1,2] -> [1,2,3], position q*2.
        QTest::newRow("unsorted p25") << QList<double>{3, 1, 2} << 0.25 << 1.5;
        QTest::newRow("unsorted p50") << QList<double>{3, 1, 2} << 0.50 << 2.0;
        QTest::newRow("unsorted p75") << QList<double>{3, 1, 2} << 0.75 << 2.5;
        // [10,20]: position q*1.
        QTest::newRow("pair p25") << QList<double>{20, 10} << 0.25 << 12.5;
        QTest::newRow("pair p75") << QList<double>{20, 10} << 0.75 << 17.5;
        // [0,0,40,500]: p25 at 0.75 -> 0; p75 at 2.25 -> 40 + 0.25*460 = 155.
        QTest::newRow("ties p25") << QList<double>{0, 500, 0, 40} << 0.25 << 0.0;
        QTest::newRow("ties p75") << QList<double>{0, 500, 0, 40} << 0.75 << 155.0;
        QTest::newRow("empty") << QList<double>{} << 0.5 << 0.0;
    }

    void percentiles()
    {
        QFETCH(QList<double>, values);
        QFETCH(double, q);
        QFETCH(double, expected);
        const std::vector<double> v(values.begin(), values.end());
        QVERIFY2(near(percentile(v, q), expected),
                 qPrintable(QString::number(percentile(v, q), 'g', 17)));
    }

    void variance_data()
    {
        QTest::addColumn<QList<double>>("values");
        QTest::addColumn<double>("expected");
        // mean 2.5; deviations^2 2.25+0.25+0.25+2.25 = 5; /4.
        QTest::newRow("1234") << QList<double>{1, 2, 3, 4} << 1.25;
        // mean 5; squares 9+1+1+1+0+0+4+16 = 32; /8.
        QTest::newRow("classic") << QList<double>{2, 4, 4, 4, 5, 5, 7, 9} << 4.0;
        QTest::newRow("single") << QList<double>{5} << 0.0;
        QTest::newRow("constant") << QList<double>{7, 7, 7} << 0.0;
        QTest::newRow("empty") << QList<double>{} << 0.0;
        // mean 200; 10000+0+10000 = 20000; /3.
        QTest::newRow("100 200 300") << QList<double>{300, 100, 200} << 20000.0 / 3.0;
    }

    void variance()
    {
        QFETCH(QList<double>, values);
        QFETCH(double, expected);
        const std::vector<double> v(values.begin(), values.end());
        QVERIFY(near(populationVariance(v), expected));
    }

    void names()
    {
        const auto& names = statisticNames();
        QCOMPARE(names.size(), std::size_t{42});
        std::set<std::string_view> unique(names.begin(), names.end());
        QCOMPARE(unique.size(), std::size_t{42});
        const std::set<std::string_view> dirs = {"s2c", "c2s", "all"};
        const std::set<std::string_view> quantities = {"packets", "size", "payload", "iat"};
        const std::set<std::string_view> stats = {"count", "p25",  "p50", "p75",
                                                  "max",   "mean", "var"};
        int perDir[3] = {0, 0, 0};
        for (std::size_t i = 0; i < names.size(); ++i) {
            const std::string_view n = names[i];
            const std::size_t a = n.find('_');
            const std::size_t b = n.rfind('_');
            QVERIFY(a != b);
            QVERIFY(dirs.count(n.substr(0, a)));
            QVERIFY(quantities.count(n.substr(a + 1, b - a - 1)));
            QVERIFY(stats.count(n.substr(b + 1)));
            QCOMPARE(statisticIndex(n), i);
            perDir[i < 16 ? 0 : i < 32 ? 1 : 2]++;
            QVERIFY(n.starts_with(i < 16 ? "s2c_" : i < 32 ? "c2s_" : "all_"));
        }
        QCOMPARE(perDir[2], 10);
        QCOMPARE(names[0], std::string_view("s2c_packets_count"));
        QCOMPARE(names[1], std::string_view("s2c_size_p25"));
        QCOMPARE(names[6], std::string_view("s2c_size_var"));
        QCOMPARE(names[7], std::string_view("s2c_payload_p25"));
        QCOMPARE(names[13], std::string_view("s2c_iat_p25"));
        QCOMPARE(names[15], std::string_view("s2c_iat_p75"));
        QCOMPARE(names[16], std::string_view("c2s_packets_count"));
        QCOMPARE(names[31], std::string_view("c2s_iat_p75"));
        QCOMPARE(names[32], std::string_view("all_packets_count"));
        QCOMPARE(names[38], std::string_view("all_size_var"));
        QCOMPARE(names[39], std::string_view("all_iat_p25"));
        QCOMPARE(names[41], std::string_view("all_iat_p75"));
        QCOMPARE(statisticIndex("nope"), kStatisticCount);
    }

    // ---- the 42 statistics -------------------------------------------------

    void statistics_data()
    {
        QTest::addColumn<Series>("series");
        QTest::addColumn<QString>("specText");
        QTest::addColumn<Expected>("expected");

        {
            // Payload-only (default): c2s 30ms(552,500) 100ms(92,40);
            // s2c 50ms(1452,1400) 60ms(152,100).
            Expected e;
            // s2c sizes [152,1452]: p25 152+0.25*1300=477, p50 802, p75 1127, mean 802,
            // var 650^2. payload [100,1400]: 425, 750, 1075, max 1400, mean 750, var 650^2.
            // IAT [0.01].
            addDirection(e, "s2c", 2, {477, 802, 1127, 1452, 802, 422500},
                         {425, 750, 1075, 1400, 750, 422500}, {0.01, 0.01, 0.01});
            // c2s sizes [92,552]: 92+0.25*460=207, 322, 437, max 552, mean 322, var 230^2.
            // payload [40,500]: 155, 270, 385, 500, 270, 52900. IAT [0.07].
            addDirection(e, "c2s", 2, {207, 322, 437, 552, 322, 52900},
                         {155, 270, 385, 500, 270, 52900}, {0.07, 0.07, 0.07});
            // all sizes [92,152,552,1452]: p25 at 0.75 -> 92+0.75*60=137; p50 at 1.5 ->
            // 352; p75 at 2.25 -> 552+0.25*900=777; mean 2248/4=562;
            // var (10^2+890^2+410^2+470^2)/4 = 1181200/4. IATs [0.02,0.01,0.04] sorted
            // [0.01,0.02,0.04]: p25 0.015, p50 0.02, p75 0.03.
            addCombined(e, 4, {137, 352, 777, 1452, 562, 295300}, {0.015, 0.02, 0.03});
            QTest::newRow("payload only (default)") << handshake() << "" << e;
            QTest::newRow("window larger than connection")
                << handshake() << "window=first:100" << e;
        }
        {
            Expected e;
            // s2c: 10ms(60,0) 50ms(1452,1400) 60ms(152,100). sizes [60,152,1452]: p25 at 0.5
            // -> 106, p50 152, p75 at 1.5 -> 802, mean 1664/3,
            // var (3*sum(x^2) - sum^2)/9 = (3*2135008 - 1664^2)/9 = 3636128/9.
            // payload [0,100,1400]: 50, 100, 750, max 1400, mean 500,
            // var (500^2+400^2+900^2)/3 = 1220000/3. IATs [0.04,0.01] -> 0.0175 0.025 0.0325.
            addDirection(e, "s2c", 3, {106, 152, 802, 1452, 1664.0 / 3, 3636128.0 / 9},
                         {50, 100, 750, 1400, 500, 1220000.0 / 3}, {0.0175, 0.025, 0.0325});
            // c2s: 0(60,0) 20ms(52,0) 30ms(552,500) 100ms(92,40). sizes [52,60,92,552]:
            // p25 at 0.75 -> 58, p50 at 1.5 -> 76, p75 at 2.25 -> 92+115=207, mean 189,
            // var (129^2+137^2+363^2+97^2)/4 = 176588/4 = 44147. payload [0,0,40,500]:
            // 0, 20, 155, 500, mean 135, var (135^2*2+365^2+95^2)/4 = 178700/4 = 44675.
            // IATs [0.02,0.01,0.07] sorted: 0.015, 0.02, 0.045.
            addDirection(e, "c2s", 4, {58, 76, 207, 552, 189, 44147}, {0, 20, 155, 500, 135, 44675},
                         {0.015, 0.02, 0.045});
            // all sizes [52,60,60,92,152,552,1452]: p25 at 1.5 -> 60, p50 at 3 -> 92,
            // p75 at 4.5 -> 352, mean 2420/7, var (7*2454480 - 2420^2)/49 = 11324960/49.
            // IATs [.01,.01,.01,.02,.01,.04] sorted: p25 at 1.25 -> .01, p50 at 2.5 -> .01,
            // p75 at 3.75 -> .01+.75*.01 = .0175.
            addCombined(e, 7, {60, 92, 352, 1452, 2420.0 / 7, 11324960.0 / 49},
                        {0.01, 0.01, 0.0175});
            QTest::newRow("all packets") << handshake() << "packets=all" << e;
        }
        {
            // First 3 payload packets by time: 30ms c2s(552,500), 50ms s2c(1452,1400),
            // 60ms s2c(152,100). (A window before the filter would keep nothing.)
            Expected e;
            addDirection(e, "s2c", 2, {477, 802, 1127, 1452, 802, 422500},
                         {425, 750, 1075, 1400, 750, 422500}, {0.01, 0.01, 0.01});
            addDirection(e, "c2s", 1, {552, 552, 552, 552, 552, 0}, {500, 500, 500, 500, 500, 0},
                         {0, 0, 0});
            // sizes [152,552,1452]: 352, 552, 1002, mean 2156/3,
            // var (3*2436112 - 2156^2)/9 = 2660000/9. IATs [0.02,0.01]: .0125 .015 .0175.
            addCombined(e, 3, {352, 552, 1002, 1452, 2156.0 / 3, 2660000.0 / 9},
                        {0.0125, 0.015, 0.0175});
            QTest::newRow("first 3 window") << handshake() << "window=first:3" << e;
        }
        {
            // First 2 of all packets: SYN c2s(60,0) at 0, SYN-ACK s2c(60,0) at 10ms.
            Expected e;
            addDirection(e, "s2c", 1, {60, 60, 60, 60, 60, 0}, {0, 0, 0, 0, 0, 0}, {0, 0, 0});
            addDirection(e, "c2s", 1, {60, 60, 60, 60, 60, 0}, {0, 0, 0, 0, 0, 0}, {0, 0, 0});
            addCombined(e, 2, {60, 60, 60, 60, 60, 0}, {0.01, 0.01, 0.01});
            QTest::newRow("first 2 window, all packets")
                << handshake() << "packets=all;window=first:2" << e;
        }
        QTest::newRow("empty series") << Series{} << "" << Expected{};
        QTest::newRow("empty series, all packets") << Series{} << "packets=all" << Expected{};
        QTest::newRow("only ACKs, payload only")
            << Series{pkt(0, 52, 0, kC2S), pkt(kMs, 52, 0, kS2C), pkt(2 * kMs, 40, 0, kC2S)} << ""
            << Expected{};
        {
            // One c2s packet: s2c all zeros, IATs zero.
            Expected e;
            addDirection(e, "c2s", 1, {100, 100, 100, 100, 100, 0}, {48, 48, 48, 48, 48, 0},
                         {0, 0, 0});
            addCombined(e, 1, {100, 100, 100, 100, 100, 0}, {0, 0, 0});
            QTest::newRow("single packet") << Series{pkt(5 * kMs, 100, 48, kC2S)} << "" << e;
        }
        {
            // Three s2c packets at the same time: IATs [0,0]. sizes [100,200,300]: 150, 200,
            // 250, 300, 200, var 20000/3; payload [50,150,250]: 100, 150, 200, 250, 150,
            // 20000/3.
            Expected e;
            addDirection(e, "s2c", 3, {150, 200, 250, 300, 200, 20000.0 / 3},
                         {100, 150, 200, 250, 150, 20000.0 / 3}, {0, 0, 0});
            addCombined(e, 3, {150, 200, 250, 300, 200, 20000.0 / 3}, {0, 0, 0});
            QTest::newRow("equal timestamps")
                << Series{pkt(1000, 100, 50, kS2C), pkt(1000, 200, 150, kS2C),
                          pkt(1000, 300, 250, kS2C)}
                << "" << e;
        }
        {
            // Capture order 0, 30ms, -10ms -> time order -10, 0, 30 ms: IATs [0.01, 0.03]:
            // p25 0.015, p50 0.02, p75 0.025 (never negative). payload [10,20,30] var 200/3.
            Expected e;
            addDirection(e, "c2s", 3, {150, 200, 250, 300, 200, 20000.0 / 3},
                         {15, 20, 25, 30, 20, 200.0 / 3}, {0.015, 0.02, 0.025});
            addCombined(e, 3, {150, 200, 250, 300, 200, 20000.0 / 3}, {0.015, 0.02, 0.025});
            QTest::newRow("backwards timestamps")
                << Series{pkt(0, 100, 10, kC2S), pkt(30 * kMs, 200, 20, kC2S),
                          pkt(-10 * kMs, 300, 30, kC2S)}
                << "" << e;
        }
        const Series retx = {pkt(0, 140, 100, kC2S), pkt(10 * kMs, 140, 100, kC2S | kRetx),
                             pkt(30 * kMs, 90, 50, kC2S)};
        {
            // Kept: sizes [90,140,140]: p25 at 0.5 -> 115, 140, 140, mean 370/3,
            // var ((50/3)^2*2 + (100/3)^2)/3 = 5000/9. payload [50,100,100]: 75, 100, 100,
            // 100, 250/3, 5000/9. IATs [0.01,0.02]: .0125 .015 .0175.
            Expected e;
            addDirection(e, "c2s", 3, {115, 140, 140, 140, 370.0 / 3, 5000.0 / 9},
                         {75, 100, 100, 100, 250.0 / 3, 5000.0 / 9}, {0.0125, 0.015, 0.0175});
            addCombined(e, 3, {115, 140, 140, 140, 370.0 / 3, 5000.0 / 9}, {0.0125, 0.015, 0.0175});
            QTest::newRow("retransmission kept") << retx << "retrans=keep" << e;
        }
        {
            // Dropped: sizes [90,140]: 102.5, 115, 127.5, 140, 115, var 25^2.
            // payload [50,100]: 62.5, 75, 87.5, 100, 75, 625. IAT [0.03].
            Expected e;
            addDirection(e, "c2s", 2, {102.5, 115, 127.5, 140, 115, 625},
                         {62.5, 75, 87.5, 100, 75, 625}, {0.03, 0.03, 0.03});
            addCombined(e, 2, {102.5, 115, 127.5, 140, 115, 625}, {0.03, 0.03, 0.03});
            QTest::newRow("retransmission dropped") << retx << "retrans=drop" << e;
        }
    }

    void statistics()
    {
        QFETCH(Series, series);
        QFETCH(QString, specText);
        QFETCH(Expected, expected);
        for (const auto& [name, value] : expected)
            QVERIFY2(statisticIndex(name) < kStatisticCount, name.c_str());
        const auto stats = computeStatistics(series, spec(specText));
        const auto& names = statisticNames();
        for (std::size_t i = 0; i < kStatisticCount; ++i) {
            const auto it = expected.find(std::string(names[i]));
            const double want = it == expected.end() ? 0.0 : it->second;
            QVERIFY2(near(stats[i], want),
                     qPrintable(QString("%1: got %2, want %3")
                                    .arg(QString::fromUtf8(names[i].data(),
                                                           static_cast<qsizetype>(names[i].size())))
                                    .arg(stats[i], 0, 'g', 17)
                                    .arg(want, 0, 'g', 17)));
        }
    }

    // ---- sequences ---------------------------------------------------------

    void channelNames_data()
    {
        QTest::addColumn<QString>("specText");
        QTest::addColumn<QString>("names");
        QTest::newRow("default") << ""
                                 << "size,payload,iat,dir";
        QTest::newRow("iat,dir") << "channels=dir,iat"
                                 << "iat,dir";
        QTest::newRow("payload") << "channels=payload"
                                 << "payload";
        QTest::newRow("size,dir") << "channels=size,dir"
                                  << "size,dir";
    }

    void channelNames()
    {
        QFETCH(QString, specText);
        QFETCH(QString, names);
        const FeatureSpec s = spec(specText);
        QStringList got;
        for (const std::string& n : sequenceChannelNames(s))
            got << QString::fromStdString(n);
        QCOMPARE(got.join(','), names);
        QCOMPARE(static_cast<std::size_t>(got.size()), s.channelCount());
    }

    void sequences_data()
    {
        QTest::addColumn<Series>("series");
        QTest::addColumn<QString>("specText");
        QTest::addColumn<QList<double>>("expected"); // time-major rows
        QTest::addColumn<int>("packets");

        const double l10k = std::log1p(10000.0); // 10 ms in µs
        const double l20k = std::log1p(20000.0);
        const double l40k = std::log1p(40000.0);
        // Payload packets: 30ms c2s(552,500), 50 s2c(1452,1400), 60 s2c(152,100),
        // 100 c2s(92,40).
        QTest::newRow("left padding, n > packets")
            << handshake() << "seqlen=6" << QList<double>{0,    0,    0,    0,  //
                                                          0,    0,    0,    0,  //
                                                          552,  500,  0,    1,  //
                                                          1452, 1400, l20k, -1, //
                                                          152,  100,  l10k, -1, //
                                                          92,   40,   l40k, 1}
            << 4;
        QTest::newRow("n < packets: the first n")
            << handshake() << "seqlen=2" << QList<double>{552, 500, 0, 1, 1452, 1400, l20k, -1}
            << 2;
        QTest::newRow("n == packets")
            << handshake() << "seqlen=4;channels=dir" << QList<double>{1, -1, -1, 1} << 4;
        QTest::newRow("iat,dir subset")
            << handshake() << "seqlen=5;channels=iat,dir"
            << QList<double>{0, 0, 0, 1, l20k, -1, l10k, -1, l40k, 1} << 4;
        QTest::newRow("payload only channel") << handshake() << "seqlen=5;channels=payload"
                                              << QList<double>{0, 500, 1400, 100, 40} << 4;
        QTest::newRow("size channel, all packets, window ignored")
            << handshake() << "packets=all;window=first:1;seqlen=7;channels=size"
            << QList<double>{60, 60, 52, 552, 1452, 152, 92} << 7;
        QTest::newRow("all packets, first 3")
            << handshake() << "packets=all;seqlen=3"
            << QList<double>{60, 0, 0, 1, 60, 0, l10k, -1, 52, 0, l10k, 1} << 3;
        QTest::newRow("empty series")
            << Series{} << "seqlen=3" << QList<double>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0} << 0;
        QTest::newRow("no payload packets")
            << Series{pkt(0, 52, 0, kC2S)} << "seqlen=2;channels=size,dir"
            << QList<double>{0, 0, 0, 0} << 0;
        // Capture order 0, 2ms, -1ms -> -1ms, 0, 2ms: IATs 0, 1000 µs, 2000 µs.
        QTest::newRow("backwards timestamps")
            << Series{pkt(0, 100, 10, kS2C), pkt(2 * kMs, 200, 20, kC2S), pkt(-kMs, 300, 30, kC2S)}
            << "seqlen=3;channels=size,iat,dir"
            << QList<double>{300, 0, 1, 100, std::log1p(1000.0), -1, 200, std::log1p(2000.0), 1}
            << 3;
        // Same time: capture order kept, IAT 0; 500 ns = 0.5 µs.
        QTest::newRow("equal times and sub-microsecond IAT")
            << Series{pkt(7, 100, 1, kS2C), pkt(7, 200, 1, kC2S), pkt(507, 300, 1, kS2C)}
            << "seqlen=4;channels=size,iat,dir"
            << QList<double>{0, 0, 0, 100, 0, -1, 200, 0, 1, 300, std::log1p(0.5), -1} << 3;
        QTest::newRow("retransmission dropped")
            << Series{pkt(0, 140, 100, kC2S), pkt(kMs, 140, 100, kC2S | kRetx),
                      pkt(3 * kMs, 90, 50, kS2C)}
            << "retrans=drop;seqlen=3;channels=size,iat"
            << QList<double>{0, 0, 140, 0, 90, std::log1p(3000.0)} << 2;
    }

    void sequences()
    {
        QFETCH(Series, series);
        QFETCH(QString, specText);
        QFETCH(QList<double>, expected);
        QFETCH(int, packets);
        const FeatureSpec s = spec(specText);
        std::size_t real = 999;
        const std::vector<float> seq = computeSequence(series, s, &real);
        QCOMPARE(seq.size(), s.sequenceLength * s.channelCount());
        QCOMPARE(seq.size(), static_cast<std::size_t>(expected.size()));
        QCOMPARE(real, static_cast<std::size_t>(packets));
        for (qsizetype i = 0; i < expected.size(); ++i)
            QVERIFY2(std::fabs(static_cast<double>(seq[static_cast<std::size_t>(i)]) -
                               expected[i]) <= 1e-5 * std::max(1.0, std::fabs(expected[i])),
                     qPrintable(QString("index %1: got %2, want %3")
                                    .arg(i)
                                    .arg(static_cast<double>(seq[static_cast<std::size_t>(i)]))
                                    .arg(expected[i])));
        QCOMPARE(computeSequence(series, s), seq); // the count is optional
    }

    // ---- ChannelScaler -----------------------------------------------------

    void scaler_data()
    {
        QTest::addColumn<bool>("sizeOnly");
        QTest::addColumn<QList<double>>("means");
        QTest::addColumn<QList<double>>("stds");
        QTest::addColumn<QList<double>>("transformed");
        // Two sequences, n = 3, channels (size, dir), real rows 2 and 1:
        //   seq0: pad, [100, 1], [300, -1]     seq1: pad, pad, [200, 1]
        // size over real rows [100,300,200]: mean 200, std sqrt(20000/3) = 81.6497;
        // dir [1,-1,1]: mean 1/3, var ((2/3)^2*2 + (4/3)^2)/3 = 8/9.
        // Padding (zeros) would pull the size mean to 100 if it were counted.
        const double sizeStd = std::sqrt(20000.0 / 3.0);
        const double z = 100.0 / sizeStd; // 1.2247...
        const double dirStd = std::sqrt(8.0 / 9.0);
        const double up = (1.0 - 1.0 / 3.0) / dirStd;
        const double down = (-1.0 - 1.0 / 3.0) / dirStd;
        QTest::newRow("size channel only")
            << true << QList<double>{200, 0} << QList<double>{sizeStd, 1}
            << QList<double>{0, 0, -z, 1, z, -1, 0, 0, 0, 0, 0, 1};
        QTest::newRow("every channel")
            << false << QList<double>{200, 1.0 / 3.0} << QList<double>{sizeStd, dirStd}
            << QList<double>{0, 0, -z, up, z, down, 0, 0, 0, 0, 0, up};
    }

    void scaler()
    {
        QFETCH(bool, sizeOnly);
        QFETCH(QList<double>, means);
        QFETCH(QList<double>, stds);
        QFETCH(QList<double>, transformed);
        std::vector<float> data = {0, 0, 100, 1, 300, -1, 0, 0, 0, 0, 200, 1};
        const std::vector<std::size_t> counts = {2, 1};
        ChannelScaler scaler;
        QVERIFY(!scaler.fitted());
        scaler.fit(data, counts, 3, 2,
                   sizeOnly ? std::vector<bool>{true, false} : std::vector<bool>{});
        QVERIFY(scaler.fitted());
        QCOMPARE(scaler.channels(), std::size_t{2});
        for (std::size_t c = 0; c < 2; ++c) {
            QVERIFY(near(scaler.means()[c], means[static_cast<qsizetype>(c)]));
            QVERIFY(near(scaler.stds()[c], stds[static_cast<qsizetype>(c)]));
        }
        scaler.transform(data, counts, 3);
        for (std::size_t i = 0; i < data.size(); ++i) {
            const double want = transformed[static_cast<qsizetype>(i)];
            QVERIFY2(std::fabs(static_cast<double>(data[i]) - want) <= 1e-5,
                     qPrintable(QString("index %1").arg(i)));
        }
        // Padding stays exactly 0.
        QCOMPARE(data[0], 0.0f);
        QCOMPARE(data[1], 0.0f);
        for (std::size_t i = 6; i < 10; ++i)
            QCOMPARE(data[i], 0.0f);
    }

    void scalerEdgeCases()
    {
        // Constant channel: std 0 -> 1, values become 0.
        std::vector<float> constant = {0, 7, 7};
        const std::vector<std::size_t> counts = {2};
        ChannelScaler scaler;
        scaler.fit(constant, counts, 3, 1);
        QCOMPARE(scaler.means()[0], 7.0);
        QCOMPARE(scaler.stds()[0], 1.0);
        scaler.transform(constant, counts, 3);
        QCOMPARE(constant, (std::vector<float>{0, 0, 0}));

        // No real rows at all: identity.
        std::vector<float> padding(6, 0.0f);
        const std::vector<std::size_t> none = {0, 0};
        ChannelScaler empty;
        empty.fit(padding, none, 3, 1);
        QCOMPARE(empty.means()[0], 0.0);
        QCOMPARE(empty.stds()[0], 1.0);

        // Restored scaler: a zero std becomes 1.
        const ChannelScaler restored({5.0, 1.0}, {0.0, 2.0});
        QCOMPARE(restored.stds(), (std::vector<double>{1.0, 2.0}));
        std::vector<float> one = {0, 0, 9, 5};
        restored.transform(one, std::vector<std::size_t>{1}, 2);
        QCOMPARE(one, (std::vector<float>{0, 0, 4, 2}));

        // Works end to end with computeSequence and sizeChannelMask.
        const FeatureSpec s = spec("seqlen=6");
        std::size_t real = 0;
        std::vector<float> seq = computeSequence(handshake(), s, &real);
        const std::vector<std::size_t> realCounts = {real};
        ChannelScaler fitted;
        fitted.fit(seq, realCounts, 6, s.channelCount(), sizeChannelMask(s));
        QCOMPARE(sizeChannelMask(s), (std::vector<bool>{true, true, false, false}));
        QVERIFY(near(fitted.means()[0], 562.0)); // mean of 552, 1452, 152, 92
        QCOMPARE(fitted.means()[2], 0.0);
        fitted.transform(seq, realCounts, 6);
        for (std::size_t i = 0; i < 8; ++i)
            QCOMPARE(seq[i], 0.0f); // two padding rows
        QCOMPARE(seq[11], 1.0f);    // dir untouched
    }

    void scalerErrors()
    {
        std::vector<float> data(6, 0.0f);
        const std::vector<std::size_t> counts = {1};
        ChannelScaler scaler;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, scaler.transform(data, counts, 3));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, scaler.fit(data, counts, 3, 3));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 scaler.fit(data, std::vector<std::size_t>{4}, 3, 2));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 scaler.fit(data, counts, 3, 2, std::vector<bool>{true}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, scaler.fit(data, counts, 3, 0));
        scaler.fit(data, counts, 3, 2);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 scaler.transform(data, std::vector<std::size_t>{1, 1}, 3));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 (ChannelScaler{std::vector<double>{1.0}, std::vector<double>{}}));
    }
};

QTEST_APPLESS_MAIN(TestFeatures)
#include "test_features.moc"
