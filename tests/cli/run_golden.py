#!/usr/bin/env python3
"""Golden tests of snilab-cli on the crafted captures of tests/data/.

Each case runs snilab-cli in a fresh temporary directory that holds a copy of
the data files, with relative names (so no path in the output depends on the
machine), after the case's setup commands. The checked command's stdout and
exit code are compared with golden/<case>.out and golden/<case>.rc; stderr is
checked against the case's expected line patterns (libpcap's wording is not
pinned, only the shape: one line per bad file, naming the file).

    run_golden.py --cli PATH --data DIR [--golden DIR] [--case NAME]... [--update] [--list]

--update (or SNILAB_UPDATE_GOLDEN=1) rewrites the golden files from the current
output instead of comparing. Review the diff before committing: a golden file
states what is right, not what snilab happens to print (see README.md).
"""

import argparse
import filecmp
import os
import re
import shutil
import subprocess
import sys
import tempfile

GOOD = ["basic.pcap", "ns.pcap", "vlan_ipv6.pcapng", "sll2.pcap", "raw.pcap", "null.pcap",
        "snaplen.pcap"]
INGEST_GOOD = ["ingest", "--catalog", "cat.sqlite", "--threads", "1"] + GOOD
CAT = ["--catalog", "cat.sqlite"]


def usage_line(command):
    return rf"^snilab-cli {command}: .+ \(see snilab-cli {command} --help\)$"


class Case:
    def __init__(self, name, args, setup=(), stderr=None, check=None):
        self.name = name
        self.args = args
        self.setup = list(setup)  # (args, expected rc)
        # None: stderr not checked; list of regexes: exactly these lines, in order.
        self.stderr = stderr
        self.check = check  # extra check(workdir) -> error text or None


def unchanged(name):
    def check(work, data):
        if not filecmp.cmp(os.path.join(work, name), os.path.join(data, name), shallow=False):
            return f"{name} was modified by a command that must not write it"
        return None
    return check


def not_created(name):
    def check(work, data):
        if os.path.exists(os.path.join(work, name)):
            return f"{name} was created by a read-only command"
        return None
    return check


