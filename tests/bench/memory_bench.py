#!/usr/bin/env python3
"""Memory benchmark: peak RSS of `snilab-cli ingest` vs simultaneous connections.

Interleaves N replicas of a real capture's connections (snilab-make-bench-capture
--interleave: packet i of every replica, then packet i+1), so that N x (the
source's connections) are open at once, and measures the ingest's peak RSS for
growing N; then repeats the largest with --max-live to show the eviction cap
bounding memory. Per live connection the tracker holds its key, counters, the
first packets of its series (reserved 32, up to --series-cap) and at most
2 x 32 KiB of ClientHello reassembly bytes while a hello is incomplete.

Then the same number of short connections (snilab-make-short-connections:
handshake, ClientHello, a server flight, FINs, last ACK) once packed into
--short-span seconds, far less than the 60 s a closed connection lingers, and
once spread over --spread-span seconds: a connection whose FINs are both
acknowledged is handed out at once, so the two peaks should match.
"""
import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

DEFAULT_SOURCE = "pcapplusplus/Tests/ExamplesTest/pcap_examples/tls2.pcap"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True)
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "..", "shared", "data"))
    ap.add_argument("--source")
    ap.add_argument("--replicas", default="1,10,100,500")
    ap.add_argument("--max-live", type=int, default=20000)
    ap.add_argument("--short", type=int, default=150000, help="short connections (0: skip)")
    ap.add_argument("--short-span", type=float, default=1.35)
    ap.add_argument("--spread-span", type=float, default=1200.0)
    args = ap.parse_args()
    source = args.source or os.path.join(args.data, DEFAULT_SOURCE)
    bench = os.path.join(args.build, "tests", "bench")
    cli = os.path.join(args.build, "app", "cli", "snilab-cli")
    work = tempfile.mkdtemp(prefix="snilab-mem-bench-")
    try:
        if args.short:
            short_connections(args, bench, cli, work)
        if not os.path.exists(source):
            print(f"SKIP: {source} is absent")
            return 77
        print()
        print(f"{'replicas':>9}{'packets':>11}{'connections':>13}{'max-live':>10}{'evicted':>9}"
              f"{'peak RSS MiB':>14}{'KiB/conn':>10}")
        runs = [(int(n), None) for n in args.replicas.split(",")]
        runs.append((runs[-1][0], args.max_live))
        for n, max_live in runs:
            cap = os.path.join(work, f"x{n}.pcap")
            if not os.path.exists(cap):
                subprocess.run([os.path.join(bench, "snilab-make-bench-capture"), "--interleave",
                                source, cap, str(n * 7451)], check=True, capture_output=True)
            cat = os.path.join(work, f"c{n}-{max_live}.sqlite")
            cmd = [os.path.join(bench, "snilab-peak-rss"), cli, "ingest", "--quiet", "--threads", "1",
                   "--catalog", cat, cap]
            if max_live:
                cmd[-1:-1] = ["--max-live", str(max_live)]
            p = subprocess.run(cmd, capture_output=True, text=True)
            rss = int(re.search(r"peak_rss_kib (\d+)", p.stderr).group(1))
            db = sqlite3.connect(cat)
            conns = db.execute("SELECT count(*) FROM connections").fetchone()[0]
            evicted = db.execute("SELECT count(*) FROM connections WHERE close_reason = 'evicted'").fetchone()[0]
            packets = db.execute("SELECT sum(packets) FROM captures").fetchone()[0]
            db.close()
            print(f"{n:>9}{packets:>11}{conns:>13}{(max_live or '-'):>10}{evicted:>9}"
                  f"{rss / 1024:>14.1f}{rss / max(conns, 1):>10.2f}")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def peak_rss_ingest(bench, cli, catalog, capture):
    cmd = [os.path.join(bench, "snilab-peak-rss"), cli, "ingest", "--quiet", "--threads", "1",
           "--catalog", catalog, capture]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"ingest failed: {p.stderr}")
    return int(re.search(r"peak_rss_kib (\d+)", p.stderr).group(1))


def short_connections(args, bench, cli, work):
    print(f"{'short connections':>18}{'span s':>9}{'stored':>9}{'peak RSS MiB':>14}")
    for span in (args.short_span, args.spread_span):
        cap = os.path.join(work, f"short-{span}.pcap")
        subprocess.run([os.path.join(bench, "snilab-make-short-connections"), str(args.short),
                        str(span), cap], check=True, capture_output=True)
        cat = os.path.join(work, f"short-{span}.sqlite")
        rss = peak_rss_ingest(bench, cli, cat, cap)
        db = sqlite3.connect(cat)
        conns = db.execute("SELECT count(*) FROM connections").fetchone()[0]
        db.close()
        os.remove(cap)
        print(f"{args.short:>18}{span:>9.2f}{conns:>9}{rss / 1024:>14.1f}")


if __name__ == "__main__":
    sys.exit(main())
