// JobFeedback: the engine's Feedback (progress, stage, epochs, cancel) turned
// into Qt signals for the GUI thread (docs/design.md section 1: "workers throttle
// progress signals"; QgsFeedback-like).
//
// Thread: the object lives on the GUI thread; the engine calls progress() and
// epoch() from its worker threads (several at once during a parallel ingest).
// The signals are then emitted from those threads and reach receivers on the
// GUI thread as queued calls. progress() is throttled to one signal per
// `interval` unless the stage text changes or the fraction reaches 1; epochs
// are never dropped. cancel() (inherited) may be called from any thread.
#pragma once

#include "common/feedback.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>

#include <chrono>
#include <mutex>
#include <string>

Q_DECLARE_METATYPE(snilab::EpochReport)

namespace snilab::ui {

class JobFeedback : public QObject, public snilab::Feedback {
    Q_OBJECT
public:
    explicit JobFeedback(QObject* parent = nullptr,
                         std::chrono::milliseconds interval = std::chrono::milliseconds(50));

    void progress(double fraction, std::string_view stage) override;
    void epoch(const snilab::EpochReport& report) override;

    // Forget the cancel flag and throttle state before a new job.
    void reset();
    double lastFraction() const;

Q_SIGNALS:
    void progressChanged(double fraction, const QString& stage);
    void epochReported(const snilab::EpochReport& report);

private:
    mutable std::mutex m_mutex;
    QElapsedTimer m_clock;
    std::chrono::milliseconds m_interval;
    std::string m_lastStage;
    double m_lastFraction = 0;
};

} // namespace snilab::ui
