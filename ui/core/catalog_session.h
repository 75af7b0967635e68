// CatalogSession: the workbench's open catalog and the catalog operations
// the window asks for - open (or create), close, delete a run, load a run's
// results (RunData) - each done OFF the GUI thread, on the session's own
// worker thread, one after another in the order asked. Every operation is
// reported back on the session's thread (the GUI thread) by exactly one
// signal: opened / closed / runDeleted / runLoaded, or failed(operation,
// message). The pages show what comes back (MainWindow wires them).
//
// State: path() is the catalog that the last successful open() validated
// (absolute; "" = none); it changes when opened() or closed() is emitted.
// An operation asked after open() acts on the catalog that open() opened,
// even before opened() has arrived (the worker keeps its own copy of the
// path, in order). The session holds no connection between operations: each
// opens the catalog briefly on the worker thread, as the ingest and
// evaluation jobs do, so none of them waits on a connection held here. The
// export guard (export_guard.h) learns the open catalog from the worker too.
//
// Thread: create, call and destroy on one thread (the GUI thread). The
// destructor lets the operations already asked finish (a deletion is never
// cut short) and waits for the worker thread; their reports are dropped.
// waitForIdle() runs the event loop until everything asked is reported (the
// scripted calls: tests, the screenshot mode).
// Failure: never throws; failed() carries the engine's message ("no run 7 in
// …", "Cannot open …: not a snilab catalog", "No catalog is open."). Open
// also runs the engine's quick integrity check (catalog/catalog_check.h): a
// damaged file is not opened, and the message says what is wrong, what can
// still be read (with the captures to ingest again) and how to recover. A
// catalog of a newer schema is refused with both version numbers.
#pragma once

#include "run_data.h"

#include <QObject>
#include <QString>

#include <functional>
#include <memory>

class QThread;

namespace snilab::ui {

class CatalogSession : public QObject {
    Q_OBJECT
public:
    enum class Operation { Open, Close, DeleteRun, LoadRun };
    Q_ENUM(Operation)

    explicit CatalogSession(QObject* parent = nullptr);
    ~CatalogSession() override;

    QString path() const { return m_path; }
    bool isOpen() const { return !m_path.isEmpty(); }
    // Operations asked and not yet reported.
    int pendingCount() const { return m_pending; }
    bool isBusy() const { return m_pending > 0; }

    // Validates (with create: creates when missing or empty) the catalog at `path`.
    void open(const QString& path, bool create = false);
    void close();
    // Deletes a run and all its results (refused by the engine while it runs).
    void deleteRun(qint64 runId);
    // Reads a run's results; `slot` comes back with them (the Results tab's side).
    void loadRun(qint64 runId, int slot = 0);

    // Runs the event loop until every operation asked has been reported;
    // false after timeoutMs.
    bool waitForIdle(int timeoutMs = 120000);
    // The thread the operations run on (tests).
    QThread* workerThread() const { return m_thread; }

Q_SIGNALS:
    void opened(const QString& path);
    void closed();
    void runDeleted(qint64 runId);
    void runLoaded(int slot, const snilab::ui::RunData& run);
    void failed(snilab::ui::CatalogSession::Operation operation, const QString& message);
    void busyChanged(bool busy);

private:
    // What an operation hands back to the GUI thread: the report to emit there.
    using Report = std::function<void()>;
    // Queues `work` on the worker thread; an exception it throws becomes
    // failed(operation, what()).
    void enqueue(Operation operation, std::function<Report()> work);
    void deliver(const Report& report);
    // Worker thread: the catalog the worker has open, or throws "No catalog is open.".
    std::unique_ptr<snilab::Catalog> openCatalogOnWorker() const;

    QThread* m_thread;
    QObject* m_worker;    // lives on m_thread; queued operations run in its event loop
    QString m_path;       // GUI thread
    QString m_workerPath; // worker thread only
    int m_pending = 0;
};

} // namespace snilab::ui

Q_DECLARE_METATYPE(snilab::ui::RunData)
