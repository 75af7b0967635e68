#include "flow/whole_statistics.h"

#include "common/percentile.h"

#include <algorithm>
#include <bit>
#include <memory>

namespace snilab {

namespace {

constexpr double kNsPerSecond = 1e9;
// IATs below this are their own bucket; above, 256 buckets per octave.
constexpr std::uint64_t kExactIats = 512;
constexpr unsigned kMantissaBits = 9; // m = v >> shift has 9 bits: 256..511

std::uint32_t iatBucket(std::uint64_t v) noexcept
{
    if (v < kExactIats)
        return static_cast<std::uint32_t>(v);
    const unsigned shift = static_cast<unsigned>(std::bit_width(v)) - kMantissaBits;
    const auto m = static_cast<std::uint32_t>(v >> shift); // 256..511
    return static_cast<std::uint32_t>(kExactIats) + (shift - 1) * 256 + (m - 256);
}

// The centre of a bucket, in ns.
double iatBucketValue(std::uint32_t bucket) noexcept
{
    if (bucket < kExactIats)
        return static_cast<double>(bucket);
    const std::uint32_t k = bucket - static_cast<std::uint32_t>(kExactIats);
    const unsigned shift = k / 256 + 1;
    const std::uint64_t m = 256 + k % 256;
    const double low = static_cast<double>(m << shift);
    const double width = static_cast<double>(std::uint64_t{1} << shift);
    return low + (width - 1.0) / 2.0;
}

} // namespace

void WholeStatisticsAccumulator::KeyCounts::addPaged(std::uint32_t key, std::uint64_t count)
{
    const std::size_t page = key / kPageKeys;
    if (page >= m_pages.size())
        m_pages.resize(page + 1);
    if (!m_pages[page])
        m_pages[page] = std::make_unique<Page>(); // zeros
    (*m_pages[page])[key % kPageKeys] += count;
}

void WholeStatisticsAccumulator::KeyCounts::add(std::uint32_t key)
{
    if (!m_pages.empty()) {
        addPaged(key, 1);
        return;
    }
    // Most packets repeat the last length of their direction.
    if (m_hint < m_sparse.size() && m_sparse[m_hint].key == key) {
        ++m_sparse[m_hint].count;
        return;
    }
    auto it = std::lower_bound(m_sparse.begin(), m_sparse.end(), key,
                               [](const Entry& e, std::uint32_t k) { return e.key < k; });
    if (it != m_sparse.end() && it->key == key) {
        ++it->count;
        m_hint = static_cast<std::size_t>(it - m_sparse.begin());
        return;
    }
    if (m_sparse.size() < kSparseKeys) {
        it = m_sparse.insert(it, Entry{key, 1});
        m_hint = static_cast<std::size_t>(it - m_sparse.begin());
        return;
    }
    // Too many distinct keys for a sorted vector: pages from now on.
    for (const Entry& e : m_sparse)
        addPaged(e.key, e.count);
    addPaged(key, 1);
    std::vector<Entry>().swap(m_sparse);
}

std::size_t WholeStatisticsAccumulator::KeyCounts::memoryBytes() const noexcept
{
    std::size_t bytes =
        m_sparse.capacity() * sizeof(Entry) + m_pages.capacity() * sizeof(std::unique_ptr<Page>);
    for (const auto& page : m_pages)
        if (page)
            bytes += sizeof(Page);
    return bytes;
}

void WholeStatisticsAccumulator::Values::add(std::uint16_t v)
{
    counts.add(v);
    ++n;
    sum += v;
}

void WholeStatisticsAccumulator::Values::write(double* out) const
{
    if (n == 0) {
        std::fill(out, out + 6, 0.0);
        return;
    }
    std::vector<ValueCount> distinct;
    counts.forEach([&](std::uint32_t v, std::uint64_t count) {
        distinct.push_back({static_cast<double>(v), count});
    });
    out[0] = percentileOfCounts(distinct, 0.25);
    out[1] = percentileOfCounts(distinct, 0.50);
    out[2] = percentileOfCounts(distinct, 0.75);
    out[3] = distinct.back().value;
    const double mean = static_cast<double>(sum) / static_cast<double>(n);
    double squares = 0.0;
    for (const ValueCount& d : distinct)
        squares += static_cast<double>(d.count) * (d.value - mean) * (d.value - mean);
    out[4] = mean;
    out[5] = squares / static_cast<double>(n);
}

void WholeStatisticsAccumulator::Iats::add(std::int64_t tNs)
{
    if (started) {
        // A packet earlier than the last one (late beyond the reorder window) counts 0.
        // Unsigned: a hostile capture's times may span the whole int64 range.
        const std::uint64_t gap =
            tNs > last ? static_cast<std::uint64_t>(tNs) - static_cast<std::uint64_t>(last) : 0;
        buckets.add(iatBucket(gap));
        last = std::max(last, tNs);
    } else {
        // The first packet sets the clock, even before the connection's
        // first one (a negative time: the capture's clock stepped back).
        last = tNs;
        started = true;
    }
}

void WholeStatisticsAccumulator::Iats::write(double* out) const
{
    std::vector<ValueCount> distinct;
    buckets.forEach([&](std::uint32_t b, std::uint64_t count) {
        distinct.push_back({iatBucketValue(b) / kNsPerSecond, count});
    });
    out[0] = percentileOfCounts(distinct, 0.25);
    out[1] = percentileOfCounts(distinct, 0.50);
    out[2] = percentileOfCounts(distinct, 0.75);
}

void WholeStatisticsAccumulator::add(const PacketRecord& r)
{
    ++m_packets;
    m_pending.push({r.tNs, m_order++, r});
    if (m_pending.size() > kReorderWindow) {
        const PacketRecord next = m_pending.top().record;
        m_pending.pop();
        dispatch(next);
    }
}

void WholeStatisticsAccumulator::dispatch(const PacketRecord& r)
{
    if (m_dispatchedAny && r.tNs < m_lastDispatched)
        ++m_late;
    m_lastDispatched = m_dispatchedAny ? std::max(m_lastDispatched, r.tNs) : r.tNs;
    m_dispatchedAny = true;
    const bool payload = r.payloadLength > 0;
    const bool retransmission = (r.flags & PacketRecord::kRetransmission) != 0;
    const int dir = (r.flags & PacketRecord::kClientToServer) ? 1 : 0;
    for (std::size_t s = 0; s < m_selections.size(); ++s) {
        const bool allPackets = (s & 1u) != 0;
        const bool dropRetransmissions = (s & 2u) != 0;
        if ((!allPackets && !payload) || (dropRetransmissions && retransmission))
            continue;
        Selection& sel = m_selections[s];
        Group& d = sel.dirs[dir];
        d.sizes.add(r.ipLength);
        d.payloads.add(r.payloadLength);
        d.iats.add(r.tNs);
        sel.all.sizes.add(r.ipLength);
        sel.all.iats.add(r.tNs);
    }
}

WholeStatistics WholeStatisticsAccumulator::finish()
{
    while (!m_pending.empty()) {
        const PacketRecord next = m_pending.top().record;
        m_pending.pop();
        dispatch(next);
    }
    WholeStatistics out;
    out.packets = m_packets;
    out.latePackets = m_late;
    for (std::size_t s = 0; s < m_selections.size(); ++s) {
        const Selection& sel = m_selections[s];
        auto& v = out.values[s];
        // Result order: server->client first (statistics.h).
        const Group* dirs[2] = {&sel.dirs[0], &sel.dirs[1]};
        if (m_flipped)
            std::swap(dirs[0], dirs[1]);
        std::size_t i = 0;
        for (const Group* g : dirs) {
            v[i] = static_cast<double>(g->sizes.n);
            g->sizes.write(&v[i + 1]);
            g->payloads.write(&v[i + 7]);
            g->iats.write(&v[i + 13]);
            i += 16;
        }
        v[i] = static_cast<double>(sel.all.sizes.n);
        sel.all.sizes.write(&v[i + 1]);
        sel.all.iats.write(&v[i + 7]);
    }
    return out;
}

std::size_t WholeStatisticsAccumulator::memoryBytes() const noexcept
{
    std::size_t bytes = sizeof(*this) + m_pending.size() * sizeof(Pending);
    for (const Selection& sel : m_selections)
        bytes += sel.dirs[0].memoryBytes() + sel.dirs[1].memoryBytes() + sel.all.memoryBytes();
    return bytes;
}

void recordPastTheCap(Connection& c, const PacketRecord& r)
{
    if (!c.overflow) {
        c.overflow = std::make_shared<WholeStatisticsAccumulator>();
        for (const PacketRecord& stored : c.series)
            c.overflow->add(stored);
    }
    c.overflow->add(r);
}

void sealWholeStatistics(Connection& c)
{
    if (!c.overflow)
        return;
    c.whole = std::make_shared<const WholeStatistics>(c.overflow->finish());
    c.overflow.reset();
}

} // namespace snilab
