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

// While alive, the first SIGINT, SIGTERM or SIGHUP cancels `feedback` (the
// command then stops cleanly: a run is kept as cancelled, nothing partial is
// written); a second one ends the process as installFatalSignalCleanup()
// does. Restores the previous handlers when it ends.
class InterruptScope {
public:
    explicit InterruptScope(Feedback& feedback);
    ~InterruptScope();
    InterruptScope(const InterruptScope&) = delete;
    InterruptScope& operator=(const InterruptScope&) = delete;

private:
    struct sigaction m_previous[3]{};
};

// The signal that cancelled the last InterruptScope (0: none).
int interruptSignal();
// 128 + that signal (SIGINT 130, SIGTERM 143, SIGHUP 129); 130 when none.
int interruptedExitCode();

// For the whole process: SIGINT, SIGTERM and SIGHUP outside an InterruptScope
// remove the temporary files of unfinished outputs (report/atomic_file.h),
// then end the process with the signal's usual status.
void installFatalSignalCleanup();

} // namespace snilab::cli
