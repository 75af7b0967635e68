// QUIC beside TCP in the workbench, offscreen: the Catalog tab's transport
// filter and its Transport / QUIC version columns, "Filter by this value" on
// the connections table, the label counts' QUIC
// column, Figure 3 with TCP and QUIC stacked (and drawn as before for a
// catalog without QUIC; category labels not elided), the experiment dialog's
// transport field and its persistence, and a QUIC-only run recorded as
// `transport=quic`, shown in the run list and the result title.
//
// The catalog is made here through the engine's CaptureStore: three labels,
// TCP and QUIC connections with known counts.
#include "charts/chart_builder.h"
#include "core/workbench_settings.h"
#include "isolated_settings.h"
#include "widgets/catalog_page.h"
#include "widgets/experiment_dialog.h"
#include "widgets/figure_view.h"
#include "widgets/main_window.h"
#include "widgets/page_table.h"
#include "widgets/result_view.h"
#include "widgets/results_page.h"
#include "widgets/runs_page.h"

#include "catalog/catalog.h"
#include "eval/evaluator.h"

#include <QAbstractBarSeries>
#include <QAction>
#include <QApplication>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QGraphicsTextItem>
#include <QLegend>
#include <QLegendMarker>
#include <QLineEdit>
#include <QSettings>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <string>
#include <vector>

using namespace snilab;
using namespace snilab::ui;

namespace {

struct LabelMix {
    const char* sni;
    int tcp;
    int quic;
};
// alpha and beta have at least 10 QUIC connections, gamma none: a QUIC-only
// run at T = 10 has two classes, a run over every connection three.
constexpr LabelMix kMix[] = {
    {"alpha.example", 14, 10}, {"beta.example", 6, 12}, {"gamma.example", 11, 0}};
constexpr int kUnlabeled = 2; // TCP without a ClientHello
constexpr int kQuic = 22;
constexpr int kTcp = 14 + 6 + 11 + kUnlabeled;

Connection connection(const char* sni, Transport transport, int n, int labelIndex)
{
    Connection c;
    c.transport = transport;
    c.quicVersion = transport == Transport::Quic ? 0x00000001 : 0;
    c.clientIp.bytes = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 10};
    c.serverIp.bytes = {0, 0, 0,    0,    0,   0,  0,   0,
                        0, 0, 0xff, 0xff, 198, 51, 100, static_cast<std::uint8_t>(1 + labelIndex)};
    c.clientPort = static_cast<std::uint16_t>(40000 + 100 * labelIndex + n +
                                              (transport == Transport::Quic ? 50 : 0));
    c.serverPort = 443;
    c.ipVersion = 4;
    c.sawSyn = transport == Transport::Tcp;
    c.clientKnown = true;
    c.closeReason = transport == Transport::Quic ? CloseReason::Idle : CloseReason::Fin;
    c.startNs = 1'000'000'000LL * (1 + c.clientPort);
    c.endNs = c.startNs + 2'000'000'000;
    c.hasClientHello = sni != nullptr;
    if (sni) {
        c.hello.sni = sni;
        c.hello.supportedVersions = {0x0304};
    }
    // Sizes that differ by label (and a little by connection), so a forest
    // has something to learn.
    for (int k = 0; k < 8; ++k) {
        const auto size = static_cast<std::uint16_t>(200 + 150 * labelIndex + 7 * k + n % 5);
        c.series.push_back({k * 1'000'000LL, static_cast<std::uint16_t>(size + 28), size,
                            k % 2 == 0 ? PacketRecord::kClientToServer : std::uint8_t{0}});
        c.packets[k % 2] += 1;
        c.ipBytes[k % 2] += size + 28u;
        c.payloadBytes[k % 2] += size;
    }
    return c;
}

void makeCatalog(const QString& path)
{
    Catalog catalog(path.toStdString());
    CaptureRow capture;
    capture.path = "/synthetic/mixed.pcapng";
    capture.contentHash = "synthetic-mixed";
    capture.container = "pcapng";
    capture.compression = "none";
    capture.id = catalog.captures().beginCapture(capture);
    std::vector<Connection> connections;
    for (int i = 0; i < 3; ++i) {
        for (int n = 0; n < kMix[i].tcp; ++n)
            connections.push_back(connection(kMix[i].sni, Transport::Tcp, n, i));
        for (int n = 0; n < kMix[i].quic; ++n)
            connections.push_back(connection(kMix[i].sni, Transport::Quic, n, i));
    }
    for (int n = 0; n < kUnlabeled; ++n)
        connections.push_back(connection(nullptr, Transport::Tcp, n, 3));
    const auto added = catalog.captures().addConnections(capture.id, connections);
    QCOMPARE(added.stored, static_cast<std::uint64_t>(connections.size()));
    capture.status = CaptureStatus::Complete;
    catalog.captures().finishCapture(capture);
}

