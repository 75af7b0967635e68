#!/usr/bin/env python3
"""Scale benchmark: snilab at the paper's size (a report, not a timed test).

    /usr/bin/python3 tests/bench/scale_bench.py --build build [--services 532]
        [--connections 133824] [--min-per-class 100] [--threshold 100] [--folds 10]
        [--trees 250] [--threads 2] [--skip-sklearn] [--keep DIR] [--smoke]

1. tools/make_scale_captures.py writes the synthetic set (N services, long-
   tailed, 4 files): its time and packets. SYNTHETIC: the accuracies below
   measure nothing about real traffic; they only show that snilab and
   scikit-learn agree on the same data.
2. `snilab-cli ingest` (all threads): wall time and peak RSS; catalog size.
3. `snilab-cli evaluate --models rf` at --threshold/--folds/--trees: wall time,
   peak RSS, and how much the run grew the catalog.
4. tests/bench/rf_bench.py on that catalog: the same random forest against
   scikit-learn RandomForest(trees, sqrt, n_jobs=threads) on the same
   exported features and folds (time ratio and accuracy difference).
5. `snilab --screenshots --view-times` on the catalog and the run: how long
   each workbench view takes from being asked for to its pixels, offscreen.
Peak RSS is measured by tests/bench/snilab-peak-rss (the child's own
high-water mark). --smoke: a tiny set (60 services, 1,500 connections, 2
folds, 5 trees, no scikit-learn) so the code paths stay working.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))


def timed(cmd, peak_rss, env=None):
    """(seconds, peak RSS MiB, completed process) of `cmd` run under snilab-peak-rss."""
    start = time.perf_counter()
    p = subprocess.run([peak_rss, *cmd], capture_output=True, text=True, env=env,
                       stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)} exited {p.returncode}\n{p.stdout[-2000:]}\n"
                 f"{p.stderr[-2000:]}")
    m = re.search(r"peak_rss_kib (\d+)", p.stderr)
    return seconds, (int(m.group(1)) / 1024 if m else float("nan")), p


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--services", type=int, default=532)
    ap.add_argument("--connections", type=int, default=133_824)
    ap.add_argument("--min-per-class", type=int, default=100)
    ap.add_argument("--threshold", type=int, default=100)
    ap.add_argument("--folds", type=int, default=10)
    ap.add_argument("--trees", type=int, default=250)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-sklearn", action="store_true")
    ap.add_argument("--keep", help="write the set and catalog here (kept) instead of a temp dir")
    ap.add_argument("--smoke", action="store_true")
    a = ap.parse_args()
    if a.smoke:
        a.services, a.connections, a.min_per_class = 60, 1500, 10
        a.threshold, a.folds, a.trees, a.skip_sklearn = 10, 2, 5, True
    cli = os.path.join(a.build, "app", "cli", "snilab-cli")
    gui = os.path.join(a.build, "app", "gui", "snilab")
    peak_rss = os.path.join(a.build, "tests", "bench", "snilab-peak-rss")
    for path in (cli, peak_rss):
        if not os.path.exists(path):
            print(f"SKIP: {path} is not built")
            return 77
    work = a.keep or tempfile.mkdtemp(prefix="snilab-scale-bench-")
    os.makedirs(work, exist_ok=True)
    try:
        data = os.path.join(work, "captures")
        shutil.rmtree(data, ignore_errors=True)
        gen_s, _, gen = timed([sys.executable, os.path.join(ROOT, "tools", "make_scale_captures.py"),
                               "--out", data, "--services", str(a.services), "--connections",
                               str(a.connections), "--min-per-class", str(a.min_per_class),
                               "--seed", str(a.seed)], peak_rss)
        m = re.search(r"(\d+) connections, (\d+) packets", gen.stderr)
        connections, packets = int(m.group(1)), int(m.group(2))
        size_mb = sum(os.path.getsize(os.path.join(data, f)) for f in os.listdir(data)) / 1e6

        catalog = os.path.join(work, "scale.sqlite")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(catalog + suffix):
                os.remove(catalog + suffix)
        ingest_s, ingest_rss, _ = timed([cli, "ingest", "--quiet", "--catalog", catalog, data],
                                        peak_rss)
        catalog_mb = os.path.getsize(catalog) / 1e6
        env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")
        eval_s, eval_rss, ev = timed([cli, "evaluate", "--quiet", "--catalog", catalog,
                                      "--models", "rf", "--thresholds", str(a.threshold),
                                      "--folds", str(a.folds), "--trees", str(a.trees),
                                      "--threads", str(a.threads), "--seed", str(a.seed)],
                                     peak_rss, env)
        run = re.search(r"run (\d+)", ev.stdout + ev.stderr)
        grid = re.search(r"^\s*%d\s+(\d+)\s+(\d+)\s+([0-9.]+) ± ([0-9.]+)" % a.threshold,
                         ev.stdout, re.M)
        grown_mb = os.path.getsize(catalog) / 1e6 - catalog_mb

        print(f"# scale benchmark: {a.services} services (synthetic), {connections:,} "
              f"connections, {packets:,} packets, {os.cpu_count()} cores")
        print()
        print("| step | seconds | peak RSS | notes |")
        print("|---|---|---|---|")
        print(f"| generate (tools/make_scale_captures.py) | {gen_s:.1f} | | "
              f"{packets / gen_s * 60 / 1e6:.1f} M packets/min, {size_mb:.0f} MB in 4 files |")
        print(f"| `snilab-cli ingest` | {ingest_s:.1f} | {ingest_rss:.0f} MiB | "
              f"{packets / ingest_s / 1e6:.2f} Mpps; catalog {catalog_mb:.0f} MB |")
        acc = f"accuracy {grid.group(3)} ± {grid.group(4)}, {grid.group(1)} classes" if grid else ""
        print(f"| `snilab-cli evaluate` rf, T = {a.threshold}, {a.folds} folds, {a.trees} trees "
              f"| {eval_s:.1f} | {eval_rss:.0f} MiB | {acc}; the run grew the catalog by "
              f"{grown_mb:.1f} MB |")
        sys.stdout.flush()

        if not a.skip_sklearn:
            rf = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "rf_bench.py"), "--build",
                                 a.build, "--catalog", catalog, "--threshold", str(a.threshold),
                                 "--folds", str(a.folds), "--trees", str(a.trees), "--threads",
                                 str(a.threads), "--seed", str(a.seed)],
                                capture_output=True, text=True, env=env)
            print()
            print("rf_bench.py on this catalog (the same features and folds):")
            print(rf.stdout.strip() or rf.stderr.strip())
            if rf.returncode != 0:
                # A signal shows as a negative code: -9 is SIGKILL, on Linux
                # most often the kernel's out-of-memory killer (see dmesg).
                why = (f"killed by signal {-rf.returncode}" if rf.returncode < 0
                       else f"exit status {rf.returncode}")
                print(f"rf_bench.py did not finish: {why}"
                      + (" (out of memory?)" if rf.returncode == -9 else ""))

        if os.path.exists(gui) and run:
            shots = os.path.join(work, "shots")
            p = subprocess.run([gui, "--screenshots", shots, "--catalog", catalog, "--run",
                                run.group(1), "--view-times"], capture_output=True, text=True,
                               env=dict(env, QT_QPA_PLATFORM="offscreen"))
            times = re.findall(r"^view time: (.+) (\d+) ms$", p.stdout, re.M)
            if p.returncode != 0 or not times:
                sys.exit(f"FAIL: snilab --screenshots exited {p.returncode}\n{p.stderr[-2000:]}")
            print()
            print("| workbench view (offscreen, 1400 x 860) | ms |")
            print("|---|---|")
            for name, ms in times:
                print(f"| {name.replace('.png', '').replace('result_', 'Results: ')} | {ms} |")
        return 0
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
