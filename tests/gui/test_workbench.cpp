// The workbench offscreen (QT_QPA_PLATFORM=offscreen): create a catalog,
// ingest a demo capture through the worker, run a small experiment, check
// that the charts hold the catalog's values, export every format and
// validate the files, the responsiveness of the GUI thread while ingest and
// training run, the experiment dialog, the heatmap, settings, and the batch
// modes (`snilab --figures`, `--screenshots`) as a separate process.
#include "charts/figure_export.h"
#include "core/workbench_settings.h"
#include "isolated_settings.h"
#include "widgets/captures_page.h"
#include "widgets/catalog_page.h"
#include "widgets/experiment_dialog.h"
#include "widgets/figure_view.h"
#include "widgets/heatmap_view.h"
#include "widgets/main_window.h"
#include "widgets/result_view.h"
#include "widgets/results_page.h"
#include "widgets/runs_page.h"

#include "catalog/catalog.h"
#include "eval/evaluator.h"

#include <QApplication>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QGraphicsScene>
#include <QGraphicsTextItem>
#include <QHorizontalBarSeries>
#include <QImage>
#include <QLabel>
#include <QLineSeries>
#include <QListWidget>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <QTimer>
#include <QXmlStreamReader>

#include <algorithm>
#include <cmath>
#include <functional>

using namespace snilab;
using namespace snilab::ui;

namespace {

const QString kData = QStringLiteral(SNILAB_TEST_DATA_DIR);
const QString kSamples = QStringLiteral(SNILAB_SAMPLES_DIR);

// Measures the longest gap between ticks of a 10 ms timer on the GUI thread.
class Heartbeat : public QObject {
public:
    Heartbeat()
    {
        m_timer.setInterval(10);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] {
            if (m_clock.isValid())
                m_maxGap = std::max(m_maxGap, m_clock.restart());
            else
                m_clock.start();
        });
        m_timer.start();
    }
    qint64 maxGapMs() const { return m_maxGap; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_maxGap = 0;
};

// Runs the event loop until the job ends; returns the heartbeat's worst gap
// while it ran. `each` (optional) runs after every event-loop pass.
qint64 waitWithHeartbeat(BackgroundJob* job, int timeoutMs = 120000,
                         const std::function<void()>& each = {})
{
    Heartbeat beat;
    QElapsedTimer total;
    total.start();
    while (job->isRunning() && total.elapsed() < timeoutMs) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        if (each)
            each();
    }
    return beat.maxGapMs();
}

QString checkFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return QStringLiteral("missing ") + path;
    const QByteArray bytes = f.readAll();
    if (path.endsWith(QLatin1String(".csv")))
        return bytes.count('\n') >= 2 && bytes.contains(',')
                   ? QString()
                   : QStringLiteral("not a CSV table: ") + path;
    if (bytes.size() < 100)
        return QStringLiteral("too small ") + path;
    if (path.endsWith(QLatin1String(".png"))) {
        QImage image;
        if (!image.loadFromData(bytes, "PNG") || image.width() < 100)
            return QStringLiteral("PNG does not decode: ") + path;
    } else if (path.endsWith(QLatin1String(".svg"))) {
        QXmlStreamReader xml(bytes);
        bool sawSvg = false;
        while (!xml.atEnd())
            if (xml.readNext() == QXmlStreamReader::StartElement &&
                xml.name() == QLatin1String("svg"))
                sawSvg = true;
        if (xml.hasError() || !sawSvg)
            return QStringLiteral("SVG does not parse: ") + path + " " + xml.errorString();
    } else if (path.endsWith(QLatin1String(".pdf"))) {
        if (!bytes.startsWith("%PDF") || !bytes.contains("%%EOF"))
            return QStringLiteral("not a PDF: ") + path;
    } else if (path.endsWith(QLatin1String(".tex"))) {
        if (!bytes.contains("\\begin{tabular}") || !bytes.contains("\\end{tabular}"))
            return QStringLiteral("not a LaTeX table: ") + path;
    }
    return {};
}

double gridMetric(const GridCell& c, const std::string& name)
{
    for (const auto& [n, v] : c.metrics)
        if (n == name)
            return v.first;
    return NAN;
}

// The lines of a chart (each line figure also has a marker series per line).
QList<QLineSeries*> lineSeries(QChart* chart)
{
    QList<QLineSeries*> out;
    for (QAbstractSeries* s : chart->series())
        if (auto* line = qobject_cast<QLineSeries*>(s))
            out << line;
    return out;
}

} // namespace

