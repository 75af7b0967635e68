#!/usr/bin/env python3
"""Writes the crafted test captures of tests/data/ (the source of truth for them).

Python 3 standard library only, deterministic (no clock, no unseeded randomness):
running it twice gives the same bytes. `zstd` (the Debian package) is called for
basic.pcap.zst when present.

    tools/make_test_captures.py [--out DIR] [--expect]

--expect prints, per capture, the connections the generator meant to write
(client, server, packets/IP bytes/payload bytes per direction, SNI, JA4...) in
the column order of `snilab-cli connections`, so golden outputs can be checked
against an independent model instead of against snilab itself.

Files (see tests/data/README.md):
  basic.pcap(.gz/.zst)  Ethernet IPv4, µs: TLS, split+reordered ClientHello, HTTP,
                        reused 4-tuple, no-SYN connection, padded frames, non-TCP noise
  ns.pcap               nanosecond pcap (magic a1b23c4d), sub-µs timestamps
  vlan_ipv6.pcapng      QinQ, IPv6 with hop-by-hop + destination options, ECH
  sll2.pcap raw.pcap null.pcap   LINKTYPE_LINUX_SLL2 / RAW (IPv6) / NULL
  truncated.pcap        basic.pcap cut in the middle of a record
  snaplen.pcap          data segments cut to 96 bytes, ClientHello whole
  not_a_capture.pcap    text; empty.pcap: 0 bytes
"""

import argparse
import gzip
import hashlib
import os
import shutil
import struct
import subprocess
import sys

BASE_S = 1_700_000_000  # 2023-11-14T22:13:20Z


def prng(label, n):
    """n deterministic pseudo-random bytes named by `label`."""
    out = bytearray()
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(f"{label}/{counter}".encode()).digest()
        counter += 1
    return bytes(out[:n])


def u8(v):
    return struct.pack("!B", v)


def u16(v):
    return struct.pack("!H", v)


def u24(v):
    return struct.pack("!I", v)[1:]


def vec8(b):
    return u8(len(b)) + b


def vec16(b):
    return u16(len(b)) + b


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


# ---------------------------------------------------------------- TLS


def is_grease(v):
    return (v & 0x0F0F) == 0x0A0A and (v >> 8) == (v & 0xFF)


CIPHERS = [0x2A2A, 0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8,
           0xC013, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035]
SIGALGS = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]


