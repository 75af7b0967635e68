// PredictionView: the workbench's Predict tab (issue item 7). Open a model
// file (read in the background by PredictionJob; a corrupt, truncated,
// foreign or newer file shows the engine's one-line reason), pick one of its
// models or ensembles (the file's primary preselected), choose captures
// (dialog, or drop files and folders on the tab), Run / Cancel with progress
// and stage, then the table of connections (sortable; show all, only wrong,
// only unknown-class or both), the summary line (connections, with SNI, with
// ECH, accuracy over the model's classes, unreadable captures) and Export
// CSV / LaTeX of what the table shows.
//
// It only wires PredictionJob, PredictionTableModel and PredictionFilterModel
// (ui/core). The public functions are what its buttons call, also used by the
// GUI tests and the screenshot mode. Thread: GUI thread.
#pragma once

#include "core/prediction_job.h"
#include "core/prediction_table_model.h"

#include <QWidget>

class QComboBox;
class QGroupBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;

namespace snilab::ui {

class TableView;

class PredictionView : public QWidget {
    Q_OBJECT
public:
    explicit PredictionView(QWidget* parent = nullptr);
    ~PredictionView() override;

    // Starts reading a model file (false while a job runs).
    bool openModel(const QString& path);
    // Captures to classify: files as given, folders searched for captures.
    void setCaptures(const QStringList& paths);
    void addCaptures(const QStringList& paths);
    QStringList captures() const { return m_captureFiles; }
    // Runs the chosen model on the captures (false with lastError() when not ready).
    bool run();
    void cancel();
    void setShow(PredictionFilterModel::Show show);
    // Writes what the table shows (filter and sort applied).
    bool exportCsv(const QString& path, QString* error) const;
    QString lastError() const { return m_lastError; }

    PredictionJob* job() const { return m_job; }
    PredictionTableModel* model() const { return m_model; }
    PredictionFilterModel* filterModel() const { return m_filter; }
    QComboBox* modelChoice() const { return m_modelChoice; }
    QLabel* summaryLabel() const { return m_summary; }
    QLabel* statusLabel() const { return m_status; }
    TableView* tableView() const { return m_table; }

public Q_SLOTS:
    void openModelInteractively();
    void addCapturesInteractively();

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    // The constructor's parts, in the order the widgets are created.
    QGroupBox* buildSetupBox();     // model file, model choice, captures
    QHBoxLayout* buildRunRow();     // Run, progress, Cancel (and the status label)
    QHBoxLayout* buildResultArea(); // the show filter and summary (and the table)
    void connectSignals();
    void onJobFinished();
    void updateActions();
    void showError(const QString& message);

    PredictionJob* m_job;
    PredictionTableModel* m_model;
    PredictionFilterModel* m_filter;
    QStringList m_captureFiles;
    QString m_lastError;

    QLineEdit* m_modelPath = nullptr;
    QPushButton* m_openModel = nullptr;
    QComboBox* m_modelChoice = nullptr;
    QLabel* m_modelInfo = nullptr;
    QListWidget* m_captureList = nullptr;
    QPushButton* m_addCaptures = nullptr;
    QPushButton* m_clearCaptures = nullptr;
    QPushButton* m_run = nullptr;
    QPushButton* m_cancel = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    QComboBox* m_show = nullptr;
    QLabel* m_summary = nullptr;
    TableView* m_table = nullptr;
};

} // namespace snilab::ui
