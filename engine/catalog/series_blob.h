// The stored form of a connection's packet series (connection_series.data)
// and its checksum (docs/catalog.md).
#pragma once

#include "flow/connection.h"
#include "flow/whole_statistics.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace snilab {

// Series blob format 1: per packet 16 bytes little-endian: int64 t_ns,
// uint16 ip_length, uint16 payload_length, uint8 flags, 3 bytes zero.
// Format 2 (schema 7, a connection longer than its series): the same records,
// then its WholeStatistics: uint64 packets, uint64 late packets, and the 42
// statistics of each of the four packet selections as float64.
inline constexpr int kSeriesFormatPackets = 1;
inline constexpr int kSeriesFormatWithWhole = 2;
inline constexpr std::size_t kWholeStatisticsBytes =
    16 + WholeStatistics::kSelections * kStatisticCount * 8;
// Format 1 without `whole`, format 2 with it (seriesFormat() says which).
std::vector<std::uint8_t> encodeSeries(std::span<const PacketRecord> series,
                                       const WholeStatistics* whole = nullptr);
inline int seriesFormat(const WholeStatistics* whole) noexcept
{
    return whole ? kSeriesFormatWithWhole : kSeriesFormatPackets;
}
// The records of a format 1 blob (a trailing partial record is ignored).
std::vector<PacketRecord> decodeSeries(std::span<const std::uint8_t> blob);

struct StoredSeries {
    std::vector<PacketRecord> packets;
    std::shared_ptr<const WholeStatistics> whole; // format 2 only
};
// A stored series as read from the catalog, checked first (checkSeries()):
// an unknown format, a wrong length or a non-finite statistic throws
// CatalogError naming the connection.
StoredSeries decodeStoredSeries(std::int64_t connectionId, std::int64_t packets,
                                std::int64_t format, std::span<const std::uint8_t> blob,
                                const std::string& checksum);
// The checksum stored beside a series blob (schema 5): ContentHasher over the
// connection id and the blob. checkSeries() throws CatalogError naming the
// connection when a stored checksum does not match (an empty one, from an
// older catalog, is not checked).
std::string seriesChecksum(std::int64_t connectionId, std::span<const std::uint8_t> blob);
void checkSeries(std::int64_t connectionId, std::int64_t packets,
                 std::span<const std::uint8_t> blob, const std::string& checksum,
                 std::int64_t format = kSeriesFormatPackets);

} // namespace snilab
