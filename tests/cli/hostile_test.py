#!/usr/bin/env python3
"""Replays the hostile-input corpus (tests/data/hostile, tools/make_hostile_captures.py)
through snilab-cli and checks that no byte of an SNI changes a file's structure, a
spreadsheet cell's meaning or a terminal's state:

  * ingest keeps every connection; the 60 KB SNI (over the reassembly cap) leaves its
    connection unlabeled and the next connection labeled;
  * `connections` CSV parses (Python's csv module) into one record per connection with
    the expected columns, and each sni/label cell is exactly what an independent model
    of the rule of docs/outputs.md gives (escapes, then the formula apostrophe);
  * `summary --json` is pure ASCII and carries every label exactly;
  * terminal output (summary, runs, evaluate's grid) holds no control character but the
    newline, no ESC, no direction override;
  * evaluate + report: every CSV parses with a fixed number of columns and no cell a
    spreadsheet would run; table1.tex and per-class labels hold no raw control byte;
  * train writes a model file whose labels are the hostile names and whose feature spec
    is the one asked for (a newline in a label cannot inject another); predict with it
    classifies the capture and writes the labels escaped.
Skips (exit 77) when this build has no random forest.
"""
import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import make_hostile_captures as corpus  # noqa: E402

HIDDEN = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A),
          *range(0x80, 0xA0)}
NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def fail(message):
    sys.exit("FAIL: " + message)


def utf8_chars(raw: bytes):
    """(byte, character) per step through `raw`: the character of the valid UTF-8 sequence
    starting at that byte, or None for a byte that starts none (then the step is one byte)."""
    i = 0
    while i < len(raw):
        c = raw[i]
        n = 1 if c < 0x80 else 2 if c >> 5 == 6 else 3 if c >> 4 == 14 else 4 if c >> 3 == 30 else 0
        try:
            ch = raw[i:i + n].decode("utf-8") if n else None
        except UnicodeDecodeError:
            ch = None
        if ch is not None and len(ch) != 1:
            ch = None
        yield c, ch
        i += len(ch.encode("utf-8")) if ch is not None else 1


def escape(raw: bytes) -> str:
    """docs/outputs.md, written independently of the C++ code."""
    out = []
    for c, ch in utf8_chars(raw):
        if c == 0x5C:
            out.append("\\\\")
        elif c < 0x20 or c == 0x7F or ch is None:
            out.append(f"\\x{c:02x}")
        elif ord(ch) in HIDDEN:
            out.append(f"\\u{{{ord(ch):04X}}}")
        else:
            out.append(ch)
    return "".join(out)


def json_text(raw: bytes) -> str:
    """The string a JSON document carries for `raw` (docs/outputs.md): the text itself,
    with each byte that is not part of valid UTF-8 as U+FFFD. Written independently."""
    return "".join("\ufffd" if ch is None else ch for _, ch in utf8_chars(raw))


def csv_text(raw: bytes) -> str:
    s = escape(raw)
    if s and s[0] in "=+-@" and not NUMBER.match(s):
        s = "'" + s
    elif len(s) >= 2 and s[0] == "'" and s[1] in "=+-@":
        s = "\\x27" + s[1:]
    return s


def run(cli, *args, rc=0):
    p = subprocess.run([cli, *args], capture_output=True, stdin=subprocess.DEVNULL)
    if rc is not None and p.returncode != rc:
        fail(f"snilab-cli {' '.join(args)} exited {p.returncode}\n{p.stdout!r}\n{p.stderr!r}")
    return p


def check_terminal(text: bytes, what):
    for b in set(text):
        if (b < 0x20 and b != 0x0A) or b == 0x7F:
            fail(f"{what}: raw control byte 0x{b:02x} reached the terminal")
    decoded = text.decode("utf-8")  # valid UTF-8 only
    for ch in decoded:
        if ord(ch) in HIDDEN:
            fail(f"{what}: U+{ord(ch):04X} reached the terminal")


