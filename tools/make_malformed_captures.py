#!/usr/bin/env python3
"""Writes the malformed and odd captures of tests/data/malformed/ (the source of truth for them).

Python 3 standard library only, deterministic (no clock, no unseeded randomness):
running it twice gives the same bytes. The packet, TLS and file helpers are
those of tools/make_test_captures.py, imported.

    tools/make_malformed_captures.py [--out DIR] [--expect] [--tshark]

--expect prints, per file, what the generator wrote: the records a reader
should return before any damage, and the connections (client port, packets,
SNI) those records hold, so the expectations of tests/engine/test_malformed.cpp
and tests/data/malformed/README.md can be checked against an independent model.
--tshark runs tshark on every file and prints the SNIs of the ClientHellos it
finds (default settings, then with TCP out-of-order reassembly on), for the
comparison in README.md.

Every file is small (one to three TLS connections, a few dozen records). Most
hold two connections, `a.<case>.example` (complete) then `b.<case>.example`,
so that a file damaged in b's server reply shows that what was read before the
damage is kept. See tests/data/malformed/README.md for the table of cases.
"""

import argparse
import gzip
import os
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_test_captures as m  # noqa: E402

ACK, PSH, SYN = m.ACK, m.PSH, m.SYN
BASE_S = m.BASE_S + 20_000
ETH = lambda p, v6, ts: m.ethernet(p, v6, ts)  # noqa: E731


# ---------------------------------------------------------------- building blocks


def hello_conn(cap, client, server, name, hello, isn, pieces=None, server_bytes=1800, **connkw):
    """A TLS connection whose ClientHello is `hello` (an m.Hello, or raw bytes for a damaged
    one that snilab should not parse), sent whole or as the (stream offset, bytes) `pieces`
    in arrival order; 12 records + one per piece."""
    c = m.Conn(cap, client, server, isn, isn ^ 0x5A5A5A5A, **connkw)
    c.handshake()
    base = c.seq[0]
    data = hello if isinstance(hello, bytes) else hello.bytes
    if pieces is None:
        pieces = [(0, data)]
    for i, (off, part) in enumerate(pieces):
        c.send(True, ACK | PSH, part, seq=base + off, dt_us=200 if i == 0 else 30)
    c.seq[0] = base + max(off + len(part) for off, part in pieces)
    if not isinstance(hello, bytes):
        c.hello(hello)
    c.server_data(m.server_flight(name, server_bytes))
    c.send(True, ACK | PSH, m.app_data(name + "/req", 120), dt_us=300)
    c.server_data(m.app_data(name + "/resp", 900))
    c.close_fin()
    return c


def case_capture(index, link=ETH, v6=False):
    """An empty Capture for case number `index`, with its own time base and addresses."""
    cap = m.Capture(link, (BASE_S + index * 100) * 1_000_000_000)
    if v6:
        cli, srv = f"2001:db8:9:{index:x}::1", f"2001:db8:9:{index:x}::2"
    else:
        cli, srv = f"10.9.{index}.1", f"10.9.{index}.2"
    return cap, cli, srv


def two_conns(index, case, link=ETH, **kw):
    """Connections a (ports 41000) and b (41001): 13 records each, b from record 13."""
    cap, cli, srv = case_capture(index, link)
    for i, who in enumerate("ab"):
        m.tls_conn(cap, m.Endpoint(cli, 41000 + i), m.Endpoint(srv, 443), f"{case}/{who}",
                   f"{who}.{case}.example", 0x70000000 + index * 0x10000 + i * 0x1000,
                   server_bytes=1800, **kw)
    return cap


def pcap_bytes(records, linktype=1, snaplen=262144):
    data, offsets = m.write_pcap(os.devnull, linktype, records, snaplen=snaplen)
    return bytearray(data), offsets


def pcapng_bytes(records, linktype=1, snaplen=262144, bom=0x1A2B3C4D, with_idb=True):
    """SHB + IDB (µs) + one EPB per record; returns the bytes and each EPB's offset."""
    out = bytearray(m.pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", bom, 1, 0, -1)))
    if with_idb:
        out += m.pcapng_block(1, struct.pack("<HHI", linktype, 0, snaplen))
    offsets = []
    for ts, frame, caplen in records:
        assert ts % 1000 == 0
        us = ts // 1000
        offsets.append(len(out))
        body = struct.pack("<IIIII", 0, us >> 32, us & 0xFFFFFFFF, caplen, len(frame))
        out += m.pcapng_block(6, body + frame[:caplen])
    return out, offsets


def put_u32le(buf, off, value):
    buf[off:off + 4] = struct.pack("<I", value)


def mac_header(ether_type, vlans=()):
    frame = m.MAC_S + m.MAC_C
    for tpid, vid in vlans:
        frame += m.u16(tpid) + m.u16(vid)
    return frame + m.u16(ether_type)


def ip4_frame(src, dst, proto, payload, ident=0x3000, flags_frag=0x4000):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, flags_frag, 64, proto,
                      0, m.ip4(src), m.ip4(dst))
    hdr = hdr[:10] + m.u16(m.checksum(hdr)) + hdr[12:]
    return hdr + payload


