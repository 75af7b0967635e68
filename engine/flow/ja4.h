// JA4 TLS client fingerprint (FoxIO, BSD-3-Clause specification), for TLS
// over TCP and for QUIC.
//
// Format: a_b_c where
//   a = "t" (ClientHelloInfo::transport Tcp) or "q" (Quic)
//       + version ("13","12","11","10","s3","s2","00") + ("d" if SNI present else "i")
//       + 2-digit cipher count + 2-digit extension count (GREASE ignored, capped at 99)
//       + first and last character of the first ALPN value ("00" if none;
//         non-alphanumeric first/last bytes use the hex rules of the spec)
//   b = first 12 hex of sha256 of the sorted cipher suites as 4-hex, comma-joined
//       ("000000000000" if none)
//   c = first 12 hex of sha256 of sorted extensions (without 0x0000 SNI and 0x0010 ALPN)
//       comma-joined, then "_" and the signature algorithms in original order
//       ("000000000000" if no extensions remain)
#pragma once

#include <string>

namespace snilab {

struct ClientHelloInfo;

std::string computeJa4(const ClientHelloInfo& hello);

} // namespace snilab
