// WorkPipe (common/work_pipe.h): order, the bound on waiting items, reuse,
// a consumer's exception, and what destruction drops. Also run under
// ThreadSanitizer (tools/snilab.sh).

#include "common/work_pipe.h"

#include <QtTest>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace snilab;
using namespace std::chrono_literals;

namespace {

// A gate the consumer waits at until the test opens it.
class Gate {
public:
    void open()
    {
        {
            const std::lock_guard lock(m_mutex);
            m_open = true;
        }
        m_changed.notify_all();
    }
    void pass()
    {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [&] { return m_open; });
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_open = false;
};

// An item that counts its destruction while it still holds a value (so that
// the items a pipe drops can be told from moved-from shells).
struct Counted {
    int value = -1;
    std::shared_ptr<std::atomic<int>> dropped;
    Counted() = default;
    Counted(int v, std::shared_ptr<std::atomic<int>> d) : value(v), dropped(std::move(d)) {}
    Counted(Counted&& o) noexcept : value(o.value), dropped(std::move(o.dropped)) { o.value = -1; }
    Counted& operator=(Counted&& o) noexcept
    {
        value = o.value;
        dropped = std::move(o.dropped);
        o.value = -1;
        return *this;
    }
    ~Counted()
    {
        if (value >= 0 && dropped)
            ++*dropped;
    }
};

} // namespace

class TestWorkPipe : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Every item is consumed once, in the order pushed, and consumed items
    // come back cleared for reuse.
    void consumesInOrderAndRecycles()
    {
        std::vector<int> seen; // touched by the worker only until finish()
        WorkPipe<std::vector<int>> pipe(2, [&](std::vector<int>& v) {
            seen.insert(seen.end(), v.begin(), v.end());
            v.clear();
        });
        int reused = 0;
        std::vector<int> item;
        for (int i = 0; i < 5000; ++i) {
            item.push_back(i);
            if (item.size() == 7) {
                item = pipe.push(std::move(item));
                QVERIFY(item.empty());
                reused += item.capacity() > 0 ? 1 : 0;
            }
        }
        pipe.push(std::move(item));
        pipe.finish();
        QCOMPARE(seen.size(), std::size_t{5000});
        for (int i = 0; i < 5000; ++i)
            QCOMPARE(seen[std::size_t(i)], i);
        QVERIFY(reused > 0); // after the first few pushes, spares come back
    }

    // With the consumer held, `capacity` items can wait and the next push
    // blocks until the consumer moves on.
    void pushBlocksWhileFull()
    {
        Gate gate;
        std::atomic<int> consumed{0}, taken{0};
        WorkPipe<int> pipe(3, [&](int&) {
            ++taken;
            gate.pass();
            ++consumed;
        });
        pipe.push(0); // taken by the worker, which waits at the gate
        while (taken.load() == 0)
            std::this_thread::sleep_for(1ms);
        pipe.push(1);
        pipe.push(2);
        pipe.push(3); // three wait now
        std::atomic<bool> fourthQueued{false};
        std::thread producer([&] {
            pipe.push(4);
            fourthQueued = true;
        });
        std::this_thread::sleep_for(200ms);
        const bool queuedWhileFull = fourthQueued.load();
        const int consumedWhileHeld = consumed.load();
        gate.open();
        producer.join();
        QVERIFY2(!queuedWhileFull, "a push returned while the pipe was full");
        QCOMPARE(consumedWhileHeld, 0);
        QVERIFY(fourthQueued.load());
        pipe.finish();
        QCOMPARE(consumed.load(), 5);
    }

    // A consumer's exception reaches the producer (finish() and later
    // pushes), and nothing after the failing item is consumed.
    void consumerFailureReachesProducer()
    {
        std::atomic<int> consumed{0};
        WorkPipe<int> pipe(1, [&](int& v) {
            if (v == 3)
                throw std::runtime_error("disk full");
            ++consumed;
        });
        bool thrown = false;
        try {
            for (int i = 0; i < 100; ++i)
                pipe.push(int{i});
            pipe.finish();
        } catch (const std::runtime_error& e) {
            thrown = QByteArray(e.what()) == "disk full";
        }
        QVERIFY(thrown);
        QCOMPARE(consumed.load(), 3);
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, pipe.push(7));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, pipe.finish());
        QCOMPARE(consumed.load(), 3);
    }

    // A push after finish() is a programming error, said at once (the worker
    // is gone: it would wait for ever).
    void pushAfterFinishThrows()
    {
        WorkPipe<int> pipe(1, [](int&) {});
        pipe.push(1);
        pipe.finish();
        QVERIFY_THROWS_EXCEPTION(std::logic_error, pipe.push(2));
    }

    // Destroyed without finish() (a cancelled or failed ingest): the items
    // still waiting are dropped, the one being consumed completes, and the
    // destructor returns.
    void destructionDropsWhatWaits()
    {
        auto dropped = std::make_shared<std::atomic<int>>(0);
        std::atomic<int> consumed{0}, taken{0};
        Gate gate;
        std::thread opener;
        {
            WorkPipe<Counted> pipe(4, [&](Counted& c) {
                ++taken;
                gate.pass();
                ++consumed;
                c = Counted(); // consumed: not counted as dropped
            });
            pipe.push(Counted(0, dropped));
            while (taken.load() == 0) // the worker holds item 0
                std::this_thread::sleep_for(1ms);
            pipe.push(Counted(1, dropped));
            pipe.push(Counted(2, dropped));
            pipe.push(Counted(3, dropped));
            // Opened once the destructor has dropped the three waiting items
            // (or after 10 s, so that a pipe that drops nothing fails the
            // comparison below instead of hanging).
            opener = std::thread([&] {
                for (int i = 0; i < 10'000 && dropped->load() < 3; ++i)
                    std::this_thread::sleep_for(1ms);
                gate.open();
            });
        }
        opener.join();
        QCOMPARE(dropped->load(), 3);
        QCOMPARE(consumed.load(), 1);
    }
};

QTEST_APPLESS_MAIN(TestWorkPipe)
#include "test_work_pipe.moc"