def v6_frame_parts(frame):
    """Splits an Ethernet/IPv6 frame into (link header, IPv6 header, upper-layer bytes)."""
    assert frame[12:14] == b"\x86\xdd"
    return frame[:14], frame[14:54], frame[54:]


def v6_with_chain(frame, chain):
    """Inserts extension headers: `chain` is [(header type, body without next-header byte)]
    whose bodies already hold their length byte; the frame's upper protocol is kept."""
    link, ip6, upper = v6_frame_parts(frame)
    upper_proto = ip6[6]
    types = [t for t, _ in chain] + [upper_proto]
    ext = b"".join(m.u8(types[i + 1]) + body for i, (_, body) in enumerate(chain))
    payload = ext + upper
    ip6 = ip6[:4] + m.u16(len(payload)) + m.u8(types[0]) + ip6[7:]
    return link + ip6 + payload


# ---------------------------------------------------------------- the cases

CASES = []  # (file name, builder) in the order they are written
EXPECT = {}  # file name -> text lines for --expect


def case(name):
    def register(fn):
        CASES.append((name, fn))
        return fn
    return register


def describe(name, cap, read=None, damaged_at=None):
    """Records for --expect: what a reader returns (first `read` records), the connections,
    and the byte offset of the damaged record or block."""
    recs = cap.records if read is None else cap.records[:read]
    lines = [f"{len(recs)} records read, ts {recs[0][0]}..{recs[-1][0]}" if recs else "0 records"]
    last = recs[-1][0] if recs else None
    for c, s, e in sorted(cap.conns, key=lambda x: x[2]["start"]):
        if last is None or e["start"] is None or e["start"] > last:
            continue
        h = e["hello"]
        lines.append(f"  {m.ip_text(c.ip)}:{c.port} -> {m.ip_text(s.ip)}:{s.port} "
                     f"full-packets={sum(e['packets'])} sni={h.sni if h else '-'}")
    if damaged_at is not None:
        lines.append(f"  damaged record/block {read} at offset {damaged_at}")
    EXPECT[name] = lines


CUT_CONN_B = 18  # record index inside connection b's server reply (b starts at record 13)


@case("empty.pcap")
def _empty(out):
    EXPECT["empty.pcap"] = ["0 bytes"]
    return b""


@case("wrong_magic.pcap")
def _wrong_magic_pcap(out):
    cap = two_conns(1, "wrong-magic")
    data, _ = pcap_bytes(cap.records)
    put_u32le(data, 0, 0xA1B2C3D5)  # one bit off the µs magic
    EXPECT["wrong_magic.pcap"] = ["magic a1b2c3d5: nothing readable"]
    return data


@case("wrong_magic.pcapng")
def _wrong_magic_pcapng(out):
    cap = two_conns(2, "wrong-magic-ng")
    data, _ = pcapng_bytes(cap.records, bom=0x1A2B3C4E)
    EXPECT["wrong_magic.pcapng"] = ["SHB byte-order magic 1a2b3c4e: nothing readable"]
    return data


@case("cut_file_header.pcap")
def _cut_file_header(out):
    cap = two_conns(3, "cut-file-header")
    data, _ = pcap_bytes(cap.records)
    EXPECT["cut_file_header.pcap"] = ["12 of the 24 file-header bytes"]
    return data[:12]


@case("cut_section_header.pcapng")
def _cut_section_header(out):
    cap = two_conns(4, "cut-section-header")
    data, _ = pcapng_bytes(cap.records)
    EXPECT["cut_section_header.pcapng"] = ["10 of the 28 SHB bytes"]
    return data[:10]


@case("cut_record_header.pcap")
def _cut_record_header(out):
    cap = two_conns(5, "cut-record-header")
    data, offsets = pcap_bytes(cap.records)
    describe("cut_record_header.pcap", cap, CUT_CONN_B, damaged_at=offsets[CUT_CONN_B])
    EXPECT["cut_record_header.pcap"].append(f"  cut at {offsets[CUT_CONN_B] + 7}: 7 of record "
                                            f"{CUT_CONN_B}'s 16 header bytes")
    return data[:offsets[CUT_CONN_B] + 7]


