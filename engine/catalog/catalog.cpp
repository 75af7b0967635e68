#include "catalog/catalog.h"

#include "catalog/row_sql.h"
#include "catalog/sqlite_statement.h"
#include "common/content_hash.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <set>

namespace snilab {

std::string_view captureStatusName(CaptureStatus status)
{
    switch (status) {
    case CaptureStatus::Incomplete: return "incomplete";
    case CaptureStatus::Complete: return "complete";
    case CaptureStatus::Partial: return "partial";
    case CaptureStatus::Failed: return "failed";
    }
    return "incomplete";
}

std::optional<CaptureStatus> parseCaptureStatus(std::string_view text)
{
    for (auto s : {CaptureStatus::Incomplete, CaptureStatus::Complete, CaptureStatus::Partial,
                   CaptureStatus::Failed})
        if (captureStatusName(s) == text)
            return s;
    return std::nullopt;
}

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS captures (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  path TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  container TEXT NOT NULL,
  compression TEXT NOT NULL,
  link_type INTEGER NOT NULL,
  link_type_name TEXT NOT NULL,
  packets INTEGER NOT NULL DEFAULT 0,
  tcp_packets INTEGER NOT NULL DEFAULT 0,
  first_ns INTEGER NOT NULL DEFAULT 0,
  last_ns INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL CHECK (status IN ('incomplete','complete','partial','failed')),
  error TEXT NOT NULL DEFAULT '',
  ingested_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  record_digest TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS captures_hash ON captures(content_hash);
CREATE TABLE IF NOT EXISTS connections (
  id INTEGER PRIMARY KEY,
  capture_id INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
  ip_version INTEGER NOT NULL,
  client_ip TEXT NOT NULL,
  client_port INTEGER NOT NULL,
  server_ip TEXT NOT NULL,
  server_port INTEGER NOT NULL,
  start_ns INTEGER NOT NULL,
  end_ns INTEGER NOT NULL,
  packets_c2s INTEGER NOT NULL,
  packets_s2c INTEGER NOT NULL,
  ip_bytes_c2s INTEGER NOT NULL,
  ip_bytes_s2c INTEGER NOT NULL,
  payload_bytes_c2s INTEGER NOT NULL,
  payload_bytes_s2c INTEGER NOT NULL,
  saw_syn INTEGER NOT NULL,
  client_known INTEGER NOT NULL,
  close_reason TEXT NOT NULL,
  has_client_hello INTEGER NOT NULL,
  sni TEXT NOT NULL,
  label TEXT NOT NULL,
  tls_versions TEXT NOT NULL,
  alpn TEXT NOT NULL,
  ech INTEGER NOT NULL,
  ja4 TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS connections_capture ON connections(capture_id, start_ns);
CREATE TABLE IF NOT EXISTS connection_series (
  connection_id INTEGER PRIMARY KEY REFERENCES connections(id) ON DELETE CASCADE,
  packets INTEGER NOT NULL,
  format INTEGER NOT NULL,
  data BLOB NOT NULL,
  checksum TEXT NOT NULL DEFAULT ''
);
)sql";

// Schema 5 additions that an older catalog receives in place (the columns are
// in kSchema for new catalogs): the identity of traffic and series checksums.
constexpr const char* kIdentityIndexes = R"sql(
CREATE INDEX IF NOT EXISTS captures_records ON captures(record_digest);
CREATE INDEX IF NOT EXISTS connections_start ON connections(start_ns, client_port);
)sql";

// Schema 2: the run registry. A finished run is immutable: triggers refuse
// changes to it and to its results; deleting the whole run stays possible
// (its results then go by cascade: the run row is gone when their triggers fire).
constexpr const char* kRunSchema = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  finished_at TEXT,
  status TEXT NOT NULL CHECK (status IN ('running','finished','failed','cancelled')),
  config TEXT NOT NULL,
  seed INTEGER NOT NULL,
  data_fingerprint TEXT NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  owner TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS run_grid (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  model TEXT NOT NULL, threshold INTEGER NOT NULL,
  classes INTEGER NOT NULL, samples INTEGER NOT NULL, folds INTEGER NOT NULL,
  PRIMARY KEY (run_id, model, threshold)
);
CREATE TABLE IF NOT EXISTS run_metrics (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  model TEXT NOT NULL, threshold INTEGER NOT NULL,
  fold INTEGER NOT NULL, -- -1: mean over folds (std in the std column)
  name TEXT NOT NULL, value REAL NOT NULL, std REAL,
  PRIMARY KEY (run_id, model, threshold, fold, name)
);
CREATE TABLE IF NOT EXISTS run_classes (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  model TEXT NOT NULL, threshold INTEGER NOT NULL, class_index INTEGER NOT NULL,
  label TEXT NOT NULL, support INTEGER NOT NULL,
  accuracy REAL NOT NULL, precision REAL NOT NULL, f1 REAL NOT NULL,
  PRIMARY KEY (run_id, model, threshold, class_index)
);
CREATE TABLE IF NOT EXISTS run_confusion (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  model TEXT NOT NULL, threshold INTEGER NOT NULL,
  true_index INTEGER NOT NULL, predicted_index INTEGER NOT NULL, count INTEGER NOT NULL,
  PRIMARY KEY (run_id, model, threshold, true_index, predicted_index)
);
CREATE TABLE IF NOT EXISTS run_predictions (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  model TEXT NOT NULL, threshold INTEGER NOT NULL, fold INTEGER NOT NULL,
  connection_id INTEGER NOT NULL, true_index INTEGER NOT NULL,
  predicted_index INTEGER NOT NULL, confidence REAL NOT NULL,
  top TEXT NOT NULL -- "class:probability;..." best first
);
CREATE INDEX IF NOT EXISTS run_predictions_run ON run_predictions(run_id, model, threshold);
CREATE TABLE IF NOT EXISTS run_epochs (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  model TEXT NOT NULL, threshold INTEGER NOT NULL, fold INTEGER NOT NULL, epoch INTEGER NOT NULL,
  max_epochs INTEGER NOT NULL, train_loss REAL, train_accuracy REAL,
  validation_loss REAL, validation_accuracy REAL, seconds REAL, improved INTEGER NOT NULL,
  PRIMARY KEY (run_id, model, threshold, fold, epoch)
);
CREATE TRIGGER IF NOT EXISTS runs_immutable BEFORE UPDATE ON runs
  WHEN OLD.status <> 'running'
  BEGIN SELECT RAISE(ABORT, 'run is finished and immutable'); END;
)sql";

