#!/usr/bin/env python3
"""Ingest benchmark (issue: capture ingest). Not a timed test: it reports.

Builds a capture of >= N packets by replicating a real capture's connections
(snilab-make-bench-capture), then measures in one run, on the same file:
  (a) a bare libpcap pcap_next_ex loop (the ceiling),
  (b) snilab-cli ingest with one thread,
  (c) snilab-cli ingest with the default threads over the same packets split into files,
  (d) tshark's SNI-only pass,
and prints packets/s, MB/s, peak RSS and the ratios. Peak RSS is also
measured at a quarter of the length, to show it does not grow with length.

--quic: the same on a QUIC-heavy capture (default: mercury's
quic-crypto-packets.pcap, 684 datagrams, almost all client and server
Initials of 396 QUIC connections), with tshark's QUIC SNI pass (it decrypts
the Initials too) as (d); also QUIC ClientHellos per second, each one at
least one Initial key derivation and decryption.
"""
import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time

DEFAULT_SOURCE = "pcapplusplus/Tests/ExamplesTest/pcap_examples/tls2.pcap"
QUIC_SOURCE = "mercury/unit_tests/pcaps/quic-crypto-packets.pcap"


PEAK_RSS = None  # path of snilab-peak-rss, set in main()


def run(cmd):
    """Runs cmd under snilab-peak-rss; returns (seconds, peak RSS in MiB, stdout)."""
    start = time.perf_counter()
    proc = subprocess.run([PEAK_RSS] + cmd, capture_output=True, text=True, errors="replace")
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")
    rss = [line for line in proc.stderr.splitlines() if line.startswith("peak_rss_kib ")]
    return elapsed, int(rss[-1].split()[1]) / 1024.0, proc.stdout


def best_of(n, cmd, prepare=None):
    best = None
    for _ in range(n):
        if prepare:
            prepare()
        r = run(cmd)
        if best is None or r[0] < best[0]:
            best = r
    return best


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True, help="CMake build folder")
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "..", "shared", "data"))
    ap.add_argument("--source", help="Ethernet pcap to replicate (default: tls2.pcap from ../shared/data)")
    ap.add_argument("--packets", type=int, default=5_000_000)
    ap.add_argument("--files", type=int, default=4, help="files for the all-threads run")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (best kept)")
    ap.add_argument("--skip-tshark", action="store_true")
    ap.add_argument("--quic", action="store_true", help="a QUIC-heavy capture (see above)")
    ap.add_argument("--smoke", action="store_true", help="one run each, check only that it works")
    ap.add_argument("--workdir", help="where to write the captures (default: a temp folder)")
    args = ap.parse_args()

    source = args.source or os.path.join(args.data, QUIC_SOURCE if args.quic else DEFAULT_SOURCE)
    if not os.path.exists(source):
        print(f"SKIP: benchmark source capture {source} is absent")
        return 77
    cli = os.path.join(args.build, "app", "cli", "snilab-cli")
    maker = os.path.join(args.build, "tests", "bench", "snilab-make-bench-capture")
    loop = os.path.join(args.build, "tests", "bench", "snilab-pcap-loop")
    global PEAK_RSS
    PEAK_RSS = os.path.join(args.build, "tests", "bench", "snilab-peak-rss")
    repeat = 1 if args.smoke else args.repeat
    work = args.workdir or tempfile.mkdtemp(prefix="snilab-bench-")
    os.makedirs(work, exist_ok=True)
    try:
        big = os.path.join(work, "bench.pcap")
        quarter = os.path.join(work, "quarter.pcap")
        split = os.path.join(work, "split.pcap")
        print(run([maker, source, big, str(args.packets)])[2].strip())
        run([maker, source, quarter, str(args.packets // 4)])
        run([maker, source, split, str(args.packets), str(args.files)])
        parts = sorted(os.path.join(work, f) for f in os.listdir(work) if f.startswith("split-"))
        size_mb = os.path.getsize(big) / 1e6

        t, rss, out = best_of(repeat, [loop, big])
        packets = int(out.split()[0])
        results = {"a": (t, rss)}
        catalog = os.path.join(work, "bench.sqlite")

        def fresh():
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(catalog + suffix):
                    os.remove(catalog + suffix)

        results["b"] = best_of(repeat, [cli, "ingest", "--quiet", "--threads", "1", "--catalog", catalog, big], fresh)[:2]
        total = subprocess.run([cli, "summary", "--catalog", catalog, "--format", "csv"], capture_output=True,
                               text=True, check=True).stdout.splitlines()[1].split(",")
        conns, quic = total[2], total[9]
        quic_hellos = 0
        if args.quic:
            listing = subprocess.run([cli, "connections", "--catalog", catalog], capture_output=True,
                                     text=True, check=True).stdout.splitlines()
            head = listing[0].split(",")
            col_t, col_h = head.index("transport"), head.index("has_client_hello")
            quic_hellos = sum(1 for r in csv.reader(listing[1:]) if r[col_t] == "quic" and r[col_h] == "1")
        results["b_quarter"] = best_of(1, [cli, "ingest", "--quiet", "--threads", "1", "--catalog", catalog, quarter], fresh)[:2]
        results["c"] = best_of(repeat, [cli, "ingest", "--quiet", "--catalog", catalog] + parts, fresh)[:2]
        if not args.skip_tshark and shutil.which("tshark"):
            results["d"] = best_of(1, ["tshark", "-n", "-r", big, "-Y",
                                       "tls.handshake.type==1" + (" && quic" if args.quic else ""),
                                       "-T", "fields", "-e", "tls.handshake.extensions_server_name"])[:2]

        print(f"\ncapture: {packets} packets, {size_mb:.0f} MB, {conns} connections ({quic} QUIC); "
              f"{os.cpu_count()} cores")
        print(f"{'run':<44}{'seconds':>9}{'Mpps':>8}{'MB/s':>8}{'peak RSS MiB':>14}")
        names = {"a": "(a) libpcap pcap_next_ex loop",
                 "b": "(b) snilab-cli ingest, 1 thread",
                 "b_quarter": "    same, quarter-length capture",
                 "c": f"(c) snilab-cli ingest, default threads, {args.files} files",
                 "d": "(d) tshark SNI-only pass"}
        for key, (t, rss) in results.items():
            n = packets // 4 if key == "b_quarter" else packets
            mb = size_mb / 4 if key == "b_quarter" else size_mb
            print(f"{names[key]:<44}{t:>9.2f}{n / t / 1e6:>8.2f}{mb / t:>8.0f}{rss:>14.1f}")
        a, b, c = results["a"][0], results["b"][0], results["c"][0]
        print(f"\n(b)/(a) throughput: {a / b * 100:.0f} %   (c)/(b): {b / c:.2f}x", end="")
        if "d" in results:
            print(f"   (b) vs (d): {results['d'][0] / b:.0f}x faster than tshark", end="")
        print(f"\npeak RSS full/quarter length: {results['b'][1]:.1f} / {results['b_quarter'][1]:.1f} MiB")
        if args.quic:
            print(f"QUIC ClientHellos: {quic_hellos}; (b) {quic_hellos / b:,.0f}/s, (c) {quic_hellos / c:,.0f}/s"
                  + (f", (d) tshark {quic_hellos / results['d'][0]:,.0f}/s" if "d" in results else ""))
        if args.smoke and int(conns) <= 0:
            print("FAIL: no connections ingested")
            return 1
        return 0
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
