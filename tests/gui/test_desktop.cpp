// Desktop manners of the workbench, offscreen: tables copy as TSV (Ctrl+C and
// the context menu), filter by a cell's value and choose their columns, the
// Per label tab's label controls, the Help menu (About's
// build information, the user guide), removing a capture that did not finish cleanly from the
// Captures tab, the experiment queue, the experiment dialog's model list and CUDA line, the
// figures' context menu (copy image, export, reset zoom), the confusion view's axis titles and
// colour bar, per-dialog folders, the restored session. (The end-to-end workbench flow is
// tests/gui/test_workbench.cpp.)
#include "core/catalog_models.h"
#include "core/result_models.h"
#include "core/workbench_settings.h"
#include "isolated_settings.h"
#include "widgets/captures_page.h"
#include "widgets/experiment_dialog.h"
#include "widgets/figure_view.h"
#include "widgets/heatmap_view.h"
#include "widgets/help_dialogs.h"
#include "widgets/main_window.h"
#include "widgets/page_table.h"
#include "widgets/result_view.h"
#include "widgets/results_page.h"
#include "widgets/runs_page.h"

#include "catalog/catalog.h"
#include "catalog/run_list.h"
#include "eval/evaluation_config.h"
#include "models/sequence_network.h"

#include <QAction>
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QFileInfo>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QProcess>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QValueAxis>

#include <memory>

using namespace snilab::ui;