@case("cut_block_header.pcapng")
def _cut_block_header(out):
    cap = two_conns(6, "cut-block-header")
    data, offsets = pcapng_bytes(cap.records)
    describe("cut_block_header.pcapng", cap, CUT_CONN_B, damaged_at=offsets[CUT_CONN_B])
    EXPECT["cut_block_header.pcapng"].append(f"  cut at {offsets[CUT_CONN_B] + 5}: 5 of EPB "
                                             f"{CUT_CONN_B}'s 8 header bytes")
    return data[:offsets[CUT_CONN_B] + 5]


@case("cut_record_data.pcap")
def _cut_record_data(out):
    cap = two_conns(7, "cut-record-data")
    data, offsets = pcap_bytes(cap.records)
    cut = offsets[CUT_CONN_B] + 16 + len(cap.records[CUT_CONN_B][1]) // 2
    describe("cut_record_data.pcap", cap, CUT_CONN_B, damaged_at=offsets[CUT_CONN_B])
    EXPECT["cut_record_data.pcap"].append(f"  cut at {cut}: half of record {CUT_CONN_B}'s data")
    # The same bytes gzip-compressed (mtime 0: reproducible): the gzip stream ends early too.
    with open(os.path.join(out, "cut_record_data.pcap.gz"), "wb") as f:
        f.write(gzip.compress(bytes(data[:cut]), compresslevel=9, mtime=0)[:-8])
    EXPECT["cut_record_data.pcap.gz"] = EXPECT["cut_record_data.pcap"] + [
        "  gzip of cut_record_data.pcap without its 8-byte trailer (CRC, size)"]
    return data[:cut]


@case("cut_block_data.pcapng")
def _cut_block_data(out):
    cap = two_conns(8, "cut-block-data")
    data, offsets = pcapng_bytes(cap.records)
    cut = offsets[CUT_CONN_B] + 28 + len(cap.records[CUT_CONN_B][1]) // 2
    describe("cut_block_data.pcapng", cap, CUT_CONN_B, damaged_at=offsets[CUT_CONN_B])
    EXPECT["cut_block_data.pcapng"].append(f"  cut at {cut}: inside EPB {CUT_CONN_B}'s data")
    return data[:cut]


@case("cut_in_client_hello.pcap")
def _cut_in_client_hello(out):
    cap = two_conns(9, "cut-in-client-hello")
    data, offsets = pcap_bytes(cap.records)
    k = 16  # b's ClientHello
    cut = offsets[k] + 16 + 100
    describe("cut_in_client_hello.pcap", cap, k, damaged_at=offsets[k])
    EXPECT["cut_in_client_hello.pcap"].append(
        f"  cut at {cut}: 100 of record {k}'s {len(cap.records[k][1])} bytes (b's ClientHello)")
    return data[:cut]


@case("huge_caplen.pcap")
def _huge_caplen_pcap(out):
    cap = two_conns(10, "huge-caplen")
    data, offsets = pcap_bytes(cap.records)
    put_u32le(data, offsets[CUT_CONN_B] + 8, 0xFFFFFF00)  # caplen
    put_u32le(data, offsets[CUT_CONN_B] + 12, 0xFFFFFF00)  # len
    describe("huge_caplen.pcap", cap, CUT_CONN_B, damaged_at=offsets[CUT_CONN_B])
    return data


@case("huge_caplen.pcapng")
def _huge_caplen_pcapng(out):
    cap = two_conns(11, "huge-caplen-ng")
    data, offsets = pcapng_bytes(cap.records)
    put_u32le(data, offsets[CUT_CONN_B] + 20, 0xFFFFFF00)  # EPB captured length
    describe("huge_caplen.pcapng", cap, CUT_CONN_B, damaged_at=offsets[CUT_CONN_B])
    return data


@case("huge_block_length.pcapng")
def _huge_block_length(out):
    cap = two_conns(12, "huge-block-length")
    data, offsets = pcapng_bytes(cap.records)
    put_u32le(data, offsets[CUT_CONN_B] + 4, 0x7FFFFFF0)  # block total length (header only)
    describe("huge_block_length.pcapng", cap, CUT_CONN_B, damaged_at=offsets[CUT_CONN_B])
    return data


@case("block_trailer_mismatch.pcapng")
def _block_trailer(out):
    cap = two_conns(13, "block-trailer")
    data, offsets = pcapng_bytes(cap.records)
    length = struct.unpack_from("<I", data, offsets[CUT_CONN_B] + 4)[0]
    put_u32le(data, offsets[CUT_CONN_B] + length - 4, length + 4)
    describe("block_trailer_mismatch.pcapng", cap, CUT_CONN_B, damaged_at=offsets[CUT_CONN_B])
    return data


@case("epb_before_idb.pcapng")
def _epb_before_idb(out):
    cap = two_conns(14, "epb-before-idb")
    data, _ = pcapng_bytes(cap.records, with_idb=False)
    EXPECT["epb_before_idb.pcapng"] = ["SHB then EPBs of interface 0, no IDB: 0 records"]
    return data


