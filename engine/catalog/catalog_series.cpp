// The readers half of Catalog: connections, packet series and their blob
// format with its per-series checksum. Schema and opening in catalog.cpp.
#include "catalog/catalog.h"

#include "catalog/catalog_internal.h"
#include "catalog/row_sql.h"
#include "common/content_hash.h"

#include <sqlite3.h>

namespace snilab {

void Catalog::forEachConnection(const std::function<void(const ConnectionRow&)>& visit)
{
    std::lock_guard lock(m_mutex);
    Statement s(m_db,
                (std::string("SELECT ") + kConnectionRowColumns +
                 " FROM connections k JOIN captures c ON c.id = k.capture_id "
                 "WHERE c.status <> 'incomplete' ORDER BY c.path, k.capture_id, k.start_ns, k.id")
                    .c_str());
    ConnectionRow r;
    while (s.step()) {
        readConnectionRow(s, r);
        visit(r);
    }
}

void Catalog::forEachLabeledSeries(const std::function<void(const SeriesRow&)>& visit)
{
    forEachSeries(visit, true);
}

void Catalog::forEachSeries(const std::function<void(const SeriesRow&)>& visit, bool labeledOnly)
{
    std::lock_guard lock(m_mutex);
    Statement s(m_db, labeledOnly ? "SELECT k.id, k.capture_id, c.path, c.first_ns, k.sni, s.data, "
                                    "s.packets, s.checksum "
                                    "FROM connections k JOIN captures c ON c.id = k.capture_id "
                                    "JOIN connection_series s ON s.connection_id = k.id "
                                    "WHERE c.status <> 'incomplete' AND k.sni <> '' "
                                    "ORDER BY c.path, k.capture_id, k.start_ns, k.id"
                                  : "SELECT k.id, k.capture_id, c.path, c.first_ns, k.sni, s.data, "
                                    "s.packets, s.checksum "
                                    "FROM connections k JOIN captures c ON c.id = k.capture_id "
                                    "JOIN connection_series s ON s.connection_id = k.id "
                                    "WHERE c.status <> 'incomplete' "
                                    "ORDER BY c.path, k.capture_id, k.start_ns, k.id");
    SeriesRow r;
    while (s.step()) {
        r.connectionId = s.i64(0);
        r.captureId = s.i64(1);
        r.capturePath = s.text(2);
        r.captureFirstNs = s.i64(3);
        r.sni = s.text(4);
        checkSeries(r.connectionId, s.i64(6), s.blob(5), s.text(7));
        r.series = decodeSeries(s.blob(5));
        visit(r);
    }
}

std::vector<PacketRecord> Catalog::series(std::int64_t connectionId)
{
    std::lock_guard lock(m_mutex);
    Statement s(m_db,
                "SELECT data, packets, checksum FROM connection_series WHERE connection_id = ?1");
    s.bind(1, connectionId);
    if (!s.step())
        return {};
    checkSeries(connectionId, s.i64(1), s.blob(0), s.text(2));
    return decodeSeries(s.blob(0));
}

std::uint64_t Catalog::connectionCount()
{
    std::lock_guard lock(m_mutex);
    Statement s(m_db, "SELECT count(*) FROM connections");
    s.step();
    return static_cast<std::uint64_t>(s.i64(0));
}

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
