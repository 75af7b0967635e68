// The 42 per-connection statistics (docs/design.md section 3).
//
// Packets: selectPackets(series, spec) (payload/retransmission filters, stable
// sort by time), then, for Window::FirstN, the first spec.windowPackets of
// those. Sizes in bytes (packet size = IP datagram length, payload = TCP
// payload length), times in seconds (double). Directions: client->server has
// PacketRecord::kClientToServer set, server->client has it clear.
//
// Order of computeStatistics()'s result (= statisticNames()), names
// `<dir>_<quantity>_<stat>`:
//   0..15   s2c: packets_count, size_{p25,p50,p75,max,mean,var},
//                payload_{p25,p50,p75,max,mean,var}, iat_{p25,p50,p75}
//   16..31  c2s: the same 16
//   32..41  all: packets_count, size_{p25,p50,p75,max,mean,var}, iat_{p25,p50,p75}
// IATs: differences between consecutive packets of that direction ("all": of
// both) in time order, so never negative. Percentiles: numpy's default
// ('linear': position q*(m-1) in the sorted values, linear interpolation).
// Variance: population (ddof=0). No values (empty direction; fewer than two
// packets for IATs) -> that statistic is 0.
//
// Thread: pure functions, safe from any thread. Failure: StatisticsError
// (computeStatistics() with a truncated series, see there), std::bad_alloc.
#pragma once

#include "features/feature_spec.h"
#include "flow/connection.h"
#include "flow/whole_statistics.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace snilab {

// The 42 names in result order, e.g. "s2c_packets_count", "c2s_iat_p75", "all_size_var".
const std::array<std::string_view, kStatisticCount>& statisticNames();

// The index of all_packets_count (the packets the selection keeps).
inline constexpr std::size_t kAllPacketsCountIndex = 32;

// Index of a name in statisticNames(), or kStatisticCount if unknown.
std::size_t statisticIndex(std::string_view name);

// The index in WholeStatistics::values of the spec's packet selection
// (packets=payload|all x retrans=keep|drop, flow/whole_statistics.h).
std::size_t wholeSelectionIndex(const FeatureSpec& spec) noexcept;

// `series` holds every packet of the connection.
std::array<double, kStatisticCount> computeStatistics(std::span<const PacketRecord> series,
                                                      const FeatureSpec& spec);
// A stored series of a connection of `totalPackets` packets, with its
// WholeStatistics (flow/whole_statistics.h) or null. Not truncated
// (series.size() >= totalPackets): as above. Truncated: window=all comes from
// `whole`, window=first:N from `whole` when the connection has at most N
// selected packets, else from the series when it has N selected packets;
// otherwise - no `whole` (a catalog of schema 6 or older), or a window past
// the stored packets - it throws StatisticsError saying what to do.
std::array<double, kStatisticCount> computeStatistics(std::span<const PacketRecord> series,
                                                      const FeatureSpec& spec,
                                                      const WholeStatistics* whole,
                                                      std::uint64_t totalPackets);

// The packets a feature needs are past a connection's stored series.
struct StatisticsError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// numpy.percentile(values, q * 100) with the default 'linear' method; `values`
// need not be sorted; q in [0, 1]. Empty -> 0.
double percentile(std::span<const double> values, double q);
// Population variance (ddof=0), mean first then squared deviations. Empty -> 0.
double populationVariance(std::span<const double> values);

} // namespace snilab
