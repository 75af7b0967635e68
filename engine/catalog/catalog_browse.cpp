#include "catalog/catalog_browse.h"

#include "catalog/sqlite_statement.h"

#include <sqlite3.h>

namespace snilab {

namespace {

// The WHERE clause of a filter; parameters ?1 label pattern, ?2 capture id.
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
    return where;
}

void bindFilter(Statement& s, const ConnectionFilter& filter)
{
    if (!filter.labelContains.empty())
        s.bind(1, filter.labelContains);
    if (filter.captureId != 0)
        s.bind(2, filter.captureId);
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
    const std::string sql =
        "SELECT k.id, k.capture_id, c.path, k.client_ip, k.client_port, k.server_ip, "
        "k.server_port, k.ip_version, k.start_ns, k.end_ns, k.packets_c2s, k.packets_s2c, "
        "k.ip_bytes_c2s, k.ip_bytes_s2c, k.payload_bytes_c2s, k.payload_bytes_s2c, "
        "k.saw_syn, k.close_reason, k.has_client_hello, k.sni, k.label, k.tls_versions, "
        "k.alpn, k.ech, k.ja4 FROM connections k JOIN captures c ON c.id = k.capture_id "
        "WHERE k.id BETWEEN ?3 AND ?4 AND " +
        whereClause(filter) + " ORDER BY k.id";
    Statement s(m_db, sql.c_str());
    bindFilter(s, filter);
    s.bind(3, firstId).bind(4, lastId);
    std::vector<ConnectionRow> rows;
    while (s.step()) {
        ConnectionRow r;
        r.id = s.i64(0);
        r.captureId = s.i64(1);
        r.capturePath = s.text(2);
        r.clientIp = s.text(3);
        r.clientPort = static_cast<std::uint16_t>(s.i64(4));
        r.serverIp = s.text(5);
        r.serverPort = static_cast<std::uint16_t>(s.i64(6));
        r.ipVersion = static_cast<int>(s.i64(7));
        r.startNs = s.i64(8);
        r.endNs = s.i64(9);
        for (int d = 0; d < 2; ++d) {
            r.packets[d] = static_cast<std::uint64_t>(s.i64(10 + d));
            r.ipBytes[d] = static_cast<std::uint64_t>(s.i64(12 + d));
            r.payloadBytes[d] = static_cast<std::uint64_t>(s.i64(14 + d));
        }
        r.sawSyn = s.i64(16) != 0;
        r.closeReason = s.text(17);
        r.hasClientHello = s.i64(18) != 0;
        r.sni = s.text(19);
        r.label = s.text(20);
        r.tlsVersions = s.text(21);
        r.alpn = s.text(22);
        r.ech = s.i64(23) != 0;
        r.ja4 = s.text(24);
        rows.push_back(std::move(r));
    }
    return rows;
}

} // namespace snilab
