#include "commands.h"

#include "models/model_error.h"

#include "cli_args.h"
#include "cli_progress.h"

#include "catalog/catalog.h"
#include "ingest/capture_files.h"
#include "ingest/ingester.h"
#include "report/json_writer.h"
#include "report/output_guard.h"
#include "report/table_writer.h"
#include "report/text_escape.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>
#include <unistd.h>

namespace snilab::cli {
namespace {

constexpr const char* kIngestHelp =
    R"(usage: snilab-cli ingest --catalog C.sqlite [OPTIONS] FILE|DIR...

Read capture files into the flow catalog C.sqlite (created if missing).
pcap (µs, ns), pcapng, and the same compressed with gzip or zstd are read
directly. A directory is searched recursively for *.pcap, *.pcapng, *.cap,
*.dmp and *.mcap files (optionally .gz or .zst). Traffic is stored once: a
file whose decoded packet records (SHA-256) are already in the catalog adds
nothing (the same capture as .pcap, .pcapng, .gz or .zst), a connection
already stored from another capture is not stored again (overlapping
captures, a capture re-read after it grew), and an interrupted file is
redone.

Options:
  --catalog PATH        catalog file (required)
  --threads N           files read in parallel (default: half the cores; each
                        file read has a helper thread hashing its records and
                        one storing its connections when 2N <= cores)
  --idle-timeout SEC    a TCP connection idle this long ends (default 600)
  --quic-idle-timeout SEC
                        a QUIC connection idle this long ends (default 30;
                        QUIC has no visible FIN)
  --series-cap N        packets stored per connection (default 10000;
                        the totals and whole-connection statistics still
                        cover every packet)
  --max-live N          connections tracked at once per file (default
                        4000000); beyond, the least recently active tenth
                        is closed early (close reason "evicted"): memory
                        stays bounded on captures with huge numbers of
                        simultaneous connections
  --quiet               no progress and no per-run summary
  --help                show this help

Progress goes to stderr: a bar on a terminal, otherwise one line every
SNILAB_PROGRESS_SECONDS seconds (default 10). Each file that cannot be read
(whole or in part) gets one line on stderr; the others are still ingested.
Ctrl-C stops cleanly: committed batches are kept and the interrupted capture
stays 'incomplete' until it is ingested again.
Exit status: 0 all files read, 1 some file unreadable or partial, 2 usage,
3 catalog error, 130/143/129 interrupted (SIGINT/SIGTERM/SIGHUP).
)";

constexpr const char* kSummaryHelp =
    R"(usage: snilab-cli summary --catalog C.sqlite [--format table|csv | --json] [--label-mode default|paper]

Connections per label, labeled (with an SNI) vs unlabeled, and per capture.

Options:
  --catalog PATH        catalog file (required)
  --format table|csv    output format (default table). csv: one table with the
                        columns kind,name,connections,labeled,unlabeled,
                        captures,status,packets,error,quic where kind is
                        total, label or capture (quic: of the connections,
                        those carried by QUIC)
  --json                one JSON document instead: catalog, label_mode,
                        captures (by status), connections (total, labeled,
                        unlabeled, tcp, quic), labels [{label, connections,
                        quic, captures}], capture_files [{path, status,
                        packets, connections, labeled, error}]
                        (docs/outputs.md: strings are exact, output ASCII)
  --label-mode MODE     default: SNI lowercased, trailing dot removed;
                        paper: also strip digits and '-' left of the
                        registrable domain (the paper's normalisation)
  --help                show this help
)";

constexpr const char* kConnectionsHelp =
    R"(usage: snilab-cli connections --catalog C.sqlite [--format csv|tsv] [--label-mode default|paper]

One row per connection, ordered by capture and start time, with the columns
capture, client_ip, client_port, server_ip, server_port, ip_version,
start_ns, end_ns, packets, packets_c2s, packets_s2c, ip_bytes_c2s,
ip_bytes_s2c, payload_bytes_c2s, payload_bytes_s2c, saw_syn, close_reason,
has_client_hello, sni, label, tls_versions, alpn, ech, ja4, transport
(tcp or quic), quic_version (the QUIC version of the client's first Initial
as 0x-prefixed hex; empty for TCP).

Options:
  --catalog PATH        catalog file (required)
  --format csv|tsv      output format (default csv, RFC 4180 quoting)
  --label-mode MODE     default or paper (see `snilab-cli summary --help`)
  --out FILE            write to FILE instead of standard output
  --help                show this help
)";

