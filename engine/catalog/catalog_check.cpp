#include "catalog/catalog_check.h"

#include "catalog/catalog_rows.h"
#include "catalog/database.h"
#include "catalog/sqlite_statement.h"

#include <mutex>

namespace snilab {

namespace {

std::vector<std::string> quickCheck(sqlite3* db, int maxProblems)
{
    const std::string sql = "PRAGMA quick_check(" + std::to_string(maxProblems) + ")";
    std::vector<std::string> problems;
    try {
        Statement check(db, sql.c_str());
        while (check.step())
            if (const std::string line = check.text(0); line != "ok")
                problems.push_back(line);
    } catch (const CatalogError& e) {
        problems.push_back(e.what()); // so damaged that the check itself stopped
    }
    return problems;
}

CatalogCheck::Table countRows(sqlite3* db, const char* table)
{
    CatalogCheck::Table result{table, std::nullopt, {}};
    try {
        const std::string sql = std::string("SELECT count(*) FROM ") + table;
        Statement count(db, sql.c_str());
        if (count.step())
            result.rows = static_cast<std::uint64_t>(count.i64(0));
    } catch (const CatalogError& e) {
        result.error = e.what();
    }
    return result;
}

std::vector<std::string> readablePaths(sqlite3* db)
{
    std::vector<std::string> paths;
    try {
        Statement read(db, "SELECT DISTINCT path FROM captures ORDER BY path");
        while (read.step())
            paths.push_back(read.text(0));
    } catch (const CatalogError&) {
        // what was read before the damaged page is kept
    }
    return paths;
}

} // namespace

CatalogCheck checkCatalog(Database& db, int maxProblems)
{
    std::lock_guard lock(db.mutex());
    CatalogCheck result;
    result.problems = quickCheck(db.handle(), maxProblems < 1 ? 1 : maxProblems);
    for (const char* table : {"captures", "connections", "connection_series", "runs"})
        result.tables.push_back(countRows(db.handle(), table));
    result.capturePaths = readablePaths(db.handle());
    return result;
}

std::string CatalogCheck::describe() const
{
    if (intact())
        return "The catalog file is intact.";
    std::string text = "SQLite's quick_check found the file damaged:\n";
    for (const std::string& problem : problems)
        text += "  " + problem + "\n";
    text += "What can still be read:\n";
    for (const Table& table : tables)
        text += "  " + table.name + ": " +
                (table.rows ? std::to_string(*table.rows) + " rows"
                            : "unreadable (" + table.error + ")") +
                "\n";
    text += "  " + std::to_string(capturePaths.size()) + " capture paths";
    constexpr std::size_t kShown = 12;
    for (std::size_t i = 0; i < capturePaths.size() && i < kShown; ++i)
        text += "\n    " + capturePaths[i];
    if (capturePaths.size() > kShown)
        text += "\n    ... and " + std::to_string(capturePaths.size() - kShown) + " more";
    text += "\nTo recover, create a new catalog and add the original captures to it again; "
            "results of runs stored only in this file cannot be trusted.";
    return text;
}

} // namespace snilab