@case("caplen_over_snaplen.pcap")
def _caplen_over_snaplen_pcap(out):
    cap = two_conns(15, "caplen-over-snaplen")
    data, _ = pcap_bytes(cap.records, snaplen=128)
    describe("caplen_over_snaplen.pcap", cap)
    EXPECT["caplen_over_snaplen.pcap"].append(
        "  header snaplen 128; records whole (caplen = len, up to "
        f"{max(len(r[1]) for r in cap.records)})")
    return data


@case("caplen_over_snaplen.pcapng")
def _caplen_over_snaplen_pcapng(out):
    cap = two_conns(16, "caplen-over-snaplen-ng")
    data, _ = pcapng_bytes(cap.records, snaplen=128)
    describe("caplen_over_snaplen.pcapng", cap)
    EXPECT["caplen_over_snaplen.pcapng"].append("  IDB snaplen 128; EPBs whole")
    return data


@case("snaplen_cut_hello.pcap")
def _snaplen_cut_hello(out):
    cap = two_conns(17, "snaplen-cut-hello")
    # a's ClientHello (record 3) cut by the snap length just after its SNI.
    ts, frame, _ = cap.records[3]
    sni = b"a.snaplen-cut-hello.example"
    caplen = frame.find(sni) + len(sni) + 16
    assert 0 < caplen < len(frame)
    cap.records[3] = (ts, frame, caplen)
    data, _ = pcap_bytes(cap.records)
    describe("snaplen_cut_hello.pcap", cap)
    EXPECT["snaplen_cut_hello.pcap"].append(
        f"  record 3 (a's ClientHello) caplen {caplen} of {len(frame)}")
    return data


@case("time_backwards.pcap")
def _time_backwards(out):
    cap = two_conns(18, "time-backwards")
    # The clock steps back one hour after a's ClientHello (record 3), and 2 s more
    # inside b (before record 20): arrival order is kept, timestamps are not monotonic.
    recs = []
    for i, (ts, frame, caplen) in enumerate(cap.records):
        if i >= 4:
            ts -= 3600 * 1_000_000_000
        if i >= 20:
            ts -= 2 * 1_000_000_000
        recs.append((ts, frame, caplen))
    cap.records = recs
    data, _ = pcap_bytes(recs)
    lines = [f"{len(recs)} records, min ts {min(r[0] for r in recs)}, "
             f"max ts {max(r[0] for r in recs)}"]
    for name, lo, hi in (("a", 0, 13), ("b", 13, 26)):
        ts = [r[0] for r in recs[lo:hi]]
        lines.append(f"  {name}: first {ts[0]} min {min(ts)} max {max(ts)} last {ts[-1]}")
    EXPECT["time_backwards.pcap"] = lines
    return data


def split_hello_case(index, case_name, make_pieces, second=None):
    cap, cli, srv = case_capture(index)
    sni = f"a.{case_name}.example"
    h = m.Hello(sni, case_name + "/a", padding=300)
    hello_conn(cap, m.Endpoint(cli, 41000), m.Endpoint(srv, 443), case_name + "/a", h,
               0x71000000 + index * 0x10000, pieces=make_pieces(h.bytes, sni.encode()))
    if second:
        sni = f"b.{case_name}.example"
        h = m.Hello(sni, case_name + "/b", padding=300)
        hello_conn(cap, m.Endpoint(cli, 41001), m.Endpoint(srv, 443), case_name + "/b", h,
                   0x71000000 + index * 0x10000 + 0x1000,
                   pieces=second(h.bytes, sni.encode()))
    return cap


@case("hello_split_5.pcap")
def _hello_split_5(out):
    # Five in-order segments cut inside the record header, inside the handshake
    # header, inside the SNI name and inside the extensions.
    def pieces(b, sni):
        i = b.find(sni)
        cuts = [0, 3, 7, i + 5, 400, len(b)]
        return [(cuts[k], b[cuts[k]:cuts[k + 1]]) for k in range(5)]
    cap = split_hello_case(19, "hello-split-5", pieces)
    describe("hello_split_5.pcap", cap)
    return pcap_bytes(cap.records)[0]


@case("hello_reversed.pcap")
def _hello_reversed(out):
    # Four segments captured last first.
    def pieces(b, sni):
        cuts = [0, 150, 300, 450, len(b)]
        return [(cuts[k], b[cuts[k]:cuts[k + 1]]) for k in (3, 2, 1, 0)]
    cap = split_hello_case(20, "hello-reversed", pieces)
    describe("hello_reversed.pcap", cap)
    return pcap_bytes(cap.records)[0]


