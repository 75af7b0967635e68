#!/usr/bin/env python3
"""Python ssl HTTPS server for the traffic lab (one process, several sites).

Each site has its own listening address, certificate chain and TLS version
range; HTTP/1.1 with keep-alive only (ALPN http/1.1). Endpoints:
  GET  /<path>          a file under the site's root
  GET  /poll?ms=N       waits N ms (long poll), then answers a small JSON body
  POST /upload          reads the body, answers a small JSON body
Every accepted TCP connection is logged as one line to --log, after its TLS
handshake (or its failure), as tab-separated fields:
  accept_ns client_ip client_port server_ip server_port sni tls_version site
This log is ground truth that does not come from the capture.

Config (JSON, --config): {"sites": [{"name", "ip", "port", "cert", "key",
"tls_min", "tls_max", "root"}]}  (tls_* are "1.2" or "1.3").
"""

import argparse
import http.server
import json
import os
import random
import signal
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse

VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}
LOG_LOCK = threading.Lock()


def make_context(site):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(site["cert"], site["key"])
    ctx.minimum_version = VERSIONS[site.get("tls_min", "1.2")]
    ctx.maximum_version = VERSIONS[site.get("tls_max", "1.3")]
    ctx.set_alpn_protocols(["http/1.1"])

    def on_sni(sslobj, name, _ctx):
        sslobj.lab_sni = name or ""
    ctx.sni_callback = on_sni
    return ctx


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "labhttpd/1.0"

    def log_message(self, fmt, *args):
        pass

    def _send(self, code, body, ctype="application/octet-stream"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/poll":
            q = urllib.parse.parse_qs(url.query)
            ms = min(10000, int(q.get("ms", ["500"])[0]))
            time.sleep(ms / 1000.0)
            n = int(q.get("size", ["300"])[0])
            self._send(200, json.dumps({"events": "x" * max(0, n - 14)}).encode(), "application/json")
            return
        root = self.server.site["root"]
        rel = os.path.normpath(urllib.parse.unquote(url.path)).lstrip("/")
        if rel in ("", "."):
            rel = "index.html"
        path = os.path.join(root, rel)
        if not path.startswith(root) or not os.path.isfile(path):
            self._send(404, b"not found\n", "text/plain")
            return
        with open(path, "rb") as f:
            body = f.read()
        self._send(200, body, "text/html" if path.endswith(".html") else "application/octet-stream")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        remaining = n
        while remaining > 0:
            chunk = self.rfile.read(min(65536, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
        self._send(200, json.dumps({"stored": n, "id": random.randrange(1 << 30)}).encode(),
                   "application/json")


class SiteServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, site, ctx, logf):
        self.site = site
        self.ctx = ctx
        self.logf = logf
        super().__init__((site["ip"], int(site["port"])), Handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        return (sock, time.time_ns()), addr

    def process_request_thread(self, request, client_address):
        raw, accept_ns = request
        sni, version = "", ""
        try:
            srv = raw.getsockname()
        except OSError:
            srv = ("", 0)
        try:
            raw.settimeout(30)
            tls = self.ctx.wrap_socket(raw, server_side=True)
            sni = getattr(tls, "lab_sni", "")
            version = tls.version() or ""
        except (OSError, ssl.SSLError):
            tls = None
        with LOG_LOCK:
            self.logf.write("\t".join(map(str, (accept_ns, client_address[0], client_address[1],
                                                srv[0], srv[1], sni or "-", version or "-",
                                                self.site["name"]))) + "\n")
            self.logf.flush()
        if tls is None:
            raw.close()
            return
        try:
            self.finish_request(tls, client_address)
        except (OSError, ssl.SSLError):
            pass
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", required=True)
    ap.add_argument("--log", required=True)
    args = ap.parse_args()
    with open(args.config) as f:
        sites = json.load(f)["sites"]
    logf = open(args.log, "a", buffering=1)
    servers = []
    for site in sites:
        site["root"] = os.path.realpath(site["root"])
        srv = SiteServer(site, make_context(site), logf)
        servers.append(srv)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(f"pyserver: {len(servers)} sites up", file=sys.stderr, flush=True)
    stop.wait()
    for srv in servers:
        srv.shutdown()
        srv.server_close()


if __name__ == "__main__":
    main()
