// Ingests capture files into a catalog: read (libpcap) -> decode -> track
// connections -> parse ClientHellos -> store in batches.
//
// Files run in parallel, one file per worker thread (a single file is read by
// one thread). Identity of traffic (docs/catalog.md): a file's fast
// fingerprint is looked up first - a file whose records have the SHA-256 of
// the complete or partial capture with that fingerprint is skipped, an
// interrupted one is replaced; while a file is read, the SHA-256 of its
// decoded packet records is computed - a file holding the same records as
// another capture (another container or compression) is folded into it; and
// every connection is stored once in the catalog (CaptureStore::addConnections,
// CaptureStore::finishCapture), so overlapping captures add each connection once.
// Cancellation: polled every few thousand packets; a cancelled file keeps
// its committed batches and stays `incomplete` in the catalog.
// One ingest process per catalog: the catalog file is locked (flock) for the
// ingest, and a second process fails with a CatalogError saying so.
#pragma once

#include "catalog/capture_store.h"
#include "common/error.h"
#include "common/feedback.h"
#include "flow/connection_tracker.h"
#include "quic/quic_tracker.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace snilab {

struct IngestOptions {
    TrackerOptions tracker;       // TCP
    QuicTrackerOptions quic;      // QUIC (UDP)
    unsigned threads = 0;         // files read at once; 0 = half the cores (see ingestFiles)
    std::size_t batchSize = 2000; // connections per catalog transaction
};

enum class IngestOutcome {
    Ingested,       // the whole file was read
    AlreadyPresent, // the same bytes, or the same packet records, already in the catalog
    Partial,        // read up to an error in the file; what was read is stored
    Failed,         // could not be opened or read at all
    Cancelled,      // stopped by the user; committed batches stay, capture incomplete
};
std::string_view ingestOutcomeName(IngestOutcome outcome);

struct IngestFileResult {
    std::filesystem::path path;
    IngestOutcome outcome = IngestOutcome::Failed;
    std::int64_t captureId = 0;
    std::uint64_t packets = 0;
    std::uint64_t tcpPackets = 0;
    std::uint64_t udpPackets = 0;      // UDP datagrams (QUIC or not)
    std::uint64_t connections = 0;     // TCP and QUIC
    std::uint64_t quicConnections = 0; // of `connections`
    std::uint64_t clientHellos = 0;    // of `connections`: those with a ClientHello
    std::uint64_t skippedFrames = 0;   // frames that were neither TCP nor UDP (see DecodeStatus)
    // Connections already in the catalog from another capture (not stored
    // again), and stored copies cut short by their capture's end that this
    // file's longer copy replaced.
    std::uint64_t duplicateConnections = 0;
    std::uint64_t replacedConnections = 0;
    // AlreadyPresent: the capture whose bytes or packet records this file repeats.
    std::int64_t sameTrafficAs = 0;
    InputError error; // for Partial and Failed
};

// Ingests one file on the calling thread. Throws CatalogError when the
// catalog cannot be written; problems with the file are in the result.
IngestFileResult ingestFile(const std::filesystem::path& path, CaptureStore& store,
                            const IngestOptions& options, Feedback& feedback);

// Per-file events of ingestFiles(), for front ends that show each file.
// Thread: called on the worker threads, concurrently for different files
// (an implementation must be thread-safe); for one file always in the order
// fileStarted, fileProgress (0..1, at most once per whole percent of its
// bytes), fileFinished. A file not started because the ingest was cancelled
// gets fileFinished alone, with outcome Cancelled.
class IngestObserver {
public:
    virtual ~IngestObserver() = default;
    virtual void fileStarted(std::size_t index, const std::filesystem::path& path);
    virtual void fileProgress(std::size_t index, double fraction);
    virtual void fileFinished(std::size_t index, const IngestFileResult& result);
};

// Ingests many files on worker threads; results are in the order of `paths`.
// `feedback` gets the progress over all bytes; `observer` (optional) each file's.
std::vector<IngestFileResult> ingestFiles(const std::vector<std::filesystem::path>& paths,
                                          CaptureStore& store, const IngestOptions& options,
                                          Feedback& feedback, IngestObserver* observer = nullptr);

} // namespace snilab
