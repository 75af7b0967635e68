// Progress and cancellation for long engine operations.
//
// Thread: an operation may call progress() from any worker thread; an
// implementation must be thread-safe. cancel() may be called from any thread
// (including a signal handler: it only stores an atomic flag).
#pragma once

#include <atomic>
#include <string_view>

namespace snilab {

class Feedback {
public:
    virtual ~Feedback() = default;

    // fraction in [0, 1] of the whole operation; stage is a short human text.
    virtual void progress(double /*fraction*/, std::string_view /*stage*/) {}

    void cancel() noexcept { m_cancelled.store(true, std::memory_order_relaxed); }
    bool isCancelled() const noexcept { return m_cancelled.load(std::memory_order_relaxed); }

private:
    std::atomic<bool> m_cancelled{false};
};

} // namespace snilab
