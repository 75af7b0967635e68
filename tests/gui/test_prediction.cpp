// The prediction view (issue item 7), offscreen: a small model file made here
// through the engine (day1 of the demo set ingested into a temporary catalog,
// a ModelSet with a 20-tree random forest, writeModelFile), then
// PredictionJob on day2 (QSignalSpy on progress and finished), the table model
// and its filter (QAbstractItemModelTester), the summary's accuracy against
// the rows, the CSV export parsed back, corrupt/foreign/truncated model files
// refused with the engine's one-line message, Cancel, the PredictionView
// widget in the main window, and the small model the screenshot mode trains.
#include "core/export_guard.h"
#include "core/model_training.h"
#include "core/prediction_job.h"
#include "core/prediction_table_model.h"
#include "core/table_export.h"
#include "isolated_settings.h"
#include "widgets/figure_view.h"
#include "widgets/main_window.h"
#include "widgets/prediction_view.h"

#include "catalog/catalog.h"
#include "dataset/dataset.h"
#include "dataset/thresholds.h"
#include "ingest/ingester.h"
#include "models/model_file.h"
#include "models/model_plan.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace snilab;
using namespace snilab::ui;

namespace {

const QString kData = QStringLiteral(SNILAB_TEST_DATA_DIR);
const QString kSamples = QStringLiteral(SNILAB_SAMPLES_DIR);

bool waitFor(BackgroundJob& job, int ms = 120000)
{
    QSignalSpy spy(&job, &BackgroundJob::finished);
    return job.isRunning() ? spy.wait(ms) : true;
}

// RFC 4180 CSV as written by table_export (quoted fields may hold commas,
// quotes and newlines).
QList<QStringList> parseCsv(const QString& text)
{
    QList<QStringList> rows;
    QStringList row;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted) {
            if (c == QLatin1Char('"') && i + 1 < text.size() && text[i + 1] == QLatin1Char('"')) {
                field += c;
                ++i;
            } else if (c == QLatin1Char('"')) {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == QLatin1Char('"')) {
            quoted = true;
        } else if (c == QLatin1Char(',')) {
            row << field;
            field.clear();
        } else if (c == QLatin1Char('\n')) {
            row << field;
            field.clear();
            rows << row;
            row.clear();
        } else {
            field += c;
        }
    }
    if (!field.isEmpty() || !row.isEmpty())
        rows << (row << field);
    return rows;
}

QString readText(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

} // namespace

