// Unit tests for StreamPrefix (flow/stream_prefix.h): reassembly of the first
// bytes of one TCP direction.
#include "flow/stream_prefix.h"

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

using Bytes = std::vector<std::uint8_t>;

Bytes textBytes(const std::string& s)
{
    return Bytes(s.begin(), s.end());
}

std::string asText(std::span<const std::uint8_t> bytes)
{
    return std::string(bytes.begin(), bytes.end());
}

bool add(StreamPrefix& p, std::uint32_t seq, const std::string& text)
{
    const Bytes b = textBytes(text);
    return p.add(seq, b);
}

struct Segment {
    std::uint32_t offset;
    std::string text;
};

} // namespace

class TestStreamPrefix : public QObject {
    Q_OBJECT

private slots:
    void noBase()
    {
        StreamPrefix p;
        QVERIFY(!p.hasBase());
        QVERIFY(!add(p, 100, "hello"));
        QVERIFY(p.contiguous().empty());
        p.reset(100);
        QVERIFY(p.hasBase());
        QCOMPARE(p.base(), std::uint32_t{100});
        QVERIFY(!p.add(100, {})); // an empty segment never grows the prefix
        QVERIFY(add(p, 100, "hello"));
        QCOMPARE(asText(p.contiguous()), std::string("hello"));
    }

    void inOrder()
    {
        StreamPrefix p;
        p.reset(1000);
        QVERIFY(add(p, 1000, "abc"));
        QVERIFY(add(p, 1003, "defg"));
        QVERIFY(add(p, 1007, "h"));
        QCOMPARE(asText(p.contiguous()), std::string("abcdefgh"));
        QVERIFY(!p.full());
    }

    void resetAndClear()
    {
        StreamPrefix p(16);
        p.reset(10);
        QVERIFY(add(p, 10, "abc"));
        QVERIFY(!add(p, 20, "zzz")); // pending
        p.reset(50);
        QCOMPARE(p.base(), std::uint32_t{50});
        QVERIFY(p.contiguous().empty());
        // The pending segment of the old base must be gone.
        QVERIFY(add(p, 50, "x"));
        QCOMPARE(asText(p.contiguous()), std::string("x"));
        p.clear();
        QVERIFY(!p.hasBase());
        QVERIFY(p.contiguous().empty());
        QVERIFY(!add(p, 51, "y"));
    }

    void permutations_data()
    {
        QTest::addColumn<int>("segmentCount");
        QTest::addColumn<QList<int>>("order");
        for (int n : {3, 4}) {
            std::vector<int> perm(static_cast<std::size_t>(n));
            for (int i = 0; i < n; ++i)
                perm[static_cast<std::size_t>(i)] = i;
            do {
                QString name = QString("n%1-").arg(n);
                QList<int> order;
                for (int i : perm) {
                    name += QString::number(i);
                    order << i;
                }
                QTest::newRow(qPrintable(name)) << n << order;
            } while (std::next_permutation(perm.begin(), perm.end()));
        }
    }

    // Every delivery order yields the same bytes; add() reports growth exactly
    // when the segment at the current end arrives.
    void permutations()
    {
        QFETCH(int, segmentCount);
        QFETCH(QList<int>, order);
        const std::vector<Segment> all = {
            {0, "Hello, "}, {7, "wonderful "}, {17, "reassembled "}, {29, "world"}};
        const std::vector<Segment> segments(all.begin(), all.begin() + segmentCount);
        std::string expected;
        for (const auto& s : segments)
            expected += s.text;

        const std::uint32_t base = 0x12345678;
        StreamPrefix p;
        p.reset(base);
        std::vector<bool> delivered(segments.size(), false);
        for (int index : order) {
            const auto i = static_cast<std::size_t>(index);
            std::size_t contiguousBefore = 0;
            while (contiguousBefore < segments.size() && delivered[contiguousBefore])
                ++contiguousBefore;
            delivered[i] = true;
            const bool grew = add(p, base + segments[i].offset, segments[i].text);
            QCOMPARE(grew, i == contiguousBefore);
            std::size_t contiguousAfter = 0;
            while (contiguousAfter < segments.size() && delivered[contiguousAfter])
                ++contiguousAfter;
            const std::size_t bytes = contiguousAfter == segments.size()
                                          ? expected.size()
                                          : segments[contiguousAfter].offset;
            QCOMPARE(asText(p.contiguous()), expected.substr(0, bytes));
        }
        QCOMPARE(asText(p.contiguous()), expected);
    }

    void retransmissionDifferentBytes_data()
    {
        QTest::addColumn<QList<int>>("offsets");
        QTest::addColumn<QStringList>("texts");
        QTest::addColumn<QString>("expected");
        // In order, then a full retransmission with other bytes.
        QTest::newRow("contiguous then retransmitted")
            << QList<int>{0, 0} << QStringList{"AAAA", "BBBB"} << "AAAA";
        // Two pending copies of the same range: the first one is used.
        QTest::newRow("two pending copies")
            << QList<int>{4, 4, 0} << QStringList{"AAAA", "BBBB", "0123"} << "0123AAAA";
        // A pending segment and a later one that covers it in order.
        QTest::newRow("pending then covering in-order")
            << QList<int>{4, 0} << QStringList{"AAAA", "0123BBBBcc"} << "0123AAAAcc";
        // A pending segment, then a larger pending one covering it, then the gap.
        QTest::newRow("pending then covering pending")
            << QList<int>{6, 4, 0} << QStringList{"AA", "BBBBBB", "0123"} << "0123BBAABB";
        // Retransmission that extends the original: old bytes kept, new ones appended.
        QTest::newRow("retransmission extends")
            << QList<int>{0, 0} << QStringList{"AAAA", "BBBBBB"} << "AAAABB";
    }