def read_csv(path, columns=None):
    with open(path, newline="", encoding="utf-8") as f:
        data = f.read()
    check_terminal(data.encode(), path)  # a CSV is one record per line, printable
    rows = list(csv.reader(data.splitlines()))
    width = len(rows[0])
    for r in rows:
        if len(r) != width:
            fail(f"{path}: a record with {len(r)} cells instead of {width}: {r}")
        for cell in r:
            if cell and cell[0] in "=+-@" and not NUMBER.match(cell):
                fail(f"{path}: a spreadsheet would run the cell {cell!r}")
    if columns:
        missing = [c for c in columns if c not in rows[0]]
        if missing:
            fail(f"{path}: no column {missing}")
    return rows


def model_header(path):
    """The (key, value) fields of a format-2 model file's header (docs/outputs.md)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"SNILABMF" or int.from_bytes(data[8:12], "little") != 2:
        fail(f"{path} is not a format-2 model file")
    pos = 12
    size = int.from_bytes(data[pos:pos + 8], "little")
    header, pos = data[pos + 8:pos + 8 + size], 0
    count = int.from_bytes(header[0:4], "little")
    pos = 4
    fields = []
    for _ in range(count):
        item = []
        for _ in range(2):
            n = int.from_bytes(header[pos:pos + 8], "little")
            item.append(header[pos + 8:pos + 8 + n])
            pos += 8 + n
        fields.append(tuple(item))
    if pos != len(header):
        fail(f"{path}: {len(header) - pos} bytes after the header's fields")
    return fields


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--data", required=True)
    a = ap.parse_args()
    cli = os.path.abspath(a.cli)
    hostile_dir = os.path.abspath(os.path.join(a.data, "hostile"))
    if "rf" not in run(cli, "--version").stdout.decode().split("models:")[1]:
        print("SKIP: this build has no random forest")
        return 77

    with tempfile.TemporaryDirectory() as work:
        os.chdir(work)
        db = "h.sqlite"
        p = run(cli, "ingest", "--catalog", db, hostile_dir)
        check_terminal(p.stdout + p.stderr, "ingest")

        run(cli, "connections", "--catalog", db, "--out", "c.csv")
        rows = read_csv("c.csv", ["sni", "label"])
        header, body = rows[0], rows[1:]
        sni_col, label_col = header.index("sni"), header.index("label")
        want = {}
        for raw in corpus.HOSTILE + [b"after.example", b""]:
            want[csv_text(raw)] = csv_text(raw.lower().rstrip(b"."))
        got = {}
        for r in body:
            got.setdefault(r[sni_col], []).append(r[label_col])
        for raw in corpus.HOSTILE:
            cell = csv_text(raw)
            if len(got.get(cell, [])) != 3:
                fail(f"SNI {raw!r}: expected 3 connections with sni cell {cell!r}, "
                     f"got {len(got.get(cell, []))}; cells: {sorted(got)}")
            if set(got[cell]) != {want[cell]}:
                fail(f"SNI {raw!r}: label cells {set(got[cell])}, expected {want[cell]!r}")
        if len(got.get("", [])) != 1 or len(got.get("after.example", [])) != 1:
            fail(f"the 60 KB SNI: expected one unlabeled and one after.example connection: "
                 f"{ {k: len(v) for k, v in got.items()} }")
        if len(body) != 3 * len(corpus.HOSTILE) + 2:
            fail(f"{len(body)} connections, expected {3 * len(corpus.HOSTILE) + 2}")

        check_terminal(run(cli, "summary", "--catalog", db).stdout, "summary")
        p = run(cli, "summary", "--catalog", db, "--format", "csv")
        check_terminal(p.stdout, "summary --format csv")

        # summary --json: pure ASCII, and each label exactly the SNI's (every byte that is
        # not valid UTF-8 read as U+FFFD, docs/outputs.md).
        p = run(cli, "summary", "--catalog", db, "--json")
        if any(b != 0x0A and not 0x20 <= b <= 0x7E for b in p.stdout):
            fail("summary --json: a byte outside printable ASCII")
        labels = {entry["label"] for entry in json.loads(p.stdout)["labels"]}
        expected = {json_text(raw.lower()) for raw in corpus.HOSTILE + [b"after.example"]}
        if labels != expected | {None}:
            fail(f"summary --json labels {sorted(map(repr, labels))} differ from "
                 f"{sorted(map(repr, expected))} and null")

        # Evaluate on the hostile classes (3 connections each), then report.
        p = run(cli, "evaluate", "--catalog", db, "--thresholds", "3", "--folds", "3",
                "--trees", "10", "--quiet")
        check_terminal(p.stdout + p.stderr, "evaluate")
        rid = re.search(rb"^run (\d+):", p.stdout, re.M).group(1).decode()
        check_terminal(run(cli, "runs", "--catalog", db).stdout, "runs")
        check_terminal(run(cli, "runs", "--catalog", db, "--show", rid).stdout, "runs --show")
        run(cli, "report", "--catalog", db, "--run", rid, "--out", "rep")
        per_class = read_csv("rep/per_class.csv", ["label"])
        labels = {r[per_class[0].index("label")] for r in per_class[1:]}
        expected = {csv_text(raw.lower()) for raw in corpus.HOSTILE}
        if labels != expected:
            fail(f"per_class.csv labels {sorted(labels)} differ from {sorted(expected)}")
        for name in ("summary.csv", "predictions.csv", "epochs.csv"):
            read_csv(os.path.join("rep", name))
        for name in os.listdir("rep/confusion"):
            read_csv(os.path.join("rep/confusion", name))
        with open("rep/table1.tex", "rb") as f:
            check_terminal(f.read(), "table1.tex")

        # A model file trained on the hostile labels; predict with it.
        run(cli, "train", "--catalog", db, "--threshold", "3", "--trees", "10", "--quiet",
            "--feature-spec", "packets=payload;retrans=keep;window=all", "--out", "m.snilab")
        fields = model_header("m.snilab")
        specs = [v for k, v in fields if k == b"feature_spec"]
        if len(specs) != 1 or b"packets=all" in specs[0]:
            fail(f"the model file's header holds feature specs {specs}")
        stored = sorted(v for k, v in fields if k == b"label")
        if stored != sorted(raw.lower() for raw in corpus.HOSTILE):
            fail(f"the model file's labels are not the SNIs byte for byte: {stored}")
        p = run(cli, "predict", "--model", "m.snilab", "--out", "p.csv", hostile_dir)
        check_terminal(p.stdout + p.stderr, "predict")
        m = re.search(rb"accuracy ([0-9.]+) on the (\d+) connections", p.stdout)
        if not m or int(m.group(2)) != 3 * len(corpus.HOSTILE):
            fail(f"predict did not classify the {3 * len(corpus.HOSTILE)} known connections:"
                 f"\n{p.stdout!r}")
        preds = read_csv("p.csv", ["true_label", "predicted", "tls"])
        cols = preds[0]
        known = [r for r in preds[1:] if r[cols.index("known_class")] == "1"]
        if {r[cols.index("true_label")] for r in known} != expected:
            fail("predict's true labels are not the escaped hostile names")
        if not {r[cols.index("predicted")] for r in known} <= expected:
            fail("predict named a class the model does not have")
        no_tls = [r for r in preds[1:] if r[cols.index("tls")] == "0"]
        if len(no_tls) != 1 or no_tls[0][cols.index("true_label")] != "":
            fail("only the 60 KB SNI's connection lacks a parsed ClientHello (tls=0, no label)")
        run(cli, "predict", "--model", "m.snilab", "--use", "list", "--out", "x.csv",
            hostile_dir)
    print("hostile: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
