// The catalog's SQLite database: one file, opened (WAL mode), recognised as a
// snilab catalog or created, its schema upgraded in place (docs/catalog.md).
// CaptureStore, ConnectionReader and RunRegistry all work through one
// Database; Catalog owns the four together.
//
// Thread: the SQLite handle is opened without its own mutex; every user of
// handle() holds mutex() for the whole of its statement work (the parts do).
// Writes go through catalog/sqlite_statement.h's RAII Transaction.
// Failure: SQLite errors, a file that is not a catalog and a catalog of a
// newer schema throw CatalogError.
#pragma once

#include "catalog/catalog_rows.h"

#include <filesystem>
#include <mutex>

struct sqlite3;

namespace snilab {

class Database {
public:
    // 2: run registry, 3: run_epochs, 4: runs.owner (interrupted runs),
    // 5: identity of traffic (captures.record_digest, one row per connection
    // across captures) and series checksums, 6: QUIC (connections.transport,
    // connections.quic_version, captures.udp_packets)
    static constexpr int kSchemaVersion = 7;

    enum class Open {
        CreateIfMissing, // a missing (or empty) file becomes a new catalog
        ExistingOnly,    // the file must already be a snilab catalog; nothing is created
    };
    explicit Database(const std::filesystem::path& path, Open mode = Open::CreateIfMissing);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    const std::filesystem::path& path() const noexcept { return m_path; }
    // The open handle, for the parts' statements; hold mutex() while using it.
    sqlite3* handle() const noexcept { return m_db; }
    std::mutex& mutex() noexcept { return m_mutex; }
    // Runs SQL without results; throws CatalogError naming the catalog.
    void exec(const char* sql);

private:
    void migrate(Open mode);
    void upgradeSchema();
    void createSchema();
    bool hasColumn(const char* table, const char* column);

    std::filesystem::path m_path;
    sqlite3* m_db = nullptr;
    std::mutex m_mutex;
};

} // namespace snilab
