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

#include "common/feedback.h"
#include "common/results.h"
#include "flow/connection.h"
#include "flow/label.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
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
    std::string
        contentHash; // SHA-256 of the file's bytes (32 hex digits of a weaker hash before schema 5)
    std::string recordDigest; // SHA-256 of the decoded packet records ("" before schema 5)
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

// A connection with an SNI and its stored series, for building datasets.
struct SeriesRow {
    std::int64_t connectionId = 0;
    std::int64_t captureId = 0;
    std::string capturePath;
    std::int64_t captureFirstNs = 0;
    std::string sni;
    std::vector<PacketRecord> series;
};

struct LabelCount {
    std::string label; // empty = unlabeled
    std::uint64_t connections = 0;
    std::uint64_t captures = 0;
};

// --- Run registry (schema 2; owner since schema 4) -----------------------

// RunStatus and the result types: common/results.h.

struct RunInfo {
    std::int64_t id = 0;
    std::string createdAt;  // UTC, ISO 8601
    std::string finishedAt; // empty while running
    RunStatus status = RunStatus::Running;
    std::string config; // "key=value" lines, as the run was asked for
    std::uint64_t seed = 0;
    std::string dataFingerprint;
    std::string error;
    std::string owner; // the process that created it (host/boot/pid/start), "" before schema 4
};

class Catalog final : public RunSink {
public:
    // 2: run registry, 3: run_epochs, 4: runs.owner (interrupted runs),
    // 5: identity of traffic (captures.record_digest, one row per connection
    // across captures) and series checksums
    static constexpr int kSchemaVersion = 5;

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
    // ingesting and, if so, inserts it as beginCapture() does and marks it in
    // flight until finishCapture() or releaseClaim(). Rows left Incomplete by
    // an earlier, interrupted process are replaced; one ingest process per
    // catalog is assumed (see lockForIngest()). The content hash is a fast,
    // forgeable hint: `evenIfPresent` claims a new row although a capture with
    // that hash exists or is in flight (the caller found the records differ,
    // or cannot tell yet).
    Claim claimCapture(const CaptureRow& capture, bool evenIfPresent = false);
    // Ends an in-flight claim without finishing the capture (it stays Incomplete).
    void releaseClaim(std::int64_t captureId);
    // One capture by id.
    std::optional<CaptureRow> capture(std::int64_t captureId);
    // Takes an exclusive advisory lock (flock on "<catalog real path>.lock", created if
    // missing) for this object's lifetime so that two ingest processes never
    // write one catalog at once; throws CatalogError when another holds it.
    void lockForIngest();
    // What addConnections() did with a batch.
    struct AddResult {
        std::uint64_t stored = 0;          // new rows
        std::uint64_t storedWithHello = 0; // of which with a ClientHello
        std::uint64_t duplicates = 0; // already in the catalog from another capture: not stored
        std::uint64_t replaced = 0;   // a row cut short by the end of its capture, replaced
                                      // by this longer copy (counted in `stored` too)
    };
    // Stores finished connections of a capture in one transaction. A
    // connection is one row in the whole catalog: one with the same endpoints
    // and first-packet time as a connection of another complete or partial
    // capture (the same traffic in another file, or an overlapping capture) is
    // not stored again - unless the stored copy was cut short by the end of
    // its capture (close reason end-of-capture) and this one has more packets
    // (a capture re-read after it grew), which then replaces it. Copies in
    // captures still being read are resolved by finishCapture(), so that a
    // capture that ends incomplete never hides another one's connections.
    AddResult addConnections(std::int64_t captureId, std::span<const Connection> connections);
    // What finishCapture() did.
    struct FinishResult {
        std::int64_t sameTrafficAs = 0; // the capture this one was folded into, or 0
        std::uint64_t duplicates = 0;   // rows of this capture removed: stored elsewhere
        std::uint64_t duplicatesWithHello = 0;
        std::uint64_t replaced = 0; // cut-short copies elsewhere replaced by this capture's
    };
    // Final counters, status and record digest of a capture; ends its
    // in-flight claim. A complete or partial capture that was read while
    // another was in flight gives up the rows another complete or partial
    // capture holds (by the rule of addConnections()). If another complete or
    // partial capture holds the same decoded records (the same traffic in
    // another container: pcap vs pcapng, gzip vs zstd), this capture's row is
    // folded into it (any connection it stored moves there).
    FinishResult finishCapture(const CaptureRow& capture);
    // Groups of connections that share endpoints and first-packet time across
    // captures: 0 in a catalog written by schema 5; older catalogs may hold
    // some (the same traffic ingested twice).
    std::uint64_t duplicateConnectionGroups();

