#include "cli_progress.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <string>

namespace snilab::cli {
namespace {

// The Feedback to cancel on SIGINT (async-signal-safe: an atomic store only).
std::atomic<Feedback*> g_activeFeedback{nullptr};

extern "C" void onInterrupt(int)
{
    if (Feedback* f = g_activeFeedback.load())
        f->cancel();
    std::signal(SIGINT, SIG_DFL);
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

InterruptScope::InterruptScope(Feedback& feedback)
{
    g_activeFeedback.store(&feedback);
    struct sigaction sa {};
    sa.sa_handler = onInterrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &m_previous);
}

InterruptScope::~InterruptScope()
{
    sigaction(SIGINT, &m_previous, nullptr);
    g_activeFeedback.store(nullptr);
}

} // namespace snilab::cli
