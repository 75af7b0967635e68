// MainWindow: the snilab workbench (docs/design.md section 6). Tabs:
//   Captures  the catalog's captures, "Add captures…" and drag-and-drop;
//             ingest on a background job with progress, stage and Cancel;
//             a row per file with its state (queued, reading, done, partial,
//             failed…), its own progress bar and result or error (good files
//             kept), and one result line per file in the log
//   Catalog   the lazy connections table with its filter; connections per
//             label (the paper's Figure 3, top N) and the min-connections
//             threshold slider with the classes and connections that remain
//   Runs      the run registry; "New experiment…" (ExperimentDialog), the
//             running job's progress, Cancel and live loss/accuracy curves
//   Results   one run's result views, or two runs side by side (Compare)
//   Predict   a model file classifies new captures (PredictionView); needs
//             no catalog
// File menu: New/Open catalog, recent catalogs, Add captures, Predict with a
// model. The Runs list shows a run while it runs (read off the GUI thread
// through a read-only connection, refreshed every half second). Window
// geometry, recent catalogs and the last experiment set-up persist
// (WorkbenchSettings).
//
// All work runs in ui/core jobs and models; this class only wires them.
// The public functions are what the menus call, also used by the GUI tests
// and the screenshot mode. Thread: GUI thread.
#pragma once

#include "core/catalog_models.h"
#include "core/connection_table_model.h"
#include "core/evaluation_job.h"
#include "core/experiment_setup.h"
#include "core/ingest_file_model.h"
#include "core/ingest_job.h"
#include "core/training_curves.h"

#include <QMainWindow>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QMenu;
class QProgressBar;
class QPushButton;
class QSlider;
class QSpinBox;
class QSplitter;
class QTabWidget;
class QTableView;
class QTimer;

namespace snilab::ui {

class FigureView;
class PredictionView;
class ResultView;
class TableView;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    enum Tab { CapturesTab, CatalogTab, RunsTab, ResultsTab, PredictTab };

    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens (or, with create, creates) a catalog; false with lastError() set.
    bool openCatalog(const QString& path, bool create = false);
    QString catalogPath() const { return m_catalogPath; }
    QString lastError() const { return m_lastError; }
    // Starts ingesting files/folders into the open catalog (false if busy or none open).
    bool addCaptures(const QStringList& paths);
    // Starts an evaluation with `setup` (false with lastError() when invalid or busy).
    bool startExperiment(const ExperimentSetup& setup);
    // Shows a run in the Results tab (left side) or beside the current one.
    bool openRun(std::int64_t runId);
    bool compareRun(std::int64_t runId);
    void showTab(Tab tab);

    IngestJob* ingestJob() const { return m_ingest; }
    EvaluationJob* evaluationJob() const { return m_evaluation; }
    ConnectionTableModel* connectionModel() const { return m_connections; }
    LabelCountModel* labelCountModel() const { return m_labelCounts; }
    CaptureListModel* captureModel() const { return m_captures; }
    RunListModel* runModel() const { return m_runs; }
    TrainingCurves* trainingCurves() const { return m_curves; }
    ResultView* resultView(int side = 0) const;
    PredictionView* predictionView() const { return m_prediction; }
    FigureView* labelCountView() const { return m_figure3; }
    FigureView* lossView() const { return m_lossView; }
    FigureView* accuracyView() const { return m_accuracyView; }
    QSlider* thresholdSlider() const { return m_thresholdSlider; }
    QString thresholdSummary() const;
    QListWidget* ingestLog() const { return m_ingestLog; }
    IngestFileModel* ingestFileModel() const { return m_ingestFiles; }
    QTableView* ingestFileTable() const { return m_ingestFileTable; }
    QProgressBar* ingestProgress() const { return m_ingestProgress; }
    QProgressBar* jobProgress() const { return m_jobProgress; }
    QLabel* jobStatus() const { return m_jobStage; }

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
    QWidget* buildCapturesTab();
    QWidget* buildCatalogTab();
    QWidget* buildRunsTab();
    QWidget* buildResultsTab();
    void buildMenus();
    void updateRecentMenu();
    void reloadCatalogViews();
    void applyConnectionFilter();
    void updateThresholdSummary();
    void updateFigure3();
    void updateActions();
    void onIngestFinished();
    void onEvaluationFinished();
    std::int64_t selectedRun() const;
    void fail(const QString& message, bool interactive);

    QString m_catalogPath;
    QString m_lastError;
    IngestJob* m_ingest;
    EvaluationJob* m_evaluation;
    ConnectionTableModel* m_connections;
    LabelCountModel* m_labelCounts;
    CaptureListModel* m_captures;
    RunListModel* m_runs;
    TrainingCurves* m_curves;
    IngestFileModel* m_ingestFiles;

    QTabWidget* m_tabs = nullptr;
    QMenu* m_recentMenu = nullptr;
    QLabel* m_catalogLabel = nullptr;
    // Captures tab
    QProgressBar* m_ingestProgress = nullptr;
    QLabel* m_ingestStage = nullptr;
    QPushButton* m_ingestCancel = nullptr;
    QListWidget* m_ingestLog = nullptr;
    QTableView* m_ingestFileTable = nullptr;
    QPushButton* m_addCaptures = nullptr;
    // Catalog tab
    QLineEdit* m_labelFilter = nullptr;
    QComboBox* m_captureFilter = nullptr;
    QComboBox* m_sniFilter = nullptr;
    QLabel* m_connectionCount = nullptr;
    FigureView* m_figure3 = nullptr;
    QSpinBox* m_topN = nullptr;
    QSlider* m_thresholdSlider = nullptr;
    QComboBox* m_thresholdRule = nullptr;
    QLabel* m_thresholdLabel = nullptr;
    // Runs tab
    QTableView* m_runTable = nullptr;
    QPushButton* m_newExperiment = nullptr;
    QProgressBar* m_jobProgress = nullptr;
    QLabel* m_jobStage = nullptr;
    QPushButton* m_jobCancel = nullptr;
    FigureView* m_lossView = nullptr;
    FigureView* m_accuracyView = nullptr;
    // Results tab
    QSplitter* m_resultSplitter = nullptr;
    ResultView* m_results[2] = {nullptr, nullptr};
    // Predict tab
    PredictionView* m_prediction = nullptr;
    // Refreshes the run list while an experiment runs.
    QTimer* m_runRefresh = nullptr;
};

} // namespace snilab::ui
