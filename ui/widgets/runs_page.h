// RunsPage: the workbench's Runs tab. The run registry (RunListModel) with
// Open, Compare beside and Delete; "New experiment…" and the running
// experiment: EvaluationJob on its background thread with progress, stage,
// Cancel and the live loss/accuracy curves (TrainingCurves). The list shows a
// run while it runs (read off the GUI thread through a read-only connection,
// refreshed every half second and at each new stage).
//
// The job queue: an experiment asked for while one runs waits its turn in
// the "Queued" list (what it will run, in order) and starts when the one
// before it ends, however it ends; "Remove from queue" drops the selected
// waiting ones, Cancel stops only the running one, cancel() (the menu's
// "Cancel running jobs", closing the window) empties the queue first. At most
// kMaxQueued wait.
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
class QListWidget;
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
    static constexpr int kMaxQueued = 50;
    enum class StartResult { Started, Queued, QueueFull };
    // Starts an evaluation now, or queues it behind the running one.
    StartResult startEvaluation(const QString& catalogPath, const snilab::EvaluationConfig& config);
    // Running, or experiments waiting.
    bool isBusy() const { return m_evaluation->isRunning() || !m_queue.isEmpty(); }
    int queuedCount() const { return static_cast<int>(m_queue.size()); }
    // Empties the queue and cancels the running experiment.
    void cancel();
    // Drops waiting experiment `index` (0 = next); false when there is none.
    bool removeQueued(int index);
    void wait() { m_evaluation->wait(); }
    void updateActions(bool catalogOpen);

    EvaluationJob* evaluationJob() const { return m_evaluation; }
    RunListModel* runModel() const { return m_runs; }
    TrainingCurves* trainingCurves() const { return m_curves; }
    FigureView* lossView() const { return m_lossView; }
    FigureView* accuracyView() const { return m_accuracyView; }
    QProgressBar* jobProgress() const { return m_jobProgress; }
    QLabel* jobStatus() const { return m_jobStage; }
    QListWidget* queueList() const { return m_queueList; }

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
    // Starts the first waiting experiment (after a run ended).
    void startNextQueued();
    void updateQueueList();
    std::int64_t selectedRun() const;

    CatalogSession* m_session;
    EvaluationJob* m_evaluation;
    RunListModel* m_runs;
    TrainingCurves* m_curves;
    // Refreshes the run list while an experiment runs.
    QTimer* m_runRefresh;
    struct QueuedExperiment {
        QString catalogPath;
        snilab::EvaluationConfig config;
    };
    QList<QueuedExperiment> m_queue;
    bool m_catalogOpen = false;

    QTableView* m_runTable = nullptr;
    QPushButton* m_newExperiment = nullptr;
    QPushButton* m_delete = nullptr;
    int m_deletesPending = 0;
    QProgressBar* m_jobProgress = nullptr;
    QLabel* m_jobStage = nullptr;
    QPushButton* m_jobCancel = nullptr;
    QListWidget* m_queueList = nullptr;
    QPushButton* m_unqueue = nullptr;
    FigureView* m_lossView = nullptr;
    FigureView* m_accuracyView = nullptr;
};

} // namespace snilab::ui
