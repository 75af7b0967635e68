// The connection reader of a catalog: label counts, connections and their
// stored packet series, for datasets, listings and exports. Connections of
// captures left `incomplete` by an interrupted ingest are never returned.
//
// Thread: may be shared by threads; every call holds the Database's mutex
// (a visit callback runs under it: it must not call back into the catalog).
// Failure: SQLite errors and a series whose checksum does not match throw
// CatalogError.
#pragma once

#include "catalog/catalog_rows.h"
#include "flow/label.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace snilab {

class Database;

class ConnectionReader {
public:
    explicit ConnectionReader(Database& db) : m_db(db) {}

    // Connections per label; captures left incomplete by an interrupted ingest
    // are not counted (their batches are partial) until ingested again.
    std::vector<LabelCount> labelCounts(LabelMode mode = LabelMode::Default);
    // Calls `visit` for every connection of complete and partial captures,
    // ordered by capture path, start time.
    void forEachConnection(const std::function<void(const ConnectionRow&)>& visit);
    // Calls `visit` for every connection of complete and partial captures
    // (with an SNI only when `labeledOnly`; of one transport unless All),
    // with its decoded and checked series, ordered by capture path and start
    // time.
    void forEachSeries(const std::function<void(const SeriesRow&)>& visit, bool labeledOnly,
                       TransportFilter transport = TransportFilter::All);
    // The stored series of one connection (empty if none).
    std::vector<PacketRecord> series(std::int64_t connectionId);
    std::uint64_t connectionCount();

private:
    Database& m_db;
};

} // namespace snilab
