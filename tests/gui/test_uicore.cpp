// ui/core: jobs on QThreads (QSignalSpy), the catalog session (open, load
// and delete runs off the GUI thread), the catalog and result models
// (QAbstractItemModelTester), figure data against the catalog, table export,
// experiment set-up validation and persistence. QtCore only (no GUI).
#include "core/catalog_models.h"
#include "core/catalog_session.h"
#include "core/confused_pairs_model.h"
#include "core/connection_table_model.h"
#include "core/evaluation_job.h"
#include "core/experiment_setup.h"
#include "core/export_guard.h"
#include "core/ingest_file_model.h"
#include "core/ingest_job.h"
#include "core/job_feedback.h"
#include "core/result_models.h"
#include "core/run_data.h"
#include "core/table_export.h"
#include "core/training_curves.h"

#include "catalog/catalog.h"
#include "ingest/ingester.h"
#include "report/run_report.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QFileInfo>
#include <QSemaphore>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <cmath>
#include <thread>

using namespace snilab;
using namespace snilab::ui;

namespace {

const QString kData = QStringLiteral(SNILAB_TEST_DATA_DIR);
const QString kSamples = QStringLiteral(SNILAB_SAMPLES_DIR);

// Waits for a job to finish while running the event loop.
bool waitFor(BackgroundJob& job, int ms = 120000)
{
    QSignalSpy spy(&job, &BackgroundJob::finished);
    return job.isRunning() ? spy.wait(ms) : true;
}

double gridMetric(const GridCell& c, const std::string& name)
{
    for (const auto& [n, v] : c.metrics)
        if (n == name)
            return v.first;
    return NAN;
}

} // namespace