@case("hello_retrans_diff.pcap")
def _hello_retrans_diff(out):
    # a: segments 1, 2, then 2 again with different bytes (its SNI reads "wrong"), then 3.
    # b: segments 1, 2, then one segment re-covering 2 and 3 whose part over 2
    #    differs (its SNI reads "wrong"): the first bytes of 2 must win, 3's are new.
    def wrong(part, sni):
        bad = part.replace(sni, b"wrong" + sni[5:])
        assert bad != part and len(bad) == len(part)
        return bad

    def pieces_a(b, sni):
        i = b.find(sni)
        c1, c2 = i - 20, i + 60
        return [(0, b[:c1]), (c1, b[c1:c2]), (c1, wrong(b[c1:c2], sni)), (c2, b[c2:])]

    def pieces_b(b, sni):
        i = b.find(sni)
        c1, c2 = i - 20, i + 60
        return [(0, b[:c1]), (c1, b[c1:c2]), (c1, wrong(b[c1:], sni))]
    cap = split_hello_case(21, "hello-retrans-diff", pieces_a, pieces_b)
    describe("hello_retrans_diff.pcap", cap)
    return pcap_bytes(cap.records)[0]


def refragment(record, sizes):
    """Splits one TLS handshake record into records with fragments of `sizes` bytes (the
    last takes the rest)."""
    hs = record[5:]
    out, pos = b"", 0
    for n in list(sizes) + [len(hs)]:
        frag = hs[pos:pos + n]
        if frag:
            out += m.u8(0x16) + record[1:3] + m.vec16(frag)
        pos += n
    return out


@case("hello_record_fragments.pcap")
def _hello_record_fragments(out):
    # The ClientHello message split over three TLS records, each in its own
    # segment (a), and over two records in one segment (b).
    def pieces_a(b, sni):
        r = refragment(b, [100, 200])
        n1, n2 = 5 + 100, 5 + 100 + 5 + 200
        return [(0, r[:n1]), (n1, r[n1:n2]), (n2, r[n2:])]

    def pieces_b(b, sni):
        return [(0, refragment(b, [60]))]
    cap, cli, srv = case_capture(22)
    for i, (who, pieces) in enumerate((("a", pieces_a), ("b", pieces_b))):
        sni = f"{who}.hello-record-fragments.example"
        h = m.Hello(sni, f"hello-record-fragments/{who}", padding=300)
        hello_conn(cap, m.Endpoint(cli, 41000 + i), m.Endpoint(srv, 443),
                   f"hello-record-fragments/{who}", h, 0x72000000 + i * 0x1000,
                   pieces=pieces(h.bytes, sni.encode()))
    describe("hello_record_fragments.pcap", cap)
    return pcap_bytes(cap.records)[0]


def bogus_tls_case(index, case_name, mutate):
    """a: a ClientHello whose bytes `mutate` damages; b: a good one after it."""
    cap, cli, srv = case_capture(index)
    sni = f"a.{case_name}.example"
    h = m.Hello(sni, case_name + "/a")
    bad = mutate(bytearray(h.bytes), sni.encode())
    assert bad != h.bytes
    hello_conn(cap, m.Endpoint(cli, 41000), m.Endpoint(srv, 443), case_name + "/a", bytes(bad),
               0x73000000 + index * 0x10000)
    h = m.Hello(f"b.{case_name}.example", case_name + "/b")
    hello_conn(cap, m.Endpoint(cli, 41001), m.Endpoint(srv, 443), case_name + "/b", h,
               0x73000000 + index * 0x10000 + 0x1000)
    return cap


@case("tls_record_len_long.pcap")
def _tls_record_len_long(out):
    # The record header claims 16384 bytes; the ClientHello message inside is whole
    # (a few hundred bytes) and the client sends no more handshake bytes.
    def mutate(b, sni):
        b[3:5] = m.u16(16384)
        return b
    cap = bogus_tls_case(23, "tls-record-len-long", mutate)
    describe("tls_record_len_long.pcap", cap)
    return pcap_bytes(cap.records)[0]


@case("tls_handshake_len_long.pcap")
def _tls_handshake_len_long(out):
    # The handshake header claims 1000 bytes more than the record holds: the next
    # client bytes (an application-data record) cannot complete it.
    def mutate(b, sni):
        n = int.from_bytes(b[6:9], "big") + 1000
        b[6:9] = m.u24(n)
        return b
    cap = bogus_tls_case(24, "tls-handshake-len-long", mutate)
    describe("tls_handshake_len_long.pcap", cap)
    return pcap_bytes(cap.records)[0]


