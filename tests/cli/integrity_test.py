#!/usr/bin/env python3
"""Data integrity through snilab-cli: nothing overwritten, runs always end.

On one demo capture (resources/samples/day3.pcap.gz), checks that:
  * no command writes over an input: train/features/connections/report/predict
    refuse an --out that is the catalog, a capture or the model file - also
    through a symlink or a hard link - before any work, leaving it unchanged;
  * outputs are whole: no temporary file is left beside them;
  * traffic is stored once: the same capture as .pcap, .pcap.gz, .pcap.zst
    and .pcapng is one capture; a prefix of a capture ingested before the whole
    file leaves exactly the connections (and packets) of one copy;
  * a FIFO named .pcap fails at once instead of hanging ingest, and the
    directory scan finds capture names holding a newline;
  * options are checked before any work: duplicate or empty thresholds,
    --threads 0, an empty model name, --split time with --folds, --split
    capture with --train-fraction, --series-cap 0, a missing run id; no run is
    created by a refused evaluate;
  * a run always ends: a catalog error in the middle of an evaluation marks
    the run failed with the reason; SIGTERM and SIGHUP cancel a run (exit 143,
    129) like SIGINT; a SIGKILLed run reads as interrupted; a live run cannot be
    deleted; report refuses a run that is not finished;
  * SIGKILL at seeded random points of ingest, evaluate and train leaves a sound
    catalog, no run shown as running, a model file whole or absent, and nothing
    of the killed writers after the next write.
Skips (exit 77) when the sample or the random forest is missing.
"""
import argparse
import hashlib
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time


def fail(message):
    sys.exit("FAIL: " + message)


