// Opening a catalog file: recognise or create it, upgrade its schema in
// place (docs/catalog.md has the tables).
#include "catalog/database.h"

#include "catalog/sqlite_statement.h"

#include <sqlite3.h>

#include <cstdlib>
#include <string>

namespace snilab {

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
  record_digest TEXT NOT NULL DEFAULT '',
  udp_packets INTEGER NOT NULL DEFAULT 0
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
  ja4 TEXT NOT NULL,
  transport TEXT NOT NULL DEFAULT 'tcp',
  quic_version INTEGER NOT NULL DEFAULT 0
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
  top TEXT NOT NULL -- the best classes, best first: since schema 7 a blob of
                    -- (int32 class index, uint16 ten-thousandths) entries;
                    -- before, the text "label:probability;..."
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

} // namespace

Database::Database(const std::filesystem::path& path, Open mode) : m_path(path)
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
    } catch (...) {
        sqlite3_close(m_db);
        m_db = nullptr;
        throw;
    }
}

Database::~Database()
{
    if (m_db)
        sqlite3_close(m_db);
}

void Database::exec(const char* sql)
{
    char* err = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        throw CatalogError("SQLite: " + msg + " in catalog " + m_path.string());
    }
}

bool Database::hasColumn(const char* table, const char* column)
{
    Statement s(m_db, "SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2");
    s.bind(1, std::string(table)).bind(2, std::string(column));
    s.step();
    const bool found = s.i64(0) > 0;
    s.reset();
    return found;
}

void Database::migrate(Open mode)
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
        upgradeSchema();
        return;
    }
    Statement tables(m_db, "SELECT count(*) FROM sqlite_master WHERE type='table'");
    tables.step();
    const bool empty = tables.i64(0) == 0;
    tables.reset();
    if (!empty)
        throw CatalogError(m_path.string() + " is an SQLite file but not a snilab catalog");
    createSchema();
}

void Database::upgradeSchema()
{
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
        // connection identity index, 5 -> 6 the transport (TCP or QUIC),
        // 6 -> 7 series format 2 (the whole-connection statistics of a
        // connection longer than its series; no table changes, but an older
        // snilab must not read such a series as records);
        // nothing existing changes (every connection so far is TCP).
        Transaction tx(m_db);
        exec(runSchemaSql().c_str());
        // 3 -> 4: the owner of a run (interrupted runs are found by it).
        if (!hasColumn("runs", "owner"))
            exec("ALTER TABLE runs ADD COLUMN owner TEXT NOT NULL DEFAULT ''");
        // 4 -> 5: record digests, series checksums, the connection identity index.
        if (!hasColumn("captures", "record_digest"))
            exec("ALTER TABLE captures ADD COLUMN record_digest TEXT NOT NULL DEFAULT ''");
        if (!hasColumn("connection_series", "checksum"))
            exec("ALTER TABLE connection_series ADD COLUMN checksum TEXT NOT NULL DEFAULT ''");
        exec(kIdentityIndexes);
        // 5 -> 6: QUIC connections beside TCP ones.
        if (!hasColumn("connections", "transport"))
            exec("ALTER TABLE connections ADD COLUMN transport TEXT NOT NULL DEFAULT 'tcp'");
        if (!hasColumn("connections", "quic_version"))
            exec("ALTER TABLE connections ADD COLUMN quic_version INTEGER NOT NULL DEFAULT 0");
        if (!hasColumn("captures", "udp_packets"))
            exec("ALTER TABLE captures ADD COLUMN udp_packets INTEGER NOT NULL DEFAULT 0");
        Statement put(m_db, "UPDATE meta SET value = ?1 WHERE key = 'schema_version'");
        put.bind(1, std::to_string(kSchemaVersion)).run();
        tx.commit();
    }
}

void Database::createSchema()
{
    // WAL only once the file is known to be ours: a failed open leaves a
    // foreign database's journal mode alone.
    exec("PRAGMA journal_mode=WAL");
    Transaction tx(m_db);
    exec(kSchema);
    exec(kIdentityIndexes);
    exec(runSchemaSql().c_str());
    Statement put(m_db, "INSERT INTO meta (key, value) VALUES (?1, ?2)");
    put.bind(1, std::string("schema_version")).bind(2, std::to_string(kSchemaVersion)).run();
    put.bind(1, std::string("created_by")).bind(2, std::string("snilab " SNILAB_VERSION)).run();
    tx.commit();
}

} // namespace snilab
