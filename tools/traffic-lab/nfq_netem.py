#!/usr/bin/env python3
"""Userspace delay/jitter/loss emulator on NFQUEUE (a netem stand-in).

The lab kernel has no netem qdisc and loads no modules, but `iptables -j
NFQUEUE` works. This daemon binds one netfilter queue per site and holds each
queued packet until its release time, then accepts it (or drops it, with the
site's loss probability). It talks to libnetfilter_queue.so.1 (Debian package
libnetfilter-queue1) through ctypes: Python 3 standard library only.

Per-packet one-way delay = delay_ms + uniform(-jitter_ms, +jitter_ms), never
below 0. Packets of one flow direction keep their order (a packet is never
released before the previous packet of the same 5-tuple direction), as on a
real path; jitter therefore stretches bursts instead of reordering them.

Config (JSON, --config): {"queues": {"<num>": {"delay_ms": 20, "jitter_ms": 3,
"loss": 0.002}}, "seed": 1}. The router's iptables rules send both
directions of a site's traffic to its queue, so delay_ms is half the RTT.

Runs until SIGTERM/SIGINT; on exit it accepts every packet still held so
nothing is stranded in the kernel queue. Statistics go to stderr at exit.
"""

import argparse
import ctypes
import ctypes.util
import heapq
import json
import os
import random
import select
import signal
import socket
import sys
import time

NF_DROP = 0
NF_ACCEPT = 1
NFQNL_COPY_PACKET = 2
COPY_RANGE = 64  # IPv4 header (<= 60) + TCP ports


class PacketHdr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("packet_id", ctypes.c_uint32), ("hw_protocol", ctypes.c_uint16),
                ("hook", ctypes.c_uint8)]


CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
                            ctypes.c_void_p)


def load_library():
    name = ctypes.util.find_library("netfilter_queue") or "libnetfilter_queue.so.1"
    lib = ctypes.CDLL(name, use_errno=True)
    lib.nfq_open.restype = ctypes.c_void_p
    lib.nfq_close.argtypes = [ctypes.c_void_p]
    lib.nfq_create_queue.restype = ctypes.c_void_p
    lib.nfq_create_queue.argtypes = [ctypes.c_void_p, ctypes.c_uint16, CALLBACK, ctypes.c_void_p]
    lib.nfq_destroy_queue.argtypes = [ctypes.c_void_p]
    lib.nfq_set_mode.argtypes = [ctypes.c_void_p, ctypes.c_uint8, ctypes.c_uint32]
    lib.nfq_set_queue_maxlen.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
    lib.nfq_fd.argtypes = [ctypes.c_void_p]
    lib.nfq_handle_packet.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    lib.nfq_get_msg_packet_hdr.restype = ctypes.POINTER(PacketHdr)
    lib.nfq_get_msg_packet_hdr.argtypes = [ctypes.c_void_p]
    lib.nfq_get_payload.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
    lib.nfq_set_verdict.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint32,
                                    ctypes.c_uint32, ctypes.c_void_p]
    return lib