CASES = [
    # --help of every command exits 0.
    Case("help", ["--help"], stderr=[]),
    Case("help_ingest", ["ingest", "--help"], stderr=[]),
    Case("help_summary", ["summary", "--help"], stderr=[]),
    Case("help_connections", ["connections", "--help"], stderr=[]),
    Case("help_command_ingest", ["help", "ingest"], stderr=[]),

    # Ingest of every good capture, then what the catalog holds.
    Case("ingest_good", INGEST_GOOD, stderr=[]),
    Case("connections_csv", ["connections", *CAT, "--format", "csv"], setup=[(INGEST_GOOD, 0)],
         stderr=[]),
    Case("connections_tsv_paper", ["connections", *CAT, "--format", "tsv", "--label-mode", "paper"],
         setup=[(INGEST_GOOD, 0)], stderr=[]),
    Case("summary_table", ["summary", *CAT], setup=[(INGEST_GOOD, 0)], stderr=[]),
    Case("summary_json", ["summary", *CAT, "--json"], setup=[(INGEST_GOOD, 0)], stderr=[]),
    Case("usage_summary_json_and_format", ["summary", *CAT, "--json", "--format", "csv"],
         setup=[(INGEST_GOOD, 0)], stderr=[usage_line("summary")]),
    Case("summary_csv", ["summary", *CAT, "--format", "csv"], setup=[(INGEST_GOOD, 0)],
         stderr=[]),
    Case("summary_paper", ["summary", *CAT, "--label-mode", "paper"], setup=[(INGEST_GOOD, 0)],
         stderr=[]),

    # Re-ingesting the same files adds nothing.
    Case("reingest", INGEST_GOOD, setup=[(INGEST_GOOD, 0)], stderr=[]),
    Case("reingest_summary", ["summary", *CAT, "--format", "csv"],
         setup=[(INGEST_GOOD, 0), (INGEST_GOOD, 0)], stderr=[]),

    # Compressed captures: the same traffic as basic.pcap, stored once (identity of traffic;
    # compressed_same below reads each alone).
    Case("ingest_compressed",
         ["ingest", *CAT, "--threads", "1", "basic.pcap", "basic.pcap.gz", "basic.pcap.zst"],
         stderr=[]),
    Case("connections_compressed", ["connections", *CAT],
         setup=[(["ingest", *CAT, "--threads", "1", "basic.pcap", "basic.pcap.gz",
                  "basic.pcap.zst"], 0)], stderr=[]),

    # Bad input: exit 1, one line per bad file, the other files still ingested.
    Case("ingest_truncated", ["ingest", *CAT, "--threads", "1", "truncated.pcap"],
         stderr=[r"^snilab-cli ingest: partly read: truncated\.pcap: offset \d+: .+$"]),
    Case("ingest_mixed",
         ["ingest", *CAT, "--threads", "1", "truncated.pcap", "ns.pcap", "not_a_capture.pcap",
          "empty.pcap", "missing.pcap", "sll2.pcap"],
         stderr=[r"^snilab-cli ingest: partly read: truncated\.pcap: offset \d+: .+$",
                 r"^snilab-cli ingest: not_a_capture\.pcap: .+$",
                 r"^snilab-cli ingest: empty\.pcap: .+$",
                 r"^snilab-cli ingest: missing\.pcap: .+$"]),
    Case("connections_mixed", ["connections", *CAT],
         setup=[(["ingest", *CAT, "--threads", "1", "truncated.pcap", "ns.pcap",
                  "not_a_capture.pcap", "empty.pcap", "missing.pcap", "sll2.pcap"], 1)],
         stderr=[]),
    Case("summary_mixed", ["summary", *CAT, "--format", "csv"],
         setup=[(["ingest", *CAT, "--threads", "1", "truncated.pcap", "ns.pcap",
                  "not_a_capture.pcap", "empty.pcap", "missing.pcap", "sll2.pcap"], 1)],
         stderr=[]),
    Case("ingest_not_a_capture", ["ingest", *CAT, "not_a_capture.pcap"],
         stderr=[r"^snilab-cli ingest: not_a_capture\.pcap: .+$"]),
    Case("ingest_empty", ["ingest", *CAT, "empty.pcap"],
         stderr=[r"^snilab-cli ingest: empty\.pcap: .+$"]),
    Case("ingest_missing", ["ingest", *CAT, "missing.pcap"],
         stderr=[r"^snilab-cli ingest: missing\.pcap: .+$"]),

    # Usage errors: exit 2 and one line that points to --help.
    Case("usage_ingest_no_catalog", ["ingest", "basic.pcap"], stderr=[usage_line("ingest")],
         check=not_created("cat.sqlite")),
    Case("usage_ingest_no_files", ["ingest", *CAT], stderr=[usage_line("ingest")]),
    Case("usage_summary_no_catalog", ["summary"], stderr=[usage_line("summary")]),
    Case("usage_connections_no_catalog", ["connections"], stderr=[usage_line("connections")]),
    Case("usage_unknown_option", ["connections", *CAT, "--bogus"],
         setup=[(INGEST_GOOD, 0)], stderr=[usage_line("connections")]),
    Case("usage_ingest_unknown_option", ["ingest", *CAT, "--bogus", "basic.pcap"],
         stderr=[usage_line("ingest")], check=not_created("cat.sqlite")),
    Case("usage_summary_bad_format", ["summary", *CAT, "--format", "xml"],
         setup=[(INGEST_GOOD, 0)], stderr=[usage_line("summary")]),
    Case("usage_connections_bad_format", ["connections", *CAT, "--format", "json"],
         setup=[(INGEST_GOOD, 0)], stderr=[usage_line("connections")]),
    Case("usage_bad_label_mode", ["summary", *CAT, "--label-mode", "fancy"],
         setup=[(INGEST_GOOD, 0)], stderr=[usage_line("summary")]),
    Case("usage_unknown_command", ["frobnicate"], stderr=[r"^snilab-cli: .*frobnicate.*$"]),
    Case("usage_idle_timeout_negative", ["ingest", *CAT, "--idle-timeout", " -1", "basic.pcap"],
         stderr=[usage_line("ingest")], check=not_created("cat.sqlite")),
    Case("usage_idle_timeout_huge", ["ingest", *CAT, "--idle-timeout", "10000000000",
                                     "basic.pcap"],
         stderr=[usage_line("ingest")], check=not_created("cat.sqlite")),
    Case("usage_idle_timeout_zero", ["ingest", *CAT, "--idle-timeout", "0", "basic.pcap"],
         stderr=[usage_line("ingest")], check=not_created("cat.sqlite")),
    Case("usage_out_is_catalog", ["connections", *CAT, "--out", "cat.sqlite"],
         setup=[(INGEST_GOOD, 0)], stderr=[usage_line("connections")]),

    # Catalog errors: exit 3 with a clear message; nothing created or overwritten.
    Case("catalog_missing_summary", ["summary", "--catalog", "nope.sqlite"],
         stderr=[r"^snilab-cli summary: .*nope\.sqlite.*$"], check=not_created("nope.sqlite")),
    Case("catalog_missing_connections", ["connections", "--catalog", "nope.sqlite"],
         stderr=[r"^snilab-cli connections: .*nope\.sqlite.*$"],
         check=not_created("nope.sqlite")),
    Case("catalog_not_a_catalog", ["summary", "--catalog", "not_a_capture.pcap"],
         stderr=[r"^snilab-cli summary: .*not_a_capture\.pcap.*$"],
         check=unchanged("not_a_capture.pcap")),
    Case("catalog_not_a_catalog_ingest", ["ingest", "--catalog", "not_a_capture.pcap",
                                          "ns.pcap"],
         stderr=[r"^snilab-cli ingest: .*not_a_capture\.pcap.*$"],
         check=unchanged("not_a_capture.pcap")),
    # A 0-byte file is not a catalog either: a read-only command must not turn it into one.
    Case("catalog_empty_file", ["summary", "--catalog", "empty.pcap"],
         stderr=[r"^snilab-cli summary: .*empty\.pcap.*$"], check=unchanged("empty.pcap")),
]


