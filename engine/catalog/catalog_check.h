// A quick health check of an open catalog, for the moment it is opened: is
// the file intact (SQLite's PRAGMA quick_check), and what can still be read
// from it when it is not - the rows of each table that count without an
// error and the paths of the captures, so that they can be ingested again
// into a new catalog (the recovery docs/catalog.md describes). Opening has
// already checked that the file is a snilab catalog of a schema this build
// reads (Database refuses a newer schema, naming both versions).
//
// Cost: quick_check reads every page once (about a second per GB here); it
// does not check indexes against their tables (integrity_check would).
// Thread: as the Database (holds its mutex). Failure: none; every error met
// is reported in the result.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace snilab {

class Database;

struct CatalogCheck {
    // What quick_check found wrong (empty: the file is intact), at most the limit asked.
    std::vector<std::string> problems;
    struct Table {
        std::string name;
        std::optional<std::uint64_t> rows; // unset: counting failed (error says why)
        std::string error;
    };
    // captures, connections, connection_series and runs, in that order.
    std::vector<Table> tables;
    // The paths of the captures that could be read (what to ingest again).
    std::vector<std::string> capturePaths;
    bool intact() const { return problems.empty(); }
    // The problems and what can still be read (the first 12 capture paths
    // by name), as lines for a message.
    std::string describe() const;
};

CatalogCheck checkCatalog(Database& db, int maxProblems = 10);

} // namespace snilab
