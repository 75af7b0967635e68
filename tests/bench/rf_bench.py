#!/usr/bin/env python3
"""Random forest benchmark: snilab vs scikit-learn on the same features and folds.

1. Ingests the source captures into a catalog (or uses --catalog).
2. Exports the 42 statistics of the connections whose class has >= T
   connections, with the stratified fold of each row
   (`snilab-cli features --folds K --seed S`): the very folds that
   `snilab-cli evaluate --split stratified --folds K --seed S` uses.
3. Times `snilab-cli evaluate` (250 trees, 2 threads; its time includes reading
   the catalog and computing the features) and scikit-learn's
   RandomForestClassifier(n_estimators=250, max_features='sqrt', n_jobs=2)
   fit + predict over the same folds (CSV loading not timed), and compares
   mean accuracy over folds.
scikit-learn comes from Debian's python3-sklearn (run this with /usr/bin/python3);
it is used only here, never by snilab.
"""
import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True, help="CMake build folder")
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "..", "shared", "data"))
    ap.add_argument("--source", help="captures to ingest (default: the BUT app captures in --data)")
    ap.add_argument("--catalog", help="use this catalog instead of ingesting")
    ap.add_argument("--threshold", type=int, default=10)
    ap.add_argument("--folds", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--trees", type=int, default=250)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    try:
        import numpy as np
        from sklearn.ensemble import RandomForestClassifier
    except ImportError:
        print("SKIP: scikit-learn is not installed for this Python (apt-get install "
              "python3-sklearn; run with /usr/bin/python3)")
        return 77
    cli = os.path.join(args.build, "app", "cli", "snilab-cli")
    work = tempfile.mkdtemp(prefix="snilab-rf-bench-")
    try:
        catalog = args.catalog
        if not catalog:
            source = args.source or os.path.join(args.data, "matousp-ja3s-fingerprinting", "pcap")
            if not os.path.exists(source):
                print(f"SKIP: {source} is absent")
                return 77
            catalog = os.path.join(work, "c.sqlite")
            subprocess.run([cli, "ingest", "--quiet", "--catalog", catalog, source], check=False)
        feats = os.path.join(work, "features.csv")
        subprocess.run([cli, "features", "--catalog", catalog, "--threshold", str(args.threshold),
                        "--folds", str(args.folds), "--seed", str(args.seed), "--out", feats],
                       check=True, capture_output=True)

        start = time.perf_counter()
        ev = subprocess.run([cli, "evaluate", "--catalog", catalog, "--thresholds", str(args.threshold),
                             "--folds", str(args.folds), "--seed", str(args.seed), "--trees",
                             str(args.trees), "--threads", str(args.threads), "--quiet"],
                            check=True, capture_output=True, text=True)
        snilab_time = time.perf_counter() - start
        m = re.search(r"^\s*%d\s+(\d+)\s+(\d+)\s+([0-9.]+) ± ([0-9.]+)" % args.threshold, ev.stdout, re.M)
        if not m:
            sys.exit("no grid row in evaluate's output:\n" + ev.stdout)
        classes, samples, snilab_acc, snilab_std = int(m.group(1)), int(m.group(2)), float(m.group(3)), float(m.group(4))

        with open(feats) as f:
            reader = csv.DictReader(f)
            stat_cols = [c for c in reader.fieldnames if c.startswith(("s2c_", "c2s_", "all_"))]
            rows = list(reader)
        x = np.array([[float(r[c]) for c in stat_cols] for r in rows], dtype=np.float32)
        y = np.array([int(r["class"]) for r in rows])
        fold = np.array([int(r["fold"]) for r in rows])
        accs = []
        start = time.perf_counter()
        for k in range(args.folds):
            train, test = fold != k, fold == k
            rf = RandomForestClassifier(n_estimators=args.trees, max_features="sqrt",
                                        n_jobs=args.threads, random_state=args.seed + k)
            rf.fit(x[train], y[train])
            accs.append(float((rf.predict(x[test]) == y[test]).mean()))
        sk_time = time.perf_counter() - start
        sk_acc, sk_std = float(np.mean(accs)), float(np.std(accs))

        print(f"data: {samples} connections, {classes} classes (T >= {args.threshold}), "
              f"42 statistics, {args.folds} stratified folds, seed {args.seed}, {args.trees} trees, "
              f"{args.threads} threads, {os.cpu_count()} cores")
        print(f"{'':<34}{'seconds':>9}{'accuracy':>18}")
        print(f"{'snilab-cli evaluate (OpenCV RTrees)':<34}{snilab_time:>9.2f}{snilab_acc:>11.3f} ± {snilab_std:.3f}")
        print(f"{'scikit-learn RandomForest':<34}{sk_time:>9.2f}{sk_acc:>11.3f} ± {sk_std:.3f}")
        print(f"\ntime ratio snilab/sklearn: {snilab_time / sk_time:.2f} (target <= 1.0); "
              f"accuracy difference: {100 * (snilab_acc - sk_acc):+.1f} points (target within 1)")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
