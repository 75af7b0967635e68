#!/usr/bin/env python3
"""Slim a capture: keep each TCP connection's first N packets whole and cut
every later packet to its link + IP + TCP headers.

Captured length shrinks (caplen < len) while the original length and the
timestamp of every packet stay as they were, so packet sizes, payload sizes
(derived from the IP lengths) and timings are intact, and the TLS handshake
(ClientHello with its SNI, ServerHello, certificates) stays readable in the
first N packets. Non-TCP packets are kept whole.

Reads and writes pcap (µs or ns, either byte order) and pcapng (every block
other than Enhanced Packet Blocks is copied unchanged); input may be gzip
compressed (*.gz). The output format equals the input format; --gzip
compresses the output. Python 3 standard library only.

A connection is a TCP 5-tuple; a SYN without ACK starts a new one on a
reused tuple. Link types: Ethernet (with 802.1Q/QinQ tags), Linux SLL and
SLL2, raw IP, BSD loopback.

Usage: pcap_slim.py [--keep N] [--gzip] IN OUT
"""

import argparse
import gzip
import struct
import sys

IPV6_EXT = {0, 43, 60, 51}


def link_offset(linktype, data):
    """Offset of the IP header and its version, or (None, None)."""
    if linktype == 1:  # Ethernet
        off, etype = 14, struct.unpack_from("!H", data, 12)[0] if len(data) >= 14 else 0
        while etype in (0x8100, 0x88A8, 0x9100) and len(data) >= off + 4:
            etype = struct.unpack_from("!H", data, off + 2)[0]
            off += 4
        return (off, etype) if etype in (0x0800, 0x86DD) else (None, None)
    if linktype == 113:  # Linux SLL
        if len(data) < 16:
            return None, None
        etype = struct.unpack_from("!H", data, 14)[0]
        return (16, etype) if etype in (0x0800, 0x86DD) else (None, None)
    if linktype == 276:  # Linux SLL2
        if len(data) < 20:
            return None, None
        etype = struct.unpack_from("!H", data, 0)[0]
        return (20, etype) if etype in (0x0800, 0x86DD) else (None, None)
    if linktype in (101, 12, 14, 228, 229):  # raw IP
        if not data:
            return None, None
        return 0, 0x0800 if data[0] >> 4 == 4 else 0x86DD
    if linktype in (0, 108):  # BSD loopback (null)
        return (4, 0x0800 if data[4] >> 4 == 4 else 0x86DD) if len(data) > 4 else (None, None)
    return None, None


def tcp_headers(linktype, data):
    """(flow key, SYN-without-ACK, header length) of a TCP packet, else None."""
    off, etype = link_offset(linktype, data)
    if off is None:
        return None
    if etype == 0x0800:
        if len(data) < off + 20:
            return None
        ihl = (data[off] & 0x0F) * 4
        if data[off + 9] != 6 or (struct.unpack_from("!H", data, off + 6)[0] & 0x1FFF):
            return None
        src, dst = data[off + 12:off + 16], data[off + 16:off + 20]
        tcp = off + ihl
    elif etype == 0x86DD:
        if len(data) < off + 40:
            return None
        nxt, src, dst, tcp = data[off + 6], data[off + 8:off + 24], data[off + 24:off + 40], off + 40
        while nxt in IPV6_EXT and len(data) >= tcp + 8:
            hlen = (data[tcp + 1] + 2) * 4 if nxt == 51 else (data[tcp + 1] + 1) * 8
            nxt, tcp = data[tcp], tcp + hlen
        if nxt != 6:
            return None
    else:
        return None
    if len(data) < tcp + 14:
        return None
    sport, dport = struct.unpack_from("!HH", data, tcp)
    flags = data[tcp + 13]
    hdr_end = tcp + (data[tcp + 12] >> 4) * 4
    a, b = (src, sport), (dst, dport)
    key = (a, b) if a <= b else (b, a)
    return key, (flags & 0x12) == 0x02, min(hdr_end, len(data))


