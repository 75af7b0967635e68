#include "catalog/run_list.h"

#include "catalog/row_sql.h"
#include "catalog/sqlite_statement.h"

#include <sqlite3.h>

#include <string>

namespace snilab {

namespace {

// Closes the connection however the read ends.
struct ReadOnlyDb {
    sqlite3* db = nullptr;
    ~ReadOnlyDb() { sqlite3_close(db); }
};

} // namespace

std::vector<RunInfo> readRunList(const std::filesystem::path& catalogPath)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(catalogPath, ec))
        throw CatalogError("no catalog at " + catalogPath.string());
    ReadOnlyDb c;
    if (sqlite3_open_v2(catalogPath.c_str(), &c.db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK)
        throw CatalogError("cannot open " + catalogPath.string() + ": " +
                           (c.db ? sqlite3_errmsg(c.db) : "out of memory"));
    // A WAL reader is not blocked by the writer; this only covers a checkpoint
    // or recovery in progress.
    sqlite3_busy_timeout(c.db, 2000);
    {
        Statement s(c.db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                          "('meta', 'runs')");
        if (!s.step() || s.i64(0) != 2)
            throw CatalogError(catalogPath.string() +
                               " is not a snilab catalog with a run registry");
    }
    bool hasOwner = false;
    {
        Statement s(c.db, "SELECT count(*) FROM pragma_table_info('runs') WHERE name = 'owner'");
        hasOwner = s.step() && s.i64(0) == 1;
    }
    Statement s(c.db,
                (std::string("SELECT ") + (hasOwner ? kRunInfoColumns : kRunInfoColumnsNoOwner) +
                 " FROM runs ORDER BY id")
                    .c_str());
    std::vector<RunInfo> out;
    while (s.step())
        out.push_back(readRunInfo(s));
    return out;
}

} // namespace snilab
