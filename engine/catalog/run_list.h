// The run registry of a catalog read through its own read-only SQLite
// connection, for a list that refreshes while a run is being written (the
// workbench's Runs tab): a Catalog object opens read-write and checks the
// schema (it may wait on a writer), this only reads the `runs` table. In WAL
// mode a reader never waits on the writer and sees every committed change, so
// a run shows as `running` from the moment it is created.
//
// Thread: a free function; each call opens and closes its own connection, so
// any thread may call it at any time. Failure: a missing file, a file that is
// not a catalog and SQLite errors throw CatalogError.
#pragma once

#include "catalog/catalog_rows.h"

#include <filesystem>
#include <vector>

namespace snilab {

// Every run of the catalog, ascending id (as RunRegistry::all()).
std::vector<RunInfo> readRunList(const std::filesystem::path& catalogPath);

} // namespace snilab
