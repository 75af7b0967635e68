#!/usr/bin/env python3
"""The scale data generator (tools/make_scale_captures.py) against the ingest.

A small set (40 services, 2,400 connections, at least 20 each, 3 files: pcap,
pcapng, pcap) is generated twice with the same seed and once with another:
  * the same arguments give the same bytes, another seed other bytes;
  * the counts are long-tailed, each >= the minimum, and add up to the total;
  * `snilab-cli ingest` reads every file completely and `summary --json` has
    exactly the manifest's labels and connections per label;
  * `connections --format csv`: every connection was closed by FIN, carries a
    ClientHello with its service's SNI, and the packets per label add up to
    the manifest's;
  * with tshark present, tshark finds the same SNIs, as many per file.
"""
import argparse
import collections
import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATOR = os.path.join(HERE, "..", "..", "tools", "make_scale_captures.py")


def fail(message):
    sys.exit("FAIL: " + message)


def generate(out, seed):
    p = subprocess.run([sys.executable, GENERATOR, "--out", out, "--services", "40",
                        "--connections", "2400", "--min-per-class", "20", "--files", "3",
                        "--seed", str(seed)], capture_output=True, text=True)
    if p.returncode != 0:
        fail(f"generator exited {p.returncode}: {p.stderr}")
    if "synthetic" not in p.stderr:
        fail("the generator must say its data is synthetic: " + p.stderr)
    files = sorted(f for f in os.listdir(out) if f.startswith("scale-"))
    if files != ["scale-0.pcap", "scale-1.pcapng", "scale-2.pcap"]:
        fail(f"files: {files}")
    return {f: hashlib.sha256(open(os.path.join(out, f), "rb").read()).hexdigest() for f in files}


def manifest(out):
    with open(os.path.join(out, "manifest.tsv")) as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return {r["label"]: (int(r["connections"]), int(r["packets"])) for r in rows}


def run(cli, *args):
    p = subprocess.run([cli, *args], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        fail(f"snilab-cli {' '.join(args)} exited {p.returncode}\n{p.stderr}")
    return p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        first, again, other = (os.path.join(tmp, n) for n in ("a", "b", "c"))
        hashes = generate(first, 7)
        if generate(again, 7) != hashes:
            fail("the same seed gave different bytes")
        if generate(other, 8) == hashes:
            fail("another seed gave the same bytes")
        want = manifest(first)
        counts = sorted((c for c, _ in want.values()), reverse=True)
        if len(want) != 40 or sum(counts) != 2400 or min(counts) < 20:
            fail(f"counts: {len(want)} labels, {sum(counts)} connections, min {min(counts)}")
        if counts[0] < 5 * counts[-1]:
            fail(f"not long-tailed: largest {counts[0]}, smallest {counts[-1]}")

        catalog = os.path.join(tmp, "scale.sqlite")
        run(a.cli, "ingest", "--quiet", "--catalog", catalog, first)
        summary = json.loads(run(a.cli, "summary", "--catalog", catalog, "--json"))
        for c in summary["capture_files"]:
            if c["status"] != "complete":
                fail(f"capture not read completely: {c}")
        got = {r["label"]: r["connections"] for r in summary["labels"]}
        if got != {label: n for label, (n, _) in want.items()}:
            fail("summary per label differs from the manifest:\n"
                 f"{sorted(got.items())[:5]}\n{sorted(want.items())[:5]}")

        rows = list(csv.DictReader(io.StringIO(
            run(a.cli, "connections", "--catalog", catalog, "--format", "csv"))))
        if len(rows) != 2400:
            fail(f"{len(rows)} connections")
        packets = collections.Counter()
        per_file = collections.Counter()
        for r in rows:
            if r["close_reason"] != "fin" or r["has_client_hello"] != "1" or r["sni"] != r["label"]:
                fail(f"connection not whole: {r}")
            packets[r["label"]] += int(r["packets"])
            per_file[os.path.basename(r["capture"])] += 1
        if dict(packets) != {label: p for label, (_, p) in want.items()}:
            fail("packets per label differ from the manifest")

        if shutil.which("tshark"):
            for name in sorted(per_file):
                p = subprocess.run(["tshark", "-r", os.path.join(first, name), "-Y",
                                    "tls.handshake.type==1", "-T", "fields", "-e",
                                    "tls.handshake.extensions_server_name"],
                                   capture_output=True, text=True)
                snis = [s for s in p.stdout.split("\n") if s]
                if len(snis) != per_file[name] or not set(snis) <= set(want):
                    fail(f"{name}: tshark saw {len(snis)} ClientHellos, snilab {per_file[name]}")
        else:
            print("tshark not installed: the oracle comparison is skipped")
    print("ok: generator deterministic, long-tailed; ingest agrees with its manifest")


if __name__ == "__main__":
    main()
