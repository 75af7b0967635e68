#!/usr/bin/env python3
"""Runs Debian's ngtcp2 example HTTP/3 server (gtlsserver) for one traffic-lab
site and turns its debug output into a connection log (standard library only).

gtlsserver prints, on stderr, a line for every datagram it receives
("Received packet: local=[IP]:PORT remote=[IP]:PORT ...") and, when the
CRYPTO data of a connection's Initial packets is in order, a hex dump of it
("Ordered CRYPTO data in Initial crypto level" and hexdump -C style lines):
that is the ClientHello the server received. Each ClientHello is one
connection. For each it appends one tab-separated line to --log, the same
fields as pyserver.py's log:
  start_ns client_ip client_port server_ip server_port sni tls_version site
start_ns is when this wrapper read the line of the datagram that carried the
ClientHello (it reads the server's output as it comes; it may lag the packet
by a little). sni is the server_name extension of that ClientHello, as the
server received it. This is ground truth that does not come from the
capture.

Usage: h3server.py --log FILE --site NAME -- gtlsserver [OPTIONS] ADDR PORT KEY CERT
The server's other output is dropped (--raw FILE keeps it). SIGTERM/SIGINT
stop the server and this wrapper.
"""

import argparse
import re
import signal
import struct
import subprocess
import sys
import time

RECEIVED = re.compile(r"^Received packet: local=\[([^\]]+)\]:(\d+) remote=\[([^\]]+)\]:(\d+)")
HEXLINE = re.compile(r"^([0-9a-f]{8})(  .*)?$")
INITIAL_DUMP = "Ordered CRYPTO data in Initial crypto level"


def client_hello_sni(msg):
    """The server_name of a TLS ClientHello handshake message, '' if none,
    None if the message is not a whole ClientHello."""
    if len(msg) < 4 or msg[0] != 1:
        return None
    n = int.from_bytes(msg[1:4], "big")
    if len(msg) < 4 + n:
        return None
    b = msg[4:4 + n]
    try:
        off = 2 + 32
        off += 1 + b[off]                                 # session id
        off += 2 + struct.unpack_from("!H", b, off)[0]    # cipher suites
        off += 1 + b[off]                                 # compression methods
        end = off + 2 + struct.unpack_from("!H", b, off)[0]
        off += 2
        while off + 4 <= end:
            etype, elen = struct.unpack_from("!HH", b, off)
            off += 4
            if etype == 0:  # server_name: list length, then (type, length, name)...
                p = off + 2
                while p + 3 <= off + elen:
                    ntype, nlen = b[p], struct.unpack_from("!H", b, p + 1)[0]
                    if ntype == 0:
                        return b[p + 3:p + 3 + nlen].decode("ascii", "replace")
                    p += 3 + nlen
                return ""
            off += elen
    except (IndexError, struct.error):
        return None
    return ""


class Parser:
    def __init__(self, out, site):
        self.out = out
        self.site = site
        self.last = None     # (ts, local ip, local port, remote ip, remote port)
        self.dumping = None  # remote key while reading a hex dump
        self.pending = {}    # remote -> [start ts, local ip, local port, bytearray]
        self.records = 0

    def line(self, text, ts):
        if self.dumping is not None:
            m = HEXLINE.match(text)
            if m:
                entry = self.pending.get(self.dumping)
                if entry is not None and m.group(2):
                    hexpart = m.group(2).split("|", 1)[0]
                    entry[3] += bytes.fromhex(hexpart.replace(" ", ""))
                    self.finish_if_complete(self.dumping)
                return
            self.dumping = None
        m = RECEIVED.match(text)
        if m:
            self.last = (ts, m.group(1), m.group(2), m.group(3), m.group(4))
            return
        if text.startswith(INITIAL_DUMP) and self.last is not None:
            ts, lip, lport, rip, rport = self.last
            key = (rip, rport)
            if key not in self.pending:
                self.pending[key] = [ts, lip, lport, bytearray()]
            self.dumping = key

    def finish_if_complete(self, key):
        start, lip, lport, buf = self.pending[key]
        if len(buf) < 4:
            return
        if buf[0] != 1:  # not a ClientHello: forget it
            del self.pending[key]
            return
        if len(buf) < 4 + int.from_bytes(buf[1:4], "big"):
            return
        sni = client_hello_sni(bytes(buf))
        del self.pending[key]
        if sni is None:
            return
        self.out.write("\t".join((str(start), key[0], key[1], lip, lport, sni or "-",
                                  "TLSv1.3", self.site)) + "\n")
        self.out.flush()
        self.records += 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--log", required=True, help="connection log (appended)")
    ap.add_argument("--site", required=True, help="site name written to the log")
    ap.add_argument("--raw", help="also copy the server's output here")
    ap.add_argument("cmd", nargs=argparse.REMAINDER, help="-- gtlsserver ...")
    args = ap.parse_args()
    cmd = args.cmd[1:] if args.cmd and args.cmd[0] == "--" else args.cmd
    if not cmd:
        ap.error("no server command")
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)

    def on_signal(signum, frame):
        if proc.poll() is None:
            proc.terminate()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    raw = open(args.raw, "ab") if args.raw else None
    with open(args.log, "a") as out:
        parser = Parser(out, args.site)
        errors = 0
        for line in proc.stderr:  # always drained, so the server never blocks on it
            if raw:
                raw.write(line)
            try:
                parser.line(line.decode("latin-1").rstrip("\n"), time.time_ns())
            except ValueError as e:  # a damaged dump line: that hello is not logged
                errors += 1
                if errors <= 5:
                    print(f"h3server: {args.site}: {e}: {line[:120]!r}", file=sys.stderr,
                          flush=True)
    rc = proc.wait()
    print(f"h3server: {args.site}: {parser.records} connections logged, server exit {rc}",
          file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
