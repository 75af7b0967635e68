// Private to engine/catalog/*.cpp: the prepared statements of the ingest
// path and the captures row reader, shared by catalog.cpp (open, queries),
// catalog_store.cpp (claims, connections, identity of traffic) and
// catalog_series.cpp (readers of connections and series).
#pragma once

#include "catalog/catalog.h"
#include "catalog/sqlite_statement.h"

#include <string>

namespace snilab {

namespace catalog_detail {

inline constexpr const char* kCaptureColumns =
    "id, path, content_hash, size_bytes, container, compression, link_type, link_type_name, "
    "packets, tcp_packets, first_ns, last_ns, status, error, record_digest";

CaptureRow readCapture(const Statement& s);

} // namespace catalog_detail

using catalog_detail::kCaptureColumns;
using catalog_detail::readCapture;

struct Catalog::Statements {
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
                            "record_digest = ?12 WHERE id = ?1"),
          insertConnection(
              db, "INSERT INTO connections (capture_id, ip_version, client_ip, client_port, "
                  "server_ip, server_port, start_ns, end_ns, packets_c2s, packets_s2c, "
                  "ip_bytes_c2s, ip_bytes_s2c, payload_bytes_c2s, payload_bytes_s2c, saw_syn, "
                  "client_known, close_reason, has_client_hello, sni, label, tls_versions, alpn, "
                  "ech, ja4) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                  "?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)"),
          insertSeries(db, "INSERT INTO connection_series (connection_id, packets, format, data, "
                           "checksum) VALUES (?1, ?2, 1, ?3, ?4)"),
          findSameConnection(
              db, "SELECT k.id, k.capture_id, c.status, k.packets_c2s + k.packets_s2c, "
                  "k.close_reason FROM connections k JOIN captures c ON c.id = k.capture_id "
                  "WHERE k.start_ns = ?5 AND k.client_port = ?2 AND k.client_ip = ?1 AND "
                  "k.server_ip = ?3 AND k.server_port = ?4 AND k.capture_id <> ?6"),
          deleteConnection(db, "DELETE FROM connections WHERE id = ?1")
    {
    }
};

} // namespace snilab