const Command kCommands[] = {
    {"ingest", kIngestHelp, &ingestCommand},
    {"summary", kSummaryHelp, &summaryCommand},
    {"connections", kConnectionsHelp, &connectionsCommand},
    {"evaluate", kEvaluateHelp, &evaluateCommand},
    {"runs", kRunsHelp, &runsCommand},
    {"report", kReportHelp, &reportCommand},
    {"features", kFeaturesHelp, &featuresCommand},
    {"train", kTrainHelp, &trainCommand},
    {"predict", kPredictHelp, &predictCommand},
};

} // namespace

std::vector<std::filesystem::path> expandInputs(const std::vector<std::string>& inputs)
{
    return findCaptureFiles({inputs.begin(), inputs.end()});
}

LabelMode labelModeOption(const Args& args)
{
    const std::string text = args.value("label-mode").value_or("default");
    const auto mode = parseLabelMode(text);
    if (!mode)
        throw UsageError("--label-mode must be default or paper, not '" + text + "'");
    return *mode;
}

TransportFilter transportOption(const Args& args)
{
    const std::string text = args.value("transport").value_or("all");
    const auto filter = parseTransportFilter(text);
    if (!filter)
        throw UsageError("--transport must be tcp, quic or all, not '" + text + "'");
    return *filter;
}

const Command* findCommand(const std::string& name)
{
    for (const Command& c : kCommands)
        if (name == c.name)
            return &c;
    return nullptr;
}

int runCommand(const Command& command, const std::vector<std::string>& args)
{
    try {
        return command.run(args);
    } catch (const report::OutputConflict& e) {
        std::fprintf(stderr, "snilab-cli %s: %s (see snilab-cli %s --help)\n", command.name,
                     e.what(), command.name);
        return kExitUsage;
    } catch (const UsageError& e) {
        std::fprintf(stderr, "snilab-cli %s: %s (see snilab-cli %s --help)\n", command.name,
                     e.what(), command.name);
        return kExitUsage;
    } catch (const CatalogError& e) {
        std::fprintf(stderr, "snilab-cli %s: catalog error: %s\n", command.name, e.what());
        return kExitCatalog;
    } catch (const OutputError& e) {
        std::fprintf(stderr, "snilab-cli %s: %s\n", command.name, e.what());
        return kExitOutput;
    } catch (const ModelError& e) {
        std::fprintf(stderr, "snilab-cli %s: %s\n", command.name, e.what());
        return kExitBadInput;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "snilab-cli %s: %s\n", command.name, e.what());
        return kExitCatalog;
    }
}

namespace {

// An idle timeout option in seconds (1 s to 100 years), in nanoseconds.
std::int64_t idleTimeoutOption(const Args& args, const std::string& name,
                               unsigned long long fallbackSeconds)
{
    const unsigned long long seconds = args.number(name, fallbackSeconds);
    if (seconds == 0 || seconds > 100ull * 365 * 86400)
        throw UsageError("--" + name + " must be between 1 and 3153600000 seconds");
    return static_cast<std::int64_t>(seconds) * 1'000'000'000;
}

IngestOptions ingestOptions(const Args& args)
{
    IngestOptions options;
    options.threads = threadsOption(args);
    options.tracker.idleTimeoutNs = idleTimeoutOption(args, "idle-timeout", 600);
    options.quic.idleTimeoutNs = idleTimeoutOption(args, "quic-idle-timeout", 30);
    options.tracker.maxSeriesPackets = args.number("series-cap", 10000);
    if (options.tracker.maxSeriesPackets == 0 || options.tracker.maxSeriesPackets > 100'000'000)
        throw UsageError("--series-cap must be between 1 and 100000000");
    options.tracker.maxLiveConnections = args.number("max-live", 4'000'000);
    if (options.tracker.maxLiveConnections == 0)
        throw UsageError("--max-live must be at least 1");
    options.quic.maxSeriesPackets = options.tracker.maxSeriesPackets;
    options.quic.maxLiveConnections = options.tracker.maxLiveConnections;
    if (const std::string why = validateQuicTrackerOptions(options.quic); !why.empty())
        throw UsageError(why);
    return options;
}

} // namespace

