// BackgroundJob: runs one long engine operation on its own QThread, with
// progress, stage text, epochs and Cancel, and delivers completion on the
// thread that owns the job (the GUI thread). Ingest and evaluation jobs
// derive from it.
//
// How: launch() creates a QThread and a JobWorker QObject moved to it; the
// worker runs the work function when the thread starts, then the thread quits
// and `done` runs on the job's thread, after the work has returned (so what
// the work wrote is visible without locks). One operation at a time: launch()
// refuses while running. Each launch gets a fresh JobFeedback (a cancel is
// final for one operation).
//
// The job's thread, and the engine threads it starts, run five nice levels
// below the GUI thread (Linux), so that a window whose work fills every core
// still answers at once.
//
// Thread: create, launch, cancel and destroy on one thread (the GUI thread).
// The destructor cancels a running operation and waits for it.
// Failure: exceptions escaping the work function are caught on the worker
// thread and reported as failed(message); the job still finishes.
#pragma once

#include "job_feedback.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QThread>

#include <functional>
#include <memory>

namespace snilab::ui {

// The QObject that lives on the job's QThread and runs the work function.
class JobWorker : public QObject {
    Q_OBJECT
public:
    explicit JobWorker(std::function<void()> work) : m_work(std::move(work)) {}
public Q_SLOTS:
    void run();
Q_SIGNALS:
    void failed(const QString& message);
    void workDone();

private:
    std::function<void()> m_work;
};

class BackgroundJob : public QObject {
    Q_OBJECT
public:
    explicit BackgroundJob(QObject* parent = nullptr);
    ~BackgroundJob() override;

    bool isRunning() const { return m_thread != nullptr; }
    // Blocks until the running operation ends (tests, shutdown); processes no events.
    void wait();

public Q_SLOTS:
    void cancel();

Q_SIGNALS:
    void started();
    void progressChanged(double fraction, const QString& stage);
    void epochReported(const snilab::EpochReport& report);
    // Emitted once per launch, after the subclass has published its results.
    void finished();

protected:
    // Returns false (and does nothing) while an operation is running.
    bool launch(std::function<void(JobFeedback&)> work, std::function<void()> done);
    // Message of an exception that escaped the work function ("" if none).
    QString crashMessage() const { return m_crash; }

private:
    QThread* m_thread = nullptr;
    std::unique_ptr<JobFeedback> m_feedback;
    QString m_crash;
};

} // namespace snilab::ui
