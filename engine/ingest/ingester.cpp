#include "ingest/ingester.h"

#include "capture/capture_reader.h"
#include "capture/packet_decoder.h"
#include "common/digest.h"

#include <pcap/pcap.h>

#include <algorithm>
#include <atomic>
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
void addRecord(Sha256& digest, const RawPacket& raw)
{
    digest.updateU64(static_cast<std::uint64_t>(raw.tsNs));
    digest.updateU64((std::uint64_t{raw.capturedLength} << 32) | raw.wireLength);
    digest.updateU64(static_cast<std::uint64_t>(static_cast<std::int64_t>(raw.linkType)));
    digest.update(raw.bytes);
}

// The record digest of a file without ingesting it: over the records read up
// to its end or to a read error, as ingestOne() computes it ("" when the file
// cannot be opened as a capture).
std::string recordDigestOf(const std::filesystem::path& path, InputError& error)
{
    auto reader = CaptureReader::open(path, error);
    if (!reader)
        return {};
    Sha256 digest;
    RawPacket raw;
    while (reader->next(raw, error) == CaptureReader::Next::Packet)
        addRecord(digest, raw);
    return digest.finishHex();
}

IngestFileResult ingestOne(const std::filesystem::path& path, Catalog& catalog,
                           const IngestOptions& options, ProgressPool& progress,
                           IngestObserver* observer = nullptr, std::size_t index = 0)
{
    IngestFileResult result;
    result.path = path;
    Feedback& feedback = progress.feedback();
    const std::string stage = path.filename().string();
    std::error_code ec;
    const std::uint64_t fileBytes = std::filesystem::file_size(path, ec);
    std::uint64_t reported = 0;
    int percent = 0;
    auto report = [&](std::uint64_t consumed) {
        if (consumed > reported) {
            progress.add(consumed - reported, stage);
            reported = consumed;
            const int now =
                fileBytes == 0
                    ? 100
                    : static_cast<int>(std::min<std::uint64_t>(100, consumed * 100 / fileBytes));
            if (observer && now > percent) {
                percent = now;
                observer->fileProgress(index, now / 100.0);
            }
        }
    };

    auto hash = fastFileHash(path, result.error);
    if (!hash) {
        result.outcome = IngestOutcome::Failed;
        report(ec ? 0 : fileBytes);
        return result;
    }
    CaptureRow row;
    row.path = path.string();
    row.contentHash = *hash;
    row.sizeBytes = fileBytes;
    row.container = "unknown";
    row.compression = "unknown";
    row.linkTypeName = "unknown";
    Catalog::Claim claim = catalog.claimCapture(row);
    if (claim.kind == Catalog::Claim::Kind::Present) {
        // The fast hash says "already here"; it could be forged, so the file
        // is skipped only if its records have the stored capture's SHA-256
        // (captures stored before record digests existed trust the hash).
        const auto existing = catalog.capture(claim.id);
        const std::string stored = existing ? existing->recordDigest : std::string();
        InputError ignored;
        if (stored.empty() || recordDigestOf(path, ignored) == stored) {
            result.outcome = IngestOutcome::AlreadyPresent;
            result.captureId = claim.id;
            result.sameTrafficAs = claim.id;
            report(fileBytes);
            return result;
        }
        claim = catalog.claimCapture(row, true);
    } else if (claim.kind == Catalog::Claim::Kind::InFlight) {
        // Another worker reads a file with the same hash right now: read this
        // one too; the same records are folded into one capture at the end and
        // each connection is stored once.
        claim = catalog.claimCapture(row, true);
    }
    row.id = claim.id;
    result.captureId = row.id;
    // The claim is released however this function ends.
    struct ClaimGuard {
        Catalog& catalog;
        std::int64_t id;
        ~ClaimGuard() { catalog.releaseClaim(id); }
    } claimGuard{catalog, row.id};

    auto reader = CaptureReader::open(path, result.error);
    if (!reader) {
        // Record the failure so that the catalog shows what could not be read.
        row.status = CaptureStatus::Failed;
        row.error = result.error.describe();
        catalog.finishCapture(row);
        result.outcome = IngestOutcome::Failed;
        report(fileBytes);
        return result;
    }
    const CaptureFormat& fmt = reader->format();
    row.container = fmt.container;
    row.compression = fmt.compression;
    row.linkType = fmt.linkType;
    row.linkTypeName = fmt.linkTypeName;

    std::vector<Connection> batch;
    batch.reserve(options.batchSize);
    const auto store = [&] {
        const Catalog::AddResult added = catalog.addConnections(row.id, batch);
        result.connections += added.stored;
        result.clientHellos += added.storedWithHello;
        result.duplicateConnections += added.duplicates;
        result.replacedConnections += added.replaced;
        batch.clear();
    };
    ConnectionTracker tracker(options.tracker, [&](Connection&& c) {
        batch.push_back(std::move(c));
        if (batch.size() >= options.batchSize)
            store();
    });
    Sha256 records;

    std::uint64_t unsupportedFrames = 0;
    int unsupportedLinkType = -1;

    RawPacket raw;
    DecodedPacket decoded;
    bool cancelled = false;
    bool readError = false;
    bool firstPacket = true;
    for (;;) {
        const auto next = reader->next(raw, result.error);
        if (next == CaptureReader::Next::End)
            break;
        if (next == CaptureReader::Next::Error) {
            readError = true;
            break;
        }
        ++result.packets;
        addRecord(records, raw);
        if (firstPacket) {
            row.firstNs = row.lastNs = raw.tsNs;
            firstPacket = false;
        } else {
            row.firstNs = std::min(row.firstNs, raw.tsNs);
            row.lastNs = std::max(row.lastNs, raw.tsNs);
        }
        const DecodeStatus status = decodePacket(raw.linkType, raw.bytes, decoded);
        if (status == DecodeStatus::Tcp) {
            tracker.onPacket(raw.tsNs, decoded);
        } else {
            ++result.skippedFrames;
            if (status == DecodeStatus::UnsupportedLink) {
                ++unsupportedFrames;
                unsupportedLinkType = raw.linkType;
            }
        }
        if ((result.packets & 0x3fff) == 0) {
            report(reader->bytesConsumed());
            if (feedback.isCancelled()) {
                cancelled = true;
                break;
            }
        }
    }

    if (cancelled) {
        // Connections still open are not stored: the capture stays incomplete
        // and a later ingest of the same file redoes it from the start.
        if (!batch.empty())
            store();
        result.tcpPackets = tracker.stats().tcpPackets;
        result.outcome = IngestOutcome::Cancelled;
        return result;
    }
    tracker.finishAll();
    if (!batch.empty())
        store();
    report(fileBytes);

    result.tcpPackets = tracker.stats().tcpPackets;
    row.packets = result.packets;
    row.tcpPackets = result.tcpPackets;
    if (readError) {
        row.status = CaptureStatus::Partial;
        row.error = result.error.describe();
        result.outcome = IngestOutcome::Partial;
    } else if (unsupportedFrames > 0) {
        // Readable, but frames of a link type snilab does not decode were skipped.
        const char* name = pcap_datalink_val_to_name(unsupportedLinkType);
        result.error = {
            path.string(), InputError::kNoOffset,
            std::to_string(unsupportedFrames) + " of " + std::to_string(result.packets) +
                " frames have a link type snilab does not decode (" + (name ? name : "unknown") +
                ", " + std::to_string(unsupportedLinkType) + "); they were skipped"};
        row.status = CaptureStatus::Partial;
        row.error = result.error.reason;
        result.outcome = IngestOutcome::Partial;
    } else {
        row.status = CaptureStatus::Complete;
        result.outcome = IngestOutcome::Ingested;
    }
    row.recordDigest = records.finishHex();
    const Catalog::FinishResult finished = catalog.finishCapture(row);
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
    return result;
}

} // namespace

IngestFileResult ingestFile(const std::filesystem::path& path, Catalog& catalog,
                            const IngestOptions& options, Feedback& feedback)
{
    std::error_code ec;
    ProgressPool progress(feedback, std::filesystem::file_size(path, ec));
    catalog.lockForIngest();
    return ingestOne(path, catalog, options, progress);
}

void IngestObserver::fileStarted(std::size_t, const std::filesystem::path&) {}
void IngestObserver::fileProgress(std::size_t, double) {}
void IngestObserver::fileFinished(std::size_t, const IngestFileResult&) {}

std::vector<IngestFileResult> ingestFiles(const std::vector<std::filesystem::path>& paths,
                                          Catalog& catalog, const IngestOptions& options,
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
    unsigned threads =
        options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    threads = static_cast<unsigned>(std::min<std::size_t>(threads, paths.size()));
    if (threads > 1)
        progress.setFixedStage(std::to_string(paths.size()) + " files");
    catalog.lockForIngest();
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
                results[i] = ingestOne(paths[i], catalog, options, progress, observer, i);
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
