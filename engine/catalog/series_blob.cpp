// The series blob format and its checksum (series_blob.h).
#include "catalog/series_blob.h"

#include "catalog/catalog_rows.h"
#include "common/content_hash.h"

#include <bit>
#include <cmath>

namespace snilab {

namespace {

void putU64(std::uint8_t* p, std::uint64_t v)
{
    for (int i = 0; i < 8; ++i)
        p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

std::uint64_t getU64(const std::uint8_t* p)
{
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
        v |= std::uint64_t(p[i]) << (8 * i);
    return v;
}

[[noreturn]] void damaged(std::int64_t connectionId, const std::string& why)
{
    throw CatalogError("connection " + std::to_string(connectionId) +
                       ": its stored packet series is damaged (" + why +
                       "); ingest its capture again into a new catalog");
}

} // namespace

std::vector<std::uint8_t> encodeSeries(std::span<const PacketRecord> series,
                                       const WholeStatistics* whole)
{
    std::vector<std::uint8_t> out(series.size() * 16 + (whole ? kWholeStatisticsBytes : 0), 0);
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
    if (whole) {
        putU64(p, whole->packets);
        putU64(p + 8, whole->latePackets);
        p += 16;
        for (const auto& selection : whole->values)
            for (double v : selection) {
                putU64(p, std::bit_cast<std::uint64_t>(v));
                p += 8;
            }
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
                 std::span<const std::uint8_t> blob, const std::string& checksum,
                 std::int64_t format)
{
    if (format != kSeriesFormatPackets && format != kSeriesFormatWithWhole)
        damaged(connectionId, "unknown series format " + std::to_string(format));
    const std::size_t tail = format == kSeriesFormatWithWhole ? kWholeStatisticsBytes : 0;
    const bool sizeOk = packets >= 0 && static_cast<std::uint64_t>(packets) <= blob.size() / 16 &&
                        blob.size() == static_cast<std::size_t>(packets) * 16 + tail;
    if (!sizeOk)
        damaged(connectionId, "wrong length");
    if (!checksum.empty() && checksum != seriesChecksum(connectionId, blob))
        damaged(connectionId, "checksum mismatch");
}

StoredSeries decodeStoredSeries(std::int64_t connectionId, std::int64_t packets,
                                std::int64_t format, std::span<const std::uint8_t> blob,
                                const std::string& checksum)
{
    checkSeries(connectionId, packets, blob, checksum, format);
    const std::size_t recordBytes = static_cast<std::size_t>(packets) * 16;
    StoredSeries out;
    out.packets = decodeSeries(blob.first(recordBytes));
    if (format != kSeriesFormatWithWhole)
        return out;
    const std::uint8_t* p = blob.data() + recordBytes;
    auto whole = std::make_shared<WholeStatistics>();
    whole->packets = getU64(p);
    whole->latePackets = getU64(p + 8);
    p += 16;
    for (auto& selection : whole->values)
        for (double& v : selection) {
            v = std::bit_cast<double>(getU64(p));
            p += 8;
            if (!std::isfinite(v) || v < 0.0)
                damaged(connectionId, "a whole-connection statistic is not a finite value >= 0");
        }
    if (whole->packets < static_cast<std::uint64_t>(packets) || whole->latePackets > whole->packets)
        damaged(connectionId, "whole-connection packet counts do not add up");
    for (const auto& selection : whole->values) {
        // Per direction (0, 16) and for all (32): a count, then sizes and
        // (directions only) payloads, then IATs - see features/statistics.h.
        const double all = selection[32];
        if (all != std::floor(all) || selection[0] != std::floor(selection[0]) ||
            selection[16] != std::floor(selection[16]) ||
            all > static_cast<double>(whole->packets) || selection[0] + selection[16] != all)
            damaged(connectionId, "whole-connection packet counts do not add up");
        for (std::size_t i = 0; i < selection.size(); ++i) {
            const std::size_t group = i < 32 ? 16 : 10;
            const std::size_t at = (i < 32 ? i % 16 : i - 32);
            const bool iat = at >= group - 3;
            const bool variance = !iat && at % 6 == 0 && at > 0;
            // Lengths are 16-bit; an IAT between two int64 ns times is below
            // 2^64 ns (1.85e10 s).
            const double bound = iat ? 1.9e10 : variance ? 65535.0 * 65535.0 : 65535.0;
            if (at > 0 && selection[i] > bound)
                damaged(connectionId, "a whole-connection statistic is out of range");
        }
    }
    out.whole = std::move(whole);
    return out;
}

} // namespace snilab
