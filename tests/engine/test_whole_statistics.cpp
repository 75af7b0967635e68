// Whole-connection statistics of a connection longer than its series
// (flow/whole_statistics.h): against computeStatistics() over every
// packet, through the trackers' recordPacket(), and stored in a series blob.
#include "catalog/catalog_rows.h"
#include "catalog/series_blob.h"
#include "features/feature_spec.h"
#include "features/statistics.h"
#include "flow/whole_statistics.h"

#include <QObject>
#include <QTest>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace snilab;

namespace {

using Series = std::vector<PacketRecord>;

// A long, varied connection in time order: sizes 40..1500, payloads with
// zeros, retransmissions, gaps from 0 ns to seconds (so every bucket range).
Series makeSeries(std::size_t n, std::uint32_t seed)
{
    std::mt19937_64 rng(seed);
    std::exponential_distribution<double> shortGap(1.0 / 30'000.0); // ns
    std::exponential_distribution<double> longGap(1.0 / 2e8);
    Series s;
    std::int64_t t = 0;
    for (std::size_t i = 0; i < n; ++i) {
        PacketRecord r;
        const auto kind = rng() % 100;
        r.flags = (rng() % 3 == 0) ? PacketRecord::kClientToServer : 0;
        if (kind < 40) {
            r.payloadLength = 0;
            r.ipLength = 40;
        } else {
            r.payloadLength = static_cast<std::uint16_t>(1 + rng() % 1460);
            r.ipLength = static_cast<std::uint16_t>(r.payloadLength + 40);
            if (kind > 97)
                r.flags |= PacketRecord::kRetransmission;
        }
        if (kind % 7 == 0)
            t += 0; // same time as the previous one
        else if (kind < 95)
            t += static_cast<std::int64_t>(shortGap(rng));
        else
            t += static_cast<std::int64_t>(longGap(rng));
        r.tNs = t;
        s.push_back(r);
    }
    return s;
}

FeatureSpec specOf(std::size_t selection)
{
    FeatureSpec spec;
    spec.packets = (selection & 1) ? FeatureSpec::Packets::All : FeatureSpec::Packets::PayloadOnly;
    spec.retransmissions =
        (selection & 2) ? FeatureSpec::Retransmissions::Drop : FeatureSpec::Retransmissions::Keep;
    return spec;
}

bool isIat(std::size_t statistic)
{
    return statisticNames()[statistic].find("_iat_") != std::string_view::npos;
}

// Every statistic of `whole` against computeStatistics() on all packets:
// exact (to rounding) except IAT percentiles, within the stated bound.
void compareToExact(const Series& all, const WholeStatistics& whole)
{
    for (std::size_t s = 0; s < WholeStatistics::kSelections; ++s) {
        const FeatureSpec spec = specOf(s);
        QCOMPARE(wholeSelectionIndex(spec), s);
        const auto exact = computeStatistics(all, spec);
        for (std::size_t i = 0; i < kStatisticCount; ++i) {
            const double x = whole.values[s][i];
            const double y = exact[i];
            const double bound =
                isIat(i) ? kIatRelativeError * std::abs(y) + 1e-15 : 1e-9 * std::abs(y) + 1e-12;
            QVERIFY2(std::abs(x - y) <= bound,
                     qPrintable(
                         QStringLiteral("selection %1, %2: %3 vs exact %4")
                             .arg(s)
                             .arg(QString::fromLatin1(statisticNames()[i].data(),
                                                      static_cast<int>(statisticNames()[i].size())))
                             .arg(x, 0, 'g', 17)
                             .arg(y, 0, 'g', 17)));
        }
    }
}

} // namespace

class TestWholeStatistics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesEveryPacket()
    {
        const Series all = makeSeries(60'000, 1);
        WholeStatisticsAccumulator acc;
        for (const PacketRecord& r : all)
            acc.add(r);
        const WholeStatistics whole = acc.finish();
        QCOMPARE(whole.packets, std::uint64_t{all.size()});
        QCOMPARE(whole.latePackets, std::uint64_t{0});
        compareToExact(all, whole);
        // Not a trivial agreement: the IATs do differ from the exact ones
        // somewhere (the sketch is a sketch), and sizes vary.
        QVERIFY(whole.values[0][0] > 1000 && whole.values[0][16] > 1000);
    }

