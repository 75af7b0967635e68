// MainWindow: the snilab workbench (docs/design.md section 6). One page per tab:
//   Captures  CapturesPage: the catalog's captures, "Add captures…" and
//             drag-and-drop; ingest on a background job with progress, stage
//             and Cancel, a row per file with its state and progress, and one
//             result line per file in the log
//   Catalog   CatalogPage: the lazy connections table with its filter;
//             connections per label (the paper's Figure 3, top N) and the
//             min-connections threshold slider with what remains
//   Runs      RunsPage: the run registry; "New experiment…"
//             (ExperimentDialog), the running job's progress, Cancel and live
//             loss/accuracy curves, the queue of experiments waiting their
//             turn; Open, Compare beside, Delete
//   Results   ResultsPage: one run's result views, or two runs side by side
//   Predict   PredictionView: a model file classifies new captures; needs no
//             catalog
// The open catalog is a CatalogSession (ui/core): opening, closing, deleting
// a run and loading a run's results run off the GUI thread there and come
// back by signal; this window shows the outcome (status bar, title, the
// pages). File menu: New/Open catalog, recent catalogs, Add captures, Predict
// with a model. Window geometry, recent catalogs, the last experiment set-up,
// each dialog's last folder and the last session (catalog, tab, run; reopened
// by restoreLastSession() when snilab starts without a catalog) persist
// (WorkbenchSettings).
//
// This class keeps the menus, the tab widget, the settings and the wiring;
// the pages own their jobs, models and widgets. The public functions are
// what the menus call; openCatalog(), openRun() and compareRun() wait for
// the session (running the event loop) and return its outcome - the GUI
// tests and the screenshot mode use them - while the menus and buttons ask
// without waiting. Thread: GUI thread.
#pragma once

#include "core/catalog_session.h"
#include "core/experiment_setup.h"
#include "core/workbench_settings.h"

#include <QList>
#include <QMainWindow>

#include <optional>

class QLabel;
class QMenu;
class QTabWidget;

namespace snilab::ui {

class CapturesPage;
class CatalogPage;
class PredictionView;
class ResultsPage;
class RunsPage;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    enum Tab { CapturesTab, CatalogTab, RunsTab, ResultsTab, PredictTab };

    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens (or, with create, creates) a catalog and waits for the session;
    // false with lastError() set.
    bool openCatalog(const QString& path, bool create = false);
    // The same without waiting (false, with lastError(), when refused at once:
    // a job is running); interactive failures also show a message box.
    bool requestOpenCatalog(const QString& path, bool create = false, bool interactive = false);
    QString catalogPath() const { return m_session->path(); }
    QString lastError() const { return m_lastError; }
    // Starts ingesting files/folders into the open catalog (false if busy or none open).
    bool addCaptures(const QStringList& paths);
    // Starts an evaluation with `setup`, or queues it behind the running one
    // (false with lastError() when invalid or the queue is full).
    bool startExperiment(const ExperimentSetup& setup);
    // Shows a run in the Results tab (left side) or beside the current one;
    // they wait for the session's load (false with lastError()).
    bool openRun(std::int64_t runId);
    bool compareRun(std::int64_t runId);
    void showTab(Tab tab);

    // Reopens the catalog of the last session (WorkbenchSettings::lastSession)
    // with its tab and Results run, if the file is still there; false when
    // there is nothing to reopen. The open runs like requestOpenCatalog().
    bool restoreLastSession();
    // What restoreLastSession() would restore next time: this catalog, tab, run.
    void saveSession() const;

    CatalogSession* session() const { return m_session; }
    CapturesPage* capturesPage() const { return m_capturesPage; }
    CatalogPage* catalogPage() const { return m_catalogPage; }
    RunsPage* runsPage() const { return m_runsPage; }
    ResultsPage* resultsPage() const { return m_resultsPage; }
    PredictionView* predictionView() const { return m_prediction; }

public Q_SLOTS:
    void newCatalog();
    void openCatalogInteractively();
    void addCapturesInteractively();
    void newExperiment();
    // Shows the Predict tab and asks for a model file when none is loaded.
    void predictWithModel();

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    // How an asked open reports (the session reports opens in order).
    struct OpenRequest {
        bool interactive = false;
        bool remembersFolder = false; // the folder becomes the dialogs' next start
    };

    void buildMenus();
    void connectSession();
    void updateRecentMenu();
    void updateActions();
    void onCatalogOpened(const QString& path);
    void onOpenFailed(const QString& message);
    // Waits for the session; false when an `operation` failed meanwhile (or on timeout).
    bool awaitSession(CatalogSession::Operation operation);
    // Refuses (false, with lastError()) while no catalog is open or one is being opened.
    bool checkCatalogReady(bool interactive);
    void fail(const QString& message, bool interactive);

    QString m_lastError;
    CatalogSession* m_session;
    QList<OpenRequest> m_openRequests;
    // The session being restored: its tab and run are applied once its
    // catalog has opened (and its run loaded).
    std::optional<WorkbenchSettings::Session> m_restoring;
    int m_restoreTab = -1;

    QTabWidget* m_tabs = nullptr;
    QMenu* m_recentMenu = nullptr;
    QLabel* m_catalogLabel = nullptr;
    CapturesPage* m_capturesPage = nullptr;
    CatalogPage* m_catalogPage = nullptr;
    RunsPage* m_runsPage = nullptr;
    ResultsPage* m_resultsPage = nullptr;
    PredictionView* m_prediction = nullptr;
};

} // namespace snilab::ui