// What is wrong with a drawn chart's texts: those shortened ("..." or "…")
// and the categories not shown whole (hidden as overlapping). Texts: Qt
// Charts' own (QGraphicsTextItem) and the category labels snilab draws for
// horizontal bars (QGraphicsSimpleTextItem).
QStringList unreadable(QChart* chart, const QStringList& categories)
{
    QStringList out;
    QStringList shown;
    for (QGraphicsItem* item : chart->scene()->items()) {
        if (!item->isVisible())
            continue;
        QString t;
        if (auto* text = dynamic_cast<QGraphicsTextItem*>(item))
            t = text->toPlainText();
        else if (auto* simple = dynamic_cast<QGraphicsSimpleTextItem*>(item))
            t = simple->text();
        else
            continue;
        if (t.endsWith(QLatin1String("...")) || t.endsWith(QChar(0x2026)))
            out << t;
        shown << t;
    }
    for (const QString& c : categories)
        if (!shown.contains(c))
            out << QStringLiteral("hidden: ") + c;
    return out;
}

QComboBox* comboWith(QWidget& parent, const QString& data)
{
    for (QComboBox* c : parent.findChildren<QComboBox*>())
        if (c->findData(data) >= 0)
            return c;
    return nullptr;
}

} // namespace

class TestTransport : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_catalog;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        isolateSettings(m_dir, QStringLiteral("snilab-test-transport"));
        m_catalog = m_dir.filePath(QStringLiteral("mixed.sqlite"));
        makeCatalog(m_catalog);
        QVERIFY(!QTest::currentTestFailed());
    }

    // The Catalog tab: the transport filter beside the others, the columns.
    void catalogTabFilterAndColumns()
    {
        MainWindow window;
        window.resize(1200, 800);
        window.show();
        QVERIFY(window.openCatalog(m_catalog));
        QVERIFY(QTest::qWaitFor([&] { return !window.catalogPage()->isLoading(); }));
        CatalogPage* page = window.catalogPage();
        ConnectionTableModel* model = page->connectionModel();
        // A filter's rows arrive from a pool thread.
        const auto settled = [&] { return QTest::qWaitFor([&] { return !page->isLoading(); }); };
        QCOMPARE(model->rowCount(), kTcp + kQuic);
        QComboBox* transport = page->transportFilter();
        QCOMPARE(transport->count(), 3);
        QCOMPARE(model->headerData(ConnectionTableModel::Transport, Qt::Horizontal).toString(),
                 QStringLiteral("Transport"));
        QCOMPARE(model->headerData(ConnectionTableModel::QuicVersion, Qt::Horizontal).toString(),
                 QStringLiteral("QUIC version"));

        transport->setCurrentIndex(transport->findData(int(TransportFilter::Quic)));
        QVERIFY(settled());
        QCOMPARE(model->filter().transport, TransportFilter::Quic);
        QCOMPARE(model->rowCount(), kQuic);
        for (int row = 0; row < model->rowCount(); ++row) {
            QCOMPARE(model->data(model->index(row, ConnectionTableModel::Transport)).toString(),
                     QStringLiteral("quic"));
            QCOMPARE(model->data(model->index(row, ConnectionTableModel::QuicVersion)).toString(),
                     QStringLiteral("0x00000001"));
        }

        transport->setCurrentIndex(transport->findData(int(TransportFilter::Tcp)));
        QVERIFY(settled());
        QCOMPARE(model->rowCount(), kTcp);
        for (int row = 0; row < model->rowCount(); ++row) {
            QCOMPARE(model->data(model->index(row, ConnectionTableModel::Transport)).toString(),
                     QStringLiteral("tcp"));
            QVERIFY(model->data(model->index(row, ConnectionTableModel::QuicVersion))
                        .toString()
                        .isEmpty());
        }

        // With the label filter (applied after a short delay): gamma has no QUIC.
        transport->setCurrentIndex(transport->findData(int(TransportFilter::Quic)));
        QVERIFY(settled());
        QLineEdit* label = nullptr;
        for (QLineEdit* e : page->findChildren<QLineEdit*>())
            if (e->placeholderText().startsWith(QStringLiteral("label")))
                label = e;
        QVERIFY(label);
        label->setText(QStringLiteral("gamma"));
        QTRY_COMPARE(model->filter().labelContains, std::string("gamma"));
        QVERIFY(settled());
        QCOMPARE(model->rowCount(), 0);
        label->setText(QStringLiteral("beta"));
        QTRY_COMPARE(model->rowCount(), 12);
        transport->setCurrentIndex(transport->findData(int(TransportFilter::All)));
        QVERIFY(settled());
        QCOMPARE(model->rowCount(), 18);
        window.close();
    }

    // The connections table's "Filter by this value" sets the page's own
    // filters (they query the catalog): label, capture, transport.
    void catalogFilterByCell()
    {
        MainWindow window;
        window.resize(1200, 800);
        window.show();
        QVERIFY(window.openCatalog(m_catalog));
        QVERIFY(QTest::qWaitFor([&] { return !window.catalogPage()->isLoading(); }));
        CatalogPage* page = window.catalogPage();
        ConnectionTableModel* model = page->connectionModel();
        // A filter's rows arrive from a pool thread.
        const auto settled = [&] { return QTest::qWaitFor([&] { return !page->isLoading(); }); };
        QTableView* table = page->connectionTable();
        QVERIFY(table);
        QAction* byValue = nullptr;
        for (QAction* a : table->actions())
            if (a->text() == QLatin1String("Filter by this value"))
                byValue = a;
        QVERIFY(byValue);
        // A column the page cannot filter by offers nothing.
        table->setCurrentIndex(model->index(0, ConnectionTableModel::Client));
        updateTableActions(table);
        QVERIFY(!byValue->isEnabled());

        int quicRow = -1;
        for (int r = 0; r < model->rowCount() && quicRow < 0; ++r)
            if (model->index(r, ConnectionTableModel::Transport).data().toString() ==
                QLatin1String("quic"))
                quicRow = r;
        QVERIFY(quicRow >= 0);
        table->setCurrentIndex(model->index(quicRow, ConnectionTableModel::Transport));
        updateTableActions(table);
        QVERIFY(byValue->isEnabled());
        byValue->trigger();
        QCOMPARE(page->transportFilter()->currentData().toInt(), int(TransportFilter::Quic));
        QVERIFY(settled());
        QCOMPARE(model->rowCount(), kQuic);

        const QString label = model->index(0, ConnectionTableModel::Label).data().toString();
        table->setCurrentIndex(model->index(0, ConnectionTableModel::Label));
        byValue->trigger();
        QCOMPARE(page->labelFilter()->text(), label);
        QTRY_COMPARE(model->filter().labelContains, label.toStdString());
        QVERIFY(settled());

        QCOMPARE(page->captureFilter()->currentIndex(), 0); // all captures
        table->setCurrentIndex(model->index(0, ConnectionTableModel::Capture));
        byValue->trigger();
        QVERIFY(page->captureFilter()->currentIndex() > 0);
        QCOMPARE(page->captureFilter()->currentText(), QStringLiteral("mixed.pcapng"));
        QVERIFY(model->filter().captureId > 0);
        window.close();
    }

    // The label counts table's QUIC column and Figure 3 stacked TCP + QUIC.
    void labelCountsShowTheMix()
    {
        MainWindow window;
        window.resize(1200, 800);
        window.show();
        QVERIFY(window.openCatalog(m_catalog));
        QVERIFY(QTest::qWaitFor([&] { return !window.catalogPage()->isLoading(); }));
        LabelCountModel* counts = window.catalogPage()->labelCountModel();
        QCOMPARE(counts->rowCount(), 3);
        QVERIFY(counts->hasQuic());
        QCOMPARE(counts->headerData(LabelCountModel::Quic, Qt::Horizontal).toString(),
                 QStringLiteral("QUIC"));
        // Sorted by connections: alpha 24, beta 18, gamma 11.
        const int quic[] = {10, 12, 0}, total[] = {24, 18, 11};
        for (int row = 0; row < 3; ++row) {
            QCOMPARE(counts->data(counts->index(row, LabelCountModel::Label)).toString(),
                     QString::fromLatin1(kMix[row].sni));
            QCOMPARE(counts->data(counts->index(row, LabelCountModel::Connections)).toInt(),
                     total[row]);
            QCOMPARE(counts->data(counts->index(row, LabelCountModel::Quic)).toInt(), quic[row]);
        }

        QChartView* view = window.catalogPage()->labelCountView()->chartView();
        QChart* fig3 = view->chart();
        QCOMPARE(fig3->series().size(), 1);
        auto* bars = qobject_cast<QAbstractBarSeries*>(fig3->series().front());
        QVERIFY(bars);
        // Labels too long for vertical bars: horizontal, the first label on top
        // (last in the set).
        QCOMPARE(bars->type(), QAbstractSeries::SeriesTypeHorizontalStackedBar);
        QCOMPARE(bars->barSets().size(), 2);
        QCOMPARE(bars->barSets()[0]->label(), QStringLiteral("TCP"));
        QCOMPARE(bars->barSets()[1]->label(), QStringLiteral("QUIC"));
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(bars->barSets()[0]->at(2 - i), double(total[i] - quic[i]));
            QCOMPARE(bars->barSets()[1]->at(2 - i), double(quic[i]));
        }
        QVERIFY(fig3->legend()->isVisible());
        QCOMPARE(fig3->legend()->markers().size(), 2);
        // Drawn at the tab's size: every category label whole.
        window.showTab(MainWindow::CatalogTab);
        QApplication::processEvents();
        view->grab();
        const QStringList bad =
            unreadable(fig3, window.catalogPage()->labelCountView()->figure().categories);
        QVERIFY2(bad.isEmpty(), qPrintable(bad.join(", ")));

        // Top 2: the third label in words under the figure; a log axis.
        CatalogPage* page = window.catalogPage();
        QVERIFY(page->tailSummary().isEmpty());
        page->topNBox()->setValue(2);
        QCOMPARE(page->labelCountView()->figure().categories.size(), 2);
        QCOMPARE(page->tailSummary(),
                 QStringLiteral("The other label (not shown) holds 11 connections, 20.8 % of the "
                                "labeled ones."));
        QVERIFY(!page->labelCountView()->figure().logScale);
        page->logScaleBox()->setChecked(true);
        QVERIFY(page->labelCountView()->figure().logScale);
        window.close();
    }

    // Figure 3 with many labels (horizontal stacked bars, first label on top)
    // and without QUIC (one series, no legend: as before QUIC).
    void figure3Forms()
    {
        std::vector<LabelCount> counts;
        for (int i = 0; i < 12; ++i)
            counts.push_back({QStringLiteral("site-%1.example.org").arg(i).toStdString(),
                              static_cast<std::uint64_t>(100 - i), 1,
                              static_cast<std::uint64_t>(i % 3 == 0 ? 40 - i : 0)});
        const FigureData mixed = labelCountFigure(counts, 12);
        QVERIFY(mixed.stacked);
        QCOMPARE(mixed.series.size(), 2);
        QCOMPARE(mixed.series[0].values[0] + mixed.series[1].values[0], 100.0);
        QCOMPARE(mixed.series[1].values[0], 40.0);
        QCOMPARE(mixed.series[1].values[1], 0.0);
        // The mix is the catalog's: a top 2 whose labels are TCP only still stacks.
        counts[0].quic = 0;
        QVERIFY(labelCountFigure(counts, 2).stacked);
        counts[0].quic = 40;

        FigureView view;
        view.resize(700, 520);
        view.show();
        view.setFigure(mixed);
        QChart* chart = view.chartView()->chart();
        auto* bars = qobject_cast<QAbstractBarSeries*>(chart->series().front());
        QVERIFY(bars);
        QCOMPARE(bars->type(), QAbstractSeries::SeriesTypeHorizontalStackedBar);
        QCOMPARE(bars->barSets()[1]->at(11), 40.0); // first label at the top
        QVERIFY(chart->legend()->isVisible());
        QApplication::processEvents();
        view.grab();
        QVERIFY2(unreadable(chart, view.figure().categories).isEmpty(),
                 qPrintable(unreadable(chart, view.figure().categories).join(", ")));

        for (auto& c : counts)
            c.quic = 0;
        const FigureData tcpOnly = labelCountFigure(counts, 20);
        QVERIFY(!tcpOnly.stacked);
        QCOMPARE(tcpOnly.series.size(), 1);
        QCOMPARE(tcpOnly.series[0].name, QStringLiteral("connections"));
        QCOMPARE(tcpOnly.series[0].values[0], 100.0);
        QCOMPARE(tcpOnly.categories.size(), 12);
        view.setFigure(tcpOnly);
        chart = view.chartView()->chart();
        QCOMPARE(chart->series().front()->type(), QAbstractSeries::SeriesTypeHorizontalBar);
        QVERIFY(!chart->legend()->isVisible());
    }

    // Labels stay readable: the top 20 in a view the size of the Catalog
    // tab's figure at 1200 x 800 keep the height they need (the view
    // scrolls); few short categories stay vertical.
    void figureLabelsReadable()
    {
        std::vector<LabelCount> counts;
        for (int i = 0; i < 20; ++i)
            counts.push_back({QStringLiteral("www.site-%1.example.org").arg(i).toStdString(),
                              static_cast<std::uint64_t>(100 - i), 1,
                              static_cast<std::uint64_t>(i % 2 == 0 ? 30 : 0)});
        FigureView view;
        view.resize(556, 352);
        view.show();
        view.setFigure(labelCountFigure(counts, 20));
        QChart* chart = view.chartView()->chart();
        QVERIFY(view.chartView()->height() >= readableChartHeight(view.figure()));
        QVERIFY(view.chartView()->height() > 352);
        QApplication::processEvents();
        view.grab();
        QVERIFY2(unreadable(chart, view.figure().categories).isEmpty(),
                 qPrintable(unreadable(chart, view.figure().categories).join(", ")));
        // Why: squeezed to the view's height, the (whole) labels would
        // overlap one another.
        view.chartView()->setMinimumHeight(0);
        QApplication::processEvents();
        view.grab();
        QList<QRectF> boxes;
        for (QGraphicsItem* item : chart->scene()->items())
            if (auto* t = dynamic_cast<QGraphicsSimpleTextItem*>(item);
                t && view.figure().categories.contains(t->text()))
                boxes << t->sceneBoundingRect();
        QCOMPARE(boxes.size(), view.figure().categories.size());
        bool overlap = false;
        for (qsizetype i = 0; i < boxes.size(); ++i)
            for (qsizetype j = i + 1; j < boxes.size(); ++j)
                overlap = overlap || boxes[i].intersected(boxes[j]).height() > 0.5;
        QVERIFY(overlap);
        // Few short categories (Figure 11's) stay vertical, and need no height.
        FigureData metrics;
        metrics.kind = FigureData::Kind::Bar;
        metrics.categories = {"Accuracy", "Precision", "Recall", "F1"};
        QVERIFY(!horizontalBars(metrics, QFont()));
        QCOMPARE(readableChartHeight(metrics), 0);
    }

    // The set-up's transport: to the engine's config, validated, persisted.
    void experimentSetupTransport()
    {
        ExperimentSetup s;
        EvaluationConfig c;
        QString error;
        QVERIFY2(s.toConfig(&c, &error), qPrintable(error));
        QCOMPARE(c.data.transport, TransportFilter::All);
        s.transport = QStringLiteral("quic");
        QVERIFY2(s.toConfig(&c, &error), qPrintable(error));
        QCOMPARE(c.data.transport, TransportFilter::Quic);
        QVERIFY(c.toText().find("transport=quic") != std::string::npos);
        s.paperPreset = true;
        QVERIFY(s.toConfig(&c, &error));
        QCOMPARE(c.data.transport, TransportFilter::Quic); // the preset leaves it
        s.paperPreset = false;
        ExperimentSetup bad = s;
        bad.transport = QStringLiteral("udp");
        QVERIFY(!bad.toConfig(&c, &error));
        QVERIFY2(error.contains(QStringLiteral("transport")) && error.contains("udp"),
                 qPrintable(error));

        QSettings settings(m_dir.filePath("setup.ini"), QSettings::IniFormat);
        s.save(settings);
        settings.sync();
        QSettings again(m_dir.filePath("setup.ini"), QSettings::IniFormat);
        QCOMPARE(ExperimentSetup::load(again).transport, QStringLiteral("quic"));
    }

    // The dialog's field: shown, read back, kept by the paper set-up, an
    // unknown value shown as it is (validation names it).
    void dialogTransportField()
    {
        ExperimentDialog dialog;
        QComboBox* transport = comboWith(dialog, QStringLiteral("quic"));
        QVERIFY(transport);
        QCOMPARE(transport->count(), 3);
        QVERIFY(transport->toolTip().contains(QStringLiteral("TCP only")));
        QCOMPARE(dialog.setup().transport, QStringLiteral("all"));
        transport->setCurrentIndex(transport->findData(QStringLiteral("tcp")));
        QCOMPARE(dialog.setup().transport, QStringLiteral("tcp"));
        dialog.applyPaperPreset();
        QCOMPARE(dialog.setup().transport, QStringLiteral("tcp"));
        QVERIFY(dialog.setup().paperPreset);

        ExperimentSetup s;
        s.transport = QStringLiteral("udp");
        dialog.setSetup(s);
        QCOMPARE(dialog.setup().transport, QStringLiteral("udp"));
        QVERIFY2(dialog.validationError().contains(QStringLiteral("transport")),
                 qPrintable(dialog.validationError()));
        s.transport = QStringLiteral("quic");
        dialog.setSetup(s);
        QCOMPARE(transport->count(), 3); // the unknown entry is gone again
        QCOMPARE(dialog.setup().transport, QStringLiteral("quic"));
        QVERIFY(dialog.validationError().isEmpty());
    }

    // A run made with transport QUIC: its configuration says so, its classes
    // are the QUIC ones, the run list and the result title show it.
    void quicRunIsRecorded()
    {
        MainWindow window;
        window.resize(1200, 800);
        window.show();
        QVERIFY(window.openCatalog(m_catalog));
        ExperimentDialog dialog;
        ExperimentSetup s;
        s.thresholds = QStringLiteral("10");
        s.folds = 2;
        s.trees = 5;
        s.threads = 1;
        dialog.setSetup(s);
        QComboBox* transport = comboWith(dialog, QStringLiteral("quic"));
        transport->setCurrentIndex(transport->findData(QStringLiteral("quic")));
        QVERIFY(window.startExperiment(dialog.setup()));
        BackgroundJob* job = window.runsPage()->evaluationJob();
        QTRY_VERIFY_WITH_TIMEOUT(!job->isRunning(), 120000);
        const auto& outcome = window.runsPage()->evaluationJob()->outcome();
        QVERIFY2(outcome.status == RunStatus::Finished, outcome.error.c_str());
        QCOMPARE(WorkbenchSettings().experimentSetup().transport, QStringLiteral("quic"));

        auto catalog = Catalog::openExisting(m_catalog.toStdString());
        const auto run = catalog->runs().find(outcome.runId);
        QVERIFY(run);
        QVERIFY2(run->config.find("\ntransport=quic") != std::string::npos, run->config.c_str());
        QCOMPARE(EvaluationConfig::fromText(run->config)->data.transport, TransportFilter::Quic);
        std::vector<std::string> labels;
        for (const auto& c : catalog->runs().runClasses(outcome.runId, "rf", 10))
            labels.push_back(c.label);
        std::sort(labels.begin(), labels.end());
        QCOMPARE(labels, (std::vector<std::string>{"alpha.example", "beta.example"}));

        RunListModel* runs = window.runsPage()->runModel();
        QTRY_VERIFY(runs->rowOf(outcome.runId) >= 0);
        QCOMPARE(runs->headerData(RunListModel::Transport, Qt::Horizontal).toString(),
                 QStringLiteral("Transport"));
        QCOMPARE(
            runs->data(runs->index(runs->rowOf(outcome.runId), RunListModel::Transport)).toString(),
            QStringLiteral("quic"));
        QVERIFY(window.session()->waitForIdle());
        const RunData& shown = window.resultsPage()->resultView(0)->run();
        QCOMPARE(shown.info.id, outcome.runId);
        QVERIFY2(shown.title().endsWith(QStringLiteral("; QUIC only)")), qPrintable(shown.title()));
        window.close();
    }
};

QTEST_MAIN(TestTransport)
#include "test_transport.moc"
