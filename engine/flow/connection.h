// One bidirectional connection as a tracker hands it out: a TCP connection
// (flow/connection_tracker.h) or a QUIC connection (quic/quic_tracker.h).
#pragma once

#include "capture/packet_decoder.h"
#include "flow/client_hello.h"
#include "flow/packet_record.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace snilab {

class WholeStatisticsAccumulator; // flow/whole_statistics.h
struct WholeStatistics;

// NewInitial: a QUIC client sent a new ClientHello (a new connection ID) on
// the same UDP endpoints. QUIC has no visible FIN: its connections end by
// Idle, NewInitial, Evicted or EndOfCapture.
enum class CloseReason : std::uint8_t { Fin, Rst, Idle, NewSyn, Evicted, EndOfCapture, NewInitial };
std::string_view closeReasonName(CloseReason reason);

// What carried the connection. Stored as "tcp" / "quic".
enum class Transport : std::uint8_t { Tcp, Quic };
std::string_view transportName(Transport transport);
std::optional<Transport> parseTransport(std::string_view text);

// Which connections an operation takes: every one, or one transport's
// ("all", "tcp", "quic"; the option --transport).
enum class TransportFilter : std::uint8_t { All, Tcp, Quic };
std::string_view transportFilterName(TransportFilter filter);
std::optional<TransportFilter> parseTransportFilter(std::string_view text);
// A QUIC version as written in outputs: "0x" and 8 hex digits ("0x00000001").
std::string quicVersionText(std::uint32_t version);

struct Connection {
    // Index 0 = client->server, 1 = server->client.
    enum Dir { kC2S = 0, kS2C = 1 };

    Transport transport = Transport::Tcp;
    std::uint32_t quicVersion = 0; // QUIC: the version of the client's first Initial
    IpAddress clientIp;
    IpAddress serverIp;
    std::uint16_t clientPort = 0;
    std::uint16_t serverPort = 0;
    std::uint8_t ipVersion = 0;
    bool sawSyn = false;      // the client's SYN was captured
    bool clientKnown = false; // false: no SYN and no ClientHello; client = first sender
    bool vlanTagged = false;
    CloseReason closeReason = CloseReason::EndOfCapture;
    std::int64_t startNs = 0;
    std::int64_t endNs = 0;
    std::uint64_t packets[2] = {0, 0}; // true totals, never capped
    std::uint64_t ipBytes[2] = {0, 0};
    std::uint64_t payloadBytes[2] = {0, 0};
    std::uint64_t payloadPackets[2] = {0, 0};
    std::uint64_t retransmissions = 0;

    bool hasClientHello = false;
    ClientHelloInfo hello; // valid when hasClientHello

    // The first packets (up to the tracker's series cap), both directions by time.
    std::vector<PacketRecord> series;
    // Only for a connection longer than the series cap (null otherwise): while
    // it is tracked, `overflow` sees every packet (recordPacket()); when the
    // tracker hands it out, `whole` holds the 42 statistics over all of them
    // (flow/whole_statistics.h) and `overflow` is null again.
    std::shared_ptr<WholeStatisticsAccumulator> overflow;
    std::shared_ptr<const WholeStatistics> whole;

    std::uint64_t totalPackets() const noexcept { return packets[0] + packets[1]; }
};

// Text form of an address: dotted quad for IPv4 (and IPv4-mapped), RFC 5952 for IPv6.
std::string formatIp(const IpAddress& ip);

} // namespace snilab
