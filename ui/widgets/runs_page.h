// RunsPage: the workbench's Runs tab. The run registry (RunListModel) with
// Open, Compare beside and Delete; "New experiment…" and the running
// experiment: EvaluationJob on its background thread with progress, stage,
// Cancel and the live loss/accuracy curves (TrainingCurves). The list shows a
// run while it runs (read off the GUI thread through a read-only connection,
// refreshed every half second and at each new stage).
//
// Delete asks, then hands the deletion to the CatalogSession (off the GUI
// thread); the list reloads when it reports, and its error is shown.
// MainWindow starts experiments (it validates the set-up) and opens runs
// (openRequested / compareRequested, runFinished). Thread: GUI thread.
#pragma once

#include "core/catalog_models.h"
#include "core/evaluation_job.h"
#include "core/training_curves.h"

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;
class QTableView;
class QTimer;

namespace snilab::ui {

class CatalogSession;
class FigureView;

class RunsPage : public QWidget {
    Q_OBJECT
public:
    explicit RunsPage(CatalogSession* session, QWidget* parent = nullptr);

    // A catalog was opened: its runs, empty curves.
    void setCatalog(const QString& path);
    // Starts an evaluation; false while one runs.
    bool startEvaluation(const QString& catalogPath, const snilab::EvaluationConfig& config);
    bool isBusy() const { return m_evaluation->isRunning(); }
    void cancel() { m_evaluation->cancel(); }
    void wait() { m_evaluation->wait(); }
    void updateActions(bool catalogOpen);

    EvaluationJob* evaluationJob() const { return m_evaluation; }
    RunListModel* runModel() const { return m_runs; }
    TrainingCurves* trainingCurves() const { return m_curves; }
    FigureView* lossView() const { return m_lossView; }
    FigureView* accuracyView() const { return m_accuracyView; }
    QProgressBar* jobProgress() const { return m_jobProgress; }
    QLabel* jobStatus() const { return m_jobStage; }

Q_SIGNALS:
    void newExperimentRequested();
    void openRequested(qint64 runId);
    void compareRequested(qint64 runId);
    // An experiment finished with its run complete (the window shows it).
    void runFinished(qint64 runId);
    // A failure to report (interactive: also in a message box).
    void errorOccurred(const QString& message, bool interactive);

private:
    QWidget* buildJobBox();
    void connectJob();
    void deleteSelectedRun();
    // The session reported a deletion (done or failed): the list reloads.
    void onDeleteReported();
    void onEvaluationFinished();
    std::int64_t selectedRun() const;

    CatalogSession* m_session;
    EvaluationJob* m_evaluation;
    RunListModel* m_runs;
    TrainingCurves* m_curves;
    // Refreshes the run list while an experiment runs.
    QTimer* m_runRefresh;

    QTableView* m_runTable = nullptr;
    QPushButton* m_newExperiment = nullptr;
    QPushButton* m_delete = nullptr;
    int m_deletesPending = 0;
    QProgressBar* m_jobProgress = nullptr;
    QLabel* m_jobStage = nullptr;
    QPushButton* m_jobCancel = nullptr;
    FigureView* m_lossView = nullptr;
    FigureView* m_accuracyView = nullptr;
};

} // namespace snilab::ui
