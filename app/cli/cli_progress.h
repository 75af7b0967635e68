// Terminal progress and Ctrl-C handling shared by the long CLI commands.
#pragma once

#include "common/feedback.h"

#include <signal.h>

#include <chrono>
#include <mutex>
#include <string_view>

namespace snilab::cli {

// A one-line progress bar on stderr, redrawn at most 10 times a second;
// erased when the object goes away. Disabled: draws nothing.
class TerminalProgress final : public Feedback {
public:
    explicit TerminalProgress(bool enabled) : m_enabled(enabled) {}
    ~TerminalProgress() override { finish(); }
    void progress(double fraction, std::string_view stage) override;
    // Erases the bar (call before printing results); drawing may resume later.
    void finish();

private:
    bool m_enabled;
    bool m_drawn = false;
    std::mutex m_mutex;
    std::chrono::steady_clock::time_point m_last{};
};

// While alive, the first SIGINT cancels `feedback` (the command then stops
// cleanly); a second one kills the process the usual way. Restores the
// previous handler when it ends.
class InterruptScope {
public:
    explicit InterruptScope(Feedback& feedback);
    ~InterruptScope();
    InterruptScope(const InterruptScope&) = delete;
    InterruptScope& operator=(const InterruptScope&) = delete;

private:
    struct sigaction m_previous {};
};

} // namespace snilab::cli
