// The workbench on a generated 532-class catalog, offscreen: the scale
// generator (tools/make_scale_captures.py, 532 services, at least 4
// connections each: small enough for CI), `snilab-cli ingest` and a small
// random-forest run, then every view at that size: the Catalog's lazy
// connections table and Figure 3 (top N, the tail in words), the Per label
// tab's worst-N subset and search, the confusion matrix with 532 classes, its
// most confused pairs and the grouped order, and a pair shown in the heatmap.
// How long each view took is logged (the benchmark, tests/bench/scale_bench.py,
// reports it; nothing here is timed).
#include "core/catalog_models.h"
#include "core/confused_pairs_model.h"
#include "core/connection_table_model.h"
#include "isolated_settings.h"
#include "widgets/catalog_page.h"
#include "widgets/figure_view.h"
#include "widgets/heatmap_view.h"
#include "widgets/main_window.h"
#include "widgets/result_view.h"
#include "widgets/results_page.h"
#include "widgets/runs_page.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QItemSelectionModel>
#include <QProcess>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace snilab::ui;

namespace {

constexpr int kClasses = 532;

bool runTool(const QString& program, const QStringList& args, QString* output)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(240000)) {
        *output = QStringLiteral("timed out");
        return false;
    }
    *output = QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

} // namespace

class TestScale : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_catalog;

private Q_SLOTS:
    void initTestCase()
    {
#if !SNILAB_WITH_OPENCV
        QSKIP("this build has no random forest");
#endif
        QVERIFY(m_dir.isValid());
        isolateSettings(m_dir, QStringLiteral("snilab-test-scale"));
        const QString data = m_dir.filePath(QStringLiteral("captures"));
        m_catalog = m_dir.filePath(QStringLiteral("scale.sqlite"));
        QString out;
        QVERIFY2(
            runTool(QStringLiteral("python3"),
                    {QStringLiteral(SNILAB_TEST_DATA_DIR "/../../tools/make_scale_captures.py"),
                     "--out", data, "--services", QString::number(kClasses), "--connections",
                     "2600", "--min-per-class", "4", "--seed", "5"},
                    &out),
            qPrintable(out));
        QVERIFY2(runTool(QStringLiteral(SNILAB_CLI_EXE),
                         {"ingest", "--quiet", "--catalog", m_catalog, data}, &out),
                 qPrintable(out));
        QVERIFY2(runTool(QStringLiteral(SNILAB_CLI_EXE),
                         {"evaluate", "--quiet", "--catalog", m_catalog, "--models", "rf",
                          "--thresholds", "4", "--folds", "2", "--trees", "5", "--threads", "2"},
                         &out),
                 qPrintable(out));
    }

    void everyViewAt532Classes()
    {
        QElapsedTimer clock;
        clock.start();
        const auto lap = [&](const char* what) {
            qInfo("%s: %lld ms", what, static_cast<long long>(clock.restart()));
        };
        MainWindow window;
        window.resize(1280, 820);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.openCatalog(m_catalog));
        // The connections and label counts arrive from pool threads.
        QVERIFY(QTest::qWaitFor([&] { return !window.catalogPage()->isLoading(); }));
        lap("open catalog");

        // The Catalog tab: the lazy connections table, Figure 3's top 20 and tail.
        window.showTab(MainWindow::CatalogTab);
        CatalogPage* catalog = window.catalogPage();
        QCOMPARE(catalog->connectionModel()->rowCount() > 0, true);
        QCOMPARE(catalog->labelCountModel()->rowCount(), kClasses);
        catalog->topNBox()->setValue(20);
        QCOMPARE(catalog->labelCountView()->figure().categories.size(), 20);
        QVERIFY2(catalog->tailSummary().startsWith(QStringLiteral("The other 512 labels")),
                 qPrintable(catalog->tailSummary()));
        window.grab();
        lap("catalog tab");

        // The run: per label and confusion at 532 classes.
        std::int64_t runId = 0;
        for (const auto& r : window.runsPage()->runModel()->runs())
            runId = r.id;
        QVERIFY(runId > 0);
        QVERIFY(window.openRun(runId));
        ResultView* view = window.resultsPage()->resultView(0);
        view->showTab(1);
        FigureView* perLabel = view->figureView(ResultView::Figure::PerLabel);
        QCOMPARE(perLabel->figure().categories.size(), kClasses);
        window.grab();
        lap("per label, all 532");
        LabelSelection worst;
        worst.order = LabelSelection::Order::WorstFirst;
        worst.count = 25;
        view->setLabelSelection(worst);
        const FigureData subset = perLabel->figure();
        QCOMPARE(subset.categories.size(), 25);
        QVERIFY(std::is_sorted(subset.series[0].values.begin(), subset.series[0].values.end()));
        QVERIFY2(subset.title.contains(QStringLiteral("25 worst of 532 by rf")),
                 qPrintable(subset.title));
        LabelSelection search;
        search.contains = QStringLiteral("svc012");
        view->setLabelSelection(search);
        QCOMPARE(perLabel->figure().categories.size(), 10); // svc0120 .. svc0129
        window.grab();
        lap("per label, subsets");

        view->showTab(4);
        QCOMPARE(view->confusionModel()->classCount(), kClasses);
        ConfusedPairsModel* pairs = view->confusedPairsModel();
        QVERIFY(pairs->rowCount() > 0);
        window.grab();
        lap("confusion");
        const QModelIndex top = pairs->index(0, 0);
        view->confusedPairsTable()->selectionModel()->setCurrentIndex(
            top, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QCOMPARE(view->heatmap()->highlighted(),
                 QPoint(top.data(ConfusedPairsModel::ColumnRole).toInt(),
                        top.data(ConfusedPairsModel::RowRole).toInt()));
        // Grouped: far more confusion between neighbours than in label order,
        // the same classes and the same pairs.
        ConfusionMatrixModel* matrix = view->confusionModel();
        const auto neighbours = [&] {
            quint64 n = 0;
            for (int i = 0; i + 1 < matrix->classCount(); ++i)
                n += matrix->count(i, i + 1) + matrix->count(i + 1, i);
            return n;
        };
        const quint64 byLabel = neighbours();
        const QString topPair =
            top.data().toString() + QLatin1Char('>') + pairs->index(0, 1).data().toString();
        matrix->setOrder(ConfusionMatrixModel::Order::Grouped);
        QCOMPARE(matrix->classCount(), kClasses);
        QStringList labels;
        for (int i = 0; i < kClasses; ++i)
            labels << matrix->label(i);
        labels.removeDuplicates();
        QCOMPARE(labels.size(), kClasses);
        QVERIFY2(neighbours() > 2 * byLabel,
                 qPrintable(QStringLiteral("%1 vs %2").arg(neighbours()).arg(byLabel)));
        QCOMPARE(pairs->index(0, 0).data().toString() + QLatin1Char('>') +
                     pairs->index(0, 1).data().toString(),
                 topPair);
        window.grab();
        lap("confusion, grouped");
    }
};

QTEST_MAIN(TestScale)
#include "test_scale.moc"
