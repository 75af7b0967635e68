#include "job_feedback.h"

namespace snilab::ui {

JobFeedback::JobFeedback(QObject* parent, std::chrono::milliseconds interval)
    : QObject(parent), m_interval(interval)
{
    qRegisterMetaType<snilab::EpochReport>();
}

void JobFeedback::progress(double fraction, std::string_view stage)
{
    QString stageText;
    {
        std::lock_guard lock(m_mutex);
        const bool stageChanged = stage != m_lastStage;
        const bool due = !m_clock.isValid() || m_clock.elapsed() >= m_interval.count();
        m_lastFraction = fraction;
        if (!stageChanged && !due && fraction < 1.0)
            return;
        m_clock.restart();
        if (stageChanged)
            m_lastStage.assign(stage);
        stageText = QString::fromStdString(m_lastStage);
    }
    Q_EMIT progressChanged(fraction, stageText);
}

void JobFeedback::epoch(const snilab::EpochReport& report)
{
    Q_EMIT epochReported(report);
}

void JobFeedback::reset()
{
    // Feedback's cancel flag cannot be cleared (by design: a cancel is final
    // for an operation), so a job uses a fresh JobFeedback per run; this only
    // clears the throttle state.
    std::lock_guard lock(m_mutex);
    m_clock.invalidate();
    m_lastStage.clear();
    m_lastFraction = 0;
}

double JobFeedback::lastFraction() const
{
    std::lock_guard lock(m_mutex);
    return m_lastFraction;
}

} // namespace snilab::ui
