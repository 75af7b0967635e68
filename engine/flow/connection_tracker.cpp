#include "flow/connection_tracker.h"

#include "flow/whole_statistics.h"

#include "flow/flow_table.h"
#include "flow/stream_prefix.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

namespace snilab {

using namespace flowtable;

struct ConnectionTracker::Impl {
    TrackerOptions options;
    Sink sink;
    TrackerStats stats;
    std::vector<Live> pool;
    std::vector<std::uint32_t> freeSlots;
    SlotIndex index{1 << 12};
    std::size_t live = 0;
    // Completed connections, already handed to the sink, keyed like `pool`.
    ClosedFlows closedFlows;
    std::int64_t lastSweepNs = std::numeric_limits<std::int64_t>::min();
    std::uint32_t packetsSinceSweep = 0;

    Impl(TrackerOptions o, Sink s) : options(o), sink(std::move(s)) {}

    std::size_t findBucket(const FlowKey& key, std::uint64_t h) const
    {
        return index.find(pool, key, h);
    }

    std::uint32_t allocSlot()
    {
        if (!freeSlots.empty()) {
            const std::uint32_t s = freeSlots.back();
            freeSlots.pop_back();
            return s;
        }
        pool.emplace_back();
        return static_cast<std::uint32_t>(pool.size() - 1);
    }

    // Hands the connection to the sink with client/server resolved.
    void finish(std::uint32_t slot, CloseReason reason)
    {
        Live& l = pool[slot];
        Connection& c = l.conn;
        c.closeReason = l.closed ? l.closedBy : reason;
        int client = l.clientSide;
        if (client < 0) {
            // Neither SYN nor ClientHello: the first sender is the client,
            // unless it used a well-known port and its peer an ephemeral one.
            client = (c.clientPort < 1024 && c.serverPort >= 1024) ? 1 : 0;
        } else {
            c.clientKnown = true;
        }
        if (client == 1) {
            std::swap(c.clientIp, c.serverIp);
            std::swap(c.clientPort, c.serverPort);
            std::swap(c.packets[0], c.packets[1]);
            std::swap(c.ipBytes[0], c.ipBytes[1]);
            std::swap(c.payloadBytes[0], c.payloadBytes[1]);
            std::swap(c.payloadPackets[0], c.payloadPackets[1]);
            for (PacketRecord& r : c.series)
                r.flags ^= PacketRecord::kClientToServer;
            if (c.overflow)
                c.overflow->flipDirections();
        }
        sealWholeStatistics(c);
        c.sawSyn = l.synSeen[client];
        ++stats.connections;
        sink(std::move(c));
        l = Live{};
        freeSlots.push_back(slot);
        --live;
    }

    void finishAndErase(std::size_t bucket, CloseReason reason)
    {
        const std::uint32_t slot = index.slot[bucket];
        index.erase(bucket);
        finish(slot, reason);
    }

    std::uint32_t start(const FlowKey& key, std::uint64_t h, std::int64_t ts,
                        const DecodedPacket& p)
    {
        if (live + 1 > options.maxLiveConnections)
            evictOldest();
        if ((live + 1) * 2 > index.capacity())
            index.resize(index.capacity() * 2);
        const std::uint32_t slot = allocSlot();
        Live& l = pool[slot];
        l.key = key;
        l.hash = h;
        l.active = true;
        l.conn.clientIp = p.src;
        l.conn.clientPort = p.srcPort;
        l.conn.serverIp = p.dst;
        l.conn.serverPort = p.dstPort;
        l.conn.ipVersion = p.ipVersion;
        l.conn.startNs = ts;
        l.conn.endNs = ts;
        // Most connections are short: one allocation instead of six doublings.
        l.conn.series.reserve(std::min<std::size_t>(options.maxSeriesPackets, 32));
        l.lastNs = ts;
        index.insert(h, slot);
        ++live;
        return slot;
    }

    bool expired(const Live& l, std::int64_t now) const
    {
        if (l.closed && now - l.closedAt > options.closedLingerNs)
            return true;
        return now - l.lastNs > options.idleTimeoutNs;
    }

    void sweep(std::int64_t now)
    {
        for (std::uint32_t slot = 0; slot < pool.size(); ++slot) {
            Live& l = pool[slot];
            if (!l.active || !expired(l, now))
                continue;
            const std::size_t b = findBucket(l.key, l.hash);
            finishAndErase(b, CloseReason::Idle);
        }
        closedFlows.expire(now, options.closedLingerNs);
    }

