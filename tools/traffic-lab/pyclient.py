#!/usr/bin/env python3
"""Python HTTPS client for the traffic lab (standard library only).

Runs a plan of connections against one host; each connection sends its
requests in order on one keep-alive TLS connection with think times between
them. Connections run --parallel at a time. For each TCP connection it
appends one tab-separated line to --log (client-side ground truth):
  start_ns client_ip client_port server_ip server_port host tls_version

Plan (JSON, --plan): [{"requests": [{"method": "GET", "path": "/x",
"body": 0, "think": 0.3}, ...]}, ...]
"""

import argparse
import http.client
import json
import os
import ssl
import sys
import threading
import time

VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}


def run_connection(args, ctx, conn_plan, out, lock):
    start_ns = time.time_ns()
    conn = http.client.HTTPSConnection(args.host, args.port, context=ctx, timeout=args.timeout)
    try:
        conn.connect()
        local = conn.sock.getsockname()
        remote = conn.sock.getpeername()
        with lock:
            out.append("\t".join(map(str, (start_ns, local[0], local[1], remote[0], remote[1],
                                            args.host, conn.sock.version() or "-"))))
        for req in conn_plan["requests"]:
            body = os.urandom(int(req.get("body", 0))) if req.get("body") else None
            headers = {"Content-Type": "application/octet-stream"} if body else {}
            conn.request(req.get("method", "GET"), req["path"], body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            if req.get("think"):
                time.sleep(float(req["think"]))
    except (OSError, ssl.SSLError, http.client.HTTPException) as e:
        print(f"pyclient: {args.host}: {e}", file=sys.stderr)
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, default=443)
    ap.add_argument("--cafile", required=True)
    ap.add_argument("--tls", choices=["any", "1.2", "1.3"], default="any")
    ap.add_argument("--plan", required=True)
    ap.add_argument("--parallel", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=20)
    ap.add_argument("--log", required=True)
    args = ap.parse_args()
    with open(args.plan) as f:
        plan = json.load(f)
    ctx = ssl.create_default_context(cafile=args.cafile)
    ctx.set_alpn_protocols(["http/1.1"])
    if args.tls != "any":
        ctx.minimum_version = ctx.maximum_version = VERSIONS[args.tls]
    out, lock = [], threading.Lock()
    pending = list(plan)
    while pending:
        batch, pending = pending[:args.parallel], pending[args.parallel:]
        threads = [threading.Thread(target=run_connection, args=(args, ctx, c, out, lock))
                   for c in batch]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    with open(args.log, "a") as f:
        for line in out:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
