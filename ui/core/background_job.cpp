#include "background_job.h"

#include <algorithm>
#include <cerrno>
#include <exception>

#ifdef __linux__
#include <sys/resource.h>
#include <unistd.h>
#endif

namespace snilab::ui {

namespace {

// The job's thread (a new one per launch) and the engine threads it starts
// (they inherit it) run a few nice levels below the GUI thread: on a machine
// whose cores the work fills, the scheduler still gives the GUI thread its
// turn first, so the window never stalls behind its own background work.
void yieldToTheGui()
{
#ifdef __linux__
    const auto self = static_cast<id_t>(gettid());
    errno = 0;
    const int nice = getpriority(PRIO_PROCESS, self);
    if (errno == 0 && nice < 19)
        setpriority(PRIO_PROCESS, self, std::min(19, nice + 5));
#endif
}

} // namespace

void JobWorker::run()
{
    yieldToTheGui();
    try {
        m_work();
    } catch (const std::exception& e) {
        Q_EMIT failed(QString::fromStdString(e.what()));
    } catch (...) {
        Q_EMIT failed(QStringLiteral("unknown error"));
    }
    Q_EMIT workDone();
}

BackgroundJob::BackgroundJob(QObject* parent) : QObject(parent) {}

BackgroundJob::~BackgroundJob()
{
    if (m_thread) {
        cancel();
        wait();
    }
}

void BackgroundJob::wait()
{
    if (m_thread)
        m_thread->wait();
}

void BackgroundJob::cancel()
{
    if (m_feedback)
        m_feedback->cancel();
}

bool BackgroundJob::launch(std::function<void(JobFeedback&)> work, std::function<void()> done)
{
    if (m_thread)
        return false;
    m_crash.clear();
    m_feedback = std::make_unique<JobFeedback>();
    connect(m_feedback.get(), &JobFeedback::progressChanged, this, &BackgroundJob::progressChanged);
    connect(m_feedback.get(), &JobFeedback::epochReported, this, &BackgroundJob::epochReported);

    JobFeedback* feedback = m_feedback.get();
    auto* worker = new JobWorker([work = std::move(work), feedback] { work(*feedback); });
    m_thread = new QThread(this);
    worker->moveToThread(m_thread);
    connect(m_thread, &QThread::started, worker, &JobWorker::run);
    connect(worker, &JobWorker::failed, this,
            [this](const QString& message) { m_crash = message; });
    connect(worker, &JobWorker::workDone, m_thread, &QThread::quit);
    connect(m_thread, &QThread::finished, worker, &QObject::deleteLater);
    // Runs on this object's thread once the worker thread has ended.
    connect(m_thread, &QThread::finished, this, [this, done = std::move(done)] {
        m_thread->deleteLater();
        m_thread = nullptr;
        done();
        Q_EMIT finished();
    });
    m_thread->start();
    Q_EMIT started();
    return true;
}

} // namespace snilab::ui
