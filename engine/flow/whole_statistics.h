// Whole-connection statistics of a connection longer than its stored series.
// (In flow/: the trackers keep them, the catalog stores them, features reads them.)
//
// A catalog keeps the first packets of a connection (the tracker's series cap,
// 10,000 by default, `--series-cap`); its 42 statistics over the whole
// connection (statistics.h, window=all) must still cover every packet. From
// the moment a connection reaches the cap, the tracker feeds every packet
// (the stored ones first) to a WholeStatisticsAccumulator; when the connection
// ends, the accumulator's result - the 42 statistics for each of the four
// packet selections (packets=payload|all x retrans=keep|drop) in the order of
// features/statistics.h - is stored
// beside the series (docs/catalog.md, series format 2) and the features of
// that connection come from it instead of from the truncated series.
//
// Exactness:
//   - counts, sizes and payloads (p25/p50/p75, max, mean, variance) are exact:
//     they come from per-value counts (lengths are 16-bit), so they equal
//     computeStatistics() over the full series up to the rounding of the
//     last floating-point bits (variance is summed by value, not by packet);
//   - inter-arrival percentiles come from a log-bucketed histogram: an IAT
//     below 512 ns is kept exactly, a longer one in a bucket [m*2^s, (m+1)*2^s)
//     with m in [256, 511], represented by the bucket's centre, so every IAT
//     percentile is within kIatRelativeError (1/512, about 0.2 %) of the exact
//     one (both values interpolated are, and the interpolation keeps the bound);
//   - time order: statistics take packets in time order; the accumulator
//     restores it within a window of kReorderWindow packets. A packet later
//     than that (a capture whose clock stepped back further) is counted in
//     WholeStatistics::latePackets and its inter-arrival times are taken as 0
//     (sizes are not affected).
//
// Thread: one accumulator per connection, used by one thread. Failure: none
// (std::bad_alloc aside).
#pragma once

#include "flow/connection.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <queue>
#include <vector>

namespace snilab {

// The number of statistics of a connection (their order and names:
// features/statistics.h).
inline constexpr std::size_t kStatisticCount = 42;
inline constexpr double kIatRelativeError = 1.0 / 512.0;

struct WholeStatistics {
    // The four packet selections: index bit 0 set = packets=all (else
    // payload only), bit 1 set = retrans=drop (else keep); wholeSelectionIndex()
    // in features/statistics.h maps a FeatureSpec to it.
    static constexpr std::size_t kSelections = 4;
    std::array<std::array<double, kStatisticCount>, kSelections> values{};
    std::uint64_t packets = 0;     // every packet of the connection
    std::uint64_t latePackets = 0; // beyond the reorder window (see above)
    bool operator==(const WholeStatistics&) const = default;
};

class WholeStatisticsAccumulator {
public:
    static constexpr std::size_t kReorderWindow = 1024;

    // Every packet of the connection, in capture order.
    void add(const PacketRecord& r);
    // The client turned out to be the other side (TCP): swaps the two
    // directions' statistics, as flipping kClientToServer on every record would.
    void flipDirections() noexcept { m_flipped = !m_flipped; }
    // The statistics over every packet added. Call once, at the end.
    WholeStatistics finish();
    // The heap memory it holds now (vectors' capacities, the reorder window).
    std::size_t memoryBytes() const noexcept;

private:
    // Counts per distinct key (a length, an IAT bucket): a sorted vector of
    // (key, count) while there are at most kSparseKeys distinct keys, then
    // pages of kPageKeys counts, each allocated when a key in it is first
    // seen. Memory follows what a connection holds, not its largest value:
    // a few hundred distinct lengths take a few KiB even when one of them is
    // a 64 KB (GRO) frame, and no table exceeds 2 KiB per page touched
    // (512 KiB for every 16-bit length) - inserts are O(kSparseKeys) at worst.
    class KeyCounts {
    public:
        static constexpr std::size_t kSparseKeys = 1024;
        static constexpr std::uint32_t kPageKeys = 256;
        void add(std::uint32_t key);
        std::size_t memoryBytes() const noexcept;
        // f(key, count) for every key seen, in increasing key order.
        template <typename F> void forEach(F&& f) const
        {
            if (m_pages.empty()) {
                for (const Entry& e : m_sparse)
                    f(e.key, e.count);
                return;
            }
            for (std::size_t p = 0; p < m_pages.size(); ++p)
                if (m_pages[p])
                    for (std::uint32_t i = 0; i < kPageKeys; ++i)
                        if ((*m_pages[p])[i] > 0)
                            f(static_cast<std::uint32_t>(p) * kPageKeys + i, (*m_pages[p])[i]);
        }

    private:
        struct Entry {
            std::uint32_t key;
            std::uint64_t count;
        };
        using Page = std::array<std::uint64_t, kPageKeys>;
        void addPaged(std::uint32_t key, std::uint64_t count);
        std::vector<Entry> m_sparse;                // sorted by key, until paged
        std::vector<std::unique_ptr<Page>> m_pages; // index = key / kPageKeys, once paged
        std::size_t m_hint = 0;                     // the last key's entry
    };
    struct Values {
        KeyCounts counts; // key = length
        std::uint64_t n = 0;
        std::uint64_t sum = 0;
        void add(std::uint16_t v);
        void write(double* out) const; // p25, p50, p75, max, mean, var
    };
    struct Iats {
        KeyCounts buckets; // key = bucket
        std::int64_t last = 0;
        bool started = false;
        void add(std::int64_t tNs);
        void write(double* out) const; // p25, p50, p75
    };
    struct Group {
        Values sizes;
        Values payloads; // not kept for the "all" group (not among the 42)
        Iats iats;
        std::size_t memoryBytes() const noexcept
        {
            return sizes.counts.memoryBytes() + payloads.counts.memoryBytes() +
                   iats.buckets.memoryBytes();
        }
    };
    struct Selection {
        Group dirs[2]; // 0: server->client, 1: client->server (as the records say)
        Group all;
    };
    struct Pending {
        std::int64_t tNs;
        std::uint64_t order;
        PacketRecord record;
        bool operator>(const Pending& o) const noexcept
        {
            return tNs != o.tNs ? tNs > o.tNs : order > o.order;
        }
    };

    void dispatch(const PacketRecord& r);

    std::array<Selection, WholeStatistics::kSelections> m_selections;
    std::priority_queue<Pending, std::vector<Pending>, std::greater<>> m_pending;
    std::uint64_t m_order = 0;
    std::uint64_t m_packets = 0;
    std::uint64_t m_late = 0;
    std::int64_t m_lastDispatched = 0;
    bool m_dispatchedAny = false;
    bool m_flipped = false;
};

// What the trackers do with each packet of a connection: appended to
// c.series while it is shorter than `seriesCap`; from the cap on, also fed to
// c.overflow (created then and given the stored packets first).
// (Inline: it runs for every packet of every connection.)
void recordPastTheCap(Connection& c, const PacketRecord& r);
inline void recordPacket(Connection& c, const PacketRecord& r, std::size_t seriesCap)
{
    if (c.series.size() < seriesCap)
        c.series.push_back(r);
    else
        recordPastTheCap(c, r);
}
// At hand-out: turns c.overflow (if any) into c.whole.
void sealWholeStatistics(Connection& c);

} // namespace snilab