class TestPrediction : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_model;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        isolateSettings(m_dir, QStringLiteral("snilab-test"));

        // day1 into a catalog, a 20-tree forest on its classes with >= 20
        // connections, written as a model file (what `snilab-cli train` does).
        const std::filesystem::path catalogPath =
            m_dir.filePath(QStringLiteral("day1.sqlite")).toStdString();
        Catalog catalog(catalogPath);
        Feedback feedback;
        const auto ingested = ingestFile((kSamples + "/day1.pcap.gz").toStdString(),
                                         catalog.captures(), {}, feedback);
        QCOMPARE(ingested.outcome, IngestOutcome::Ingested);
        const Dataset data = loadDataset(catalog.connections(), {}, feedback);
        const auto selection = selectClasses(data.labels, 20);
        QVERIFY(selection.classLabels.size() >= 5);
        const auto plan = planModels({"rf"});
        QVERIFY(plan);
        ModelSetOptions options;
        options.trees = 20;
        options.threads = 2;
        ModelFile model;
        QVERIFY(model.models.fit(*plan, data, selection.sampleIndices, selection.classes,
                                 static_cast<int>(selection.classLabels.size()), options,
                                 feedback));
        model.info.primary = "rf";
        model.info.threshold = 20;
        model.info.labels = selection.classLabels;
        model.info.trainedConnections = selection.sampleIndices.size();
        m_model = m_dir.filePath(QStringLiteral("day1.snilab"));
        writeModelFile(m_model.toStdString(), model);
    }

    // The job on day2, the table model, the summary, the filter, the export.
    void predictDay2()
    {
        PredictionJob job;
        QVERIFY(!job.predict({kSamples + "/day2.pcapng"})); // no model yet
        QSignalSpy started(&job, &BackgroundJob::started);
        QSignalSpy finished(&job, &BackgroundJob::finished);
        QVERIFY(job.loadModel(m_model));
        QVERIFY(!job.loadModel(m_model)); // one operation at a time
        QVERIFY(waitFor(job));
        QCOMPARE(job.lastOperation(), PredictionJob::Operation::LoadModel);
        QVERIFY2(job.error().isEmpty(), qPrintable(job.error()));
        QVERIFY(job.hasModel());
        QCOMPARE(job.modelSummary().names, QStringList{QStringLiteral("rf")});
        QCOMPARE(job.modelSummary().primary, QStringLiteral("rf"));
        QVERIFY(job.modelSummary().labels.size() >= 5);
        QVERIFY(job.modelSummary().describe().contains(QStringLiteral("rf")));

        QSignalSpy progress(&job, &BackgroundJob::progressChanged);
        QVERIFY(job.predict({kSamples + "/day2.pcapng"}));
        QVERIFY(!job.predict({kSamples + "/day2.pcapng"})); // busy
        QVERIFY(job.isRunning());
        QVERIFY(waitFor(job));
        QCOMPARE(started.count(), 2);
        QCOMPARE(finished.count(), 2);
        QCOMPARE(job.lastOperation(), PredictionJob::Operation::Predict);
        QVERIFY2(job.error().isEmpty(), qPrintable(job.error()));
        QVERIFY(!job.wasCancelled());
        // Progress rises from 0 to 1 with a stage text per phase.
        QVERIFY(progress.count() >= 3);
        double last = -1;
        QStringList stages;
        for (const auto& args : progress) {
            const double f = args.at(0).toDouble();
            QVERIFY2(f >= last && f <= 1.0, qPrintable(QString::number(f)));
            last = f;
            stages << args.at(1).toString();
        }
        QCOMPARE(last, 1.0);
        QVERIFY2(stages.join('\n').contains(QStringLiteral("ingesting")),
                 qPrintable(stages.join('\n')));

        const PredictionOutcome& outcome = job.outcome();
        QCOMPARE(outcome.files.size(), std::size_t(1));
        QCOMPARE(outcome.files[0].outcome, IngestOutcome::Ingested);
        QCOMPARE(outcome.model, std::string("rf"));

        PredictionTableModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setOutcome(job.sharedOutcome());
        // One row per connection of the capture.
        QCOMPARE(static_cast<quint64>(model.rowCount()), outcome.files[0].connections);
        QVERIFY(model.rowCount() > 500);
        QCOMPARE(model.headerData(PredictionTableModel::Top, Qt::Horizontal).toString(),
                 QStringLiteral("Top 3"));

        // The accuracy shown is the share of right rows among the rows of known classes.
        quint64 right = 0, wrong = 0, unknown = 0, withSni = 0;
        for (int r = 0; r < model.rowCount(); ++r) {
            const QString correct = model.index(r, PredictionTableModel::Correct).data().toString();
            right += correct == QLatin1String("yes");
            wrong += correct == QLatin1String("no");
            unknown += correct.isEmpty();
            withSni += !model.index(r, PredictionTableModel::Sni).data().toString().isEmpty();
            const QString truth = model.index(r, PredictionTableModel::TrueLabel).data().toString();
            const QString predicted =
                model.index(r, PredictionTableModel::Predicted).data().toString();
            if (correct == QLatin1String("yes"))
                QCOMPARE(predicted, truth);
            const QString top = model.index(r, PredictionTableModel::Top).data().toString();
            QVERIFY2(top.startsWith(predicted + QLatin1Char(' ')), qPrintable(top));
            QCOMPARE(top.count(QLatin1Char(';')), 2);
        }
        const PredictionSummary& summary = model.summary();
        QCOMPARE(summary.connections, static_cast<quint64>(model.rowCount()));
        QCOMPARE(summary.withSni, withSni);
        QCOMPARE(summary.known, right + wrong);
        QCOMPARE(summary.correct, right);
        QVERIFY(right + wrong > 100);
        QCOMPARE(summary.accuracy, double(right) / double(right + wrong));
        QVERIFY(summary.accuracy > 0.5);
        QVERIFY2(summary.text().contains(
                     QStringLiteral("Accuracy %1").arg(QString::number(summary.accuracy, 'f', 3))),
                 qPrintable(summary.text()));
        QVERIFY(summary.fileErrors.isEmpty());

        // The filter: wrong, unknown, both; sorting by probability.
        PredictionFilterModel filter;
        filter.setSourceModel(&model);
        QAbstractItemModelTester filterTester(
            &filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(static_cast<quint64>(filter.rowCount()), right + wrong + unknown);
        filter.setShow(PredictionFilterModel::Show::Wrong);
        QCOMPARE(static_cast<quint64>(filter.rowCount()), wrong);
        filter.setShow(PredictionFilterModel::Show::Unknown);
        QCOMPARE(static_cast<quint64>(filter.rowCount()), unknown);
        filter.setShow(PredictionFilterModel::Show::WrongOrUnknown);
        QCOMPARE(static_cast<quint64>(filter.rowCount()), wrong + unknown);
        filter.setShow(PredictionFilterModel::Show::All);
        filter.sort(PredictionTableModel::Probability, Qt::DescendingOrder);
        QVERIFY(QTest::qWaitFor([&] { return !filter.isSorting(); })); // on a pool thread
        for (int r = 1; r < filter.rowCount(); ++r)
            QVERIFY(filter.index(r - 1, PredictionTableModel::Probability).data().toDouble() >=
                    filter.index(r, PredictionTableModel::Probability).data().toDouble());

        // Export CSV (the existing table export) and read it back.
        const QString csv = m_dir.filePath(QStringLiteral("predictions.csv"));
        QString error;
        QVERIFY2(writeTableCsv(filter, csv, &error), qPrintable(error));
        const auto rows = parseCsv(readText(csv));
        QCOMPARE(rows.size(), filter.rowCount() + 1);
        QCOMPARE(rows[0],
                 (QStringList{"Capture", "Client", "Server", "TLS", "SNI", "ECH", "True label",
                              "Predicted", "Probability", "Top 3", "Correct"}));
        for (int r = 0; r < filter.rowCount(); ++r) {
            QCOMPARE(rows[r + 1].size(), int(PredictionTableModel::ColumnCount));
            for (int c = 0; c < PredictionTableModel::ColumnCount; ++c)
                QCOMPARE(rows[r + 1][c], filter.index(r, c).data().toString());
        }
        QCOMPARE(rows[1][PredictionTableModel::Capture], QStringLiteral("day2.pcapng"));
        // Rows without a ClientHello say so: their label is a guess from sizes and times.
        for (int r = 0; r < model.rowCount(); ++r) {
            const bool tls = !model.index(r, PredictionTableModel::Sni).data().toString().isEmpty();
            if (tls)
                QCOMPARE(model.index(r, PredictionTableModel::Tls).data().toString(),
                         QStringLiteral("yes"));
        }

        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    // Corrupt, truncated, foreign and missing model files: the engine's one line.
    void badModelFiles()
    {
        QFile good(m_model);
        QVERIFY(good.open(QIODevice::ReadOnly));
        const QByteArray bytes = good.readAll();
        struct Case {
            const char* name;
            QByteArray content;
            const char* reason;
        };
        QByteArray flipped = bytes;
        flipped[flipped.size() / 3] = static_cast<char>(flipped[flipped.size() / 3] ^ 1);
        const Case cases[] = {
            {"foreign.snilab", QByteArray("SQLite format 3\0 and more", 25),
             "not a snilab model file"},
            {"truncated.snilab", bytes.left(bytes.size() / 2), "checksum mismatch"},
            {"flipped.snilab", flipped, "checksum mismatch"},
            {"empty.snilab", QByteArray(), "not a snilab model file"},
        };
        PredictionJob job;
        for (const Case& c : cases) {
            const QString path = m_dir.filePath(QString::fromLatin1(c.name));
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(c.content);
            f.close();
            QVERIFY(job.loadModel(path));
            QVERIFY(waitFor(job));
            QVERIFY(!job.hasModel());
            const QString error = job.error();
            QVERIFY2(error.startsWith(path) && error.contains(QLatin1String(c.reason)),
                     qPrintable(error));
            QVERIFY2(!error.contains(QLatin1Char('\n')), qPrintable(error));
            QVERIFY(!job.predict({kSamples + "/day2.pcapng"}));
        }
        QVERIFY(job.loadModel(m_dir.filePath(QStringLiteral("missing.snilab"))));
        QVERIFY(waitFor(job));
        QVERIFY(!job.hasModel());
        QVERIFY(!job.error().isEmpty());

        // The view shows the same line.
        PredictionView view;
        QVERIFY(view.openModel(m_dir.filePath(QStringLiteral("truncated.snilab"))));
        QVERIFY(waitFor(*view.job()));
        QCOMPARE(view.statusLabel()->text(), view.job()->error());
        QCOMPARE(view.lastError(), view.job()->error());
        QCOMPARE(view.modelChoice()->count(), 0);
        QVERIFY(!view.run());
    }

    void cancel()
    {
        PredictionJob job;
        QVERIFY(job.loadModel(m_model));
        QVERIFY(waitFor(job));
        QVERIFY(job.predict({kSamples + "/day2.pcapng", kSamples + "/day3.pcap.gz"}));
        job.cancel();
        QVERIFY(waitFor(job));
        QVERIFY(job.wasCancelled());
        QVERIFY(job.error().isEmpty());
        QVERIFY(job.outcome().rows.empty());
        // The model stays loaded: the next run works.
        QVERIFY(job.hasModel());
    }

    // The Predict tab of the main window: model, captures, run, filter, export.
    void predictionView()
    {
        MainWindow window;
        window.resize(1200, 800);
        window.show();
        window.showTab(MainWindow::PredictTab);
        PredictionView* view = window.predictionView();
        QVERIFY(view && view->isVisible());
        QVERIFY(!view->run()); // no model
        QVERIFY(view->openModel(m_model));
        QVERIFY(waitFor(*view->job()));
        QCOMPARE(view->modelChoice()->count(), 1);
        QCOMPARE(view->modelChoice()->currentText(), view->job()->modelSummary().primary);
        QVERIFY(!view->run()); // no captures
        view->setCaptures({kSamples + "/day3.pcap.gz", kData + "/not_a_capture.pcap"});
        QCOMPARE(view->captures().size(), 2);
        QVERIFY(view->run());
        QVERIFY(waitFor(*view->job()));
        QVERIFY2(view->job()->error().isEmpty(), qPrintable(view->job()->error()));
        PredictionTableModel* model = view->model();
        QCOMPARE(static_cast<quint64>(model->rowCount()), view->job()->outcome().rows.size());
        QVERIFY(model->rowCount() > 300);
        // The unreadable file is named in the summary; the good one is classified.
        QCOMPARE(model->summary().fileErrors.size(), 1);
        QCOMPARE(view->summaryLabel()->text(), model->summary().text());
        QVERIFY(view->summaryLabel()->text().contains(QStringLiteral("not_a_capture.pcap")));
        QCOMPARE(view->tableView()->table()->model(), view->filterModel());
        QVERIFY(view->tableView()->table()->isSortingEnabled());

        // Export CSV writes the engine's prediction CSV: with every row shown,
        // in the job's order, the very bytes `snilab-cli predict --out` writes.
        const QString all = m_dir.filePath(QStringLiteral("view-all.csv"));
        QString error;
        QVERIFY2(view->exportCsv(all, &error), qPrintable(error));
        const QString cliCsv = m_dir.filePath(QStringLiteral("cli.csv"));
        QProcess cli;
        cli.start(QStringLiteral(SNILAB_CLI_EXE),
                  {QStringLiteral("predict"), QStringLiteral("--quiet"), QStringLiteral("--model"),
                   m_model, QStringLiteral("--out"), cliCsv, kSamples + "/day3.pcap.gz",
                   kData + "/not_a_capture.pcap"});
        QVERIFY(cli.waitForFinished(120000));
        QCOMPARE(cli.exitCode(), 1); // the unreadable file; the rest is written
        QVERIFY(QFileInfo::exists(cliCsv));
        QCOMPARE(readText(all), readText(cliCsv));
        const auto allRows = parseCsv(readText(all));
        QCOMPARE(allRows[0],
                 (QStringList{"capture", "client_ip", "client_port", "server_ip", "server_port",
                              "start_ns", "transport", "tls", "sni", "ech", "true_label",
                              "known_class", "predicted", "probability", "top", "correct"}));

        view->setShow(PredictionFilterModel::Show::WrongOrUnknown);
        const int shown = view->filterModel()->rowCount();
        QCOMPARE(static_cast<quint64>(shown),
                 model->summary().connections - model->summary().correct);
        const QString csv = m_dir.filePath(QStringLiteral("view.csv"));
        QVERIFY2(view->exportCsv(csv, &error), qPrintable(error));
        const auto rows = parseCsv(readText(csv));
        QCOMPARE(rows.size(), shown + 1);
        for (int r = 1; r < rows.size(); ++r)
            QVERIFY(rows[r][15] != QLatin1String("1"));

        // Never over an input: the model file, a capture, the open catalog.
        const QByteArray modelBytes = [&] {
            QFile f(m_model);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        }();
        QVERIFY(!view->exportCsv(m_model, &error));
        QVERIFY2(error.contains(QStringLiteral("the model file")), qPrintable(error));
        QVERIFY(!view->exportCsv(kSamples + "/day3.pcap.gz", &error));
        QVERIFY2(error.contains(QStringLiteral("a capture")), qPrintable(error));
        const QString catalog = m_dir.filePath(QStringLiteral("day1.sqlite"));
        setOpenCatalog(catalog);
        QVERIFY(!view->exportCsv(catalog, &error));
        QVERIFY2(error.contains(QStringLiteral("the catalog")), qPrintable(error));
        QVERIFY(!writeTableCsv(*view->filterModel(), catalog + "-journal", &error));
        QVERIFY(!QFileInfo::exists(catalog + "-journal"));
        QVERIFY(!writeTableCsv(*view->filterModel(), catalog, &error));
        QVERIFY2(error.contains(QStringLiteral("the catalog")), qPrintable(error));
        setOpenCatalog({});
        QFile reread(m_model);
        QVERIFY(reread.open(QIODevice::ReadOnly));
        QCOMPARE(reread.readAll(), modelBytes);
        QVERIFY(Catalog::openExisting(catalog.toStdString()) != nullptr);
        window.close();
    }

    // The small model the screenshot mode trains when no model file is given.
    void trainSmallModelFile()
    {
        const std::filesystem::path catalog =
            m_dir.filePath(QStringLiteral("day1.sqlite")).toStdString();
        const std::filesystem::path out =
            m_dir.filePath(QStringLiteral("small.snilab")).toStdString();
        Feedback feedback;
        ModelTrainingOptions options;
        options.trees = 5;
        QVERIFY(trainModelFile(catalog, out, options, feedback));
        const ModelFile back = readModelFile(out);
        QCOMPARE(back.info.primary, std::string("rf"));
        QVERIFY(back.info.labels.size() >= 5);
        options.threshold = 100000;
        QVERIFY_THROWS_EXCEPTION(ModelError, trainModelFile(catalog, out, options, feedback));
    }
};

QTEST_MAIN(TestPrediction)
#include "test_prediction.moc"