class TestDesktop : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    static QAction* tableAction(QTableView* table, const char* text)
    {
        for (QAction* a : table->actions())
            if (a->text() == QLatin1String(text))
                return a;
        qFatal("no table action %s", text);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        isolateSettings(m_dir, QStringLiteral("snilab-test-desktop"));
    }

    // The Per label tab's controls pick the figure's labels (and so its
    // export): order, how many, a search.
    void perLabelControls()
    {
        RunData run;
        run.models = {QStringLiteral("rf")};
        run.thresholds = {100};
        std::vector<snilab::ClassResult> classes;
        for (int i = 0; i < 30; ++i) {
            snilab::ClassResult c;
            c.label = QStringLiteral("svc%1.test").arg(i, 2, 10, QLatin1Char('0')).toStdString();
            c.accuracy = 1.0 - i / 100.0;
            c.support = 10;
            classes.push_back(c);
        }
        run.classes[{"rf", 100}] = classes;
        ResultView view;
        view.setRun(run);
        FigureView* perLabel = view.figureView(ResultView::Figure::PerLabel);
        QCOMPARE(perLabel->figure().categories.size(), 30);
        auto* order = view.findChild<QComboBox*>();
        QComboBox* labelOrder = nullptr;
        for (QComboBox* box : view.findChildren<QComboBox*>())
            if (box->findText(QStringLiteral("worst first")) >= 0)
                labelOrder = box;
        QVERIFY(order && labelOrder);
        labelOrder->setCurrentIndex(labelOrder->findText(QStringLiteral("worst first")));
        QSpinBox* count = view.findChild<QSpinBox*>();
        QVERIFY(count);
        QCOMPARE(count->text(), QStringLiteral("all"));
        count->setValue(5);
        QCOMPARE(
            perLabel->figure().categories,
            QStringList({"svc29.test", "svc28.test", "svc27.test", "svc26.test", "svc25.test"}));
        QVERIFY(perLabel->figure().title.contains(QStringLiteral("5 worst of 30 by rf")));
        QLineEdit* search = nullptr;
        for (QLineEdit* e : view.findChildren<QLineEdit*>())
            if (e->placeholderText().startsWith(QStringLiteral("label contains")))
                search = e;
        QVERIFY(search);
        search->setText(QStringLiteral("svc1"));
        QCOMPARE(perLabel->figure().categories.size(), 5);
        QCOMPARE(perLabel->figure().categories.front(), QStringLiteral("svc19.test"));
        QCOMPARE(view.labelSelection().contains, QStringLiteral("svc1"));
        view.setLabelSelection({});
        QCOMPARE(perLabel->figure().categories.size(), 30);
        QCOMPARE(count->value(), 0);
    }

    // The confusion tab at many classes: the most confused pairs beside the
    // heatmap; choosing one scrolls to its cell and highlights its row and
    // column, as hovering a cell does.
    void confusedPairsShowTheirCell()
    {
        const int k = 120;
        RunData run;
        run.models = {QStringLiteral("rf")};
        run.thresholds = {100};
        std::vector<snilab::ClassResult> classes;
        std::vector<quint64> counts(std::size_t(k * k), 0);
        for (int i = 0; i < k; ++i) {
            snilab::ClassResult c;
            c.label = QStringLiteral("svc%1.test").arg(i, 3, 10, QLatin1Char('0')).toStdString();
            c.support = 20;
            classes.push_back(c);
            counts[std::size_t(i * k + i)] = 20;
        }
        counts[std::size_t(110 * k + 115)] = 9; // the most confused pair, far down
        counts[std::size_t(3 * k + 4)] = 2;
        run.classes[{"rf", 100}] = classes;
        run.confusion[{"rf", 100}] = counts;
        ResultView view;
        view.resize(1000, 700);
        view.setRun(run);
        view.showTab(4);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(view.confusedPairsModel()->rowCount(), 2);
        HeatmapView* heatmap = view.heatmap();
        heatmap->setCellSize(16);
        QCOMPARE(heatmap->highlighted(), QPoint(-1, -1));
        QTableView* table = view.confusedPairsTable();
        table->selectionModel()->setCurrentIndex(view.confusedPairsModel()->index(0, 0),
                                                 QItemSelectionModel::ClearAndSelect |
                                                     QItemSelectionModel::Rows);
        QCOMPARE(heatmap->highlighted(), QPoint(115, 110));
        QVERIFY2(heatmap->hoverText().contains(QStringLiteral("svc110.test")) &&
                     heatmap->hoverText().contains(QStringLiteral("svc115.test")),
                 qPrintable(heatmap->hoverText()));
        // Scrolled so the cell is in view (it was not: 120 x 16 px cells).
        bool seen = false;
        const QRect area = heatmap->viewport()->rect();
        for (int y = 0; y < area.height() && !seen; y += 8)
            for (int x = 0; x < area.width() && !seen; x += 8)
                seen = heatmap->cellAt(QPoint(x, y)) == QPoint(115, 110);
        QVERIFY(seen);
        QVERIFY(heatmap->verticalScrollBar()->value() > 0);
        const QPoint centre = area.center();
        // Hovering another cell moves the highlight there.
        QTest::mouseMove(heatmap->viewport(), centre + QPoint(-16 * 3, 0));
        QTRY_COMPARE(heatmap->highlighted(), heatmap->cellAt(centre + QPoint(-16 * 3, 0)));
        QVERIFY(heatmap->highlighted() != QPoint(115, 110));
    }

    // Every page table (makeTable): Ctrl+C copies the selection as TSV, and
    // a cell from the traffic cannot add a column or a row, or run as a
    // formula in the spreadsheet it is pasted into.
    void tableCopiesSelectionAsTsv()
    {
        QStandardItemModel model(2, 2);
        model.setHorizontalHeaderLabels({QStringLiteral("label"), QStringLiteral("n")});
        model.setItem(0, 0, new QStandardItem(QStringLiteral("=cmd()\tx\ny.example")));
        model.setItem(0, 1, new QStandardItem(QStringLiteral("7")));
        model.setItem(1, 0, new QStandardItem(QStringLiteral("b.example")));
        model.setItem(1, 1, new QStandardItem(QStringLiteral("8")));
        std::unique_ptr<QTableView> table(makeTable(&model));
        table->show();
        QVERIFY(QTest::qWaitForWindowExposed(table.get()));
        table->selectAll();
        QApplication::clipboard()->clear();
        QTest::keySequence(table.get(), QKeySequence::Copy);
        QCOMPARE(QApplication::clipboard()->text(),
                 QStringLiteral("label\tn\n'=cmd()\\x09x\\x0ay.example\t7\nb.example\t8\n"));
        // The context menu holds the table's actions; Copy the whole table
        // copies every row whatever is selected.
        QCOMPARE(table->contextMenuPolicy(), Qt::CustomContextMenu);
        QStringList texts;
        for (QAction* a : table->actions())
            texts << a->text();
        QCOMPARE(texts, QStringList({"Copy", "Copy the whole table", "Export CSV…",
                                     "Filter by this value", "Show all rows", "Columns"}));
        table->selectionModel()->select(model.index(1, 0), QItemSelectionModel::ClearAndSelect |
                                                               QItemSelectionModel::Rows);
        QApplication::clipboard()->clear();
        tableAction(table.get(), "Copy the whole table")->trigger();
        QCOMPARE(QApplication::clipboard()->text(),
                 QStringLiteral("label\tn\n'=cmd()\\x09x\\x0ay.example\t7\nb.example\t8\n"));
        // Export CSV… writes every row through the engine's CSV writer (a
        // formula-like cell stays text).
        const QString csv = m_dir.filePath(QStringLiteral("table.csv"));
        QString error;
        QVERIFY2(exportTableCsv(table.get(), csv, &error), qPrintable(error));
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString written = QString::fromUtf8(file.readAll());
        QVERIFY2(written.startsWith(QStringLiteral("label,n")) &&
                     written.contains(QStringLiteral("b.example,8")) &&
                     !written.contains(QStringLiteral("\n=cmd")),
                 qPrintable(written));
        // A result table (TableView) adds its own exports after the copies.
        TableView view;
        view.setModel(&model, QStringLiteral("table"));
        texts.clear();
        for (QAction* a : view.table()->actions())
            texts << a->text();
        QCOMPARE(texts, QStringList({"Copy", "Copy the whole table", "Export CSV…", "Export LaTeX…",
                                     "Filter by this value", "Show all rows", "Columns"}));
    }

    // Filter by this value hides the rows whose cell differs (and follows a
    // reset of the model); Show all rows undoes it; the Columns menu hides a
    // column but never the last visible one.
    void tableFilterAndColumns()
    {
        QStandardItemModel model(4, 2);
        model.setHorizontalHeaderLabels({QStringLiteral("label"), QStringLiteral("n")});
        const char* labels[] = {"a.example", "b.example", "a.example", "c.example"};
        for (int r = 0; r < 4; ++r) {
            model.setItem(r, 0, new QStandardItem(QString::fromLatin1(labels[r])));
            model.setItem(r, 1, new QStandardItem(QString::number(r)));
        }
        std::unique_ptr<QTableView> table(makeTable(&model));
        QAction* byValue = tableAction(table.get(), "Filter by this value");
        QAction* showAll = tableAction(table.get(), "Show all rows");
        updateTableActions(table.get());
        QVERIFY(!byValue->isEnabled()); // no current cell
        QVERIFY(!showAll->isEnabled());
        table->setCurrentIndex(model.index(2, 0));
        updateTableActions(table.get());
        QVERIFY(byValue->isEnabled());
        byValue->trigger();
        const auto hidden = [&] {
            QList<int> rows;
            for (int r = 0; r < model.rowCount(); ++r)
                if (table->isRowHidden(r))
                    rows << r;
            return rows;
        };
        QCOMPARE(hidden(), QList<int>({1, 3}));
        updateTableActions(table.get());
        QVERIFY(showAll->isEnabled());
        // A new row with the value stays shown, one without it is hidden.
        model.appendRow({new QStandardItem(QStringLiteral("a.example")), new QStandardItem("4")});
        model.appendRow({new QStandardItem(QStringLiteral("d.example")), new QStandardItem("5")});
        QCOMPARE(hidden(), QList<int>({1, 3, 5}));
        showAll->trigger();
        QCOMPARE(hidden(), QList<int>());
        updateTableActions(table.get());
        QVERIFY(!showAll->isEnabled());

        QMenu* columns = tableAction(table.get(), "Columns")->menu();
        QVERIFY(columns);
        Q_EMIT columns->aboutToShow();
        QCOMPARE(columns->actions().size(), 2);
        QCOMPARE(columns->actions()[1]->text(), QStringLiteral("n"));
        QVERIFY(columns->actions()[1]->isChecked());
        columns->actions()[1]->setChecked(false);
        QVERIFY(table->isColumnHidden(1));
        Q_EMIT columns->aboutToShow(); // rebuilt: "label" is the last one shown
        QVERIFY(!columns->actions()[0]->isEnabled());
        QVERIFY(columns->actions()[1]->isEnabled());
        QVERIFY(!columns->actions()[1]->isChecked());
        columns->actions()[1]->setChecked(true);
        QVERIFY(!table->isColumnHidden(1));
    }

    // Help: the About text names every library and device line of the
    // engine's build information and Qt; the user guide is found.
    void helpMenu()
    {
        const QString about = aboutText();
        for (const char* line : {"snilab: ", "libpcap: ", "SQLite: ", "OpenCV: ",
                                 "LibTorch module: ", "devices: cpu", "models: ", "Qt: "})
            QVERIFY2(about.contains(QLatin1String(line)), line);
        QVERIFY(about.contains(QString::fromLatin1(qVersion())));
        const QString guide = userGuidePath();
        QVERIFY2(!guide.isEmpty() && QFileInfo(guide).fileName() == QLatin1String("README.md"),
                 qPrintable(guide));
        MainWindow window;
        QStringList menus;
        for (QAction* a : window.menuBar()->actions())
            menus << a->text();
        QVERIFY2(menus.contains(QStringLiteral("&Help")), qPrintable(menus.join(", ")));
    }

    // A partial capture can be removed from the Captures tab (the engine's
    // CaptureStore::removeCapture); a complete one is refused with the reason.
    void removePartialCapture()
    {
        const QString path = m_dir.filePath(QStringLiteral("partial.sqlite"));
        QFile::remove(path);
        QProcess ingest;
        ingest.start(QStringLiteral(SNILAB_CLI_EXE),
                     {"ingest", "--quiet", "--catalog", path,
                      QStringLiteral(SNILAB_TEST_DATA_DIR "/truncated.pcap"),
                      QStringLiteral(SNILAB_TEST_DATA_DIR "/basic.pcap")});
        QVERIFY(ingest.waitForFinished(60000));
        QCOMPARE(ingest.exitCode(), 1); // one file partly read
        MainWindow window;
        QVERIFY(window.openCatalog(path));
        CaptureListModel* captures = window.capturesPage()->captureModel();
        QCOMPARE(captures->rowCount(), 2);
        int partial = -1, complete = -1;
        for (int r = 0; r < 2; ++r)
            (captures->captures()[static_cast<std::size_t>(r)].status ==
                     snilab::CaptureStatus::Complete
                 ? complete
                 : partial) = r;
        QVERIFY(partial >= 0 && complete >= 0);
        QVERIFY(captures->removable(partial));
        QVERIFY(!captures->removable(complete));
        // The context menu's action follows the selection.
        QTableView* table = window.capturesPage()->captureTable();
        QAction* remove = nullptr;
        for (QAction* a : table->actions())
            if (a->text().startsWith(QStringLiteral("Remove capture")))
                remove = a;
        QVERIFY(remove);
        // (select() rather than selectRow(), which follows the keyboard
        // modifiers an earlier key event may have left.)
        const auto selectOnly = [&](int row) {
            table->selectionModel()->select(captures->index(row, 0),
                                            QItemSelectionModel::ClearAndSelect |
                                                QItemSelectionModel::Rows);
        };
        selectOnly(complete);
        QVERIFY(!remove->isEnabled());
        selectOnly(partial);
        QVERIFY(remove->isEnabled());
        QSignalSpy changed(window.capturesPage(), &CapturesPage::capturesChanged);
        QString error;
        QVERIFY(!window.capturesPage()->removeCapture(complete, &error));
        QVERIFY2(error.contains(QStringLiteral("is complete")), qPrintable(error));
        QCOMPARE(changed.count(), 0);
        QVERIFY2(window.capturesPage()->removeCapture(partial, &error), qPrintable(error));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(captures->rowCount(), 1);
        QCOMPARE(captures->captures().front().status, snilab::CaptureStatus::Complete);
        auto catalog = snilab::Catalog::openExisting(path.toStdString());
        QCOMPARE(catalog->captures().all().size(), std::size_t{1});
    }

    // The dialog offers every model name of the engine (variants with +dir
    // and -all, the named ensembles), each with what it is; a saved model the
    // list lacks is kept as a free-text line; the CUDA line says why not.
    void experimentDialogModels()
    {
        ExperimentDialog dialog;
        auto* list = dialog.findChild<QListWidget*>();
        QVERIFY(list);
        QStringList names;
        for (int i = 0; i < list->count(); ++i) {
            names << list->item(i)->text();
            QVERIFY2(!list->item(i)->toolTip().isEmpty(), qPrintable(names.back()));
        }
        QStringList expected;
        for (const std::string& m : snilab::EvaluationConfig::modelChoices())
            expected << QString::fromStdString(m);
        QCOMPARE(names, expected);
        if (snilab::torchAvailable()) {
            for (const char* m : {"cnngru-iat+dir", "gru-all", "cnn+dir", "cnngru-mean"})
                QVERIFY2(names.contains(QLatin1String(m)), m);
            QCOMPARE(names.size(), (names.contains(QStringLiteral("rf")) ? 2 : 0) + 24 + 1);
        }
        ExperimentSetup setup;
        setup.models = {QStringLiteral("rf"), QStringLiteral("not-a-model")};
        dialog.setSetup(setup);
        // Not dropped: shown, and judged by the engine.
        QVERIFY(dialog.setup().ensembles.contains(QStringLiteral("not-a-model")));
        QVERIFY2(dialog.validationError().contains(QStringLiteral("not-a-model")),
                 qPrintable(dialog.validationError()));
        const QString note = dialog.deviceNote();
        bool shown = false;
        for (QLabel* label : dialog.findChildren<QLabel*>())
            shown = shown || label->text() == note;
        QVERIFY2(shown, qPrintable(note));
        if (!snilab::cudaAvailable())
            QVERIFY2(note.contains(QString::fromStdString(snilab::cudaUnavailableReason())),
                     qPrintable(note));
    }

    // Experiments asked for while one runs wait in the queue, in order, and
    // start by themselves; one can be removed before it runs; cancel() empties
    // the queue and stops the running one.
    void experimentQueue()
    {
#if !SNILAB_WITH_OPENCV
        QSKIP("this build has no random forest");
#endif
        const QString path = m_dir.filePath(QStringLiteral("queue.sqlite"));
        QFile::remove(path);
        QProcess ingest;
        ingest.start(QStringLiteral(SNILAB_CLI_EXE),
                     {"ingest", "--quiet", "--catalog", path,
                      QStringLiteral(SNILAB_SAMPLES_DIR "/day2.pcapng")});
        QVERIFY(ingest.waitForFinished(120000));
        QCOMPARE(ingest.exitCode(), 0);
        MainWindow window;
        QVERIFY(window.openCatalog(path));
        RunsPage* runs = window.runsPage();
        ExperimentSetup setup;
        setup.models = {QStringLiteral("rf")};
        setup.thresholds = QStringLiteral("55");
        setup.folds = 2;
        setup.trees = 5;
        setup.threads = 1;
        QVERIFY(window.startExperiment(setup));
        QVERIFY(runs->evaluationJob()->isRunning());
        ExperimentSetup second = setup;
        second.thresholds = QStringLiteral("60");
        ExperimentSetup third = setup;
        third.folds = 3;
        QVERIFY(window.startExperiment(second));
        QVERIFY(window.startExperiment(third));
        QCOMPARE(runs->queuedCount(), 2);
        QVERIFY(runs->isBusy());
        QCOMPARE(runs->queueList()->count(), 2);
        QVERIFY2(runs->queueList()->item(0)->text().contains(QStringLiteral("T = 60")),
                 qPrintable(runs->queueList()->item(0)->text()));
        QVERIFY(runs->queueList()->item(1)->text().contains(QStringLiteral("3 folds")));
        // The catalog cannot be switched under a waiting experiment.
        QVERIFY(!window.requestOpenCatalog(m_dir.filePath(QStringLiteral("other.sqlite")), true));
        QVERIFY(runs->removeQueued(1));
        QVERIFY(!runs->removeQueued(1));
        QCOMPARE(runs->queuedCount(), 1);
        QSignalSpy finished(runs->evaluationJob(), &BackgroundJob::finished);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 240000);
        QTRY_VERIFY_WITH_TIMEOUT(!runs->isBusy(), 10000);
        QCOMPARE(runs->queuedCount(), 0);
        QCOMPARE(runs->queueList()->item(0)->text(), QStringLiteral("(none)"));
        const auto all = snilab::readRunList(path.toStdString());
        QCOMPARE(all.size(), std::size_t{2});
        for (const auto& r : all)
            QCOMPARE(r.status, snilab::RunStatus::Finished);
        // In order, each with its own set-up: T = 55, then T = 60.
        QVERIFY2(all.front().config.find("thresholds=55\n") != std::string::npos,
                 all.front().config.c_str());
        QVERIFY2(all.back().config.find("thresholds=60\n") != std::string::npos,
                 all.back().config.c_str());

        // cancel(): the waiting one never runs, the running one is cancelled.
        // The running one is made long (10 folds x 400 trees on one thread,
        // seconds) so that the cancel, sent at once, lands before it ends:
        // with 5 trees it could finish before the test thread got to cancel().
        ExperimentSetup longOne = setup;
        longOne.folds = 10;
        longOne.trees = 400;
        QVERIFY(window.startExperiment(longOne));
        QVERIFY(window.startExperiment(second));
        QCOMPARE(runs->queuedCount(), 1);
        finished.clear();
        runs->cancel();
        QCOMPARE(runs->queuedCount(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
        QTest::qWait(50); // nothing queued starts
        QVERIFY(!runs->isBusy());
        QCOMPARE(runs->evaluationJob()->outcome().status, snilab::RunStatus::Cancelled);
        // Cancelled while it read the catalog, no run was created for it;
        // cancelled later, its run is recorded as cancelled. Never finished.
        const auto after = snilab::readRunList(path.toStdString());
        const std::int64_t cancelledRun = runs->evaluationJob()->outcome().runId;
        if (cancelledRun == 0) {
            QCOMPARE(after.size(), std::size_t{2});
        } else {
            QCOMPARE(after.size(), std::size_t{3});
            QCOMPARE(after.back().id, cancelledRun);
            QCOMPARE(after.back().status, snilab::RunStatus::Cancelled);
        }
    }

    // The session of a closed window (catalog, tab, Results run) comes back
    // in the next one; a deleted run or a missing catalog is not forced.
    void sessionRestores()
    {
        const QString path = m_dir.filePath(QStringLiteral("queue.sqlite")); // experimentQueue's
        const auto runs = snilab::readRunList(path.toStdString());
        QVERIFY(!runs.empty());
        const qint64 run = runs.front().id;
        {
            MainWindow window;
            QVERIFY(window.openCatalog(path));
            QVERIFY(window.openRun(run));
            window.showTab(MainWindow::CatalogTab);
            window.saveSession();
        }
        const WorkbenchSettings::Session saved = WorkbenchSettings().lastSession();
        QCOMPARE(saved.catalog, QFileInfo(path).absoluteFilePath());
        QCOMPARE(saved.tab, int(MainWindow::CatalogTab));
        QCOMPARE(saved.run, run);
        {
            MainWindow window;
            QVERIFY(window.restoreLastSession());
            QVERIFY(window.session()->waitForIdle());
            QTRY_COMPARE_WITH_TIMEOUT(window.resultsPage()->resultView(0)->run().info.id, run,
                                      20000);
            QCOMPARE(QFileInfo(window.catalogPath()), QFileInfo(path));
            QCOMPARE(window.findChild<QTabWidget*>()->currentIndex(), int(MainWindow::CatalogTab));
        }
        WorkbenchSettings::Session gone = saved;
        gone.catalog = m_dir.filePath(QStringLiteral("no-such.sqlite"));
        WorkbenchSettings().setLastSession(gone);
        MainWindow window;
        QVERIFY(!window.restoreLastSession());
        QVERIFY(window.catalogPath().isEmpty());
    }

    // Each kind of file dialog starts where that kind of file was last
    // chosen; a kind never used starts at the last folder of any kind.
    void perDialogFolders()
    {
        WorkbenchSettings settings;
        settings.setLastFolder(WorkbenchSettings::Folder::Captures, QStringLiteral("/data/pcaps"));
        settings.setLastFolder(WorkbenchSettings::Folder::Exports, QStringLiteral("/paper/figs"));
        QCOMPARE(settings.lastFolder(WorkbenchSettings::Folder::Captures),
                 QStringLiteral("/data/pcaps"));
        QCOMPARE(settings.lastFolder(WorkbenchSettings::Folder::Exports),
                 QStringLiteral("/paper/figs"));
        QCOMPARE(exportFolder(), QStringLiteral("/paper/figs"));
        QCOMPARE(settings.lastFolder(WorkbenchSettings::Folder::Models),
                 QStringLiteral("/paper/figs"));
        settings.setLastFolder(WorkbenchSettings::Folder::Models, QStringLiteral("/models"));
        QCOMPARE(settings.lastFolder(WorkbenchSettings::Folder::Captures),
                 QStringLiteral("/data/pcaps"));
    }

    // A figure's context menu: Copy image puts the default-size export on
    // the clipboard; a line chart zooms and Reset zoom restores its axes;
    // bars do not zoom.
    void figureContextMenu()
    {
        FigureData line;
        line.id = QStringLiteral("lines");
        line.title = QStringLiteral("Accuracy vs threshold");
        line.xTitle = QStringLiteral("Threshold T");
        line.yTitle = QStringLiteral("Accuracy");
        line.x = {100, 200, 300};
        FigureSeries rf;
        rf.name = QStringLiteral("rf");
        rf.values = {0.9, 0.95, 0.97};
        line.series << rf;
        FigureView view;
        view.resize(640, 420);
        view.setFigure(line);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QStringList texts;
        for (QAction* a : view.chartView()->actions())
            texts << a->text();
        QCOMPARE(texts, (QStringList{QStringLiteral("Copy image"), QStringLiteral("Export…"),
                                     QStringLiteral("Reset zoom")}));
        QCOMPARE(view.chartView()->contextMenuPolicy(), Qt::ActionsContextMenu);
        QApplication::clipboard()->clear();
        view.copyImage();
        const QImage copied = QApplication::clipboard()->image();
        const QImage expected = figureImage(line, ExportSize{});
        QVERIFY(!copied.isNull());
        QCOMPARE(copied.size(), expected.size());
        QCOMPARE(copied.width(), qRound(160 / 25.4 * 300)); // 160 mm at 300 dpi

        QVERIFY(view.isZoomable());
        QChart* chart = view.chartView()->chart();
        auto* y = qobject_cast<QValueAxis*>(chart->axes(Qt::Vertical).value(0));
        QVERIFY(y);
        const double min = y->min(), max = y->max();
        chart->zoom(2.0);
        QVERIFY(y->max() - y->min() < (max - min) * 0.75);
        view.resetZoom();
        QCOMPARE(y->min(), min);
        QCOMPARE(y->max(), max);

        FigureData bars;
        bars.kind = FigureData::Kind::Bar;
        bars.categories = {QStringLiteral("a.example"), QStringLiteral("b.example")};
        FigureSeries n;
        n.name = QStringLiteral("connections");
        n.values = {3, 4};
        bars.series << n;
        view.setFigure(bars);
        QVERIFY(!view.isZoomable());
        view.setFigure({});
        QVERIFY(view.image().isNull());
    }

    // The confusion view draws its axis titles in fixed bands (ink there,
    // even scrolled), and the colour bar beside it names its quantity as the
    // export does.
    void confusionViewTitles()
    {
        ConfusionMatrixModel model;
        QStringList labels;
        std::vector<quint64> counts;
        for (int i = 0; i < 40; ++i)
            labels << QStringLiteral("svc-%1.example").arg(i);
        for (int i = 0; i < 40; ++i)
            for (int j = 0; j < 40; ++j)
                counts.push_back(i == j ? 9 : (j == (i + 1) % 40 ? 1 : 0));
        model.setMatrix(labels, counts);
        HeatmapView view;
        view.setModel(&model);
        view.resize(500, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const auto bandsInked = [&] {
            const QImage image = view.viewport()->grab().toImage();
            const int band = view.fontMetrics().height() + 6;
            const auto inked = [&](const QRect& r) {
                for (int y = r.top(); y <= r.bottom(); ++y)
                    for (int x = r.left(); x <= r.right(); ++x)
                        if (qGray(image.pixel(x, y)) < 128)
                            return true;
                return false;
            };
            // Top band right of the labels; left band below them.
            return inked(QRect(image.width() / 2, 0, image.width() / 2 - 1, band - 1)) &&
                   inked(QRect(0, image.height() / 2, band - 1, image.height() / 2 - 1));
        };
        QVERIFY(bandsInked());
        view.horizontalScrollBar()->setValue(view.horizontalScrollBar()->maximum());
        view.verticalScrollBar()->setValue(view.verticalScrollBar()->maximum());
        QVERIFY(bandsInked());
        QCOMPARE(HeatmapColourBar::quantity(),
                 QStringLiteral("Share of the true label's connections"));
        HeatmapColourBar bar;
        QVERIFY(bar.sizeHint().width() >
                bar.fontMetrics().horizontalAdvance(QStringLiteral("0.75")));
    }
};

QTEST_MAIN(TestDesktop)
#include "test_desktop.moc"
