#!/usr/bin/env python3
"""tshark oracle test for snilab (Python 3 standard library only).

Two modes:

  --mode oracle (default)
      Ingests every capture under --data with snilab once (one catalog in a
      temporary directory), runs tshark (2 processes) on every capture that
      holds a TCP ClientHello, and checks per capture file that the multiset
      of (client ip, client port, server ip, server port, SNI) of snilab's
      connections with has_client_hello=1 equals the one tshark finds with
          tshark -n -r FILE -Y 'tls.handshake.type==1 && tcp' -T fields ...
      (one tuple per tcp.stream: its first ClientHello frame; client = that
      frame's innermost ip.src/ipv6.src and tcp.srcport).
      Differences listed in exceptions.tsv (next to this script) are allowed.
      The catalog stores each connection once: a file whose traffic is also in
      another file is compared again on a catalog of its own before it counts
      as a difference.

  --transport quic
      The same for QUIC: snilab's connections with transport=quic and a
      ClientHello against
          tshark -n -r FILE -Y 'tls.handshake.type==1 && quic' -T fields ...
      (one tuple per quic.connection.number: its first ClientHello frame;
      client = that frame's ip.src and udp.srcport), over the files the index
      lists with a UDP ClientHello, with the differences of exceptions-quic.tsv
      allowed. The summary counts the ClientHellos that agree.

  --mode no-crash
      Ingests every capture (malformed ones included) in batches of --batch
      files per snilab process (a batch that fails is redone one file per
      process to name the file), then all of them in one process;
      fails on a crash (killed by a signal), a hang (timeout) or an exit
      status other than 0 or 1.

Exit status: 0 pass, 1 fail, 77 skipped (no data directory, no tshark).
"""

import argparse
import concurrent.futures
import csv
import hashlib
import ipaddress
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP_RETURN_CODE = 77

# Files under the data directory that are documentation, expected-output or
# license text rather than captures. Everything else is fed to snilab
# (fuzz corpora and damaged files included: they must not crash it).
TEXT_SUFFIXES = (".out", ".yaml", ".yml", ".md", ".txt", ".test", ".tsv", ".json", ".log", ".fp")
TEXT_NAMES = ("LICENSE", "LICENSE-MIT", "COPYING", "copyright")

# exceptions.tsv: path <TAB> kind <TAB> reason [<TAB> arg]
#   skip        the file is not compared at all (still ingested)
#   missing-ok  tuples only tshark finds are allowed; arg: optional conditions
#               key=value[,key=value...] a tuple must meet (keys: TUPLE_KEYS and
#               TSHARK_KEYS; all tuples of the file when empty)
#   extra-ok    tuples only snilab finds are allowed; arg: as for missing-ok
#               (TUPLE_KEYS only)
#   decode-as   the oracle for this file is tshark with "-d ARG" (e.g.
#               tcp.port==80,tls): TLS on a port tshark does not decode as TLS
#               by default; the comparison stays exact
#   tshark-pref the oracle for this file is tshark with "-o ARG"; exact too
EXCEPTION_KINDS = ("skip", "missing-ok", "extra-ok", "decode-as", "tshark-pref")
TUPLE_KEYS = ("client_ip", "client_port", "server_ip", "server_port", "sni")
# Facts tshark reports about the frame of a ClientHello only it finds:
#   record_version  tls.record.version of that frame (0x0002: SSLv2 CLIENT-HELLO)
#   malformed       1 when tshark flags that ClientHello malformed (_ws.malformed or
#                   a TLS length expert warning such as "Vector length ... too large")
#   layers          frame.protocols, e.g. eth:ethertype:ip:tcp:openvpn:tls
#   version         QUIC: quic.version of that frame (0x54303531: Google T051)
TSHARK_KEYS = ("record_version", "malformed", "layers", "version")

# Per transport: the tshark display filter, the field that numbers its
# connections, the transport layer's name and port fields, and the column
# of INDEX_files.tsv counting the file's ClientHellos.
TRANSPORTS = {
    "tcp": {"filter": "tls.handshake.type==1 && tcp", "stream": "tcp.stream", "layer": "tcp",
            "sport": "tcp.srcport", "dport": "tcp.dstport", "index": "tls_clienthellos_tcp",
            "exceptions": "exceptions.tsv"},
    "quic": {"filter": "tls.handshake.type==1 && quic", "stream": "quic.connection.number",
             "layer": "udp", "sport": "udp.srcport", "dport": "udp.dstport",
             "index": "quic_dtls_clienthellos_udp", "exceptions": "exceptions-quic.tsv"},
}
TRANSPORT = TRANSPORTS["tcp"]  # set by main() from --transport


