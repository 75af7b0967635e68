// The capture store: claims on a file's fingerprint, captures begun and
// finished, connections added once (identity of traffic: docs/catalog.md).
#include "catalog/capture_store.h"

#include "catalog/database.h"
#include "catalog/row_sql.h"
#include "catalog/series_blob.h"
#include "catalog/sqlite_statement.h"
#include "flow/label.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <set>

namespace snilab {

namespace {

constexpr const char* kCaptureColumns =
    "id, path, content_hash, size_bytes, container, compression, link_type, link_type_name, "
    "packets, tcp_packets, first_ns, last_ns, status, error, record_digest, udp_packets";

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
    c.udpPackets = static_cast<std::uint64_t>(s.i64(15));
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

struct CaptureStore::Statements {
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
                            "record_digest = ?12, udp_packets = ?13 WHERE id = ?1"),
          insertConnection(
              db,
              "INSERT INTO connections (capture_id, ip_version, client_ip, client_port, "
              "server_ip, server_port, start_ns, end_ns, packets_c2s, packets_s2c, "
              "ip_bytes_c2s, ip_bytes_s2c, payload_bytes_c2s, payload_bytes_s2c, saw_syn, "
              "client_known, close_reason, has_client_hello, sni, label, tls_versions, alpn, "
              "ech, ja4, transport, quic_version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
              "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)"),
          insertSeries(db, "INSERT INTO connection_series (connection_id, packets, format, data, "
                           "checksum) VALUES (?1, ?2, ?5, ?3, ?4)"),
          findSameConnection(
              db, "SELECT k.id, k.capture_id, c.status, k.packets_c2s + k.packets_s2c, "
                  "k.close_reason FROM connections k JOIN captures c ON c.id = k.capture_id "
                  "WHERE k.start_ns = ?5 AND k.client_port = ?2 AND k.client_ip = ?1 AND "
                  "k.server_ip = ?3 AND k.server_port = ?4 AND k.capture_id <> ?6"),
          deleteConnection(db, "DELETE FROM connections WHERE id = ?1")
    {
    }
};

CaptureStore::CaptureStore(Database& db)
    : m_db(db), m_stmts(std::make_unique<Statements>(db.handle()))
{
}

CaptureStore::~CaptureStore()
{
    if (m_lockFd >= 0)
        ::close(m_lockFd);
}

std::optional<CaptureRow> CaptureStore::find(std::int64_t captureId)
{
    std::lock_guard lock(m_db.mutex());
    return findLocked(captureId);
}

std::optional<CaptureRow> CaptureStore::findLocked(std::int64_t captureId)
{
    Statement s(
        m_db.handle(),
        (std::string("SELECT ") + kCaptureColumns + " FROM captures WHERE id = ?1").c_str());
    s.bind(1, captureId);
    if (!s.step())
        return std::nullopt;
    return readCapture(s);
}

void CaptureStore::lockForIngest()
{
    std::lock_guard lock(m_db.mutex());
    if (m_lockFd >= 0)
        return;
    // A lock file of its own: closing any descriptor of the database file
    // itself would drop SQLite's POSIX locks on it. Named after the catalog's
    // real path, so that a symlink to the catalog takes the same lock.
    std::error_code ec;
    const auto real = std::filesystem::weakly_canonical(m_db.path(), ec);
    const std::string lockPath = (ec ? m_db.path() : real).string() + ".lock";
    const int fd = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        throw CatalogError("cannot open the ingest lock " + lockPath + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        throw CatalogError("another process is ingesting into " + m_db.path().string() +
                           "; wait for it to finish");
    }
    m_lockFd = fd;
}

bool CaptureStore::removeCapture(std::int64_t captureId)
{
    lockForIngest(); // no other process writes captures meanwhile
    // One critical section from the status read to the delete, so that an
    // ingest of this process finishing in between cannot make the capture
    // complete after it was judged removable.
    std::lock_guard lock(m_db.mutex());
    const auto capture = findLocked(captureId);
    if (!capture)
        return false;
    if (capture->status == CaptureStatus::Complete)
        throw CatalogError("capture " + std::to_string(captureId) + " (" + capture->path +
                           ") is complete: only incomplete, partial or failed captures are "
                           "removed; start a new catalog to leave out complete ones");
    if (m_inFlight.count(captureId))
        throw CatalogError("capture " + std::to_string(captureId) + " is being ingested now");
    Transaction tx(m_db.handle(), {&m_stmts->deleteCapture});
    m_stmts->deleteCapture.bind(1, captureId).run();
    tx.commit();
    return true;
}

std::vector<CaptureRow> CaptureStore::all()
{
    std::lock_guard lock(m_db.mutex());
    Statement s(m_db.handle(),
                (std::string("SELECT ") + kCaptureColumns +
                 ", (SELECT count(*) FROM connections k WHERE k.capture_id = c.id), "
                 "(SELECT count(*) FROM connections k WHERE k.capture_id = c.id AND k.label <> '') "
                 "FROM captures c ORDER BY path, id")
                    .c_str());
    std::vector<CaptureRow> out;
    while (s.step()) {
        CaptureRow c = readCapture(s);
        c.connections = static_cast<std::uint64_t>(s.i64(16));
        c.labeled = static_cast<std::uint64_t>(s.i64(17));
        out.push_back(std::move(c));
    }
    return out;
}

std::optional<CaptureRow> CaptureStore::findCaptureByHash(const std::string& contentHash)
{
    std::lock_guard lock(m_db.mutex());
    return findCaptureByHashLocked(contentHash);
}

std::optional<CaptureRow> CaptureStore::findCaptureByHashLocked(const std::string& contentHash)
{
    Statement& s = m_stmts->findByHash;
    ResetGuard guard{s};
    s.bind(1, contentHash);
    if (!s.step())
        return std::nullopt;
    return readCapture(s);
}

CaptureStore::Claim CaptureStore::claimCapture(const CaptureRow& capture, bool evenIfPresent)
{
    std::lock_guard lock(m_db.mutex());
    if (!evenIfPresent) {
        Statement present(m_db.handle(),
                          "SELECT id FROM captures WHERE content_hash = ?1 AND status IN "
                          "('complete', 'partial') ORDER BY id LIMIT 1");
        present.bind(1, capture.contentHash);
        if (present.step()) {
            const std::int64_t id = present.i64(0);
            present.reset();
            // Interrupted reads of the same bytes are redundant beside a whole one.
            Statement stale(m_db.handle(), "SELECT id FROM captures WHERE content_hash = ?1 AND "
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

void CaptureStore::releaseClaim(std::int64_t captureId)
{
    std::lock_guard lock(m_db.mutex());
    m_inFlight.erase(captureId);
}

std::int64_t CaptureStore::beginCapture(const CaptureRow& c)
{
    std::lock_guard lock(m_db.mutex());
    return beginCaptureLocked(c);
}

std::int64_t CaptureStore::beginCaptureLocked(const CaptureRow& c)
{
    Transaction tx(m_db.handle(), {&m_stmts->deleteCapture, &m_stmts->insertCapture});
    // Interrupted ingests of the same content are replaced, never
    // duplicated; a capture of this process still being read is not one.
    Statement stale(m_db.handle(),
                    "SELECT id FROM captures WHERE content_hash = ?1 AND status = 'incomplete'");
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
    const std::int64_t id = sqlite3_last_insert_rowid(m_db.handle());
    tx.commit();
    return id;
}

namespace {

// The same connection from another capture (docs/catalog.md, "Identity of
// traffic"): true when a complete or partial capture already holds it whole;
// `shorter` gets the ids of stored copies that their capture's end cut short
// (this copy has more packets and replaces them). Incomplete captures of
// earlier processes do not count: their rows go when they are redone.
bool findStoredCopies(Statement& same, const Connection& c, const std::string& clientIp,
                      const std::string& serverIp, std::int64_t captureId,
                      std::vector<std::int64_t>& shorter)
{
    const std::uint64_t packets = c.packets[0] + c.packets[1];
    bool duplicate = false;
    same.bind(1, clientIp)
        .bind(2, std::int64_t{c.clientPort})
        .bind(3, serverIp)
        .bind(4, std::int64_t{c.serverPort})
        .bind(5, c.startNs)
        .bind(6, captureId);
    ResetGuard done{same};
    while (same.step()) {
        if (same.text(2) != "complete" && same.text(2) != "partial")
            continue; // being read, or left incomplete: finishCapture() decides
        if (same.text(4) == closeReasonName(CloseReason::EndOfCapture) &&
            static_cast<std::uint64_t>(same.i64(3)) < packets)
            shorter.push_back(same.i64(0));
        else
            duplicate = true;
    }
    return duplicate;
}

} // namespace

CaptureStore::AddResult CaptureStore::addConnections(std::int64_t captureId,
                                                     std::span<const Connection> connections)
{
    AddResult result;
    if (connections.empty())
        return result;
    std::lock_guard lock(m_db.mutex());
    Transaction tx(m_db.handle(), {&m_stmts->insertConnection, &m_stmts->insertSeries,
                                   &m_stmts->findSameConnection, &m_stmts->deleteConnection});
    for (const Connection& c : connections)
        storeConnectionLocked(captureId, c, result);
    tx.commit();
    return result;
}

void CaptureStore::storeConnectionLocked(std::int64_t captureId, const Connection& c,
                                         AddResult& result)
{
    Statement& ins = m_stmts->insertConnection;
    Statement& ser = m_stmts->insertSeries;
    Statement& same = m_stmts->findSameConnection;
    const std::string clientIp = formatIp(c.clientIp), serverIp = formatIp(c.serverIp);
    std::vector<std::int64_t> shorter;
    if (findStoredCopies(same, c, clientIp, serverIp, captureId, shorter)) {
        ++result.duplicates;
        return;
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
        .bind(21, c.hasClientHello ? joinVersions(h.supportedVersions.empty()
                                                      ? std::vector<std::uint16_t>{h.legacyVersion}
                                                      : h.supportedVersions)
                                   : std::string())
        .bind(22, c.hasClientHello ? joinStrings(h.alpn) : std::string())
        .bind(23, std::int64_t{c.hasClientHello && h.ech})
        .bind(24, c.hasClientHello ? h.ja4 : std::string())
        .bind(25, std::string(transportName(c.transport)))
        .bind(26, std::int64_t{c.quicVersion})
        .run();
    const std::int64_t id = sqlite3_last_insert_rowid(m_db.handle());
    const auto blob = encodeSeries(c.series, c.whole.get());
    ser.bind(1, id)
        .bind(2, static_cast<std::int64_t>(c.series.size()))
        .bindBlob(3, blob)
        .bind(4, seriesChecksum(id, blob))
        .bind(5, std::int64_t{seriesFormat(c.whole.get())})
        .run();
    ++result.stored;
    result.storedWithHello += c.hasClientHello ? 1 : 0;
}

// Copies of the same connection stored while both captures were being read:
// addConnections()'s rule, applied once this capture is whole.
void CaptureStore::mergeOverlappedLocked(std::int64_t captureId, FinishResult& result)
{
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
        m_db.handle(),
        ("DELETE FROM connections WHERE id IN (SELECT ka.id" + same + shorter + ")").c_str());
    replace.bind(1, captureId).run();
    result.replaced = static_cast<std::uint64_t>(sqlite3_changes(m_db.handle()));
    Statement count(m_db.handle(), ("SELECT count(DISTINCT kb.id), count(DISTINCT CASE WHEN "
                                    "kb.has_client_hello THEN kb.id END)" +
                                    same)
                                       .c_str());
    count.bind(1, captureId);
    count.step();
    result.duplicates = static_cast<std::uint64_t>(count.i64(0));
    result.duplicatesWithHello = static_cast<std::uint64_t>(count.i64(1));
    count.reset();
    Statement drop(m_db.handle(),
                   ("DELETE FROM connections WHERE id IN (SELECT kb.id" + same + ")").c_str());
    drop.bind(1, captureId).run();
}

CaptureStore::FinishResult CaptureStore::finishCapture(const CaptureRow& c)
{
    std::lock_guard lock(m_db.mutex());
    const auto flight = m_inFlight.find(c.id);
    const bool overlapped = flight != m_inFlight.end() && flight->second.overlapped;
    if (flight != m_inFlight.end())
        m_inFlight.erase(flight);
    FinishResult result;
    Transaction tx(m_db.handle(), {&m_stmts->updateCapture, &m_stmts->deleteCapture});
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
        .bind(13, static_cast<std::int64_t>(c.udpPackets))
        .run();
    const bool stored = c.status == CaptureStatus::Complete || c.status == CaptureStatus::Partial;
    if (stored && overlapped)
        mergeOverlappedLocked(c.id, result);
    if (stored && !c.recordDigest.empty()) {
        Statement find(m_db.handle(),
                       "SELECT id FROM captures WHERE record_digest = ?1 AND id <> ?2 "
                       "AND status IN ('complete', 'partial') ORDER BY id LIMIT 1");
        find.bind(1, c.recordDigest).bind(2, c.id);
        if (find.step())
            result.sameTrafficAs = find.i64(0);
    }
    if (result.sameTrafficAs) {
        // The same packet records in another file: one capture of them.
        Statement move(m_db.handle(),
                       "UPDATE connections SET capture_id = ?1 WHERE capture_id = ?2");
        move.bind(1, result.sameTrafficAs).bind(2, c.id).run();
        m_stmts->deleteCapture.bind(1, c.id).run();
    }
    tx.commit();
    return result;
}

std::uint64_t CaptureStore::duplicateConnectionGroups()
{
    std::lock_guard lock(m_db.mutex());
    Statement s(m_db.handle(),
                "SELECT count(*) FROM (SELECT 1 FROM connections k JOIN captures c ON "
                "c.id = k.capture_id WHERE c.status <> 'incomplete' GROUP BY k.client_ip, "
                "k.client_port, k.server_ip, k.server_port, k.start_ns HAVING count(*) > 1)");
    s.step();
    return static_cast<std::uint64_t>(s.i64(0));
}

} // namespace snilab
