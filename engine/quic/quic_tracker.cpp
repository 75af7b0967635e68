#include "quic/quic_tracker.h"

#include "flow/whole_statistics.h"

#include "flow/flow_table.h"
#include "quic/quic_header.h"
#include "quic/quic_initial.h"

#include <algorithm>
#include <limits>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace snilab {

using namespace flowtable;

std::string validateQuicTrackerOptions(const QuicTrackerOptions& o)
{
    if (o.idleTimeoutNs <= 0)
        return "the QUIC idle timeout must be positive";
    if (o.maxSeriesPackets < 1 || o.maxLiveConnections < 1)
        return "the QUIC tracker's caps must be at least 1";
    return {};
}

namespace {

struct KeyHash {
    std::size_t operator()(const FlowKey& k) const noexcept
    {
        return static_cast<std::size_t>(hashKey(k));
    }
};

struct Flow {
    Connection conn;
    QuicInitialDecoder decoder;
    std::int64_t lastNs = 0;
    // What the server said before the handshake went on: the connection IDs
    // it asked for in Retry packets, a Version Negotiation, and whether it
    // sent anything else (then a client Initial under a new ID is a new
    // connection, not the same one retried).
    std::vector<std::vector<std::uint8_t>> retryIds;
    bool versionNegotiation = false;
    bool serverAnswered = false;
};

// Notes a server datagram's Retry or Version Negotiation (RFC 9000 sections
// 17.2.1, 17.2.5): after either, the client's next Initial carries a new
// Destination Connection ID (and keys from it) but continues the attempt.
void noteServerDatagram(Flow& f, std::span<const std::uint8_t> payload)
{
    QuicLongHeader header;
    const QuicHeaderStatus status =
        payload.empty() ? QuicHeaderStatus::ShortHeader : parseQuicLongHeader(payload, header);
    if (status == QuicHeaderStatus::VersionNegotiation && !f.serverAnswered)
        f.versionNegotiation = true;
    else if (status == QuicHeaderStatus::Ok && header.type == QuicPacketType::Retry)
        f.retryIds.emplace_back(header.scid.begin(), header.scid.end());
    else
        f.serverAnswered = true;
}

// True when a client Initial the decoder took for another connection retries
// this one: it is addressed to an ID a Retry asked for, or follows a Version
// Negotiation the server answered nothing else to.
bool retriesAttempt(const Flow& f, std::span<const std::uint8_t> payload)
{
    QuicLongHeader header;
    if (!looksLikeQuicInitial(payload, &header))
        return false;
    for (const auto& id : f.retryIds)
        if (std::equal(id.begin(), id.end(), header.dcid.begin(), header.dcid.end()))
            return true;
    return f.versionNegotiation && !f.serverAnswered;
}

// Every sweep looks for idle connections once this many datagrams have
// passed (and at least a quarter of the idle timeout of capture time).
constexpr std::uint32_t kSweepEvery = 4096;

} // namespace

struct QuicTracker::Impl {
    QuicTrackerOptions options;
    Sink sink;
    QuicTrackerStats stats;
    std::unordered_map<FlowKey, Flow, KeyHash> flows;
    std::int64_t lastSweepNs = std::numeric_limits<std::int64_t>::min();
    std::uint32_t sinceSweep = 0;

    Impl(QuicTrackerOptions o, Sink s) : options(o), sink(std::move(s)) {}

    using Iterator = std::unordered_map<FlowKey, Flow, KeyHash>::iterator;

    Iterator start(const FlowKey& key, std::int64_t ts, const DecodedPacket& p)
    {
        if (flows.size() >= options.maxLiveConnections)
            evictOldest();
        Flow flow;
        Connection& c = flow.conn;
        c.transport = Transport::Quic;
        c.clientIp = p.src;
        c.clientPort = p.srcPort;
        c.serverIp = p.dst;
        c.serverPort = p.dstPort;
        c.ipVersion = p.ipVersion;
        c.clientKnown = true; // the sender of the first client Initial
        c.startNs = ts;
        c.endNs = ts;
        flow.lastNs = ts;
        return flows.insert_or_assign(key, std::move(flow)).first;
    }

    // Hands the connection out (or drops a candidate that never proved to be
    // QUIC) and erases it.
    void finish(Iterator it, CloseReason reason)
    {
        Flow& f = it->second;
        if (f.decoder.initialPacketsOpened() == 0) {
            ++stats.undecrypted;
        } else {
            Connection& c = f.conn;
            c.closeReason = reason;
            c.quicVersion = f.decoder.version();
            if (f.decoder.helloComplete()) {
                c.hasClientHello = true;
                c.hello = f.decoder.hello();
                ++stats.clientHellos;
            }
            stats.quicPackets += c.totalPackets();
            ++stats.connections;
            sealWholeStatistics(c);
            sink(std::move(c));
        }
        flows.erase(it);
    }