def tshark_fields():
    return ("frame.number", "frame.protocols", TRANSPORT["stream"], "ip.src", "ipv6.src",
            TRANSPORT["sport"], "ip.dst", "ipv6.dst", TRANSPORT["dport"],
            "tls.handshake.extensions_server_name", "tls.record.version",
            "_ws.malformed", "_ws.expert.message") + (("quic.version",) if TRANSPORT is TRANSPORTS["quic"] else ())
MALFORMED_EXPERT = re.compile(r"Vector length|trailing byte|No more room|Malformed|"
                              r"Ignored Unknown Record|length .* (?:too|exceeds)", re.I)
AGGREGATOR = "\x1f"  # separates several occurrences of one field (never in our values)


def log(*parts):
    print(*parts, flush=True)


def skip(message):
    log("SKIP: " + message)
    sys.exit(SKIP_RETURN_CODE)


# --------------------------------------------------------------------------- inputs

def list_captures(data_dir):
    """Every non-text file under data_dir, as paths relative to it, sorted."""
    out = []
    for root, dirs, files in os.walk(data_dir):
        dirs.sort()
        for name in files:
            if name.endswith(TEXT_SUFFIXES) or name in TEXT_NAMES:
                continue
            if name.startswith("INDEX_"):
                continue
            full = os.path.join(root, name)
            if os.path.islink(full) or not os.path.isfile(full):
                continue
            out.append(os.path.relpath(full, data_dir))
    out.sort()
    return out


