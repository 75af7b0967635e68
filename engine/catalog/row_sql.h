// Internal to engine/catalog: the SELECT lists that read a ConnectionRow
// (connections k joined with captures c) and a RunInfo (runs), and the
// functions that decode them, shared by Catalog, CatalogBrowser and the
// read-only run list.
#pragma once

#include "catalog/catalog_rows.h"
#include "catalog/sqlite_statement.h"
#include "common/process_identity.h"

namespace snilab {

// "SELECT <these> FROM connections k JOIN captures c ON c.id = k.capture_id ..."
inline constexpr const char* kConnectionRowColumns =
    "k.id, k.capture_id, c.path, k.client_ip, k.client_port, k.server_ip, "
    "k.server_port, k.ip_version, k.start_ns, k.end_ns, k.packets_c2s, k.packets_s2c, "
    "k.ip_bytes_c2s, k.ip_bytes_s2c, k.payload_bytes_c2s, k.payload_bytes_s2c, "
    "k.saw_syn, k.close_reason, k.has_client_hello, k.sni, k.label, k.tls_versions, "
    "k.alpn, k.ech, k.ja4, k.transport, k.quic_version";

inline void readConnectionRow(const Statement& s, ConnectionRow& r)
{
    r.id = s.i64(0);
    r.captureId = s.i64(1);
    r.capturePath = s.text(2);
    r.clientIp = s.text(3);
    r.clientPort = static_cast<std::uint16_t>(s.i64(4));
    r.serverIp = s.text(5);
    r.serverPort = static_cast<std::uint16_t>(s.i64(6));
    r.ipVersion = static_cast<int>(s.i64(7));
    r.startNs = s.i64(8);
    r.endNs = s.i64(9);
    for (int d = 0; d < 2; ++d) {
        r.packets[d] = static_cast<std::uint64_t>(s.i64(10 + d));
        r.ipBytes[d] = static_cast<std::uint64_t>(s.i64(12 + d));
        r.payloadBytes[d] = static_cast<std::uint64_t>(s.i64(14 + d));
    }
    r.sawSyn = s.i64(16) != 0;
    r.closeReason = s.text(17);
    r.hasClientHello = s.i64(18) != 0;
    r.sni = s.text(19);
    r.label = s.text(20);
    r.tlsVersions = s.text(21);
    r.alpn = s.text(22);
    r.ech = s.i64(23) != 0;
    r.ja4 = s.text(24);
    r.transport = parseTransport(s.text(25)).value_or(Transport::Tcp);
    r.quicVersion = static_cast<std::uint32_t>(s.i64(26));
}

// "SELECT <these> FROM runs ..." (schema 4; readers of older catalogs use
// kRunInfoColumnsNoOwner).
inline constexpr const char* kRunInfoColumns =
    "id, created_at, coalesce(finished_at, ''), status, config, seed, data_fingerprint, "
    "coalesce(error, ''), owner";
inline constexpr const char* kRunInfoColumnsNoOwner =
    "id, created_at, coalesce(finished_at, ''), status, config, seed, data_fingerprint, "
    "coalesce(error, ''), ''";

inline RunInfo readRunInfo(const Statement& s)
{
    RunInfo r;
    r.id = s.i64(0);
    r.createdAt = s.text(1);
    r.finishedAt = s.text(2);
    r.status = parseRunStatus(s.text(3));
    r.config = s.text(4);
    r.seed = static_cast<std::uint64_t>(s.i64(5));
    r.dataFingerprint = s.text(6);
    r.error = s.text(7);
    r.owner = s.text(8);
    if (r.status == RunStatus::Running && ownerState(r.owner) == OwnerState::Dead)
        r.status = RunStatus::Interrupted;
    return r;
}

} // namespace snilab