class Emulator:
    def __init__(self, lib, config, seed):
        self.lib = lib
        self.rng = random.Random(seed)
        self.heap = []          # (release_time, seq, qh, packet_id, verdict)
        self.seq = 0
        self.last_release = {}  # flow direction key -> last release time
        self.stats = {"packets": 0, "dropped": 0}
        self.handle = lib.nfq_open()
        if not self.handle:
            raise OSError("nfq_open failed (root and CAP_NET_ADMIN needed)")
        self.callback = CALLBACK(self.on_packet)  # keep a reference: ctypes must not free it
        self.queues = {}
        for num, params in config["queues"].items():
            qh = lib.nfq_create_queue(self.handle, int(num), self.callback, None)
            if not qh:
                raise OSError(f"nfq_create_queue({num}) failed: is the queue bound elsewhere?")
            lib.nfq_set_mode(qh, NFQNL_COPY_PACKET, COPY_RANGE)
            lib.nfq_set_queue_maxlen(qh, 8192)
            self.queues[qh] = (float(params.get("delay_ms", 0)) / 1000.0,
                               float(params.get("jitter_ms", 0)) / 1000.0,
                               float(params.get("loss", 0)))
        self.fd = lib.nfq_fd(self.handle)
        self._sock = socket.socket(fileno=os.dup(self.fd))
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)

    def on_packet(self, qh, nfmsg, nfad, data):
        hdr = self.lib.nfq_get_msg_packet_hdr(nfad)
        packet_id = socket.ntohl(hdr.contents.packet_id)
        delay, jitter, loss = self.queues.get(qh, (0.0, 0.0, 0.0))
        self.stats["packets"] += 1
        key = None
        buf = ctypes.c_void_p()
        n = self.lib.nfq_get_payload(nfad, ctypes.byref(buf))
        if n >= 20:
            raw = ctypes.string_at(buf, min(n, COPY_RANGE))
            ihl = (raw[0] & 0x0F) * 4
            ports = raw[ihl:ihl + 4] if len(raw) >= ihl + 4 else b""
            key = (qh, raw[12:20], ports)
        if loss > 0 and self.rng.random() < loss:
            self.stats["dropped"] += 1
            self.lib.nfq_set_verdict(qh, packet_id, NF_DROP, 0, None)
            return 0
        now = time.monotonic()
        release = now + max(0.0, delay + (self.rng.uniform(-jitter, jitter) if jitter else 0.0))
        if key is not None:
            release = max(release, self.last_release.get(key, 0.0))
            self.last_release[key] = release
        if release <= now:
            self.lib.nfq_set_verdict(qh, packet_id, NF_ACCEPT, 0, None)
            return 0
        self.seq += 1
        heapq.heappush(self.heap, (release, self.seq, qh, packet_id))
        return 0

    def release_due(self, flush=False):
        now = time.monotonic()
        while self.heap and (flush or self.heap[0][0] <= now):
            _, _, qh, packet_id = heapq.heappop(self.heap)
            self.lib.nfq_set_verdict(qh, packet_id, NF_ACCEPT, 0, None)

    def run(self, stop):
        buf = ctypes.create_string_buffer(65536)
        last_gc = time.monotonic()
        while not stop["now"]:
            timeout = 0.5
            if self.heap:
                timeout = max(0.0, min(timeout, self.heap[0][0] - time.monotonic()))
            try:
                readable, _, _ = select.select([self.fd], [], [], timeout)
            except InterruptedError:
                continue
            if readable:
                for _ in range(64):  # drain a burst before looking at the clock again
                    n = self._recv(buf)
                    if n <= 0:
                        break
                    self.lib.nfq_handle_packet(self.handle, buf, n)
            self.release_due()
            now = time.monotonic()
            if now - last_gc > 30:
                self.last_release = {k: v for k, v in self.last_release.items() if v > now - 5}
                last_gc = now
        self.release_due(flush=True)

    def _recv(self, buf):
        try:
            return self._sock.recv_into(buf, 65536, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return 0
        except OSError:  # ENOBUFS: the kernel dropped queue messages; keep going
            self.stats["enobufs"] = self.stats.get("enobufs", 0) + 1
            return 0

    def close(self):
        for qh in self.queues:
            self.lib.nfq_destroy_queue(qh)
        self.lib.nfq_close(self.handle)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ready-file", help="created once all queues are bound")
    args = ap.parse_args()
    with open(args.config) as f:
        config = json.load(f)
    lib = load_library()
    emu = Emulator(lib, config, args.seed)
    stop = {"now": False}

    def on_signal(signum, frame):
        stop["now"] = True
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if args.ready_file:
        open(args.ready_file, "w").close()
    try:
        emu.run(stop)
    finally:
        emu.close()
        print(f"nfq_netem: {json.dumps(emu.stats)}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