    // A capture whose clock stepped back before the connection's first
    // packet gives negative times (packet_record.h): the first one still
    // sets the clock, so the first gap is the true one.
    void negativeTimesFromTheFirstPacket()
    {
        Series all = makeSeries(20'000, 11);
        for (PacketRecord& r : all)
            r.tNs -= 3'000'000'000'000; // an hour earlier than time 0
        WholeStatisticsAccumulator acc;
        for (const PacketRecord& r : all)
            acc.add(r);
        const WholeStatistics whole = acc.finish();
        QCOMPARE(whole.latePackets, std::uint64_t{0});
        compareToExact(all, whole);
    }

    // Lengths are counted per distinct value: a few 64 KB (GRO) frames and,
    // past KeyCounts::kSparseKeys distinct lengths, every length from 40 to
    // 65,535 are still counted exactly; a large frame costs memory for its
    // own value, not for every length up to it.
    void largeAndManyDistinctLengths()
    {
        std::size_t bytes[3] = {};
        for (const int kind : {0, 1, 2}) { // ordinary, a few 64 KB frames, every length
            Series all = makeSeries(kind == 2 ? 150'000 : 30'000, 12);
            std::mt19937 rng(13);
            for (std::size_t i = 0; i < all.size(); ++i) {
                PacketRecord& r = all[i];
                if (kind == 2) {
                    r.payloadLength = static_cast<std::uint16_t>(1 + rng() % 65'495);
                    r.ipLength = static_cast<std::uint16_t>(r.payloadLength + 40);
                } else if (kind == 1 && i % 997 == 0) {
                    r.payloadLength = 65'495;
                    r.ipLength = 65'535;
                }
            }
            WholeStatisticsAccumulator acc;
            for (const PacketRecord& r : all)
                acc.add(r);
            bytes[kind] = acc.memoryBytes();
            qInfo("kind %d: %zu packets, accumulator %zu KiB", kind, all.size(),
                  bytes[kind] / 1024);
            const WholeStatistics whole = acc.finish();
            compareToExact(all, whole);
            // all_size_max: the largest frame is there.
            if (kind == 2)
                QVERIFY(whole.values[0][36] > 65'000.0);
            else if (kind == 1)
                QCOMPARE(whole.values[0][36], 65'535.0);
        }
        // 20 length tables, each at most one extra 2 KiB page and its page index.
        QVERIFY2(bytes[1] <= bytes[0] + 20 * (2048 + 2048),
                 qPrintable(QStringLiteral("%1 vs %2").arg(bytes[1]).arg(bytes[0])));
        // Every length: 20 tables of 256 pages of 2 KiB, plus the IATs'.
        QVERIFY2(bytes[2] <= std::size_t{12} << 20, qPrintable(QString::number(bytes[2])));
    }

    // Times at both ends of int64 (a hostile pcapng's offsets): the gap is
    // taken without overflow, and what is stored reads back, not as damage.
    void extremeTimesStoreAndReadBack()
    {
        Series all;
        all.push_back({std::numeric_limits<std::int64_t>::min() + 1, 100, 60, 0});
        all.push_back({std::numeric_limits<std::int64_t>::max(), 100, 60, 0});
        all.push_back({std::numeric_limits<std::int64_t>::max(), 100, 60, 0});
        WholeStatisticsAccumulator acc;
        for (const PacketRecord& r : all)
            acc.add(r);
        const WholeStatistics whole = acc.finish();
        // s2c_iat_p75: about 2^64 ns.
        QVERIFY(whole.values[0][15] > 9e9);
        const Series head(all.begin(), all.begin() + 1);
        const auto blob = encodeSeries(head, &whole);
        const StoredSeries back = decodeStoredSeries(9, 1, kSeriesFormatWithWhole, blob, "");
        QVERIFY(back.whole && *back.whole == whole);
    }

    void shortIatsAreExact()
    {
        // Gaps below 512 ns are kept exactly: the percentiles are exact.
        Series all;
        std::mt19937 rng(3);
        std::int64_t t = 0;
        for (int i = 0; i < 5000; ++i) {
            t += static_cast<std::int64_t>(rng() % 512);
            all.push_back({t, 100, 60, 0});
        }
        WholeStatisticsAccumulator acc;
        for (const PacketRecord& r : all)
            acc.add(r);
        const auto whole = acc.finish();
        const auto exact = computeStatistics(all, FeatureSpec{});
        for (std::size_t i = 0; i < kStatisticCount; ++i)
            if (isIat(i))
                QCOMPARE(whole.values[0][i], exact[i]);
    }

    void restoresTimeOrderWithinTheWindow()
    {
        // Records up to 100 positions early: sorted back exactly.
        Series all = makeSeries(20'000, 2);
        Series arrival = all;
        std::mt19937 rng(4);
        for (std::size_t i = 100; i < arrival.size(); i += 37)
            std::swap(arrival[i], arrival[i - 1 - rng() % 99]);
        WholeStatisticsAccumulator acc;
        for (const PacketRecord& r : arrival)
            acc.add(r);
        const auto whole = acc.finish();
        QCOMPARE(whole.latePackets, std::uint64_t{0});
        compareToExact(arrival, whole); // computeStatistics() sorts by time too
    }

    void countsPacketsLaterThanTheWindow()
    {
        Series all = makeSeries(5000, 5);
        // The last packet is stamped before everything else.
        all.push_back({-1'000'000, 500, 460, 0});
        WholeStatisticsAccumulator acc;
        for (const PacketRecord& r : all)
            acc.add(r);
        const auto whole = acc.finish();
        QCOMPARE(whole.latePackets, std::uint64_t{1});
        QCOMPARE(whole.packets, std::uint64_t{5001});
        // Sizes stay exact however late the packet was.
        const auto exact = computeStatistics(all, FeatureSpec{});
        for (std::size_t i : {std::size_t{32}, std::size_t{33}, std::size_t{36}})
            QCOMPARE(whole.values[0][i], exact[i]);
    }

    void flipSwapsDirections()
    {
        const Series all = makeSeries(8000, 6);
        Series flipped = all;
        for (PacketRecord& r : flipped)
            r.flags ^= PacketRecord::kClientToServer;
        WholeStatisticsAccumulator a, b;
        for (const PacketRecord& r : all)
            a.add(r);
        for (const PacketRecord& r : flipped)
            b.add(r);
        a.flipDirections();
        QVERIFY(a.finish() == b.finish());
    }

    void recordPacketKeepsTheSeriesAndTheWhole()
    {
        const Series all = makeSeries(12'345, 7);
        Connection c;
        for (const PacketRecord& r : all)
            recordPacket(c, r, 10'000);
        QCOMPARE(c.series.size(), std::size_t{10'000});
        QVERIFY(c.overflow);
        sealWholeStatistics(c);
        QVERIFY(!c.overflow);
        QVERIFY(c.whole);
        QCOMPARE(c.whole->packets, std::uint64_t{all.size()});
        compareToExact(all, *c.whole);
        // Through computeStatistics(): window=all from the whole connection,
        // a window inside the series from the series, one past it refused.
        FeatureSpec spec;
        spec.packets = FeatureSpec::Packets::All;
        const std::uint64_t total = all.size();
        QCOMPARE(computeStatistics(c.series, spec, c.whole.get(), total)[32], double(all.size()));
        // Without them (a catalog of schema 6): refused, not the first 10,000.
        QVERIFY_THROWS_EXCEPTION(StatisticsError,
                                 computeStatistics(c.series, spec, nullptr, total));
        // A complete series needs none.
        QCOMPARE(computeStatistics(all, spec, nullptr, total), computeStatistics(all, spec));
        spec.window = FeatureSpec::Window::FirstN;
        spec.windowPackets = 500;
        QCOMPARE(computeStatistics(c.series, spec, c.whole.get(), total),
                 computeStatistics(all, spec));
        QCOMPARE(computeStatistics(c.series, spec, nullptr, total), computeStatistics(all, spec));
        spec.windowPackets = 10'001;
        QVERIFY_THROWS_EXCEPTION(StatisticsError,
                                 computeStatistics(c.series, spec, c.whole.get(), total));
        // A window as long as the connection or longer is the whole connection.
        for (const std::size_t n : {all.size(), all.size() + 1, std::size_t{1'000'000}}) {
            spec.windowPackets = n;
            QCOMPARE(computeStatistics(c.series, spec, c.whole.get(), total),
                     c.whole->values[wholeSelectionIndex(spec)]);
        }
        spec.windowPackets = all.size() - 1;
        QVERIFY_THROWS_EXCEPTION(StatisticsError,
                                 computeStatistics(c.series, spec, c.whole.get(), total));

        // Exactly at the cap: no whole statistics (the series is complete).
        Connection d;
        for (std::size_t i = 0; i < 10'000; ++i)
            recordPacket(d, all[i], 10'000);
        sealWholeStatistics(d);
        QVERIFY(!d.whole);
    }

    void storedWithTheSeries()
    {
        const Series all = makeSeries(3000, 8);
        WholeStatisticsAccumulator acc;
        for (const PacketRecord& r : all)
            acc.add(r);
        const WholeStatistics whole = acc.finish();
        const Series head(all.begin(), all.begin() + 1000);
        const auto blob = encodeSeries(head, &whole);
        QCOMPARE(blob.size(), head.size() * 16 + kWholeStatisticsBytes);
        QCOMPARE(seriesFormat(&whole), kSeriesFormatWithWhole);
        QCOMPARE(seriesFormat(nullptr), kSeriesFormatPackets);
        const std::string sum = seriesChecksum(9, blob);
        const StoredSeries back = decodeStoredSeries(9, 1000, kSeriesFormatWithWhole, blob, sum);
        QCOMPARE(back.packets.size(), head.size());
        QVERIFY(back.whole);
        QVERIFY(*back.whole == whole);
        // Format 1 is the records alone.
        const auto plain = encodeSeries(head);
        QVERIFY(!decodeStoredSeries(9, 1000, kSeriesFormatPackets, plain, "").whole);

        // Hostile or damaged: each refused with the connection named.
        const auto refused = [](const std::vector<std::uint8_t>& b, std::int64_t packets,
                                std::int64_t format, const char* why) {
            try {
                decodeStoredSeries(9, packets, format, b, "");
            } catch (const CatalogError& e) {
                const std::string m = e.what();
                QVERIFY2(m.find("connection 9") != std::string::npos &&
                             m.find(why) != std::string::npos,
                         e.what());
                return;
            }
            QFAIL(why);
        };
        refused(blob, 1000, 3, "unknown series format");
        // A stored format that a 32-bit cast would have turned into 2.
        refused(blob, 1000, (std::int64_t{1} << 32) + kSeriesFormatWithWhole,
                "unknown series format");
        refused(blob, 1000, kSeriesFormatPackets, "wrong length");
        refused(plain, 1000, kSeriesFormatWithWhole, "wrong length");
        refused(blob, 1001, kSeriesFormatWithWhole, "wrong length");
        refused(blob, -1, kSeriesFormatWithWhole, "wrong length");
        // The blob with statistic `index` of `selection` replaced by v.
        const auto withValue = [&](std::size_t selection, std::size_t index, double v) {
            auto b = blob;
            const auto vb = std::bit_cast<std::uint64_t>(v);
            const std::size_t at = 1000 * 16 + 16 + (selection * kStatisticCount + index) * 8;
            for (int i = 0; i < 8; ++i)
                b[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(vb >> (8 * i));
            return b;
        };
        refused(withValue(0, 1, std::numeric_limits<double>::quiet_NaN()), 1000,
                kSeriesFormatWithWhole, "not a finite value");
        // A value a real connection cannot have: a size past 16 bits, a
        // count that is not the sum of the directions'.
        refused(withValue(1, 4, 70'000.0), 1000, kSeriesFormatWithWhole, "out of range");
        refused(withValue(2, 36, 1e6), 1000, kSeriesFormatWithWhole, "out of range");
        refused(withValue(3, 0, whole.values[3][0] + 1), 1000, kSeriesFormatWithWhole,
                "do not add up");
        refused(withValue(0, 32, 1e12), 1000, kSeriesFormatWithWhole, "do not add up");
        // The stored values themselves pass (an IAT of hours is in range).
        QVERIFY(decodeStoredSeries(9, 1000, kSeriesFormatWithWhole, withValue(0, 13, 7200.0), "")
                    .whole);
        auto fewer = blob;
        for (int i = 0; i < 8; ++i)
            fewer[1000 * 16 + static_cast<std::size_t>(i)] = i == 0 ? 5 : 0; // 5 < 1000 stored
        refused(fewer, 1000, kSeriesFormatWithWhole, "do not add up");
        QVERIFY_THROWS_EXCEPTION(CatalogError,
                                 decodeStoredSeries(9, 1000, kSeriesFormatWithWhole, blob, "0123"));
    }
};

QTEST_APPLESS_MAIN(TestWholeStatistics)
#include "test_whole_statistics.moc"
