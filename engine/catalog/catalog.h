// A snilab catalog: one SQLite file (docs/catalog.md documents the schema)
// seen through four parts that share one Database:
//   captures()    - CaptureStore: claims, captures, connections added once (ingest)
//   connections() - ConnectionReader: label counts, connections, packet series
//   runs()        - RunRegistry: evaluation runs and their results (a RunSink)
//   database()    - the open file itself (path, schema, handle and mutex)
// Code that needs one part takes that part (a dataset loader takes a
// ConnectionReader&, evaluation a RunSink&); Catalog is what opens the file.
//
// Thread: one Catalog may be shared by threads; every call of every part
// holds the Database's mutex. Failure: CatalogError (catalog_rows.h), caught
// at the job edge (CLI command, GUI worker).
#pragma once

#include "catalog/capture_store.h"
#include "catalog/catalog_rows.h"
#include "catalog/connection_reader.h"
#include "catalog/database.h"
#include "catalog/run_registry.h"
#include "catalog/series_blob.h"

#include <filesystem>
#include <memory>

namespace snilab {

class Catalog final {
public:
    static constexpr int kSchemaVersion = Database::kSchemaVersion;
    using Open = Database::Open;

    // Opens the catalog at `path` (WAL mode).
    explicit Catalog(const std::filesystem::path& path, Open mode = Open::CreateIfMissing)
        : m_db(path, mode), m_captures(m_db), m_connections(m_db), m_runs(m_db)
    {
    }
    // Opens an existing catalog; throws CatalogError if it is missing or not a catalog.
    static std::unique_ptr<Catalog> openExisting(const std::filesystem::path& path)
    {
        return std::make_unique<Catalog>(path, Open::ExistingOnly);
    }
    Catalog(const Catalog&) = delete;
    Catalog& operator=(const Catalog&) = delete;

    const std::filesystem::path& path() const noexcept { return m_db.path(); }
    Database& database() noexcept { return m_db; }
    CaptureStore& captures() noexcept { return m_captures; }
    ConnectionReader& connections() noexcept { return m_connections; }
    RunRegistry& runs() noexcept { return m_runs; }

private:
    Database m_db; // first: the parts hold a reference to it
    CaptureStore m_captures;
    ConnectionReader m_connections;
    RunRegistry m_runs;
};

} // namespace snilab
