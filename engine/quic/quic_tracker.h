// Splits UDP datagrams into QUIC connections (docs/quic.md, "Connections").
//
// A connection starts with a client Initial (quic/quic_header.h's cheap test,
// then decrypted by quic/quic_initial.h): the sender of that first Initial is
// the client. It is keyed by its UDP endpoint pair; every datagram between
// the two endpoints is one packet of its series (ipLength = the IP datagram,
// payloadLength = the UDP payload). A client Initial that opens another
// connection on the same endpoints (its own DCID, after the first
// connection's ClientHello) ends the first with close reason new-initial and
// starts the next. QUIC has no visible FIN: a connection ends after
// `idleTimeoutNs` without a datagram (close reason idle), when the live table
// is full (evicted) or at the end of the capture.
//
// Only QUIC is kept: a candidate none of whose client Initials decrypted
// (not QUIC after all, or a version whose keys are unknown) is dropped and
// counted, as is UDP traffic that never started with a client Initial.
//
// Thread: one tracker, one thread. Memory: bounded by maxLiveConnections
// and, per connection, the series cap and the decoder's CRYPTO cap.
#pragma once

#include "capture/packet_decoder.h"
#include "flow/connection.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace snilab {

struct QuicTrackerOptions {
    std::int64_t idleTimeoutNs = 30'000'000'000; // 30 s (the option --quic-idle-timeout)
    std::size_t maxSeriesPackets = 10'000;       // per connection; totals stay true
    std::size_t maxLiveConnections = 1'000'000;  // beyond: the least recently active are evicted
};

struct QuicTrackerStats {
    std::uint64_t udpPackets = 0;   // datagrams seen
    std::uint64_t quicPackets = 0;  // datagrams counted in a stored connection
    std::uint64_t connections = 0;  // QUIC connections handed to the sink
    std::uint64_t clientHellos = 0; // of which with a parsed ClientHello
    std::uint64_t notQuic = 0;      // datagrams outside any candidate (DNS, gQUIC, ...)
    std::uint64_t undecrypted = 0;  // candidates dropped: no client Initial decrypted
    std::uint64_t evicted = 0;
};

// Checks the options: a positive idle timeout, positive caps. Returns "" or
// a one-line reason.
std::string validateQuicTrackerOptions(const QuicTrackerOptions& options);

class QuicTracker {
public:
    using Sink = std::function<void(Connection&&)>;

    QuicTracker(QuicTrackerOptions options, Sink sink);
    ~QuicTracker();
    QuicTracker(const QuicTracker&) = delete;
    QuicTracker& operator=(const QuicTracker&) = delete;

    // One UDP datagram (decodeTcpOrUdpPacket() said Udp), in capture order.
    void onDatagram(std::int64_t tsNs, const DecodedPacket& datagram);
    // Hands out every live connection (close reason end-of-capture).
    void finishAll();

    std::size_t liveConnections() const noexcept;
    const QuicTrackerStats& stats() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace snilab
