// Splits a capture's TCP segments into bidirectional connections.
//
// Key: the unordered pair of endpoints; a key maps to at most one live
// connection. A connection starts at a SYN, or at the first packet of a
// tuple with no live connection. It ends at an RST or after FINs from both
// sides. After an RST, or FINs not yet both acknowledged, it lingers
// `closedLingerNs` for trailing packets, which it counts. Once both FINs are
// acknowledged it is handed out at once and only its key lingers: stragglers
// within the linger time that carry nothing past their side's FIN (a
// retransmitted FIN, a duplicate ACK, a segment captured late) are counted in
// `packetsAfterClose`, not as a new connection; new data starts one. A SYN on the tuple always
// starts a new connection. A connection also ends after `idleTimeoutNs` without packets, or at the
// end of the capture. Reused 4-tuples never merge: a SYN whose sequence
// number differs from the live connection's starts a new one.
// Client = the SYN sender (or the SYN-ACK receiver), else the sender of a
// ClientHello, else the first packet's sender.
//
// Thread: one tracker per thread. Finished connections are handed to the sink
// in the order they finish; memory is bounded by the live connections (a
// completed one costs only its key, about 170 bytes, until its linger time
// ends; at most maxLiveConnections of those, the oldest forgotten first).
#pragma once

#include "capture/packet_decoder.h"
#include "flow/connection.h"

#include <cstdint>
#include <functional>
#include <memory>

namespace snilab {

struct TrackerOptions {
    std::int64_t idleTimeoutNs = 600'000'000'000; // 10 min
    std::int64_t closedLingerNs = 60'000'000'000; // trailing packets after FIN/RST
    std::size_t maxSeriesPackets = 10'000;        // per connection; totals stay true
    std::size_t handshakeByteCap = 32 * 1024;     // ClientHello reassembly cap per direction
    std::size_t maxClientHelloSegments = 64;      // client segments searched for a ClientHello
    std::size_t maxLiveConnections = 4'000'000;   // beyond: the least recently active are evicted
};

struct TrackerStats {
    std::uint64_t tcpPackets = 0;
    std::uint64_t connections = 0; // finished and handed to the sink
    std::uint64_t evicted = 0;
    std::uint64_t clientHellos = 0;
    std::uint64_t packetsAfterClose = 0; // stragglers of completed connections, in no connection
};

class ConnectionTracker {
public:
    using Sink = std::function<void(Connection&&)>;

    ConnectionTracker(TrackerOptions options, Sink sink);
    ~ConnectionTracker();
    ConnectionTracker(const ConnectionTracker&) = delete;
    ConnectionTracker& operator=(const ConnectionTracker&) = delete;

    // Feeds one decoded TCP segment captured at `tsNs`.
    void onPacket(std::int64_t tsNs, const DecodedPacket& packet);
    // Finishes every live connection (end of capture).
    void finishAll();

    std::size_t liveConnections() const noexcept;
    const TrackerStats& stats() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace snilab
