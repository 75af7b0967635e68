#include "catalog/catalog_browse.h"

#include "catalog/row_sql.h"
#include "catalog/sqlite_statement.h"

#include <sqlite3.h>

namespace snilab {

namespace {

// The WHERE clause of a filter; parameters ?1 label pattern, ?2 capture id,
// ?5 transport name (?3 and ?4 are connectionsBetween()'s id range).
std::string whereClause(const ConnectionFilter& filter)
{
    std::string where = "c.status <> 'incomplete'";
    if (!filter.labelContains.empty())
        where += " AND instr(k.label, ?1) > 0";
    if (filter.captureId != 0)
        where += " AND k.capture_id = ?2";
    if (filter.sni == ConnectionFilter::Sni::Present)
        where += " AND k.sni <> ''";
    else if (filter.sni == ConnectionFilter::Sni::Absent)
        where += " AND k.sni = ''";
    if (filter.transport != TransportFilter::All)
        where += " AND k.transport = ?5";
    return where;
}

void bindFilter(Statement& s, const ConnectionFilter& filter)
{
    if (!filter.labelContains.empty())
        s.bind(1, filter.labelContains);
    if (filter.captureId != 0)
        s.bind(2, filter.captureId);
    if (filter.transport != TransportFilter::All)
        s.bind(5, std::string(transportFilterName(filter.transport)));
}

} // namespace

CatalogBrowser::CatalogBrowser(const std::filesystem::path& catalogPath)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(catalogPath, ec))
        throw CatalogError("no catalog at " + catalogPath.string());
    const int rc = sqlite3_open_v2(catalogPath.c_str(), &m_db,
                                   SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        const std::string msg = m_db ? sqlite3_errmsg(m_db) : "out of memory";
        sqlite3_close(m_db);
        m_db = nullptr;
        throw CatalogError("cannot open " + catalogPath.string() + ": " + msg);
    }
    sqlite3_busy_timeout(m_db, 5000);
    try {
        Statement s(m_db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                          "('meta', 'captures', 'connections')");
        if (!s.step() || s.i64(0) != 3)
            throw CatalogError(catalogPath.string() + " is not a snilab catalog");
    } catch (...) {
        sqlite3_close(m_db);
        m_db = nullptr;
        throw;
    }
}

CatalogBrowser::~CatalogBrowser()
{
    sqlite3_close(m_db);
}

std::vector<std::int64_t> CatalogBrowser::connectionIds(const ConnectionFilter& filter,
                                                        Feedback* feedback)
{
    const std::string sql = "SELECT k.id FROM connections k JOIN captures c ON c.id = "
                            "k.capture_id WHERE " +
                            whereClause(filter) + " ORDER BY k.id";
    Statement s(m_db, sql.c_str());
    bindFilter(s, filter);
    std::vector<std::int64_t> ids;
    while (s.step()) {
        ids.push_back(s.i64(0));
        if (feedback && (ids.size() & 0xffff) == 0 && feedback->isCancelled())
            break;
    }
    return ids;
}

std::vector<ConnectionRow> CatalogBrowser::connectionsBetween(const ConnectionFilter& filter,
                                                              std::int64_t firstId,
                                                              std::int64_t lastId)
{
    const std::string sql = std::string("SELECT ") + kConnectionRowColumns +
                            " FROM connections k JOIN captures c ON c.id = k.capture_id "
                            "WHERE k.id BETWEEN ?3 AND ?4 AND " +
                            whereClause(filter) + " ORDER BY k.id";
    Statement s(m_db, sql.c_str());
    bindFilter(s, filter);
    s.bind(3, firstId).bind(4, lastId);
    std::vector<ConnectionRow> rows;
    while (s.step()) {
        ConnectionRow r;
        readConnectionRow(s, r);
        rows.push_back(std::move(r));
    }
    return rows;
}

} // namespace snilab
