// The rows a catalog stores and returns: captures, connections, series,
// label counts and runs (docs/catalog.md documents the schema), and the one
// error type of the catalog module.
#pragma once

#include "common/results.h"
#include "flow/connection.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

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
    std::uint64_t udpPackets = 0; // frames decoded to UDP (not tunnels); 0 before schema 6
    std::int64_t firstNs = 0;
    std::int64_t lastNs = 0;
    CaptureStatus status = CaptureStatus::Incomplete;
    std::string error;
    std::uint64_t connections = 0; // filled by queries
    std::uint64_t labeled = 0;     // filled by queries
};

struct ConnectionRow {
    std::int64_t id = 0;
    Transport transport = Transport::Tcp;
    std::uint32_t quicVersion = 0; // QUIC only
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
    Transport transport = Transport::Tcp;
    std::string sni;
    std::vector<PacketRecord> series;
    // Set when the series is truncated: the statistics over every packet
    // (flow/whole_statistics.h). A catalog of schema 6 or older has none.
    std::shared_ptr<const WholeStatistics> whole;
    std::uint64_t totalPackets = 0; // of the whole connection (the `connections` totals)
    bool truncated() const noexcept { return series.size() < totalPackets; }
};

struct LabelCount {
    std::string label; // empty = unlabeled
    std::uint64_t connections = 0;
    std::uint64_t captures = 0;
    std::uint64_t quic = 0; // of `connections`, carried by QUIC
};

// One row of the run registry (schema 2; owner since schema 4). RunStatus and
// the result types: common/results.h.
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

} // namespace snilab
