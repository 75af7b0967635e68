// Internal to flow/: the trackers' tables (flow/connection_tracker.cpp, quic/quic_tracker.cpp).
// A flow key is the unordered pair of endpoints; SlotIndex maps keys to slots
// of a pool (the live connections, or the keys of completed ones, Tomb) by
// open addressing. Thread: one tracker, one thread.
#pragma once

#include "capture/packet_decoder.h"
#include "flow/connection.h"
#include "flow/stream_prefix.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

namespace snilab::flowtable {

constexpr std::uint32_t kEmpty = std::numeric_limits<std::uint32_t>::max();

struct FlowKey {
    IpAddress ipLo;
    IpAddress ipHi;
    std::uint16_t portLo = 0;
    std::uint16_t portHi = 0;
    bool operator==(const FlowKey&) const = default;
};

inline FlowKey makeKey(const DecodedPacket& p)
{
    FlowKey k;
    const bool srcFirst = p.src < p.dst || (p.src == p.dst && p.srcPort <= p.dstPort);
    if (srcFirst) {
        k.ipLo = p.src;
        k.portLo = p.srcPort;
        k.ipHi = p.dst;
        k.portHi = p.dstPort;
    } else {
        k.ipLo = p.dst;
        k.portLo = p.dstPort;
        k.ipHi = p.src;
        k.portHi = p.srcPort;
    }
    return k;
}

inline std::uint64_t mix(std::uint64_t h, std::uint64_t v)
{
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    h *= 0xFF51AFD7ED558CCDull;
    return h ^ (h >> 32);
}

inline std::uint64_t hashKey(const FlowKey& k)
{
    std::uint64_t w[4];
    std::memcpy(w, k.ipLo.bytes.data(), 16);
    std::memcpy(w + 2, k.ipHi.bytes.data(), 16);
    std::uint64_t h = 0x243F6A8885A308D3ull;
    for (std::uint64_t v : w)
        h = mix(h, v);
    return mix(h, (std::uint64_t(k.portLo) << 16) | k.portHi);
}

// Open-addressing index from a flow key to a slot of a pool whose elements
// have `key` (linear probing, backward-shift deletion: no tombstones).
struct SlotIndex {
    std::vector<std::uint64_t> hash;
    std::vector<std::uint32_t> slot;
    std::size_t mask = 0;

    explicit SlotIndex(std::size_t capacity) { resize(capacity); }

    std::size_t capacity() const noexcept { return slot.size(); }

    void resize(std::size_t capacity)
    {
        std::vector<std::uint64_t> oldHash = std::move(hash);
        std::vector<std::uint32_t> oldSlot = std::move(slot);
        hash.assign(capacity, 0);
        slot.assign(capacity, kEmpty);
        mask = capacity - 1;
        for (std::size_t i = 0; i < oldSlot.size(); ++i)
            if (oldSlot[i] != kEmpty)
                insert(oldHash[i], oldSlot[i]);
    }

    void insert(std::uint64_t h, std::uint32_t s)
    {
        std::size_t i = h & mask;
        while (slot[i] != kEmpty)
            i = (i + 1) & mask;
        hash[i] = h;
        slot[i] = s;
    }

    // The bucket holding `key`, or an empty one.
    template <class Pool>
    std::size_t find(const Pool& pool, const FlowKey& key, std::uint64_t h) const
    {
        std::size_t i = h & mask;
        while (slot[i] != kEmpty) {
            if (hash[i] == h && pool[slot[i]].key == key)
                return i;
            i = (i + 1) & mask;
        }
        return i;
    }

    void erase(std::size_t i)
    {
        std::size_t j = i;
        for (;;) {
            j = (j + 1) & mask;
            if (slot[j] == kEmpty)
                break;
            const std::size_t ideal = hash[j] & mask;
            const bool movable = (j > i) ? (ideal <= i || ideal > j) : (ideal <= i && ideal > j);
            if (movable) {
                hash[i] = hash[j];
                slot[i] = slot[j];
                i = j;
            }
        }
        slot[i] = kEmpty;
    }
};

// What is left of a connection that closed completely (FINs of both sides
// acknowledged): only enough to absorb stragglers for the linger time.
// What is left of a connection that closed completely (FINs of both sides
// acknowledged): only enough to absorb stragglers for the linger time.
struct Tomb {
    FlowKey key;
    std::uint64_t hash = 0;
    std::int64_t closedAt = 0;
    std::uint32_t finAck[2] = {0, 0}; // of the key's lo and hi endpoint
    bool active = false;
};

// The time at which the oldest 1/`fraction` of `times` (at least one) ends;
// nullopt when there are none.
inline std::optional<std::int64_t> oldestCut(std::vector<std::int64_t> times, std::size_t fraction)
{
    if (times.empty())
        return std::nullopt;
    const std::size_t k = times.size() / fraction;
    std::nth_element(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(k), times.end());
    return times[k];
}

// The same over the active elements of `pool`, by `timeOf`.
template <class Pool, class TimeOf>
std::optional<std::int64_t> oldestCut(const Pool& pool, std::size_t active, std::size_t fraction,
                                      TimeOf timeOf)
{
    std::vector<std::int64_t> times;
    times.reserve(active);
    for (const auto& e : pool)
        if (e.active)
            times.push_back(timeOf(e));
    return oldestCut(std::move(times), fraction);
}

// The completed connections, by key, for the linger time: bounded like the
// live ones (beyond `cap` the older half is forgotten; a straggler of a
// forgotten one then starts a short connection of its own).
class ClosedFlows {
public:
    std::size_t size() const noexcept { return m_count; }

