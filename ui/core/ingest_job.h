// IngestJob: ingests capture files into a catalog on a background QThread
// through the engine's ingestFiles() - files in parallel on every core, as
// the CLI - reporting progress (over all bytes), the stage (a file name),
// each file's own progress (fileProgress: a file being read and its
// fraction), a result per file as soon as it is done, and Cancel.
//
// A bad file never stops the job: it gets its own result (Failed or Partial,
// with the engine's reason) and the other files are still ingested; files
// already ingested stay in the catalog when a later one fails or the job is
// cancelled (the interrupted file stays `incomplete`, redone next time).
//
// Thread: use from the GUI thread (see BackgroundJob). The worker opens its
// own Catalog object on the file, so readers on the GUI thread (models) are
// never blocked by it. Failure: a catalog that cannot be opened or written
// ends the job with catalogError() set; the files not reached get no result.
#pragma once

#include "background_job.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace snilab::ui {

struct IngestFileReport {
    QString path;
    QString outcome; // engine name: ingested, already-present, partial, failed, cancelled
    bool ok = false; // ingested or already present
    quint64 connections = 0;
    quint64 clientHellos = 0;
    quint64 packets = 0;
    QString message; // human text: counts, or the reason of a failure
    int index = -1;  // in the job's files
};

class IngestJob : public BackgroundJob {
    Q_OBJECT
public:
    explicit IngestJob(QObject* parent = nullptr);

    // Starts ingesting `files` into the catalog at `catalogPath` (created if
    // missing). Returns false while a job is running or when `files` is empty.
    bool start(const QString& catalogPath, const QStringList& files);

    // Results of the last job, in the order of its files (valid after finished()).
    QList<IngestFileReport> reports() const { return m_reports; }
    QString catalogError() const { return m_catalogError; }
    bool wasCancelled() const { return m_cancelled; }
    // The files of the last start(), in order (set before started()).
    QStringList files() const { return m_files; }

Q_SIGNALS:
    // GUI thread: file `index` is being read, `fraction` of its bytes done
    // (0 when it begins; then at each whole percent). Always before that
    // file's fileFinished(). Several files may be in progress at once.
    void fileProgress(int index, double fraction);
    // GUI thread, as each file ends (before finished()).
    void fileFinished(int index, const snilab::ui::IngestFileReport& report);

private:
    QStringList m_files;
    QList<IngestFileReport> m_reports;
    QString m_catalogError;
    bool m_cancelled = false;
};

// Files to ingest from dropped or chosen paths, as absolute paths: the
// engine's findCaptureFiles() (ingest/capture_files.h), the CLI's rule.
QStringList expandCapturePaths(const QStringList& paths);

} // namespace snilab::ui

Q_DECLARE_METATYPE(snilab::ui::IngestFileReport)