    void evictOldest()
    {
        // Evict the least recently active tenth (at least one connection).
        const auto cut = oldestCut(pool, live, 10, [](const Live& l) { return l.lastNs; });
        if (!cut)
            return;
        const std::int64_t threshold = *cut;
        for (std::uint32_t slot = 0; slot < pool.size(); ++slot) {
            Live& l = pool[slot];
            if (l.active && l.lastNs <= threshold) {
                ++stats.evicted;
                finishAndErase(findBucket(l.key, l.hash), CloseReason::Evicted);
            }
        }
    }

    void acceptClientHello(Live& l, int d, ClientHelloInfo&& info)
    {
        l.conn.hasClientHello = true;
        l.conn.hello = std::move(info);
        l.helloDone = true;
        if (l.clientSide < 0)
            l.clientSide = d;
        l.prefix[0].reset();
        l.prefix[1].reset();
        ++stats.clientHellos;
    }

    void searchClientHello(Live& l, int d, const DecodedPacket& p)
    {
        if (l.helloDone || (l.clientSide >= 0 && l.clientSide != d) ||
            l.helloSegments[d] >= options.maxClientHelloSegments)
            return;
        ++l.helloSegments[d];
        auto& prefix = l.prefix[d];
        if (!prefix || !prefix->hasBase()) {
            // The first attempt starts at the stream's first byte; later ones
            // (STARTTLS, HTTP CONNECT, SOCKS) at a segment that opens a ClientHello record.
            std::uint32_t base = 0;
            if (l.helloAttempts[d] == 0 && l.synSeen[d])
                base = l.synSeq[d] + 1;
            else if (l.helloAttempts[d] == 0 || looksLikeClientHelloStart(p.payload))
                base = p.seq;
            else
                return;
            ++l.helloAttempts[d];
            // A load balancer's PROXY protocol header may precede the TLS bytes.
            const std::size_t skip = p.seq == base ? proxyHeaderLength(p.payload) : 0;
            base += static_cast<std::uint32_t>(skip);
            if (p.seq + skip == base) {
                // Most ClientHellos fit one segment: parse in place, no copy.
                ClientHelloInfo info;
                const ClientHelloStatus status = parseClientHello(p.payload.subspan(skip), info);
                if (status == ClientHelloStatus::Parsed) {
                    acceptClientHello(l, d, std::move(info));
                    return;
                }
                if (status == ClientHelloStatus::NotTls && l.helloAttempts[d] == 1 &&
                    parseSslv2ClientHello(p.payload.subspan(skip), info) ==
                        ClientHelloStatus::Parsed) {
                    // An old client's SSL 2.0-format hello (no SNI): still a ClientHello.
                    acceptClientHello(l, d, std::move(info));
                    return;
                }
                if (status != ClientHelloStatus::NeedMore)
                    return; // this attempt failed; a later segment may start another
            }
            if (!prefix)
                prefix = std::make_unique<StreamPrefix>(options.handshakeByteCap);
            prefix->reset(base);
        }
        if (!prefix->add(p.seq, p.payload))
            return;
        ClientHelloInfo info;
        switch (parseClientHello(prefix->contiguous(), info)) {
        case ClientHelloStatus::Parsed: acceptClientHello(l, d, std::move(info)); return;
        case ClientHelloStatus::NeedMore:
            if (prefix->full())
                prefix->clear();
            return;
        default: prefix->clear(); return;
        }
    }

    void onPacket(std::int64_t ts, const DecodedPacket& p)
    {
        ++stats.tcpPackets;
        maybeSweep(ts);
        const FlowKey key = makeKey(p);
        const std::uint64_t h = hashKey(key);
        const std::size_t b = findBucket(key, h);
        if (index.slot[b] == kEmpty && closedFlows.size() > 0 && absorbedAfterClose(key, h, ts, p))
            return;
        std::uint32_t slot = liveSlotFor(b, ts, p);
        if (slot == kEmpty)
            slot = start(key, h, ts, p);

        Live& l = pool[slot];
        Connection& c = l.conn;
        const int d = (p.src == c.clientIp && p.srcPort == c.clientPort) ? 0 : 1;
        l.lastNs = std::max(l.lastNs, ts);
        c.endNs = std::max(c.endNs, ts);
        c.vlanTagged = c.vlanTagged || p.vlanTagged;
        if (p.tcpFlags & tcpflag::kSyn)
            noteSyn(l, d, p);
        record(l, d, ts, p);
        noteClose(l, d, ts, p);
        if (l.closed && l.closedBy == CloseReason::Fin && l.finAcked[0] && l.finAcked[1])
            handOutCompleted(l);
    }

