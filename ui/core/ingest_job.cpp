#include "ingest_job.h"

#include "catalog/catalog.h"
#include "ingest/capture_files.h"
#include "ingest/ingester.h"

#include <QFileInfo>
#include <QMetaObject>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <vector>

namespace snilab::ui {

namespace {

// Hands the engine's per-file events to the GUI thread as queued calls.
// Thread: called on the ingest's worker threads.
// A file the cancel stopped before it began gets no result: its row stays
// "not reached" (nothing of it is in the catalog).
class QueuedObserver : public snilab::IngestObserver {
public:
    QueuedObserver(std::size_t files, std::function<void(int, double)> progress,
                   std::function<void(int, const snilab::IngestFileResult&)> finished)
        : m_started(files, 0), m_progress(std::move(progress)), m_finished(std::move(finished))
    {
    }
    void fileStarted(std::size_t index, const std::filesystem::path&) override
    {
        m_started[index] = 1; // one thread per file: no two threads write one element
        m_progress(static_cast<int>(index), 0.0);
    }
    void fileProgress(std::size_t index, double fraction) override
    {
        m_progress(static_cast<int>(index), fraction);
    }
    void fileFinished(std::size_t index, const snilab::IngestFileResult& result) override
    {
        if (m_started[index])
            m_finished(static_cast<int>(index), result);
    }

private:
    std::vector<char> m_started;
    std::function<void(int, double)> m_progress;
    std::function<void(int, const snilab::IngestFileResult&)> m_finished;
};

IngestFileReport reportOf(const snilab::IngestFileResult& r)
{
    IngestFileReport out;
    out.path = QString::fromStdString(r.path.string());
    out.outcome =
        QString::fromUtf8(snilab::ingestOutcomeName(r.outcome).data(),
                          static_cast<qsizetype>(snilab::ingestOutcomeName(r.outcome).size()));
    out.connections = r.connections;
    out.clientHellos = r.clientHellos;
    out.packets = r.packets;
    switch (r.outcome) {
    case snilab::IngestOutcome::Ingested:
        out.ok = true;
        out.message = QStringLiteral("%1 connections, %2 with a ClientHello, %3 packets")
                          .arg(r.connections)
                          .arg(r.clientHellos)
                          .arg(r.packets);
        break;
    case snilab::IngestOutcome::AlreadyPresent:
        out.ok = true;
        out.message = QStringLiteral("already in the catalog (same content): nothing added");
        break;
    case snilab::IngestOutcome::Partial:
        out.message = QStringLiteral("read up to an error, %1 connections kept: %2")
                          .arg(r.connections)
                          .arg(QString::fromStdString(r.error.describe()));
        break;
    case snilab::IngestOutcome::Failed:
        out.message =
            QStringLiteral("not ingested: %1").arg(QString::fromStdString(r.error.describe()));
        break;
    case snilab::IngestOutcome::Cancelled:
        out.message = QStringLiteral("cancelled; the capture stays incomplete and is redone by the "
                                     "next ingest");
        break;
    }
    return out;
}

} // namespace

IngestJob::IngestJob(QObject* parent) : BackgroundJob(parent)
{
    qRegisterMetaType<snilab::ui::IngestFileReport>();
}

bool IngestJob::start(const QString& catalogPath, const QStringList& files)
{
    if (isRunning() || files.isEmpty())
        return false;
    m_files = files;
    m_reports.clear();
    m_catalogError.clear();
    m_cancelled = false;
    const std::filesystem::path catalogFile = catalogPath.toStdString();
    std::vector<std::filesystem::path> paths;
    for (const QString& f : files)
        paths.emplace_back(f.toStdString());

    // Per-file results are handed to the GUI thread as they come: a queued
    // call into this object (the work runs on worker threads, files in parallel).
    auto publish = [this](int index, const snilab::IngestFileResult& result) {
        IngestFileReport report = reportOf(result);
        report.index = index;
        QMetaObject::invokeMethod(
            this,
            [this, index, report] {
                m_reports.append(report);
                Q_EMIT fileFinished(index, report);
            },
            Qt::QueuedConnection);
    };
    auto publishProgress = [this](int index, double fraction) {
        QMetaObject::invokeMethod(
            this, [this, index, fraction] { Q_EMIT fileProgress(index, fraction); },
            Qt::QueuedConnection);
    };
    auto error = std::make_shared<QString>();
    auto cancelled = std::make_shared<bool>(false);
    return launch(
        [catalogFile, paths, publish, publishProgress, error, cancelled](JobFeedback& feedback) {
            try {
                snilab::Catalog catalog(catalogFile);
                QueuedObserver observer(paths.size(), publishProgress, publish);
                // Every core, as the CLI: one file per worker thread.
                const auto results =
                    snilab::ingestFiles(paths, catalog.captures(), {}, feedback, &observer);
                for (const auto& r : results)
                    if (r.outcome == snilab::IngestOutcome::Cancelled)
                        *cancelled = true;
                if (!*cancelled)
                    feedback.progress(1.0, "done");
            } catch (const snilab::CatalogError& e) {
                *error = QString::fromStdString(e.what());
            }
        },
        [this, error, cancelled] {
            std::stable_sort(m_reports.begin(), m_reports.end(),
                             [](const IngestFileReport& a, const IngestFileReport& b) {
                                 return a.index < b.index;
                             });
            m_catalogError = *error;
            if (m_catalogError.isEmpty() && !crashMessage().isEmpty())
                m_catalogError = crashMessage();
            m_cancelled = *cancelled;
        });
}

QStringList expandCapturePaths(const QStringList& paths)
{
    std::vector<std::filesystem::path> inputs;
    for (const QString& p : paths)
        inputs.emplace_back(QFileInfo(p).absoluteFilePath().toStdString());
    QStringList out;
    for (const auto& f : snilab::findCaptureFiles(inputs))
        out << QString::fromStdString(f.string());
    return out;
}

} // namespace snilab::ui
