#include "ingest/ingester.h"

#include "capture/capture_reader.h"
#include "capture/packet_decoder.h"
#include "common/digest.h"
#include "common/work_pipe.h"

#include <pcap/pcap.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

namespace snilab {

std::string_view ingestOutcomeName(IngestOutcome outcome)
{
    switch (outcome) {
    case IngestOutcome::Ingested: return "ingested";
    case IngestOutcome::AlreadyPresent: return "already-present";
    case IngestOutcome::Partial: return "partial";
    case IngestOutcome::Failed: return "failed";
    case IngestOutcome::Cancelled: return "cancelled";
    }
    return "failed";
}

namespace {

// Aggregates per-file byte progress into one fraction for the Feedback.
class ProgressPool {
public:
    ProgressPool(Feedback& feedback, std::uint64_t totalBytes)
        : m_feedback(feedback), m_total(std::max<std::uint64_t>(totalBytes, 1))
    {
    }
    // With several files in parallel the stage is one fixed text (per-file
    // detail goes to the IngestObserver): alternating file names would defeat
    // the consumers' throttles. Reports are serialised so the fraction never
    // steps back.
    void add(std::uint64_t bytes, std::string_view stage)
    {
        std::lock_guard lock(m_mutex);
        m_done += bytes;
        m_feedback.progress(std::min(1.0, double(m_done) / double(m_total)),
                            m_fixedStage.empty() ? stage : std::string_view(m_fixedStage));
    }
    void setFixedStage(std::string stage) { m_fixedStage = std::move(stage); }
    Feedback& feedback() { return m_feedback; }

private:
    Feedback& m_feedback;
    std::uint64_t m_total;
    std::mutex m_mutex;
    std::uint64_t m_done = 0;
    std::string m_fixedStage;
};

// The identity of the traffic itself: every record's time, lengths, link type
// and bytes, whatever container or compression carried them.
template <typename Digest> void addRecord(Digest& digest, const RawPacket& raw)
{
    digest.updateU64(static_cast<std::uint64_t>(raw.tsNs));
    digest.updateU64((std::uint64_t{raw.capturedLength} << 32) | raw.wireLength);
    digest.updateU64(static_cast<std::uint64_t>(static_cast<std::int64_t>(raw.linkType)));
    digest.update(raw.bytes);
}

// The record digest of a file without ingesting it: over the records read up
// to its end or to a read error, as ingestOne() computes it ("" when the file
// cannot be opened as a capture).
std::string recordDigestOf(const std::filesystem::path& path, InputError& error,
                           bool threadedDigest)
{
    auto reader = CaptureReader::open(path, error);
    if (!reader)
        return {};
    BackgroundSha256 digest(threadedDigest);
    RawPacket raw;
    while (reader->next(raw, error) == CaptureReader::Next::Packet)
        addRecord(digest, raw);
    return digest.finishHex();
}

// One file's byte progress: into the pool and, per percent, to the observer.
class FileProgress {
public:
    FileProgress(ProgressPool& pool, std::string stage, std::uint64_t fileBytes,
                 IngestObserver* observer, std::size_t index)
        : m_pool(pool), m_stage(std::move(stage)), m_fileBytes(fileBytes), m_observer(observer),
          m_index(index)
    {
    }
    void report(std::uint64_t consumed)
    {
        if (consumed <= m_reported)
            return;
        m_pool.add(consumed - m_reported, m_stage);
        m_reported = consumed;
        const int now =
            m_fileBytes == 0
                ? 100
                : static_cast<int>(std::min<std::uint64_t>(100, consumed * 100 / m_fileBytes));
        if (m_observer && now > m_percent) {
            m_percent = now;
            m_observer->fileProgress(m_index, now / 100.0);
        }
    }
    void done() { report(m_fileBytes); }
    std::uint64_t fileBytes() const { return m_fileBytes; }

private:
    ProgressPool& m_pool;
    std::string m_stage;
    std::uint64_t m_fileBytes;
    IngestObserver* m_observer;
    std::size_t m_index;
    std::uint64_t m_reported = 0;
    int m_percent = 0;
};

// Claims the file's capture row (row.id set). false when there is nothing to
// read: the file's hash cannot be computed (Failed) or its records are
// already stored (AlreadyPresent); `result` then says which.
bool claimFile(const std::filesystem::path& path, CaptureStore& store, CaptureRow& row,
               IngestFileResult& result, bool threadedDigest)
{
    auto hash = fastFileHash(path, result.error);
    if (!hash) {
        result.outcome = IngestOutcome::Failed;
        return false;
    }
    row.contentHash = *hash;
    CaptureStore::Claim claim = store.claimCapture(row);
    if (claim.kind == CaptureStore::Claim::Kind::Present) {
        // The fast hash says "already here"; it could be forged, so the file
        // is skipped only if its records have the stored capture's SHA-256
        // (captures stored before record digests existed trust the hash).
        const auto existing = store.find(claim.id);
        const std::string stored = existing ? existing->recordDigest : std::string();
        InputError ignored;
        if (stored.empty() || recordDigestOf(path, ignored, threadedDigest) == stored) {
            result.outcome = IngestOutcome::AlreadyPresent;
            result.captureId = claim.id;
            result.sameTrafficAs = claim.id;
            return false;
        }
        claim = store.claimCapture(row, true);
    } else if (claim.kind == CaptureStore::Claim::Kind::InFlight) {
        // Another worker reads a file with the same hash right now: read this
        // one too; the same records are folded into one capture at the end and
        // each connection is stored once.
        claim = store.claimCapture(row, true);
    }
    row.id = claim.id;
    result.captureId = row.id;
    return true;
}

// Connections handed out by the tracker, stored in batches: on a thread of
// its own when `background` (the catalog's writes, the series encoding and
// the connections' memory are then off the reading thread; at most two
// batches wait), else on the caller's. The counts reach `result` in finish().
class ConnectionBatch {
public:
    ConnectionBatch(CaptureStore& store, std::int64_t captureId, std::size_t size,
                    IngestFileResult& result, bool background)
        : m_store(store), m_captureId(captureId), m_size(std::max<std::size_t>(size, 1)),
          m_result(result)
    {
        m_batch.reserve(m_size);
        if (background)
            m_pipe = std::make_unique<WorkPipe<std::vector<Connection>>>(
                2, [this](std::vector<Connection>& batch) { storeNow(batch); });
    }
    ConnectionBatch(const ConnectionBatch&) = delete; // the worker holds `this`
    ConnectionBatch& operator=(const ConnectionBatch&) = delete;
    void add(Connection&& c)
    {
        m_batch.push_back(std::move(c));
        if (m_batch.size() >= m_size)
            flush();
    }
    // Stores what is added (waiting for the worker); the counts go to the
    // result. Rethrows a catalog failure.
    void finish()
    {
        flush();
        if (m_pipe)
            m_pipe->finish();
        m_result.connections += m_added.stored;
        m_result.clientHellos += m_added.storedWithHello;
        m_result.duplicateConnections += m_added.duplicates;
        m_result.replacedConnections += m_added.replaced;
        m_added = {};
    }

private:
    void flush()
    {
        if (m_batch.empty())
            return;
        if (!m_pipe) {
            storeNow(m_batch);
            return;
        }
        m_batch = m_pipe->push(std::move(m_batch));
        if (m_batch.capacity() < m_size)
            m_batch.reserve(m_size);
    }
    void storeNow(std::vector<Connection>& batch)
    {
        const CaptureStore::AddResult added = m_store.addConnections(m_captureId, batch);
        m_added.stored += added.stored;
        m_added.storedWithHello += added.storedWithHello;
        m_added.duplicates += added.duplicates;
        m_added.replaced += added.replaced;
        batch.clear();
    }

