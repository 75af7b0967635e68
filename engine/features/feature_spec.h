// FeatureSpec: which packets of a connection's series the features see and
// how sequences are shaped (docs/design.md section 2 "Sizes, times, packets" and
// section 3 "Features").
//
// Text form (stable; stored with datasets and models, typed on the CLI):
//   "packets=payload;retrans=keep;window=all;seqlen=25;channels=size,payload,iat,dir"
//   packets  = payload | all            packets carrying TCP payload (default) or every packet
//   retrans  = keep | drop              drop = skip packets flagged kRetransmission
//   window   = all | first:N            statistics over the whole connection (default) or
//                                       over the first N selected packets (N >= 1)
//   seqlen   = N                        sequence length, 1..kMaxSequenceLength (default 25)
//   channels = size,payload,iat,dir     non-empty subset, any order; toString() writes them in
//                                       this canonical order
// toString() always writes every key in the order above. parse() accepts the
// keys in any order, each at most once; a missing key keeps its default (so ""
// is the default spec); ASCII spaces around keys, values and channel names are
// ignored and empty ';'-separated parts are skipped. parse(toString(s)) == s.
//
// The window applies to the statistics only; sequences always take the first
// `sequenceLength` selected packets (section 3).
//
// Thread: plain values and pure functions, safe from any thread.
// Failure: parse() returns std::nullopt and, if `error` is given, a one-line
// message naming the offending part; it never throws for bad text.
#pragma once

#include "flow/connection.h"

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace snilab {

struct FeatureSpec {
    static constexpr std::size_t kDefaultSequenceLength = 25;
    static constexpr std::size_t kMaxSequenceLength = 10000;
    static constexpr std::size_t kMaxWindowPackets = 100000000;

    enum class Packets { PayloadOnly, All };
    enum class Retransmissions { Keep, Drop };
    enum class Window { WholeConnection, FirstN };

    // Sequence channels; the enabled ones appear in this order.
    struct Channels {
        bool size = true;      // IP datagram length (bytes)
        bool payload = true;   // TCP payload length (bytes)
        bool iat = true;       // log1p(inter-arrival time in microseconds)
        bool direction = true; // +1 client->server, -1 server->client, 0 padding
        bool operator==(const Channels&) const = default;
    };

    Packets packets = Packets::PayloadOnly;
    Retransmissions retransmissions = Retransmissions::Keep;
    Window window = Window::WholeConnection;
    std::size_t windowPackets = kDefaultSequenceLength; // N of FirstN; ignored otherwise
    std::size_t sequenceLength = kDefaultSequenceLength;
    Channels channels;

    // Number of enabled sequence channels (0..4; parse() guarantees >= 1).
    std::size_t channelCount() const noexcept;

    std::string toString() const;
    static std::optional<FeatureSpec> parse(std::string_view text, std::string* error = nullptr);

    // Equality of the meaningful fields: windowPackets is ignored when the
    // window is WholeConnection (it is not part of the text form then).
    bool operator==(const FeatureSpec& other) const noexcept;
};

// The packets the spec counts, stable-sorted by tNs (packets with equal times
// keep their capture order): payload/retransmission filters applied, no window.
std::vector<PacketRecord> selectPackets(std::span<const PacketRecord> series,
                                        const FeatureSpec& spec);

} // namespace snilab
