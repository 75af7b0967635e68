// LatestJob: runs a short piece of work (a catalog query, a sort of 10^6
// rows) on a pool thread and hands its result to the owner on the owner's
// thread, unless a later start() or cancel() came first: the models that must
// not stall the GUI thread (ConnectionTableModel, LabelCountModel,
// PredictionFilterModel) keep showing what they have until it arrives.
//
// Thread: the owner's (GUI) thread; `work` runs on QThreadPool::globalInstance()
// and touches only what it captured (values, shared immutable data). `work`
// gets a Feedback that is cancelled once its result can no longer apply.
// Failure: `work` reports its own errors in its result; when an exception
// escapes it (or the pool drops it unrun), `apply` gets std::nullopt.
#pragma once

#include "common/feedback.h"

#include <QFutureWatcher>
#include <QObject>
#include <QPromise>
#include <QThreadPool>

#include <functional>
#include <memory>
#include <optional>
#include <utility>

namespace snilab::ui {

class LatestJob {
public:
    explicit LatestJob(QObject* owner) : m_owner(owner) {}
    ~LatestJob() { cancel(); }
    LatestJob(const LatestJob&) = delete;
    LatestJob& operator=(const LatestJob&) = delete;

    // A started job whose result is still to come.
    bool running() const { return m_running; }

    // Supersedes any job still running; `apply` gets `work`'s result later,
    // on the owner's thread, once the event loop runs (nullopt: it threw).
    template <typename T>
    void start(std::function<T(snilab::Feedback&)> work,
               std::function<void(std::optional<T>)> apply)
    {
        cancel();
        auto feedback = std::make_shared<snilab::Feedback>();
        m_feedback = feedback;
        const quint64 generation = m_generation;
        m_running = true;
        using Result = std::shared_ptr<T>;
        auto promise = std::make_shared<QPromise<Result>>();
        auto* watcher = new QFutureWatcher<Result>(m_owner);
        QObject::connect(watcher, &QFutureWatcherBase::finished, m_owner,
                         [this, watcher, generation, apply = std::move(apply)] {
                             watcher->deleteLater();
                             if (generation != m_generation)
                                 return; // superseded
                             m_running = false;
                             m_feedback.reset();
                             QFuture<Result> future = watcher->future();
                             Result result;
                             if (!future.isCanceled() && future.resultCount() > 0)
                                 result = future.takeResult();
                             if (result)
                                 apply(std::optional<T>(std::move(*result)));
                             else
                                 apply(std::nullopt);
                         });
        watcher->setFuture(promise->future());
        QThreadPool::globalInstance()->start([promise, feedback, work = std::move(work)] {
            promise->start();
            Result result; // stays null when `work` throws
            try {
                result = std::make_shared<T>(work(*feedback));
            } catch (...) {
            }
            promise->addResult(std::move(result));
            promise->finish();
        });
    }

    // `work` at once on the calling thread when not `background` (what it
    // throws propagates), else as start() does; `apply` gets its result
    // either way, or what `failed()` makes when the background work threw.
    // The models that can read either way (ConnectionTableModel,
    // LabelCountModel) load through this.
    template <typename T>
    void run(bool background, std::function<T(snilab::Feedback*)> work,
             std::function<void(T)> apply, std::function<T()> failed)
    {
        if (!background) {
            cancel();
            apply(work(nullptr));
            return;
        }
        start<T>([work = std::move(work)](snilab::Feedback& feedback) { return work(&feedback); },
                 [apply = std::move(apply), failed = std::move(failed)](std::optional<T> result) {
                     apply(result ? std::move(*result) : failed());
                 });
    }

    // The running job's result will not be applied; its work is told to stop.
    void cancel()
    {
        ++m_generation;
        if (m_feedback)
            m_feedback->cancel();
        m_feedback.reset();
        m_running = false;
    }

private:
    QObject* m_owner;
    quint64 m_generation = 0;
    std::shared_ptr<snilab::Feedback> m_feedback;
    bool m_running = false;
};

} // namespace snilab::ui