// Every table of a run's results gets the same three triggers: no insert once
// the run is finished, never an update, no piecemeal delete once finished.
std::string runSchemaSql()
{
    std::string sql = kRunSchema;
    for (const char* table : {"run_grid", "run_metrics", "run_classes", "run_confusion",
                              "run_predictions", "run_epochs"}) {
        const std::string t = table;
        sql += "CREATE TRIGGER IF NOT EXISTS " + t + "_insert_immutable BEFORE INSERT ON " + t +
               "\n  WHEN (SELECT status FROM runs WHERE id = NEW.run_id) <> 'running'"
               "\n  BEGIN SELECT RAISE(ABORT, 'run is finished and immutable'); END;\n"
               "CREATE TRIGGER IF NOT EXISTS " +
               t + "_update_immutable BEFORE UPDATE ON " + t +
               "\n  BEGIN SELECT RAISE(ABORT, 'run results are immutable'); END;\n"
               "CREATE TRIGGER IF NOT EXISTS " +
               t + "_delete_immutable BEFORE DELETE ON " + t +
               "\n  WHEN (SELECT status FROM runs WHERE id = OLD.run_id) <> 'running'"
               "\n  BEGIN SELECT RAISE(ABORT, 'run results are immutable (delete the whole "
               "run)'); END;\n";
    }
    return sql;
}

constexpr const char* kCaptureColumns =
    "id, path, content_hash, size_bytes, container, compression, link_type, link_type_name, "
    "packets, tcp_packets, first_ns, last_ns, status, error, record_digest";

CaptureRow readCapture(const Statement& s)
{
    CaptureRow c;
    c.id = s.i64(0);
    c.path = s.text(1);
    c.contentHash = s.text(2);
    c.sizeBytes = static_cast<std::uint64_t>(s.i64(3));
    c.container = s.text(4);
    c.compression = s.text(5);
    c.linkType = static_cast<int>(s.i64(6));
    c.linkTypeName = s.text(7);
    c.packets = static_cast<std::uint64_t>(s.i64(8));
    c.tcpPackets = static_cast<std::uint64_t>(s.i64(9));
    c.firstNs = s.i64(10);
    c.lastNs = s.i64(11);
    c.status = parseCaptureStatus(s.text(12)).value_or(CaptureStatus::Incomplete);
    c.error = s.text(13);
    c.recordDigest = s.text(14);
    return c;
}

std::string joinVersions(const std::vector<std::uint16_t>& versions)
{
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (std::uint16_t v : versions) {
        if (!out.empty())
            out += ',';
        out += "0x";
        for (int shift = 12; shift >= 0; shift -= 4)
            out += kHex[(v >> shift) & 0xf];
    }
    return out;
}

std::string joinStrings(const std::vector<std::string>& items)
{
    std::string out;
    for (const auto& s : items) {
        if (!out.empty())
            out += ',';
        out += s;
    }
    return out;
}

} // namespace