# Exit codes the CLI promises (snilab-cli --help), checked even under --update so
# that regenerating golden files can never bake a wrong exit code in.
PROMISED_RC = {"help": 0, "usage_": 2, "catalog_": 3, "ingest_truncated": 1, "ingest_mixed": 1,
               "ingest_not_a_capture": 1, "ingest_empty": 1, "ingest_missing": 1,
               "ingest_good": 0, "reingest": 0}


def promised_rc(name):
    for prefix, rc in PROMISED_RC.items():
        if name.startswith(prefix):
            return rc
    return None


def compressed_same(cli, data):
    """basic.pcap, .gz and .zst in separate catalogs: rows equal but for the capture column."""
    rows = {}
    with tempfile.TemporaryDirectory(prefix="snilab-cli-") as work:
        for name in ("basic.pcap", "basic.pcap.gz", "basic.pcap.zst"):
            shutil.copy(os.path.join(data, name), work)
            cat = name + ".sqlite"
            r = subprocess.run([cli, "ingest", "--quiet", "--catalog", cat, name], cwd=work,
                               capture_output=True, text=True)
            if r.returncode != 0:
                return f"ingest {name}: exit {r.returncode}: {r.stderr.strip()}"
            r = subprocess.run([cli, "connections", "--catalog", cat], cwd=work,
                               capture_output=True, text=True)
            rows[name] = [line.split(",", 1)[1] for line in r.stdout.splitlines()[1:]]
    if not rows["basic.pcap"]:
        return "basic.pcap gave no connections"
    for name in ("basic.pcap.gz", "basic.pcap.zst"):
        if rows[name] != rows["basic.pcap"]:
            return f"{name} connections differ from basic.pcap's"
    return None