@case("tls_sni_len_bad.pcap")
def _tls_sni_len_bad(out):
    # The host_name length runs 20 bytes past the server_name extension.
    def mutate(b, sni):
        i = b.find(sni)
        b[i - 2:i] = m.u16(len(sni) + 20)
        return b
    cap = bogus_tls_case(25, "tls-sni-len-bad", mutate)
    describe("tls_sni_len_bad.pcap", cap)
    return pcap_bytes(cap.records)[0]


@case("tls_ext_len_bad.pcap")
def _tls_ext_len_bad(out):
    # The extensions block claims 50 bytes more than the handshake message holds.
    def mutate(b, sni):
        off = 5 + 4 + 2 + 32 + 33 + 2 + 2 * len(m.CIPHERS) + 2
        n = int.from_bytes(b[off:off + 2], "big")
        assert off + 2 + n == len(b)
        b[off:off + 2] = m.u16(n + 50)
        return b
    cap = bogus_tls_case(26, "tls-ext-len-bad", mutate)
    describe("tls_ext_len_bad.pcap", cap)
    return pcap_bytes(cap.records)[0]


@case("ipv6_ext_chain.pcap")
def _ipv6_ext_chain(out):
    cap, cli, srv = case_capture(27, v6=True)
    for i, who in enumerate("ab"):
        m.tls_conn(cap, m.Endpoint(cli, 41000 + i), m.Endpoint(srv, 443),
                   f"ipv6-ext-chain/{who}", f"{who}.ipv6-ext-chain.example",
                   0x74000000 + i * 0x1000, server_bytes=1800)
    hbh = m.u8(0) + b"\x01\x04\0\0\0\0"  # length 0 (8 bytes), PadN
    routing = m.u8(2) + m.u8(4) + m.u8(0) + m.u8(0) + bytes(3) + bytes(16)  # SRH, 0 left, 1 seg
    atomic_frag = m.u8(0) + m.u16(0) + struct.pack("!I", 0x12345678)  # offset 0, M=0
    dst = m.u8(0) + b"\x01\x04\0\0\0\0"
    ah = m.u8(4) + m.u16(0) + struct.pack("!II", 0x100, 1) + bytes(12)  # 24 bytes, ICV 12
    good_chain = [(0, hbh), (43, routing), (44, atomic_frag), (60, dst), (51, ah)]
    # b's ClientHello carries a destination-options header whose length (255: 2048
    # bytes) runs past the datagram.
    bad_chain = [(0, hbh), (60, m.u8(255) + b"\x01\x04\0\0\0\0")]
    recs = []
    for i, (ts, frame, caplen) in enumerate(cap.records):
        chain = bad_chain if i == 16 else good_chain
        frame = v6_with_chain(frame, chain)
        recs.append((ts, frame, len(frame)))
    cap.records = recs
    cap.conns[1][2]["hello"] = None
    describe("ipv6_ext_chain.pcap", cap)
    return pcap_bytes(recs)[0]


