#include "catalog_session.h"

#include "export_guard.h"

#include "catalog/catalog_check.h"

#include <QEventLoop>
#include <QFileInfo>
#include <QThread>
#include <QTimer>

#include <exception>
#include <memory>

namespace snilab::ui {

namespace {

// What the window shows for a damaged catalog: the engine's account of what
// is wrong, what can still be read and how to recover.
QString damagedCatalogMessage(const QString& path, const snilab::CatalogCheck& check)
{
    return CatalogSession::tr("%1 is damaged and was not opened.\n\n").arg(path) +
           QString::fromStdString(check.describe());
}

} // namespace

CatalogSession::CatalogSession(QObject* parent)
    : QObject(parent), m_thread(new QThread(this)), m_worker(new QObject)
{
    m_thread->setObjectName(QStringLiteral("snilab catalog session"));
    m_worker->moveToThread(m_thread);
    m_thread->start();
}

CatalogSession::~CatalogSession()
{
    // Queued after every operation asked: they all run before the thread ends.
    QMetaObject::invokeMethod(
        m_worker, [thread = m_thread] { thread->quit(); }, Qt::QueuedConnection);
    m_thread->wait();
    delete m_worker;
}

void CatalogSession::enqueue(Operation operation, std::function<Report()> work)
{
    if (m_pending++ == 0)
        Q_EMIT busyChanged(true);
    QMetaObject::invokeMethod(
        m_worker,
        [this, operation, work = std::move(work)] {
            Report report;
            QString error;
            try {
                report = work();
            } catch (const std::exception& e) {
                error = QString::fromStdString(e.what());
            } catch (...) {
                error = QStringLiteral("unknown error");
            }
            if (!report)
                report = [this, operation, error] { Q_EMIT failed(operation, error); };
            // Dropped with the session if it is being destroyed.
            QMetaObject::invokeMethod(
                this, [this, report = std::move(report)] { deliver(report); },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

void CatalogSession::deliver(const Report& report)
{
    --m_pending;
    report();
    if (m_pending == 0)
        Q_EMIT busyChanged(false);
}

std::unique_ptr<snilab::Catalog> CatalogSession::openCatalogOnWorker() const
{
    if (m_workerPath.isEmpty())
        throw snilab::CatalogError(tr("No catalog is open.").toStdString());
    return snilab::Catalog::openExisting(m_workerPath.toStdString());
}

void CatalogSession::open(const QString& path, bool create)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    enqueue(Operation::Open, [this, path, absolute, create]() -> Report {
        QString message;
        try {
            // Validates the file (and creates it when asked) before any view
            // reads it, and checks that it is intact.
            snilab::Catalog catalog(path.toStdString(), create
                                                            ? snilab::Catalog::Open::CreateIfMissing
                                                            : snilab::Catalog::Open::ExistingOnly);
            const snilab::CatalogCheck check = snilab::checkCatalog(catalog.database());
            if (!check.intact())
                message = damagedCatalogMessage(path, check);
        } catch (const std::exception& e) {
            message = tr("Cannot open %1: %2").arg(path, QString::fromStdString(e.what()));
        }
        if (!message.isEmpty())
            return [this, message] { Q_EMIT failed(Operation::Open, message); };
        m_workerPath = absolute;
        setOpenCatalog(absolute);
        return [this, absolute] {
            m_path = absolute;
            Q_EMIT opened(absolute);
        };
    });
}

void CatalogSession::close()
{
    enqueue(Operation::Close, [this]() -> Report {
        m_workerPath.clear();
        setOpenCatalog({});
        return [this] {
            m_path.clear();
            Q_EMIT closed();
        };
    });
}

void CatalogSession::deleteRun(qint64 runId)
{
    enqueue(Operation::DeleteRun, [this, runId]() -> Report {
        auto catalog = openCatalogOnWorker();
        if (!catalog->runs().deleteRun(runId))
            throw snilab::CatalogError("no run " + std::to_string(runId) + " in " +
                                       catalog->path().string());
        return [this, runId] { Q_EMIT runDeleted(runId); };
    });
}

void CatalogSession::loadRun(qint64 runId, int slot)
{
    enqueue(Operation::LoadRun, [this, runId, slot]() -> Report {
        auto catalog = openCatalogOnWorker();
        auto run = std::make_shared<RunData>(loadRunData(*catalog, runId));
        return [this, slot, run] { Q_EMIT runLoaded(slot, *run); };
    });
}

bool CatalogSession::waitForIdle(int timeoutMs)
{
    if (m_pending == 0)
        return true;
    QEventLoop loop;
    connect(this, &CatalogSession::busyChanged, &loop, [&loop](bool busy) {
        if (!busy)
            loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    return m_pending == 0;
}

} // namespace snilab::ui
