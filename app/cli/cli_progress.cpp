#include "cli_progress.h"

#include "cli_args.h"

#include "common/text_parse.h"
#include "report/atomic_file.h"
#include "report/text_escape.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace snilab::cli {
namespace {

// The Feedback to cancel on a signal (async-signal-safe: atomics only).
std::atomic<Feedback*> g_activeFeedback{nullptr};
std::atomic<int> g_signal{0};
constexpr int kSignals[3] = {SIGINT, SIGTERM, SIGHUP};

extern "C" void onFatalSignal(int sig)
{
    report::removeTemporariesFromSignalHandler();
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

extern "C" void onInterrupt(int sig)
{
    g_signal.store(sig);
    if (Feedback* f = g_activeFeedback.load())
        f->cancel();
    // A second signal ends the process (after removing partial outputs).
    std::signal(sig, onFatalSignal);
}

} // namespace

std::chrono::milliseconds progressLineInterval()
{
    const char* text = std::getenv("SNILAB_PROGRESS_SECONDS");
    if (!text)
        return std::chrono::seconds(10);
    const auto seconds = parseNumber<double>(text);
    if (!seconds || !(*seconds >= 0.1) || !(*seconds <= 86400))
        throw UsageError("SNILAB_PROGRESS_SECONDS must be a number of seconds from 0.1 to "
                         "86400, not '" +
                         report::escapeText(text) + "'");
    return std::chrono::milliseconds(static_cast<long long>(*seconds * 1000));
}

TerminalProgress::TerminalProgress(const char* command, bool quiet)
    : TerminalProgress(command,
                       quiet                   ? Mode::Off
                       : isatty(STDERR_FILENO) ? Mode::Bar
                                               : Mode::Lines,
                       progressLineInterval())
{
}

TerminalProgress::TerminalProgress(const char* command, Mode mode,
                                   std::chrono::milliseconds interval)
    : m_command(command), m_mode(mode), m_interval(interval)
{
}

void TerminalProgress::finish()
{
    std::lock_guard lock(m_mutex);
    if (m_drawn)
        std::fputs("\r\033[K", stderr);
    m_drawn = false;
}

void TerminalProgress::progress(double fraction, std::string_view stage)
{
    if (m_mode == Mode::Off)
        return;
    std::lock_guard lock(m_mutex);
    const auto now = std::chrono::steady_clock::now();
    if (m_mode == Mode::Lines) {
        // Never at 100 %: the command's own result follows at once.
        if (now - m_last < m_interval || fraction >= 1.0)
            return;
        m_last = now;
        const auto elapsed =
            std::chrono::duration_cast<std::chrono::seconds>(now - m_start).count();
        std::fprintf(stderr, "snilab-cli %s: %3d%% %s (%lldm %02llds)\n", m_command.c_str(),
                     static_cast<int>(std::clamp(fraction, 0.0, 1.0) * 100),
                     report::escapeText(stage).c_str(), static_cast<long long>(elapsed / 60),
                     static_cast<long long>(elapsed % 60));
        std::fflush(stderr);
        return;
    }
    if (fraction < 1.0 && now - m_last < std::chrono::milliseconds(100))
        return;
    m_last = now;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(std::clamp(fraction, 0.0, 1.0) * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '=');
    bar.resize(kWidth, ' ');
    const std::string name = report::escapeText(stage.substr(0, 40));
    std::fprintf(stderr, "\r[%s] %3d%%  %-40s", bar.c_str(), static_cast<int>(fraction * 100),
                 name.c_str());
    std::fflush(stderr);
    m_drawn = true;
}

namespace {

// Installs `handler` for SIGINT, SIGTERM and SIGHUP, saving the previous
// actions in `previous` (3 entries) when given. A signal ignored when the
// process started (nohup, a background job of a script) stays ignored.
void handleStopSignals(void (*handler)(int), struct sigaction* previous)
{
    struct sigaction sa {};
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; ++i) {
        struct sigaction current {};
        sigaction(kSignals[i], nullptr, &current);
        if (previous)
            previous[i] = current;
        if (current.sa_handler != SIG_IGN)
            sigaction(kSignals[i], &sa, nullptr);
    }
}

} // namespace

InterruptScope::InterruptScope(Feedback& feedback)
{
    g_signal.store(0);
    g_activeFeedback.store(&feedback);
    handleStopSignals(onInterrupt, m_previous);
}

InterruptScope::~InterruptScope()
{
    for (int i = 0; i < 3; ++i)
        sigaction(kSignals[i], &m_previous[i], nullptr);
    g_activeFeedback.store(nullptr);
}

int interruptSignal()
{
    return g_signal.load();
}

int interruptedExitCode()
{
    const int sig = g_signal.load();
    return sig ? 128 + sig : 130;
}

void installFatalSignalCleanup()
{
    handleStopSignals(onFatalSignal, nullptr);
}

} // namespace snilab::cli