struct Catalog::Statements {
    Statement findByHash;
    Statement deleteCapture;
    Statement insertCapture;
    Statement updateCapture;
    Statement insertConnection;
    Statement insertSeries;
    Statement findSameConnection;
    Statement deleteConnection;
    explicit Statements(sqlite3* db)
        : findByHash(db, (std::string("SELECT ") + kCaptureColumns +
                          " FROM captures WHERE content_hash = ?1 ORDER BY id DESC LIMIT 1")
                             .c_str()),
          deleteCapture(db, "DELETE FROM captures WHERE id = ?1"),
          insertCapture(db, "INSERT INTO captures (path, content_hash, size_bytes, container, "
                            "compression, link_type, link_type_name, status) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'incomplete')"),
          updateCapture(db, "UPDATE captures SET packets = ?2, tcp_packets = ?3, first_ns = ?4, "
                            "last_ns = ?5, status = ?6, error = ?7, container = ?8, "
                            "compression = ?9, link_type = ?10, link_type_name = ?11, "
                            "record_digest = ?12 WHERE id = ?1"),
          insertConnection(
              db, "INSERT INTO connections (capture_id, ip_version, client_ip, client_port, "
                  "server_ip, server_port, start_ns, end_ns, packets_c2s, packets_s2c, "
                  "ip_bytes_c2s, ip_bytes_s2c, payload_bytes_c2s, payload_bytes_s2c, saw_syn, "
                  "client_known, close_reason, has_client_hello, sni, label, tls_versions, alpn, "
                  "ech, ja4) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                  "?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)"),
          insertSeries(db, "INSERT INTO connection_series (connection_id, packets, format, data, "
                           "checksum) VALUES (?1, ?2, 1, ?3, ?4)"),
          findSameConnection(
              db, "SELECT k.id, k.capture_id, c.status, k.packets_c2s + k.packets_s2c, "
                  "k.close_reason FROM connections k JOIN captures c ON c.id = k.capture_id "
                  "WHERE k.start_ns = ?5 AND k.client_port = ?2 AND k.client_ip = ?1 AND "
                  "k.server_ip = ?3 AND k.server_port = ?4 AND k.capture_id <> ?6"),
          deleteConnection(db, "DELETE FROM connections WHERE id = ?1")
    {
    }
};

Catalog::Catalog(const std::filesystem::path& path, Open mode) : m_path(path)
{
    // SQLite's allocation statistics take a global mutex on every malloc;
    // nothing here reads them. Only possible before SQLite initialises, so
    // once per process (a failure just leaves the default).
    static const int memstatus = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    (void)memstatus;
    std::error_code ec;
    if (mode == Open::ExistingOnly) {
        if (!std::filesystem::is_regular_file(path, ec))
            throw CatalogError("no catalog at " + path.string() +
                               " (run `snilab-cli ingest` first)");
        if (std::filesystem::file_size(path, ec) == 0)
            throw CatalogError(path.string() + " is an empty file, not a snilab catalog");
    }
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
                      (mode == Open::CreateIfMissing ? SQLITE_OPEN_CREATE : 0);
    const int rc = sqlite3_open_v2(path.c_str(), &m_db, flags, nullptr);
    if (rc != SQLITE_OK) {
        const std::string msg = m_db ? sqlite3_errmsg(m_db) : "out of memory";
        sqlite3_close(m_db);
        m_db = nullptr;
        throw CatalogError("cannot open catalog " + path.string() + ": " + msg);
    }
    sqlite3_busy_timeout(m_db, 10000);
    try {
        migrate(mode);
        m_stmts = std::make_unique<Statements>(m_db);
    } catch (...) {
        m_stmts.reset();
        sqlite3_close(m_db);
        m_db = nullptr;
        throw;
    }
}

std::unique_ptr<Catalog> Catalog::openExisting(const std::filesystem::path& path)
{
    return std::make_unique<Catalog>(path, Open::ExistingOnly);
}

Catalog::~Catalog()
{
    if (m_lockFd >= 0)
        ::close(m_lockFd);
    m_stmts.reset();
    if (m_db)
        sqlite3_close(m_db);
}

void Catalog::exec(const char* sql)
{
    char* err = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        throw CatalogError("SQLite: " + msg + " in catalog " + m_path.string());
    }
}

bool Catalog::hasColumn(const char* table, const char* column)
{
    Statement s(m_db, "SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2");
    s.bind(1, std::string(table)).bind(2, std::string(column));
    s.step();
    const bool found = s.i64(0) > 0;
    s.reset();
    return found;
}

