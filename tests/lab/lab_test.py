#!/usr/bin/env python3
"""snilab against the traffic lab's own ground truth (Python 3 standard library only).

Two modes:

  --mode samples (default)
      Ingests every capture under --samples (the committed demo set made by
      tools/traffic-lab) with snilab-cli, lists its connections, and compares
      them with --samples/ground_truth.csv (written by the lab from its
      servers' and clients' own connection logs, never from the capture):
        * every ground-truth connection is found by (capture file, client ip,
          client port, server ip, server port, transport) with
          has_client_hello=1 and the same SNI: a QUIC row (transport quic)
          among snilab's connections with transport=quic, a TCP row among
          those with transport=tcp (a ground truth without the transport
          column is all TCP);
        * every connection snilab labels (has an SNI), TCP or QUIC, is in the
          ground truth.
      Also checks the set's shape: --min-classes SNIs with at least
      --min-per-class connections each, --min-quic-classes QUIC SNIs with at
      least --min-quic-per-class QUIC connections each, --min-files
      captures, one pcapng.

  --mode smoke
      Runs `traffic_lab.py smoke` (a few curl/Python connections to Python
      ssl and openssl s_server sites, and ngtcp2 HTTP/3 connections to an
      ngtcp2 site when Debian's ngtcp2-server and ngtcp2-client are
      installed, in private network namespaces, < 1 min), then makes the
      same comparison on its capture, raw and slimmed. Skips (exit 77)
      unless it runs as root, `ip netns` works and the lab's binaries exist;
      without ngtcp2 only the QUIC part is skipped (and says so).

Exit status: 0 pass, 1 fail, 77 skipped.
"""

import argparse
import collections
import csv
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".pcap.gz", ".pcapng.gz", ".pcap.zst", ".pcapng.zst")


def log(*parts):
    print(*parts, flush=True)


def key_of(row, capture):
    return (capture, row["client_ip"], str(int(row["client_port"])), row["server_ip"],
            str(int(row["server_port"])), row.get("transport") or "tcp")


def have_ngtcp2():
    return bool(shutil.which("gtlsserver") and shutil.which("gtlsclient"))


def snilab_connections(cli, captures, tmp):
    catalog = os.path.join(tmp, "catalog.sqlite")
    p = subprocess.run([cli, "ingest", "--catalog", catalog, "--quiet"] + captures,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=900)
    if p.returncode != 0:
        raise RuntimeError(f"snilab-cli ingest exited {p.returncode}: {p.stderr.strip()[-2000:]}")
    out = os.path.join(tmp, "connections.csv")
    p = subprocess.run([cli, "connections", "--catalog", catalog, "--format", "csv", "--out", out],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=600)
    if p.returncode != 0:
        raise RuntimeError(f"snilab-cli connections exited {p.returncode}: {p.stderr.strip()}")
    with open(out, newline="") as f:
        return list(csv.DictReader(f))