int ingestCommand(const std::vector<std::string>& argv)
{
    const Args args(
        argv, {"catalog", "threads", "idle-timeout", "quic-idle-timeout", "series-cap", "max-live"},
        {"quiet"});
    const std::string catalogPath = args.required("catalog");
    if (args.positional().empty())
        throw UsageError("no capture files given");
    const IngestOptions options = ingestOptions(args);
    const bool quiet = args.has("quiet");

    const auto files = expandInputs(args.positional());
    if (files.empty())
        throw UsageError("no capture files found in the given directories");

    Catalog catalog(catalogPath);
    TerminalProgress progress("ingest", quiet);
    std::vector<IngestFileResult> results;
    {
        const InterruptScope interrupt(progress);
        results = ingestFiles(files, catalog.captures(), options, progress);
    }
    progress.finish();

    std::uint64_t counts[5] = {0, 0, 0, 0, 0};
    std::uint64_t packets = 0, connections = 0, quic = 0, hellos = 0, duplicates = 0, replaced = 0;
    std::map<std::int64_t, std::string> pathOf;
    for (const auto& c : catalog.captures().all())
        pathOf[c.id] = c.path;
    for (const auto& r : results) {
        ++counts[static_cast<int>(r.outcome)];
        packets += r.packets;
        connections += r.connections;
        quic += r.quicConnections;
        hellos += r.clientHellos;
        duplicates += r.duplicateConnections;
        replaced += r.replacedConnections;
        if (!quiet && r.outcome == IngestOutcome::AlreadyPresent && pathOf.count(r.sameTrafficAs) &&
            pathOf[r.sameTrafficAs] != r.path.string())
            std::printf("%s: the same traffic as %s, already present\n",
                        report::escapeText(r.path.string()).c_str(),
                        report::escapeText(pathOf[r.sameTrafficAs]).c_str());
        if (r.outcome == IngestOutcome::Failed || r.outcome == IngestOutcome::Partial)
            std::fprintf(stderr, "snilab-cli ingest: %s%s\n",
                         r.outcome == IngestOutcome::Partial ? "partly read: " : "",
                         report::escapeText(r.error.oneLine()).c_str());
    }
    const bool interrupted = progress.isCancelled();
    if (!quiet && duplicates > 0)
        std::printf("%llu connections were already in the catalog from another capture and are "
                    "counted once\n",
                    static_cast<unsigned long long>(duplicates));
    if (!quiet && replaced > 0)
        std::printf("%llu connections cut short by the end of their capture were replaced by "
                    "longer copies\n",
                    static_cast<unsigned long long>(replaced));
    if (!quiet)
        std::printf(
            "%zu files: %llu ingested, %llu already present, %llu partial, %llu failed%s; "
            "%llu packets, %llu connections (%llu QUIC), %llu with a ClientHello\n",
            results.size(), static_cast<unsigned long long>(counts[0]),
            static_cast<unsigned long long>(counts[1]), static_cast<unsigned long long>(counts[2]),
            static_cast<unsigned long long>(counts[3]), interrupted ? ", interrupted" : "",
            static_cast<unsigned long long>(packets), static_cast<unsigned long long>(connections),
            static_cast<unsigned long long>(quic), static_cast<unsigned long long>(hellos));
    if (interrupted) {
        std::fprintf(stderr, "snilab-cli ingest: interrupted; committed batches are kept, "
                             "interrupted captures stay incomplete until ingested again\n");
        return interruptedExitCode();
    }
    return (counts[2] + counts[3]) > 0 ? kExitBadInput : kExitOk;
}