    // Overlaps keep the bytes that arrived first.
    void retransmissionDifferentBytes()
    {
        QFETCH(QList<int>, offsets);
        QFETCH(QStringList, texts);
        QFETCH(QString, expected);
        StreamPrefix p;
        p.reset(500);
        for (qsizetype i = 0; i < offsets.size(); ++i)
            add(p, 500 + static_cast<std::uint32_t>(offsets[i]), texts[i].toStdString());
        QCOMPARE(QString::fromStdString(asText(p.contiguous())), expected);
    }

    void overlapPartial()
    {
        StreamPrefix p;
        p.reset(0);
        QVERIFY(add(p, 0, "0123456789"));
        // Bytes 5..9 were already assembled: only "XYZ" is new.
        QVERIFY(add(p, 5, "abcdeXYZ"));
        QCOMPARE(asText(p.contiguous()), std::string("0123456789XYZ"));
        // Entirely inside what is held: no growth, nothing rewritten.
        QVERIFY(!add(p, 2, "qqq"));
        QCOMPARE(asText(p.contiguous()), std::string("0123456789XYZ"));
    }

    void segmentBeforeBase()
    {
        StreamPrefix p;
        p.reset(1000);
        // Ends before the base: ignored.
        QVERIFY(!add(p, 990, "0123456789"));
        QVERIFY(p.contiguous().empty());
        // Ends exactly at the base: ignored.
        QVERIFY(!add(p, 995, "abcde"));
        QVERIFY(p.contiguous().empty());
        // Straddles the base: the part from the base on is kept.
        QVERIFY(add(p, 997, "xyzHELLO"));
        QCOMPARE(asText(p.contiguous()), std::string("HELLO"));
    }

    void wraparound_data()
    {
        QTest::addColumn<quint32>("base");
        QTest::newRow("base 2^32-1") << quint32(0xFFFFFFFFu);
        QTest::newRow("base 2^32-5") << quint32(0xFFFFFFFBu);
        QTest::newRow("base 2^32-16") << quint32(0xFFFFFFF0u);
        QTest::newRow("base 0") << quint32(0);
        QTest::newRow("base 2^31") << quint32(0x80000000u);
    }

    void wraparound()
    {
        QFETCH(quint32, base);
        StreamPrefix p;
        p.reset(base);
        // Out of order across the wrap point.
        QVERIFY(!add(p, base + 10u, "KLMNOPQRST"));
        QVERIFY(add(p, base, "ABCDEFGHIJ"));
        QCOMPARE(asText(p.contiguous()), std::string("ABCDEFGHIJKLMNOPQRST"));
        // A segment starting before the base (sequence number numerically larger
        // when the base is near 0) is trimmed, not treated as far ahead.
        StreamPrefix q;
        q.reset(base);
        QVERIFY(add(q, base - 3u, "xyzABC"));
        QCOMPARE(asText(q.contiguous()), std::string("ABC"));
    }

    void capTruncation()
    {
        StreamPrefix p(10);
        p.reset(0);
        QVERIFY(add(p, 0, "0123456"));
        QVERIFY(!p.full());
        QVERIFY(add(p, 7, "789abcdef"));
        QCOMPARE(asText(p.contiguous()), std::string("0123456789"));
        QVERIFY(p.full());
        QVERIFY(!add(p, 10, "more"));
        QCOMPARE(p.contiguous().size(), std::size_t{10});
    }

    void capTruncatesPending()
    {
        StreamPrefix p(10);
        p.reset(0);
        QVERIFY(!add(p, 12, "beyond"));  // starts past the cap: dropped
        QVERIFY(!add(p, 6, "6789abcd")); // pending, trimmed to the cap
        QVERIFY(add(p, 0, "012345"));
        QCOMPARE(asText(p.contiguous()), std::string("0123456789"));
        QVERIFY(p.full());
    }

    void pendingBudget()
    {
        // Pending segments may hold at most `cap` bytes: a segment that would
        // exceed the budget is dropped.
        StreamPrefix p(10);
        p.reset(0);
        QVERIFY(!add(p, 6, "6789"));     // pending: 4 bytes
        QVERIFY(!add(p, 2, "BBBBBBBB")); // 4 + 8 > 10: dropped
        QVERIFY(add(p, 0, "01"));
        QCOMPARE(asText(p.contiguous()), std::string("01"));
        QVERIFY(add(p, 2, "2345"));
        QCOMPARE(asText(p.contiguous()), std::string("0123456789"));
    }

    void pendingBudgetReleased()
    {
        // Draining pending segments returns their budget.
        StreamPrefix p(16);
        p.reset(0);
        QVERIFY(!add(p, 2, "23456789")); // 8 pending
        QVERIFY(add(p, 0, "01"));        // drains them
        QCOMPARE(asText(p.contiguous()), std::string("0123456789"));
        QVERIFY(!add(p, 12, "CDEF"));  // 4 pending
        QVERIFY(!add(p, 11, "BCDEF")); // 9 pending: over budget unless the 8 were released
        QVERIFY(add(p, 10, "A"));
        QCOMPARE(asText(p.contiguous()), std::string("0123456789ABCDEF"));
        // After a reset the whole budget is available again.
        p.reset(100);
        QVERIFY(!add(p, 102, "cdefghijklmnop")); // 14 pending
        QVERIFY(add(p, 100, "ab"));
        QCOMPARE(asText(p.contiguous()), std::string("abcdefghijklmnop"));
    }
};

QTEST_APPLESS_MAIN(TestStreamPrefix)
#include "test_stream_prefix.moc"