def compare(gt_rows, conns):
    """Return (problems, summary lines)."""
    problems = []
    snilab = collections.defaultdict(list)
    for c in conns:
        snilab[key_of(c, os.path.basename(c["capture"]))].append(c)
    used = collections.Counter()
    missing = wrong = 0
    for g in gt_rows:
        k = key_of(g, g["capture"])
        cands = snilab.get(k, [])
        idx = used[k]
        if idx >= len(cands):
            missing += 1
            if missing <= 20:
                problems.append(f"ground truth connection not found by snilab: {k} sni={g['sni']} "
                                f"(job {g['job_id']}, {g['client_kind']}, {g['source']})")
            continue
        used[k] += 1
        c = cands[idx]
        if c["has_client_hello"] != "1" or c["sni"].lower() != g["sni"].lower():
            wrong += 1
            if wrong <= 20:
                problems.append(f"SNI differs for {k}: ground truth {g['sni']!r}, snilab "
                                f"{c['sni']!r} (has_client_hello={c['has_client_hello']})")
    unexplained = 0
    labeled = 0
    for k, cands in snilab.items():
        for i, c in enumerate(cands):
            if not c["label"]:
                continue
            labeled += 1
            if i >= used[k]:
                unexplained += 1
                if unexplained <= 20:
                    problems.append(f"snilab labels a connection the ground truth does not have: "
                                    f"{k} sni={c['sni']}")
    for n, what in ((missing, "missing"), (wrong, "wrong SNI"), (unexplained, "unexplained")):
        if n > 20:
            problems.append(f"... {n} {what} in all")
    unlabeled = sum(1 for c in conns if not c["label"])
    gt_t = collections.Counter(g.get("transport") or "tcp" for g in gt_rows)
    sn_t = collections.Counter(c.get("transport") or "tcp" for c in conns)
    summary = [f"ground truth: {len(gt_rows)} connections; snilab: {len(conns)} connections, "
               f"{labeled} labeled, {unlabeled} unlabeled",
               "by transport: " + ", ".join(f"{t} ground truth {gt_t[t]} snilab {sn_t[t]}"
                                            for t in sorted(set(gt_t) | set(sn_t))),
               f"missing {missing}, wrong SNI {wrong}, unexplained labeled {unexplained}"]
    return problems, summary


def check_dir(cli, directory, args):
    gt_path = os.path.join(directory, "ground_truth.csv")
    if not os.path.exists(gt_path):
        log(f"FAIL: {gt_path} is missing")
        return 1
    with open(gt_path, newline="") as f:
        gt_rows = list(csv.DictReader(f))
    captures = sorted(os.path.join(directory, n) for n in os.listdir(directory)
                      if n.endswith(CAPTURE_SUFFIXES))
    if not captures:
        log(f"FAIL: no capture files in {directory}")
        return 1
    problems = []
    names = {os.path.basename(c) for c in captures}
    for cap in sorted({g["capture"] for g in gt_rows} - names):
        problems.append(f"ground truth names a capture that is not there: {cap}")
    with tempfile.TemporaryDirectory(prefix="snilab-lab-") as tmp:
        conns = snilab_connections(cli, captures, tmp)
    p, summary = compare(gt_rows, conns)
    problems += p
    per_class = collections.Counter(g["sni"] for g in gt_rows)
    per_quic = collections.Counter(g["sni"] for g in gt_rows if g.get("transport") == "quic")
    for line in summary:
        log(line)
    log(f"{len(captures)} capture files, {len(per_class)} SNIs: " +
        ", ".join(f"{k} {v}" for k, v in sorted(per_class.items())))
    if per_quic:
        log(f"QUIC: {sum(per_quic.values())} connections, {len(per_quic)} SNIs: " +
            ", ".join(f"{k} {v}" for k, v in sorted(per_quic.items())))
    if args.min_classes:
        big = [k for k, v in per_class.items() if v >= args.min_per_class]
        if len(big) < args.min_classes:
            problems.append(f"only {len(big)} SNIs have >= {args.min_per_class} connections "
                            f"(want {args.min_classes})")
    if args.min_quic_classes:
        big = [k for k, v in per_quic.items() if v >= args.min_quic_per_class]
        if len(big) < args.min_quic_classes:
            problems.append(f"only {len(big)} SNIs have >= {args.min_quic_per_class} QUIC "
                            f"connections (want {args.min_quic_classes})")
    if len(captures) < args.min_files:
        problems.append(f"only {len(captures)} capture files (want {args.min_files})")
    if args.need_pcapng and not any(".pcapng" in c for c in captures):
        problems.append("no pcapng capture")
    if args.max_mb:
        total = sum(os.path.getsize(os.path.join(directory, n)) for n in os.listdir(directory))
        if total > args.max_mb * 1e6:
            problems.append(f"the set is {total / 1e6:.1f} MB (limit {args.max_mb} MB)")
    for p in problems:
        log("FAIL: " + p)
    log("PASS" if not problems else f"FAIL ({len(problems)} problems)")
    return 1 if problems else 0


