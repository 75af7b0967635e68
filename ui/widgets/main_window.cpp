#include "main_window.h"

#include "captures_page.h"
#include "catalog_page.h"
#include "experiment_dialog.h"
#include "help_dialogs.h"
#include "prediction_view.h"
#include "result_view.h"
#include "results_page.h"
#include "runs_page.h"

#include "core/ingest_job.h"

#include <QAction>
#include <QCloseEvent>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QStatusBar>
#include <QTabWidget>

#include <algorithm>

namespace snilab::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), m_session(new CatalogSession(this))
{
    setWindowTitle(tr("snilab"));
    setAcceptDrops(true);
    m_tabs = new QTabWidget;
    m_capturesPage = new CapturesPage;
    m_catalogPage = new CatalogPage(m_capturesPage->captureModel());
    m_runsPage = new RunsPage(m_session);
    m_resultsPage = new ResultsPage(m_session);
    m_tabs->addTab(m_capturesPage, tr("Captures"));
    m_tabs->addTab(m_catalogPage, tr("Catalog"));
    m_tabs->addTab(m_runsPage, tr("Runs"));
    m_tabs->addTab(m_resultsPage, tr("Results"));
    m_prediction = new PredictionView;
    m_tabs->addTab(m_prediction, tr("Predict"));
    setCentralWidget(m_tabs);
    m_catalogLabel = new QLabel(tr("No catalog open — File ▸ New or Open catalog"));
    statusBar()->addWidget(m_catalogLabel, 1);
    buildMenus();
    connectSession();

    connect(m_capturesPage, &CapturesPage::addCapturesRequested, this,
            &MainWindow::addCapturesInteractively);
    connect(m_capturesPage, &CapturesPage::ingestFinished, this, [this] {
        m_catalogPage->reload();
        updateActions();
    });
    connect(m_capturesPage, &CapturesPage::capturesChanged, this, [this] {
        m_catalogPage->reload();
        updateActions();
    });
    connect(m_runsPage, &RunsPage::newExperimentRequested, this, &MainWindow::newExperiment);
    connect(m_runsPage->evaluationJob(), &BackgroundJob::finished, this,
            &MainWindow::updateActions);
    connect(m_runsPage, &RunsPage::runFinished, this,
            [this](qint64 id) { m_session->loadRun(id); });
    connect(m_runsPage, &RunsPage::openRequested, this,
            [this](qint64 id) { m_session->loadRun(id); });
    connect(m_runsPage, &RunsPage::compareRequested, this,
            [this](qint64 id) { m_session->loadRun(id, 1); });
    connect(m_runsPage, &RunsPage::errorOccurred, this, &MainWindow::fail);
    connect(m_resultsPage, &ResultsPage::runShown, this, [this] {
        // A restored session goes back to its tab; a run asked for shows here.
        showTab(m_restoreTab >= 0 ? static_cast<Tab>(m_restoreTab) : ResultsTab);
        m_restoreTab = -1;
    });
    connect(m_resultsPage, &ResultsPage::errorOccurred, this, &MainWindow::fail);

    const WorkbenchSettings settings;
    if (!restoreGeometry(settings.windowGeometry()))
        resize(1280, 820);
    restoreState(settings.windowState());
    updateActions();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New catalog…"), QKeySequence::New, this, &MainWindow::newCatalog);
    file->addAction(tr("&Open catalog…"), QKeySequence::Open, this,
                    &MainWindow::openCatalogInteractively);
    m_recentMenu = file->addMenu(tr("Recent catalogs"));
    file->addSeparator();
    file->addAction(tr("&Add captures…"), QKeySequence(Qt::CTRL | Qt::Key_I), this,
                    &MainWindow::addCapturesInteractively);
    file->addAction(tr("&Predict with a model…"), this, &MainWindow::predictWithModel);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    QMenu* run = menuBar()->addMenu(tr("&Experiment"));
    run->addAction(tr("&New experiment…"), QKeySequence(Qt::CTRL | Qt::Key_E), this,
                   &MainWindow::newExperiment);
    run->addAction(tr("&Cancel running jobs"), this, [this] {
        m_capturesPage->cancel();
        m_runsPage->cancel();
        m_prediction->cancel();
    });
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&User guide"), QKeySequence::HelpContents, this,
                    [this] { showUserGuide(this); });
    help->addAction(tr("&About snilab"), this, [this] { showAbout(this); });
    updateRecentMenu();
}

void MainWindow::connectSession()
{
    connect(m_session, &CatalogSession::opened, this, &MainWindow::onCatalogOpened);
    connect(m_session, &CatalogSession::failed, this,
            [this](CatalogSession::Operation operation, const QString& message) {
                if (operation == CatalogSession::Operation::Open)
                    onOpenFailed(message);
            });
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = WorkbenchSettings().recentCatalogs();
    for (const QString& path : recent)
        m_recentMenu->addAction(QDir::toNativeSeparators(path), this,
                                [this, path] { requestOpenCatalog(path); });
    if (recent.isEmpty())
        m_recentMenu->addAction(tr("(none)"))->setEnabled(false);
    else {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(tr("Clear"), this, [this] {
            WorkbenchSettings().clearRecentCatalogs();
            updateRecentMenu();
        });
    }
}