class TestUiCore : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_demo; // day2.pcapng ingested, one rf run
    std::int64_t m_runId = 0;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_demo = m_dir.filePath(QStringLiteral("demo.sqlite"));
        IngestJob ingest;
        QVERIFY(ingest.start(m_demo, {kSamples + QStringLiteral("/day2.pcapng")}));
        QVERIFY(waitFor(ingest));
        QCOMPARE(ingest.reports().size(), 1);
        QVERIFY2(ingest.reports()[0].ok, qPrintable(ingest.reports()[0].message));

        EvaluationJob eval;
        EvaluationConfig config;
        config.thresholds = {20, 55};
        config.folds = 2;
        config.trees = 5;
        config.threads = 1;
        QSignalSpy progress(&eval, &BackgroundJob::progressChanged);
        QVERIFY(eval.start(m_demo, config));
        QVERIFY(!eval.start(m_demo, config)); // one run at a time
        QVERIFY(waitFor(eval));
        QVERIFY2(eval.outcome().status == RunStatus::Finished, eval.outcome().error.c_str());
        QVERIFY(eval.outcome().runId > 0);
        QVERIFY(progress.count() >= 2);
        m_runId = eval.outcome().runId;
    }

    void ingestReportsEachFileAndKeepsGoodOnes()
    {
        const QString path = m_dir.filePath(QStringLiteral("mixed.sqlite"));
        IngestJob job;
        QSignalSpy files(&job, &IngestJob::fileFinished);
        QSignalSpy progress(&job, &BackgroundJob::progressChanged);
        QSignalSpy finished(&job, &BackgroundJob::finished);
        QVERIFY(job.start(path, {kData + "/not_a_capture.pcap", kData + "/basic.pcap",
                                 kData + "/truncated.pcap", kData + "/missing.pcap"}));
        QVERIFY(job.isRunning());
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.count(), 1);
        QCOMPARE(files.count(), 4);
        QVERIFY(progress.count() >= 1);
        QCOMPARE(progress.last().at(0).toDouble(), 1.0);
        const auto reports = job.reports();
        QCOMPARE(reports.size(), 4);
        QVERIFY(!reports[0].ok);
        QCOMPARE(reports[0].outcome, QStringLiteral("failed"));
        QVERIFY(!reports[0].message.isEmpty());
        QVERIFY(reports[1].ok);
        QVERIFY(reports[1].connections > 0);
        QCOMPARE(reports[2].outcome, QStringLiteral("partial"));
        QVERIFY(!reports[3].ok);
        QVERIFY(job.catalogError().isEmpty());
        // The good file is in the catalog despite the bad ones.
        auto catalog = Catalog::openExisting(path.toStdString());
        QVERIFY(catalog->connections().connectionCount() >= reports[1].connections);

        // Again: same content is recognised, nothing added.
        QVERIFY(job.start(path, {kData + "/basic.pcap"}));
        QVERIFY(waitFor(job));
        QCOMPARE(job.reports()[0].outcome, QStringLiteral("already-present"));
        QVERIFY(job.reports()[0].ok);
    }

    void ingestCancel()
    {
        const QString path = m_dir.filePath(QStringLiteral("cancel.sqlite"));
        IngestJob job;
        QVERIFY(job.start(path, {kSamples + "/day2.pcapng", kSamples + "/day1.pcap.gz"}));
        job.cancel();
        QVERIFY(waitFor(job));
        QVERIFY(job.wasCancelled());
        // Only files that were being read when the cancel came have a result.
        for (const auto& r : job.reports())
            QVERIFY2(r.outcome == QLatin1String("cancelled") || r.ok, qPrintable(r.message));
        auto catalog = Catalog::openExisting(path.toStdString());
        for (const auto& c : catalog->captures().all())
            QVERIFY(c.status != CaptureStatus::Complete ||
                    c.path.find("day1") == std::string::npos);
    }

    // Per-file rows: each file gets a row, progress arrives per file before
    // its outcome, each row ends in its own state, bad files show the reason.
    void ingestFileRows()
    {
        const QString path = m_dir.filePath(QStringLiteral("rows.sqlite"));
        IngestJob job;
        IngestFileModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.watch(&job);
        // (index, fraction) for progress, (index, -1) for an outcome, in arrival order.
        QList<QPair<int, double>> events;
        connect(&job, &IngestJob::fileProgress, this, [&](int i, double f) {
            // The model has already applied it (connected first): the row reads.
            QCOMPARE(model.state(i), IngestFileModel::FileState::Reading);
            events.append({i, f});
        });
        connect(&job, &IngestJob::fileFinished, this, [&](int i, const IngestFileReport&) {
            events.append({i, -1.0});
        });
        const QStringList files = {kData + "/not_a_capture.pcap", kData + "/basic.pcap",
                                   kData + "/truncated.pcap", kData + "/missing.pcap"};
        QVERIFY(job.start(path, files));
        QCOMPARE(model.rowCount(), 4);
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(model.state(i), IngestFileModel::FileState::Queued);
            QCOMPARE(model.data(model.index(i, IngestFileModel::File)).toString(),
                     QFileInfo(files[i]).fileName());
        }
        QVERIFY(waitFor(job));

        // Files run in parallel: per file, progress (starting at 0, never
        // going back) before its one outcome, and nothing after it.
        for (int file = 0; file < 4; ++file) {
            double last = -1;
            bool sawOutcome = false;
            for (const auto& [i, f] : events) {
                if (i != file)
                    continue;
                QVERIFY2(!sawOutcome, "an event after the file's outcome");
                if (f < 0) {
                    QVERIFY2(last >= 0, "an outcome without progress before it");
                    sawOutcome = true;
                } else {
                    QVERIFY(last >= 0 || f == 0.0);
                    QVERIFY(f >= last && f <= 1.0);
                    last = f;
                }
            }
            QVERIFY2(sawOutcome, qPrintable(QStringLiteral("file %1 has no outcome").arg(file)));
        }

        using S = IngestFileModel::FileState;
        QCOMPARE(model.state(0), S::Failed);
        QCOMPARE(model.state(1), S::Done);
        QCOMPARE(model.state(2), S::Partial);
        QCOMPARE(model.state(3), S::Failed);
        QCOMPARE(model.fraction(1), 1.0);
        QCOMPARE(model.data(model.index(1, IngestFileModel::Progress)).toString(),
                 QStringLiteral("100 %"));
        QCOMPARE(model.data(model.index(2, IngestFileModel::State)).toString(),
                 QStringLiteral("partial"));
        const auto reports = job.reports();
        for (int i = 0; i < 4; ++i)
            QCOMPARE(model.details(i), reports[i].message);
        QVERIFY(model.details(0).startsWith(QStringLiteral("not ingested: ")));
        QVERIFY(model.details(3).startsWith(QStringLiteral("not ingested: ")));
        QVERIFY(model.details(1).contains(QStringLiteral("connections")));
        QVERIFY(IngestFileModel::isProblem(model.state(0)));
        QVERIFY(!IngestFileModel::isProblem(model.state(1)));
        QVERIFY(model.data(model.index(0, 0), Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("not ingested")));

        // Again: the rows are replaced by the new job's files.
        QVERIFY(job.start(path, {kData + "/basic.pcap"}));
        QCOMPARE(model.rowCount(), 1);
        QVERIFY(waitFor(job));
        QCOMPARE(model.state(0), S::AlreadyPresent);

        // Cancel: the files the job never reached end `not reached`.
        const QString other = m_dir.filePath(QStringLiteral("rows_cancel.sqlite"));
        QVERIFY(job.start(other, {kSamples + "/day2.pcapng", kSamples + "/day1.pcap.gz"}));
        job.cancel();
        QVERIFY(waitFor(job));
        QVERIFY(job.wasCancelled());
        QVERIFY(model.state(0) == S::Cancelled || model.state(0) == S::NotReached);
        QCOMPARE(model.state(1), S::NotReached);
        QVERIFY(!model.details(1).isEmpty());
    }

    void ingestBadCatalogReportsError()
    {
        IngestJob job;
        QVERIFY(job.start(kData + "/not_a_capture.pcap", {kData + "/basic.pcap"}));
        QVERIFY(waitFor(job));
        QVERIFY(!job.catalogError().isEmpty());
    }

    void feedbackAcrossThreads()
    {
        JobFeedback feedback(nullptr, std::chrono::milliseconds(1000));
        QSignalSpy epochs(&feedback, &JobFeedback::epochReported);
        QSignalSpy progress(&feedback, &JobFeedback::progressChanged);
        std::thread worker([&] {
            for (int i = 1; i <= 1000; ++i)
                feedback.progress(i / 1000.0, "stage");
            for (int e = 1; e <= 5; ++e) {
                EpochReport r;
                r.model = "cnngru-packet";
                r.threshold = 100;
                r.epoch = e;
                r.maxEpochs = 5;
                r.trainLoss = 2.0 / e;
                r.validationLoss = 2.5 / e;
                r.validationAccuracy = 0.1 * e;
                feedback.epoch(r);
            }
        });
        worker.join();
        QTRY_COMPARE(epochs.count(), 5);
        // Throttled: the first, and the final 1.0; far fewer than 1000.
        QTRY_VERIFY(progress.count() >= 2);
        QVERIFY(progress.count() < 10);
        QCOMPARE(progress.last().at(0).toDouble(), 1.0);
        QCOMPARE(progress.last().at(1).toString(), QStringLiteral("stage"));
        TrainingCurves curves;
        QSignalSpy changed(&curves, &TrainingCurves::changed);
        for (const auto& args : epochs)
            curves.addEpoch(args.at(0).value<EpochReport>());
        QCOMPARE(changed.count(), 5);
        QCOMPARE(curves.keys(), QStringList{QStringLiteral("cnngru-packet, T=100, fold 1")});
        const FigureData loss = curves.lossFigure();
        QCOMPARE(loss.x, (QList<double>{1, 2, 3, 4, 5}));
        QCOMPARE(loss.series.size(), 2);
        QCOMPARE(loss.findSeries("validation loss")->values[1], 1.25);
        QCOMPARE(curves.accuracyFigure().findSeries("validation accuracy")->values[4], 0.5);
        TrainingCurves empty;
        QVERIFY(empty.lossFigure().isEmpty());
        QVERIFY(!empty.lossFigure().emptyReason.isEmpty());
        QVERIFY(empty.foldsFigure(true).isEmpty());
        QVERIFY(!empty.foldsFigure(true).emptyReason.isEmpty());
    }

    // The most confused pairs (most connections first, positions in the
    // matrix's order) and the order that groups confused classes.
    void confusedPairsAndGroupedOrder()
    {
        ConfusionMatrixModel matrix;
        const QStringList labels = {"a", "b", "c", "d", "e", "f"};
        std::vector<quint64> counts(36, 0);
        const auto at = [&](int i, int j) -> quint64& { return counts[std::size_t(i * 6 + j)]; };
        for (int i = 0; i < 6; ++i)
            at(i, i) = 10;
        at(0, 3) = 5; // a -> d
        at(3, 0) = 3; // d -> a
        at(1, 4) = 2; // b -> e
        at(5, 1) = 1; // f -> b
        matrix.setMatrix(labels, counts);
        ConfusedPairsModel pairs;
        QAbstractItemModelTester tester(&pairs,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        pairs.setMatrix(&matrix);
        QCOMPARE(pairs.rowCount(), 4);
        const auto row = [&](int r) {
            return QStringList{pairs.index(r, 0).data().toString(),
                               pairs.index(r, 1).data().toString(),
                               pairs.index(r, 2).data().toString()};
        };
        QCOMPARE(row(0), QStringList({"a", "d", "5"}));
        QCOMPARE(row(1), QStringList({"d", "a", "3"}));
        QCOMPARE(row(3), QStringList({"f", "b", "1"}));
        QCOMPARE(pairs.index(0, ConfusedPairsModel::Share).data().toString(),
                 QStringLiteral("0.333"));
        QCOMPARE(pairs.index(0, 0).data(ConfusedPairsModel::RowRole).toInt(), 0);
        QCOMPARE(pairs.index(0, 0).data(ConfusedPairsModel::ColumnRole).toInt(), 3);

        matrix.setOrder(ConfusionMatrixModel::Order::Grouped);
        QStringList order;
        for (int i = 0; i < 6; ++i)
            order << matrix.label(i);
        QCOMPARE(order, QStringList({"a", "d", "b", "e", "f", "c"}));
        // The pairs follow the new order.
        QCOMPARE(row(0), QStringList({"a", "d", "5"}));
        QCOMPARE(pairs.index(0, 0).data(ConfusedPairsModel::ColumnRole).toInt(), 1);
        QCOMPARE(matrix.count(0, 1), quint64{5});
        pairs.setMatrix(nullptr);
        QCOMPARE(pairs.rowCount(), 0);
    }

    // The per-label figure at 532 classes: every label in name order by
    // default; the worst or best N by the first model's accuracy (a label
    // without a result last), the most connections first, a search; the
    // other models' bars follow the same labels; the title says which.
    void perLabelSelection()
    {
        RunData run;
        run.models = {QStringLiteral("rf"), QStringLiteral("gru")};
        run.thresholds = {100};
        const int k = 532;
        for (const char* model : {"rf", "gru"}) {
            std::vector<ClassResult> classes;
            for (int i = 0; i < k; ++i) {
                ClassResult c;
                c.classIndex = i;
                c.label = QStringLiteral("svc%1.scale.test")
                              .arg(i, 4, 10, QLatin1Char('0'))
                              .toStdString();
                c.support = static_cast<std::uint64_t>(100 + (i * 37) % 900);
                // rf: a permutation of accuracies; label 7 has none (NaN).
                c.accuracy = std::string(model) == "rf"
                                 ? (i == 7 ? std::nan("") : double((i * 131) % k) / k)
                                 : 0.5;
                classes.push_back(c);
            }
            run.classes[{model, 100}] = classes;
        }
        FigureData all = perLabelAccuracyFigure(run, 100);
        QCOMPARE(all.categories.size(), qsizetype(k));
        QVERIFY(std::is_sorted(all.categories.begin(), all.categories.end()));
        QCOMPARE(all.title, QStringLiteral("Accuracy per label, T = 100"));

        LabelSelection worst;
        worst.order = LabelSelection::Order::WorstFirst;
        worst.count = 20;
        const FigureData w = perLabelAccuracyFigure(run, 100, worst);
        QCOMPARE(w.categories.size(), 20);
        QCOMPARE(w.series.size(), 2);
        QVERIFY(std::is_sorted(w.series[0].values.begin(), w.series[0].values.end()));
        QCOMPARE(w.series[0].values[0], 0.0); // (i * 131) % 532 == 0 at i = 0
        QCOMPARE(w.categories[0], QStringLiteral("svc0000.scale.test"));
        QCOMPARE(w.series[1].values, QList<double>(20, 0.5));
        QCOMPARE(w.title, QStringLiteral("Accuracy per label, T = 100 — 20 worst of 532 by rf"));
        LabelSelection everyWorst = worst;
        everyWorst.count = 0;
        const FigureData ew = perLabelAccuracyFigure(run, 100, everyWorst);
        QCOMPARE(ew.categories.last(), QStringLiteral("svc0007.scale.test")); // NaN last

        LabelSelection best = worst;
        best.order = LabelSelection::Order::BestFirst;
        best.count = 3;
        const FigureData b = perLabelAccuracyFigure(run, 100, best);
        QCOMPARE(b.series[0].values[0], double(k - 1) / k);
        QVERIFY(b.series[0].values[0] > b.series[0].values[1] &&
                b.series[0].values[1] > b.series[0].values[2]);

        LabelSelection support;
        support.order = LabelSelection::Order::Support;
        support.count = 2;
        const FigureData sp = perLabelAccuracyFigure(run, 100, support);
        int most = 0;
        for (int i = 1; i < k; ++i)
            if ((i * 37) % 900 > (most * 37) % 900)
                most = i;
        QCOMPARE(sp.categories[0],
                 QStringLiteral("svc%1.scale.test").arg(most, 4, 10, QLatin1Char('0')));
        QVERIFY(sp.title.contains(QStringLiteral("2 with the most connections of 532")));

        LabelSelection search;
        search.contains = QStringLiteral("SVC011");
        const FigureData se = perLabelAccuracyFigure(run, 100, search);
        QCOMPARE(se.categories.size(), 10); // svc0110 .. svc0119
        QVERIFY2(se.title.endsWith(QStringLiteral("containing 'SVC011', 10 of 532")),
                 qPrintable(se.title));
        search.contains = QStringLiteral("nothing-like-this");
        const FigureData none = perLabelAccuracyFigure(run, 100, search);
        QVERIFY(none.isEmpty());
        QVERIFY(none.emptyReason.contains(QStringLiteral("nothing-like-this")));
    }

    // The views' curves: every fold of the (model, threshold) being trained,
    // a fold stopped early leaves NaN past its last epoch; another threshold
    // starts afresh.
    void trainingCurvesShowEveryFold()
    {
        TrainingCurves curves;
        const auto report = [&](int threshold, int fold, int epoch, double loss) {
            EpochReport r;
            r.model = "cnngru-packet";
            r.threshold = threshold;
            r.fold = fold;
            r.epoch = epoch;
            r.trainLoss = loss;
            r.validationLoss = loss + 0.5;
            r.trainAccuracy = 0.5;
            r.validationAccuracy = 0.25;
            curves.addEpoch(r);
        };
        for (int e = 1; e <= 3; ++e)
            report(100, 0, e, 4 - e);
        for (int e = 1; e <= 2; ++e) // stopped early
            report(100, 1, e, 10 + e);
        FigureData loss = curves.foldsFigure(true);
        QCOMPARE(loss.x, (QList<double>{1, 2, 3}));
        const auto names = [](const FigureData& f) {
            QStringList out;
            for (const FigureSeries& s : f.series)
                out << s.name;
            return out;
        };
        QCOMPARE(names(loss),
                 QStringList({"train, fold 2", "validation, fold 2", "validation, fold 1"}));
        QCOMPARE(loss.series[0].values[1], 12.0);
        QVERIFY(std::isnan(loss.series[0].values[2]));
        QCOMPARE(loss.series[1].values[0], 11.5);
        QVERIFY(std::isnan(loss.series[1].values[2]));
        QCOMPARE(loss.series[2].values, (QList<double>{3.5, 2.5, 1.5}));
        QVERIFY(loss.title.contains(QStringLiteral("cnngru-packet, T=100, 2 folds")));
        QCOMPARE(loss.yTitle, QStringLiteral("Loss"));
        QVERIFY(loss.yMax >= 12.5);
        // A third fold: the other two as their mean ± std, where both or one
        // reached the epoch.
        report(100, 2, 1, 7);
        loss = curves.foldsFigure(true);
        QCOMPARE(names(loss), QStringList({"train, fold 3", "validation, fold 3",
                                           "validation, 2 other folds (mean ± std)"}));
        QCOMPARE(loss.series[2].values[0], (3.5 + 11.5) / 2);
        QCOMPARE(loss.series[2].errors[0], 4.0);
        QCOMPARE(loss.series[2].values[2], 1.5); // fold 2 stopped at epoch 2
        QCOMPARE(loss.series[2].errors[2], 0.0);
        QVERIFY(std::isnan(loss.series[0].values[1]));
        const FigureData accuracy = curves.foldsFigure(false);
        QVERIFY(accuracy.share);
        QCOMPARE(accuracy.series[1].values[0], 0.25);
        report(200, 0, 1, 1);
        loss = curves.foldsFigure(true);
        QCOMPARE(loss.series.size(), 2); // train and validation of T=200's fold 1
        QCOMPARE(loss.x, (QList<double>{1}));
    }

    void connectionTableIsLazyAndFiltered()
    {
        ConnectionTableModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setCatalogPath(m_demo);
        QVERIFY(model.lastError().isEmpty());
        auto catalog = Catalog::openExisting(m_demo.toStdString());
        QCOMPARE(static_cast<quint64>(model.rowCount()), catalog->connections().connectionCount());
        QVERIFY(model.rowCount() > ConnectionTableModel::kPageSize * 2);
        // Nothing read until a row is asked for; then one page per page touched
        // (a model without a tester: the tester itself reads rows).
        ConnectionTableModel lazy;
        lazy.setCatalogPath(m_demo);
        QCOMPARE(lazy.rowCount(), model.rowCount());
        QCOMPARE(lazy.pagesRead(), 0);
        const QModelIndex first = lazy.index(0, ConnectionTableModel::Id);
        QCOMPARE(lazy.data(first).toLongLong(), lazy.connectionId(0));
        QCOMPARE(lazy.pagesRead(), 1);
        lazy.data(lazy.index(1, ConnectionTableModel::Sni));
        QCOMPARE(lazy.pagesRead(), 1);
        const int last = lazy.rowCount() - 1;
        QCOMPARE(lazy.data(lazy.index(last, ConnectionTableModel::Id)).toLongLong(),
                 lazy.connectionId(last));
        QCOMPARE(lazy.pagesRead(), 2);
        // The rows are the catalog's rows.
        std::map<std::int64_t, ConnectionRow> rows;
        catalog->connections().forEachConnection([&](const ConnectionRow& r) { rows[r.id] = r; });
        for (int row : {0, 1, 300, last}) {
            const auto& r = rows.at(model.connectionId(row));
            QCOMPARE(model.data(model.index(row, ConnectionTableModel::Sni)).toString(),
                     QString::fromStdString(r.sni));
            QCOMPARE(model.data(model.index(row, ConnectionTableModel::PacketsUp)).toULongLong(),
                     r.packets[0]);
        }

        LabelCountModel counts;
        counts.setCatalogPath(m_demo);
        const auto& top = counts.counts().front();
        ConnectionFilter filter;
        filter.labelContains = top.label;
        model.setFilter(filter);
        QCOMPARE(static_cast<quint64>(model.rowCount()), top.connections);
        for (int row = 0; row < model.rowCount(); row += 17)
            QVERIFY(model.data(model.index(row, ConnectionTableModel::Label))
                        .toString()
                        .contains(QString::fromStdString(top.label)));
        filter = {};
        filter.sni = ConnectionFilter::Sni::Absent;
        model.setFilter(filter);
        QCOMPARE(static_cast<quint64>(model.rowCount()), counts.unlabeledConnections());
        filter.sni = ConnectionFilter::Sni::Any;
        filter.captureId = 999999;
        model.setFilter(filter);
        QCOMPARE(model.rowCount(), 0);

        model.setCatalogPath(kData + "/not_a_capture.pcap");
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.lastError().isEmpty());
    }

    // Background loading (the workbench's Catalog page): the query runs on a
    // pool thread, the model keeps its rows until the result arrives as one
    // reset, a newer reload supersedes a running one, and errors arrive the
    // same way. The results equal the synchronous ones.
    void catalogModelsLoadInTheBackground()
    {
        ConnectionTableModel now;
        now.setCatalogPath(m_demo);
        LabelCountModel countsNow;
        countsNow.setCatalogPath(m_demo);
        QVERIFY(now.rowCount() > 0);

        ConnectionTableModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setBackgroundLoading(true);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        model.setCatalogPath(m_demo);
        QVERIFY(model.isLoading());
        QCOMPARE(model.rowCount(), 0); // nothing yet: the result comes with the event loop
        QVERIFY(QTest::qWaitFor([&] { return !model.isLoading(); }));
        QCOMPARE(resets.count(), 1);
        QCOMPARE(model.rowCount(), now.rowCount());
        for (const int row : {0, 1, now.rowCount() - 1})
            QCOMPARE(model.connectionId(row), now.connectionId(row));

        // Three filters in a row: only the last one's rows arrive, in one reset.
        const auto& top = countsNow.counts().front();
        ConnectionFilter filter;
        filter.sni = ConnectionFilter::Sni::Absent;
        model.setFilter(filter);
        filter.sni = ConnectionFilter::Sni::Any;
        filter.captureId = 999999;
        model.setFilter(filter);
        filter.captureId = 0;
        filter.labelContains = top.label;
        model.setFilter(filter);
        QCOMPARE(model.rowCount(), now.rowCount()); // the old rows stay meanwhile
        // ... and stay readable: a page not read before comes from the filter
        // the rows came from, not from the one still loading.
        const int middle = now.rowCount() / 2;
        QCOMPARE(model.data(model.index(middle, ConnectionTableModel::Id)).toLongLong(),
                 now.connectionId(middle));
        QVERIFY(
            !model.data(model.index(middle, ConnectionTableModel::Capture)).toString().isEmpty());
        resets.clear();
        QVERIFY(QTest::qWaitFor([&] { return !model.isLoading(); }));
        QTest::qWait(50); // a superseded result, had it been applied, would be here by now
        QCOMPARE(resets.count(), 1);
        QCOMPARE(static_cast<quint64>(model.rowCount()), top.connections);

        // An error, in the background too.
        QSignalSpy errors(&model, &ConnectionTableModel::errorOccurred);
        model.setCatalogPath(kData + "/not_a_capture.pcap");
        QVERIFY(QTest::qWaitFor([&] { return !model.isLoading(); }));
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.lastError().isEmpty());
        QCOMPARE(errors.count(), 1);

        LabelCountModel counts;
        counts.setBackgroundLoading(true);
        counts.setCatalogPath(m_demo);
        QVERIFY(counts.isLoading());
        QCOMPARE(counts.rowCount(), 0);
        QVERIFY(QTest::qWaitFor([&] { return !counts.isLoading(); }));
        QCOMPARE(counts.rowCount(), countsNow.rowCount());
        QCOMPARE(counts.unlabeledConnections(), countsNow.unlabeledConnections());
        for (int i = 0; i < counts.rowCount(); ++i) {
            QCOMPARE(counts.counts()[std::size_t(i)].label,
                     countsNow.counts()[std::size_t(i)].label);
            QCOMPARE(counts.counts()[std::size_t(i)].connections,
                     countsNow.counts()[std::size_t(i)].connections);
        }
        // Destroyed while loading: nothing is applied to a dead model.
        {
            ConnectionTableModel doomed;
            doomed.setBackgroundLoading(true);
            doomed.setCatalogPath(m_demo);
            QVERIFY(doomed.isLoading());
        }
        QTest::qWait(100);
    }

    void labelCountsAndThresholds()
    {
        LabelCountModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setCatalogPath(m_demo);
        QVERIFY(model.rowCount() >= 2);
        auto catalog = Catalog::openExisting(m_demo.toStdString());
        quint64 labeled = 0;
        for (const auto& c : catalog->connections().labelCounts())
            if (!c.label.empty())
                labeled += c.connections;
        QCOMPARE(model.summaryAt(0, ThresholdRule::AtLeast).connections, labeled);
        QCOMPARE(model.summaryAt(0, ThresholdRule::AtLeast).classes, model.rowCount());
        for (int i = 1; i < model.rowCount(); ++i)
            QVERIFY(model.counts()[i - 1].connections >= model.counts()[i].connections);
        const int t = static_cast<int>(model.counts()[1].connections);
        // At least t keeps the two largest (and ties); more than t drops the second.
        QVERIFY(model.summaryAt(t, ThresholdRule::AtLeast).classes >= 2);
        QVERIFY(model.summaryAt(t, ThresholdRule::MoreThan).classes <
                model.summaryAt(t, ThresholdRule::AtLeast).classes);
        QCOMPARE(model.summaryAt(model.maxCount() + 1, ThresholdRule::AtLeast).classes, 0);

        const FigureData fig3 = labelCountFigure(model.counts(), 5);
        QCOMPARE(fig3.categories.size(), 5);
        QCOMPARE(fig3.series.size(), 1);
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(fig3.categories[i], QString::fromStdString(model.counts()[i].label));
            QCOMPARE(fig3.series[0].values[i], double(model.counts()[i].connections));
        }
        QVERIFY(labelCountFigure({}, 5).isEmpty());
    }

    void captureAndRunLists()
    {
        CaptureListModel captures;
        QAbstractItemModelTester t1(&captures,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
        captures.setCatalogPath(m_demo);
        QCOMPARE(captures.rowCount(), 1);
        QCOMPARE(captures.data(captures.index(0, CaptureListModel::Status)).toString(),
                 QStringLiteral("complete"));
        RunListModel runs;
        QAbstractItemModelTester t2(&runs, QAbstractItemModelTester::FailureReportingMode::QtTest);
        runs.setCatalogPath(m_demo);
        const int row = runs.rowOf(m_runId);
        QVERIFY(row >= 0);
        QCOMPARE(runs.data(runs.index(row, RunListModel::Status)).toString(),
                 QStringLiteral("finished"));
        QCOMPARE(runs.data(runs.index(row, RunListModel::Models)).toString(), QStringLiteral("rf"));
        QCOMPARE(runs.data(runs.index(row, RunListModel::Thresholds)).toString(),
                 QStringLiteral("20,55"));
        QCOMPARE(runs.data(runs.index(row, 0), RunListModel::RunIdRole).toLongLong(), m_runId);

        // The same list read on a worker thread (the Runs tab's live refresh):
        // same rows, updated in place (no reset), a second call merged.
        QSignalSpy refreshed(&runs, &RunListModel::refreshed);
        QSignalSpy resets(&runs, &QAbstractItemModel::modelReset);
        runs.refreshAsync();
        runs.refreshAsync();
        QVERIFY(runs.isRefreshing());
        QVERIFY(refreshed.wait(10000));
        QCOMPARE(refreshed.count(), 1);
        QCOMPARE(resets.count(), 0);
        QCOMPARE(runs.rowOf(m_runId), row);
        QVERIFY(runs.lastError().isEmpty());
        // A file that is not a catalog: empty list and the reason.
        runs.setCatalogPath(kData + QStringLiteral("/not_a_capture.pcap"));
        QCOMPARE(runs.rowCount(), 0);
        QVERIFY(!runs.lastError().isEmpty());
    }

    void runDataFiguresMatchCatalog()
    {
        auto catalog = Catalog::openExisting(m_demo.toStdString());
        const RunData run = loadRunData(*catalog, m_runId);
        QCOMPARE(run.models, QStringList{QStringLiteral("rf")});
        QCOMPARE(run.thresholds, (QList<int>{20, 55}));
        const auto grid = catalog->runs().runGrid(m_runId);
        const FigureData acc = accuracyVsThresholdFigure(run);
        QCOMPARE(acc.x, (QList<double>{20, 55}));
        QCOMPARE(acc.series.size(), 1);
        for (const auto& c : grid) {
            const int i = c.threshold == 20 ? 0 : 1;
            if (c.classes >= 2)
                QCOMPARE(acc.series[0].values[i], gridMetric(c, "accuracy"));
        }
        const auto classes = catalog->runs().runClasses(m_runId, "rf", 20);
        const FigureData perLabel = perLabelAccuracyFigure(run, 20);
        QCOMPARE(perLabel.categories.size(), static_cast<qsizetype>(classes.size()));
        for (const auto& c : classes) {
            const auto i = perLabel.categories.indexOf(QString::fromStdString(c.label));
            QVERIFY(i >= 0);
            QCOMPARE(perLabel.series[0].values[i], c.accuracy);
        }
        const FigureData bars = metricBarsFigure(run, 20);
        QCOMPARE(bars.categories.size(), 4);
        QCOMPARE(bars.series[0].values[3], gridMetric(*run.cell("rf", 20), "macro_f1"));
        const FigureData dir = directionFigure(run, 20);
        QVERIFY(dir.isEmpty());
        QVERIFY(!dir.emptyReason.isEmpty());
        // A run with "m" and "m+dir" fills Figure 12 from both cells.
        RunData paired = run;
        paired.models << QStringLiteral("rf+dir");
        GridCell c = *run.cell("rf", 20);
        c.model = "rf+dir";
        c.metrics = {{"accuracy", {0.5, 0.01}}};
        paired.grid.push_back(c);
        const FigureData dir2 = directionFigure(paired, 20);
        QCOMPARE(dir2.categories, QStringList{QStringLiteral("rf")});
        QCOMPARE(dir2.findSeries("with direction")->values[0], 0.5);
        QCOMPARE(dir2.findSeries("without direction")->values[0],
                 gridMetric(*run.cell("rf", 20), "accuracy"));
        QVERIFY(runFigures(run).size() >= 3);

        Table1Model table;
        QAbstractItemModelTester t1(&table, QAbstractItemModelTester::FailureReportingMode::QtTest);
        table.setRun(run);
        QCOMPARE(table.rowCount(), 2);
        QCOMPARE(table.columnCount(), 4);
        QCOMPARE(table.data(table.index(0, 3), Qt::UserRole).toDouble(),
                 gridMetric(*run.cell("rf", 20), "accuracy"));
        QVERIFY(table.data(table.index(0, 3)).toString().contains(QStringLiteral("±")));

        PerClassModel perClass;
        QAbstractItemModelTester t2(&perClass,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
        perClass.setRun(run, 20);
        QCOMPARE(perClass.rowCount(), static_cast<int>(classes.size()));

        ConfusionMatrixModel matrix;
        QAbstractItemModelTester t3(&matrix,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
        matrix.setRun(run, QStringLiteral("rf"), 20);
        QCOMPARE(matrix.classCount(), static_cast<int>(classes.size()));
        // Every test connection once over all folds.
        QCOMPARE(matrix.total(), run.cell("rf", 20)->samples);
        quint64 diagonal = 0;
        for (int i = 0; i < matrix.classCount(); ++i)
            diagonal += matrix.count(i, i);
        QVERIFY(std::abs(double(diagonal) / double(matrix.total()) -
                         gridMetric(*run.cell("rf", 20), "accuracy")) < 0.02);
        matrix.setOrder(ConfusionMatrixModel::Order::Support);
        for (int i = 1; i < matrix.classCount(); ++i) {
            quint64 a = 0, b = 0;
            for (int j = 0; j < matrix.classCount(); ++j) {
                a += matrix.count(i - 1, j);
                b += matrix.count(i, j);
            }
            QVERIFY(a >= b);
        }
        matrix.setOrder(ConfusionMatrixModel::Order::Accuracy);
        for (int i = 1; i < matrix.classCount(); ++i)
            QVERIFY(matrix.fraction(i - 1, i - 1) <= matrix.fraction(i, i) + 1e-12);
        matrix.setNormalized(true);
        double rowSum = 0;
        for (int j = 0; j < matrix.classCount(); ++j)
            rowSum +=
                matrix.data(matrix.index(0, j), ConfusionMatrixModel::FractionRole).toDouble();
        QVERIFY(std::abs(rowSum - 1.0) < 1e-9);

        QVERIFY_THROWS_EXCEPTION(CatalogError, loadRunData(*catalog, 999));
    }

    void tableExport()
    {
        auto catalog = Catalog::openExisting(m_demo.toStdString());
        Table1Model table;
        table.setRun(loadRunData(*catalog, m_runId));
        const QString csv = tableToCsv(table);
        const QStringList lines = csv.split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        // The engine's Table 1 (report::table1Table): the file's column names,
        // the accuracy as separate numeric mean and std columns.
        QCOMPARE(lines[0], QStringLiteral("T,classes,connections,rf_mean,rf_std"));
        QVERIFY(lines[1].startsWith(QStringLiteral("20,")));
        const QStringList first = lines[1].split(QLatin1Char(','));
        QCOMPARE(first.size(), 5);
        bool meanOk = false, stdOk = false;
        const double mean = first[3].toDouble(&meanOk), spread = first[4].toDouble(&stdOk);
        QVERIFY2(meanOk && stdOk && mean > 0 && mean <= 1 && spread >= 0 && spread < 0.5,
                 qPrintable(lines[1]));
        QCOMPARE(table.headerData(1, Qt::Horizontal).toString(), QStringLiteral("Classes"));
        // Copied cells (Ctrl+C in a table): TSV of the selected columns with
        // their header, one line per selected row, a gap where a row lacks one.
        const QString tsv =
            selectionToTsv(table, {table.index(0, 0), table.index(0, 3), table.index(1, 3)});
        const QStringList tsvLines = tsv.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(tsvLines.size(), 3);
        QCOMPARE(tsvLines[0], QStringLiteral("T\trf"));
        QCOMPARE(tsvLines[1], QStringLiteral("20\t") + table.data(table.index(0, 3)).toString());
        QCOMPARE(tsvLines[2], QStringLiteral("\t") + table.data(table.index(1, 3)).toString());
        QCOMPARE(selectionToTsv(table, {}), QString());
        const QString tex = tableToLatex(table, QStringLiteral("caption_with_%\nnot a line"));
        QVERIFY(tex.contains(QStringLiteral("\\begin{tabular}{rrrc}")));
        QVERIFY(tex.startsWith(QStringLiteral("% caption_with_%\\x0anot a line\n")));
        // The exported Table 1 is the run report's table1.tex, byte for byte.
        const auto info = catalog->runs().find(m_runId);
        QVERIFY(info);
        const QString reportDir = m_dir.filePath(QStringLiteral("report_for_table1"));
        report::writeRunReport(*catalog, *info, reportDir.toStdString());
        QFile reportTex(reportDir + QStringLiteral("/table1.tex"));
        QVERIFY(reportTex.open(QIODevice::ReadOnly));
        const QString caption =
            QStringLiteral("snilab run %1: accuracy (mean $\\pm$ std over folds)").arg(m_runId);
        const QString reportText = QString::fromUtf8(reportTex.readAll());
        QCOMPARE(tableToLatex(table, caption), reportText);
        QVERIFY(reportText.startsWith(QStringLiteral("% ") + caption + QLatin1Char('\n')));
        QVERIFY(reportText.contains(QStringLiteral("(mean $\\pm$ std")));
        QVERIFY(tex.contains(QStringLiteral("$\\pm$")));
        QVERIFY(!tex.contains(QStringLiteral("±")) ||
                tex.indexOf(QStringLiteral("±")) < tex.indexOf(QStringLiteral("\\begin")));
        QVERIFY(tex.trimmed().endsWith(QStringLiteral("\\end{tabular}")));
        QString error;
        QVERIFY(writeTableCsv(table, m_dir.filePath("t.csv"), &error));
        QVERIFY(!writeTableCsv(table, m_dir.filePath("no/such/dir/t.csv"), &error));
        QVERIFY(error.contains(QStringLiteral("cannot write")));
    }

    void parseThresholds_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QList<int>>("expected");
        QTest::newRow("one") << "100" << QList<int>{100};
        QTest::newRow("list") << "300, 100,200" << QList<int>{100, 200, 300};
        QTest::newRow("range") << "100-500/200" << QList<int>{100, 300, 500};
        QTest::newRow("mixed") << "50,100-200/100" << QList<int>{50, 100, 200};
        QTest::newRow("dup-refused") << "50,100-200/100,100" << QList<int>{};
        QTest::newRow("empty-item") << "100,,200" << QList<int>{};
        QTest::newRow("bad") << "100,abc" << QList<int>{};
        QTest::newRow("negative") << "-5" << QList<int>{};
        QTest::newRow("empty") << "" << QList<int>{};
    }
    void parseThresholds()
    {
        QFETCH(QString, text);
        QFETCH(QList<int>, expected);
        QString error;
        QCOMPARE(ExperimentSetup::parseThresholds(text, &error), expected);
        QCOMPARE(error.isEmpty(), !expected.isEmpty());
    }

    void experimentSetupToConfigAndSettings()
    {
        ExperimentSetup s;
        s.thresholds = QStringLiteral("100-300/100");
        s.models = {QStringLiteral("rf")};
        s.ensembles = {QStringLiteral("0.5*rf + 0.5*cnngru-packet")};
        s.folds = 3;
        s.seed = 7;
        s.trees = 10;
        s.maxDepth = 12;
        s.split = QStringLiteral("capture");
        s.epochs = 12;
        s.patience = 3;
        s.batchSize = 128;
        s.device = QStringLiteral("cpu");
        EvaluationConfig c;
        QString error;
        QVERIFY2(s.toConfig(&c, &error), qPrintable(error));
        QCOMPARE(c.thresholds, (std::vector<int>{100, 200, 300}));
        QCOMPARE(c.models, (std::vector<std::string>{"rf", "0.5*rf+0.5*cnngru-packet"}));
        QCOMPARE(c.folds, 3);
        QCOMPARE(c.seed, 7u);
        QCOMPARE(c.trees, 10);
        QCOMPARE(c.maxDepth, 12);
        QVERIFY(c.split == SplitKind::Capture);
        QVERIFY(c.rule == ThresholdRule::AtLeast);
        QCOMPARE(c.epochs, 12);
        QCOMPARE(c.patience, 3);
        QCOMPARE(c.batchSize, 128);
        QCOMPARE(c.device, std::string("cpu"));

        ExperimentSetup paper = ExperimentSetup::paper();
        QVERIFY(paper.toConfig(&c, &error));
        QCOMPARE(c.preset, std::string("paper"));
        QVERIFY(c.rule == ThresholdRule::MoreThan);
        QCOMPARE(c.thresholds.size(), std::size_t(10));

        ExperimentSetup bad = s;
        bad.models.clear();
        bad.ensembles.clear();
        QVERIFY(!bad.toConfig(&c, &error));
        QVERIFY(error.contains(QStringLiteral("model")));
        bad = s;
        bad.folds = 1;
        QVERIFY(!bad.toConfig(&c, &error));
        QVERIFY2(error.contains(QStringLiteral("folds")), qPrintable(error));
        // The engine's rule, as the CLI's: patience 0 is refused before any run exists.
        bad = s;
        bad.patience = 0;
        QVERIFY(!bad.toConfig(&c, &error));
        QVERIFY2(error.contains(QStringLiteral("patience")), qPrintable(error));
        bad = s;
        bad.maxDepth = 26; // OpenCV's deepest is 25
        QVERIFY(!bad.toConfig(&c, &error));
        QVERIFY2(error.contains(QStringLiteral("max depth")), qPrintable(error));
        bad = s;
        bad.threads = -1;
        QVERIFY(!bad.toConfig(&c, &error));
        bad = s;
        bad.device = QStringLiteral("cuda");
        QCOMPARE(bad.toConfig(&c, &error), deviceAvailability().cuda);

        QSettings settings(m_dir.filePath("settings.ini"), QSettings::IniFormat);
        s.save(settings);
        settings.sync();
        QSettings again(m_dir.filePath("settings.ini"), QSettings::IniFormat);
        QCOMPARE(ExperimentSetup::load(again), s);
    }

    void evaluationFailureIsReported()
    {
        EvaluationJob job;
        EvaluationConfig config;
        config.models = {"no-such-model"};
        config.thresholds = {20};
        config.folds = 2;
        QVERIFY(job.start(m_demo, config));
        QVERIFY(waitFor(job));
        QVERIFY(job.outcome().status == RunStatus::Failed);
        QVERIFY(!job.outcome().error.empty());

        QVERIFY(job.start(m_dir.filePath("missing.sqlite"), config));
        QVERIFY(waitFor(job));
        QVERIFY(job.outcome().status == RunStatus::Failed);
        QCOMPARE(job.outcome().runId, 0);
        QVERIFY(!job.outcome().error.empty());
    }

    void evaluationCancel()
    {
        EvaluationJob job;
        EvaluationConfig config;
        config.thresholds = {20};
        config.folds = 5;
        config.trees = 50;
        config.threads = 1;
        QVERIFY(job.start(m_demo, config));
        job.cancel();
        QVERIFY(waitFor(job));
        QVERIFY(job.outcome().status == RunStatus::Cancelled);
        auto catalog = Catalog::openExisting(m_demo.toStdString());
        const auto run = catalog->runs().find(job.outcome().runId);
        if (run) // the engine may stop before it creates the run row
            QVERIFY(run->status == RunStatus::Cancelled);
    }

    // CatalogSession: every operation runs on the session's worker thread and
    // comes back by one signal; missing runs and bad files come back as errors.
    void catalogSession()
    {
        // A run of its own to delete.
        EvaluationJob eval;
        EvaluationConfig config;
        config.thresholds = {20};
        config.folds = 2;
        config.trees = 5;
        config.threads = 1;
        QVERIFY(eval.start(m_demo, config));
        QVERIFY(waitFor(eval));
        QVERIFY2(eval.outcome().status == RunStatus::Finished, eval.outcome().error.c_str());
        const qint64 doomed = eval.outcome().runId;
        QVERIFY(doomed != m_runId);

        CatalogSession session;
        QVERIFY(session.workerThread() != QThread::currentThread());
        QVERIFY(session.workerThread()->isRunning());
        QSignalSpy opened(&session, &CatalogSession::opened);
        QSignalSpy closed(&session, &CatalogSession::closed);
        QSignalSpy failed(&session, &CatalogSession::failed);
        QSignalSpy loaded(&session, &CatalogSession::runLoaded);
        QSignalSpy deleted(&session, &CatalogSession::runDeleted);
        const auto failure = [&](qsizetype i) {
            return std::make_pair(failed.at(i).at(0).value<CatalogSession::Operation>(),
                                  failed.at(i).at(1).toString());
        };

        // Nothing open yet.
        session.loadRun(m_runId);
        QVERIFY(session.waitForIdle());
        QCOMPARE(failed.count(), 1);
        QCOMPARE(failure(0).first, CatalogSession::Operation::LoadRun);
        QVERIFY(!failure(0).second.isEmpty());

        // A file that is not a catalog: an error, nothing open.
        session.open(kData + "/not_a_capture.pcap");
        QVERIFY(session.isBusy());
        QVERIFY(session.waitForIdle());
        QCOMPARE(failed.count(), 2);
        QCOMPARE(failure(1).first, CatalogSession::Operation::Open);
        QVERIFY2(failure(1).second.startsWith(QStringLiteral("Cannot open ")),
                 qPrintable(failure(1).second));
        QCOMPARE(opened.count(), 0);
        QVERIFY(!session.isOpen());

        // Open, reported later (not in the call); a load asked at once acts on it.
        session.open(m_demo);
        QCOMPARE(opened.count(), 0);
        session.loadRun(m_runId, 1);
        QCOMPARE(session.pendingCount(), 2);
        QVERIFY(session.waitForIdle());
        QCOMPARE(failed.count(), 2);
        QCOMPARE(opened.count(), 1);
        QCOMPARE(opened.at(0).at(0).toString(), QFileInfo(m_demo).absoluteFilePath());
        QCOMPARE(session.path(), QFileInfo(m_demo).absoluteFilePath());
        QVERIFY_THROWS_EXCEPTION(report::OutputConflict, refuseOpenInputs(m_demo));
        QCOMPARE(loaded.count(), 1);
        QCOMPARE(loaded.at(0).at(0).toInt(), 1);
        const auto run = loaded.at(0).at(1).value<RunData>();
        QCOMPARE(run.info.id, m_runId);
        auto catalog = Catalog::openExisting(m_demo.toStdString());
        QCOMPARE(run.grid.size(), catalog->runs().runGrid(m_runId).size());

        // A missing run: both load and delete say so.
        session.loadRun(999999);
        session.deleteRun(999999);
        QVERIFY(session.waitForIdle());
        QCOMPARE(failed.count(), 4);
        QCOMPARE(failure(2).first, CatalogSession::Operation::LoadRun);
        QCOMPARE(failure(3).first, CatalogSession::Operation::DeleteRun);
        for (qsizetype i : {2, 3})
            QVERIFY2(failure(i).second.contains(QStringLiteral("no run 999999")),
                     qPrintable(failure(i).second));

        // deleteRun() off the GUI thread: with the worker thread held, the call
        // returns at once and the run is still there; released, the worker
        // deletes it and runDeleted() arrives here.
        QSemaphore hold;
        struct Release {
            QSemaphore& semaphore;
            bool done = false;
            void operator()()
            {
                if (!done)
                    semaphore.release();
                done = true;
            }
            ~Release() { (*this)(); } // never leave the worker held
        } release{hold};
        auto* blocker = new QObject;
        blocker->moveToThread(session.workerThread());
        QMetaObject::invokeMethod(
            blocker,
            [&hold, blocker] {
                hold.acquire();
                blocker->deleteLater();
            },
            Qt::QueuedConnection);
        session.deleteRun(doomed);
        QVERIFY(session.isBusy());
        QCOMPARE(deleted.count(), 0);
        QVERIFY(catalog->runs().find(doomed).has_value());
        release();
        QVERIFY(deleted.wait(60000));
        QCOMPARE(deleted.count(), 1);
        QCOMPARE(deleted.at(0).at(0).toLongLong(), doomed);
        QVERIFY(session.waitForIdle());
        QCOMPARE(failed.count(), 4);
        QVERIFY(!catalog->runs().find(doomed).has_value());
        QVERIFY(catalog->runs().find(m_runId).has_value()); // the others untouched

        // Close: nothing open, later operations refused.
        session.close();
        QVERIFY(session.waitForIdle());
        QCOMPARE(closed.count(), 1);
        QVERIFY(!session.isOpen());
        session.deleteRun(m_runId);
        QVERIFY(session.waitForIdle());
        QCOMPARE(failed.count(), 5);
        QCOMPARE(failure(4).first, CatalogSession::Operation::DeleteRun);
        QVERIFY(catalog->runs().find(m_runId).has_value());
    }
};

QTEST_GUILESS_MAIN(TestUiCore)
#include "test_uicore.moc"