def smoke(args):
    lab = args.lab
    reasons = []
    if os.geteuid() != 0:
        reasons.append("not root")
    for b in ("ip", "openssl", "curl", "ss"):
        if not shutil.which(b):
            reasons.append(f"no {b}")
    if not (shutil.which("tcpdump") or shutil.which("dumpcap")):
        reasons.append("no tcpdump or dumpcap")
    if not reasons:
        probe = f"snlt{os.getpid()}"
        p = subprocess.run(["ip", "netns", "add", probe], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            reasons.append("ip netns does not work: " + p.stderr.strip())
        else:
            subprocess.run(["ip", "netns", "del", probe])
    if reasons:
        log("SKIP: the traffic lab smoke test cannot run here: " + "; ".join(reasons))
        return SKIP
    quic = have_ngtcp2()
    if not quic:
        log("SKIP (QUIC part only): gtlsserver/gtlsclient not installed (Debian packages "
            "ngtcp2-server, ngtcp2-client); the smoke lab runs its TCP sites only")
    with tempfile.TemporaryDirectory(prefix="snilab-lab-smoke-") as tmp:
        tag = f"snls{os.getpid() % 100000}"
        cmd = [sys.executable, lab, "smoke", "--out", os.path.join(tmp, "out"), "--tag", tag,
               "--seed", str(args.seed), "--samples", os.path.join(tmp, "samples")]
        log("running: " + " ".join(cmd))
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               timeout=120)
        except subprocess.TimeoutExpired:
            subprocess.run([sys.executable, lab, "cleanup", "--tag", tag])
            log("FAIL: the smoke lab took more than 120 s")
            return 1
        log(p.stdout[-4000:])
        if p.returncode == SKIP:
            log("SKIP: the lab says it cannot run here")
            return SKIP
        if p.returncode != 0:
            log(f"FAIL: the smoke lab exited {p.returncode}")
            return 1
        left = subprocess.run(["ip", "netns", "list"], stdout=subprocess.PIPE, text=True).stdout
        if any(line.startswith(tag + "-") for line in left.splitlines()):
            log("FAIL: the lab left namespaces behind: " + left)
            return 1
        rc = 0
        with open(os.path.join(tmp, "out", "ground_truth.csv"), newline="") as f:
            gt = list(csv.DictReader(f))
        by_transport = collections.Counter(g.get("transport") or "tcp" for g in gt)
        if not by_transport["tcp"]:
            log("FAIL: the smoke lab made no TCP connection")
            rc = 1
        if quic and not by_transport["quic"]:
            log("FAIL: ngtcp2 is installed but the smoke lab made no QUIC connection")
            rc = 1
        for directory, what in ((os.path.join(tmp, "out", "raw"), "raw capture"),
                                (os.path.join(tmp, "samples"), "slimmed capture")):
            if directory.endswith("raw"):
                shutil.copy(os.path.join(tmp, "out", "ground_truth.csv"), directory)
            log(f"--- {what}")
            rc |= check_dir(args.cli, directory, args)
        return rc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", choices=["samples", "smoke"], default="samples")
    ap.add_argument("--cli", required=True, help="path of snilab-cli")
    ap.add_argument("--samples", help="directory of the demo set (samples mode)")
    ap.add_argument("--lab", help="path of tools/traffic-lab/traffic_lab.py (smoke mode)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--min-classes", type=int, default=0)
    ap.add_argument("--min-per-class", type=int, default=0)
    ap.add_argument("--min-quic-classes", type=int, default=0)
    ap.add_argument("--min-quic-per-class", type=int, default=0)
    ap.add_argument("--min-files", type=int, default=1)
    ap.add_argument("--need-pcapng", action="store_true")
    ap.add_argument("--max-mb", type=float, default=0)
    args = ap.parse_args()
    if args.mode == "smoke":
        return smoke(args)
    if not args.samples or not os.path.isdir(args.samples):
        log(f"SKIP: no demo set at {args.samples}")
        return SKIP
    return check_dir(args.cli, args.samples, args)


if __name__ == "__main__":
    sys.exit(main())
