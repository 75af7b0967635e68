// Desktop manners of the workbench, offscreen: tables copy as TSV (Ctrl+C and
// the context menu), the Help menu (About's build information, the user
// guide), removing a capture that did not finish cleanly from the Captures
// tab. (The end-to-end workbench flow is tests/gui/test_workbench.cpp.)
#include "core/catalog_models.h"
#include "isolated_settings.h"
#include "widgets/captures_page.h"
#include "widgets/help_dialogs.h"
#include "widgets/main_window.h"
#include "widgets/page_table.h"

#include "catalog/catalog.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QFile>
#include <QFileInfo>
#include <QItemSelectionModel>
#include <QMenuBar>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace snilab::ui;

class TestDesktop : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        isolateSettings(m_dir, QStringLiteral("snilab-test-desktop"));
    }

    // A catalog with garbage over its middle is refused with what is wrong,
    // what can be read and how to recover, and never enters Recent.
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
        QCOMPARE(table->contextMenuPolicy(), Qt::ActionsContextMenu);
        QCOMPARE(table->actions().size(), 2);
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
};

QTEST_MAIN(TestDesktop)
#include "test_desktop.moc"
