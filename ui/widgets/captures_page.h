// CapturesPage: the workbench's Captures tab. The catalog's captures
// (CaptureListModel), "Add captures…" (and the window's drag-and-drop), and
// the ingest: IngestJob on its background thread with progress, stage and
// Cancel; a row per file with its state (queued, reading, done, partial,
// failed…), its own progress bar and result or error (IngestFileModel; good
// files kept), and one result line per file in the log.
//
// It owns the ingest job and the capture list; MainWindow decides when an
// ingest may start (a catalog open, nothing else switching it) and reloads
// the Catalog tab when ingestFinished() comes. Thread: GUI thread.
#pragma once

#include "core/catalog_models.h"
#include "core/ingest_file_model.h"
#include "core/ingest_job.h"

#include <QWidget>

class QAction;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QTableView;

namespace snilab::ui {

class CapturesPage : public QWidget {
    Q_OBJECT
public:
    explicit CapturesPage(QWidget* parent = nullptr);

    // A catalog was opened: the captures of `path`, an empty log and file list.
    void setCatalog(const QString& path);
    // Starts ingesting `files` (already expanded) into `catalogPath`; false while one runs.
    bool startIngest(const QString& catalogPath, const QStringList& files);
    bool isBusy() const { return m_ingest->isRunning(); }
    void cancel() { m_ingest->cancel(); }
    void wait() { m_ingest->wait(); }
    void updateActions(bool catalogOpen);
    // Removes the capture in `row` of the capture list (not a complete one,
    // nor while an ingest runs); false with the reason in *error. The
    // capture table's context menu asks first, then calls this.
    bool removeCapture(int row, QString* error);
    QTableView* captureTable() const { return m_captureTable; }

    IngestJob* ingestJob() const { return m_ingest; }
    CaptureListModel* captureModel() const { return m_captures; }
    IngestFileModel* ingestFileModel() const { return m_ingestFiles; }
    QTableView* ingestFileTable() const { return m_ingestFileTable; }
    QListWidget* ingestLog() const { return m_ingestLog; }
    QProgressBar* ingestProgress() const { return m_ingestProgress; }

Q_SIGNALS:
    // "Add captures…" was clicked (the window asks for files).
    void addCapturesRequested();
    // After an ingest has ended and the capture list is reloaded.
    void ingestFinished();
    // A capture was removed (the list is reloaded).
    void capturesChanged();

private:
    QWidget* buildIngestBox();
    void connectJob();
    void onFileFinished(const IngestFileReport& report);
    void onIngestFinished();

    IngestJob* m_ingest;
    CaptureListModel* m_captures;
    IngestFileModel* m_ingestFiles;

    QPushButton* m_addCaptures = nullptr;
    QProgressBar* m_ingestProgress = nullptr;
    QLabel* m_ingestStage = nullptr;
    QPushButton* m_ingestCancel = nullptr;
    QListWidget* m_ingestLog = nullptr;
    QTableView* m_ingestFileTable = nullptr;
    QTableView* m_captureTable = nullptr;
    QAction* m_removeCapture = nullptr;
};

} // namespace snilab::ui
