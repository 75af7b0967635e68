#!/usr/bin/env python3
"""End-to-end test of evaluate / runs / report / features on real captures.

Ingests the BUT app captures of ../shared/data (matousp-ja3s-fingerprinting),
then checks, through snilab-cli only:
  * evaluate runs the random forest over a threshold sweep, prints the grid and
    stores a finished run; the same seed reproduces the same numbers;
  * --preset paper uses more-than-T and paper labels (visible in the config);
  * capture and time splits run;
  * report writes every file, and its numbers agree with the grid and with the
    predictions it lists (accuracy recomputed from predictions.csv);
  * finished runs are immutable (an UPDATE through SQLite is refused) and a run
    can be deleted;
  * features exports 42 statistics per connection with a fold column that
    partitions the rows.
Skips (exit 77) when ../shared/data is absent or this build has no model.
"""
import argparse
import csv
import os
import re
import sqlite3
import subprocess
import sys
import tempfile


def run(cli, *args, check=True):
    p = subprocess.run([cli, *args], capture_output=True, text=True)
    if check and p.returncode != 0:
        sys.exit(f"FAIL: snilab-cli {' '.join(args)} exited {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def grid_rows(stdout):
    """threshold -> (classes, connections, mean, std) from evaluate's grid
    (std None for a one-fold split, which prints the mean alone)."""
    rows = {}
    for line in stdout.splitlines():
        m = re.match(r"^\s*(\d+)\s+(\d+)\s+(\d+)\s+([0-9.]+)(?: ± ([0-9.]+))?\s*$", line)
        if m:
            rows[int(m.group(1))] = (int(m.group(2)), int(m.group(3)), float(m.group(4)),
                                     float(m.group(5)) if m.group(5) else None)
    return rows


def run_id(stdout):
    m = re.search(r"^run (\d+):", stdout, re.M)
    if not m:
        sys.exit(f"FAIL: no run id in\n{stdout}")
    return m.group(1)


def check(cond, message):
    if not cond:
        sys.exit("FAIL: " + message)


def demo_checks(cli, samples):
    """evaluate (honest default and paper preset), runs, report and features on the demo set."""
    version = run(cli, "--version").stdout
    if not re.search(r"models: .*\brf\b", version):
        return
    with tempfile.TemporaryDirectory() as tmp:
        cat = os.path.join(tmp, "demo.sqlite")
        run(cli, "ingest", "--quiet", "--catalog", cat, samples)
        common = ["--catalog", cat, "--thresholds", "100,150", "--folds", "3", "--trees", "30",
                  "--quiet"]
        honest = run(cli, "evaluate", *common).stdout
        paper = run(cli, "evaluate", *common, "--preset", "paper").stdout
        for out in (honest, paper):
            rows = grid_rows(out)
            check(set(rows) == {100, 150} and rows[100][0] >= 12, f"demo grid\n{out}")
            check(rows[100][2] > 0.5, f"implausible demo accuracy\n{out}")
        # --max-depth: recorded in the run (25, OpenCV's deepest, by default),
        # a shallower forest is another model, out of range is refused.
        shown = run(cli, "runs", "--catalog", cat, "--show", run_id(honest)).stdout
        check("rf_max_depth=25" in shown, f"max depth not recorded\n{shown}")
        shallow = run(cli, "evaluate", "--catalog", cat, "--thresholds", "100", "--folds", "3",
                      "--trees", "30", "--max-depth", "2", "--quiet").stdout
        check("rf_max_depth=2\n" in run(cli, "runs", "--catalog", cat, "--show",
                                         run_id(shallow)).stdout, "max depth 2 not recorded")
        check(grid_rows(shallow)[100][2] < grid_rows(honest)[100][2],
              f"a depth-2 forest is as good as a full one\n{shallow}")
        bad = run(cli, "evaluate", "--catalog", cat, "--max-depth", "26", "--quiet", check=False)
        check(bad.returncode == 2 and "max depth must be between 1 and 25" in bad.stderr,
              f"--max-depth 26: rc {bad.returncode} {bad.stderr}")
        run(cli, "runs", "--catalog", cat, "--delete", run_id(shallow))
        report = os.path.join(tmp, "report")
        run(cli, "report", "--catalog", cat, "--run", run_id(honest), "--out", report)
        check(os.path.getsize(os.path.join(report, "predictions.csv")) > 0, "demo report")
        check(len(run(cli, "runs", "--catalog", cat).stdout.splitlines()) == 3, "two runs listed")
        feats = os.path.join(tmp, "f.csv")
        run(cli, "features", "--catalog", cat, "--threshold", "100", "--out", feats)
        check(sum(1 for _ in open(feats)) - 1 == grid_rows(honest)[100][1], "demo features")
    print("evaluate_test: demo set checks passed")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--samples", help="the demo set (resources/samples): evaluated too")
    args = ap.parse_args()
    if args.samples:
        demo_checks(args.cli, args.samples)
    source = os.path.join(args.data, "matousp-ja3s-fingerprinting", "pcap")
    if not os.path.isdir(source):
        print(f"SKIP: {source} is absent")
        return 77
    version = run(args.cli, "--version").stdout
    if not re.search(r"models: .*\brf\b", version):
        print("SKIP: this build has no random forest")
        return 77

    with tempfile.TemporaryDirectory() as tmp:
        cat = os.path.join(tmp, "c.sqlite")
        p = run(args.cli, "ingest", "--quiet", "--catalog", cat, source, check=False)
        check(p.returncode in (0, 1), f"ingest exited {p.returncode}: {p.stderr}")

        common = ["--catalog", cat, "--thresholds", "20,40,1000", "--folds", "3", "--trees", "30",
                  "--quiet"]
        first = run(args.cli, "evaluate", *common).stdout
        grid = grid_rows(first)
        check(set(grid) == {20, 40}, f"grid rows {sorted(grid)} (T=1000 has < 2 classes)\n{first}")
        check(re.search(r"^\s*1000\s.*fewer than 2 classes", first, re.M) is not None,
              "T=1000 row missing")
        check(grid[20][0] > grid[40][0] >= 2, "higher thresholds keep fewer classes")
        for t, (classes, n, mean, std) in grid.items():
            check(0.3 < mean <= 1.0 and 0 <= std < 0.5, f"implausible accuracy at T={t}: {mean}")
        again = run(args.cli, "evaluate", *common).stdout
        check(grid_rows(again) == grid, "the same seed must reproduce the same grid")
        other = grid_rows(run(args.cli, "evaluate", *common[:-1], "--seed", "7", "--quiet").stdout)
        check(other[20][:2] == grid[20][:2], "a seed changes folds and trees, not the classes")

        paper = run(args.cli, "evaluate", *common, "--preset", "paper").stdout
        check("preset paper" in paper and "> T" in paper, "paper preset not reported")
        for split in ("capture", "time"):
            # A time split has one fold: --folds is refused with it.
            folds = ["--folds", "3"] if split == "capture" else []
            out = run(args.cli, "evaluate", "--catalog", cat, "--thresholds", "20", *folds,
                      "--trees", "30", "--split", split, "--quiet").stdout
            check(20 in grid_rows(out), f"{split} split gave no grid row\n{out}")
            # One fold has no spread: the mean alone, no "± 0.000".
            one_fold = split == "time"
            check((grid_rows(out)[20][3] is None) == one_fold,
                  f"{split} split: a std {'printed for one fold' if one_fold else 'missing'}\n{out}")

        rid = run_id(first)
        report = os.path.join(tmp, "report")
        run(args.cli, "report", "--catalog", cat, "--run", rid, "--out", report)
        for name in ("run.txt", "summary.csv", "per_class.csv", "predictions.csv", "table1.tex",
                     os.path.join("confusion", "rf_T20.csv")):
            check(os.path.getsize(os.path.join(report, name)) > 0, f"report lacks {name}")
        summary = {int(r["threshold"]): r for r in csv.DictReader(open(os.path.join(report, "summary.csv")))}
        check(abs(float(summary[20]["accuracy_mean"]) - grid[20][2]) < 0.0006,
              "summary.csv accuracy differs from the grid")
        preds = [r for r in csv.DictReader(open(os.path.join(report, "predictions.csv")))
                 if r["threshold"] == "20"]
        check(len(preds) == grid[20][1], "every connection is predicted exactly once at T=20")
        by_fold = {}
        for r in preds:
            by_fold.setdefault(r["fold"], []).append(r["true_label"] == r["predicted_label"])
        fold_acc = [sum(v) / len(v) for v in by_fold.values()]
        check(abs(sum(fold_acc) / len(fold_acc) - float(summary[20]["accuracy_mean"])) < 1e-6,
              "accuracy recomputed from predictions.csv differs")
        # The top classes: stored as class indices (6 bytes each, at most 5),
        # written back as labels - the predicted one first, at its confidence.
        for r in preds:
            entries = [e.rsplit(":", 1) for e in r["top"].split(";")]
            probs = [float(p) for _, p in entries]
            check(1 <= len(entries) <= 5 and entries[0][0] == r["predicted_label"] and
                  abs(probs[0] - float(r["confidence"])) <= 0.00005 and
                  probs == sorted(probs, reverse=True), f"top of a prediction: {r}")
        db = sqlite3.connect(cat)
        kinds = db.execute("SELECT DISTINCT typeof(top), max(length(top)) FROM run_predictions "
                           "WHERE run_id = ?", (rid,)).fetchall()
        db.close()
        check(kinds[0][0] == "blob" and len(kinds) == 1 and kinds[0][1] <= 30,
              f"run_predictions.top is not the compact form: {kinds}")
        # A run stored before schema 7 kept label text: reported as it was.
        old = os.path.join(tmp, "old.sqlite")
        src = sqlite3.connect(cat)
        dst = sqlite3.connect(old)
        src.backup(dst)
        src.close()
        dst.execute("DROP TRIGGER run_predictions_update_immutable")
        dst.execute("UPDATE run_predictions SET top = 'legacy.example:0.5000;other.example:0.2500' "
                    "WHERE run_id = ?", (rid,))
        dst.commit()
        dst.close()
        old_report = os.path.join(tmp, "old-report")
        run(args.cli, "report", "--catalog", old, "--run", rid, "--out", old_report)
        tops = {r["top"] for r in csv.DictReader(open(os.path.join(old_report, "predictions.csv")))}
        check(tops == {"legacy.example:0.5000;other.example:0.2500"}, f"legacy top text: {tops}")
        check("\\begin{tabular}" in open(os.path.join(report, "table1.tex")).read(), "LaTeX table")
        # The confusion matrix: square, the same labels on both axes, every
        # prediction of rf at T=20 counted once, the diagonal the correct ones.
        conf = list(csv.reader(open(os.path.join(report, "confusion", "rf_T20.csv"))))
        check(conf[0][0] == "true/predicted" and len(conf) == len(conf[0]),
              f"confusion matrix shape/header: {conf[0][:3]}, {len(conf)} rows")
        check([r[0] for r in conf[1:]] == conf[0][1:], "confusion rows and columns differ")
        rf = [r for r in preds if r["model"] == "rf"]
        check(sum(int(v) for r in conf[1:] for v in r[1:]) == len(rf),
              "confusion counts differ from predictions.csv")
        check(sum(int(conf[i][i]) for i in range(1, len(conf))) ==
              sum(r["correct"] == "1" for r in rf), "confusion diagonal differs from predictions.csv")

        db = sqlite3.connect(cat)
        try:
            db.execute("UPDATE runs SET seed = 99 WHERE id = ?", (rid,))
            db.commit()
            sys.exit("FAIL: a finished run could be changed")
        except sqlite3.DatabaseError as e:
            check("immutable" in str(e), f"unexpected error {e}")
        try:
            db.execute("INSERT INTO run_metrics (run_id, model, threshold, fold, name, value) "
                       "VALUES (?, 'rf', 20, 0, 'fake', 1.0)", (rid,))
            db.commit()
            sys.exit("FAIL: results could be added to a finished run")
        except sqlite3.DatabaseError as e:
            check("immutable" in str(e), f"unexpected error {e}")
        try:
            db.execute("DELETE FROM run_predictions WHERE run_id = ?", (rid,))
            db.commit()
            sys.exit("FAIL: results of a finished run could be deleted piecemeal")
        except sqlite3.DatabaseError as e:
            check("immutable" in str(e), f"unexpected error {e}")
        db.close()
        shown = run(args.cli, "runs", "--catalog", cat, "--show", rid).stdout
        check(f"run {rid}: finished" in shown and "thresholds=20,40,1000" in shown and
              grid_rows(shown) == grid, f"runs --show\n{shown}")
        listing = run(args.cli, "runs", "--catalog", cat).stdout
        check(re.search(rf"^\s*{rid}\s+finished", listing, re.M) is not None, "runs lists the run")
        run(args.cli, "runs", "--catalog", cat, "--delete", rid)
        check(re.search(rf"^\s*{rid}\s", run(args.cli, "runs", "--catalog", cat).stdout, re.M) is None,
              "deleted run still listed")
        check(run(args.cli, "report", "--catalog", cat, "--run", rid, "--out", report,
                  check=False).returncode == 2, "report of a deleted run must fail (no such run: usage)")

        feats = os.path.join(tmp, "f.csv")
        run(args.cli, "features", "--catalog", cat, "--threshold", "20", "--folds", "3", "--out", feats)
        rows = list(csv.DictReader(open(feats)))
        check(len(rows) == grid[20][1], "features exports the T=20 connections")
        check(len([c for c in rows[0] if c.startswith(("s2c_", "c2s_", "all_"))]) == 42,
              "42 statistics")
        check(sorted({r["fold"] for r in rows}) == ["0", "1", "2"], "fold column")
    print("evaluate_test: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
