#pragma once
// A bounded, ordered hand-off from one producing thread to one worker thread
// of its own: the record digest's blocks (common/digest.h) and ingest's
// connection batches (ingest/ingester.cpp) are consumed there while the
// producer goes on reading.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

namespace snilab {

template <typename T> class WorkPipe {
public:
    // `consume` runs on the worker, once per item, in the order pushed; it
    // leaves the item ready for reuse (cleared). At most `capacity` items wait.
    WorkPipe(std::size_t capacity, std::function<void(T&)> consume)
        : m_capacity(capacity < 1 ? 1 : capacity), m_consume(std::move(consume))
    {
        m_worker = std::thread([this] { run(); });
    }
    // Not finished (cancelled, or an exception): what waits is dropped.
    ~WorkPipe() { stop(true); }
    WorkPipe(const WorkPipe&) = delete;
    WorkPipe& operator=(const WorkPipe&) = delete;

    // Queues `item`, waiting while `capacity` items wait; returns a consumed
    // item to refill (a default T when none is spare yet). Once `consume`
    // has thrown, nothing more is consumed and every push() rethrows it.
    T push(T item)
    {
        std::unique_lock lock(m_mutex);
        if (m_closed && !m_failure)
            throw std::logic_error("WorkPipe::push() after finish()");
        m_changed.wait(lock, [&] { return m_waiting.size() < m_capacity || m_failure; });
        rethrowLocked();
        m_waiting.push_back(std::move(item));
        T refill{};
        if (!m_spare.empty()) {
            refill = std::move(m_spare.back());
            m_spare.pop_back();
        }
        lock.unlock();
        m_changed.notify_all();
        return refill;
    }
    // Returns once every item pushed is consumed; rethrows what `consume`
    // threw. Call once, from the producer; push() afterwards throws
    // std::logic_error.
    void finish()
    {
        stop(false);
        const std::lock_guard lock(m_mutex);
        rethrowLocked();
    }

private:
    void run()
    {
        for (;;) {
            T item;
            {
                std::unique_lock lock(m_mutex);
                m_changed.wait(lock, [&] { return !m_waiting.empty() || m_closed; });
                if (m_waiting.empty())
                    return; // closed and drained
                item = std::move(m_waiting.front());
                m_waiting.pop_front();
            }
            std::exception_ptr failure;
            try {
                m_consume(item);
            } catch (...) {
                failure = std::current_exception();
            }
            {
                const std::lock_guard lock(m_mutex);
                if (failure) {
                    m_failure = failure;
                    m_waiting.clear();
                    m_closed = true;
                } else {
                    m_spare.push_back(std::move(item));
                }
            }
            m_changed.notify_all();
            if (failure)
                return;
        }
    }
    void stop(bool dropWaiting)
    {
        if (!m_worker.joinable())
            return;
        {
            const std::lock_guard lock(m_mutex);
            if (dropWaiting)
                m_waiting.clear();
            m_closed = true;
        }
        m_changed.notify_all();
        m_worker.join();
    }
    void rethrowLocked()
    {
        if (m_failure)
            std::rethrow_exception(m_failure);
    }

    const std::size_t m_capacity;
    std::function<void(T&)> m_consume;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<T> m_waiting; // in order
    std::vector<T> m_spare;  // consumed, for reuse
    std::exception_ptr m_failure;
    bool m_closed = false;
    std::thread m_worker; // last: starts once the rest exists
};

} // namespace snilab
