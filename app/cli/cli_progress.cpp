#include "cli_progress.h"

#include "report/atomic_file.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <string>

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

void TerminalProgress::finish()
{
    std::lock_guard lock(m_mutex);
    if (m_drawn)
        std::fputs("\r\033[K", stderr);
    m_drawn = false;
}

void TerminalProgress::progress(double fraction, std::string_view stage)
{
    if (!m_enabled)
        return;
    std::lock_guard lock(m_mutex);
    const auto now = std::chrono::steady_clock::now();
    if (fraction < 1.0 && now - m_last < std::chrono::milliseconds(100))
        return;
    m_last = now;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(std::clamp(fraction, 0.0, 1.0) * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '=');
    bar.resize(kWidth, ' ');
    const std::string name(stage.substr(0, 40));
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
