#!/usr/bin/env python3
"""Slim a capture: keep each TCP connection's first N packets whole and cut
every later packet to its link + IP + TCP headers; keep each QUIC
connection's Initial datagrams whole and cut its other datagrams to link +
IP + UDP headers.

Captured length shrinks (caplen < len) while the original length and the
timestamp of every packet stay as they were, so packet sizes, payload sizes
(derived from the IP and UDP lengths) and timings are intact, and the TLS
handshake (ClientHello with its SNI, ServerHello, certificates) stays
readable in the first N packets.

QUIC: a UDP flow is QUIC when a datagram of at least 1200 bytes that starts
with a long-header Initial packet (the client's first Initial) starts it.
A datagram of a QUIC flow whose first packet is an Initial (client Initials
carry the ClientHello, server Initials the ServerHello: the packets anyone
can decrypt, their keys come from the client's first DCID), a Retry or a
Version Negotiation is kept whole, with whatever is coalesced behind it.
Datagrams that start with a 0-RTT, Handshake or short-header (1-RTT) packet
are encrypted with keys the capture does not give, and are cut, except the
first --keep-quic datagrams of the connection (default 0). An Initial of at
least 1200 bytes under a connection ID the flow has not seen yet starts a
new connection on the same endpoints (its count starts again). Other UDP
flows and every other packet are kept whole.

Reads and writes pcap (µs or ns, either byte order) and pcapng (every block
other than Enhanced Packet Blocks is copied unchanged); input may be gzip
compressed (*.gz). The output format equals the input format; --gzip
compresses the output. Python 3 standard library only.

A TCP connection is a TCP 5-tuple; a SYN without ACK starts a new one on a
reused tuple. Link types: Ethernet (with 802.1Q/QinQ tags), Linux SLL and
SLL2, raw IP, BSD loopback.

Usage: pcap_slim.py [--keep N] [--keep-quic N] [--gzip] IN OUT
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


def transport_headers(linktype, data):
    """(protocol 6 or 17, flow key, offset of the TCP/UDP header) of an
    unfragmented TCP or UDP packet, else None."""
    off, etype = link_offset(linktype, data)
    if off is None:
        return None
    if etype == 0x0800:
        if len(data) < off + 20:
            return None
        ihl = (data[off] & 0x0F) * 4
        proto = data[off + 9]
        frag = struct.unpack_from("!H", data, off + 6)[0]
        if proto not in (6, 17) or frag & 0x1FFF or (proto == 17 and frag & 0x2000):
            return None  # not TCP/UDP, a later fragment, or a UDP datagram's first fragment
        src, dst = data[off + 12:off + 16], data[off + 16:off + 20]
        l4 = off + ihl
    elif etype == 0x86DD:
        if len(data) < off + 40:
            return None
        nxt, src, dst, l4 = data[off + 6], data[off + 8:off + 24], data[off + 24:off + 40], off + 40
        while nxt in IPV6_EXT and len(data) >= l4 + 8:
            hlen = (data[l4 + 1] + 2) * 4 if nxt == 51 else (data[l4 + 1] + 1) * 8
            nxt, l4 = data[l4], l4 + hlen
        if nxt not in (6, 17):
            return None
        proto = nxt
    else:
        return None
    if len(data) < l4 + 4:
        return None
    sport, dport = struct.unpack_from("!HH", data, l4)
    a, b = (src, sport), (dst, dport)
    return proto, ((a, b) if a <= b else (b, a)), l4


def tcp_headers(linktype, data):
    """(flow key, SYN-without-ACK, header length) of a TCP packet, else None."""
    info = transport_headers(linktype, data)
    if info is None or info[0] != 6:
        return None
    _, key, tcp = info
    if len(data) < tcp + 14:
        return None
    flags = data[tcp + 13]
    hdr_end = tcp + (data[tcp + 12] >> 4) * 4
    return key, (flags & 0x12) == 0x02, min(hdr_end, len(data))


def quic_long_header(payload):
    """(kind, DCID, SCID) of a QUIC long-header packet, else None; kind is
    "initial", "retry", "vn" (Version Negotiation) or "other" (0-RTT,
    Handshake).

    Version 1 (and drafts, reserved versions) number the types Initial 0,
    0-RTT 1, Handshake 2, Retry 3; version 2 (RFC 9369) Initial 1, 0-RTT 2,
    Handshake 3, Retry 0; version 0 is Version Negotiation."""
    if len(payload) < 7 or not payload[0] & 0x80:
        return None
    version = struct.unpack_from("!I", payload, 1)[0]
    dlen = payload[5]
    if dlen > 20 or len(payload) < 7 + dlen:
        return None
    dcid = bytes(payload[6:6 + dlen])
    slen = payload[6 + dlen]
    if slen > 20 or len(payload) < 7 + dlen + slen:
        return None
    scid = bytes(payload[7 + dlen:7 + dlen + slen])
    if version == 0:
        return "vn", dcid, scid
    ptype = (payload[0] >> 4) & 3
    if version == 0x6B3343CF:
        ptype = (ptype - 1) & 3  # v2 -> v1 numbering
    return {0: "initial", 3: "retry"}.get(ptype, "other"), dcid, scid


class QuicFlow:
    __slots__ = ("ids", "count")

    def __init__(self):
        self.ids = set()  # connection IDs seen in long headers, both directions
        self.count = 0    # datagrams of the current connection


class Slimmer:
    def __init__(self, keep, keep_quic=0):
        self.keep = keep
        self.keep_quic = keep_quic
        self.counts = {}       # TCP flow -> packets of its current connection
        self.udp = {}          # UDP flow -> QuicFlow, or None when not QUIC
        self.quic_connections = 0
        self.bytes_in = self.bytes_out = self.cut = 0

    def caplen(self, linktype, data):
        info = transport_headers(linktype, data)
        if info is None:
            return len(data)
        proto, key, l4 = info
        if proto == 17:
            return self.udp_caplen(key, data, l4)
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

    def udp_caplen(self, key, data, udp):
        if len(data) < udp + 8:
            return len(data)
        payload = memoryview(data)[udp + 8:]
        wire = struct.unpack_from("!H", data, udp + 4)[0] - 8  # UDP length, not the snap length
        head = quic_long_header(payload)
        flow = self.udp.get(key, False)
        if flow is False:  # the flow's first datagram decides whether it is QUIC
            flow = QuicFlow() if head is not None and head[0] == "initial" and wire >= 1200 \
                else None
            self.udp[key] = flow
        if flow is None:
            return len(data)
        if head is not None:
            kind, dcid, scid = head
            if kind == "initial" and wire >= 1200 and dcid not in flow.ids and flow.count:
                flow.count = 0  # a client Initial under a new ID: another connection
                flow.ids = set()
            if flow.count == 0:
                self.quic_connections += 1
            flow.ids.update((dcid, scid))
        flow.count += 1
        if (head is not None and head[0] != "other") or flow.count <= self.keep_quic:
            return len(data)
        self.cut += 1
        return udp + 8


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


def slim(src, dst, keep=12, compress=False, keep_quic=0):
    slimmer = Slimmer(keep, keep_quic)
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
    ap.add_argument("--keep-quic", type=int, default=0,
                    help="datagrams per QUIC connection kept whole (default 0; those "
                         "that start with an Initial, Retry or Version Negotiation "
                         "always are)")
    ap.add_argument("--gzip", action="store_true", help="gzip the output")
    ap.add_argument("src")
    ap.add_argument("dst")
    args = ap.parse_args()
    s = slim(args.src, args.dst, args.keep, args.gzip, args.keep_quic)
    print(f"pcap_slim: {args.src} -> {args.dst}: {s.cut} packets cut to headers, "
          f"{len(s.counts)} TCP tuples, {s.quic_connections} QUIC connections",
          file=sys.stderr)


if __name__ == "__main__":
    main()
