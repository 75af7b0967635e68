// The stored form of a connection's packet series (connection_series.data)
// and its checksum (docs/catalog.md).
#pragma once

#include "flow/connection.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace snilab {

// Series blob format v1: per packet 16 bytes little-endian: int64 t_ns,
// uint16 ip_length, uint16 payload_length, uint8 flags, 3 bytes zero.
std::vector<std::uint8_t> encodeSeries(std::span<const PacketRecord> series);
std::vector<PacketRecord> decodeSeries(std::span<const std::uint8_t> blob);
// The checksum stored beside a series blob (schema 5): ContentHasher over the
// connection id and the blob. checkSeries() throws CatalogError naming the
// connection when a stored checksum does not match (an empty one, from an
// older catalog, is not checked).
std::string seriesChecksum(std::int64_t connectionId, std::span<const std::uint8_t> blob);
void checkSeries(std::int64_t connectionId, std::int64_t packets,
                 std::span<const std::uint8_t> blob, const std::string& checksum);

} // namespace snilab