    void add(const FlowKey& key, std::uint64_t h, std::int64_t closedAt,
             const std::uint32_t (&finAck)[2], std::size_t cap)
    {
        if (m_count + 1 > cap)
            forgetOldest();
        if ((m_count + 1) * 2 > m_index.capacity())
            m_index.resize(m_index.capacity() * 2);
        std::uint32_t t;
        if (!m_free.empty()) {
            t = m_free.back();
            m_free.pop_back();
        } else {
            m_tombs.emplace_back();
            t = static_cast<std::uint32_t>(m_tombs.size() - 1);
        }
        m_tombs[t] = Tomb{key, h, closedAt, {finAck[0], finAck[1]}, true};
        m_index.insert(h, t);
        ++m_count;
    }

    // The closed connection on `key`, or nullptr.
    const Tomb* find(const FlowKey& key, std::uint64_t h) const
    {
        const std::size_t b = m_index.find(m_tombs, key, h);
        return m_index.slot[b] == kEmpty ? nullptr : &m_tombs[m_index.slot[b]];
    }

    void remove(const FlowKey& key, std::uint64_t h)
    {
        const std::size_t b = m_index.find(m_tombs, key, h);
        if (m_index.slot[b] != kEmpty)
            erase(b);
    }

    // Forgets every connection closed more than `linger` before `now`.
    void expire(std::int64_t now, std::int64_t linger)
    {
        for (const Tomb& t : m_tombs)
            if (t.active && now - t.closedAt > linger)
                erase(m_index.find(m_tombs, t.key, t.hash));
    }

private:
    void forgetOldest()
    {
        const auto cut = oldestCut(m_tombs, m_count, 2, [](const Tomb& t) { return t.closedAt; });
        if (!cut)
            return;
        for (const Tomb& t : m_tombs)
            if (t.active && t.closedAt <= *cut)
                erase(m_index.find(m_tombs, t.key, t.hash));
    }

    void erase(std::size_t bucket)
    {
        const std::uint32_t t = m_index.slot[bucket];
        m_index.erase(bucket);
        m_tombs[t].active = false;
        m_free.push_back(t);
        --m_count;
    }

    std::vector<Tomb> m_tombs;
    std::vector<std::uint32_t> m_free;
    SlotIndex m_index{1 << 8};
    std::size_t m_count = 0;
};

// Whether a > b in 32-bit sequence space.
inline bool seqAfter(std::uint32_t a, std::uint32_t b)
{
    return static_cast<std::int32_t>(a - b) > 0;
}

// The state of one live connection.
struct Live {
    FlowKey key;
    std::uint64_t hash = 0;
    bool active = false;
    Connection conn; // client/server fields hold side A / side B until finished
    std::int64_t lastNs = 0;
    int clientSide = -1; // -1 unknown, 0 = A (first sender), 1 = B
    bool synSeen[2] = {false, false};
    std::uint32_t synSeq[2] = {0, 0};
    int synAckFor = -1;          // side a SYN-ACK answered (its SYN may come later)
    std::uint32_t synAckAck = 0; // that SYN-ACK's acknowledgement number
    bool finSeen[2] = {false, false};
    bool finAcked[2] = {false, false};
    std::uint32_t finAck[2] = {0, 0}; // the acknowledgement number that covers each side's FIN
    bool closed = false;
    CloseReason closedBy = CloseReason::Fin;
    std::int64_t closedAt = 0;
    bool seqInit[2] = {false, false};
    std::uint32_t nextSeq[2] = {0, 0};
    bool helloDone = false;
    std::uint16_t helloSegments[2] = {0, 0};
    std::uint16_t helloAttempts[2] = {0, 0};
    std::unique_ptr<StreamPrefix> prefix[2];
};

} // namespace snilab::flowtable
