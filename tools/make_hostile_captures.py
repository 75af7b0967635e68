#!/usr/bin/env python3
"""Writes the hostile-input corpus of tests/data/hostile/ (the source of truth for it).

Captures whose *traffic* is the attack: the SNI is chosen by whoever is on the
monitored network, so every byte of it must be harmless in every file and
terminal snilab writes. Python 3 standard library only, deterministic.

    tools/make_hostile_captures.py [--out DIR] [--list]

hostile_snis.pcap  three TLS connections for each name of HOSTILE (below):
                   newlines that would inject model-file header lines, NUL,
                   spreadsheet formulas, a right-to-left override, a terminal
                   escape sequence, invalid UTF-8, backslashes, quotes and
                   commas. Three per name, so that a model can be trained on
                   them (threshold 3) and its file must survive the labels.
long_sni.pcap      one connection whose ClientHello carries a 60,000-byte SNI
                   in four TLS records (over the 32 KiB reassembly cap: the
                   connection is kept, unlabeled), then one ordinary one.

tests/cli/hostile_test.py replays the corpus through snilab-cli and checks
every output against an independent model of the escape rule
(docs/outputs.md). --list prints the names as Python bytes literals.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_test_captures as m  # noqa: E402

HOSTILE = [
    b"evil.example\nfeature_spec=packets=all;retrans=keep;window=all\nlabel=x.example",
    b"nul\x00byte.example",
    b'=HYPERLINK("http://attacker.example","open").example',
    b"+cmd.example",
    b"-2+3.example",
    b"@sum.example",
    b"moc.\xe2\x80\xaelive.example",
    b"\x1b[2J\x1b]0;pwned\x07.example",
    b"\xff\xfeinvalid-utf8.example",
    b"back\\slash\\x0a.example",
    b'quote",comma.example',
    b"\tleading-tab.example",
    b"'=already-quoted.example",
]
LONG_SNI = b"a" * 59_990 + b".example"
START_S = m.BASE_S + 40_000


def fragmented_hello(sni, name):
    """A ClientHello for `sni` whose handshake message is split over TLS records of at most
    16,384 bytes, as a real client must for a message that large."""
    whole = m.Hello(sni, name).bytes
    hs = whole[5:]  # the handshake message after the record header
    out = b""
    for i in range(0, len(hs), 16384):
        out += m.u8(0x16) + m.u16(0x0301) + m.vec16(hs[i:i + 16384])
    return out


def hostile_snis():
    cap = m.Capture(lambda p, v6, ts: m.ethernet(p, v6, ts), START_S * 1_000_000_000)
    port = 41000
    for rep in range(3):
        for i, sni in enumerate(HOSTILE):
            port += 1
            m.tls_conn(cap, m.Endpoint("10.9.0.2", port), m.Endpoint(f"198.51.100.{10 + i}", 443),
                       f"hostile{i}-{rep}", sni, 0x70000000 + port, server_bytes=1500 + 97 * i)
    return cap


def long_sni():
    cap = m.Capture(lambda p, v6, ts: m.ethernet(p, v6, ts), (START_S + 100) * 1_000_000_000)
    c = m.Conn(cap, m.Endpoint("10.9.0.3", 42000), m.Endpoint("198.51.100.200", 443),
               0x71000000, 0x71000000 ^ 0x5A5A5A5A)
    c.handshake()
    hello = fragmented_hello(LONG_SNI, "long")
    for i in range(0, len(hello), 1448):
        c.send(True, m.ACK | m.PSH, hello[i:i + 1448], dt_us=200 if i == 0 else 20)
    c.server_data(m.server_flight("long", 1800))
    c.close_fin()
    m.tls_conn(cap, m.Endpoint("10.9.0.3", 42001), m.Endpoint("198.51.100.201", 443), "after",
               "after.example", 0x72000000, server_bytes=1800)
    return cap


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "..", "tests", "data", "hostile"))
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    if a.list:
        for sni in HOSTILE:
            print(repr(sni))
        return 0
    os.makedirs(a.out, exist_ok=True)
    for name, build in (("hostile_snis.pcap", hostile_snis), ("long_sni.pcap", long_sni)):
        cap = build()
        m.write_pcap(os.path.join(a.out, name), 1, cap.records)
    return 0


if __name__ == "__main__":
    sys.exit(main())
