// The connection reader: label counts, connections and their stored series.
#include "catalog/connection_reader.h"

#include "catalog/database.h"
#include "catalog/row_sql.h"
#include "catalog/series_blob.h"
#include "catalog/sqlite_statement.h"
#include "common/text_parse.h"

#include <algorithm>
#include <sqlite3.h>

#include <map>
#include <set>

namespace snilab {

std::vector<LabelCount> ConnectionReader::labelCounts(LabelMode mode)
{
    std::lock_guard lock(m_db.mutex());
    // Group by the stored SNI so the paper normalisation is applied once per name.
    // Interrupted (incomplete) captures are left out until ingested again.
    Statement s(m_db.handle(), "SELECT k.sni, count(*), group_concat(DISTINCT k.capture_id), "
                               "sum(k.transport = 'quic') "
                               "FROM connections k JOIN captures c ON c.id = k.capture_id "
                               "WHERE c.status <> 'incomplete' GROUP BY k.sni");
    struct Entry {
        std::uint64_t connections = 0, quic = 0;
        std::set<std::string> captures;
    };
    std::map<std::string, Entry> byLabel;
    while (s.step()) {
        auto& entry = byLabel[normalizeLabel(s.text(0), mode)];
        entry.connections += static_cast<std::uint64_t>(s.i64(1));
        entry.quic += static_cast<std::uint64_t>(s.i64(3));
        const std::string ids = s.text(2); // outlives the views splitTrimmed() returns
        for (const std::string_view id : splitTrimmed(ids))
            if (!id.empty())
                entry.captures.emplace(id);
    }
    std::vector<LabelCount> out;
    for (auto& [label, entry] : byLabel)
        out.push_back({label, entry.connections, entry.captures.size(), entry.quic});
    return out;
}

void ConnectionReader::forEachConnection(const std::function<void(const ConnectionRow&)>& visit)
{
    std::lock_guard lock(m_db.mutex());
    Statement s(m_db.handle(),
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

void ConnectionReader::forEachSeries(const std::function<void(const SeriesRow&)>& visit,
                                     bool labeledOnly, TransportFilter transport)
{
    std::lock_guard lock(m_db.mutex());
    const bool oneTransport = transport != TransportFilter::All;
    Statement s(m_db.handle(),
                (std::string("SELECT k.id, k.capture_id, c.path, c.first_ns, "
                             "k.sni, s.data, s.packets, s.checksum, k.transport, s.format, "
                             "k.packets_c2s + k.packets_s2c "
                             "FROM connections k JOIN captures c ON "
                             "c.id = k.capture_id JOIN connection_series s ON "
                             "s.connection_id = k.id WHERE c.status <> "
                             "'incomplete'") +
                 (oneTransport ? " AND k.transport = ?1" : "") +
                 (labeledOnly ? " AND k.sni <> ''" : "") +
                 " ORDER BY c.path, k.capture_id, k.start_ns, k.id")
                    .c_str());
    if (oneTransport)
        s.bind(1, std::string(transportFilterName(transport)));
    SeriesRow r;
    while (s.step()) {
        r.connectionId = s.i64(0);
        r.captureId = s.i64(1);
        r.capturePath = s.text(2);
        r.captureFirstNs = s.i64(3);
        r.sni = s.text(4);
        r.transport = parseTransport(s.text(8)).value_or(Transport::Tcp);
        StoredSeries stored =
            decodeStoredSeries(r.connectionId, s.i64(6), s.i64(9), s.blob(5), s.text(7));
        r.series = std::move(stored.packets);
        r.whole = std::move(stored.whole);
        r.totalPackets = static_cast<std::uint64_t>(std::max<std::int64_t>(0, s.i64(10)));
        visit(r);
    }
}

std::vector<PacketRecord> ConnectionReader::series(std::int64_t connectionId)
{
    std::lock_guard lock(m_db.mutex());
    Statement s(m_db.handle(),
                "SELECT data, packets, checksum, format FROM connection_series WHERE "
                "connection_id = ?1");
    s.bind(1, connectionId);
    if (!s.step())
        return {};
    return decodeStoredSeries(connectionId, s.i64(1), s.i64(3), s.blob(0), s.text(2)).packets;
}

std::uint64_t ConnectionReader::connectionCount()
{
    std::lock_guard lock(m_db.mutex());
    Statement s(m_db.handle(), "SELECT count(*) FROM connections");
    s.step();
    return static_cast<std::uint64_t>(s.i64(0));
}

} // namespace snilab
