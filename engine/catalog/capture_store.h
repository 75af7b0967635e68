// The capture store of a catalog: claims on a file's fingerprint, captures
// begun and finished, and connections added once across captures (identity
// of traffic: docs/catalog.md). The ingester writes through it.
//
// Thread: a store may be shared by threads; every call holds the Database's
// mutex. Writes are batched: each addConnections() call is one transaction,
// so a killed process leaves only whole batches behind.
// Failure: SQLite errors throw CatalogError.
#pragma once

#include "catalog/catalog_rows.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace snilab {

class Database;

class CaptureStore {
public:
    explicit CaptureStore(Database& db);
    ~CaptureStore();
    CaptureStore(const CaptureStore&) = delete;
    CaptureStore& operator=(const CaptureStore&) = delete;

    // Every capture, ordered by path (then id), with its connection counts.
    std::vector<CaptureRow> all();
    // One capture by id.
    std::optional<CaptureRow> find(std::int64_t captureId);

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
            InFlight, // another caller of this store is ingesting the same content now
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
    // Takes an exclusive advisory lock (flock on "<catalog real path>.lock", created if
    // missing) for this store's lifetime so that two ingest processes never
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
    // Removes a capture that did not finish cleanly (incomplete, partial or
    // failed) with every connection stored for it and their series; a
    // complete capture is refused (its connections are the catalog's data:
    // start a new catalog instead), and so is one being ingested now (this
    // takes the ingest lock, see lockForIngest()). Runs keep their results.
    // Throws CatalogError naming the reason; false when there is no such capture.
    bool removeCapture(std::int64_t captureId);

private:
    std::int64_t beginCaptureLocked(const CaptureRow& capture);
    void storeConnectionLocked(std::int64_t captureId, const Connection& connection,
                               AddResult& result);
    void mergeOverlappedLocked(std::int64_t captureId, FinishResult& result);
    std::optional<CaptureRow> findLocked(std::int64_t captureId);
    std::optional<CaptureRow> findCaptureByHashLocked(const std::string& contentHash);

    Database& m_db;
    struct Statements;
    std::unique_ptr<Statements> m_stmts;
    struct InFlight {
        std::string hash;
        bool overlapped = false; // another capture was in flight at the same time
    };
    std::map<std::int64_t, InFlight> m_inFlight; // claimed and not yet finished, by capture id
    int m_lockFd = -1;
};

} // namespace snilab
