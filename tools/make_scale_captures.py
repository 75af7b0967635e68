#!/usr/bin/env python3
"""Writes a synthetic capture set at the paper's scale, for measuring scale only.

    tools/make_scale_captures.py --out DIR [--services 532] [--connections 133824]
        [--min-per-class 100] [--tail 1.0] [--files 4] [--format mix|pcap|pcapng]
        [--seed 1] [--mean-gap-ms 5]

SYNTHETIC: every service's traffic follows a profile drawn from the seed, so
a classifier's accuracy on this set says nothing about real traffic. It
exists to measure time, memory and catalog growth at hundreds of classes and
10^5-10^6 connections (tests/bench/scale_bench.py); never quote accuracy from
it.

Each of the N services (SNI svcNNNN.<word>.scale.test, server 172.16.x.y:443)
has its own profile: round-trip time, certificate flight size, ClientHello
size (padding extension), request and response sizes (log-normal), objects
per connection, think time between objects and transfer rate. The number of
connections per service is long-tailed (weight 1/rank^tail over a shuffled
rank) and every service gets at least --min-per-class; the total is
--connections (raised to N x min when that is larger). Connections start as a
Poisson process (mean gap --mean-gap-ms) and overlap; their packets are
interleaved in time order. The timeline is cut into --files files of equal
connection counts (pcap with microsecond timestamps, pcapng, or alternating).

Every connection: TCP handshake, a real TLS ClientHello carrying the SNI
(written whole), the server's certificate flight, the client's Finished, the
objects (request, then the response at the service's rate with an ACK every
two segments) and a FIN close. Every packet but the ClientHello is written
slimmed - headers only, with its true length - as the traffic lab's captures
are, so the files stay small and the ingest sees the true sizes.

Writes DIR/scale-K.pcap / .pcapng and DIR/manifest.tsv (label, connections,
packets). Python 3 standard library only; the same arguments give the same
bytes. Speed: well over 10^6 packets a minute.
"""

import argparse
import heapq
import math
import os
import random
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_test_captures import Hello  # noqa: E402  (a real ClientHello with SNI)

WORDS = ["static", "api", "video", "mail", "maps", "news", "shop", "cdn", "login", "docs",
         "chat", "files", "music", "photos", "ads", "metrics", "search", "store", "games",
         "wiki"]
MSS = 1448
FIN, SYN, PSH, ACK = 0x01, 0x02, 0x08, 0x10
MAC_C = bytes.fromhex("020000000001")
MAC_S = bytes.fromhex("020000000002")


class Profile:
    """One service's traffic profile, drawn from its own seeded generator."""

    def __init__(self, index, seed):
        r = random.Random(seed * 1_000_003 + index)
        self.index = index
        self.sni = f"svc{index:04d}.{r.choice(WORDS)}{r.randrange(100)}.scale.test"
        self.rtt_us = int(math.exp(r.uniform(math.log(2_000), math.log(150_000))))
        self.cert_bytes = r.randrange(2_000, 9_000)
        self.hello_padding = r.choice([0, 0, r.randrange(16, 400)])
        self.request_bytes = r.randrange(150, 1_500)
        self.response_median = math.exp(r.uniform(math.log(500), math.log(20_000)))
        self.response_sigma = r.uniform(0.3, 1.0)
        self.objects_mean = r.uniform(1.0, 4.0)
        self.think_us = int(math.exp(r.uniform(math.log(5_000), math.log(2_000_000))))
        self.rate = math.exp(r.uniform(math.log(500_000), math.log(50_000_000)))  # bytes/s
        self.server_ip = bytes([172, 16 + (index >> 8), index & 0xFF, 10])
        self.hello = None  # built on first use


def connection_counts(services, total, minimum, tail, seed):
    """Long-tailed counts, each >= minimum, summing to max(total, services * minimum)."""
    r = random.Random(seed)
    ranks = list(range(1, services + 1))
    r.shuffle(ranks)
    weights = [1.0 / (k ** tail) for k in ranks]
    extra = max(0, total - services * minimum)
    scale = extra / sum(weights)
    counts = [minimum + int(w * scale) for w in weights]
    # Hand out what the rounding down left, largest weights first.
    short = max(total, services * minimum) - sum(counts)
    for i in sorted(range(services), key=lambda i: -weights[i])[:short]:
        counts[i] += 1
    return counts


