// PredictionFilterModel (ui/core/prediction_table_model.h) at scale and in
// its edge cases: a 10^6-row prediction filtered and sorted (the sort off the
// GUI thread), sorts superseded by newer sorts and by a new outcome, and a
// proxy that outlives its source.
#include "core/prediction_table_model.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <random>
#include <tuple>

using namespace snilab;
using namespace snilab::ui;

namespace {

// Waits until the proxy's sort, on a pool thread, is applied; `longestStall`
// (when given) gets the longest the GUI thread went without serving a 5 ms
// timer meanwhile, in ms.
bool waitSorted(const PredictionFilterModel& filter, qint64* longestStall = nullptr)
{
    QElapsedTimer since;
    since.start();
    qint64 longest = 0;
    QTimer probe;
    QObject::connect(&probe, &QTimer::timeout,
                     [&] { longest = std::max(longest, since.restart()); });
    probe.start(5);
    const bool done = QTest::qWaitFor([&] { return !filter.isSorting(); }, 30'000);
    longest = std::max(longest, since.elapsed());
    if (longestStall)
        *longestStall = longest;
    return done;
}

// `n` rows whose probability is (n - row) / n and whose SNI is svc<row % 7>.
std::shared_ptr<PredictionOutcome> smallOutcome(int n)
{
    auto outcome = std::make_shared<PredictionOutcome>();
    outcome->rows.resize(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        PredictedConnection& p = outcome->rows[static_cast<std::size_t>(i)];
        p.connection.sni = "svc" + std::to_string(i % 7);
        p.connection.startNs = i;
        p.knownClass = true;
        p.trueLabel = p.connection.sni;
        p.predicted = i % 3 == 0 ? "other" : p.trueLabel;
        p.probability = double(n - i) / n;
    }
    return outcome;
}

} // namespace

class TestPredictionProxy : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // A prediction of 10^6 connections: the proxy filters and sorts it with
    // the engine's values, keeps ties in the engine's order, moves persistent
    // indexes with their rows, and a table view shows it (times logged for
    // information, not asserted).
    void millionRows()
    {
        constexpr int kRows = 1'000'000;
        auto outcome = std::make_shared<PredictionOutcome>();
        outcome->model = "rf";
        outcome->rows.resize(kRows);
        std::mt19937 rng(5);
        quint64 wrong = 0;
        for (int i = 0; i < kRows; ++i) {
            PredictedConnection& p = outcome->rows[static_cast<std::size_t>(i)];
            ConnectionRow& c = p.connection;
            c.capturePath = "/data/capture" + std::to_string(3 - i / 250'000) + ".pcap";
            c.startNs = i;
            c.clientIp = "10.0." + std::to_string((i >> 8) & 255) + "." + std::to_string(i & 255);
            c.clientPort = static_cast<std::uint16_t>(1024 + i % 60'000);
            c.serverIp = "192.0.2.1";
            c.serverPort = 443;
            c.hasClientHello = true;
            const auto cls = rng() % 532;
            c.sni = "svc" + std::to_string(cls) + ".example";
            p.knownClass = i % 10 != 0;
            p.trueLabel = p.knownClass ? c.sni : "other.example";
            const bool right = rng() % 100 < 90;
            p.predicted =
                right ? p.trueLabel : "svc" + std::to_string((cls + 1) % 532) + ".example";
            p.probability = static_cast<double>(rng() % 1000) / 1000.0;
            p.top = {{p.predicted, p.probability}};
            wrong += p.knownClass && !p.correct();
            outcome->known += p.knownClass;
            outcome->correct += p.correct();
        }
        outcome->withSni = kRows;
        QElapsedTimer clock;
        const auto lap = [&](const char* what) {
            qInfo("%s at %d rows: %lld ms", what, kRows, static_cast<long long>(clock.restart()));
        };
        clock.start();
        PredictionTableModel model;
        model.setOutcome(outcome);
        PredictionFilterModel filter;
        filter.setSourceModel(&model);
        lap("set the outcome");
        QCOMPARE(filter.rowCount(), kRows);
        filter.setShow(PredictionFilterModel::Show::Wrong);
        lap("filter wrong only");
        QCOMPARE(static_cast<quint64>(filter.rowCount()), wrong);
        filter.setShow(PredictionFilterModel::Show::All);
        lap("filter all");

        const auto sourceRow = [&](int r) { return filter.mapToSource(filter.index(r, 0)).row(); };
        const auto rowAt = [&](int r) -> const PredictedConnection& {
            return model.row(sourceRow(r));
        };
        const QPersistentModelIndex kept = filter.index(12'345, PredictionTableModel::Sni);
        clock.restart();
        filter.sort(PredictionTableModel::Probability, Qt::DescendingOrder);
        lap("sort by probability asked (the GUI thread's part)");
        // The rows keep their order until the sort is done off the GUI thread.
        QVERIFY(filter.isSorting());
        QCOMPARE(sourceRow(0), 0);
        qint64 stall = 0;
        QVERIFY(waitSorted(filter, &stall));
        lap("sort by probability done");
        qInfo("longest GUI-thread stall meanwhile: %lld ms", static_cast<long long>(stall));
        QCOMPARE(filter.rowCount(), kRows);
        for (int r = 1; r < kRows; ++r) {
            const double a = rowAt(r - 1).probability;
            const double b = rowAt(r).probability;
            QVERIFY(a >= b);
            if (a == b && sourceRow(r - 1) > sourceRow(r))
                QFAIL("ties are not in the engine's order");
        }
        QCOMPARE(filter.mapToSource(kept).row(), 12'345);
        QCOMPARE(kept.data().toString(), QString::fromStdString(model.row(12'345).connection.sni));

        clock.restart();
        filter.sort(PredictionTableModel::Capture, Qt::AscendingOrder);
        QVERIFY(waitSorted(filter));
        lap("sort by capture");
        for (int r = 1; r < kRows; ++r) {
            const ConnectionRow& a = rowAt(r - 1).connection;
            const ConnectionRow& b = rowAt(r).connection;
            QVERIFY(std::tie(a.capturePath, a.startNs) < std::tie(b.capturePath, b.startNs));
        }
        QCOMPARE(rowAt(0).connection.capturePath, std::string("/data/capture0.pcap"));

        clock.restart();
        filter.setShow(PredictionFilterModel::Show::WrongOrUnknown);
        QVERIFY(!filter.isSorting()); // the filter walks the sorted order
        lap("filter wrong or unknown, sorted by capture");
        for (int r = 1; r < filter.rowCount(); ++r)
            QVERIFY(rowAt(r - 1).connection.capturePath <= rowAt(r).connection.capturePath);
        filter.sort(PredictionTableModel::Sni, Qt::AscendingOrder);
        QVERIFY(waitSorted(filter, &stall));
        lap("sort those by SNI");
        qInfo("longest GUI-thread stall meanwhile: %lld ms", static_cast<long long>(stall));
        QCOMPARE(static_cast<quint64>(filter.rowCount()), wrong + kRows / 10);
        for (int r = 1; r < filter.rowCount(); ++r)
            QVERIFY(rowAt(r - 1).connection.sni <= rowAt(r).connection.sni);

        clock.restart();
        filter.sort(-1);
        lap("back to the engine's order");
        filter.setShow(PredictionFilterModel::Show::All);
        lap("filter all, in the engine's order");
        for (const int r : {0, 1, kRows / 2, kRows - 1})
            QCOMPARE(sourceRow(r), r);

        QTableView view;
        view.setModel(&filter);
        view.resize(1200, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.grab();
        lap("a table view shown");
        view.setSortingEnabled(true);
        view.sortByColumn(PredictionTableModel::TrueLabel, Qt::DescendingOrder);
        QVERIFY(waitSorted(filter));
        lap("the view sorted by true label");
        view.scrollToBottom();
        view.grab();
        lap("the view scrolled to the end");
        QVERIFY(rowAt(0).trueLabel >= rowAt(kRows - 1).trueLabel);
    }

    // The proxy outlives its source: it empties, and nothing dangles.
    void proxyOutlivesItsSource()
    {
        auto outcome = std::make_shared<PredictionOutcome>();
        outcome->rows.resize(3);
        PredictionFilterModel filter;
        QAbstractItemModelTester tester(&filter,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        {
            PredictionTableModel model;
            model.setOutcome(outcome);
            filter.setSourceModel(&model);
            QCOMPARE(filter.rowCount(), 3);
            filter.sort(PredictionTableModel::Sni, Qt::DescendingOrder);
            QCOMPARE(filter.rowCount(), 3);
        } // destroyed while the sort may still run: its result is dropped
        QCOMPARE(filter.rowCount(), 0);
        QVERIFY(!filter.index(0, 0).isValid());
        filter.sort(PredictionTableModel::Probability);
        QVERIFY(!filter.isSorting()); // nothing to sort
        QTest::qWait(50);
        QCOMPARE(filter.rowCount(), 0);
    }

    // Sorts asked for in quick succession: only the last one's order shows,
    // sortingChanged() goes true once and false once, and an outcome set
    // while a sort runs is shown in the engine's order, then sorted by the
    // same column.
    void newerSortsSupersedeOlder()
    {
        PredictionTableModel model;
        model.setOutcome(smallOutcome(5000));
        PredictionFilterModel filter;
        QAbstractItemModelTester tester(&filter,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        filter.setSourceModel(&model);
        QSignalSpy changes(&filter, &PredictionFilterModel::sortingChanged);
        filter.sort(PredictionTableModel::Probability, Qt::AscendingOrder);
        filter.sort(PredictionTableModel::Sni, Qt::DescendingOrder);
        filter.sort(PredictionTableModel::Probability, Qt::DescendingOrder);
        QVERIFY(waitSorted(filter));
        QTest::qWait(50); // any earlier sort's result has arrived too
        QCOMPARE(changes.count(), 2);
        QCOMPARE(changes[0][0].toBool(), true);
        QCOMPARE(changes[1][0].toBool(), false);
        for (int r = 1; r < filter.rowCount(); ++r)
            QVERIFY(filter.index(r - 1, PredictionTableModel::Probability).data().toDouble() >=
                    filter.index(r, PredictionTableModel::Probability).data().toDouble());
        QCOMPARE(filter.mapToSource(filter.index(0, 0)).row(), 0);

        // Back to the engine's order at once, even with a sort running.
        filter.sort(PredictionTableModel::Sni, Qt::AscendingOrder);
        filter.sort(-1);
        QVERIFY(!filter.isSorting());
        QTest::qWait(50);
        for (const int r : {0, 1, 2500, 4999})
            QCOMPARE(filter.mapToSource(filter.index(r, 0)).row(), r);

        // A new outcome: engine order first, then the column's order.
        filter.sort(PredictionTableModel::Sni, Qt::AscendingOrder);
        QVERIFY(waitSorted(filter));
        auto next = smallOutcome(300);
        next->rows[299].connection.sni = "aaa";
        model.setOutcome(next);
        QCOMPARE(filter.rowCount(), 300);
        QVERIFY(waitSorted(filter));
        QCOMPARE(filter.index(0, PredictionTableModel::Sni).data().toString(),
                 QStringLiteral("aaa"));
        for (int r = 1; r < filter.rowCount(); ++r)
            QVERIFY(filter.index(r - 1, PredictionTableModel::Sni).data().toString() <=
                    filter.index(r, PredictionTableModel::Sni).data().toString());
        // The filter keeps the order without sorting again.
        filter.setShow(PredictionFilterModel::Show::Wrong);
        QVERIFY(!filter.isSorting());
        QCOMPARE(filter.rowCount(), 100);
        for (int r = 1; r < filter.rowCount(); ++r)
            QVERIFY(filter.index(r - 1, PredictionTableModel::Sni).data().toString() <=
                    filter.index(r, PredictionTableModel::Sni).data().toString());
    }
};

QTEST_MAIN(TestPredictionProxy)
#include "test_prediction_proxy.moc"