def content_groups(data_dir, paths):
    """path -> list of all paths with byte-identical content (snilab stores a
    capture whose content is already in the catalog only once, under the path
    it met first)."""
    by_hash = {}
    for p in paths:
        h = hashlib.sha256()
        with open(os.path.join(data_dir, p), "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        by_hash.setdefault(h.hexdigest(), []).append(p)
    return {p: group for group in by_hash.values() for p in group}


def read_exceptions(path):
    """List of dicts: path, kind, reason, arg, where (dict key -> value), line, used."""
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cols = line.split("\t")
            if cols[0] == "path":  # header
                continue
            if len(cols) < 3 or not cols[2].strip():
                raise SystemExit(f"{path}:{lineno}: need path<TAB>kind<TAB>reason[<TAB>arg]")
            kind = cols[1].strip()
            if kind not in EXCEPTION_KINDS:
                raise SystemExit(f"{path}:{lineno}: unknown kind {kind!r} "
                                 f"(one of {', '.join(EXCEPTION_KINDS)})")
            arg = cols[3].strip() if len(cols) > 3 else ""
            where = {}
            if kind in ("missing-ok", "extra-ok") and arg:
                keys = TUPLE_KEYS + (TSHARK_KEYS if kind == "missing-ok" else ())
                for cond in arg.split(","):
                    key, sep, value = cond.partition("=")
                    key = key.strip()
                    if not sep or key not in keys:
                        raise SystemExit(f"{path}:{lineno}: bad condition {cond!r} "
                                         f"(key=value with key in {', '.join(keys)})")
                    where[key] = value.strip()
            if kind in ("decode-as", "tshark-pref") and not arg:
                raise SystemExit(f"{path}:{lineno}: {kind} needs the tshark argument")
            rows.append({"path": cols[0].strip(), "kind": kind, "reason": cols[2].strip(),
                         "arg": arg, "where": where, "line": lineno, "used": False})
    return rows


# --------------------------------------------------------------------------- normalisation

def norm_ip(text):
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return text


# SNI comparison form. tshark 4.0 -T fields prints the server_name as ASCII:
# printable characters and most control characters raw, \t \n \r (and the
# other C escapes) as backslash escapes, and every byte >= 0x80 as U+FFFD.
# snilab writes control characters as \xNN and other bytes raw. Both are
# mapped to: control characters and DEL as \xNN, bytes >= 0x80 as U+FFFD,
# the rest as is (case kept). A literal backslash followed by one of the
# escape letters is ambiguous in tshark's output; no capture here has one.
C_ESCAPES = {"a": 0x07, "b": 0x08, "f": 0x0C, "n": 0x0A, "r": 0x0D, "t": 0x09, "v": 0x0B}


def norm_sni_char(c):
    o = ord(c)
    if o < 0x20 or o == 0x7F:
        return "\\x%02x" % o
    return c


def sni_from_tshark(text):
    out = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            d = text[i + 1]
            if d in C_ESCAPES:
                out.append("\\x%02x" % C_ESCAPES[d])
                i += 2
                continue
            if d == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", text[i + 2:i + 4]):
                out.append(norm_sni_char(chr(int(text[i + 2:i + 4], 16))))
                i += 4
                continue
        out.append("\ufffd" if 0xDC80 <= ord(c) <= 0xDCFF else norm_sni_char(c))
        i += 1
    return "".join(out)


def sni_from_snilab(text):
    raw = text.encode("utf-8", "surrogateescape")
    out = []
    i = 0
    while i < len(raw):
        m = re.match(rb"\\x([0-9a-fA-F]{2})", raw[i:i + 4])
        if m:
            v = int(m.group(1), 16)
            out.append("\ufffd" if v >= 0x80 else norm_sni_char(chr(v)))
            i += 4
            continue
        b = raw[i]
        out.append("\ufffd" if b >= 0x80 else norm_sni_char(chr(b)))
        i += 1
    return "".join(out)


def fmt_tuple(t):
    cip, cport, sip, sport, sni = t
    c = f"[{cip}]:{cport}" if ":" in cip else f"{cip}:{cport}"
    s = f"[{sip}]:{sport}" if ":" in sip else f"{sip}:{sport}"
    return f"{c} -> {s} sni={sni!r}" if sni else f"{c} -> {s} (no SNI)"


# --------------------------------------------------------------------------- tshark

def tshark_env(tmp):
    env = dict(os.environ)
    # Ignore the user's Wireshark preferences (decode-as, disabled protocols...).
    cfg = os.path.join(tmp, "wireshark-config")
    os.makedirs(cfg, exist_ok=True)
    env["WIRESHARK_CONFIG_DIR"] = cfg
    env["LC_ALL"] = "C.UTF-8"
    return env


def last(values):
    """The last of several occurrences (the innermost header of a tunnel)."""
    vals = [v for v in values.split(AGGREGATOR) if v] if values else []
    return vals[-1] if vals else ""


def first(values):
    vals = [v for v in values.split(AGGREGATOR) if v] if values else []
    return vals[0] if vals else ""


def run_tshark(tshark, data_dir, rel, env, timeout, extra=()):
    """-> (list of rows {tuple, origin, record_version, malformed, layers} or None,
    error text or '')."""
    cmd = [tshark, "-n", "-r", os.path.join(data_dir, rel)] + list(extra) + [
           "-Y", TRANSPORT["filter"], "-T", "fields",
           "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=" + AGGREGATOR,
           "-E", "quote=n"]
    fields = tshark_fields()
    for f in fields:
        cmd += ["-e", f]
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"tshark timed out after {timeout}s"
    err = "\n".join(l for l in p.stderr.decode("utf-8", "replace").splitlines()
                    if l.strip() and "could be dangerous" not in l)
    if p.returncode != 0 and not err:
        err = f"tshark exit status {p.returncode}"
    seen_streams = set()
    rows = []
    for line in p.stdout.decode("utf-8", "surrogateescape").splitlines():
        cols = line.split("\t")
        cols += [""] * (len(fields) - len(cols))
        (frame, protos, stream, ip4s, ip6s, sport, ip4d, ip6d, dport, sni, recver,
         malformed, expert) = cols[:13]
        version = first(cols[13]) if len(fields) > 13 else ""
        stream = last(stream)
        if stream in seen_streams:  # one per connection: its first ClientHello frame
            continue
        seen_streams.add(stream)
        layers = protos.split(":")
        # The IP header right below the (last) TCP/UDP header decides v4 or
        # v6; with tunnels, ip.src etc. have one value per header, innermost last.
        tcp_at = max((i for i, l in enumerate(layers) if l == TRANSPORT["layer"]),
                     default=len(layers))
        ip_layers = [l for l in layers[:tcp_at] if l in ("ip", "ipv6")]
        v6 = bool(ip_layers) and ip_layers[-1] == "ipv6"
        src = last(ip6s if v6 else ip4s)
        dst = last(ip6d if v6 else ip4d)
        t = (norm_ip(src), last(sport), norm_ip(dst), last(dport), sni_from_tshark(first(sni)))
        bad = bool(malformed) or bool(MALFORMED_EXPERT.search(expert.replace(AGGREGATOR, "; ")))
        rows.append({"tuple": t, "origin": f"{TRANSPORT['stream']} {stream}, frame {frame}",
                     "record_version": first(recver), "malformed": "1" if bad else "0",
                     "version": version,
                     "layers": protos,
                     "expert": expert.replace(AGGREGATOR, "; ")})
    return rows, err


# --------------------------------------------------------------------------- snilab

def copy_cli(cli, tmp):
    """Run a private copy: the build tree's binary may be relinked meanwhile."""
    dst = os.path.join(tmp, "snilab-cli")
    shutil.copy2(cli, dst)
    return dst


def describe_rc(rc):
    if rc < 0:
        try:
            return f"killed by signal {signal.Signals(-rc).name}"
        except ValueError:
            return f"killed by signal {-rc}"
    return f"exit status {rc}"


def ingest(cli, catalog, data_dir, paths, threads, timeout):
    """-> (returncode or None on timeout, stderr text, seconds)."""
    cmd = [cli, "ingest", "--catalog", catalog, "--quiet", "--threads", str(threads)] + paths
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, cwd=data_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
    except subprocess.TimeoutExpired as e:
        err = (e.stderr or b"").decode("utf-8", "replace")
        return None, err, time.monotonic() - t0
    return p.returncode, p.stderr.decode("utf-8", "replace"), time.monotonic() - t0


def snilab_tuples(cli, catalog, tmp):
    """capture path -> list of tuples of connections of the compared transport
    with has_client_hello=1."""
    out = os.path.join(tmp, "connections.csv")
    p = subprocess.run([cli, "connections", "--catalog", catalog, "--format", "csv", "--out", out],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    if p.returncode != 0:
        raise RuntimeError("snilab-cli connections failed (%s): %s"
                           % (describe_rc(p.returncode), p.stderr.decode("utf-8", "replace")))
    result = {}
    with open(out, newline="", encoding="utf-8", errors="surrogateescape") as f:
        reader = csv.DictReader(f)
        need = {"capture", "client_ip", "client_port", "server_ip", "server_port",
                "has_client_hello", "sni"}
        missing = need - set(reader.fieldnames or [])
        if missing:
            raise RuntimeError("connections CSV lacks columns: " + ", ".join(sorted(missing)))
        for row in reader:
            if row["has_client_hello"] != "1":
                continue
            if row.get("transport", "tcp") != TRANSPORT["layer"].replace("udp", "quic"):
                continue
            t = (norm_ip(row["client_ip"]), row["client_port"], norm_ip(row["server_ip"]),
                 row["server_port"], sni_from_snilab(row["sni"]))
            result.setdefault(row["capture"], []).append(t)
    return result


# --------------------------------------------------------------------------- comparison

def multiset_diff(a, b, key=lambda x: x):
    """Items of a whose key is not matched in b (a multiset of keys), in a's order."""
    pool = {}
    for t in b:
        pool[t] = pool.get(t, 0) + 1
    out = []
    for item in a:
        k = key(item)
        if pool.get(k, 0) > 0:
            pool[k] -= 1
        else:
            out.append(item)
    return out


def meets(where, values):
    return all(values.get(k) == v for k, v in where.items())


def find_exception(exceptions, rel, kind, values):
    for e in exceptions:
        if e["path"] == rel and e["kind"] == kind and meets(e["where"], values):
            e["used"] = True
            return e
    return None


def tshark_note(row):
    notes = []
    if row["record_version"] == "0x0002":
        notes.append("SSLv2 record")
    if row["malformed"] == "1":
        notes.append("tshark: " + (row["expert"] or "malformed")[:100])
    layers = row["layers"].split(":")
    if layers[-2:] != ["tcp", "tls"] or layers.count("tcp") > 1:
        notes.append(row["layers"])
    return ("; " + "; ".join(notes)) if notes else ""


def run_oracle(args, tmp, captures, exceptions):
    tshark = args.tshark
    env = tshark_env(tmp)
    cli = copy_cli(args.cli, tmp)
    skip_paths = {e["path"]: e for e in exceptions if e["kind"] == "skip"}

    # 1. snilab, once over everything.
    catalog = os.path.join(tmp, "oracle.sqlite")
    log(f"snilab: ingesting {len(captures)} files ...")
    rc, err, secs = ingest(cli, catalog, args.data, captures, args.ingest_threads or args.jobs,
                           args.ingest_timeout)
    log(f"snilab: ingest {describe_rc(rc) if rc is not None else 'TIMED OUT'} in {secs:.1f}s")
    if rc is None:
        log(f"FAIL: snilab ingest hung (no exit after {args.ingest_timeout}s); "
            "run with --mode no-crash to find the file")
        return 1
    if rc not in (0, 1):
        log(f"FAIL: snilab ingest {describe_rc(rc)}; stderr tail:\n"
            + "\n".join(err.splitlines()[-10:]) + "\n(run with --mode no-crash to find the file)")
        return 1
    ingest_errors = {}
    for line in err.splitlines():
        for p in captures:
            if (" " + p + ":") in line:
                ingest_errors[p] = line
                break
    snilab = snilab_tuples(cli, catalog, tmp)
    groups = content_groups(args.data, captures)

    # Byte-identical files: the catalog keeps the content once, under one of
    # the paths; compare each path with the rows of the one that has them.
    duplicates = {}
    for rel in captures:
        holders = [p for p in groups.get(rel, [rel]) if p in snilab]
        if len(holders) > 1 and holders[0] == rel:
            duplicates[rel] = holders

    def snilab_for(rel):
        for p in groups.get(rel, [rel]):
            if p in snilab:
                return snilab[p]
        return []

    # 2. Which files to ask tshark about: every file with a TCP ClientHello per
    # the data set's index (made with tshark 4.0.17), every file snilab finds
    # one in, every file the index does not list. --all: every file.
    index = os.path.join(args.data, "INDEX_files.tsv")
    if args.all or not os.path.exists(index):
        candidates = list(captures)
    else:
        listed, with_ch = set(), set()
        with open(index, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                listed.add(row["path"])
                if int(row.get(TRANSPORT["index"]) or 0) > 0:
                    with_ch.add(row["path"])
        candidates = [p for p in captures
                      if p in with_ch or p not in listed or snilab_for(p)]
    if args.only:
        candidates = [p for p in candidates if any(s in p for s in args.only)]
    skipped = [p for p in candidates if p in skip_paths]
    candidates = [p for p in candidates if p not in skip_paths]
    extra_args = {}
    for e in exceptions:
        if e["kind"] == "decode-as":
            extra_args.setdefault(e["path"], []).extend(["-d", e["arg"]])
        elif e["kind"] == "tshark-pref":
            extra_args.setdefault(e["path"], []).extend(["-o", e["arg"]])

    log(f"tshark: {len(candidates)} files, {args.jobs} processes ...")
    t0 = time.monotonic()
    ts = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        # Biggest first: the run ends sooner with 2 workers.
        order = sorted(candidates, key=lambda p: -os.path.getsize(os.path.join(args.data, p)))
        futs = {pool.submit(run_tshark, tshark, args.data, p, env, args.tshark_timeout,
                            extra_args.get(p, ())): p for p in order}
        for fut in concurrent.futures.as_completed(futs):
            ts[futs[fut]] = fut.result()
    log(f"tshark: done in {time.monotonic() - t0:.1f}s")

    # 3. Compare.
    n_compared = n_match = n_match_opts = n_excepted = n_empty = n_alone = 0
    n_hellos = n_agreed = n_extra = 0  # tshark's ClientHello connections, those snilab has too
    n_sni = n_sni_agreed = 0  # the same for those with an SNI
    failures = []

    def snilab_alone(i, rel):
        """The file's tuples from a catalog of its own. In the shared catalog a
        connection is stored once (docs/catalog.md, identity of traffic): a file
        whose packets or connections are also in another file (the same capture
        in another container, overlapping captures) holds only part of its own
        rows there."""
        own = os.path.join(tmp, f"alone-{i}")
        os.makedirs(own, exist_ok=True)
        ingest(cli, os.path.join(own, "c.sqlite"), args.data, [rel], 1, args.ingest_timeout)
        return snilab_tuples(cli, os.path.join(own, "c.sqlite"), own).get(rel, [])

    def differs(rel, mine):
        rows = ts[rel][0] or []
        return (multiset_diff(rows, mine, key=lambda r: r["tuple"])
                or multiset_diff(mine, [r["tuple"] for r in rows]))

    # Files that differ in the shared catalog are read again alone, in parallel.
    retry = [rel for rel in candidates
             if ts[rel][0] is not None and rel not in duplicates and differs(rel, snilab_for(rel))]
    alone = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for rel, rows in zip(retry, pool.map(snilab_alone, range(len(retry)), retry)):
            alone[rel] = rows
    for rel in candidates:
        tshark_rows, terr = ts[rel]
        if tshark_rows is None:
            failures.append((rel, ["  " + terr]))
            continue
        for e in exceptions:
            if e["path"] == rel and e["kind"] in ("decode-as", "tshark-pref"):
                e["used"] = True
        mine = snilab_for(rel)
        if not tshark_rows and not mine:
            n_empty += 1
            continue
        n_compared += 1
        missing = multiset_diff(tshark_rows, mine, key=lambda r: r["tuple"])  # tshark only
        extra = multiset_diff(mine, [r["tuple"] for r in tshark_rows])         # snilab only
        read_alone = False
        if (missing or extra) and rel in alone and alone[rel] != mine:
            mine = alone[rel]
            missing = multiset_diff(tshark_rows, mine, key=lambda r: r["tuple"])
            extra = multiset_diff(mine, [r["tuple"] for r in tshark_rows])
            read_alone = True
        n_hellos += len(tshark_rows)
        n_agreed += len(tshark_rows) - len(missing)
        n_sni += sum(1 for r in tshark_rows if r["tuple"][4])
        n_sni_agreed += sum(1 for r in tshark_rows if r["tuple"][4]) - sum(
            1 for r in missing if r["tuple"][4])
        n_extra += len(extra)
        if read_alone and not missing and not extra:
            n_alone += 1
            continue
        if not missing and not extra:
            if rel in extra_args:
                n_match_opts += 1
            else:
                n_match += 1
            continue
        bad_missing = [r for r in missing if not find_exception(
            exceptions, rel, "missing-ok", dict(zip(TUPLE_KEYS, r["tuple"]), **r))]
        bad_extra = [t for t in extra if not find_exception(
            exceptions, rel, "extra-ok", dict(zip(TUPLE_KEYS, t)))]
        if not bad_missing and not bad_extra:
            n_excepted += 1
            continue
        lines = [f"  tshark{' ' + ' '.join(extra_args[rel]) if rel in extra_args else ''}: "
                 f"{len(tshark_rows)} ClientHello connections, snilab: {len(mine)}; "
                 f"{len(bad_missing)} missing in snilab, {len(bad_extra)} extra in snilab"]
        if rel in ingest_errors:
            lines.append("  snilab said: " + ingest_errors[rel])
        if terr:
            lines.append("  tshark said: " + terr.splitlines()[0])
        for r in bad_missing[:args.max_diff]:
            lines.append(f"  - tshark only: {fmt_tuple(r['tuple'])}  ({r['origin']}{tshark_note(r)})")
        if len(bad_missing) > args.max_diff:
            lines.append(f"  - ... {len(bad_missing) - args.max_diff} more tshark-only")
        for t in bad_extra[:args.max_diff]:
            lines.append(f"  + snilab only: {fmt_tuple(t)}")
        if len(bad_extra) > args.max_diff:
            lines.append(f"  + ... {len(bad_extra) - args.max_diff} more snilab-only")
        failures.append((rel, lines))

    for rel, holders in sorted(duplicates.items()):
        failures.append((rel, [f"  byte-identical files ingested {len(holders)} times (the catalog "
                               f"must hold one content once): " + ", ".join(holders)]))
    for rel, lines in failures:
        log(f"FAIL {rel}")
        for l in lines:
            log(l)

    by_reason = {}
    for e in exceptions:
        if e["used"] or (e["kind"] == "skip" and e["path"] in skipped):
            by_reason.setdefault((e["kind"], e["reason"]), set()).add(e["path"])
    in_scope = lambda e: not args.only or any(s in e["path"] for s in args.only)
    stale = [e for e in exceptions if in_scope(e) and not e["used"] and e["kind"] != "skip"]
    log("")
    name = TRANSPORT["layer"].replace("udp", "QUIC").upper()
    log(f"oracle summary ({name}): {len(candidates) + len(skipped)} files looked at; "
        f"{n_compared} compared (a {name} ClientHello on either side): {n_match} identical, "
        f"{n_match_opts} identical with tshark options from exceptions.tsv, "
        f"{n_alone} identical on a catalog of their own (traffic shared with another file), "
        f"{n_excepted} differing only as excepted, {len(failures)} FAILING; "
        f"{len(skipped)} skipped; {n_empty} without {name} ClientHello on either side")
    log(f"  ClientHello connections: {n_agreed} of tshark's {n_hellos} agree "
        f"(same client/server endpoints and SNI; with an SNI: {n_sni_agreed} of {n_sni}), "
        f"{n_extra} found by snilab only")
    for (kind, reason), paths in sorted(by_reason.items()):
        log(f"  [{kind}] {len(paths)} file(s): {reason}")
    for e in stale:
        log(f"  NOTE stale exception (exceptions.tsv line {e['line']}: no such difference any "
            f"more): {e['path']} {e['kind']} {e['arg']}")
    if args.strict_exceptions and stale:
        log("FAIL: stale exceptions (--strict-exceptions)")
        return 1
    return 1 if failures else 0


# --------------------------------------------------------------------------- no-crash

def run_no_crash(args, tmp, captures):
    cli = copy_cli(args.cli, tmp)
    problems = []

    def run(i, rels, timeout):
        catalog = os.path.join(tmp, f"batch-{i}.sqlite")
        rc, err, secs = ingest(cli, catalog, args.data, rels, 1, timeout)
        for suffix in ("", "-wal", "-shm", "-journal", ".lock"):
            try:
                os.remove(catalog + suffix)
            except FileNotFoundError:
                pass
        return rc, err, secs

    # Files go in batches of --batch per process (starting snilab-cli, which
    # loads LibTorch, costs about a second); a batch that crashes, hangs or
    # exits oddly is redone one file per process to name the file.
    def batch(i_rels):
        i, rels = i_rels
        rc, err, secs = run(i, rels, args.file_timeout * len(rels))
        if rc is not None and rc in (0, 1):
            return [(rels, rc, err, secs)]
        # The batch's own failure is reported too, so a crash that needs
        # several files in one process is not lost when each file alone passes.
        singles = [([rel], *run(f"{i}-{j}", [rel], args.file_timeout)) for j, rel in enumerate(rels)]
        return singles + [(rels, rc, err, secs)] if len(rels) > 1 else singles

    size = max(1, args.batch)
    batches = [captures[k:k + size] for k in range(0, len(captures), size)]
    log(f"no-crash: ingesting {len(captures)} files in {len(batches)} processes of up to {size} "
        f"(a failing batch is redone one file per process; timeout {args.file_timeout}s per file, "
        f"{args.jobs} at a time) ...")
    t0 = time.monotonic()
    slowest = []
    counts = {0: 0, 1: 0}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for results in pool.map(batch, enumerate(batches)):
            for rels, rc, err, secs in results:
                rel = rels[0] if len(rels) == 1 else f"{rels[0]} .. ({len(rels)} files)"
                slowest.append((secs, rel))
                if rc is None:
                    problems.append(f"HANG {rel}: no exit after {args.file_timeout}s")
                elif rc not in (0, 1):
                    tail = " | ".join(err.strip().splitlines()[-3:])
                    what = "CRASH" if rc < 0 else "BAD EXIT"
                    problems.append(f"{what} {rel}: {describe_rc(rc)}" + (f": {tail}" if tail else ""))
                else:
                    counts[rc] += len(rels)
    log(f"no-crash: batch runs done in {time.monotonic() - t0:.1f}s: {counts[0]} files in batches "
        f"that exited 0, {counts[1]} in batches that exited 1 (something unreadable), "
        f"{len(problems)} problems")
    slowest.sort(reverse=True)
    log("  slowest: " + ", ".join(f"{r} {s:.1f}s" for s, r in slowest[:3]))

    catalog = os.path.join(tmp, "all.sqlite")
    rc, err, secs = ingest(cli, catalog, args.data, captures, args.ingest_threads or args.jobs,
                           args.ingest_timeout)
    log(f"no-crash: all files in one process ({args.jobs} threads): "
        f"{describe_rc(rc) if rc is not None else 'TIMED OUT'} in {secs:.1f}s")
    if rc is None:
        problems.append(f"HANG ingesting all files in one process (> {args.ingest_timeout}s)")
    elif rc not in (0, 1):
        problems.append(f"{'CRASH' if rc < 0 else 'BAD EXIT'} ingesting all files in one process: "
                        f"{describe_rc(rc)}: "
                        + " | ".join(err.strip().splitlines()[-3:]))
    for p in problems:
        log("FAIL " + p)
    return 1 if problems else 0


# --------------------------------------------------------------------------- main

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cli", required=True, help="path of snilab-cli")
    ap.add_argument("--data", required=True, help="shared data directory (../shared/data)")
    ap.add_argument("--mode", choices=("oracle", "no-crash"), default="oracle")
    ap.add_argument("--transport", choices=sorted(TRANSPORTS), default="tcp",
                    help="oracle: compare TCP (default) or QUIC ClientHellos")
    ap.add_argument("--exceptions", default=None,
                    help="differences allowed (default: exceptions.tsv for TCP, "
                         "exceptions-quic.tsv for QUIC, next to this script)")
    ap.add_argument("--tshark", default=None, help="tshark to use (default: from PATH)")
    ap.add_argument("--jobs", type=int, default=2, help="parallel processes (default 2)")
    ap.add_argument("--batch", type=int, default=20,
                    help="no-crash: files per snilab-cli process (default 20; 1 = one each)")
    ap.add_argument("--ingest-threads", type=int, default=0,
                    help="--threads for the ingest of all files (default: --jobs)")
    ap.add_argument("--all", action="store_true",
                    help="run tshark on every capture, not only those the index lists with a "
                         "TCP ClientHello (plus those snilab finds one in)")
    ap.add_argument("--only", action="append", default=[],
                    help="compare only files whose path contains this (repeatable)")
    ap.add_argument("--max-diff", type=int, default=5, help="differences shown per file")
    ap.add_argument("--file-timeout", type=int, default=60,
                    help="no-crash: seconds one file may take (default 60)")
    ap.add_argument("--ingest-timeout", type=int, default=600,
                    help="seconds the ingest of all files may take (default 600)")
    ap.add_argument("--tshark-timeout", type=int, default=300)
    ap.add_argument("--strict-exceptions", action="store_true",
                    help="fail when an exception no longer matches any difference")
    ap.add_argument("--keep-temp", action="store_true")
    args = ap.parse_args()
    global TRANSPORT
    TRANSPORT = TRANSPORTS[args.transport]
    args.exceptions = args.exceptions or os.path.join(here, TRANSPORT["exceptions"])

    if not os.path.isdir(args.data):
        skip(f"data directory {args.data} not found (the oracle needs ../shared/data)")
    args.data = os.path.abspath(args.data)
    if not os.access(args.cli, os.X_OK):
        log(f"FAIL: snilab-cli not found or not executable: {args.cli}")
        return 1
    if args.mode == "oracle":
        args.tshark = args.tshark or shutil.which("tshark")
        if not args.tshark:
            skip("tshark not found in PATH (install it, e.g. apt-get install tshark)")
    captures = list_captures(args.data)
    if not captures:
        skip(f"no capture files under {args.data}")
    exceptions = read_exceptions(args.exceptions)
    for e in exceptions:
        if not os.path.exists(os.path.join(args.data, e["path"])):
            log(f"NOTE exceptions.tsv line {e['line']}: {e['path']} is not in the data directory")

    t0 = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="snilab-oracle-")
    try:
        if args.mode == "oracle":
            rc = run_oracle(args, tmp, captures, exceptions)
        else:
            rc = run_no_crash(args, tmp, captures)
    finally:
        if args.keep_temp:
            log(f"temporary files kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    log(f"{args.mode}: {'PASS' if rc == 0 else 'FAIL'} in {time.monotonic() - t0:.1f}s")
    return rc


if __name__ == "__main__":
    sys.exit(main())