namespace {

// `summary --format csv`: one table of totals, labels and captures.
void printSummaryCsv(std::uint64_t total, std::uint64_t unlabeled, std::uint64_t quic,
                     const std::vector<LabelCount>& sorted, const std::vector<CaptureRow>& captures)
{
    report::TableWriter out(stdout, report::TableWriter::Style::Csv);
    out.row({"kind", "name", "connections", "labeled", "unlabeled", "captures", "status", "packets",
             "error", "quic"});
    out.row({"total", "", std::to_string(total), std::to_string(total - unlabeled),
             std::to_string(unlabeled), std::to_string(captures.size()), "", "", "",
             std::to_string(quic)});
    for (const auto& l : sorted)
        out.row({"label", l.label, std::to_string(l.connections),
                 l.label.empty() ? "0" : std::to_string(l.connections),
                 l.label.empty() ? std::to_string(l.connections) : "0", std::to_string(l.captures),
                 "", "", "", std::to_string(l.quic)});
    for (const auto& c : captures)
        out.row({"capture", c.path, std::to_string(c.connections), std::to_string(c.labeled),
                 std::to_string(c.connections - c.labeled), "1",
                 std::string(captureStatusName(c.status)), std::to_string(c.packets), c.error, ""});
}

// `summary --json`: the same figures as one JSON document.
void printSummaryJson(const std::string& catalogPath, LabelMode mode, std::uint64_t total,
                      std::uint64_t unlabeled, std::uint64_t quic,
                      const std::vector<LabelCount>& sorted,
                      const std::vector<CaptureRow>& captures)
{
    report::JsonWriter json;
    json.beginObject().field("catalog", catalogPath).field("label_mode", labelModeName(mode));
    json.key("captures").beginObject().field("total", captures.size());
    for (const CaptureStatus status : {CaptureStatus::Complete, CaptureStatus::Partial,
                                       CaptureStatus::Incomplete, CaptureStatus::Failed})
        json.field(captureStatusName(status),
                   std::count_if(captures.begin(), captures.end(),
                                 [&](const CaptureRow& c) { return c.status == status; }));
    json.endObject();
    json.key("connections")
        .beginObject()
        .field("total", total)
        .field("labeled", total - unlabeled)
        .field("unlabeled", unlabeled)
        .field("tcp", total - quic)
        .field("quic", quic)
        .endObject();
    json.key("labels").beginArray();
    for (const auto& l : sorted) {
        json.beginObject();
        if (l.label.empty())
            json.key("label").null();
        else
            json.field("label", l.label);
        json.field("connections", l.connections)
            .field("quic", l.quic)
            .field("captures", l.captures)
            .endObject();
    }
    json.endArray().key("capture_files").beginArray();
    for (const auto& c : captures)
        json.beginObject()
            .field("path", c.path)
            .field("status", captureStatusName(c.status))
            .field("packets", c.packets)
            .field("connections", c.connections)
            .field("labeled", c.labeled)
            .field("error", c.error)
            .endObject();
    json.endArray().endObject();
    std::fputs(json.text().c_str(), stdout);
}

} // namespace

int summaryCommand(const std::vector<std::string>& argv)
{
    const Args args(argv, {"catalog", "format", "label-mode"}, {"json"});
    if (!args.positional().empty())
        throw UsageError("unexpected argument '" + args.positional().front() + "'");
    if (args.has("json") && args.has("format"))
        throw UsageError("--json and --format exclude each other");
    const std::string format = args.value("format").value_or("table");
    if (format != "table" && format != "csv")
        throw UsageError("--format must be table or csv, not '" + format + "'");
    const LabelMode mode = labelModeOption(args);
    auto catalog = Catalog::openExisting(args.required("catalog"));
    const auto captures = catalog->captures().all();
    const auto labels = catalog->connections().labelCounts(mode);

    std::uint64_t total = 0, unlabeled = 0, quic = 0;
    std::size_t labelCount = 0;
    for (const auto& l : labels) {
        total += l.connections;
        quic += l.quic;
        if (l.label.empty())
            unlabeled += l.connections;
        else
            ++labelCount;
    }
    std::uint64_t byStatus[4] = {0, 0, 0, 0};
    for (const auto& c : captures)
        ++byStatus[static_cast<int>(c.status)];
    // Labels by connection count, most first; unlabeled last.
    std::vector<LabelCount> sorted(labels.begin(), labels.end());
    std::stable_sort(sorted.begin(), sorted.end(), [](const LabelCount& a, const LabelCount& b) {
        if (a.label.empty() != b.label.empty())
            return b.label.empty();
        return a.connections > b.connections;
    });

    if (args.has("json")) {
        printSummaryJson(catalog->path().string(), mode, total, unlabeled, quic, sorted, captures);
        return kExitOk;
    }
    if (format == "csv") {
        printSummaryCsv(total, unlabeled, quic, sorted, captures);
        return kExitOk;
    }

    std::printf("catalog      %s\n", catalog->path().c_str());
    std::printf("captures     %zu (complete %llu, partial %llu, incomplete %llu, failed %llu)\n",
                captures.size(), static_cast<unsigned long long>(byStatus[1]),
                static_cast<unsigned long long>(byStatus[2]),
                static_cast<unsigned long long>(byStatus[0]),
                static_cast<unsigned long long>(byStatus[3]));
    std::printf(
        "connections  %llu: %llu labeled (with SNI), %llu unlabeled; %llu TCP, %llu QUIC\n",
        static_cast<unsigned long long>(total), static_cast<unsigned long long>(total - unlabeled),
        static_cast<unsigned long long>(unlabeled), static_cast<unsigned long long>(total - quic),
        static_cast<unsigned long long>(quic));
    std::printf("labels       %zu (label mode %s)\n\n", labelCount,
                std::string(labelModeName(mode)).c_str());
    report::TableWriter labelsOut(stdout, report::TableWriter::Style::Aligned);
    labelsOut.row({"label", "connections", "quic", "captures"});
    for (const auto& l : sorted)
        labelsOut.row({l.label.empty() ? "(unlabeled)" : l.label, std::to_string(l.connections),
                       std::to_string(l.quic), std::to_string(l.captures)});
    labelsOut.flush();
    std::printf("\n");
    report::TableWriter capturesOut(stdout, report::TableWriter::Style::Aligned);
    capturesOut.row({"capture", "status", "packets", "connections", "labeled", "error"});
    for (const auto& c : captures)
        capturesOut.row({c.path, std::string(captureStatusName(c.status)),
                         std::to_string(c.packets), std::to_string(c.connections),
                         std::to_string(c.labeled), c.error});
    capturesOut.flush();
    return kExitOk;
}