class Hello:
    """A ClientHello and the values snilab should extract from it."""

    def __init__(self, sni, name, alpn=("h2", "http/1.1"), versions=(0x3A3A, 0x0304, 0x0303),
                 pq=False, ech=False, padding=0):
        exts = []  # (type, body)
        exts.append((0x8A8A, b""))  # GREASE
        if sni is not None:
            host = sni if isinstance(sni, bytes) else sni.encode()
            exts.append((0x0000, vec16(u8(0) + vec16(host))))
        exts.append((0x0017, b""))
        exts.append((0xFF01, b"\0"))
        groups = [0x5A5A] + ([0x11EC] if pq else []) + [0x001D, 0x0017, 0x0018]
        exts.append((0x000A, vec16(b"".join(u16(g) for g in groups))))
        exts.append((0x000B, vec8(b"\0")))
        exts.append((0x0023, b""))
        if alpn:
            exts.append((0x0010, vec16(b"".join(vec8(p.encode()) for p in alpn))))
        exts.append((0x0005, b"\x01\x00\x00\x00\x00"))
        exts.append((0x000D, vec16(b"".join(u16(s) for s in SIGALGS))))
        exts.append((0x0012, b""))
        shares = u16(0x5A5A) + vec16(b"\0")
        if pq:
            shares += u16(0x11EC) + vec16(prng(name + "/mlkem", 1216))
        shares += u16(0x001D) + vec16(prng(name + "/x25519", 32))
        exts.append((0x0033, vec16(shares)))
        exts.append((0x002D, vec8(b"\x01")))
        exts.append((0x002B, vec8(b"".join(u16(v) for v in versions))))
        exts.append((0x001B, vec8(u16(0x0002))))
        if ech:
            body = (u8(0) + u16(0x0001) + u16(0x0001) + u8(0x42) + vec16(prng(name + "/enc", 32))
                    + vec16(prng(name + "/ech", 144)))
            exts.append((0xFE0D, body))
        exts.append((0xDADA, b"\0"))  # GREASE
        if padding:
            exts.append((0x0015, bytes(padding)))
        ext_bytes = b"".join(u16(t) + vec16(b) for t, b in exts)
        body = (u16(0x0303) + prng(name + "/random", 32) + vec8(prng(name + "/sid", 32))
                + vec16(b"".join(u16(c) for c in CIPHERS)) + vec8(b"\0") + vec16(ext_bytes))
        hs = u8(1) + u24(len(body)) + body
        self.bytes = u8(0x16) + u16(0x0301) + vec16(hs)
        if isinstance(sni, bytes):  # hostile names (tools/make_hostile_captures.py)
            sni = sni.decode("utf-8", "surrogateescape")
        self.sni = sni or ""
        self.label = (sni or "").lower().rstrip(".")
        self.alpn = ",".join(alpn)
        self.tls_versions = ",".join(f"0x{v:04x}" for v in versions if not is_grease(v))
        self.ech = ech
        self.ja4 = self._ja4([t for t, _ in exts], versions, alpn)

    def _ja4(self, ext_types, versions, alpn):
        ciphers = [c for c in CIPHERS if not is_grease(c)]
        exts = [e for e in ext_types if not is_grease(e)]
        ver = max(v for v in versions if not is_grease(v))
        vs = {0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10"}[ver]
        a = (f"t{vs}{'d' if self.sni else 'i'}{min(len(ciphers), 99):02d}"
             f"{min(len(exts), 99):02d}{(alpn[0][0] + alpn[0][-1]) if alpn else '00'}")
        b = hashlib.sha256(",".join(f"{c:04x}" for c in sorted(ciphers)).encode()).hexdigest()[:12]
        c_exts = ",".join(f"{e:04x}" for e in sorted(e for e in exts if e not in (0, 0x10)))
        c_text = c_exts + "_" + ",".join(f"{s:04x}" for s in SIGALGS)
        c = hashlib.sha256(c_text.encode()).hexdigest()[:12]
        return f"{a}_{b}_{c}"


def server_flight(name, size):
    """A ServerHello record, a ChangeCipherSpec and application data records: `size` bytes."""
    sh_body = (u16(0x0303) + prng(name + "/srandom", 32) + vec8(prng(name + "/sid", 32))
               + u16(0x1301) + u8(0)
               + vec16(u16(0x002B) + vec16(u16(0x0304))
                       + u16(0x0033) + vec16(u16(0x001D) + vec16(prng(name + "/sx", 32)))))
    out = u8(0x16) + u16(0x0303) + vec16(u8(2) + u24(len(sh_body)) + sh_body)
    out += b"\x14\x03\x03\x00\x01\x01"
    while len(out) < size:
        n = min(size - len(out) - 5, 16384)
        assert n > 0
        out += u8(0x17) + u16(0x0303) + vec16(prng(f"{name}/app{len(out)}", n))
    return out


def app_data(name, size):
    return u8(0x17) + u16(0x0303) + vec16(prng(name, size - 5))


# ---------------------------------------------------------------- IP, TCP


def ip4(s):
    return bytes(int(x) for x in s.split("."))


def ip6(s):
    import ipaddress
    return ipaddress.IPv6Address(s).packed


def ip_text(b):
    import ipaddress
    return str(ipaddress.ip_address(b))


class Endpoint:
    def __init__(self, ip, port):
        self.ip = ip4(ip) if "." in ip else ip6(ip)
        self.port = port
        self.v6 = len(self.ip) == 16


def ipv4_packet(src, dst, proto, payload, ident):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, 64, proto, 0,
                      src, dst)
    hdr = hdr[:10] + u16(checksum(hdr)) + hdr[12:]
    return hdr + payload


def ipv6_packet(src, dst, proto, payload, ext_chain):
    """ext_chain: add a hop-by-hop (0) then a destination options (60) header."""
    body = payload
    nh = proto
    if ext_chain:
        # Each: next header, hdr ext len 0 (8 bytes), PadN option of 6 bytes total.
        dst_opts = u8(proto) + u8(0) + b"\x01\x04\0\0\0\0"
        hbh = u8(60) + u8(0) + b"\x01\x04\0\0\0\0"
        body = hbh + dst_opts + payload
        nh = 0
    hdr = struct.pack("!IHBB16s16s", 0x60000000 | 0x12345, len(body), nh, 64, src, dst)
    return hdr + body


def tcp_segment(src, dst, sport, dport, seq, ack, flags, payload, options=b""):
    off = (20 + len(options)) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, off << 4,
                      flags, 64240, 0, 0) + options
    seg = hdr + payload
    if len(src) == 4:
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(seg))
    else:
        pseudo = src + dst + struct.pack("!IxxxB", len(seg), 6)
    csum = checksum(pseudo + seg)
    return seg[:16] + u16(csum) + seg[18:]


FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


# ---------------------------------------------------------------- link layers

MAC_C = bytes.fromhex("020000000001")
MAC_S = bytes.fromhex("020000000002")


def ethernet(ip_pkt, v6, to_server, vlans=(), pad=True):
    src, dst = (MAC_C, MAC_S) if to_server else (MAC_S, MAC_C)
    frame = dst + src
    for tpid, vid in vlans:
        frame += u16(tpid) + u16(vid)
    frame += u16(0x86DD if v6 else 0x0800) + ip_pkt
    if pad and len(frame) < 60:
        frame += bytes(60 - len(frame))
    return frame


def sll2(ip_pkt, v6, to_server):
    # protocol, reserved, ifindex, ARPHRD_ETHER, packet type (0 host, 4 outgoing), addr len, addr
    return (u16(0x86DD if v6 else 0x0800) + u16(0) + struct.pack("!I", 2) + u16(1)
            + u8(4 if to_server else 0) + u8(6) + (MAC_C if to_server else MAC_S) + b"\0\0"
            + ip_pkt)


def null_link(ip_pkt, v6, to_server):
    return struct.pack("<I", 30 if v6 else 2) + ip_pkt  # host order = the file's (little endian)


def raw_link(ip_pkt, v6, to_server):
    return ip_pkt


# ---------------------------------------------------------------- capture model


class Capture:
    def __init__(self, link, start_ns):
        self.link = link  # function(ip_pkt, v6, to_server) -> frame
        self.t = start_ns
        self.records = []  # (ts_ns, frame, caplen)
        self.conns = []  # expected connections, in start order
        self.ident = 1

    def add(self, frame, dt_ns, caplen=None):
        self.t += dt_ns
        self.records.append((self.t, frame, len(frame) if caplen is None else caplen))


class Conn:
    """A TCP connection written into a Capture, with the numbers snilab should report."""

    def __init__(self, cap, client, server, isn_c, isn_s, ext_chain=False, vlans=(),
                 snap_data=None):
        self.cap, self.c, self.s = cap, client, server
        self.seq = [isn_c, isn_s]
        self.ext_chain, self.vlans, self.snap_data = ext_chain, vlans, snap_data
        self.exp = None
        self.start()

    def start(self):
        self.exp = {"packets": [0, 0], "ip": [0, 0], "payload": [0, 0], "saw_syn": 0,
                    "close": "end-of-capture", "hello": None, "start": None, "end": None}
        self.cap.conns.append((self.c, self.s, self.exp))

    def send(self, to_server, flags, payload=b"", dt_us=1000, seq=None, options=b"",
             keep_whole=False, count=True):
        d = 0 if to_server else 1
        src, dst = (self.c, self.s) if to_server else (self.s, self.c)
        s = self.seq[d] if seq is None else seq
        ack = self.seq[1 - d] if flags & ACK else 0
        seg = tcp_segment(src.ip, dst.ip, src.port, dst.port, s, ack, flags, payload, options)
        if src.v6:
            ip_pkt = ipv6_packet(src.ip, dst.ip, 6, seg, self.ext_chain)
        else:
            ip_pkt = ipv4_packet(src.ip, dst.ip, 6, seg, self.cap.ident)
            self.cap.ident += 1
        if self.vlans:
            frame = ethernet(ip_pkt, src.v6, to_server, self.vlans)
        else:
            frame = self.cap.link(ip_pkt, src.v6, to_server)
        caplen = None
        if self.snap_data and payload and not keep_whole:
            caplen = min(len(frame), self.snap_data)
        self.cap.add(frame, dt_us * 1000, caplen)
        if seq is None:
            self.seq[d] += len(payload) + (1 if flags & (SYN | FIN) else 0)
        e = self.exp
        if count:
            e["packets"][d] += 1
            e["ip"][d] += len(ip_pkt)
            e["payload"][d] += len(payload)
            if e["start"] is None:
                e["start"] = self.cap.t
            e["end"] = self.cap.t
        if flags & SYN and to_server:
            e["saw_syn"] = 1

    def handshake(self, rtt_us=20000):
        self.send(True, SYN, options=b"\x02\x04\x05\xb4", dt_us=1000)
        self.send(False, SYN | ACK, options=b"\x02\x04\x05\xb4", dt_us=rtt_us)
        self.send(True, ACK, dt_us=100)

    def server_data(self, data, mss=1460, dt_us=20000):
        for i in range(0, len(data), mss):
            self.send(False, ACK | PSH, data[i:i + mss], dt_us=dt_us if i == 0 else 50)
        self.send(True, ACK, dt_us=100)

    def close_fin(self, client_first=True):
        self.send(client_first, FIN | ACK, dt_us=5000)
        self.send(not client_first, FIN | ACK, dt_us=20000)
        self.send(client_first, ACK, dt_us=100)
        self.exp["close"] = "fin"

    def hello(self, h):
        self.exp["hello"] = h