def fragment_v4(frame, first_len):
    """Two IPv4 fragments of an Ethernet/IPv4 frame: `first_len` payload bytes (multiple
    of 8), then the rest."""
    link, ip, payload = frame[:14], frame[14:34], frame[34:]
    out = []
    for off, part, more in ((0, payload[:first_len], 1), (first_len, payload[first_len:], 0)):
        ff = (more << 13) | (off // 8)
        hdr = ip[:2] + m.u16(20 + len(part)) + ip[4:6] + m.u16(ff) + ip[8:10] + b"\0\0" + ip[12:]
        hdr = hdr[:10] + m.u16(m.checksum(hdr)) + hdr[12:]
        out.append(link + hdr + part)
    return out


def fragment_v6(frame, first_len, ident=0xABCD):
    link, ip6, upper = v6_frame_parts(frame)
    out = []
    for off, part, more in ((0, upper[:first_len], 1), (first_len, upper[first_len:], 0)):
        fh = m.u8(ip6[6]) + m.u8(0) + m.u16(off | more) + struct.pack("!I", ident)
        payload = fh + part
        out.append(link + ip6[:4] + m.u16(len(payload)) + m.u8(44) + ip6[7:] + payload)
    return out


@case("fragmented_hello.pcap")
def _fragmented_hello(out):
    # a (IPv4) and b (IPv6): the ClientHello datagram sent as two IP fragments.
    cap4, cli4, srv4 = case_capture(28)
    m.tls_conn(cap4, m.Endpoint(cli4, 41000), m.Endpoint(srv4, 443), "fragmented-hello/a",
               "a.fragmented-hello.example", 0x75000000, server_bytes=1800)
    cap6, cli6, srv6 = case_capture(28, v6=True)
    cap6.t = cap4.t + 1_000_000
    m.tls_conn(cap6, m.Endpoint(cli6, 41001), m.Endpoint(srv6, 443), "fragmented-hello/b",
               "b.fragmented-hello.example", 0x75001000, server_bytes=1800)
    recs = []
    for cap, frag in ((cap4, fragment_v4), (cap6, fragment_v6)):
        for i, (ts, frame, caplen) in enumerate(cap.records):
            if i == 3:
                for j, f in enumerate(frag(frame, 256)):
                    recs.append((ts + j * 1000, f, len(f)))
            else:
                recs.append((ts, frame, caplen))
    lines = [f"{len(recs)} records (2 x 13 + 2 extra fragments)"]
    lines.append("  a 10.9.28.1:41000, b [2001:db8:9:1c::1]:41001: ClientHello datagram in "
                 "2 fragments; 12 unfragmented packets each")
    EXPECT["fragmented_hello.pcap"] = lines
    return pcap_bytes(recs)[0]


@case("stacked_vlans.pcap")
def _stacked_vlans(out):
    # a: 802.1ad + two 802.1Q tags; b: legacy 0x9100 + 802.1Q; c: five 802.1Q tags, IPv6.
    cap, cli, srv = case_capture(29)
    tags = {
        "a": ((0x88A8, 10), (0x8100, 20), (0x8100, 30)),
        "b": ((0x9100, 40), (0x8100, 50)),
        "c": tuple((0x8100, 60 + k) for k in range(5)),
    }
    for i, who in enumerate("abc"):
        c_ip, s_ip = (cli, srv) if who != "c" else ("2001:db8:9:1d::1", "2001:db8:9:1d::2")
        m.tls_conn(cap, m.Endpoint(c_ip, 41000 + i), m.Endpoint(s_ip, 443),
                   f"stacked-vlans/{who}", f"{who}.stacked-vlans.example",
                   0x76000000 + i * 0x1000, server_bytes=1800, vlans=tags[who])
    describe("stacked_vlans.pcap", cap)
    return pcap_bytes(cap.records)[0]


@case("non_tcp_noise.pcap")
def _non_tcp_noise(out):
    cap, cli, srv = case_capture(30)
    conn = m.tls_conn(cap, m.Endpoint(cli, 41000), m.Endpoint(srv, 443), "non-tcp-noise/a",
                      "a.non-tcp-noise.example", 0x77000000, server_bytes=1800)
    conn_recs = list(cap.records)
    c_mac, s_mac = m.MAC_C, m.MAC_S
    noise = []
    # ARP request.
    arp = (m.u16(1) + m.u16(0x0800) + m.u8(6) + m.u8(4) + m.u16(1) + c_mac + m.ip4(cli)
           + bytes(6) + m.ip4(srv))
    noise.append(("ARP", (b"\xff" * 6 + c_mac + m.u16(0x0806) + arp).ljust(60, b"\0")))
    # LLDP (0x88cc) and STP (802.3 length + LLC).
    noise.append(("LLDP", (bytes.fromhex("0180c200000e") + c_mac + m.u16(0x88CC)
                           + bytes.fromhex("020704") + c_mac + bytes.fromhex("0000")).ljust(60,
                                                                                          b"\0")))
    noise.append(("STP", (bytes.fromhex("0180c2000000") + c_mac + m.u16(38) + b"\x42\x42\x03"
                          + bytes(35)).ljust(60, b"\0")))
    # UDP: a DNS query, and a ClientHello sent over UDP to port 443.
    dns = (m.u16(0x4242) + m.u16(0x0100) + m.u16(1) + bytes(6) + b"\x01a\x0dnon-tcp-noise"
           b"\x07example\x00" + m.u16(1) + m.u16(1))
    noise.append(("DNS", m.ethernet(ip4_frame(cli, srv, 17, struct.pack("!HHHH", 53001, 53,
                                                                        8 + len(dns), 0) + dns),
                                    False, True)))
    h = m.Hello("udp.non-tcp-noise.example", "non-tcp-noise/udp")
    noise.append(("UDP 443 ClientHello bytes",
                  m.ethernet(ip4_frame(cli, srv, 17, struct.pack("!HHHH", 41999, 443,
                                                                 8 + len(h.bytes), 0) + h.bytes),
                             False, True)))
    # ICMP echo; ICMP port unreachable quoting the IP header and first 8 TCP bytes of
    # a's ClientHello; ICMPv6 echo; IGMP; SCTP.
    icmp = b"\x08\x00\x00\x00" + m.u16(7) + m.u16(1) + m.prng("noise-icmp", 16)
    icmp = icmp[:2] + m.u16(m.checksum(icmp)) + icmp[4:]
    noise.append(("ICMP echo", m.ethernet(ip4_frame(cli, srv, 1, icmp), False, True)))
    hello_frame = conn_recs[3][1]
    quoted = hello_frame[14:14 + 20 + 8]
    icmp = b"\x03\x03\x00\x00" + bytes(4) + quoted
    icmp = icmp[:2] + m.u16(m.checksum(icmp)) + icmp[4:]
    noise.append(("ICMP unreachable quoting TCP", m.ethernet(ip4_frame(srv, cli, 1, icmp),
                                                             False, False)))
    icmp6 = b"\x80\x00\x00\x00" + m.u16(7) + m.u16(1) + m.prng("noise-icmp6", 16)
    noise.append(("ICMPv6 echo", m.ethernet(m.ipv6_packet(m.ip6("2001:db8:9:1e::1"),
                                                          m.ip6("2001:db8:9:1e::2"), 58, icmp6,
                                                          False), True, True)))
    igmp = b"\x16\x00\x00\x00" + m.ip4("239.1.2.3")
    igmp = igmp[:2] + m.u16(m.checksum(igmp)) + igmp[4:]
    noise.append(("IGMP", m.ethernet(ip4_frame(cli, "239.1.2.3", 2, igmp), False, True)))
    sctp = struct.pack("!HHII", 5000, 5001, 0, 0) + b"\x01\x00\x00\x14" + bytes(16)
    noise.append(("SCTP", m.ethernet(ip4_frame(cli, srv, 132, sctp), False, True)))
    # A TCP segment with IP protocol 6 whose frame ends inside the TCP header, and a
    # 12-byte runt frame.
    seg = m.tcp_segment(m.ip4(cli), m.ip4(srv), 41500, 443, 1, 0, SYN, b"")
    noise.append(("cut TCP header", m.ethernet(ip4_frame(cli, srv, 6, seg), False, True,
                                              pad=False)[:14 + 20 + 10]))
    noise.append(("12-byte runt", (m.MAC_S + m.MAC_C)[:12]))
    # Interleave: two noise frames before the connection, the rest one after each of
    # its first records.
    recs = []
    t0 = conn_recs[0][0]
    for j, (_, frame) in enumerate(noise[:2]):
        recs.append((t0 - (2 - j) * 1000, frame, len(frame)))
    rest = noise[2:]
    for i, (ts, frame, caplen) in enumerate(conn_recs):
        recs.append((ts, frame, caplen))
        if i < len(rest):
            recs.append((ts + 10_000, rest[i][1], len(rest[i][1])))
    assert len(rest) <= len(conn_recs)
    assert all(recs[i][0] < recs[i + 1][0] for i in range(len(recs) - 1))
    cap.records = recs
    describe("non_tcp_noise.pcap", cap)
    EXPECT["non_tcp_noise.pcap"].append(f"  {len(noise)} noise frames: "
                                        + ", ".join(n for n, _ in noise))
    return pcap_bytes(recs)[0]


@case("unsupported_link.pcap")
def _unsupported_link(out):
    # LINKTYPE_USER0 (147): a readable file whose frames snilab cannot decode.
    cap = two_conns(31, "unsupported-link")
    describe("unsupported_link.pcap", cap)
    return pcap_bytes(cap.records, linktype=147)[0]


# ---------------------------------------------------------------- main


def tshark_snis(path, ooo):
    cmd = ["tshark", "-n", "-r", path, "-Y", "tls.handshake.type == 1", "-T", "fields",
           "-e", "tcp.srcport", "-e", "tls.handshake.extensions_server_name"]
    if ooo:
        cmd[1:1] = ["-o", "tcp.reassemble_out_of_order:TRUE"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    rows = [line.replace("\t", " ") for line in r.stdout.splitlines()]
    err = r.stderr.strip().splitlines()
    err = [e for e in err if "Running as user" not in e and "dangerous" not in e]
    return rows, r.returncode, err


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(here, "..", "tests", "data", "malformed"))
    ap.add_argument("--expect", action="store_true", help="print what each file was built to hold")
    ap.add_argument("--tshark", action="store_true", help="print tshark's SNIs for each file")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    names = []
    for name, build in CASES:
        data = build(args.out)
        with open(os.path.join(args.out, name), "wb") as f:
            f.write(bytes(data))
        names.append(name)
        if name == "cut_record_data.pcap":
            names.append("cut_record_data.pcap.gz")
    if args.expect:
        for name in names:
            print(name)
            for line in EXPECT.get(name, []):
                print("  " + line)
    if args.tshark:
        if not shutil.which("tshark"):
            sys.exit("tshark not found")
        for name in names:
            path = os.path.join(args.out, name)
            rows, rc, err = tshark_snis(path, False)
            rows_ooo, _, _ = tshark_snis(path, True)
            print(f"{name}: rc {rc}; {rows or 'no ClientHello'}"
                  + (f"; out-of-order on: {rows_ooo}" if rows_ooo != rows else "")
                  + (f"; stderr: {' | '.join(err)}" if err else ""))


if __name__ == "__main__":
    main()