def checksum(header):
    s = sum(struct.unpack("!%dH" % (len(header) // 2), header))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(conn, to_server, flags, payload_len, payload=None):
    """An Ethernet/IPv4/TCP frame: (bytes written, original length)."""
    cip, cport, sip, seq = conn["cip"], conn["cport"], conn["sip"], conn["seq"]
    src, dst = (cip, sip) if to_server else (sip, cip)
    sport, dport = (cport, 443) if to_server else (443, cport)
    d = 0 if to_server else 1
    conn["ident"] = (conn["ident"] + 1) & 0xFFFF
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40 + payload_len, conn["ident"], 0x4000, 64, 6, 0,
                     src, dst)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq[d] & 0xFFFFFFFF, seq[1 - d] & 0xFFFFFFFF,
                      5 << 4, flags, 64240, 0, 0)
    seq[d] += payload_len + (1 if flags & (SYN | FIN) else 0)
    head = (MAC_S + MAC_C if to_server else MAC_C + MAC_S) + b"\x08\x00" + ip + tcp
    length = len(head) + payload_len
    if payload is not None:
        return head + payload, length
    return head, length


def connection_packets(p, r, start_us):
    """The packet plan of one connection: [(time µs, to_server, flags, length, payload)]."""
    if p.hello is None:
        p.hello = Hello(p.sni, p.sni, padding=p.hello_padding).bytes
    out = []
    t = start_us
    half = p.rtt_us // 2
    jitter = max(1, p.rtt_us // 20)

    def at(dt):
        nonlocal t
        t += dt + r.randrange(jitter)
        return t

    out.append((t, True, SYN, 0, None))
    out.append((at(p.rtt_us), False, SYN | ACK, 0, None))
    out.append((at(50), True, ACK, 0, None))
    out.append((at(100), True, PSH | ACK, len(p.hello), p.hello))

    def transfer(to_server, size):
        nonlocal t
        gap = max(1, int(MSS / p.rate * 1e6))
        sent = 0
        n = 0
        while sent < size:
            seg = min(MSS, size - sent)
            sent += seg
            n += 1
            out.append((at(gap if n > 1 else half), to_server,
                        PSH | ACK if sent >= size else ACK, seg, None))
            if n % 2 == 0 or sent >= size:
                out.append((t + half + r.randrange(jitter), not to_server, ACK, 0, None))

    transfer(False, p.cert_bytes)
    out.append((at(half), True, PSH | ACK, 80, None))  # the client's Finished
    objects = max(1, int(r.expovariate(1.0 / p.objects_mean)) + 1)
    for k in range(objects):
        if k:
            t += int(r.expovariate(1.0 / p.think_us))
        out.append((at(100), True, PSH | ACK, max(40, int(r.gauss(p.request_bytes, 60))), None))
        size = int(r.lognormvariate(math.log(p.response_median), p.response_sigma))
        transfer(False, max(60, min(size, 20_000_000)))
    out.append((at(half), True, FIN | ACK, 0, None))
    out.append((at(p.rtt_us), False, FIN | ACK, 0, None))
    out.append((at(half), True, ACK, 0, None))
    out.sort(key=lambda e: e[0])  # the ACKs may fall after the next segment
    return out


class Writer:
    """pcap (µs) or pcapng (µs), buffered."""

    def __init__(self, path, pcapng):
        self.f = open(path + ".tmp", "wb")
        self.path = path
        self.pcapng = pcapng
        self.buf = bytearray()
        if pcapng:
            self.buf += self.block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
            self.buf += self.block(1, struct.pack("<HHI", 1, 0, 262144))
        else:
            self.buf += struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)

    @staticmethod
    def block(btype, body):
        body += bytes(-len(body) % 4)
        n = 12 + len(body)
        return struct.pack("<II", btype, n) + body + struct.pack("<I", n)

    def write(self, ts_us, data, length):
        if self.pcapng:
            self.buf += self.block(6, struct.pack("<IIIII", 0, ts_us >> 32, ts_us & 0xFFFFFFFF,
                                                  len(data), length) + data)
        else:
            self.buf += struct.pack("<IIII", ts_us // 1_000_000, ts_us % 1_000_000, len(data),
                                    length) + data
        if len(self.buf) > 1 << 22:
            self.f.write(self.buf)
            self.buf.clear()

    def close(self):
        self.f.write(self.buf)
        self.f.close()
        os.replace(self.path + ".tmp", self.path)


def write_file(path, pcapng, conns, profiles, seed):
    """Writes the connections (index, service, start) of one file; returns packets per service."""
    w = Writer(path, pcapng)
    packets = {}
    heap = []
    plans = {}
    i = 0
    while i < len(conns) or heap:
        if i < len(conns) and (not heap or conns[i][2] <= heap[0][0]):
            idx, svc, start = conns[i]
            i += 1
            r = random.Random(seed * 7_919 + idx)
            plan = connection_packets(profiles[svc], r, start)
            state = {"cip": bytes([10, (idx >> 16) & 0xFF, (idx >> 8) & 0xFF, idx & 0xFF]),
                     "cport": 1024 + idx % 60000, "sip": profiles[svc].server_ip,
                     "seq": [r.getrandbits(32), r.getrandbits(32)], "ident": idx & 0xFFFF}
            plans[idx] = (plan, state, svc)
            heapq.heappush(heap, (plan[0][0], idx, 0))
            continue
        ts, idx, k = heapq.heappop(heap)
        plan, state, svc = plans[idx]
        _, to_server, flags, length, payload = plan[k]
        data, orig = frame(state, to_server, flags, length, payload)
        w.write(ts, data, orig)
        packets[svc] = packets.get(svc, 0) + 1
        if k + 1 < len(plan):
            heapq.heappush(heap, (plan[k + 1][0], idx, k + 1))
        else:
            del plans[idx]
    w.close()
    return packets


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--services", type=int, default=532)
    ap.add_argument("--connections", type=int, default=133_824)
    ap.add_argument("--min-per-class", type=int, default=100)
    ap.add_argument("--tail", type=float, default=1.0, help="long-tail exponent (0 = even)")
    ap.add_argument("--files", type=int, default=4)
    ap.add_argument("--format", choices=["mix", "pcap", "pcapng"], default="mix")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mean-gap-ms", type=float, default=5.0)
    a = ap.parse_args()
    for name, v, lo in (("--services", a.services, 1), ("--files", a.files, 1),
                        ("--min-per-class", a.min_per_class, 1), ("--connections", a.connections, 1)):
        if v < lo:
            ap.error(f"{name} must be at least {lo}")
    if a.services > 4096:
        ap.error("--services must be at most 4096 (one server address each)")
    if not (a.mean_gap_ms > 0) or not (a.tail >= 0):
        ap.error("--mean-gap-ms must be > 0 and --tail >= 0")
    os.makedirs(a.out, exist_ok=True)
    clock = time.monotonic()
    profiles = [Profile(i, a.seed) for i in range(a.services)]
    counts = connection_counts(a.services, a.connections, a.min_per_class, a.tail, a.seed)
    services = [s for s, n in enumerate(counts) for _ in range(n)]
    r = random.Random(a.seed)
    r.shuffle(services)
    t = 1_700_000_000 * 1_000_000
    conns = []
    for idx, svc in enumerate(services):
        t += max(1, int(r.expovariate(1.0 / (a.mean_gap_ms * 1000))))
        conns.append((idx, svc, t))
    per_file = math.ceil(len(conns) / a.files)
    packets = [0] * a.services
    written = 0
    for k in range(a.files):
        part = conns[k * per_file:(k + 1) * per_file]
        if not part:
            break
        pcapng = a.format == "pcapng" or (a.format == "mix" and k % 2 == 1)
        path = os.path.join(a.out, f"scale-{k}.{'pcapng' if pcapng else 'pcap'}")
        for svc, n in write_file(path, pcapng, part, profiles, a.seed).items():
            packets[svc] += n
            written += n
        print(f"wrote {path}: {len(part)} connections", file=sys.stderr)
    with open(os.path.join(a.out, "manifest.tsv.tmp"), "w") as f:
        f.write("label\tconnections\tpackets\n")
        for p in profiles:
            f.write(f"{p.sni}\t{counts[p.index]}\t{packets[p.index]}\n")
    os.replace(os.path.join(a.out, "manifest.tsv.tmp"), os.path.join(a.out, "manifest.tsv"))
    seconds = time.monotonic() - clock
    print(f"{a.services} services, {len(conns)} connections, {written} packets in "
          f"{seconds:.1f} s ({written / max(seconds, 1e-9) * 60 / 1e6:.2f} M packets/min); "
          f"synthetic: for scale measurements, never accuracy claims", file=sys.stderr)


if __name__ == "__main__":
    main()