class Slimmer:
    def __init__(self, keep):
        self.keep = keep
        self.counts = {}
        self.bytes_in = self.bytes_out = self.cut = 0

    def caplen(self, linktype, data):
        info = tcp_headers(linktype, data)
        if info is None:
            return len(data)
        key, syn, hdr_len = info
        n = 1 if syn else self.counts.get(key, 0) + 1
        self.counts[key] = n
        if n <= self.keep:
            return len(data)
        self.cut += 1
        return hdr_len


def slim_pcap(inp, out, head, slimmer):
    magic = head[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    head += inp.read(20)
    linktype = struct.unpack_from(endian + "I", head, 20)[0] & 0x0FFFFFFF
    out.write(head)
    rec = struct.Struct(endian + "IIII")
    while True:
        h = inp.read(16)
        if len(h) < 16:
            break
        sec, frac, incl, orig = rec.unpack(h)
        data = inp.read(incl)
        if len(data) < incl:
            break
        n = slimmer.caplen(linktype, data)
        out.write(rec.pack(sec, frac, n, orig))
        out.write(data[:n])


def slim_pcapng(inp, out, head, slimmer):
    endian = "<"
    linktypes = []
    pending = head
    while True:
        h = pending + inp.read(8 - len(pending))
        pending = b""
        if len(h) < 8:
            break
        btype = struct.unpack_from(endian + "I", h, 0)[0]
        if btype == 0x0A0D0D0A:
            bom = inp.read(4)
            endian = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            total = struct.unpack_from(endian + "I", h, 4)[0]
            body = bom + inp.read(total - 12)
            out.write(h + body)
            linktypes = []
            continue
        total = struct.unpack_from(endian + "I", h, 4)[0]
        body = inp.read(total - 8)
        if len(body) < total - 8:
            break
        if btype == 1:
            linktypes.append(struct.unpack_from(endian + "H", body, 0)[0])
        if btype != 6:
            out.write(h + body)
            continue
        iface, ts_hi, ts_lo, incl, orig = struct.unpack_from(endian + "IIIII", body, 0)
        data = body[20:20 + incl]
        options = body[20 + ((incl + 3) & ~3):-4]
        linktype = linktypes[iface] if iface < len(linktypes) else 1
        n = slimmer.caplen(linktype, data)
        pad = (-n) & 3
        new_total = 8 + 20 + n + pad + len(options) + 4
        out.write(struct.pack(endian + "II", 6, new_total))
        out.write(struct.pack(endian + "IIIII", iface, ts_hi, ts_lo, n, orig))
        out.write(data[:n] + b"\0" * pad + options)
        out.write(struct.pack(endian + "I", new_total))


def open_in(path):
    f = open(path, "rb")
    if f.read(2) == b"\x1f\x8b":
        f.close()
        return gzip.open(path, "rb")
    f.seek(0)
    return f


def slim(src, dst, keep=12, compress=False):
    slimmer = Slimmer(keep)
    with open_in(src) as inp:
        raw_out = gzip.open(dst, "wb", compresslevel=9) if compress else open(dst, "wb")
        with raw_out as out:
            head = inp.read(4)
            if head == b"\x0a\x0d\x0d\x0a":
                slim_pcapng(inp, out, head, slimmer)
            elif head in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1",
                          b"\xa1\xb2\x3c\x4d"):
                slim_pcap(inp, out, head, slimmer)
            else:
                raise ValueError(f"{src}: not a pcap or pcapng file")
    return slimmer


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--keep", type=int, default=12,
                    help="packets per connection kept whole (default 12)")
    ap.add_argument("--gzip", action="store_true", help="gzip the output")
    ap.add_argument("src")
    ap.add_argument("dst")
    args = ap.parse_args()
    s = slim(args.src, args.dst, args.keep, args.gzip)
    print(f"pcap_slim: {args.src} -> {args.dst}: {s.cut} packets cut to headers, "
          f"{len(s.counts)} TCP tuples", file=sys.stderr)


if __name__ == "__main__":
    main()