void Catalog::migrate(Open mode)
{
    // Whether this is a catalog is decided before anything is written, so a
    // foreign file opened by mistake stays untouched.
    std::int64_t objects = 0;
    try {
        Statement probe(m_db, "SELECT count(*) FROM sqlite_master"); // fails on non-SQLite files
        probe.step();
        objects = probe.i64(0);
    } catch (const CatalogError& e) {
        throw CatalogError(m_path.string() + " is not a snilab catalog (" + e.what() + ")");
    }
    if (mode == Open::ExistingOnly && objects == 0)
        throw CatalogError(m_path.string() + " is an empty SQLite file, not a snilab catalog");
    exec("PRAGMA synchronous=NORMAL");
    exec("PRAGMA foreign_keys=ON");

    Statement hasMeta(m_db,
                      "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'");
    hasMeta.step();
    const bool fresh = hasMeta.i64(0) == 0;
    hasMeta.reset(); // ends its read transaction: the journal mode cannot change inside one
    if (!fresh) {
        Statement read(m_db, "SELECT value FROM meta WHERE key='schema_version'");
        if (!read.step())
            throw CatalogError(m_path.string() + " is an SQLite file but not a snilab catalog");
        const std::string v = read.text(0);
        read.reset();
        const int version = std::atoi(v.c_str());
        if (version > kSchemaVersion)
            throw CatalogError(m_path.string() + " has catalog schema " + v +
                               ", newer than this snilab (" + std::to_string(kSchemaVersion) +
                               "): upgrade snilab");
        if (version < 1)
            throw CatalogError(m_path.string() + " has an unknown catalog schema '" + v + "'");
        exec("PRAGMA journal_mode=WAL");
        if (version < kSchemaVersion) {
            // 1 -> 2 adds the run registry, 2 -> 3 its per-epoch training
            // history (every statement is IF NOT EXISTS), 3 -> 4 the runs'
            // owner column, 4 -> 5 record digests, series checksums and the
            // connection identity index; nothing existing changes.
            exec("BEGIN IMMEDIATE");
            try {
                exec(runSchemaSql().c_str());
                // 3 -> 4: the owner of a run (interrupted runs are found by it).
                if (!hasColumn("runs", "owner"))
                    exec("ALTER TABLE runs ADD COLUMN owner TEXT NOT NULL DEFAULT ''");
                // 4 -> 5: record digests, series checksums, the connection identity index.
                if (!hasColumn("captures", "record_digest"))
                    exec("ALTER TABLE captures ADD COLUMN record_digest TEXT NOT NULL DEFAULT ''");
                if (!hasColumn("connection_series", "checksum"))
                    exec("ALTER TABLE connection_series ADD COLUMN checksum TEXT NOT NULL "
                         "DEFAULT ''");
                exec(kIdentityIndexes);
                Statement put(m_db, "UPDATE meta SET value = ?1 WHERE key = 'schema_version'");
                put.bind(1, std::to_string(kSchemaVersion)).run();
                exec("COMMIT");
            } catch (...) {
                sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
                throw;
            }
        }
        return;
    }
    Statement tables(m_db, "SELECT count(*) FROM sqlite_master WHERE type='table'");
    tables.step();
    const bool empty = tables.i64(0) == 0;
    tables.reset();
    if (!empty)
        throw CatalogError(m_path.string() + " is an SQLite file but not a snilab catalog");
    // WAL only once the file is known to be ours: a failed open leaves a
    // foreign database's journal mode alone.
    exec("PRAGMA journal_mode=WAL");
    exec("BEGIN IMMEDIATE");
    try {
        exec(kSchema);
        exec(kIdentityIndexes);
        exec(runSchemaSql().c_str());
        Statement put(m_db, "INSERT INTO meta (key, value) VALUES (?1, ?2)");
        put.bind(1, std::string("schema_version")).bind(2, std::to_string(kSchemaVersion)).run();
        put.bind(1, std::string("created_by")).bind(2, std::string("snilab " SNILAB_VERSION)).run();
        exec("COMMIT");
    } catch (...) {
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

std::optional<CaptureRow> Catalog::findCaptureByHash(const std::string& contentHash)
{
    std::lock_guard lock(m_mutex);
    return findCaptureByHashLocked(contentHash);
}

std::optional<CaptureRow> Catalog::findCaptureByHashLocked(const std::string& contentHash)
{
    Statement& s = m_stmts->findByHash;
    ResetGuard guard{s};
    s.bind(1, contentHash);
    if (!s.step())
        return std::nullopt;
    return readCapture(s);
}

Catalog::Claim Catalog::claimCapture(const CaptureRow& capture, bool evenIfPresent)
{
    std::lock_guard lock(m_mutex);
    if (!evenIfPresent) {
        Statement present(m_db, "SELECT id FROM captures WHERE content_hash = ?1 AND status IN "
                                "('complete', 'partial') ORDER BY id LIMIT 1");
        present.bind(1, capture.contentHash);
        if (present.step()) {
            const std::int64_t id = present.i64(0);
            present.reset();
            // Interrupted reads of the same bytes are redundant beside a whole one.
            Statement stale(m_db, "SELECT id FROM captures WHERE content_hash = ?1 AND "
                                  "status = 'incomplete'");
            stale.bind(1, capture.contentHash);
            std::vector<std::int64_t> ids;
            while (stale.step())
                if (!m_inFlight.count(stale.i64(0)))
                    ids.push_back(stale.i64(0));
            stale.reset();
            for (std::int64_t staleId : ids)
                m_stmts->deleteCapture.bind(1, staleId).run();
            return {Claim::Kind::Present, id};
        }
        for (const auto& [id, flight] : m_inFlight)
            if (flight.hash == capture.contentHash)
                return {Claim::Kind::InFlight, 0};
    }
    const std::int64_t id = beginCaptureLocked(capture);
    const bool overlapped = !m_inFlight.empty();
    for (auto& [other, flight] : m_inFlight)
        flight.overlapped = true;
    m_inFlight.emplace(id, InFlight{capture.contentHash, overlapped});
    return {Claim::Kind::Claimed, id};
}

void Catalog::releaseClaim(std::int64_t captureId)
{
    std::lock_guard lock(m_mutex);
    m_inFlight.erase(captureId);
}

std::optional<CaptureRow> Catalog::capture(std::int64_t captureId)
{
    std::lock_guard lock(m_mutex);
    Statement s(
        m_db, (std::string("SELECT ") + kCaptureColumns + " FROM captures WHERE id = ?1").c_str());
    s.bind(1, captureId);
    if (!s.step())
        return std::nullopt;
    return readCapture(s);
}

void Catalog::lockForIngest()
{
    std::lock_guard lock(m_mutex);
    if (m_lockFd >= 0)
        return;
    // A lock file of its own: closing any descriptor of the database file
    // itself would drop SQLite's POSIX locks on it. Named after the catalog's
    // real path, so that a symlink to the catalog takes the same lock.
    std::error_code ec;
    const auto real = std::filesystem::weakly_canonical(m_path, ec);
    const std::string lockPath = (ec ? m_path : real).string() + ".lock";
    const int fd = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        throw CatalogError("cannot open the ingest lock " + lockPath + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        throw CatalogError("another process is ingesting into " + m_path.string() +
                           "; wait for it to finish");
    }
    m_lockFd = fd;
}

std::int64_t Catalog::beginCapture(const CaptureRow& c)
{
    std::lock_guard lock(m_mutex);
    return beginCaptureLocked(c);
}

std::int64_t Catalog::beginCaptureLocked(const CaptureRow& c)
{
    exec("BEGIN IMMEDIATE");
    try {
        // Interrupted ingests of the same content are replaced, never
        // duplicated; a capture of this process still being read is not one.
        Statement stale(
            m_db, "SELECT id FROM captures WHERE content_hash = ?1 AND status = 'incomplete'");
        stale.bind(1, c.contentHash);
        std::vector<std::int64_t> ids;
        while (stale.step())
            if (!m_inFlight.count(stale.i64(0)))
                ids.push_back(stale.i64(0));
        for (std::int64_t id : ids)
            m_stmts->deleteCapture.bind(1, id).run();
        m_stmts->insertCapture.bind(1, c.path)
            .bind(2, c.contentHash)
            .bind(3, static_cast<std::int64_t>(c.sizeBytes))
            .bind(4, c.container)
            .bind(5, c.compression)
            .bind(6, std::int64_t{c.linkType})
            .bind(7, c.linkTypeName)
            .run();
        const std::int64_t id = sqlite3_last_insert_rowid(m_db);
        exec("COMMIT");
        return id;
    } catch (...) {
        m_stmts->deleteCapture.reset();
        m_stmts->insertCapture.reset();
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

Catalog::AddResult Catalog::addConnections(std::int64_t captureId,
                                           std::span<const Connection> connections)
{
    AddResult result;
    if (connections.empty())
        return result;
    std::lock_guard lock(m_mutex);
    exec("BEGIN IMMEDIATE");
    try {
        Statement& ins = m_stmts->insertConnection;
        Statement& ser = m_stmts->insertSeries;
        Statement& same = m_stmts->findSameConnection;
        for (const Connection& c : connections) {
            const std::string clientIp = formatIp(c.clientIp), serverIp = formatIp(c.serverIp);
            const std::uint64_t packets = c.packets[0] + c.packets[1];
            // The same connection from another capture (docs/catalog.md,
            // "Identity of traffic"). Incomplete captures of earlier processes
            // do not count: their rows go when they are redone.
            bool duplicate = false;
            std::vector<std::int64_t> shorter;
            same.bind(1, clientIp)
                .bind(2, std::int64_t{c.clientPort})
                .bind(3, serverIp)
                .bind(4, std::int64_t{c.serverPort})
                .bind(5, c.startNs)
                .bind(6, captureId);
            while (same.step()) {
                if (same.text(2) != "complete" && same.text(2) != "partial")
                    continue; // being read, or left incomplete: finishCapture() decides
                if (same.text(4) == closeReasonName(CloseReason::EndOfCapture) &&
                    static_cast<std::uint64_t>(same.i64(3)) < packets)
                    shorter.push_back(same.i64(0));
                else
                    duplicate = true;
            }
            same.reset();
            if (duplicate) {
                ++result.duplicates;
                continue;
            }
            for (std::int64_t id : shorter)
                m_stmts->deleteConnection.bind(1, id).run();
            result.replaced += shorter.empty() ? 0 : 1;
            const ClientHelloInfo& h = c.hello;
            const std::string sni = c.hasClientHello ? h.sni : std::string();
            ins.bind(1, captureId)
                .bind(2, std::int64_t{c.ipVersion})
                .bind(3, clientIp)
                .bind(4, std::int64_t{c.clientPort})
                .bind(5, serverIp)
                .bind(6, std::int64_t{c.serverPort})
                .bind(7, c.startNs)
                .bind(8, c.endNs)
                .bind(9, static_cast<std::int64_t>(c.packets[0]))
                .bind(10, static_cast<std::int64_t>(c.packets[1]))
                .bind(11, static_cast<std::int64_t>(c.ipBytes[0]))
                .bind(12, static_cast<std::int64_t>(c.ipBytes[1]))
                .bind(13, static_cast<std::int64_t>(c.payloadBytes[0]))
                .bind(14, static_cast<std::int64_t>(c.payloadBytes[1]))
                .bind(15, std::int64_t{c.sawSyn})
                .bind(16, std::int64_t{c.clientKnown})
                .bind(17, std::string(closeReasonName(c.closeReason)))
                .bind(18, std::int64_t{c.hasClientHello})
                .bind(19, sni)
                .bind(20, normalizeLabel(sni))
                .bind(21, c.hasClientHello
                              ? joinVersions(h.supportedVersions.empty()
                                                 ? std::vector<std::uint16_t>{h.legacyVersion}
                                                 : h.supportedVersions)
                              : std::string())
                .bind(22, c.hasClientHello ? joinStrings(h.alpn) : std::string())
                .bind(23, std::int64_t{c.hasClientHello && h.ech})
                .bind(24, c.hasClientHello ? h.ja4 : std::string())
                .run();
            const std::int64_t id = sqlite3_last_insert_rowid(m_db);
            const auto blob = encodeSeries(c.series);
            ser.bind(1, id)
                .bind(2, static_cast<std::int64_t>(c.series.size()))
                .bindBlob(3, blob)
                .bind(4, seriesChecksum(id, blob))
                .run();
            ++result.stored;
            result.storedWithHello += c.hasClientHello ? 1 : 0;
        }
        exec("COMMIT");
    } catch (...) {
        m_stmts->insertConnection.reset();
        m_stmts->insertSeries.reset();
        m_stmts->findSameConnection.reset();
        m_stmts->deleteConnection.reset();
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
    return result;
}

Catalog::FinishResult Catalog::finishCapture(const CaptureRow& c)
{
    std::lock_guard lock(m_mutex);
    const auto flight = m_inFlight.find(c.id);
    const bool overlapped = flight != m_inFlight.end() && flight->second.overlapped;
    if (flight != m_inFlight.end())
        m_inFlight.erase(flight);
    FinishResult result;
    exec("BEGIN IMMEDIATE");
    try {
        m_stmts->updateCapture.bind(1, c.id)
            .bind(2, static_cast<std::int64_t>(c.packets))
            .bind(3, static_cast<std::int64_t>(c.tcpPackets))
            .bind(4, c.firstNs)
            .bind(5, c.lastNs)
            .bind(6, std::string(captureStatusName(c.status)))
            .bind(7, c.error)
            .bind(8, c.container)
            .bind(9, c.compression)
            .bind(10, std::int64_t{c.linkType})
            .bind(11, c.linkTypeName)
            .bind(12, c.recordDigest)
            .run();
        const bool stored =
            c.status == CaptureStatus::Complete || c.status == CaptureStatus::Partial;
        if (stored && overlapped) {
            // Copies of the same connection stored while both captures were
            // being read: addConnections()'s rule, applied now that this one is whole.
            const std::string same =
                " FROM connections kb JOIN connections ka ON ka.start_ns = kb.start_ns AND "
                "ka.client_port = kb.client_port AND ka.client_ip = kb.client_ip AND "
                "ka.server_ip = kb.server_ip AND ka.server_port = kb.server_port AND "
                "ka.capture_id <> kb.capture_id JOIN captures ca ON ca.id = ka.capture_id AND "
                "ca.status IN ('complete', 'partial') WHERE kb.capture_id = ?1";
            const std::string shorter = " AND ka.close_reason = 'end-of-capture' AND "
                                        "ka.packets_c2s + ka.packets_s2c < kb.packets_c2s + "
                                        "kb.packets_s2c";
            Statement replace(
                m_db, ("DELETE FROM connections WHERE id IN (SELECT ka.id" + same + shorter + ")")
                          .c_str());
            replace.bind(1, c.id).run();
            result.replaced = static_cast<std::uint64_t>(sqlite3_changes(m_db));
            Statement count(m_db, ("SELECT count(DISTINCT kb.id), count(DISTINCT CASE WHEN "
                                   "kb.has_client_hello THEN kb.id END)" +
                                   same)
                                      .c_str());
            count.bind(1, c.id);
            count.step();
            result.duplicates = static_cast<std::uint64_t>(count.i64(0));
            result.duplicatesWithHello = static_cast<std::uint64_t>(count.i64(1));
            count.reset();
            Statement drop(
                m_db, ("DELETE FROM connections WHERE id IN (SELECT kb.id" + same + ")").c_str());
            drop.bind(1, c.id).run();
        }
        if (stored && !c.recordDigest.empty()) {
            Statement find(m_db, "SELECT id FROM captures WHERE record_digest = ?1 AND id <> ?2 "
                                 "AND status IN ('complete', 'partial') ORDER BY id LIMIT 1");
            find.bind(1, c.recordDigest).bind(2, c.id);
            if (find.step())
                result.sameTrafficAs = find.i64(0);
        }
        if (result.sameTrafficAs) {
            // The same packet records in another file: one capture of them.
            Statement move(m_db, "UPDATE connections SET capture_id = ?1 WHERE capture_id = ?2");
            move.bind(1, result.sameTrafficAs).bind(2, c.id).run();
            m_stmts->deleteCapture.bind(1, c.id).run();
        }
        exec("COMMIT");
        return result;
    } catch (...) {
        m_stmts->updateCapture.reset();
        m_stmts->deleteCapture.reset();
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

std::uint64_t Catalog::duplicateConnectionGroups()
{
    std::lock_guard lock(m_mutex);
    Statement s(m_db, "SELECT count(*) FROM (SELECT 1 FROM connections k JOIN captures c ON "
                      "c.id = k.capture_id WHERE c.status <> 'incomplete' GROUP BY k.client_ip, "
                      "k.client_port, k.server_ip, k.server_port, k.start_ns HAVING count(*) > 1)");
    s.step();
    return static_cast<std::uint64_t>(s.i64(0));
}

std::vector<CaptureRow> Catalog::captures()
{
    std::lock_guard lock(m_mutex);
    Statement s(m_db,
                (std::string("SELECT ") + kCaptureColumns +
                 ", (SELECT count(*) FROM connections k WHERE k.capture_id = c.id), "
                 "(SELECT count(*) FROM connections k WHERE k.capture_id = c.id AND k.label <> '') "
                 "FROM captures c ORDER BY path, id")
                    .c_str());
    std::vector<CaptureRow> out;
    while (s.step()) {
        CaptureRow c = readCapture(s);
        c.connections = static_cast<std::uint64_t>(s.i64(15));
        c.labeled = static_cast<std::uint64_t>(s.i64(16));
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<LabelCount> Catalog::labelCounts(LabelMode mode)
{
    std::lock_guard lock(m_mutex);
    // Group by the stored SNI so the paper normalisation is applied once per name.
    // Interrupted (incomplete) captures are left out until ingested again.
    Statement s(m_db, "SELECT k.sni, count(*), group_concat(DISTINCT k.capture_id) "
                      "FROM connections k JOIN captures c ON c.id = k.capture_id "
                      "WHERE c.status <> 'incomplete' GROUP BY k.sni");
    std::map<std::string, std::pair<std::uint64_t, std::set<std::string>>> byLabel;
    while (s.step()) {
        auto& entry = byLabel[normalizeLabel(s.text(0), mode)];
        entry.first += static_cast<std::uint64_t>(s.i64(1));
        const std::string ids = s.text(2);
        std::size_t pos = 0;
        while (pos <= ids.size()) {
            const std::size_t comma = ids.find(',', pos);
            const std::size_t end = comma == std::string::npos ? ids.size() : comma;
            if (end > pos)
                entry.second.insert(ids.substr(pos, end - pos));
            pos = end + 1;
        }
    }
    std::vector<LabelCount> out;
    for (auto& [label, entry] : byLabel)
        out.push_back({label, entry.first, entry.second.size()});
    return out;
}

void Catalog::forEachConnection(const std::function<void(const ConnectionRow&)>& visit)
{
    std::lock_guard lock(m_mutex);
    Statement s(m_db,
                (std::string("SELECT ") + kConnectionRowColumns +
                 " FROM connections k JOIN captures c ON c.id = k.capture_id "
                 "WHERE c.status <> 'incomplete' ORDER BY c.path, k.capture_id, k.start_ns, k.id")
                    .c_str());
    ConnectionRow r;
    while (s.step()) {
        readConnectionRow(s, r);
        visit(r);
    }
}

void Catalog::forEachLabeledSeries(const std::function<void(const SeriesRow&)>& visit)
{
    forEachSeries(visit, true);
}

void Catalog::forEachSeries(const std::function<void(const SeriesRow&)>& visit, bool labeledOnly)
{
    std::lock_guard lock(m_mutex);
    Statement s(m_db, labeledOnly ? "SELECT k.id, k.capture_id, c.path, c.first_ns, k.sni, s.data, "
                                    "s.packets, s.checksum "
                                    "FROM connections k JOIN captures c ON c.id = k.capture_id "
                                    "JOIN connection_series s ON s.connection_id = k.id "
                                    "WHERE c.status <> 'incomplete' AND k.sni <> '' "
                                    "ORDER BY c.path, k.capture_id, k.start_ns, k.id"
                                  : "SELECT k.id, k.capture_id, c.path, c.first_ns, k.sni, s.data, "
                                    "s.packets, s.checksum "
                                    "FROM connections k JOIN captures c ON c.id = k.capture_id "
                                    "JOIN connection_series s ON s.connection_id = k.id "
                                    "WHERE c.status <> 'incomplete' "
                                    "ORDER BY c.path, k.capture_id, k.start_ns, k.id");
    SeriesRow r;
    while (s.step()) {
        r.connectionId = s.i64(0);
        r.captureId = s.i64(1);
        r.capturePath = s.text(2);
        r.captureFirstNs = s.i64(3);
        r.sni = s.text(4);
        checkSeries(r.connectionId, s.i64(6), s.blob(5), s.text(7));
        r.series = decodeSeries(s.blob(5));
        visit(r);
    }
}

std::vector<PacketRecord> Catalog::series(std::int64_t connectionId)
{
    std::lock_guard lock(m_mutex);
    Statement s(m_db,
                "SELECT data, packets, checksum FROM connection_series WHERE connection_id = ?1");
    s.bind(1, connectionId);
    if (!s.step())
        return {};
    checkSeries(connectionId, s.i64(1), s.blob(0), s.text(2));
    return decodeSeries(s.blob(0));
}

std::uint64_t Catalog::connectionCount()
{
    std::lock_guard lock(m_mutex);
    Statement s(m_db, "SELECT count(*) FROM connections");
    s.step();
    return static_cast<std::uint64_t>(s.i64(0));
}

std::vector<std::uint8_t> encodeSeries(std::span<const PacketRecord> series)
{
    std::vector<std::uint8_t> out(series.size() * 16, 0);
    std::uint8_t* p = out.data();
    for (const PacketRecord& r : series) {
        const auto t = static_cast<std::uint64_t>(r.tNs);
        for (int i = 0; i < 8; ++i)
            p[i] = static_cast<std::uint8_t>(t >> (8 * i));
        p[8] = static_cast<std::uint8_t>(r.ipLength);
        p[9] = static_cast<std::uint8_t>(r.ipLength >> 8);
        p[10] = static_cast<std::uint8_t>(r.payloadLength);
        p[11] = static_cast<std::uint8_t>(r.payloadLength >> 8);
        p[12] = r.flags;
        p += 16;
    }
    return out;
}

std::vector<PacketRecord> decodeSeries(std::span<const std::uint8_t> blob)
{
    std::vector<PacketRecord> out(blob.size() / 16);
    const std::uint8_t* p = blob.data();
    for (PacketRecord& r : out) {
        std::uint64_t t = 0;
        for (int i = 0; i < 8; ++i)
            t |= std::uint64_t(p[i]) << (8 * i);
        r.tNs = static_cast<std::int64_t>(t);
        r.ipLength = static_cast<std::uint16_t>(p[8] | p[9] << 8);
        r.payloadLength = static_cast<std::uint16_t>(p[10] | p[11] << 8);
        r.flags = p[12];
        p += 16;
    }
    return out;
}

std::string seriesChecksum(std::int64_t connectionId, std::span<const std::uint8_t> blob)
{
    ContentHasher hasher;
    std::uint8_t id[8];
    for (int i = 0; i < 8; ++i)
        id[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(connectionId) >> (8 * i));
    hasher.update(id);
    hasher.update(blob);
    return hasher.finishHex();
}

void checkSeries(std::int64_t connectionId, std::int64_t packets,
                 std::span<const std::uint8_t> blob, const std::string& checksum)
{
    const bool sizeOk = packets >= 0 && blob.size() == static_cast<std::size_t>(packets) * 16;
    if (!sizeOk || (!checksum.empty() && checksum != seriesChecksum(connectionId, blob)))
        throw CatalogError("connection " + std::to_string(connectionId) +
                           ": its stored packet series is damaged (" +
                           (sizeOk ? "checksum mismatch" : "wrong length") +
                           "); ingest its capture again into a new catalog");
}

} // namespace snilab