void MainWindow::showTab(Tab tab)
{
    m_tabs->setCurrentIndex(tab);
}

void MainWindow::fail(const QString& message, bool interactive)
{
    m_lastError = message;
    statusBar()->showMessage(message, 10000);
    if (interactive)
        QMessageBox::warning(this, tr("snilab"), message);
}

bool MainWindow::awaitSession(CatalogSession::Operation operation)
{
    bool failed = false;
    const auto watch = connect(m_session, &CatalogSession::failed, this,
                               [&failed, operation](CatalogSession::Operation o, const QString&) {
                                   if (o == operation)
                                       failed = true;
                               });
    const bool idle = m_session->waitForIdle();
    disconnect(watch);
    if (!idle) {
        fail(tr("The catalog did not answer in time."), false);
        return false;
    }
    return !failed;
}

bool MainWindow::openCatalog(const QString& path, bool create)
{
    return requestOpenCatalog(path, create) && awaitSession(CatalogSession::Operation::Open);
}

bool MainWindow::requestOpenCatalog(const QString& path, bool create, bool interactive)
{
    if (m_capturesPage->isBusy() || m_runsPage->isBusy()) {
        fail(tr("Wait for the running job to finish (or cancel it) before switching catalogs."),
             interactive);
        return false;
    }
    m_openRequests.append({interactive, interactive});
    m_session->open(path, create);
    updateActions();
    return true;
}

void MainWindow::onCatalogOpened(const QString& path)
{
    const OpenRequest request =
        m_openRequests.isEmpty() ? OpenRequest{} : m_openRequests.takeFirst();
    m_lastError.clear();
    WorkbenchSettings().addRecentCatalog(path);
    if (request.remembersFolder)
        WorkbenchSettings().setLastFolder(WorkbenchSettings::Folder::Catalogs,
                                          QFileInfo(path).absolutePath());
    updateRecentMenu();
    m_catalogLabel->setText(tr("Catalog: %1").arg(QDir::toNativeSeparators(path)));
    setWindowTitle(tr("snilab — %1").arg(QFileInfo(path).fileName()));
    m_capturesPage->setCatalog(path);
    m_runsPage->setCatalog(path);
    m_resultsPage->clear();
    m_catalogPage->setCatalog(path);
    m_catalogPage->reload();
    updateActions();
    if (m_restoring) {
        const WorkbenchSettings::Session restore = *m_restoring;
        m_restoring.reset();
        if (QFileInfo(restore.catalog) == QFileInfo(path)) {
            const int tab = std::clamp(restore.tab, 0, m_tabs->count() - 1);
            showTab(static_cast<Tab>(tab));
            // Only a run that is still there (it may have been deleted since).
            if (restore.run > 0 && m_runsPage->runModel()->rowOf(restore.run) >= 0) {
                m_restoreTab = tab;
                m_session->loadRun(restore.run);
            }
        }
    }
}

bool MainWindow::restoreLastSession()
{
    const WorkbenchSettings::Session last = WorkbenchSettings().lastSession();
    if (last.catalog.isEmpty() || !QFileInfo(last.catalog).isFile())
        return false;
    if (!requestOpenCatalog(last.catalog))
        return false;
    m_restoring = last;
    return true;
}

void MainWindow::saveSession() const
{
    WorkbenchSettings::Session session;
    if (m_session->isOpen()) {
        session.catalog = QFileInfo(m_session->path()).absoluteFilePath();
        session.tab = m_tabs->currentIndex();
        session.run = m_resultsPage->resultView(0)->run().info.id;
    }
    WorkbenchSettings().setLastSession(session);
}

void MainWindow::onOpenFailed(const QString& message)
{
    const OpenRequest request =
        m_openRequests.isEmpty() ? OpenRequest{} : m_openRequests.takeFirst();
    fail(message, request.interactive);
    updateActions();
}

void MainWindow::updateActions()
{
    const bool open = m_session->isOpen() && m_openRequests.isEmpty();
    m_capturesPage->updateActions(open);
    m_runsPage->updateActions(open);
}

bool MainWindow::checkCatalogReady(bool interactive)
{
    if (!m_session->isOpen() && m_openRequests.isEmpty()) {
        fail(tr("Create or open a catalog first (File ▸ New catalog)."), interactive);
        return false;
    }
    if (!m_openRequests.isEmpty()) {
        fail(tr("Wait for the catalog to open."), interactive);
        return false;
    }
    return true;
}

