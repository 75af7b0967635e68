#include "background_job.h"

#include <exception>

namespace snilab::ui {

void JobWorker::run()
{
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