    // Every capture, ordered by path (then id).
    std::vector<CaptureRow> captures();
    // Connections per label; captures left incomplete by an interrupted ingest
    // are not counted (their batches are partial) until ingested again.
    std::vector<LabelCount> labelCounts(LabelMode mode = LabelMode::Default);
    // Calls `visit` for every connection of complete and partial captures,
    // ordered by capture path, start time.
    void forEachConnection(const std::function<void(const ConnectionRow&)>& visit);
    // Calls `visit` for every connection with an SNI in complete and partial
    // captures, with its decoded series, ordered by capture path and start time.
    void forEachLabeledSeries(const std::function<void(const SeriesRow&)>& visit);
    // The same for every connection (labeledOnly false: with and without SNI).
    void forEachSeries(const std::function<void(const SeriesRow&)>& visit, bool labeledOnly);
    // The stored series of one connection (empty if none).
    std::vector<PacketRecord> series(std::int64_t connectionId);
    std::uint64_t connectionCount();

    // Run registry. A run is created Running, owned by the calling process,
    // receives results, then is finished once; finished runs and their
    // results are immutable (SQLite triggers refuse changes); a run can be
    // deleted whole unless it is still running.
    std::int64_t createRun(const std::string& config, std::uint64_t seed,
                           const std::string& dataFingerprint) override;
    // Stores one model x threshold result in one transaction.
    void addRunResult(std::int64_t runId, const ModelResult& result) override;
    void finishRun(std::int64_t runId, RunStatus status, const std::string& error = {}) override;
    std::vector<RunInfo> runs();
    std::optional<RunInfo> run(std::int64_t runId);
    // Returns false when there is no such run; throws CatalogError for a run
    // whose process is still running, and for one whose process cannot be
    // checked (another host) unless `evenIfUnverifiable`.
    bool deleteRun(std::int64_t runId, bool evenIfUnverifiable = false);
    std::vector<GridCell> runGrid(std::int64_t runId);
    std::vector<ClassResult> runClasses(std::int64_t runId, const std::string& model,
                                        int threshold);
    // Confusion counts (true, predicted, count) of the non-zero cells.
    std::vector<std::array<std::uint64_t, 3>> runConfusion(std::int64_t runId,
                                                           const std::string& model, int threshold);
    // Training history of the run's networks, by model, threshold, fold, epoch.
    std::vector<EpochReport> runEpochs(std::int64_t runId);
    void forEachRunPrediction(std::int64_t runId,
                              const std::function<void(const std::string& model, int threshold,
                                                       const PredictionRow&)>& visit);

private:
    void exec(const char* sql);
    void migrate(Open mode);
    void upgradeSchema();
    void createSchema();
    bool hasColumn(const char* table, const char* column);

    std::filesystem::path m_path;
    sqlite3* m_db = nullptr;
    struct Statements;
    std::unique_ptr<Statements> m_stmts;
    std::int64_t beginCaptureLocked(const CaptureRow& capture);
    void storeConnectionLocked(std::int64_t captureId, const Connection& connection,
                               AddResult& result);
    void mergeOverlappedLocked(std::int64_t captureId, FinishResult& result);
    std::optional<CaptureRow> findCaptureByHashLocked(const std::string& contentHash);

    std::mutex m_mutex;
    struct InFlight {
        std::string hash;
        bool overlapped = false; // another capture was in flight at the same time
    };
    std::map<std::int64_t, InFlight> m_inFlight; // claimed and not yet finished, by capture id
    int m_lockFd = -1;
};

// Series blob format v1: per packet 16 bytes little-endian: int64 t_ns,
// uint16 ip_length, uint16 payload_length, uint8 flags, 3 bytes zero.
std::vector<std::uint8_t> encodeSeries(std::span<const PacketRecord> series);
std::vector<PacketRecord> decodeSeries(std::span<const std::uint8_t> blob);
// The checksum stored beside a series blob (schema 5): ContentHasher over the
// connection id and the blob. checkSeries() throws CatalogError naming the
// connection when a stored checksum does not match (an empty one, from an
// older catalog, is not checked).
std::string seriesChecksum(std::int64_t connectionId, std::span<const std::uint8_t> blob);
void checkSeries(std::int64_t connectionId, std::int64_t packets,
                 std::span<const std::uint8_t> blob, const std::string& checksum);

} // namespace snilab