class TestWorkbench : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_catalog;
    std::int64_t m_runId = 0;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        isolateSettings(m_dir, QStringLiteral("snilab-test"));
        m_catalog = m_dir.filePath(QStringLiteral("flows.sqlite"));
    }

    // Catalog, ingest through the worker, catalog views, experiment, result charts.
    void ingestTrainAndShow()
    {
        MainWindow window;
        window.resize(1200, 800);
        window.show();
        QVERIFY(!window.addCaptures({kSamples + "/day2.pcapng"})); // no catalog yet
        QVERIFY(window.openCatalog(m_catalog, true));
        QVERIFY(
            WorkbenchSettings().recentCatalogs().contains(QFileInfo(m_catalog).absoluteFilePath()));

        QSignalSpy files(window.capturesPage()->ingestJob(), &IngestJob::fileFinished);
        QSignalSpy fileProgress(window.capturesPage()->ingestJob(), &IngestJob::fileProgress);
        QVERIFY(window.addCaptures({kSamples + "/day2.pcapng", kData + "/not_a_capture.pcap"}));
        // A row per file in the captures panel, queued until read.
        QCOMPARE(window.capturesPage()->ingestFileTable()->model(),
                 window.capturesPage()->ingestFileModel());
        QCOMPARE(window.capturesPage()->ingestFileModel()->rowCount(), 2);
        QCOMPARE(window.capturesPage()->ingestFileModel()->state(1),
                 IngestFileModel::FileState::Queued);
        const qint64 ingestGap = waitWithHeartbeat(window.capturesPage()->ingestJob());
        QVERIFY(!window.capturesPage()->ingestJob()->isRunning());
        QCOMPARE(files.count(), 2);
        // Per-file progress: the big capture reported several fractions.
        QList<double> day2Fractions;
        for (const auto& args : fileProgress)
            if (args.at(0).toInt() == 0)
                day2Fractions << args.at(1).toDouble();
        QVERIFY2(day2Fractions.size() >= 3, qPrintable(QString::number(day2Fractions.size())));
        QCOMPARE(day2Fractions.front(), 0.0);
        QVERIFY(std::is_sorted(day2Fractions.begin(), day2Fractions.end()));
        QCOMPARE(window.capturesPage()->ingestFileModel()->state(0),
                 IngestFileModel::FileState::Done);
        QCOMPARE(window.capturesPage()->ingestFileModel()->fraction(0), 1.0);
        QCOMPARE(window.capturesPage()->ingestFileModel()->state(1),
                 IngestFileModel::FileState::Failed);
        QVERIFY(window.capturesPage()->ingestFileModel()->details(1).startsWith(
            QStringLiteral("not ingested: ")));
        QCOMPARE(window.capturesPage()->ingestProgress()->value(), 1000);
        window.capturesPage()
            ->ingestFileTable()
            ->viewport()
            ->grab(); // paints the progress delegate
        QVERIFY2(ingestGap < 100,
                 qPrintable(QStringLiteral("GUI stalled %1 ms during ingest").arg(ingestGap)));
        // One line per file: the good one ingested, the bad one with its reason.
        QStringList log;
        for (int i = 0; i < window.capturesPage()->ingestLog()->count(); ++i)
            log << window.capturesPage()->ingestLog()->item(i)->text();
        QVERIFY2(log.join('\n').contains(QStringLiteral("day2.pcapng: ")),
                 qPrintable(log.join('\n')));
        QVERIFY(log.join('\n').contains(QStringLiteral("not_a_capture.pcap: not ingested")));

        auto catalog = Catalog::openExisting(m_catalog.toStdString());
        QCOMPARE(window.capturesPage()->captureModel()->rowCount(), 2);
        QVERIFY(QTest::qWaitFor([&] { return !window.catalogPage()->isLoading(); }));
        QCOMPARE(static_cast<quint64>(window.catalogPage()->connectionModel()->rowCount()),
                 catalog->connections().connectionCount());
        QVERIFY(window.catalogPage()->connectionModel()->rowCount() > 100);

        // Figure 3: the top labels by connection count, from the catalog.
        auto counts = catalog->connections().labelCounts();
        std::erase_if(counts, [](const auto& c) { return c.label.empty(); });
        std::sort(counts.begin(), counts.end(),
                  [](const auto& a, const auto& b) { return a.connections > b.connections; });
        QChart* fig3 = window.catalogPage()->labelCountView()->chartView()->chart();
        QCOMPARE(fig3->series().size(), 1);
        auto* bars = qobject_cast<QAbstractBarSeries*>(fig3->series().front());
        // Many labels: horizontal bars, first label at the top (last in the set).
        QVERIFY(bars);
        QCOMPARE(bars->barSets().front()->count(),
                 static_cast<int>(std::min<std::size_t>(20, counts.size())));
        const int n = static_cast<int>(bars->barSets().front()->count());
        QVERIFY(qobject_cast<QHorizontalBarSeries*>(bars));
        QCOMPARE(bars->barSets().front()->at(n - 1), double(counts.front().connections));
        QCOMPARE(bars->barSets().front()->at(0),
                 double(counts[static_cast<std::size_t>(n - 1)].connections));

        // The threshold slider: classes and connections that remain.
        const int t = static_cast<int>(counts[2].connections);
        window.catalogPage()->thresholdSlider()->setValue(t);
        int classes = 0;
        quint64 kept = 0;
        for (const auto& c : counts)
            if (c.connections >= static_cast<quint64>(t)) {
                ++classes;
                kept += c.connections;
            }
        QVERIFY2(window.catalogPage()->thresholdSummary().contains(
                     QStringLiteral("%1 classes").arg(classes)),
                 qPrintable(window.catalogPage()->thresholdSummary()));
        QVERIFY(window.catalogPage()->thresholdSummary().contains(QLocale().toString(kept)));

        // A small experiment, watched.
        ExperimentSetup setup;
        setup.thresholds = QStringLiteral("20,55");
        setup.folds = 3;
        setup.trees = 30;
        setup.threads = 1;
        QVERIFY(window.startExperiment(setup));
        // A second one asked for while this runs waits in the queue; take it out again.
        QVERIFY(window.startExperiment(setup));
        QCOMPARE(window.runsPage()->queuedCount(), 1);
        QVERIFY(window.runsPage()->removeQueued(0));
        QCOMPARE(window.runsPage()->queuedCount(), 0);
        // The Runs list shows the run while it runs (read off the GUI thread).
        std::int64_t seenRunning = 0;
        const qint64 trainGap = waitWithHeartbeat(window.runsPage()->evaluationJob(), 120000, [&] {
            for (const auto& r : window.runsPage()->runModel()->runs())
                if (r.status == RunStatus::Running)
                    seenRunning = r.id;
        });
        QVERIFY2(trainGap < 100,
                 qPrintable(QStringLiteral("GUI stalled %1 ms during training").arg(trainGap)));
        const auto& outcome = window.runsPage()->evaluationJob()->outcome();
        QVERIFY2(outcome.status == RunStatus::Finished, outcome.error.c_str());
        m_runId = outcome.runId;
        QCOMPARE(seenRunning, m_runId);
        // And its final status once it has ended.
        const int runRow = window.runsPage()->runModel()->rowOf(m_runId);
        QVERIFY(runRow >= 0);
        QCOMPARE(window.runsPage()->runModel()->runs()[static_cast<std::size_t>(runRow)].status,
                 RunStatus::Finished);
        QCOMPARE(WorkbenchSettings().experimentSetup(), setup);

        // The finished run opens in the result views; charts hold the catalog's values.
        // (It loads in the catalog session, off the GUI thread.)
        QVERIFY(window.session()->waitForIdle());
        ResultView* view = window.resultsPage()->resultView(0);
        QCOMPARE(view->run().info.id, m_runId);
        const auto grid = catalog->runs().runGrid(m_runId);
        QChart* acc =
            view->figureView(ResultView::Figure::AccuracyVsThreshold)->chartView()->chart();
        QLineSeries* rf = nullptr;
        for (QAbstractSeries* s : acc->series())
            if (s->name() == QLatin1String("rf"))
                rf = qobject_cast<QLineSeries*>(s);
        QVERIFY(rf);
        QCOMPARE(rf->count(), 2);
        for (const auto& c : grid) {
            const QPointF p = rf->at(c.threshold == 20 ? 0 : 1);
            QCOMPARE(p.x(), double(c.threshold));
            QCOMPARE(p.y(), gridMetric(c, "accuracy"));
        }
        view->setThreshold(20);
        QChart* perLabel = view->figureView(ResultView::Figure::PerLabel)->chartView()->chart();
        auto* perLabelBars = qobject_cast<QAbstractBarSeries*>(perLabel->series().front());
        QVERIFY(perLabelBars);
        const auto classResults = catalog->runs().runClasses(m_runId, "rf", 20);
        QCOMPARE(perLabelBars->barSets().front()->count(), static_cast<int>(classResults.size()));
        for (std::size_t i = 0; i < classResults.size(); ++i)
            QCOMPARE(
                perLabelBars->barSets().front()->at(static_cast<int>(classResults.size() - 1 - i)),
                classResults[i].accuracy);
        QChart* metrics = view->figureView(ResultView::Figure::Metrics)->chartView()->chart();
        auto* metricBars = qobject_cast<QAbstractBarSeries*>(metrics->series().front());
        QCOMPARE(metricBars->barSets().front()->at(0), gridMetric(grid.front(), "accuracy"));
        QVERIFY(view->figureView(ResultView::Figure::Direction)->figure().isEmpty());
        QCOMPARE(view->confusionModel()->total(), grid.front().samples);
        QCOMPARE(view->table1Model()->rowCount(), 2);

        // Heatmap: hover text of a cell, zoom.
        HeatmapView* heat = view->heatmap();
        view->showTab(4);
        heat->resize(600, 600);
        heat->setCellSize(20);
        QCOMPARE(heat->cellSize(), 20);
        const QPoint cell =
            heat->cellAt(QPoint(heat->cellSize() * 2 + 300, heat->cellSize() * 2 + 300));
        if (cell.x() >= 0) {
            const QString text = heat->cellText(cell.y(), cell.x());
            QVERIFY(text.contains(view->confusionModel()->label(cell.y())));
            QVERIFY(
                text.contains(QString::number(view->confusionModel()->count(cell.y(), cell.x()))));
        }
        QCOMPARE(heat->cellAt(QPoint(-5, -5)), QPoint(-1, -1));
        heat->setCellSize(100);
        QCOMPARE(heat->cellSize(), 48);

        // Compare: the same run beside itself.
        QVERIFY(window.compareRun(m_runId));
        QVERIFY(window.resultsPage()->resultView(1)->isVisible());
        QCOMPARE(window.resultsPage()->resultView(1)->run().info.id, m_runId);

        // Export every figure in every format, and every table.
        ExportSize size;
        size.dpi = 150;
        for (auto f : {ResultView::Figure::AccuracyVsThreshold, ResultView::Figure::PerLabel,
                       ResultView::Figure::Metrics})
            for (const char* ext : {"png", "svg", "pdf"}) {
                const QString path =
                    m_dir.filePath(QStringLiteral("gui_%1.%2").arg(int(f)).arg(ext));
                QString error;
                QVERIFY2(view->figureView(f)->exportTo(path, size, &error), qPrintable(error));
                const QString bad = checkFile(path);
                QVERIFY2(bad.isEmpty(), qPrintable(bad));
            }
        QString error;
        QVERIFY(!view->figureView(ResultView::Figure::Direction)
                     ->exportTo(m_dir.filePath("d.png"), size, &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(!view->figureView(ResultView::Figure::Metrics)
                     ->exportTo(m_dir.filePath("m.bmp"), size, &error));
        for (const char* ext : {"png", "svg", "pdf"}) {
            const QString path = m_dir.filePath(QStringLiteral("heat.%1").arg(ext));
            QVERIFY(exportHeatmap(*view->confusionModel(), "confusion", path, *exportFormatOf(path),
                                  size, &error));
            const QString bad = checkFile(path);
            QVERIFY2(bad.isEmpty(), qPrintable(bad));
        }
        window.close();
    }

    void liveTrainingCurves()
    {
        MainWindow window;
        QVERIFY(window.openCatalog(m_catalog));
        QVERIFY(window.runsPage()->lossView()->figure().isEmpty());
        for (int e = 1; e <= 3; ++e) {
            EpochReport r;
            r.model = "cnngru-iat";
            r.threshold = 100;
            r.epoch = e;
            r.trainLoss = 3.0 / e;
            r.validationLoss = 3.5 / e;
            r.trainAccuracy = 0.2 * e;
            r.validationAccuracy = 0.25 * e;
            // As the evaluation job delivers them on the GUI thread.
            Q_EMIT window.runsPage()->evaluationJob()->epochReported(r);
        }
        QChart* loss = window.runsPage()->lossView()->chartView()->chart();
        QLineSeries* val = nullptr;
        for (QAbstractSeries* s : loss->series())
            if (s->name() == QLatin1String("validation, fold 1"))
                val = qobject_cast<QLineSeries*>(s);
        QVERIFY(val);
        QCOMPARE(val->count(), 3);
        QCOMPARE(val->at(2), QPointF(3, 3.5 / 3));
        QChart* acc = window.runsPage()->accuracyView()->chartView()->chart();
        // Two lines (train and validation), each with its marker series.
        QCOMPARE(lineSeries(acc).size(), 2);
        QCOMPARE(acc->series().size(), 4);
        QVERIFY(acc->title().contains(QStringLiteral("cnngru-iat")));
    }

    // A real network run through the evaluation job: the epochs arrive live
    // and the training curves hold exactly what the catalog stored.
    void realNetworkCurves()
    {
        const auto available = EvaluationConfig::availableModels();
        if (std::find(available.begin(), available.end(), "gru") == available.end())
            QSKIP("this build has no LibTorch networks");
        QElapsedTimer clock;
        clock.start();
        MainWindow window;
        QVERIFY(window.openCatalog(m_dir.filePath(QStringLiteral("network.sqlite")), true));
        QVERIFY(window.addCaptures({kSamples + "/day2.pcapng"}));
        waitWithHeartbeat(window.capturesPage()->ingestJob());
        QCOMPARE(window.capturesPage()->ingestFileModel()->state(0),
                 IngestFileModel::FileState::Done);
        // A threshold that keeps the four biggest classes.
        QVERIFY(QTest::qWaitFor([&] { return !window.catalogPage()->isLoading(); }));
        const auto& counts = window.catalogPage()->labelCountModel()->counts();
        QVERIFY(counts.size() >= 4);
        const int threshold = static_cast<int>(counts[3].connections);

        ExperimentSetup setup;
        setup.thresholds = QString::number(threshold);
        setup.models = {QStringLiteral("gru")};
        setup.folds = 2;
        setup.epochs = 2;
        setup.patience = 2;
        setup.threads = 2;
        setup.device = QStringLiteral("cpu");
        EvaluationJob* job = window.runsPage()->evaluationJob();
        QSignalSpy epochs(job, &BackgroundJob::epochReported);
        int live = 0; // epochs delivered to the GUI thread while the job still ran
        connect(job, &BackgroundJob::epochReported, this, [&] {
            if (job->isRunning())
                ++live;
        });
        QVERIFY(window.startExperiment(setup));
        const qint64 gap = waitWithHeartbeat(job, 120000);
        const auto& outcome = job->outcome();
        QVERIFY2(outcome.status == RunStatus::Finished, outcome.error.c_str());

        auto catalog = Catalog::openExisting(window.catalogPath().toStdString());
        const auto stored = catalog->runs().runEpochs(outcome.runId);
        // 2 folds x 2 epochs (patience 2 cannot stop a 2-epoch run early).
        QCOMPARE(static_cast<int>(stored.size()), setup.folds * setup.epochs);
        QCOMPARE(epochs.count(), static_cast<int>(stored.size()));
        QCOMPARE(live, epochs.count());

        // Every (model, threshold, fold) curve holds exactly the stored epochs.
        TrainingCurves* curves = window.runsPage()->trainingCurves();
        QCOMPARE(curves->keys().size(), setup.folds);
        const auto keyOf = [](const EpochReport& e) {
            return QStringLiteral("%1, T=%2, fold %3")
                .arg(QString::fromStdString(e.model))
                .arg(e.threshold)
                .arg(e.fold + 1);
        };
        const auto near = [](double a, double b) { return std::abs(a - b) <= 1e-9; };
        for (const QString& key : curves->keys()) {
            std::vector<EpochReport> mine;
            for (const auto& e : stored)
                if (keyOf(e) == key)
                    mine.push_back(e);
            QCOMPARE(curves->epochCount(key), static_cast<int>(mine.size()));
            const FigureData loss = curves->lossFigure(key);
            const FigureData acc = curves->accuracyFigure(key);
            QCOMPARE(loss.x.size(), static_cast<qsizetype>(mine.size()));
            for (std::size_t i = 0; i < mine.size(); ++i) {
                const auto n = static_cast<qsizetype>(i);
                QCOMPARE(loss.x[n], double(mine[i].epoch));
                QVERIFY(near(loss.series[0].values[n], mine[i].trainLoss));
                QVERIFY(near(loss.series[1].values[n], mine[i].validationLoss));
                QVERIFY(near(acc.series[0].values[n], mine[i].trainAccuracy));
                QVERIFY(near(acc.series[1].values[n], mine[i].validationAccuracy));
            }
        }
        // The charts show the last network trained, point for point, laid out
        // in the default window on the Runs tab.
        window.resize(1280, 820);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.showTab(MainWindow::RunsTab);
        QTest::qWait(50);
        const QString current = curves->currentKey();
        QCOMPARE(current, keyOf(stored.back()));
        for (const bool isLoss : {true, false}) {
            QChart* chart =
                (isLoss ? window.runsPage()->lossView() : window.runsPage()->accuracyView())
                    ->chartView()
                    ->chart();
            // "train, fold N" of the fold trained last, "validation, fold k"
            // of each fold of that model and threshold.
            int matched = 0;
            const QString group = current.left(current.lastIndexOf(QLatin1String(", fold ")));
            for (QLineSeries* line : lineSeries(chart)) {
                const bool train = line->name().startsWith(QLatin1String("train, fold "));
                const QString fold = line->name().mid(line->name().lastIndexOf(QLatin1Char(' ')));
                if (train)
                    QCOMPARE(group + QStringLiteral(", fold") + fold, current);
                std::vector<EpochReport> mine;
                for (const auto& e : stored)
                    if (keyOf(e) == group + QStringLiteral(", fold") + fold)
                        mine.push_back(e);
                QVERIFY2(!mine.empty(), qPrintable(line->name()));
                QCOMPARE(line->count(), static_cast<int>(mine.size()));
                for (int i = 0; i < line->count(); ++i) {
                    const auto& e = mine[static_cast<std::size_t>(i)];
                    const double want = isLoss ? (train ? e.trainLoss : e.validationLoss)
                                               : (train ? e.trainAccuracy : e.validationAccuracy);
                    QCOMPARE(line->at(i).x(), double(e.epoch));
                    QVERIFY2(near(line->at(i).y(), want),
                             qPrintable(QStringLiteral("%1 vs %2").arg(line->at(i).y()).arg(want)));
                }
                ++matched;
            }
            QCOMPARE(matched, 1 + setup.folds);
            // The axis titles ("Cross-entropy", "Epoch") are drawn whole.
            for (QGraphicsItem* item : chart->scene()->items())
                if (auto* text = dynamic_cast<QGraphicsTextItem*>(item); text && item->isVisible())
                    QVERIFY2(!text->toPlainText().contains(QChar(0x2026)) &&
                                 !text->toPlainText().contains(QLatin1String("...")),
                             qPrintable(text->toPlainText()));
        }
        // Logged, not asserted: the responsiveness bound is checked in
        // ingestTrainAndShow; LibTorch's threads compete harder on busy cores.
        qInfo("real network run: %lld ms (ingest + 2 folds x 2 epochs), worst GUI gap %lld ms",
              static_cast<long long>(clock.elapsed()), static_cast<long long>(gap));
    }

    void experimentDialog()
    {
        ExperimentDialog dialog;
        const auto device = dialog.findChildren<QComboBox*>();
        QComboBox* deviceBox = nullptr;
        for (QComboBox* c : device)
            if (c->findData(QStringLiteral("cuda")) >= 0)
                deviceBox = c;
        QVERIFY(deviceBox);
        auto* model = qobject_cast<QStandardItemModel*>(deviceBox->model());
        QCOMPARE(model->item(2)->isEnabled(), deviceAvailability().cuda);
        if (!deviceAvailability().cuda)
            QVERIFY(!model->item(2)->toolTip().isEmpty());
        auto* models = dialog.findChild<QListWidget*>();
        QCOMPARE(models->count(), static_cast<int>(EvaluationConfig::modelChoices().size()));

        ExperimentSetup s;
        s.thresholds = QStringLiteral("10,x");
        dialog.setSetup(s);
        dialog.show();
        dialog.accept();
        QVERIFY(dialog.isVisible()); // refused
        QVERIFY(dialog.validationError().contains(QStringLiteral("thresholds")));
        dialog.applyPaperPreset();
        QVERIFY(dialog.validationError().isEmpty());
        QVERIFY(dialog.setup().paperPreset);
        QCOMPARE(dialog.setup().thresholds, QStringLiteral("100-1000/100"));
        s = dialog.setup();
        s.ensembles = {QStringLiteral("0.5*rf+0.5*cnngru-packet")};
        dialog.setSetup(s);
        QCOMPARE(dialog.setup().ensembles, s.ensembles);
        // Honest inputs: a value the engine refuses stays as typed, its
        // reason shows at once and Run is disabled until it is valid.
        dialog.show();
        QPushButton* run = nullptr;
        for (QPushButton* b : dialog.findChildren<QPushButton*>())
            if (b->text() == QLatin1String("Run"))
                run = b;
        QVERIFY(run && run->isEnabled());
        QSpinBox* folds = nullptr;
        QSpinBox* patience = nullptr;
        QSpinBox* depth = nullptr;
        for (QSpinBox* box : dialog.findChildren<QSpinBox*>()) {
            if (box->toolTip().contains(QStringLiteral("deepest level")))
                depth = box;
            if (box->value() == dialog.setup().folds && box->toolTip().startsWith("Folds"))
                folds = box;
            if (box->toolTip().contains(QStringLiteral("validation loss before")))
                patience = box;
            QVERIFY2(!box->toolTip().isEmpty(), "every field explains itself");
        }
        QVERIFY(folds && patience && depth);
        QCOMPARE(depth->value(), 25);
        depth->setValue(0);
        QCOMPARE(depth->value(), 0);
        QVERIFY2(dialog.validationError().contains(QStringLiteral("max depth")),
                 qPrintable(dialog.validationError()));
        QVERIFY(!run->isEnabled());
        depth->setValue(25);
        folds->setValue(1);
        QCOMPARE(folds->value(), 1); // not clamped, not reverted
        QVERIFY2(dialog.validationError().contains(QStringLiteral("folds")),
                 qPrintable(dialog.validationError()));
        QVERIFY(!run->isEnabled());
        QVERIFY(dialog.findChild<QLabel*>() != nullptr);
        folds->setValue(10);
        QVERIFY(run->isEnabled());
        patience->setValue(0);
        QVERIFY2(dialog.validationError().contains(QStringLiteral("patience")),
                 qPrintable(dialog.validationError()));
        QVERIFY(!run->isEnabled());
        dialog.accept();
        QVERIFY(dialog.isVisible()); // refused
        patience->setValue(5);
        QVERIFY(run->isEnabled());
        dialog.accept();
        QVERIFY(!dialog.isVisible());
    }

    void settingsPersist()
    {
        {
            MainWindow window;
            window.resize(911, 677);
            window.show();
            QVERIFY(window.openCatalog(m_catalog));
            window.close();
        }
        MainWindow again;
        QCOMPARE(again.size(), QSize(911, 677));
        QCOMPARE(WorkbenchSettings().recentCatalogs().front(),
                 QFileInfo(m_catalog).absoluteFilePath());
        MainWindow bad;
        QVERIFY(!bad.openCatalog(kData + "/not_a_capture.pcap"));
        QVERIFY(!bad.lastError().isEmpty());
    }

    // Panels belong to their catalog: what the job and ingest panels showed
    // for one catalog is gone when another opens.
    void panelsResetOnCatalogSwitch()
    {
        const QString other = m_dir.filePath(QStringLiteral("other.sqlite"));
        QFile::remove(other);
        QVERIFY(QFile::copy(m_catalog, other));
        MainWindow window;
        QVERIFY(window.openCatalog(m_catalog));
        QList<QWidget*> pages = {window.runsPage(), window.capturesPage()};
        for (QWidget* page : pages) {
            QLabel* stage = nullptr;
            for (QLabel* label : page->findChildren<QLabel*>())
                if (label->text() == QLatin1String("idle"))
                    stage = label;
            QVERIFY(stage);
            stage->setText(QStringLiteral("Run 4 cancelled")); // what the last job left
            for (QProgressBar* bar : page->findChildren<QProgressBar*>())
                bar->setValue(bar->maximum() / 2);
        }
        QVERIFY(window.openCatalog(other));
        for (QWidget* page : pages) {
            for (QLabel* label : page->findChildren<QLabel*>())
                QVERIFY2(label->text() != QLatin1String("Run 4 cancelled"),
                         page->metaObject()->className());
            for (QProgressBar* bar : page->findChildren<QProgressBar*>())
                QCOMPARE(bar->value(), 0);
        }
    }

    void damagedCatalogRefused()
    {
        const QString damaged = m_dir.filePath(QStringLiteral("damaged.sqlite"));
        QVERIFY(QFile::copy(m_catalog, damaged));
        QFile file(damaged);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY2(file.size() > 50'000, qPrintable(QString::number(file.size())));
        QVERIFY(file.seek(file.size() / 2));
        file.write(QByteArray(8192, '\xa5'));
        file.close();
        MainWindow window;
        QVERIFY(!window.openCatalog(damaged));
        QVERIFY2(window.lastError().contains(QStringLiteral("is damaged and was not opened")),
                 qPrintable(window.lastError()));
        QVERIFY(window.lastError().contains(QStringLiteral("create a new catalog")));
        QVERIFY(window.lastError().contains(QStringLiteral("What can still be read")));
        QVERIFY(window.catalogPath().isEmpty());
        QVERIFY(
            !WorkbenchSettings().recentCatalogs().contains(QFileInfo(damaged).absoluteFilePath()));
    }

    void batchFigures()
    {
        QVERIFY(m_runId > 0);
        const QString out = m_dir.filePath(QStringLiteral("figures"));
        QProcess p;
        p.start(QStringLiteral(SNILAB_GUI_EXE),
                {"--figures", "--catalog", m_catalog, "--run", QString::number(m_runId), "--out",
                 out, "--dpi", "100"});
        QVERIFY(p.waitForFinished(120000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        const QStringList names = QDir(out).entryList(QDir::Files);
        for (const char* required :
             {"fig3_label_counts.png", "fig5_accuracy_vs_threshold.svg",
              "fig7_per_label_accuracy_T20.pdf", "fig11_metrics_T55.png", "confusion_rf_T20.svg",
              "table1.csv", "table1.tex", "per_class_T20.csv"})
            QVERIFY2(names.contains(QString::fromLatin1(required)), required);
        for (const QString& name : names) {
            if (name == QLatin1String("epochs.csv") || name == QLatin1String("run.txt"))
                continue; // the run report's; compared with the CLI's below
            const QString bad = checkFile(QDir(out).filePath(name));
            QVERIFY2(bad.isEmpty(), qPrintable(bad));
        }
        // The run report: the same bytes as `snilab-cli report` for this run,
        // file for file (one builder, report/run_report.h).
        const QString cliOut = m_dir.filePath(QStringLiteral("cli-report"));
        QProcess cli;
        cli.start(QStringLiteral(SNILAB_CLI_EXE), {"report", "--catalog", m_catalog, "--run",
                                                   QString::number(m_runId), "--out", cliOut});
        QVERIFY(cli.waitForFinished(120000));
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
        int compared = 0;
        QDirIterator files(cliOut, QDir::Files, QDirIterator::Subdirectories);
        while (files.hasNext()) {
            const QString cliFile = files.next();
            const QString rel = QDir(cliOut).relativeFilePath(cliFile);
            QFile a(cliFile), b(QDir(out).filePath(rel));
            QVERIFY2(b.open(QIODevice::ReadOnly),
                     qPrintable(QStringLiteral("--figures lacks ") + rel));
            QVERIFY(a.open(QIODevice::ReadOnly));
            QVERIFY2(a.readAll() == b.readAll(), qPrintable(QStringLiteral("differs: ") + rel));
            ++compared;
        }
        QVERIFY2(compared >= 7, qPrintable(QString::number(compared)));
        QProcess usage;
        usage.start(QStringLiteral(SNILAB_GUI_EXE), {"--figures", "--catalog", m_catalog});
        QVERIFY(usage.waitForFinished(60000));
        QCOMPARE(usage.exitCode(), 2);
        QProcess missing;
        missing.start(QStringLiteral(SNILAB_GUI_EXE),
                      {"--figures", "--catalog", m_catalog, "--run", "999", "--out", out});
        QVERIFY(missing.waitForFinished(60000));
        QCOMPARE(missing.exitCode(), 1);
        QVERIFY(missing.readAllStandardError().contains("no run 999"));
    }

    void batchScreenshots()
    {
        const QString out = m_dir.filePath(QStringLiteral("shots"));
        QProcess p;
        p.start(QStringLiteral(SNILAB_GUI_EXE), {"--screenshots", out, "--catalog", m_catalog});
        QVERIFY(p.waitForFinished(120000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        for (const char* name : {"captures.png", "catalog.png", "runs.png", "result_confusion.png",
                                 "prediction.png"}) {
            const QString bad = checkFile(QDir(out).filePath(QString::fromLatin1(name)));
            QVERIFY2(bad.isEmpty(), qPrintable(bad));
        }
    }
};

QTEST_MAIN(TestWorkbench)
#include "test_workbench.moc"