    CaptureStore& m_store;
    std::int64_t m_captureId;
    std::size_t m_size;
    IngestFileResult& m_result;
    std::vector<Connection> m_batch;
    CaptureStore::AddResult m_added;                           // by the worker until finish()
    std::unique_ptr<WorkPipe<std::vector<Connection>>> m_pipe; // last: joined first
};

// What reading a file's records ended with, and what was skipped.
struct ReadOutcome {
    enum class End { Complete, ReadError, Cancelled } end = End::Complete;
    std::uint64_t unsupportedFrames = 0;
    int unsupportedLinkType = -1;
};

// Every record: into the record digest and the capture's time range, and,
// decoded, into the tracker. Polls for cancel every 16k packets.
// The TCP and the QUIC tracker of one file, handing connections to one sink.
struct Trackers {
    ConnectionTracker tcp;
    QuicTracker quic;
    Trackers(const IngestOptions& options, const ConnectionTracker::Sink& sink)
        : tcp(options.tracker, sink), quic(options.quic, sink)
    {
    }
    void finishAll()
    {
        tcp.finishAll();
        quic.finishAll();
    }
    void count(IngestFileResult& result) const
    {
        result.tcpPackets = tcp.stats().tcpPackets;
        result.udpPackets = quic.stats().udpPackets;
        result.quicConnections = quic.stats().connections;
    }
};

ReadOutcome readRecords(CaptureReader& reader, Trackers& tracker, CaptureRow& row,
                        BackgroundSha256& records, IngestFileResult& result, FileProgress& progress,
                        const Feedback& feedback)
{
    ReadOutcome out;
    RawPacket raw;
    DecodedPacket decoded;
    for (;;) {
        const auto next = reader.next(raw, result.error);
        if (next == CaptureReader::Next::End)
            return out;
        if (next == CaptureReader::Next::Error) {
            out.end = ReadOutcome::End::ReadError;
            return out;
        }
        addRecord(records, raw);
        if (result.packets++ == 0) {
            row.firstNs = row.lastNs = raw.tsNs;
        } else {
            row.firstNs = std::min(row.firstNs, raw.tsNs);
            row.lastNs = std::max(row.lastNs, raw.tsNs);
        }
        const DecodeStatus status = decodeTcpOrUdpPacket(raw.linkType, raw.bytes, decoded);
        if (status == DecodeStatus::Tcp) {
            tracker.tcp.onPacket(raw.tsNs, decoded);
        } else if (status == DecodeStatus::Udp) {
            tracker.quic.onDatagram(raw.tsNs, decoded);
        } else {
            ++result.skippedFrames;
            if (status == DecodeStatus::UnsupportedLink) {
                ++out.unsupportedFrames;
                out.unsupportedLinkType = raw.linkType;
            }
        }
        if ((result.packets & 0x3fff) == 0) {
            progress.report(reader.bytesConsumed());
            if (feedback.isCancelled()) {
                out.end = ReadOutcome::End::Cancelled;
                return out;
            }
        }
    }
}

// The capture's final status from how reading ended.
void settleStatus(const std::filesystem::path& path, const ReadOutcome& read, CaptureRow& row,
                  IngestFileResult& result)
{
    if (read.end == ReadOutcome::End::ReadError) {
        row.status = CaptureStatus::Partial;
        row.error = result.error.describe();
        result.outcome = IngestOutcome::Partial;
    } else if (read.unsupportedFrames > 0) {
        // Readable, but frames of a link type snilab does not decode were skipped.
        const char* name = pcap_datalink_val_to_name(read.unsupportedLinkType);
        result.error = {
            path.string(), InputError::kNoOffset,
            std::to_string(read.unsupportedFrames) + " of " + std::to_string(result.packets) +
                " frames have a link type snilab does not decode (" + (name ? name : "unknown") +
                ", " + std::to_string(read.unsupportedLinkType) + "); they were skipped"};
        row.status = CaptureStatus::Partial;
        row.error = result.error.reason;
        result.outcome = IngestOutcome::Partial;
    } else {
        row.status = CaptureStatus::Complete;
        result.outcome = IngestOutcome::Ingested;
    }
}

// Stores the capture's row; copies of connections or of the whole traffic
// found at the end are taken off the counts.
void finishFile(CaptureStore& store, const CaptureRow& row, IngestFileResult& result)
{
    const CaptureStore::FinishResult finished = store.finishCapture(row);
    result.connections -= std::min(result.connections, finished.duplicates);
    result.clientHellos -= std::min(result.clientHellos, finished.duplicatesWithHello);
    result.duplicateConnections += finished.duplicates;
    result.replacedConnections += finished.replaced;
    if (finished.sameTrafficAs) {
        // The same packet records as a capture already stored: folded into it.
        result.outcome = IngestOutcome::AlreadyPresent;
        result.sameTrafficAs = finished.sameTrafficAs;
        result.captureId = finished.sameTrafficAs;
        result.error = {};
    }
}

// `helperThreads`: the record digest is hashed, and the connections are
// stored, on threads of their own (when every file read at once can have a
// second core for them).
IngestFileResult ingestOne(const std::filesystem::path& path, CaptureStore& store,
                           const IngestOptions& options, ProgressPool& pool, bool helperThreads,
                           IngestObserver* observer = nullptr, std::size_t index = 0)
{
    IngestFileResult result;
    result.path = path;
    std::error_code ec;
    FileProgress progress(pool, path.filename().string(), std::filesystem::file_size(path, ec),
                          observer, index);
    CaptureRow row;
    row.path = path.string();
    row.sizeBytes = progress.fileBytes();
    row.container = row.compression = row.linkTypeName = "unknown";
    if (!claimFile(path, store, row, result, helperThreads)) {
        progress.report(ec ? 0 : progress.fileBytes());
        return result;
    }
    // The claim is released however this function ends.
    struct ClaimGuard {
        CaptureStore& store;
        std::int64_t id;
        ~ClaimGuard() { store.releaseClaim(id); }
    } claimGuard{store, row.id};

    auto reader = CaptureReader::open(path, result.error);
    if (!reader) {
        // Record the failure so that the catalog shows what could not be read.
        row.status = CaptureStatus::Failed;
        row.error = result.error.describe();
        store.finishCapture(row);
        result.outcome = IngestOutcome::Failed;
        progress.done();
        return result;
    }
    const CaptureFormat& fmt = reader->format();
    row.container = fmt.container;
    row.compression = fmt.compression;
    row.linkType = fmt.linkType;
    row.linkTypeName = fmt.linkTypeName;

    ConnectionBatch batch(store, row.id, options.batchSize, result, helperThreads);
    Trackers tracker(options, [&](Connection&& c) { batch.add(std::move(c)); });
    BackgroundSha256 records(helperThreads);
    const ReadOutcome read =
        readRecords(*reader, tracker, row, records, result, progress, pool.feedback());
    if (read.end == ReadOutcome::End::Cancelled) {
        // Connections still open are not stored: the capture stays incomplete
        // and a later ingest of the same file redoes it from the start.
        batch.finish();
        tracker.count(result);
        result.outcome = IngestOutcome::Cancelled;
        return result;
    }
    tracker.finishAll();
    batch.finish();
    progress.done();

    tracker.count(result);
    row.packets = result.packets;
    row.tcpPackets = result.tcpPackets;
    row.udpPackets = result.udpPackets;
    settleStatus(path, read, row, result);
    row.recordDigest = records.finishHex();
    finishFile(store, row, result);
    return result;
}

} // namespace

IngestFileResult ingestFile(const std::filesystem::path& path, CaptureStore& store,
                            const IngestOptions& options, Feedback& feedback)
{
    std::error_code ec;
    ProgressPool progress(feedback, std::filesystem::file_size(path, ec));
    store.lockForIngest();
    return ingestOne(path, store, options, progress, std::thread::hardware_concurrency() > 1);
}

void IngestObserver::fileStarted(std::size_t, const std::filesystem::path&) {}
void IngestObserver::fileProgress(std::size_t, double) {}
void IngestObserver::fileFinished(std::size_t, const IngestFileResult&) {}

std::vector<IngestFileResult> ingestFiles(const std::vector<std::filesystem::path>& paths,
                                          CaptureStore& store, const IngestOptions& options,
                                          Feedback& feedback, IngestObserver* observer)
{
    std::uint64_t total = 0;
    for (const auto& p : paths) {
        std::error_code ec;
        const auto n = std::filesystem::file_size(p, ec);
        if (!ec)
            total += n;
    }
    ProgressPool progress(feedback, total);
    // By default half the cores: every file read then has a second core for
    // its two helpers (the record digest, the catalog's writes), which on
    // two cores beat two files read at once without them (README, Ingest).
    unsigned threads =
        options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency() / 2);
    threads = static_cast<unsigned>(std::min<std::size_t>(threads, paths.size()));
    if (threads > 1)
        progress.setFixedStage(std::to_string(paths.size()) + " files");
    const bool helperThreads = 2 * threads <= std::thread::hardware_concurrency();
    store.lockForIngest();
    std::vector<IngestFileResult> results(paths.size());
    std::atomic<std::size_t> nextIndex{0};
    std::mutex errorMutex;
    std::exception_ptr firstError;

    auto worker = [&] {
        for (;;) {
            const std::size_t i = nextIndex.fetch_add(1);
            if (i >= paths.size())
                return;
            if (feedback.isCancelled()) {
                results[i].path = paths[i];
                results[i].outcome = IngestOutcome::Cancelled;
                if (observer)
                    observer->fileFinished(i, results[i]);
                continue;
            }
            if (observer)
                observer->fileStarted(i, paths[i]);
            try {
                results[i] =
                    ingestOne(paths[i], store, options, progress, helperThreads, observer, i);
            } catch (...) {
                // A catalog failure (disk full, locked) stops everything.
                std::lock_guard lock(errorMutex);
                if (!firstError)
                    firstError = std::current_exception();
                feedback.cancel();
                results[i].path = paths[i];
                results[i].outcome = IngestOutcome::Failed;
            }
            if (observer)
                observer->fileFinished(i, results[i]);
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t)
        pool.emplace_back(worker);
    worker();
    for (auto& t : pool)
        t.join();
    if (firstError)
        std::rethrow_exception(firstError);
    return results;
}

} // namespace snilab
