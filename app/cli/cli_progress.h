// Terminal progress and Ctrl-C handling shared by the long CLI commands.
#pragma once

#include "common/feedback.h"

#include <signal.h>

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>

namespace snilab::cli {

// Progress on stderr. Bar: a one-line bar redrawn at most 10 times a second,
// erased when the object goes away (a terminal). Lines: one line
// "snilab-cli COMMAND: 42% STAGE (1m 05s)" every `interval` (stderr is a
// pipe or a file: a script or a log sees a long run move). Off: nothing
// (--quiet). The stage text is escaped (report/text_escape.h).
class TerminalProgress final : public Feedback {
public:
    enum class Mode { Off, Bar, Lines };
    // Off when `quiet`, else Bar when stderr is a terminal, else Lines every
    // SNILAB_PROGRESS_SECONDS seconds (default 10; a value that is not a
    // number of seconds from 0.1 to 86400 is a UsageError).
    TerminalProgress(const char* command, bool quiet);
    TerminalProgress(const char* command, Mode mode, std::chrono::milliseconds interval);
    ~TerminalProgress() override { finish(); }
    void progress(double fraction, std::string_view stage) override;
    // Erases the bar (call before printing results); drawing may resume later.
    void finish();

private:
    std::string m_command;
    Mode m_mode;
    std::chrono::milliseconds m_interval;
    bool m_drawn = false;
    std::mutex m_mutex;
    std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point m_last = m_start;
};

// The line interval of TerminalProgress's Lines mode from
// SNILAB_PROGRESS_SECONDS (unset: 10 s). Throws UsageError when it is set to
// anything but a number of seconds from 0.1 to 86400.
std::chrono::milliseconds progressLineInterval();

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
