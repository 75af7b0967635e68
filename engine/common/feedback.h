// Progress and cancellation for long engine operations.
//
// Thread: an operation may call progress() and epoch() from any worker
// thread; an implementation must be thread-safe. cancel() may be called from
// any thread (including a signal handler: it only stores an atomic flag).
#pragma once

#include <atomic>
#include <string>
#include <string_view>

namespace snilab {

// One finished training epoch of a network (docs/design.md section 4), reported
// live and stored with the run. Accuracies are fractions in [0, 1]; losses are
// mean cross-entropy per sample. `improved` is true when the validation loss
// reached a new minimum (the weights early stopping would restore).
struct EpochReport {
    std::string model; // e.g. "cnngru-packet"
    int threshold = 0; // the evaluation threshold (0 outside evaluation)
    int fold = 0;      // 0-based fold (0 outside evaluation)
    int epoch = 0;     // 1-based
    int maxEpochs = 0; // the configured upper bound
    double trainLoss = 0;
    double trainAccuracy = 0;
    double validationLoss = 0;
    double validationAccuracy = 0;
    double seconds = 0; // wall time of this epoch
    bool improved = false;
};

class Feedback {
public:
    virtual ~Feedback() = default;

    // fraction in [0, 1] of the whole operation; stage is a short human text.
    virtual void progress(double /*fraction*/, std::string_view /*stage*/) {}
    // A network finished an epoch.
    virtual void epoch(const EpochReport& /*report*/) {}

    void cancel() noexcept { m_cancelled.store(true, std::memory_order_relaxed); }
    bool isCancelled() const noexcept { return m_cancelled.load(std::memory_order_relaxed); }

private:
    std::atomic<bool> m_cancelled{false};
};

// A sub-task's Feedback: its progress fraction f becomes base + share * f of
// the parent's, its stage text is prefixed with `stage`, epochs go through,
// and a cancel of the parent reaches the sub-task at its next report (or at
// construction).
class ScaledFeedback final : public Feedback {
public:
    ScaledFeedback(Feedback& parent, double base, double share, std::string stage)
        : m_parent(parent), m_base(base), m_share(share), m_stage(std::move(stage))
    {
        if (parent.isCancelled())
            cancel();
    }
    void progress(double fraction, std::string_view stage) override
    {
        m_parent.progress(m_base + m_share * fraction,
                          stage.empty() ? m_stage : m_stage + " " + std::string(stage));
        if (m_parent.isCancelled())
            cancel();
    }
    void epoch(const EpochReport& report) override
    {
        m_parent.epoch(report);
        if (m_parent.isCancelled())
            cancel();
    }

private:
    Feedback& m_parent;
    double m_base, m_share;
    std::string m_stage;
};

} // namespace snilab