    // Finishes the connections chosen by `pick`, oldest start first, so that
    // the order handed out does not depend on the hash table.
    template <class Pick> void finishWhere(Pick pick, CloseReason reason)
    {
        std::vector<std::pair<std::int64_t, FlowKey>> chosen;
        for (const auto& [key, flow] : flows)
            if (pick(flow))
                chosen.emplace_back(flow.conn.startNs, key);
        std::sort(chosen.begin(), chosen.end(), [](const auto& a, const auto& b) {
            if (a.first != b.first)
                return a.first < b.first;
            return std::tie(a.second.ipLo, a.second.portLo, a.second.ipHi, a.second.portHi) <
                   std::tie(b.second.ipLo, b.second.portLo, b.second.ipHi, b.second.portHi);
        });
        for (const auto& entry : chosen)
            finish(flows.find(entry.second), reason);
    }

    void evictOldest()
    {
        // The least recently active tenth (at least one connection).
        std::vector<std::int64_t> times;
        times.reserve(flows.size());
        for (const auto& entry : flows)
            times.push_back(entry.second.lastNs);
        const auto cut = oldestCut(std::move(times), 10);
        if (!cut)
            return;
        const std::size_t before = flows.size();
        finishWhere([&](const Flow& f) { return f.lastNs <= *cut; }, CloseReason::Evicted);
        stats.evicted += before - flows.size();
    }

    void maybeSweep(std::int64_t ts)
    {
        if (++sinceSweep < kSweepEvery)
            return;
        if (lastSweepNs != std::numeric_limits<std::int64_t>::min() &&
            ts - lastSweepNs < options.idleTimeoutNs / 4)
            return;
        sinceSweep = 0;
        lastSweepNs = ts;
        finishWhere([&](const Flow& f) { return ts - f.lastNs > options.idleTimeoutNs; },
                    CloseReason::Idle);
    }

    static void record(Flow& f, bool c2s, std::int64_t ts, const DecodedPacket& p,
                       std::size_t seriesCap)
    {
        Connection& c = f.conn;
        const int d = c2s ? Connection::kC2S : Connection::kS2C;
        ++c.packets[d];
        c.ipBytes[d] += p.ipLength;
        c.payloadBytes[d] += p.payloadLength;
        if (p.payloadLength > 0)
            ++c.payloadPackets[d];
        c.vlanTagged = c.vlanTagged || p.vlanTagged;
        recordPacket(c,
                     {ts - c.startNs, PacketRecord::clampLength(p.ipLength),
                      PacketRecord::clampLength(p.payloadLength),
                      c2s ? PacketRecord::kClientToServer : std::uint8_t{0}},
                     seriesCap);
        c.endNs = std::max(c.endNs, ts);
        f.lastNs = ts;
    }

    void onDatagram(std::int64_t ts, const DecodedPacket& p)
    {
        ++stats.udpPackets;
        maybeSweep(ts);
        const FlowKey key = makeKey(p);
        auto it = flows.find(key);
        if (it != flows.end() && ts - it->second.lastNs > options.idleTimeoutNs) {
            finish(it, CloseReason::Idle);
            it = flows.end();
        }
        if (it == flows.end()) {
            if (!looksLikeQuicInitial(p.payload)) {
                ++stats.notQuic;
                return;
            }
            it = start(key, ts, p);
        }
        const bool c2s =
            p.src == it->second.conn.clientIp && p.srcPort == it->second.conn.clientPort;
        // Only long-header datagrams can carry Initials; short headers (1-RTT)
        // go straight to the series.
        const bool longHeader = !p.payload.empty() && (p.payload[0] & 0x80) != 0;
        if (!c2s) {
            noteServerDatagram(it->second, p.payload);
        } else if (longHeader && it->second.decoder.feedClientDatagram(p.payload) ==
                                     QuicDatagramStatus::NewConnection) {
            if (retriesAttempt(it->second, p.payload)) {
                // The same attempt under the ID (and keys) the server asked for.
                it->second.decoder = QuicInitialDecoder();
            } else {
                finish(it, CloseReason::NewInitial);
                it = start(key, ts, p);
            }
            it->second.decoder.feedClientDatagram(p.payload);
        }
        record(it->second, c2s, ts, p, options.maxSeriesPackets);
    }
};

QuicTracker::QuicTracker(QuicTrackerOptions options, Sink sink)
    : m_impl(std::make_unique<Impl>(options, std::move(sink)))
{
}

QuicTracker::~QuicTracker() = default;

void QuicTracker::onDatagram(std::int64_t tsNs, const DecodedPacket& datagram)
{
    m_impl->onDatagram(tsNs, datagram);
}

void QuicTracker::finishAll()
{
    m_impl->finishWhere([](const Flow&) { return true; }, CloseReason::EndOfCapture);
}

std::size_t QuicTracker::liveConnections() const noexcept
{
    return m_impl->flows.size();
}

const QuicTrackerStats& QuicTracker::stats() const noexcept
{
    return m_impl->stats;
}

} // namespace snilab