int connectionsCommand(const std::vector<std::string>& argv)
{
    const Args args(argv, {"catalog", "format", "label-mode", "out"}, {});
    if (!args.positional().empty())
        throw UsageError("unexpected argument '" + args.positional().front() + "'");
    const std::string format = args.value("format").value_or("csv");
    if (format != "csv" && format != "tsv")
        throw UsageError("--format must be csv or tsv, not '" + format + "'");
    const LabelMode mode = labelModeOption(args);
    auto catalog = Catalog::openExisting(args.required("catalog"));

    FILE* file = stdout;
    std::optional<report::AtomicFile> owned;
    if (const auto out = args.value("out")) {
        report::refuseOverwrite(*out, report::catalogInputs(catalog->path()), "--out");
        owned.emplace(*out);
        file = owned->stream();
    }
    report::TableWriter out(file, format == "csv" ? report::TableWriter::Style::Csv
                                                  : report::TableWriter::Style::Tsv);
    out.row({"capture",
             "client_ip",
             "client_port",
             "server_ip",
             "server_port",
             "ip_version",
             "start_ns",
             "end_ns",
             "packets",
             "packets_c2s",
             "packets_s2c",
             "ip_bytes_c2s",
             "ip_bytes_s2c",
             "payload_bytes_c2s",
             "payload_bytes_s2c",
             "saw_syn",
             "close_reason",
             "has_client_hello",
             "sni",
             "label",
             "tls_versions",
             "alpn",
             "ech",
             "ja4",
             "transport",
             "quic_version"});
    catalog->connections().forEachConnection([&](const ConnectionRow& r) {
        out.row({r.capturePath,
                 r.clientIp,
                 std::to_string(r.clientPort),
                 r.serverIp,
                 std::to_string(r.serverPort),
                 std::to_string(r.ipVersion),
                 std::to_string(r.startNs),
                 std::to_string(r.endNs),
                 std::to_string(r.packets[0] + r.packets[1]),
                 std::to_string(r.packets[0]),
                 std::to_string(r.packets[1]),
                 std::to_string(r.ipBytes[0]),
                 std::to_string(r.ipBytes[1]),
                 std::to_string(r.payloadBytes[0]),
                 std::to_string(r.payloadBytes[1]),
                 r.sawSyn ? "1" : "0",
                 r.closeReason,
                 r.hasClientHello ? "1" : "0",
                 r.sni,
                 mode == LabelMode::Default ? r.label : normalizeLabel(r.sni, mode),
                 r.tlsVersions,
                 r.alpn,
                 r.ech ? "1" : "0",
                 r.ja4,
                 std::string(transportName(r.transport)),
                 r.transport == Transport::Quic ? quicVersionText(r.quicVersion) : std::string()});
    });
    out.flush();
    if (owned)
        owned->commit();
    else if (std::fflush(file) != 0 || std::ferror(file))
        throw OutputError("write error on the output");
    return kExitOk;
}

} // namespace snilab::cli
