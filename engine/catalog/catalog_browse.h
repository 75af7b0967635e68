// Paged, filtered reading of a catalog's connections for interactive browsing
// (the workbench's lazy connections table: 10^6 rows must not be loaded at once).
//
// A CatalogBrowser holds its own read-only SQLite connection to the catalog
// file, so browsing never waits on (or blocks) a Catalog object that an ingest
// is writing through; SQLite's WAL mode lets the reader see every committed
// batch. As in Catalog's listings, connections of `incomplete` captures are
// left out.
//
// Usage: connectionIds(filter) gives the ids of the matching connections in
// ascending id order (8 bytes per row); connectionsBetween(filter, first,
// last) then returns the full rows of the matching ids in [first, last], so a
// page of the id list is one indexed range query.
//
// Thread: one CatalogBrowser per thread (it has no mutex); several may read
// one file at once. Failure: a missing file or a file that is not a catalog,
// and SQLite errors, throw CatalogError.
#pragma once

#include "catalog/catalog_rows.h"
#include "common/feedback.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

struct sqlite3;

namespace snilab {

struct ConnectionFilter {
    enum class Sni { Any, Present, Absent };
    std::string labelContains;  // substring of the (default) label, case-sensitive; "" = any
    std::int64_t captureId = 0; // 0 = every capture
    Sni sni = Sni::Any;
    TransportFilter transport = TransportFilter::All; // TCP, QUIC or both

    bool operator==(const ConnectionFilter&) const = default;
};

class CatalogBrowser {
public:
    explicit CatalogBrowser(const std::filesystem::path& catalogPath);
    ~CatalogBrowser();
    CatalogBrowser(const CatalogBrowser&) = delete;
    CatalogBrowser& operator=(const CatalogBrowser&) = delete;

    // Ids of the connections matching `filter`, ascending. `feedback` (optional)
    // is polled every 65,536 rows; a cancelled call returns the ids read so far.
    std::vector<std::int64_t> connectionIds(const ConnectionFilter& filter,
                                            Feedback* feedback = nullptr);
    // Rows of the matching connections with firstId <= id <= lastId, by id.
    std::vector<ConnectionRow> connectionsBetween(const ConnectionFilter& filter,
                                                  std::int64_t firstId, std::int64_t lastId);

private:
    sqlite3* m_db = nullptr;
};

} // namespace snilab
