#!/usr/bin/env python3
"""A connection of 2 million packets: its 42 statistics cover every packet.

    long_connection_test.py --cli build/app/cli/snilab-cli [--packets 2000000]

Writes one TLS connection (handshake, a real ClientHello with SNI, a bulk
download with varied segment sizes and gaps, ACKs, retransmissions, a few
records out of time order within a short span) as a slimmed pcap, then
ingests it twice: with the default series cap (10,000: the statistics come
from the whole-connection accumulator, series format 2) and with a cap above
its length (the statistics come from the full stored series, the reference).
For each of the four packet selections the exported statistics must agree:
counts, sizes and payloads to float precision, inter-arrival percentiles
within 1/512 (the stated bound, docs/catalog.md). A window or a sequence that
reaches past the stored packets is refused, never computed from fewer, and
so is a truncated series stored without whole statistics (schema 6 and older).
"""

import argparse
import csv
import os
import random
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
from make_scale_captures import ACK, FIN, PSH, SYN, Writer, frame  # noqa: E402
from make_test_captures import Hello  # noqa: E402

SELECTIONS = ["packets=payload;retrans=keep", "packets=all;retrans=keep",
              "packets=payload;retrans=drop", "packets=all;retrans=drop"]
IAT_BOUND = 1.0 / 512


def write_capture(path, packets, seed):
    r = random.Random(seed)
    conn = {"cip": bytes([10, 9, 0, 2]), "cport": 50123, "sip": bytes([172, 16, 9, 9]),
            "seq": [1000, 5000], "ident": 0}
    hello = Hello("long.example.test", "long.example.test").bytes
    w = Writer(path, pcapng=False)
    t = 1_700_000_000_000_000  # µs
    written = 0

    def put(to_server, flags, length, payload=None, dt=0):
        nonlocal t, written
        t += dt
        data, orig = frame(conn, to_server, flags, length, payload)
        w.write(t, data, orig)
        written += 1

    put(True, SYN, 0)
    put(False, SYN | ACK, 0, dt=20_000)
    put(True, ACK, 0, dt=50)
    put(True, PSH | ACK, len(hello), hello, dt=100)
    while written < packets - 3:
        kind = r.random()
        if kind < 0.55:
            length = 1448 if r.random() < 0.7 else r.randrange(1, 1449)
            gap = int(r.expovariate(1 / 40)) if r.random() < 0.9 else int(r.expovariate(1 / 3000))
            back = length if r.random() < 0.01 else 0  # a retransmission of the last segment
            put(False, ACK | (PSH if r.random() < 0.1 else 0), length, dt=gap)
            if back:
                conn["seq"][1] -= length
                put(False, ACK, length, dt=int(r.expovariate(1 / 200)))
        elif kind < 0.95:
            put(True, ACK, 0, dt=int(r.expovariate(1 / 25)))
        else:
            put(True, PSH | ACK, r.randrange(30, 600), dt=int(r.expovariate(1 / 5000)))
        if r.random() < 0.001:
            # A record stamped up to 300 µs early (multi-queue capture): within
            # the reorder window, so time order is restored exactly.
            t_saved = t
            t -= r.randrange(1, 300)
            put(True, ACK, 0)
            t = t_saved
    put(True, FIN | ACK, 0, dt=1000)
    put(False, FIN | ACK, 0, dt=20_000)
    put(True, ACK, 0, dt=10_000)
    w.close()
    return written


def run(cli, *args, ok=True):
    p = subprocess.run([cli, *args], capture_output=True, text=True)
    if ok and p.returncode != 0:
        sys.exit("FAIL: snilab-cli %s: %s" % (" ".join(args), p.stderr.strip()))
    return p


def features(cli, catalog, spec, out):
    run(cli, "features", "--catalog", catalog, "--feature-spec", spec, "--out", out)
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    if len(rows) != 1:
        sys.exit("FAIL: expected one connection in %s, got %d" % (out, len(rows)))
    return rows[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--packets", type=int, default=2_000_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        cap = os.path.join(d, "long.pcap")
        n = write_capture(cap, args.packets, seed=7)
        capped = os.path.join(d, "capped.sqlite")
        full = os.path.join(d, "full.sqlite")
        run(args.cli, "ingest", "--quiet", "--catalog", capped, cap)
        run(args.cli, "ingest", "--quiet", "--catalog", full, "--series-cap", str(n + 10), cap)
        conns = run(args.cli, "connections", "--catalog", capped).stdout
        if str(n) not in conns.replace(",", ""):
            sys.exit("FAIL: the connections table does not show %d packets:\n%s" % (n, conns))
        worst = 0.0
        for spec in SELECTIONS:
            a = features(args.cli, capped, spec, os.path.join(d, "a.csv"))
            b = features(args.cli, full, spec, os.path.join(d, "b.csv"))
            stats = [k for k in b if k.startswith(("s2c_", "c2s_", "all_"))]
            if len(stats) != 42:
                sys.exit("FAIL: %d statistic columns" % len(stats))
            for k in stats:
                x, y = float(a[k]), float(b[k])
                err = abs(x - y) / max(abs(y), 1e-300)
                bound = IAT_BOUND + 1e-6 if "_iat_" in k else 1e-6
                if err > bound and abs(x - y) > 1e-12:
                    sys.exit("FAIL: %s %s: %r with the series cap, %r from every packet "
                             "(relative %.3g > %.3g)" % (spec, k, x, y, err, bound))
                if "_iat_" in k:
                    worst = max(worst, err)
            if float(b["all_packets_count"]) < 10_001:
                sys.exit("FAIL: %s: the reference counts %s packets" % (spec, b["all_packets_count"]))
        # Past the stored packets: refused with the reason, never fewer packets.
        for extra in (["--feature-spec", "window=first:20000"],
                      ["--feature-spec", "seqlen=10000", "--sequences"]):
            p = run(args.cli, "features", "--catalog", capped, "--out",
                    os.path.join(d, "c.csv"), *extra, ok=False)
            if p.returncode == 0 or "series-cap" not in p.stderr:
                sys.exit("FAIL: %s on a truncated series: rc %d, %s"
                         % (extra, p.returncode, p.stderr.strip()))
            run(args.cli, "features", "--catalog", full, "--out", os.path.join(d, "c.csv"),
                *extra)
        # A catalog from before schema 7 (the series truncated, no whole
        # statistics): refused with what to do, never the first 10,000 packets.
        db = sqlite3.connect(capped)
        db.execute("UPDATE connection_series SET format = 1, checksum = '', "
                   "data = substr(data, 1, packets * 16)")
        db.commit()
        db.close()
        p = run(args.cli, "features", "--catalog", capped, "--out", os.path.join(d, "c.csv"),
                ok=False)
        if p.returncode == 0 or "no whole-connection statistics" not in p.stderr:
            sys.exit("FAIL: a truncated series without whole statistics: rc %d, %s"
                     % (p.returncode, p.stderr.strip()))
        print("ok: %d packets; 4 selections x 42 statistics agree; worst IAT percentile "
              "error %.2g (bound %.2g)" % (n, worst, IAT_BOUND))


if __name__ == "__main__":
    main()