    // Every 4096 packets, sweeps idle and closed connections once enough
    // capture time has passed.
    void maybeSweep(std::int64_t ts)
    {
        if (++packetsSinceSweep < 4096)
            return;
        packetsSinceSweep = 0;
        const std::int64_t interval = std::max<std::int64_t>(
            1'000'000'000, std::min(options.idleTimeoutNs, options.closedLingerNs) / 4);
        if (lastSweepNs == std::numeric_limits<std::int64_t>::min()) {
            lastSweepNs = ts;
        } else if (ts - lastSweepNs >= interval) {
            sweep(ts);
            lastSweepNs = ts;
        }
    }

    // A straggler of a completed connection (a retransmitted FIN, a duplicate
    // ACK, a segment captured late) carries nothing past its side's FIN: it is
    // counted, not taken for a new connection. A SYN, a packet after the
    // linger or new data is one (and the key's tomb goes). Only for a key
    // without a live connection.
    bool absorbedAfterClose(const FlowKey& key, std::uint64_t h, std::int64_t ts,
                            const DecodedPacket& p)
    {
        const Tomb* tomb = closedFlows.find(key, h);
        if (!tomb)
            return false;
        const Tomb& t = *tomb;
        const int side = (p.src == key.ipLo && p.srcPort == key.portLo) ? 0 : 1;
        const bool oldData =
            p.payloadLength == 0 || !seqAfter(p.seq + p.payloadLength, t.finAck[side] - 1);
        const bool syn = (p.tcpFlags & tcpflag::kSyn) != 0;
        if (!syn && oldData && ts - t.closedAt <= options.closedLingerNs) {
            ++stats.packetsAfterClose;
            return true;
        }
        closedFlows.remove(key, h);
        return false;
    }

    // The live connection (in bucket b of the index) this packet belongs to,
    // or kEmpty when it starts a new one (the old one on the key, if any, is handed out first).
    std::uint32_t liveSlotFor(std::size_t b, std::int64_t ts, const DecodedPacket& p)
    {
        const std::uint32_t slot = index.slot[b];
        if (slot == kEmpty)
            return kEmpty;
        Live& l = pool[slot];
        const bool syn = (p.tcpFlags & tcpflag::kSyn) != 0;
        const bool ack = (p.tcpFlags & tcpflag::kAck) != 0;
        const int d = (p.src == l.conn.clientIp && p.srcPort == l.conn.clientPort) ? 0 : 1;
        bool restart = expired(l, ts);
        if (!restart && syn && !ack) {
            // A SYN starts a new connection unless it repeats this one's SYN
            // or is the SYN that an earlier-captured SYN-ACK acknowledged
            // (merged multi-queue captures reorder them).
            const bool answered = l.synAckFor == d && p.seq + 1 == l.synAckAck;
            restart =
                l.closed || (!l.synSeen[d] && !answered) || (l.synSeen[d] && l.synSeq[d] != p.seq);
            if (!restart && l.synSeen[d] && l.clientSide >= 0 && l.clientSide != d)
                restart = true;
        } else if (!restart && syn && ack && l.closed) {
            restart = true; // SYN-ACK of a new connection whose SYN was not captured
        }
        if (!restart)
            return slot;
        finishAndErase(b, expired(l, ts) ? CloseReason::Idle : CloseReason::NewSyn);
        return kEmpty;
    }

    // A SYN (client = its sender) or SYN-ACK (client = its receiver).
    static void noteSyn(Live& l, int d, const DecodedPacket& p)
    {
        const bool ack = (p.tcpFlags & tcpflag::kAck) != 0;
        if (!l.synSeen[d]) {
            l.synSeen[d] = true;
            l.synSeq[d] = p.seq;
        }
        if (l.clientSide < 0)
            l.clientSide = ack ? 1 - d : d;
        if (ack) {
            l.synAckFor = 1 - d;
            l.synAckAck = p.ack;
        }
        if (!l.seqInit[d]) {
            l.seqInit[d] = true;
            l.nextSeq[d] = p.seq + 1;
        }
    }

    // Counts, sequence tracking, the ClientHello search and the series record.
    void record(Live& l, int d, std::int64_t ts, const DecodedPacket& p)
    {
        Connection& c = l.conn;
        const bool syn = (p.tcpFlags & tcpflag::kSyn) != 0;
        std::uint8_t flags = d == 0 ? PacketRecord::kClientToServer : 0;
        if (syn)
            flags |= PacketRecord::kSyn;
        if (p.tcpFlags & tcpflag::kFin)
            flags |= PacketRecord::kFin;
        if (p.tcpFlags & tcpflag::kRst)
            flags |= PacketRecord::kRst;
        if (p.payloadLength > 0) {
            // Data in a SYN (TCP Fast Open) starts one past the SYN's sequence number.
            const std::uint32_t dataSeq = p.seq + (syn ? 1u : 0u);
            const std::uint32_t end = dataSeq + p.payloadLength;
            if (l.seqInit[d] && !seqAfter(end, l.nextSeq[d])) {
                flags |= PacketRecord::kRetransmission;
                ++c.retransmissions;
            } else {
                l.seqInit[d] = true;
                l.nextSeq[d] = end;
            }
            ++c.payloadPackets[d];
            c.payloadBytes[d] += p.payloadLength;
            if (!p.payload.empty()) {
                if (syn) {
                    DecodedPacket data = p;
                    data.seq = dataSeq;
                    searchClientHello(l, d, data);
                } else {
                    searchClientHello(l, d, p);
                }
            }
        }
        ++c.packets[d];
        c.ipBytes[d] += p.ipLength;
        PacketRecord r;
        r.tNs = ts - c.startNs;
        r.ipLength = PacketRecord::clampLength(p.ipLength);
        r.payloadLength = PacketRecord::clampLength(p.payloadLength);
        r.flags = flags;
        recordPacket(c, r, options.maxSeriesPackets);
    }

    // FINs seen and acknowledged; a RST or both FINs close the connection.
    static void noteClose(Live& l, int d, std::int64_t ts, const DecodedPacket& p)
    {
        const bool syn = (p.tcpFlags & tcpflag::kSyn) != 0;
        if ((p.tcpFlags & tcpflag::kFin) && !l.finSeen[d]) {
            l.finSeen[d] = true;
            l.finAck[d] = p.seq + p.payloadLength + (syn ? 2u : 1u);
        }
        if ((p.tcpFlags & tcpflag::kAck) && l.finSeen[1 - d] && !seqAfter(l.finAck[1 - d], p.ack))
            l.finAcked[1 - d] = true;
        if (l.closed)
            return;
        if (p.tcpFlags & tcpflag::kRst) {
            l.closed = true;
            l.closedBy = CloseReason::Rst;
            l.closedAt = ts;
        } else if (l.finSeen[0] && l.finSeen[1]) {
            l.closed = true;
            l.closedBy = CloseReason::Fin;
            l.closedAt = ts;
        }
    }

    // Both FINs acknowledged: nothing but stragglers can follow. The
    // connection is handed out now and only its key lingers.
    void handOutCompleted(Live& l)
    {
        const FlowKey doneKey = l.key;
        const std::uint64_t doneHash = l.hash;
        const std::int64_t closedAt = l.closedAt;
        // finAck is by side (0 = the first sender); the tomb keeps it by the
        // key's lo/hi endpoint.
        const bool firstIsLo =
            l.conn.clientIp == doneKey.ipLo && l.conn.clientPort == doneKey.portLo;
        const std::uint32_t byEndpoint[2] = {firstIsLo ? l.finAck[0] : l.finAck[1],
                                             firstIsLo ? l.finAck[1] : l.finAck[0]};
        finishAndErase(findBucket(doneKey, doneHash), CloseReason::Fin);
        closedFlows.add(doneKey, doneHash, closedAt, byEndpoint, options.maxLiveConnections);
    }

    void finishAll()
    {
        std::vector<std::uint32_t> slots;
        for (std::uint32_t s = 0; s < pool.size(); ++s)
            if (pool[s].active)
                slots.push_back(s);
        std::sort(slots.begin(), slots.end(), [&](std::uint32_t a, std::uint32_t b) {
            return pool[a].conn.startNs != pool[b].conn.startNs
                       ? pool[a].conn.startNs < pool[b].conn.startNs
                       : a < b;
        });
        for (std::uint32_t s : slots)
            finishAndErase(findBucket(pool[s].key, pool[s].hash), CloseReason::EndOfCapture);
    }
};

ConnectionTracker::ConnectionTracker(TrackerOptions options, Sink sink)
    : m_impl(std::make_unique<Impl>(options, std::move(sink)))
{
}

ConnectionTracker::~ConnectionTracker() = default;

void ConnectionTracker::onPacket(std::int64_t tsNs, const DecodedPacket& packet)
{
    m_impl->onPacket(tsNs, packet);
}

void ConnectionTracker::finishAll()
{
    m_impl->finishAll();
}

std::size_t ConnectionTracker::liveConnections() const noexcept
{
    return m_impl->live;
}

const TrackerStats& ConnectionTracker::stats() const noexcept
{
    return m_impl->stats;
}

} // namespace snilab