def run_case(case, cli, data, golden, update):
    with tempfile.TemporaryDirectory(prefix="snilab-cli-") as work:
        for f in os.listdir(data):
            if os.path.isfile(os.path.join(data, f)):
                shutil.copy(os.path.join(data, f), work)
        # Progress lines depend on timing (and on a slow sanitizer build):
        # none in the golden stderr.
        env = dict(os.environ, LC_ALL="C", TZ="UTC", SNILAB_PROGRESS_SECONDS="86400")
        for args, rc in case.setup:
            r = subprocess.run([cli, *args], cwd=work, capture_output=True, text=True, env=env)
            if r.returncode != rc:
                return [f"setup `{' '.join(args)}` exited {r.returncode}, expected {rc}:"
                        f" {r.stderr.strip()}"]
        r = subprocess.run([cli, *case.args], cwd=work, capture_output=True, text=True, env=env,
                           stdin=subprocess.DEVNULL)
        out_path = os.path.join(golden, case.name + ".out")
        rc_path = os.path.join(golden, case.name + ".rc")
        if update and promised_rc(case.name) in (None, r.returncode):
            with open(out_path, "w") as f:
                f.write(r.stdout)
            with open(rc_path, "w") as f:
                f.write(f"{r.returncode}\n")
        errors = []
        promised = promised_rc(case.name)
        if promised is not None and r.returncode != promised:
            errors.append(f"exit code {r.returncode}, snilab-cli promises {promised}")
        try:
            with open(out_path) as f:
                want_out = f.read()
            with open(rc_path) as f:
                want_rc = int(f.read().strip())
        except OSError as e:
            return [f"no golden file ({e}); run with --update to create it"]
        if r.returncode != want_rc:
            errors.append(f"exit code {r.returncode}, expected {want_rc}")
        if r.stdout != want_out:
            import difflib
            diff = difflib.unified_diff(want_out.splitlines(True), r.stdout.splitlines(True),
                                        f"golden/{case.name}.out", "actual")
            errors.append("stdout differs:\n" + "".join(diff))
        if case.stderr is not None:
            lines = r.stderr.splitlines()
            if len(lines) != len(case.stderr) or not all(
                    re.match(p, line) for p, line in zip(case.stderr, lines)):
                errors.append("stderr does not match\n  expected lines: "
                              + "\n    ".join(case.stderr or ["(none)"])
                              + "\n  actual:\n    " + "\n    ".join(lines or ["(none)"]))
        if case.check:
            msg = case.check(work, data)
            if msg:
                errors.append(msg)
        return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--cli", help="path of snilab-cli")
    ap.add_argument("--data", default=os.path.join(here, "..", "data"))
    ap.add_argument("--golden", default=os.path.join(here, "golden"))
    ap.add_argument("--case", action="append", help="run only this case (repeatable)")
    ap.add_argument("--update", action="store_true",
                    default=os.environ.get("SNILAB_UPDATE_GOLDEN") == "1",
                    help="rewrite golden files from the current output")
    ap.add_argument("--list", action="store_true", help="print the case names and exit")
    args = ap.parse_args()
    names = [c.name for c in CASES] + ["compressed_same"]
    if args.list:
        print(";".join(names))
        return 0
    if not args.cli:
        ap.error("--cli is required")
    cli = os.path.abspath(args.cli)
    data = os.path.abspath(args.data)
    wanted = set(args.case or names)
    unknown = wanted - set(names)
    if unknown:
        ap.error("unknown case " + ", ".join(sorted(unknown)))
    os.makedirs(args.golden, exist_ok=True)
    failed = 0
    for case in CASES:
        if case.name not in wanted:
            continue
        errors = run_case(case, cli, data, args.golden, args.update)
        print(("FAIL " if errors else "ok   ") + case.name)
        for e in errors:
            print("     " + e.replace("\n", "\n     "))
        failed += bool(errors)
    if "compressed_same" in wanted:
        msg = compressed_same(cli, data)
        print(("FAIL " if msg else "ok   ") + "compressed_same")
        if msg:
            print("     " + msg)
        failed += bool(msg)
    print(f"{failed} failed" if failed else "all passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
