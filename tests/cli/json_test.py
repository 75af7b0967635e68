#!/usr/bin/env python3
"""The CLI as a twin for scripts: --json and progress lines (issue: the CLI as the twin).

On the demo set (resources/samples):
  * `summary --json` is one JSON document whose figures agree with `summary --format csv`
    (a different writer over the same catalog) and add up;
  * `evaluate --json` with stderr a pipe and SNILAB_PROGRESS_SECONDS=0.1 prints the run as
    JSON on stdout and periodic progress lines on stderr ("snilab-cli evaluate: NN% STAGE
    (Mm SSs)", shares never decreasing);
  * `runs --json` lists that run as finished with its configuration, and
    `runs --show ID --json` carries the same grid as evaluate printed;
  * an invalid SNILAB_PROGRESS_SECONDS is a usage error (exit 2) before any run is created.
Skips (exit 77) without the demo set or without a random forest in this build.
"""
import argparse
import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile

LINE = re.compile(r"^snilab-cli evaluate: +(\d+)% (.+) \((\d+)m (\d\d)s\)$")


def fail(message):
    sys.exit("FAIL: " + message)


def run(cli, *args, rc=0, env=None):
    p = subprocess.run([cli, *args], capture_output=True, text=True, stdin=subprocess.DEVNULL,
                       env=dict(os.environ, **(env or {})))
    if rc is not None and p.returncode != rc:
        fail(f"snilab-cli {' '.join(args)} exited {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def load(text, what):
    try:
        return json.loads(text)
    except ValueError as e:
        fail(f"{what} is not JSON ({e}):\n{text[:2000]}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--samples", required=True)
    a = ap.parse_args()
    if not os.path.isdir(a.samples):
        print(f"SKIP: no demo set at {a.samples}")
        return 77
    if "rf" not in run(a.cli, "--version").stdout:
        print("SKIP: this build has no random forest")
        return 77
    with tempfile.TemporaryDirectory(prefix="snilab-json-") as work:
        cat = os.path.join(work, "c.sqlite")
        run(a.cli, "ingest", "--quiet", "--catalog", cat, a.samples)

        summary = load(run(a.cli, "summary", "--catalog", cat, "--json").stdout, "summary --json")
        rows = list(csv.DictReader(io.StringIO(
            run(a.cli, "summary", "--catalog", cat, "--format", "csv").stdout)))
        total = next(r for r in rows if r["kind"] == "total")
        conns = summary["connections"]
        if (conns["total"], conns["labeled"], conns["quic"]) != (
                int(total["connections"]), int(total["labeled"]), int(total["quic"])):
            fail(f"summary --json {conns} disagrees with the CSV total {total}")
        if sum(l["connections"] for l in summary["labels"]) != conns["total"]:
            fail("summary --json: the labels do not add up to the total")
        labeled = sum(l["connections"] for l in summary["labels"] if l["label"] is not None)
        if labeled != conns["labeled"] or conns["tcp"] + conns["quic"] != conns["total"]:
            fail(f"summary --json: labeled/tcp/quic do not add up: {conns}")
        csv_labels = {r["name"]: int(r["connections"]) for r in rows if r["kind"] == "label"}
        json_labels = {l["label"] or "": l["connections"] for l in summary["labels"]}
        if csv_labels != json_labels:
            fail("summary --json labels differ from the CSV's")
        if summary["captures"]["total"] != len(summary["capture_files"]) or \
                summary["captures"]["complete"] != len(summary["capture_files"]):
            fail(f"summary --json captures: {summary['captures']}")

        p = run(a.cli, "evaluate", "--catalog", cat, "--thresholds", "100", "--folds", "3",
                "--trees", "40", "--json", env={"SNILAB_PROGRESS_SECONDS": "0.1"})
        result = load(p.stdout, "evaluate --json")
        lines = p.stderr.splitlines()
        shares = []
        for line in lines:
            m = LINE.match(line)
            if not m:
                fail(f"evaluate: a stderr line that is not a progress line: {line!r}")
            shares.append(int(m.group(1)))
        if not shares:
            fail("evaluate with stderr a pipe printed no progress line in 0.1 s steps")
        if shares != sorted(shares) or not all(0 <= s < 100 for s in shares):
            fail(f"progress shares out of order or range: {shares}")
        if result["status"] != "finished" or result["models"] != ["rf"] or \
                result["thresholds"] != [100] or result["folds"] != 3:
            fail(f"evaluate --json: {dict((k, result[k]) for k in result if k != 'grid')}")
        cell = result["grid"][0]
        acc = cell["metrics"]["accuracy"]
        if cell["model"] != "rf" or cell["threshold"] != 100 or cell["folds"] != 3 or \
                not 0.5 < acc["mean"] <= 1 or not 0 <= acc["std"] < 0.5:
            fail(f"evaluate --json grid cell: {cell}")
        if cell["samples"] != labeled:
            fail(f"T=100 should keep every labeled connection of the demo set: {cell}")

        runs = load(run(a.cli, "runs", "--catalog", cat, "--json").stdout, "runs --json")["runs"]
        if [r["run"] for r in runs] != [result["run"]] or runs[0]["status"] != "finished" or \
                runs[0]["error"] is not None or runs[0]["config"].get("rf_trees") != "40":
            fail(f"runs --json: {runs}")
        shown = load(run(a.cli, "runs", "--catalog", cat, "--show", str(result["run"]),
                         "--json").stdout, "runs --show --json")
        if shown["grid"] != result["grid"] or shown["run"] != result["run"]:
            fail("runs --show --json carries another grid than evaluate --json printed")

        p = run(a.cli, "evaluate", "--catalog", cat, "--thresholds", "100", rc=2,
                env={"SNILAB_PROGRESS_SECONDS": "0"})
        if "SNILAB_PROGRESS_SECONDS" not in p.stderr:
            fail(f"no clear error for SNILAB_PROGRESS_SECONDS=0: {p.stderr}")
        after = load(run(a.cli, "runs", "--catalog", cat, "--json").stdout, "runs --json")
        if len(after["runs"]) != 1:
            fail("an invalid SNILAB_PROGRESS_SECONDS still created a run")
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
