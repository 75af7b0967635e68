#!/usr/bin/env python3
"""Crash safety: SIGKILL in the middle of an ingest leaves a sound catalog.

Builds a capture of ~2 million packets by replicating tests/data/basic.pcap
(snilab-make-bench-capture), starts `snilab-cli ingest`, kills it with SIGKILL
once some batches are committed, then checks that:
  * the catalog passes PRAGMA integrity_check and foreign_key_check;
  * the capture is marked 'incomplete' and holds whole batches only (a
    multiple of the batch size, and every connection has its series);
  * summary and connections leave the interrupted capture's rows out;
  * ingesting the file again completes it, with no duplicate connections
    (the same count as a clean ingest into a fresh catalog).
"""
import argparse
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

BATCH = 2000  # IngestOptions::batchSize


def fail(message):
    sys.exit("FAIL: " + message)


def count(db_path, sql):
    db = sqlite3.connect(db_path)
    try:
        return db.execute(sql).fetchone()[0]
    finally:
        db.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--maker", required=True, help="snilab-make-bench-capture")
    ap.add_argument("--data", required=True, help="tests/data")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        big = os.path.join(tmp, "big.pcap")
        subprocess.run([args.maker, os.path.join(args.data, "basic.pcap"), big, "2000000"],
                       check=True, capture_output=True)
        cat = os.path.join(tmp, "c.sqlite")
        killed_with_rows = False
        for attempt in range(5):
            for suffix in ("", "-wal", "-shm", ".lock"):
                if os.path.exists(cat + suffix):
                    os.remove(cat + suffix)
            proc = subprocess.Popen([args.cli, "ingest", "--quiet", "--threads", "1", "--catalog",
                                     cat, big], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # Kill once at least one batch is committed (visible to another reader).
            deadline = time.time() + 60
            while time.time() < deadline and proc.poll() is None:
                time.sleep(0.02)
                try:
                    if os.path.exists(cat) and count(cat, "SELECT count(*) FROM connections") > 0:
                        break
                except sqlite3.Error:
                    pass
            if proc.poll() is None:
                time.sleep(0.05 * attempt)
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                if count(cat, "SELECT count(*) FROM captures WHERE status = 'incomplete'") == 1:
                    killed_with_rows = True
                    break
            else:
                proc.wait()
        if not killed_with_rows:
            fail("could not kill the ingest while it was running (too fast?)")

        if count(cat, "PRAGMA integrity_check") != "ok":
            fail("integrity_check failed")
        db = sqlite3.connect(cat)
        fk = db.execute("PRAGMA foreign_key_check").fetchall()
        db.close()
        if fk:
            fail(f"foreign key violations: {fk[:3]}")
        stored = count(cat, "SELECT count(*) FROM connections")
        series = count(cat, "SELECT count(*) FROM connection_series")
        if stored == 0 or stored % BATCH != 0:
            fail(f"{stored} connections stored: not whole batches of {BATCH}")
        if series != stored:
            fail(f"{stored} connections but {series} series")
        listed = subprocess.run([args.cli, "connections", "--catalog", cat], capture_output=True,
                                text=True, check=True).stdout.count("\n") - 1
        if listed != 0:
            fail(f"connections lists {listed} rows of an interrupted capture")

        rc = subprocess.run([args.cli, "ingest", "--quiet", "--catalog", cat, big]).returncode
        if rc != 0:
            fail(f"re-ingest exited {rc}")
        status = count(cat, "SELECT group_concat(status) FROM captures")
        if status != "complete":
            fail(f"captures after re-ingest: {status}")
        again = count(cat, "SELECT count(*) FROM connections")
        clean = os.path.join(tmp, "clean.sqlite")
        subprocess.run([args.cli, "ingest", "--quiet", "--catalog", clean, big], check=True)
        expected = count(clean, "SELECT count(*) FROM connections")
        if again != expected:
            fail(f"{again} connections after re-ingest, {expected} in a clean ingest")
        print(f"kill_test: killed after {stored} connections; re-ingest gave {again} = clean ingest")
    return 0


if __name__ == "__main__":
    sys.exit(main())
