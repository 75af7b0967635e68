// The series blob format and its checksum (series_blob.h).
#include "catalog/series_blob.h"

#include "catalog/catalog_rows.h"
#include "common/content_hash.h"

namespace snilab {

std::vector<std::uint8_t> encodeSeries(std::span<const PacketRecord> series)
{
    std::vector<std::uint8_t> out(series.size() * 16, 0);
    std::uint8_t* p = out.data();
    for (const PacketRecord& r : series) {
        const auto t = static_cast<std::uint64_t>(r.tNs);
        for (int i = 0; i < 8; ++i)
            p[i] = static_cast<std::uint8_t>(t >> (8 * i));
        p[8] = static_cast<std::uint8_t>(r.ipLength);
        p[9] = static_cast<std::uint8_t>(r.ipLength >> 8);
        p[10] = static_cast<std::uint8_t>(r.payloadLength);
        p[11] = static_cast<std::uint8_t>(r.payloadLength >> 8);
        p[12] = r.flags;
        p += 16;
    }
    return out;
}

std::vector<PacketRecord> decodeSeries(std::span<const std::uint8_t> blob)
{
    std::vector<PacketRecord> out(blob.size() / 16);
    const std::uint8_t* p = blob.data();
    for (PacketRecord& r : out) {
        std::uint64_t t = 0;
        for (int i = 0; i < 8; ++i)
            t |= std::uint64_t(p[i]) << (8 * i);
        r.tNs = static_cast<std::int64_t>(t);
        r.ipLength = static_cast<std::uint16_t>(p[8] | p[9] << 8);
        r.payloadLength = static_cast<std::uint16_t>(p[10] | p[11] << 8);
        r.flags = p[12];
        p += 16;
    }
    return out;
}

std::string seriesChecksum(std::int64_t connectionId, std::span<const std::uint8_t> blob)
{
    ContentHasher hasher;
    std::uint8_t id[8];
    for (int i = 0; i < 8; ++i)
        id[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(connectionId) >> (8 * i));
    hasher.update(id);
    hasher.update(blob);
    return hasher.finishHex();
}

void checkSeries(std::int64_t connectionId, std::int64_t packets,
                 std::span<const std::uint8_t> blob, const std::string& checksum)
{
    const bool sizeOk = packets >= 0 && blob.size() == static_cast<std::size_t>(packets) * 16;
    if (!sizeOk || (!checksum.empty() && checksum != seriesChecksum(connectionId, blob)))
        throw CatalogError("connection " + std::to_string(connectionId) +
                           ": its stored packet series is damaged (" +
                           (sizeOk ? "checksum mismatch" : "wrong length") +
                           "); ingest its capture again into a new catalog");
}

} // namespace snilab