def tls_conn(cap, client, server, name, sni, isn, server_bytes=3000, **kw):
    h = Hello(sni, name, **{k: v for k, v in kw.items() if k in ("alpn", "versions", "pq", "ech")})
    c = Conn(cap, client, server, isn, isn ^ 0x5A5A5A5A,
             **{k: v for k, v in kw.items() if k in ("ext_chain", "vlans", "snap_data")})
    c.handshake()
    c.send(True, ACK | PSH, h.bytes, dt_us=200, keep_whole=True)
    c.hello(h)
    c.server_data(server_flight(name, server_bytes))
    c.send(True, ACK | PSH, app_data(name + "/req", 120), dt_us=300)
    c.server_data(app_data(name + "/resp", 900))
    c.close_fin()
    return c


# ---------------------------------------------------------------- files


def write_pcap(path, linktype, records, nano=False, snaplen=262144):
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    out = bytearray(struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype))
    offsets = []
    for ts, frame, caplen in records:
        sec, frac = divmod(ts, 1_000_000_000)
        if not nano:
            assert frac % 1000 == 0, "µs pcap needs µs timestamps"
            frac //= 1000
        offsets.append(len(out))
        out += struct.pack("<IIII", sec, frac, caplen, len(frame)) + frame[:caplen]
    with open(path, "wb") as f:
        f.write(out)
    return bytes(out), offsets


