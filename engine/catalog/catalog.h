// The SQLite flow catalog: captures, connections and each connection's
// per-packet series (docs/catalog.md documents the schema).
//
// Thread: one Catalog object may be shared by threads; every call takes the
// object's mutex (the SQLite handle is opened without its own mutex). Writes are batched:
// each addConnections() call is one transaction, so a killed process leaves
// only whole batches behind.
// Failure: SQLite errors, a file that is not a catalog or a catalog of a newer
// schema throw CatalogError (caught at the job edge: CLI command, GUI worker).
#pragma once

#include "flow/connection.h"
#include "flow/label.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

struct sqlite3;

namespace snilab {

class CatalogError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class CaptureStatus {
    Incomplete, // ingest started and did not finish (interrupted or killed): redone on re-ingest
    Complete,   // the whole file was read
    Partial,    // read up to an error in the file (error says where); what was read is kept
    Failed,     // nothing could be read
};
std::string_view captureStatusName(CaptureStatus status);
std::optional<CaptureStatus> parseCaptureStatus(std::string_view text);

struct CaptureRow {
    std::int64_t id = 0;
    std::string path;
    std::string contentHash;
    std::uint64_t sizeBytes = 0;
    std::string container;
    std::string compression;
    int linkType = -1;
    std::string linkTypeName;
    std::uint64_t packets = 0;    // frames read
    std::uint64_t tcpPackets = 0; // frames decoded to TCP
    std::int64_t firstNs = 0;
    std::int64_t lastNs = 0;
    CaptureStatus status = CaptureStatus::Incomplete;
    std::string error;
    std::uint64_t connections = 0; // filled by queries
    std::uint64_t labeled = 0;     // filled by queries
};

struct ConnectionRow {
    std::int64_t id = 0;
    std::int64_t captureId = 0;
    std::string capturePath;
    std::string clientIp;
    std::uint16_t clientPort = 0;
    std::string serverIp;
    std::uint16_t serverPort = 0;
    int ipVersion = 0;
    std::int64_t startNs = 0;
    std::int64_t endNs = 0;
    std::uint64_t packets[2] = {0, 0};
    std::uint64_t ipBytes[2] = {0, 0};
    std::uint64_t payloadBytes[2] = {0, 0};
    bool sawSyn = false;
    std::string closeReason;
    bool hasClientHello = false;
    std::string sni;
    std::string label;       // default normalisation
    std::string tlsVersions; // offered, e.g. "0x0304,0x0303"
    std::string alpn;        // comma-joined
    bool ech = false;
    std::string ja4;
};

struct LabelCount {
    std::string label; // empty = unlabeled
    std::uint64_t connections = 0;
    std::uint64_t captures = 0;
};

class Catalog {
public:
    static constexpr int kSchemaVersion = 1;

    enum class Open {
        CreateIfMissing, // a missing (or empty) file becomes a new catalog
        ExistingOnly,    // the file must already be a snilab catalog; nothing is created
    };
    // Opens the catalog at `path` (WAL mode).
    explicit Catalog(const std::filesystem::path& path, Open mode = Open::CreateIfMissing);
    // Opens an existing catalog; throws CatalogError if it is missing or not a catalog.
    static std::unique_ptr<Catalog> openExisting(const std::filesystem::path& path);
    ~Catalog();
    Catalog(const Catalog&) = delete;
    Catalog& operator=(const Catalog&) = delete;

    const std::filesystem::path& path() const noexcept { return m_path; }

    // The capture with this content hash, if any.
    std::optional<CaptureRow> findCaptureByHash(const std::string& contentHash);
    // Inserts a capture row with status Incomplete and returns its id. An
    // Incomplete row with the same hash (an interrupted ingest) is deleted
    // first, with its connections, so a re-ingest never duplicates.
    std::int64_t beginCapture(const CaptureRow& capture);
    // What claimCapture() found for a content hash.
    struct Claim {
        enum class Kind {
            Claimed,  // a new Incomplete capture row was inserted for the caller
            Present,  // the content is already in the catalog (complete or partial)
            InFlight, // another caller of this Catalog is ingesting the same content now
        };
        Kind kind = Kind::Claimed;
        std::int64_t id = 0; // the new or existing capture's id (0 for InFlight)
    };
    // Atomically decides whether `capture` (by its content hash) needs
    // ingesting and, if so, inserts it as beginCapture() does and marks the
    // hash in flight until finishCapture() or releaseClaim(). Rows left
    // Incomplete by an earlier, interrupted process are replaced; one ingest
    // process per catalog is assumed (see lockForIngest()).
    Claim claimCapture(const CaptureRow& capture);
    // Ends an in-flight claim without finishing the capture (it stays Incomplete).
    void releaseClaim(const std::string& contentHash);
    // Takes an exclusive advisory lock (flock on "<catalog>.lock", created if
    // missing) for this object's lifetime so that two ingest processes never
    // write one catalog at once; throws CatalogError when another holds it.
    void lockForIngest();
    // Stores finished connections of a capture in one transaction.
    void addConnections(std::int64_t captureId, std::span<const Connection> connections);
    // Final counters and status of a capture; ends its in-flight claim.
    void finishCapture(const CaptureRow& capture);

    // Every capture, ordered by path (then id).
    std::vector<CaptureRow> captures();
    // Connections per label; captures left incomplete by an interrupted ingest
    // are not counted (their batches are partial) until ingested again.
    std::vector<LabelCount> labelCounts(LabelMode mode = LabelMode::Default);
    // Calls `visit` for every connection of complete and partial captures,
    // ordered by capture path, start time.
    void forEachConnection(const std::function<void(const ConnectionRow&)>& visit);
    // The stored series of one connection (empty if none).
    std::vector<PacketRecord> series(std::int64_t connectionId);
    std::uint64_t connectionCount();

private:
    void exec(const char* sql);
    void migrate(Open mode);

    std::filesystem::path m_path;
    sqlite3* m_db = nullptr;
    struct Statements;
    std::unique_ptr<Statements> m_stmts;
    std::int64_t beginCaptureLocked(const CaptureRow& capture);

    std::mutex m_mutex;
    std::set<std::string> m_inFlight; // content hashes claimed and not yet finished
    int m_lockFd = -1;
};

// Series blob format v1: per packet 16 bytes little-endian: int64 t_ns,
// uint16 ip_length, uint16 payload_length, uint8 flags, 3 bytes zero.
std::vector<std::uint8_t> encodeSeries(std::span<const PacketRecord> series);
std::vector<PacketRecord> decodeSeries(std::span<const std::uint8_t> blob);

} // namespace snilab