void MainWindow::newCatalog()
{
    const QString last = WorkbenchSettings().lastFolder(WorkbenchSettings::Folder::Catalogs);
    const QString folder = last.isEmpty() ? QDir::homePath() : last;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("New catalog"), QDir(folder).filePath(QStringLiteral("flows.sqlite")),
        tr("snilab catalog (*.sqlite);;All files (*)"));
    if (path.isEmpty())
        return;
    if (QFileInfo::exists(path) && QFileInfo(path).size() > 0) {
        // An existing catalog is opened, never overwritten (the save dialog
        // already asked about replacing; a catalog is data, not a document).
        if (requestOpenCatalog(path, false, true))
            m_openRequests.back().remembersFolder = false;
        return;
    }
    requestOpenCatalog(path, true, true);
}

void MainWindow::openCatalogInteractively()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open catalog"),
        WorkbenchSettings().lastFolder(WorkbenchSettings::Folder::Catalogs),
        tr("snilab catalog (*.sqlite *.db);;All files (*)"));
    if (!path.isEmpty())
        requestOpenCatalog(path, false, true);
}

void MainWindow::addCapturesInteractively()
{
    if (!checkCatalogReady(true))
        return;
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Add captures"),
        WorkbenchSettings().lastFolder(WorkbenchSettings::Folder::Captures),
        tr("Captures (*.pcap *.pcapng *.cap *.dmp *.mcap *.gz *.zst);;All files (*)"));
    if (files.isEmpty())
        return;
    WorkbenchSettings().setLastFolder(WorkbenchSettings::Folder::Captures,
                                      QFileInfo(files.front()).absolutePath());
    if (!addCaptures(files))
        fail(m_lastError, true);
}

bool MainWindow::addCaptures(const QStringList& paths)
{
    if (!checkCatalogReady(false))
        return false;
    const QStringList files = expandCapturePaths(paths);
    if (files.isEmpty()) {
        fail(tr("No capture files found in what was given."), false);
        return false;
    }
    if (!m_capturesPage->startIngest(catalogPath(), files)) {
        fail(tr("An ingest is already running; wait for it or cancel it."), false);
        return false;
    }
    showTab(CapturesTab);
    updateActions();
    return true;
}

void MainWindow::newExperiment()
{
    if (!checkCatalogReady(true))
        return;
    ExperimentDialog dialog(this);
    dialog.setSetup(WorkbenchSettings().experimentSetup());
    if (dialog.exec() != QDialog::Accepted)
        return;
    if (!startExperiment(dialog.setup()))
        fail(m_lastError, true);
}

bool MainWindow::startExperiment(const ExperimentSetup& setup)
{
    if (!checkCatalogReady(false))
        return false;
    snilab::EvaluationConfig config;
    QString error;
    if (!setup.toConfig(&config, &error)) {
        fail(error, false);
        return false;
    }
    switch (m_runsPage->startEvaluation(catalogPath(), config)) {
    case RunsPage::StartResult::QueueFull:
        fail(tr("%1 experiments are already waiting; remove some from the queue first.")
                 .arg(RunsPage::kMaxQueued),
             false);
        return false;
    case RunsPage::StartResult::Queued:
        statusBar()->showMessage(
            tr("Experiment queued, number %1 in the queue: it starts when the running "
               "one and those before it have ended.")
                .arg(m_runsPage->queuedCount()),
            10000);
        break;
    case RunsPage::StartResult::Started: break;
    }
    WorkbenchSettings().setExperimentSetup(setup);
    showTab(RunsTab);
    updateActions();
    return true;
}

bool MainWindow::openRun(std::int64_t runId)
{
    m_session->loadRun(runId, 0);
    return awaitSession(CatalogSession::Operation::LoadRun);
}

bool MainWindow::compareRun(std::int64_t runId)
{
    m_session->loadRun(runId, 1);
    return awaitSession(CatalogSession::Operation::LoadRun);
}

void MainWindow::predictWithModel()
{
    showTab(PredictTab);
    if (!m_prediction->job()->hasModel() && !m_prediction->job()->isRunning())
        m_prediction->openModelInteractively();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_capturesPage->isBusy() || m_runsPage->isBusy() || m_prediction->job()->isRunning()) {
        // Cancel and wait: the engine polls cancel per batch, so this is short;
        // a cancelled ingest/run stays consistent in the catalog.
        m_capturesPage->cancel();
        m_runsPage->cancel();
        m_prediction->cancel();
        m_capturesPage->wait();
        m_runsPage->wait();
        m_prediction->job()->wait();
    }
    WorkbenchSettings().setWindow(saveGeometry(), saveState());
    saveSession();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    QStringList paths;
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile())
            paths << url.toLocalFile();
    if (paths.isEmpty())
        return;
    event->acceptProposedAction();
    if (!addCaptures(paths))
        fail(m_lastError, true);
}

} // namespace snilab::ui