def run(cli, *args, rc=0):
    p = subprocess.run([cli, *args], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if rc is not None and p.returncode != rc:
        fail(f"snilab-cli {' '.join(args)} exited {p.returncode}, expected {rc}\n"
             f"{p.stdout}\n{p.stderr}")
    return p


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def query(db, sql):
    c = sqlite3.connect(db)
    try:
        return c.execute(sql).fetchall()
    finally:
        c.close()


def leftovers(directory):
    return [n for n in os.listdir(directory) if ".snilab-" in n]


def wait_for_running_run(db, proc, timeout=120):
    """The id of the run `proc` created, once it is in the catalog as running."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            fail(f"evaluate ended (rc {proc.returncode}) before it could be signalled: "
                 "make the run longer")
        try:
            rows = query(db, "SELECT id FROM runs WHERE status = 'running' ORDER BY id DESC")
        except sqlite3.OperationalError:
            rows = []
        if rows:
            return rows[0][0]
        time.sleep(0.05)
    fail("no running run appeared")


def long_evaluate(cli, db):
    # Enough work (many trees, folds and thresholds) to still be running when signalled.
    return subprocess.Popen([cli, "evaluate", "--quiet", "--catalog", db, "--thresholds",
                             "50,60,70,80,90,100", "--folds", "10", "--trees", "400",
                             "--threads", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--samples", required=True)
    a = ap.parse_args()
    a.cli = os.path.abspath(a.cli)
    capture = os.path.abspath(os.path.join(a.samples, "day3.pcap.gz"))
    if not os.path.exists(capture):
        print(f"SKIP: {capture} is absent")
        return 77
    version = run(a.cli, "--version").stdout
    if "rf" not in version.split("models:")[1]:
        print("SKIP: this build has no random forest")
        return 77

    with tempfile.TemporaryDirectory() as work:
        os.chdir(work)
        cli = a.cli
        db = "cat.sqlite"
        run(cli, "ingest", "--quiet", "--catalog", db, capture)
        os.symlink(db, "link.csv")
        os.link(db, "hard.csv")
        before = digest(db)

        # --- never overwrite an input, refused before any work -------------
        for args in (["train", "--catalog", db, "--out", db, "--threshold", "10"],
                     ["train", "--catalog", db, "--out", "link.csv", "--threshold", "10"],
                     ["features", "--catalog", db, "--out", "hard.csv"],
                     ["connections", "--catalog", db, "--out", "link.csv"]):
            p = run(cli, *args, rc=2)
            if "refusing to overwrite an input" not in p.stderr:
                fail(f"{args}: no clear refusal: {p.stderr}")
        if digest(db) != before:
            fail("a refused command changed the catalog")

        # A small model file, then predict may not write over a capture or the model.
        run(cli, "train", "--quiet", "--catalog", db, "--threshold", "50", "--trees", "5",
            "--out", "m.snilab")
        if leftovers("."):
            fail(f"train left temporary files: {leftovers('.')}")
        os.link(capture, "day3-copy.pcap.gz")
        model_before = digest("m.snilab")
        for out in ("day3-copy.pcap.gz", "m.snilab"):
            p = run(cli, "predict", "--quiet", "--model", "m.snilab", "--out", out,
                    "day3-copy.pcap.gz", rc=2)
            if "refusing to overwrite an input" not in p.stderr:
                fail(f"predict --out {out}: no clear refusal: {p.stderr}")
        if digest("m.snilab") != model_before or digest("day3-copy.pcap.gz") != digest(capture):
            fail("predict changed its model file or capture")

        # --- identity of traffic: one capture in several containers, prefixes
        single = query(db, "SELECT count(*) FROM connections")[0][0]
        os.mkdir("same")
        subprocess.run(f"gzip -dc {capture} > same/d.pcap", shell=True, check=True)
        subprocess.run(["zstd", "-q", "same/d.pcap", "-o", "same/d.pcap.zst"], check=True)
        subprocess.run(["editcap", "-F", "pcapng", "same/d.pcap", "same/d.pcapng"], check=True)
        os.link(capture, "same/d.pcap.gz")
        p = run(cli, "ingest", "--catalog", "same.sqlite", "same")
        got = query("same.sqlite", "SELECT count(*) FROM connections")[0][0]
        captures = query("same.sqlite", "SELECT count(*) FROM captures")[0][0]
        if got != single or captures != 1 or "3 already present" not in p.stdout:
            fail(f"one capture in four containers: {got} connections (one copy: {single}), "
                 f"{captures} capture rows\n{p.stdout}")
        # A prefix of the capture (tcpdump still writing), then the whole file.
        subprocess.run(["editcap", "-r", "same/d.pcap", "prefix.pcap", "1-30000"], check=True)
        run(cli, "ingest", "--quiet", "--catalog", "grow.sqlite", "prefix.pcap")
        p = run(cli, "ingest", "--catalog", "grow.sqlite", capture)
        got = query("grow.sqlite", "SELECT count(*) FROM connections")[0][0]
        if got != single or "replaced by longer copies" not in p.stdout:
            fail(f"prefix then whole capture: {got} connections (one copy: {single})\n{p.stdout}")
        whole = query(db, "SELECT sum(packets_c2s + packets_s2c) FROM connections")[0][0]
        grown = query("grow.sqlite", "SELECT sum(packets_c2s + packets_s2c) FROM connections")[0][0]
        if grown != whole:
            fail(f"prefix then whole capture: {grown} packets in connections, one copy {whole}")

        # --- a FIFO named like a capture fails at once; any file name is found
        os.mkdir("scan")
        os.mkfifo("scan/fifo.pcap")
        os.link(capture, "scan/new\nline.pcap.gz")
        try:
            p = subprocess.run([cli, "ingest", "--quiet", "--catalog", "scan.sqlite",
                                "scan/fifo.pcap", "scan"], capture_output=True, text=True,
                               timeout=120, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            fail("ingest hangs on a FIFO named .pcap")
        if p.returncode != 1 or "not a regular file" not in p.stderr:
            fail(f"ingest of a FIFO: rc {p.returncode}\n{p.stderr}")
        names = [r[0] for r in query("scan.sqlite", "SELECT path FROM captures")]
        if not any("new\nline" in n for n in names):
            fail(f"the directory scan skipped a name with a newline: {names}")

        # --- options checked before any work ------------------------------
        bad = [["evaluate", "--catalog", db, "--thresholds", "100,100"],
               ["evaluate", "--catalog", db, "--thresholds", "100,,200"],
               ["evaluate", "--catalog", db, "--thresholds", "100,"],
               ["evaluate", "--catalog", db, "--threads", "0"],
               ["evaluate", "--catalog", db, "--models", "rf,"],
               ["evaluate", "--catalog", db, "--patience", "0"],
               ["evaluate", "--catalog", db, "--split", "time", "--folds", "5"],
               ["evaluate", "--catalog", db, "--split", "capture", "--train-fraction", "0.5"],
               ["train", "--catalog", db, "--out", "x.snilab", "--threads", "0"],
               ["ingest", "--catalog", db, "--series-cap", "0", capture],
               ["runs", "--catalog", db, "--delete", "999"],
               ["report", "--catalog", db, "--run", "999", "--out", "r"]]
        for args in bad:
            run(cli, *args, rc=2)
        if query(db, "SELECT count(*) FROM runs")[0][0] != 0:
            fail("a refused evaluate created a run")

        # --- a catalog error mid-run fails the run, with the reason --------
        c = sqlite3.connect(db)
        c.execute("CREATE TRIGGER simulated_full_disk BEFORE INSERT ON run_grid "
                  "BEGIN SELECT RAISE(ABORT, 'database or disk is full (simulated)'); END")
        c.commit()
        c.close()
        p = run(cli, "evaluate", "--quiet", "--catalog", db, "--thresholds", "50", "--folds",
                "2", "--trees", "5", rc=3)
        status, error = query(db, "SELECT status, error FROM runs ORDER BY id DESC")[0]
        if status != "failed" or "simulated" not in error:
            fail(f"a catalog error left the run {status!r} ({error!r})")
        query(db, "DROP TRIGGER simulated_full_disk")
        failed_run = str(query(db, "SELECT max(id) FROM runs")[0][0])
        p = run(cli, "report", "--catalog", db, "--run", failed_run, "--out", "r", rc=1)
        if "failed" not in p.stderr or os.path.exists("r"):
            fail(f"report of a failed run: {p.stderr}")

        # --- SIGTERM / SIGHUP cancel like SIGINT; a live run is not deleted --
        for sig, code in ((signal.SIGTERM, 143), (signal.SIGHUP, 129)):
            proc = long_evaluate(cli, db)
            rid = wait_for_running_run(db, proc)
            p = run(cli, "runs", "--catalog", db, "--delete", str(rid), rc=3)
            if "still running" not in p.stderr:
                fail(f"deleting a live run: {p.stderr}")
            proc.send_signal(sig)
            out, err = proc.communicate(timeout=120)
            if proc.returncode != code:
                fail(f"evaluate after {sig.name} exited {proc.returncode}, expected {code}\n{err}")
            status = query(db, f"SELECT status FROM runs WHERE id = {rid}")[0][0]
            if status != "cancelled":
                fail(f"after {sig.name} the run is {status!r}, not cancelled")

        # --- SIGKILL: the run reads as interrupted, report refuses it -------
        proc = long_evaluate(cli, db)
        rid = wait_for_running_run(db, proc)
        proc.kill()
        proc.communicate()
        listing = run(cli, "runs", "--catalog", db).stdout
        line = [ln for ln in listing.splitlines() if ln.split()[:1] == [str(rid)]]
        if not line or "interrupted" not in line[0]:
            fail(f"a SIGKILLed run is not shown as interrupted:\n{listing}")
        p = run(cli, "report", "--catalog", db, "--run", str(rid), "--out", "r", rc=1)
        if "interrupted" not in p.stderr:
            fail(f"report of an interrupted run: {p.stderr}")
        run(cli, "runs", "--catalog", db, "--delete", str(rid))

        # --- SIGKILL at random points of ingest, evaluate and train --------
        rng = random.Random(12)
        for i in range(3):
            for name, args in (
                    ("ingest", ["ingest", "--quiet", "--catalog", f"k{i}.sqlite", capture]),
                    ("evaluate", ["evaluate", "--quiet", "--catalog", db, "--thresholds", "50,60",
                                  "--folds", "3", "--trees", "60", "--threads", "1"]),
                    ("train", ["train", "--quiet", "--catalog", db, "--threshold", "50",
                               "--trees", "60", "--threads", "1", "--out", f"k{i}.snilab"])):
                proc = subprocess.Popen([cli, *args], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
                time.sleep(rng.uniform(0.05, 2.0))
                proc.kill()
                proc.wait()
                target = args[args.index("--catalog") + 1]
                if query(target, "PRAGMA integrity_check")[0][0] != "ok":
                    fail(f"SIGKILL of {name}: catalog integrity")
                if name == "train" and os.path.exists(f"k{i}.snilab"):
                    run(cli, "predict", "--model", f"k{i}.snilab", "--use", "list", "--out",
                        "x.csv", capture)  # whole, or not there at all
        listing = run(cli, "runs", "--catalog", db).stdout
        if re.search(r"^\s*\d+\s+running", listing, re.M):
            fail(f"a killed run is still shown as running:\n{listing}")
        for i in range(3):  # a killed ingest is completed by the next one
            run(cli, "ingest", "--quiet", "--catalog", f"k{i}.sqlite", capture)
            if query(f"k{i}.sqlite", "SELECT count(*) FROM connections")[0][0] != single:
                fail("a re-ingest after SIGKILL does not give one copy of each connection")
        for i in range(3):
            run(cli, "train", "--quiet", "--catalog", db, "--threshold", "50", "--trees", "5",
                "--out", f"k{i}.snilab")
        if leftovers("."):  # the next write removes what killed writers left
            fail(f"temporary files of killed writers remain: {leftovers('.')}")

        # --- a finished run's report is whole; report refuses a linked catalog
        p = run(cli, "evaluate", "--quiet", "--catalog", db, "--thresholds", "50", "--folds",
                "2", "--trees", "5")
        rid = p.stdout.split(":")[0].split()[-1]
        os.makedirs("rep", exist_ok=True)
        os.symlink(os.path.abspath(db), "rep/summary.csv")
        p = run(cli, "report", "--catalog", db, "--run", rid, "--out", "rep", rc=2)
        if "refusing to overwrite an input" not in p.stderr or digest(db) is None:
            fail(f"report over a link to the catalog: {p.stderr}")
        os.unlink("rep/summary.csv")
        run(cli, "report", "--catalog", db, "--run", rid, "--out", "rep")
        for d in ("rep", "rep/confusion", "."):
            if leftovers(d):
                fail(f"temporary files left in {d}: {leftovers(d)}")
        integrity = query(db, "PRAGMA integrity_check")[0][0]
        if integrity != "ok":
            fail(f"catalog integrity: {integrity}")
    print("integrity: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