def pcapng_block(btype, body):
    body += bytes(-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def write_pcapng(path, linktype, records):
    shb = pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    # IDB without if_tsresol: the default resolution, microseconds.
    idb = pcapng_block(1, struct.pack("<HHI", linktype, 0, 262144))
    out = bytearray(shb + idb)
    for ts, frame, caplen in records:
        us = ts // 1000
        assert ts % 1000 == 0
        body = struct.pack("<IIIII", 0, us >> 32, us & 0xFFFFFFFF, caplen, len(frame))
        out += pcapng_block(6, body + frame[:caplen])
    with open(path, "wb") as f:
        f.write(out)


def build_basic():
    cap = Capture(lambda p, v6, ts: ethernet(p, v6, ts), BASE_S * 1_000_000_000)
    client = "192.168.1.10"

    # (g) noise first: ARP request, DNS query, ICMP echo.
    arp = (u16(1) + u16(0x0800) + u8(6) + u8(4) + u16(1) + MAC_C + ip4(client) + bytes(6)
           + ip4("192.168.1.1"))
    cap.add((b"\xff" * 6 + MAC_C + u16(0x0806) + arp).ljust(60, b"\0"), 1000)
    dns = (u16(0x1234) + u16(0x0100) + u16(1) + u16(0) + u16(0) + u16(0)
           + b"\x07example\x03com\x00" + u16(1) + u16(1))
    udp = struct.pack("!HHHH", 53000, 53, 8 + len(dns), 0) + dns
    cap.add(ethernet(ipv4_packet(ip4(client), ip4("192.168.1.1"), 17, udp, 900), False, True),
            1000)
    icmp = b"\x08\x00\x00\x00" + u16(0x77) + u16(1) + prng("icmp", 32)
    icmp = icmp[:2] + u16(checksum(icmp)) + icmp[4:]
    cap.add(ethernet(ipv4_packet(ip4(client), ip4("192.168.1.1"), 1, icmp, 901), False, True),
            1000)

    # (a) a whole TLS connection, SNI with mixed case and a trailing dot.
    tls_conn(cap, Endpoint(client, 50000), Endpoint("93.184.216.34", 443), "a",
             "WWW.Example.COM.", 0x10000000, server_bytes=4000)

    # (b) a 2 KB post-quantum ClientHello in 3 segments: arrival 2nd, 1st, a
    # retransmission of the 1st with different bytes (its SNI says "wrong"), 3rd.
    h = Hello("split.example.org", "b", pq=True, padding=520)
    assert 1900 < len(h.bytes) < 2300, len(h.bytes)
    c = Conn(cap, Endpoint(client, 50001), Endpoint("151.101.1.1", 443), 0x20000000, 0x2F000000)
    c.handshake()
    base = c.seq[0]
    cut1, cut2 = 900, 1800
    parts = [h.bytes[:cut1], h.bytes[cut1:cut2], h.bytes[cut2:]]
    c.send(True, ACK, parts[1], seq=base + cut1, dt_us=200)
    c.send(True, ACK, parts[0], seq=base, dt_us=30)
    bogus = parts[0].replace(b"split.example.org", b"wrong.example.org")
    assert bogus != parts[0]
    c.send(True, ACK, bogus, seq=base, dt_us=30)
    c.send(True, ACK | PSH, parts[2], seq=base + cut2, dt_us=30)
    c.seq[0] = base + len(h.bytes)
    c.hello(h)
    c.server_data(server_flight("b", 2500))
    c.send(True, RST | ACK, dt_us=1000)
    c.exp["close"] = "rst"

    # (c) plain HTTP/1.1: no ClientHello, unlabeled.
    c = Conn(cap, Endpoint(client, 50002), Endpoint("93.184.216.34", 80), 0x30000000, 0x3F000000)
    c.handshake()
    c.send(True, ACK | PSH, b"GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: snilab-test\r\n"
           b"Accept: */*\r\n\r\n", dt_us=200)
    body = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1800\r\n\r\n"
    body += (b"<html>" + b"x" * 2000)[:1800]
    c.server_data(body)
    c.close_fin(client_first=False)

    # (d) one 4-tuple used twice: FIN/FIN, then a new SYN with a new ISN.
    cl, sv = Endpoint(client, 50003), Endpoint("104.16.0.1", 443)
    c = Conn(cap, cl, sv, 0x40000000, 0x4F000000)
    h1 = Hello("first.example.net", "d1")
    c.handshake()
    c.send(True, ACK | PSH, h1.bytes, dt_us=200)
    c.hello(h1)
    c.server_data(server_flight("d1", 1200))
    c.close_fin()
    cap.t += 1_000_000_000
    c.seq = [0x41000000, 0x4E000000]
    c.start()
    h2 = Hello("second.example.net", "d2", alpn=("http/1.1",))
    c.handshake()
    c.send(True, ACK | PSH, h2.bytes, dt_us=200)
    c.hello(h2)
    c.server_data(server_flight("d2", 1300))
    c.close_fin()

    # (e) no SYN captured: the server's segment comes first, then the client's ClientHello.
    c = Conn(cap, Endpoint("192.168.1.20", 50010), Endpoint("198.51.100.7", 443), 0x50000000,
             0x5F000000)
    c.send(False, ACK, dt_us=5000)
    h = Hello("nosyn.example.com", "e")
    c.send(True, ACK | PSH, h.bytes, dt_us=300)
    c.hello(h)
    c.server_data(server_flight("e", 2000))
    return cap


def build_small(link, start_s, client, server, name, sni, ns_offsets=False, **kw):
    cap = Capture(link, start_s * 1_000_000_000)
    if ns_offsets:
        # Sub-microsecond steps: the pcap-ns reader must keep every nanosecond.
        cap.t += 123_456_789
        orig_add = cap.add

        def add(frame, dt_ns, caplen=None):
            orig_add(frame, dt_ns + 77, caplen)

        cap.add = add
    tls_conn(cap, Endpoint(client[0], client[1]), Endpoint(server[0], server[1]), name, sni,
             0x60000000 + start_s % 1000, server_bytes=1800, **kw)
    return cap


def csv_field(v):
    v = str(v)
    if any(ch in v for ch in ',"\n\r'):
        return '"' + v.replace('"', '""') + '"'
    return v


def expected_rows(capture_name, cap):
    rows = []
    for c, s, e in sorted(cap.conns, key=lambda x: x[2]["start"]):
        h = e["hello"]
        v6 = c.v6
        rows.append([capture_name, ip_text(c.ip), c.port, ip_text(s.ip), s.port, 6 if v6 else 4,
                     e["start"], e["end"], sum(e["packets"]), e["packets"][0], e["packets"][1],
                     e["ip"][0], e["ip"][1], e["payload"][0], e["payload"][1], e["saw_syn"],
                     e["close"], 1 if h else 0, h.sni if h else "", h.label if h else "",
                     h.tls_versions if h else "", h.alpn if h else "",
                     1 if h and h.ech else 0, h.ja4 if h else ""])
    return [",".join(csv_field(v) for v in r) for r in rows]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(here, "..", "tests", "data"))
    ap.add_argument("--expect", action="store_true",
                    help="print the intended connections as snilab-cli connections CSV rows")
    args = ap.parse_args()
    out = args.out
    os.makedirs(out, exist_ok=True)
    p = lambda n: os.path.join(out, n)  # noqa: E731
    expect = {}

    basic = build_basic()
    data, offsets = write_pcap(p("basic.pcap"), 1, basic.records)
    expect["basic.pcap"] = basic
    # mtime 0 and no file name: the .gz is byte-for-byte reproducible.
    with open(p("basic.pcap.gz"), "wb") as f:
        f.write(gzip.compress(data, compresslevel=9, mtime=0))
    zst = p("basic.pcap.zst")
    if shutil.which("zstd"):
        subprocess.run(["zstd", "-q", "-f", "-19", "--no-check", p("basic.pcap"), "-o", zst],
                       check=True)
    else:
        print("zstd not found: basic.pcap.zst not written", file=sys.stderr)

    # truncated.pcap: cut half-way through the data of record 25 (inside the
    # server's reply of connection (b)).
    k = 25
    cut = offsets[k] + 16 + len(basic.records[k][1]) // 2
    with open(p("truncated.pcap"), "wb") as f:
        f.write(data[:cut])
    # What a reader sees: the first k records, so the connections started before the cut.
    trunc_conns = [(c, s, e) for c, s, e in basic.conns
                   if e["start"] is not None and e["start"] <= basic.records[k - 1][0]]

    ns = build_small(lambda pkt, v6, ts: ethernet(pkt, v6, ts), BASE_S + 100,
                     ("10.0.0.1", 40000), ("10.0.0.2", 443), "ns", "ns.example.com",
                     ns_offsets=True)
    write_pcap(p("ns.pcap"), 1, ns.records, nano=True)
    expect["ns.pcap"] = ns

    v6 = build_small(None, BASE_S + 200, ("2001:db8:1::10", 40001), ("2001:db8:2::20", 443), "v6",
                     "v6.example.com", ech=True, ext_chain=True,
                     vlans=((0x88A8, 100), (0x8100, 200)))
    write_pcapng(p("vlan_ipv6.pcapng"), 1, v6.records)
    expect["vlan_ipv6.pcapng"] = v6

    s2 = build_small(sll2, BASE_S + 300, ("10.1.0.1", 40002), ("10.1.0.2", 443), "sll2",
                     "sll2.example.com")
    write_pcap(p("sll2.pcap"), 276, s2.records)
    expect["sll2.pcap"] = s2

    rw = build_small(raw_link, BASE_S + 400, ("2001:db8:3::1", 40003), ("2001:db8:3::2", 443),
                     "raw", "raw.example.com")
    write_pcap(p("raw.pcap"), 101, rw.records)
    expect["raw.pcap"] = rw

    nl = build_small(null_link, BASE_S + 500, ("127.0.0.1", 40004), ("127.0.0.1", 8443), "null",
                     "R4---sn-5hne6nzk.123.Media-1.cdn-77.co.uk")
    write_pcap(p("null.pcap"), 0, nl.records)
    expect["null.pcap"] = nl

    sn = build_small(lambda pkt, v6, ts: ethernet(pkt, v6, ts), BASE_S + 600,
                     ("10.2.0.1", 40005), ("10.2.0.2", 443), "snap", "snaplen.example.com",
                     snap_data=96)
    write_pcap(p("snaplen.pcap"), 1, sn.records)
    expect["snaplen.pcap"] = sn

    with open(p("not_a_capture.pcap"), "wb") as f:
        f.write(("This is not a packet capture; snilab must say so and go on. " * 2)[:100]
                .encode())
    open(p("empty.pcap"), "wb").close()

    if args.expect:
        for name, cap in expect.items():
            if cap is not None:
                print("\n".join(expected_rows(name, cap)))
        print(f"# truncated.pcap: {k} records read; connections started before the cut:",
              ", ".join(f"{ip_text(c.ip)}:{c.port}" for c, _, _ in trunc_conns))
        for name, cap in expect.items():
            if cap is not None:
                print(f"# {name}: {len(cap.records)} records, first {cap.records[0][0]},"
                      f" last {cap.records[-1][0]}")


if __name__ == "__main__":
    main()
