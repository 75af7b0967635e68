#include "ingest_job.h"

#include "catalog/catalog.h"
#include "ingest/ingester.h"

#include <QDirIterator>
#include <QFileInfo>
#include <QMetaObject>
#include <QRegularExpression>

#include <algorithm>
#include <filesystem>
#include <functional>

namespace snilab::ui {

namespace {

// Maps one file's progress into the job's overall fraction, hands the file's
// own fraction to `onFile` at each whole percent, and passes the job's cancel
// flag down to the engine call. Thread: the job's worker thread only.
class FileFeedback : public snilab::Feedback {
public:
    FileFeedback(snilab::Feedback& job, double base, double share, std::string stage,
                 std::function<void(double)> onFile)
        : m_job(job), m_base(base), m_share(share), m_stage(std::move(stage)),
          m_onFile(std::move(onFile))
    {
    }
    void progress(double fraction, std::string_view) override
    {
        fraction = std::clamp(fraction, 0.0, 1.0);
        m_job.progress(m_base + m_share * fraction, m_stage);
        const int percent = static_cast<int>(fraction * 100.0);
        if (percent != m_lastPercent) {
            m_lastPercent = percent;
            m_onFile(fraction);
        }
        if (m_job.isCancelled())
            cancel();
    }

private:
    snilab::Feedback& m_job;
    double m_base;
    double m_share;
    std::string m_stage;
    std::function<void(double)> m_onFile;
    int m_lastPercent = -1;
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
    // call into this object (the work runs on the worker thread).
    auto publish = [this](int index, IngestFileReport report) {
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
                const double share = 1.0 / static_cast<double>(paths.size());
                for (std::size_t i = 0; i < paths.size(); ++i) {
                    if (feedback.isCancelled()) {
                        *cancelled = true;
                        break;
                    }
                    const int index = static_cast<int>(i);
                    FileFeedback fileFeedback(
                        feedback, share * static_cast<double>(i), share,
                        paths[i].filename().string(),
                        [&publishProgress, index](double f) { publishProgress(index, f); });
                    fileFeedback.progress(0.0, {});
                    const auto result = snilab::ingestFile(paths[i], catalog, {}, fileFeedback);
                    publish(index, reportOf(result));
                    if (result.outcome == snilab::IngestOutcome::Cancelled)
                        *cancelled = true;
                }
                if (!*cancelled)
                    feedback.progress(1.0, "done");
            } catch (const snilab::CatalogError& e) {
                *error = QString::fromStdString(e.what());
            }
        },
        [this, error, cancelled] {
            m_catalogError = *error;
            if (m_catalogError.isEmpty() && !crashMessage().isEmpty())
                m_catalogError = crashMessage();
            m_cancelled = *cancelled;
        });
}

QStringList expandCapturePaths(const QStringList& paths)
{
    static const QRegularExpression captureName(
        QStringLiteral("\\.(pcap|pcapng|cap|dmp|mcap)(\\.gz|\\.zst)?$"),
        QRegularExpression::CaseInsensitiveOption);
    QStringList out;
    for (const QString& p : paths) {
        const QFileInfo info(p);
        if (!info.isDir()) {
            out << info.absoluteFilePath();
            continue;
        }
        QStringList found;
        QDirIterator it(info.absoluteFilePath(), QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString f = it.next();
            if (captureName.match(f).hasMatch())
                found << f;
        }
        found.sort();
        out << found;
    }
    out.removeDuplicates();
    return out;
}

} // namespace snilab::ui
