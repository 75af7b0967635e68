#!/usr/bin/env python3
"""snilab traffic lab: real TLS and QUIC traffic between network namespaces,
captured with tcpdump/dumpcap, with a ground-truth CSV that does not come
from the capture. Run as root. Python 3 standard library + Debian packages
only.

Commands:
  run      the full lab (Chromium, curl, wget, nghttp, Python and ngtcp2
           clients; nginx, Python ssl, openssl s_server and ngtcp2 HTTP/3
           servers), several capture "days"
  smoke    a < 1 minute check: Python ssl + openssl s_server (+ ngtcp2 when
           installed), curl + Python (+ ngtcp2) clients, one capture, a
           handful of connections
  cleanup  remove what a lab with --tag left behind (namespaces, their
           processes, /etc/netns entries); lab.sh calls it from a trap
  slim     keep each connection's first N packets whole, the rest headers only

See README.md for the topology, defaults and the ground-truth format.
"""

import argparse
import base64
import csv
import hashlib
import json
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # runs as root from the source tree: leave no __pycache__
import pcap_slim  # noqa: E402
import sites as sitedefs  # noqa: E402

CLIENT_NET = "10.77.0"
NGINX_STREAM_MODULE = "/usr/lib/nginx/modules/ngx_stream_module.so"
GT_COLUMNS = ["capture", "start_ns", "client_ip", "client_port", "server_ip", "server_port",
              "sni", "site", "server_stack", "client_kind", "job_id", "day", "source",
              "tls_version", "transport"]
NGTCP2_SERVER, NGTCP2_CLIENT = "gtlsserver", "gtlsclient"  # Debian ngtcp2-server/-client
# Chromium's flags for every job; --disable-quic for the TLS-over-TCP sites, and
# QUIC forced to the site's origin for the HTTP/3 sites (job_chromium).
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--ignore-certificate-errors"]


def log(*parts):
    print(time.strftime("%H:%M:%S"), *parts, file=sys.stderr, flush=True)


def sh(*cmd, check=True, quiet=False, timeout=60):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=timeout)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()}")
    if p.returncode != 0 and not quiet:
        log(f"warning: {' '.join(cmd)}: {p.stderr.strip()}")
    return p


class Stopped(Exception):
    pass


# ----------------------------------------------------------------------------- PKI

def openssl(*args):
    sh("openssl", *args, timeout=120)


def spki_sha256(cert):
    """base64 SHA-256 of a certificate's SubjectPublicKeyInfo (Chromium's
    --ignore-certificate-errors-spki-list)."""
    pub = subprocess.run(["openssl", "x509", "-in", cert, "-pubkey", "-noout"],
                         check=True, capture_output=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pub,
                         check=True, capture_output=True).stdout
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def chromium_quic_sockets(netlog, server_ip):
    """(start_ns, local ip, local port, server ip, server port) of each UDP socket
    in a Chromium net log (--log-net-log) that was connected to server_ip:443 and
    sent something: one per QUIC connection. start_ns from the event's time
    (milliseconds on Chromium's tick clock plus the log's timeTickOffset)."""
    try:
        with open(netlog) as f:
            d = json.load(f)
    except (OSError, ValueError):  # no log, or cut short (Chromium killed)
        try:
            with open(netlog) as f:
                text = f.read().rstrip().rstrip(",")
            d = json.loads(text + "]}")
        except (OSError, ValueError):
            return []
    c = d.get("constants", {})
    names = {v: k for k, v in c.get("logEventTypes", {}).items()}
    offset = int(c.get("timeTickOffset", 0))
    socks = {}
    for e in d.get("events", []):
        n, sid = names.get(e.get("type")), e.get("source", {}).get("id")
        prm = e.get("params", {})
        if n == "UDP_CONNECT" and prm.get("address"):
            socks[sid] = dict(remote=prm["address"], t=int(e["time"]))
        elif n == "UDP_LOCAL_ADDRESS" and sid in socks:
            socks[sid]["local"] = prm.get("address", "")
        elif n == "UDP_BYTES_SENT" and sid in socks:
            socks[sid]["sent"] = True
    out = []
    for s in socks.values():
        if s["remote"] != f"{server_ip}:443" or not s.get("sent") or ":" not in s.get("local", ""):
            continue
        lip, lport = s["local"].rsplit(":", 1)
        out.append(((s["t"] + offset) * 1000000, lip, lport, server_ip, "443"))
    return out


def make_pki(pki, chains):
    """Private CAs and one leaf per site. chains: {site name: chain kind}."""
    os.makedirs(pki, exist_ok=True)

    def key(name, kind):
        path = os.path.join(pki, name + ".key")
        if not os.path.exists(path):
            if kind.startswith("rsa"):
                openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", f"rsa_keygen_bits:{kind[3:]}",
                        "-out", path)
            else:
                openssl("genpkey", "-algorithm", "EC", "-pkeyopt", f"ec_paramgen_curve:{kind}",
                        "-out", path)
        return path

    def root(name, kind, cn):
        crt = os.path.join(pki, name + ".crt")
        if not os.path.exists(crt):
            openssl("req", "-x509", "-new", "-key", key(name, kind), "-subj", f"/O=snilab lab/CN={cn}",
                    "-days", "3650", "-sha256", "-out", crt,
                    "-addext", "basicConstraints=critical,CA:TRUE",
                    "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        return crt

    def issue(name, kind, cn, issuer, ca, san=None):
        crt = os.path.join(pki, name + ".crt")
        if os.path.exists(crt):
            return crt
        csr = os.path.join(pki, name + ".csr")
        ext = os.path.join(pki, name + ".ext")
        openssl("req", "-new", "-key", key(name, kind), "-subj", f"/O=snilab lab/CN={cn}",
                "-out", csr)
        with open(ext, "w") as f:
            if ca:
                f.write("basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n")
            else:
                f.write(f"basicConstraints=CA:FALSE\nsubjectAltName=DNS:{san}\n"
                        "keyUsage=critical,digitalSignature,keyEncipherment\n"
                        "extendedKeyUsage=serverAuth\n")
        openssl("x509", "-req", "-in", csr, "-CA", issuer + ".crt", "-CAkey", issuer + ".key",
                "-CAcreateserial", "-days", "825", "-sha256", "-extfile", ext, "-out", crt)
        return crt

    p = lambda n: os.path.join(pki, n)  # noqa: E731
    kinds = set(chains.values())
    roots = []
    if kinds & {"A", "A-rsa"}:
        roots.append(root("rootA", "rsa2048", "Lab Root A"))
        issue("intA", "rsa2048", "Lab Issuing CA A1", p("rootA"), True)
    if "B" in kinds:
        roots.append(root("rootB", "P-384", "Lab Root B ECC"))
    if "C" in kinds:
        roots.append(root("rootC", "rsa4096", "Lab Root C 4096"))
        issue("intC1", "rsa2048", "Lab Policy CA C1", p("rootC"), True)
        issue("intC2", "rsa2048", "Lab Issuing CA C2", p("intC1"), True)
    out = {}
    for site, kind in chains.items():
        leaf_kind = "rsa2048" if kind in ("A-rsa", "C") else "P-256"
        issuer, inters = {"A": ("intA", ["intA"]), "A-rsa": ("intA", ["intA"]),
                          "B": ("rootB", []), "C": ("intC2", ["intC2", "intC1"])}[kind]
        leaf = issue("leaf-" + site, leaf_kind, site, p(issuer), False, san=site)
        inter_path = os.path.join(pki, f"inter-{kind}.pem")
        with open(inter_path, "w") as f:
            for i in inters:
                f.write(open(p(i) + ".crt").read())
        full = os.path.join(pki, f"chain-{site}.pem")
        with open(full, "w") as f:
            f.write(open(leaf).read())
            for i in inters:
                f.write(open(p(i) + ".crt").read())
        out[site] = dict(cert=leaf, key=p("leaf-" + site) + ".key", chain=full,
                         inter=inter_path if inters else None)
    bundle = os.path.join(pki, "ca-bundle.pem")
    with open(bundle, "w") as f:
        for r in sorted(set(roots)):
            f.write(open(r).read())
    return out, bundle


# ----------------------------------------------------------------------------- content

def make_content(www, site, day, seed):
    """Write the site's files for this day (sizes drift between days)."""
    rng = random.Random(f"{seed}/{site['name']}/{day}")
    drift = 1.0 + 0.12 * day * (1 if rng.random() < 0.5 else -1) + rng.uniform(-0.05, 0.05)
    root = os.path.join(www, site["name"])
    if os.path.isdir(root):
        shutil.rmtree(root)
    os.makedirs(root)
    c = site["content"]
    lo, hi = c.get("asset_size", (1000, 2000))
    size = lambda a, b: max(64, int(rng.randint(a, b) * drift))  # noqa: E731
    manifest = {}

    def put(rel, n, html=None):
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            if html is not None:
                body = html.encode()
                filler = n - len(body)
                f.write(body)
                words = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod "
                         "tempor incididunt ut labore et dolore magna aliqua ").split()
                text = []
                total = 0
                while total < filler:
                    w = rng.choice(words)
                    text.append(w)
                    total += len(w) + 1
                f.write((" ".join(text)[:max(0, filler)] + "\n").encode())
            else:
                f.write(rng.randbytes(n))
        manifest[rel] = n

    prof = site["profile"]
    if prof == "page":
        n_assets = rng.randint(*c["assets"]) + day % 2
        assets = [f"img/a{i}.jpg" for i in range(n_assets)]
        for a in assets:
            put(a, size(lo, hi))
        put("static/style.css", int(c["css"] * drift))
        put("static/app.js", int(c["js"] * drift))
        cdn = [f"https://static-cdn.example-lab.test/img/c{rng.randrange(30)}.jpg"
               for _ in range(c.get("cdn_assets", 0))]
        tags = "".join(f'<img src="/{a}">\n' for a in assets)
        tags += "".join(f'<img src="{u}">\n' for u in cdn)
        head = (f"<!doctype html><html><head><title>{site['name']}</title>"
                '<link rel="stylesheet" href="/static/style.css">'
                '<script src="/static/app.js"></script></head><body>\n' + tags + "<p>")
        put("index.html", size(*c["html"]), html=head)
        for i in range(3):
            put(f"next{i}.html", size(*c["html"]) // 2, html=head)
        manifest["_assets"] = assets
    elif prof == "assets":
        for i in range(c["assets"][0]):
            put(f"img/c{i}.jpg", size(lo, hi))
    elif prof == "api":
        for i in range(c["endpoints"]):
            put(f"api/v1/e{i}.json", size(lo, hi))
    elif prof == "stream":
        for i in range(c["segments"]):
            put(f"seg/s{i}.m4s", size(lo, hi))
    elif prof in ("download", "files"):
        for i in range(c["files"]):
            put(f"f{i}.bin" if prof == "files" else f"files/f{i}.bin", size(lo, hi))
    elif prof in ("upload", "longpoll"):
        put("index.html", 512, html="<!doctype html><p>")
    put("favicon.ico", 318)
    return manifest


# ----------------------------------------------------------------------------- the lab

class Lab:
    def __init__(self, args, sites, mode):
        self.args = args
        self.mode = mode
        self.sites = sites
        self.tag = args.tag
        self.out = os.path.abspath(args.out)
        self.work = os.path.join(self.out, "work")
        self.logs = os.path.join(self.work, "logs")
        self.procs = []  # (name, Popen), started in their own session
        self.namespaces = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.jobs = []
        self.job_seq = 0
        self.rng = random.Random(args.seed)
        self.netem = False

    # --- namespaces and links
    def ns(self, role):
        return f"{self.tag}-{role}"

    def nsx(self, ns, *cmd, **kw):
        return sh("ip", "netns", "exec", ns, *cmd, **kw)

    def add_ns(self, name):
        if name in sh("ip", "netns", "list").stdout.split():
            raise RuntimeError(f"namespace {name} exists: run `traffic_lab.py cleanup --tag "
                               f"{self.tag}` or pick another --tag")
        sh("ip", "netns", "add", name)
        self.namespaces.append(name)
        self.save_state()
        self.nsx(name, "ip", "link", "set", "lo", "up")
        for k in ("all", "default"):
            self.nsx(name, "sysctl", "-qw", f"net.ipv6.conf.{k}.disable_ipv6=1")

    def offloads_off(self, ns, dev):
        if shutil.which("ethtool"):
            self.nsx(ns, "ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off",
                     "tx", "off", "rx", "off", check=False, quiet=True)

    def save_state(self):
        os.makedirs(self.work, exist_ok=True)
        with open(os.path.join(self.work, "state.json"), "w") as f:
            json.dump({"tag": self.tag, "namespaces": self.namespaces,
                       "pids": [p.pid for _, p in self.procs]}, f)

    def build_topology(self):
        r = self.ns("rtr")
        self.add_ns(r)
        self.nsx(r, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        self.nsx(r, "ip", "link", "add", "brc", "type", "bridge")
        self.nsx(r, "ip", "link", "set", "brc", "txqueuelen", "1000")
        self.nsx(r, "ip", "addr", "add", f"{CLIENT_NET}.1/24", "dev", "brc")
        self.nsx(r, "ip", "link", "set", "brc", "up")
        self.clients = []
        for i in range(1, self.args.clients + 1):
            c = self.ns(f"c{i}")
            self.add_ns(c)
            ip = f"{CLIENT_NET}.{10 + i}"
            self.nsx(c, "ip", "link", "add", "eth0", "type", "veth", "peer", "name", f"c{i}",
                     "netns", r)
            self.nsx(c, "ip", "addr", "add", f"{ip}/24", "dev", "eth0")
            self.nsx(c, "ip", "link", "set", "eth0", "up")
            self.nsx(c, "ip", "route", "add", "10.78.0.0/16", "via", f"{CLIENT_NET}.1")
            self.nsx(r, "ip", "link", "set", f"c{i}", "master", "brc")
            self.nsx(r, "ip", "link", "set", f"c{i}", "up")
            self.offloads_off(c, "eth0")
            self.offloads_off(r, f"c{i}")
            self.clients.append(dict(ns=c, ip=ip))
        self.offloads_off(r, "brc")
        self.servers = {}
        # nginx in s1; Python ssl and openssl s_server in s2; ngtcp2 (QUIC) in s3
        groups = {"nginx": 1, "python": 2, "openssl": 2, "ngtcp2": 3}
        for n in sorted({groups[s["stack"]] for s in self.sites}):
            s = self.ns(f"s{n}")
            self.add_ns(s)
            self.nsx(s, "ip", "link", "add", "eth0", "type", "veth", "peer", "name", f"s{n}",
                     "netns", r)
            self.nsx(s, "ip", "addr", "add", f"10.78.{n}.2/24", "dev", "eth0")
            self.nsx(s, "ip", "link", "set", "eth0", "up")
            self.nsx(s, "ip", "route", "add", f"{CLIENT_NET}.0/24", "via", f"10.78.{n}.1")
            self.nsx(r, "ip", "addr", "add", f"10.78.{n}.1/24", "dev", f"s{n}")
            self.nsx(r, "ip", "link", "set", f"s{n}", "txqueuelen", "1000")
            self.nsx(r, "ip", "link", "set", f"s{n}", "up")
            self.offloads_off(s, "eth0")
            self.offloads_off(r, f"s{n}")
            self.servers[n] = s
        count = {}
        for site in self.sites:
            n = groups[site["stack"]]
            count[n] = count.get(n, 0) + 1
            site["ip"] = f"10.78.{n}.{9 + count[n]}"
            site["ns"] = self.servers[n]
            site["uplink"] = f"s{n}"
            self.nsx(site["ns"], "ip", "addr", "add", f"{site['ip']}/24", "dev", "eth0")
        hosts = "127.0.0.1 localhost\n" + "".join(f"{s['ip']} {s['name']}\n" for s in self.sites)
        for c in self.clients:
            d = os.path.join("/etc/netns", c["ns"])
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "hosts"), "w") as f:
                f.write(hosts)
            with open(os.path.join(d, "resolv.conf"), "w") as f:
                f.write("nameserver 127.0.0.1\n")
        self.router = r

    def shaping(self):
        """htb per site: server->client on brc, client->server on the server link."""
        r = self.router
        devs = {"brc": ("src", 1.0)}
        for site in self.sites:
            devs.setdefault(site["uplink"], ("dst", 0.25))
        for dev, (field, factor) in devs.items():
            self.nsx(r, "tc", "qdisc", "add", "dev", dev, "root", "handle", "1:", "htb",
                     "default", "999")
            self.nsx(r, "tc", "class", "add", "dev", dev, "parent", "1:", "classid", "1:999",
                     "htb", "rate", "1gbit")
            for k, site in enumerate(self.sites, start=10):
                if field == "dst" and site["uplink"] != dev:
                    continue
                rate = max(1.0, site["net"]["rate_mbit"] * factor)
                self.nsx(r, "tc", "class", "add", "dev", dev, "parent", "1:", "classid", f"1:{k}",
                         "htb", "rate", f"{rate}mbit", "burst", "30k")
                self.nsx(r, "tc", "qdisc", "add", "dev", dev, "parent", f"1:{k}", "pfifo",
                         "limit", "1000")
                self.nsx(r, "tc", "filter", "add", "dev", dev, "parent", "1:", "protocol", "ip",
                         "prio", "1", "u32", "match", "ip", field, f"{site['ip']}/32",
                         "flowid", f"1:{k}")

    # --- processes
    def spawn(self, name, ns, cmd, logname, cwd=None):
        logf = open(os.path.join(self.logs, logname), "ab")
        p = subprocess.Popen(["ip", "netns", "exec", ns] + cmd, stdout=logf, stderr=logf,
                             stdin=subprocess.DEVNULL, cwd=cwd, start_new_session=True)
        self.procs.append((name, p))
        self.save_state()
        return p

    def end_proc(self, name, sig=signal.SIGTERM, wait=8):
        for i, (n, p) in enumerate(list(self.procs)):
            if n != name:
                continue
            if p.poll() is None:
                try:
                    os.killpg(p.pid, sig)
                except ProcessLookupError:
                    pass
                try:
                    p.wait(wait)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
            self.procs.remove((n, p))

    def wait_listen(self, ns, ip, port, timeout=15, udp=False):
        t0 = time.time()
        while time.time() - t0 < timeout:
            out = self.nsx(ns, "ss", "-lunH" if udp else "-ltnH", check=False).stdout
            if f"{ip}:{port}" in out:
                return
            time.sleep(0.2)
        raise RuntimeError(f"nothing listens on {ip}:{port}{'/udp' if udp else ''} in {ns} "
                           f"after {timeout}s")

    def start_servers(self):
        nginx_sites = [s for s in self.sites if s["stack"] == "nginx"]
        py_sites = [s for s in self.sites if s["stack"] == "python"]
        ossl_sites = [s for s in self.sites if s["stack"] == "openssl"]
        quic_sites = [s for s in self.sites if s["stack"] == "ngtcp2"]
        if nginx_sites:
            conf = self.nginx_conf(nginx_sites)
            self.spawn("nginx", nginx_sites[0]["ns"], ["nginx", "-c", conf, "-p", self.work],
                       "nginx.out")
        if py_sites:
            cfg = os.path.join(self.work, "pyserver.json")
            with open(cfg, "w") as f:
                json.dump({"sites": [dict(name=s["name"], ip=s["ip"], port=443, cert=s["pki"]["chain"],
                                          key=s["pki"]["key"], tls_min=min(s["tls"]),
                                          tls_max=max(s["tls"]),
                                          root=os.path.join(self.www, s["name"]))
                                     for s in py_sites]}, f)
            self.spawn("pyserver", py_sites[0]["ns"],
                       [sys.executable, os.path.join(HERE, "pyserver.py"), "--config", cfg,
                        "--log", os.path.join(self.logs, "pyserver-conns.tsv")], "pyserver.out")
        for s in ossl_sites:
            cmd = ["openssl", "s_server", "-accept", f"{s['ip']}:443", "-cert", s["pki"]["cert"],
                   "-key", s["pki"]["key"], "-WWW", "-quiet"]
            if s["pki"]["inter"]:
                cmd += ["-cert_chain", s["pki"]["inter"]]
            if s["tls"] == ("1.2",):
                cmd.append("-tls1_2")
            elif s["tls"] == ("1.3",):
                cmd.append("-tls1_3")
            self.spawn("s_server-" + s["name"], s["ns"], cmd, "s_server.out",
                       cwd=os.path.join(self.www, s["name"]))
        for s in quic_sites:
            # gtlsserver: one site, one address; h3server.py logs each ClientHello it
            # received (client address and port, SNI) from the server's debug output.
            # --no-http-dump keeps request bodies out of that output; the CRYPTO dump
            # (the ClientHello) is what the log is made of, so it stays.
            srv = s.get("server", {})
            cmd = [sys.executable, os.path.join(HERE, "h3server.py"),
                   "--log", os.path.join(self.logs, f"h3server-{s['name']}.tsv"),
                   "--site", s["name"], "--", NGTCP2_SERVER, "--no-http-dump",
                   "-d", os.path.join(self.www, s["name"]), f"--cc={srv.get('cc', 'cubic')}",
                   "--timeout=15s"]
            if srv.get("initial_rtt"):
                cmd.append(f"--initial-rtt={srv['initial_rtt']}")
            cmd += [s["ip"], "443", s["pki"]["key"], s["pki"]["chain"]]
            self.spawn("h3server-" + s["name"], s["ns"], cmd, "h3server.out")
        for s in self.sites:
            self.wait_listen(s["ns"], s["ip"], 443, udp=sitedefs.transport(s) == "quic")

    def nginx_conf(self, sites):
        sock = os.path.join(self.work, "sock")
        os.makedirs(sock, exist_ok=True)
        for d in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            os.makedirs(os.path.join(self.work, "nginx-tmp", d), exist_ok=True)
        t = os.path.join(self.work, "nginx-tmp")
        http_servers, stream_servers = [], []
        for s in sites:
            us = os.path.join(sock, s["name"] + ".sock")
            h2 = " http2" if "h2" in s["alpn"] else ""
            protos = " ".join(f"TLSv{v}" for v in s["tls"])
            http_servers.append(f"""
    server {{
        listen unix:{us} ssl{h2};
        server_name {s['name']};
        ssl_certificate {s['pki']['chain']};
        ssl_certificate_key {s['pki']['key']};
        ssl_protocols {protos};
        ssl_session_cache shared:S{len(http_servers)}:1m;
        root {os.path.join(self.www, s['name'])};
        location / {{ try_files $uri =404; }}
    }}""")
            stream_servers.append(f"""
    server {{ listen {s['ip']}:443; ssl_preread on; proxy_pass unix:{us}; }}""")
        conf = f"""load_module {NGINX_STREAM_MODULE};
user root;
daemon off;
master_process on;
worker_processes 1;
pid {self.work}/nginx.pid;
error_log {self.logs}/nginx-error.log warn;
events {{ worker_connections 4096; }}
stream {{
    log_format gt '$msec $session_time $remote_addr $remote_port $server_addr $server_port '
                  '"$ssl_preread_server_name" $ssl_preread_protocol $bytes_sent $bytes_received';
    access_log {self.logs}/nginx-stream.log gt;
{''.join(stream_servers)}
}}
http {{
    default_type application/octet-stream;
    types {{ text/html html; text/css css; application/javascript js; image/jpeg jpg;
            application/json json; video/mp4 m4s; }}
    access_log {self.logs}/nginx-http.log;
    client_body_temp_path {t}/client_body;
    proxy_temp_path {t}/proxy;
    fastcgi_temp_path {t}/fastcgi;
    uwsgi_temp_path {t}/uwsgi;
    scgi_temp_path {t}/scgi;
    sendfile on;
    keepalive_timeout 20s;
    http2_idle_timeout 20s;
{''.join(http_servers)}
}}
"""
        path = os.path.join(self.work, "nginx.conf")
        with open(path, "w") as f:
            f.write(conf)
        return path

    def start_netem(self, day):
        if self.args.no_netem:
            return
        lib_ok = any(os.path.exists(os.path.join(d, "libnetfilter_queue.so.1"))
                     for d in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
                               "/usr/lib", "/usr/lib64"))
        if not (shutil.which("iptables") and lib_ok):
            log("netem: iptables or libnetfilter-queue1 missing: no delay/jitter/loss emulation")
            return
        rng = random.Random(f"{self.args.seed}/net/{day}")
        queues = {}
        for k, site in enumerate(self.sites, start=10):
            net = site["net"]
            scale = 1.0 + rng.uniform(-0.1, 0.1)  # path drift between days
            queues[str(k)] = dict(delay_ms=net["rtt_ms"] * scale / 2.0,
                                  jitter_ms=net["jitter_ms"], loss=net["loss"])
            if not self.netem:
                proto = "udp" if sitedefs.transport(site) == "quic" else "tcp"
                for field in ("-d", "-s"):
                    self.nsx(self.router, "iptables", "-A", "FORWARD", field, site["ip"], "-p",
                             proto, "-j", "NFQUEUE", "--queue-num", str(k), "--queue-bypass")
        cfg = os.path.join(self.work, f"netem-day{day}.json")
        with open(cfg, "w") as f:
            json.dump({"queues": queues}, f, indent=1)
        ready = os.path.join(self.work, "netem.ready")
        if os.path.exists(ready):
            os.remove(ready)
        self.spawn("netem", self.router, [sys.executable, os.path.join(HERE, "nfq_netem.py"),
                                          "--config", cfg, "--seed", str(self.args.seed + day),
                                          "--ready-file", ready], "netem.out")
        t0 = time.time()
        while not os.path.exists(ready):
            if time.time() - t0 > 10:
                raise RuntimeError("nfq_netem did not start: see work/logs/netem.out")
            time.sleep(0.1)
        self.netem = True

    def start_capture(self, path):
        # TCP, and UDP too when the lab has QUIC sites (QUIC is UDP 443)
        filt = "tcp"
        if any(sitedefs.transport(s) == "quic" for s in self.sites):
            filt = "tcp or udp"
        if path.endswith(".pcapng"):
            cmd = ["dumpcap", "-q", "-i", "brc", "-B", "32", "-f", filt, "-w", path]
            tool = "dumpcap"
        else:
            cmd = ["tcpdump", "-i", "brc", "-n", "-s", "0", "-B", "32768", "-Z", "root",
                   "-w", path, filt]
            tool = "tcpdump"
        logpath = os.path.join(self.logs, f"{tool}.out")
        size0 = os.path.getsize(logpath) if os.path.exists(logpath) else 0
        p = self.spawn("capture", self.router, cmd, f"{tool}.out")
        t0 = time.time()
        while time.time() - t0 < 10 and p.poll() is None:
            with open(logpath, "rb") as f:
                f.seek(size0)
                text = f.read()
            if b"listening on" in text or b"Capturing on" in text:
                break
            time.sleep(0.1)
        time.sleep(0.5)
        if p.poll() is not None:
            raise RuntimeError(f"{tool} exited: see work/logs/{tool}.out")

    # --- jobs
    def counts(self):
        """Ground-truth connections per site so far (distinct 4-tuples)."""
        seen = {}
        for rec in self.server_records() + self.client_records():
            seen.setdefault(rec["sni"], set()).add((rec["client_ip"], rec["client_port"],
                                                    rec["server_ip"], rec["server_port"],
                                                    rec["transport"]))
        return {k: len(v) for k, v in seen.items()}

    def next_job(self, day, client):
        with self.lock:
            if self.stop.is_set() or time.time() > self.deadline:
                return None
            counts = self.counts()
            base = self.day_base.get(day, {})
            deficit = {s["name"]: self.quota - (counts.get(s["name"], 0) - base.get(s["name"], 0))
                       for s in self.sites}
            live = [s for s in self.sites if deficit[s["name"]] > 0]
            if not live:
                return None
            # keep the deficits honest for jobs still running: count them as done
            weights = [max(0.0, deficit[s["name"]] - 3 * self.running.get(s["name"], 0)) + 0.5
                       for s in live]
            site = self.rng.choices(live, weights)[0]
            mix = sitedefs.DAY_MIX[(day - 1) % len(sitedefs.DAY_MIX)]
            kinds = [k for k in site["clients"] if k in self.available_clients]
            if not kinds:
                kinds = ["ngtcp2" if sitedefs.transport(site) == "quic" else "curl"]
            kw = [site["clients"][k] * mix.get(k, 1.0) for k in kinds]
            kind = self.rng.choices(kinds, kw)[0]
            self.job_seq += 1
            job = dict(job_id=self.job_seq, day=day, site=site["name"], kind=kind,
                       client_ns=client["ns"], client_ip=client["ip"],
                       rng=random.Random(f"{self.args.seed}/job/{self.job_seq}"))
            self.running[site["name"]] = self.running.get(site["name"], 0) + 1
            return job

    def run_job(self, job):
        site = self.by_name[job["site"]]
        rng = job["rng"]
        jdir = os.path.join(self.work, "jobs", str(job["job_id"]))
        os.makedirs(jdir, exist_ok=True)
        job["start_ns"] = time.time_ns()
        rc = 0
        try:
            kind = job["kind"]
            if kind == "chromium":
                with self.chromium_slots:
                    job["start_ns"] = time.time_ns()
                    rc = self.job_chromium(job, site, rng, jdir)
            else:
                rc = getattr(self, "job_" + kind)(job, site, rng, jdir)
        except subprocess.TimeoutExpired:
            rc = -1
        except Exception as e:  # a job failing is data, not a lab failure
            log(f"job {job['job_id']} ({job['kind']} -> {job['site']}) failed: {e}")
            rc = -2
        job["end_ns"] = time.time_ns()
        job["rc"] = rc
        with self.lock:
            self.running[site["name"]] -= 1
            self.jobs.append({k: v for k, v in job.items() if k != "rng"})
        if os.path.isdir(jdir) and not self.args.keep_job_dirs:
            for name in os.listdir(jdir):
                if name not in ("client-conns.tsv",):
                    p = os.path.join(jdir, name)
                    shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)

    def cexec(self, job, cmd, timeout=60, env=None, cwd=None):
        p = subprocess.Popen(["ip", "netns", "exec", job["client_ns"]] + cmd,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd,
                             start_new_session=True, stdin=subprocess.DEVNULL)
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, err = p.communicate()
            job.setdefault("notes", []).append("timeout")
        if p.returncode not in (0, None):
            job.setdefault("errors", []).append(err.decode(errors="replace")[-300:])
        return p.returncode, out.decode(errors="replace")

    def urls_for(self, site, rng, job):
        """(urls on one connection, think seconds) for a non-browser client."""
        m = self.manifests[site["name"]]
        base = f"https://{site['name']}"
        prof, c = site["profile"], site["content"]
        if prof == "page":
            page = rng.choice(["index.html"] * 3 + ["next0.html", "next1.html", "next2.html"])
            assets = m["_assets"]
            k = rng.randint(0, len(assets))
            return [f"{base}/{page}", f"{base}/static/style.css"] + \
                [f"{base}/{a}" for a in rng.sample(assets, k)]
        if prof == "assets":
            return [f"{base}/img/c{rng.randrange(30)}.jpg" for _ in range(rng.randint(2, 8))]
        if prof == "api":
            return [f"{base}/api/v1/e{rng.randrange(c['endpoints'])}.json"
                    for _ in range(rng.randint(*c["requests"]))]
        if prof == "stream":
            start = rng.randrange(c["segments"] - 5)
            return [f"{base}/seg/s{start + i}.m4s" for i in range(rng.randint(*c["requests"]))]
        if prof == "download":
            return [f"{base}/files/f{rng.randrange(c['files'])}.bin"]
        if prof == "files":
            return [f"{base}/f{rng.randrange(c['files'])}.bin"]
        if prof == "longpoll":
            return [f"{base}/poll?ms={rng.randint(300, 1500)}&size={rng.randint(*c['asset_size'])}"
                    for _ in range(rng.randint(*c["requests"]))]
        if prof == "upload":
            return [f"{base}/upload"]
        return [f"{base}/index.html"]

    def tls_pin(self, site, rng):
        if len(site["tls"]) == 2 and rng.random() < 0.3:
            return "1.2"
        return None

    def job_curl(self, job, site, rng, jdir):
        urls = self.urls_for(site, rng, job)
        wfmt = "%{local_ip}\t%{local_port}\t%{remote_ip}\t%{remote_port}\t%{http_version}\n"
        base = ["curl", "-sS", "--cacert", self.bundle, "-w", wfmt,
                "--max-time", "40", "--connect-timeout", "10"]
        if "h2" in site["alpn"] and rng.random() < 0.75:
            base.append("--http2")
        elif site["stack"] != "openssl":
            base.append("--http1.1")
        pin = self.tls_pin(site, rng)
        if pin:
            base += ["--tls-max", "1.2"]
        if site["profile"] == "upload":
            body = os.path.join(jdir, "body.bin")
            with open(body, "wb") as f:
                f.write(rng.randbytes(rng.randint(*site["content"]["asset_size"])))
            base += ["--data-binary", "@" + body, "-H", "Content-Type: application/octet-stream"]
        invocations = [urls]
        if site["stack"] == "openssl":
            invocations = [[u] for u in urls]  # s_server: one request per connection
        elif len(urls) > 3 and "h2" not in base and rng.random() < 0.4:
            base += ["--parallel", "--parallel-max", str(rng.randint(2, 4))]
        elif len(urls) > 2 and rng.random() < 0.25:
            cut = rng.randint(1, len(urls) - 1)  # think time, then a new connection
            invocations = [urls[:cut], urls[cut:]]
        lines = []
        for i, inv in enumerate(invocations):
            if i:
                time.sleep(rng.uniform(0.3, 1.5))
            t = time.time_ns()
            targets = [x for u in inv for x in ("-o", "/dev/null", u)]
            rc, out = self.cexec(job, base + targets, timeout=50)
            for line in out.splitlines():
                f = line.split("\t")
                if len(f) >= 4 and f[1] not in ("", "0"):
                    lines.append((t, f[0], f[1], f[2], f[3]))
        seen = set()  # transfers that reused a connection of the same invocation
        with open(os.path.join(jdir, "client-conns.tsv"), "w") as f:
            for t, lip, lport, rip, rport in lines:
                if (t, lip, lport, rip, rport) in seen:
                    continue
                seen.add((t, lip, lport, rip, rport))
                f.write("\t".join(map(str, (t, lip, lport, rip, rport, site["name"], "-"))) + "\n")
        return rc

    def job_python(self, job, site, rng, jdir):
        urls = self.urls_for(site, rng, job)
        c = site["content"]
        think = c.get("think", (0.0, 0.3))
        paths = [u.split(site["name"], 1)[1] for u in urls]
        method = "POST" if site["profile"] == "upload" else "GET"
        n_conn = 1
        if site["profile"] in ("api", "upload", "longpoll", "stream") and rng.random() < 0.3:
            n_conn = 2
        if site["stack"] == "openssl":
            n_conn = len(paths)
        plan = []
        for i in range(n_conn):
            reqs = []
            for p in (paths if site["stack"] != "openssl" else [paths[i]]):
                body = rng.randint(*c["asset_size"]) if method == "POST" else 0
                reqs.append(dict(method=method, path=p, body=body,
                                 think=round(rng.uniform(*think), 3)))
            plan.append(dict(requests=reqs))
        pfile = os.path.join(jdir, "plan.json")
        with open(pfile, "w") as f:
            json.dump(plan, f)
        cmd = [sys.executable, os.path.join(HERE, "pyclient.py"), "--host", site["name"],
               "--cafile", self.bundle, "--plan", pfile,
               "--parallel", str(rng.choice([1, 1, 2])),
               "--log", os.path.join(jdir, "client-conns.tsv")]
        pin = self.tls_pin(site, rng)
        if pin:
            cmd += ["--tls", pin]
        rc, _ = self.cexec(job, cmd, timeout=60)
        return rc

    def job_wget(self, job, site, rng, jdir):
        urls = self.urls_for(site, rng, job)
        cmd = ["wget", "-q", "-T", "20", "-t", "1", "--ca-certificate=" + self.bundle,
               "-P", os.path.join(jdir, "dl")]
        if self.tls_pin(site, rng):
            cmd += ["--secure-protocol=TLSv1_2", "--ciphers=NORMAL:-VERS-TLS1.3"]
        if site["profile"] == "page" and rng.random() < 0.6:
            cmd += ["-p", urls[0]]  # page requisites (same host)
        else:
            cmd += urls
        rc, _ = self.cexec(job, cmd, timeout=60)
        return rc

    def job_nghttp(self, job, site, rng, jdir):
        urls = self.urls_for(site, rng, job)
        cmd = ["nghttp", "-n", "-t", "30"]
        if site["profile"] == "page" and rng.random() < 0.6:
            cmd += ["-a", urls[0]]
        else:
            cmd += urls
        rc, _ = self.cexec(job, cmd, timeout=50)
        return rc

    def ngtcp2_urls(self, site, rng, job):
        """URLs of one QUIC connection (HTTP/3: all requested at once, as streams)."""
        m = self.manifests[site["name"]]
        base = f"https://{site['name']}"
        if site["profile"] == "page" and rng.random() < 0.7:  # a whole page load
            page = rng.choice(["index.html"] * 3 + ["next0.html", "next1.html", "next2.html"])
            return [f"{base}/{page}", f"{base}/static/style.css", f"{base}/static/app.js"] + \
                [f"{base}/{a}" for a in m["_assets"]]
        if site["profile"] == "upload":
            return [f"{base}/index.html"] * rng.randint(1, 3)  # POSTs, a small page back
        return self.urls_for(site, rng, job)

    def job_ngtcp2(self, job, site, rng, jdir):
        """Debian's ngtcp2 example client (gtlsclient): one QUIC connection per
        run, every URL of it a concurrent HTTP/3 request; a job runs 1-3 of them
        one after the other with think times, later ones resuming the first's
        TLS session with 0-RTT (--session-file/--tp-file). Ground truth: the
        client's own debug output names its local address and port
        ("Sent packet: local=[IP]:PORT remote=[IP]:PORT")."""
        c = site["content"]
        n_conn = rng.randint(*c.get("conns", (1, 1)))
        resume = rng.random() < c.get("resume", 0.0)
        common = ["--exit-on-all-streams-close", "--no-quic-dump", "--no-http-dump",
                  "--handshake-timeout=10s", "--timeout=15s",
                  f"--cc={rng.choice(['cubic', 'cubic', 'reno', 'bbr'])}"]
        if rng.random() < 0.3:  # key share P-256 instead of X25519 (another hello size)
            common.append("--groups=-GROUP-ALL:+GROUP-SECP256R1:+GROUP-X25519")
        if rng.random() < 0.3:
            common.append("--no-pmtud")
        if resume:
            common += ["--session-file=" + os.path.join(jdir, "session.pem"),
                       "--tp-file=" + os.path.join(jdir, "tp.txt")]
        lines = []
        for i in range(n_conn):
            if i:
                time.sleep(rng.uniform(*c.get("think", (0.3, 1.0))))
            urls = self.ngtcp2_urls(site, rng, job)
            cmd = [NGTCP2_CLIENT] + common
            if c.get("delay_stream"):
                cmd.append(f"--delay-stream={int(rng.uniform(*c['delay_stream']) * 1000)}ms")
            if site["profile"] == "upload":
                body = os.path.join(jdir, f"body{i}.bin")
                with open(body, "wb") as f:
                    f.write(rng.randbytes(rng.randint(*c["asset_size"])))
                cmd += ["-m", "POST", "-d", body]
            cmd += [site["name"], "443"] + urls
            t = time.time_ns()
            err = os.path.join(jdir, f"ngtcp2-{i}.err")
            with open(err, "wb") as ef:
                p = subprocess.Popen(["ip", "netns", "exec", job["client_ns"]] + cmd,
                                     stdout=subprocess.DEVNULL, stderr=ef, cwd=jdir,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
                try:
                    rc = p.wait(timeout=40)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    rc = p.wait()
                    job.setdefault("notes", []).append("timeout")
            with open(err, "rb") as ef:
                for raw in ef:
                    if raw.startswith(b"Sent packet: local="):
                        f = raw.decode(errors="replace").split()
                        lip, lport = f[2][len("local=["):].split("]:")
                        rip, rport = f[3][len("remote=["):].split("]:")
                        lines.append((t, lip, lport, rip, rport))
                        break
            if rc != 0:
                job.setdefault("errors", []).append(f"gtlsclient exit {rc}")
        with open(os.path.join(jdir, "client-conns.tsv"), "w") as f:
            for t, lip, lport, rip, rport in lines:
                f.write("\t".join(map(str, (t, lip, lport, rip, rport, site["name"], "TLSv1.3",
                                            "quic"))) + "\n")
        return rc

    def job_chromium(self, job, site, rng, jdir):
        """Chromium headless, --dump-dom of a page. TLS-over-TCP sites: --disable-quic
        (ground truth from the servers' logs). HTTP/3 sites: QUIC forced to the
        site's origin (--origin-to-force-quic-on; QUIC ignores
        --ignore-certificate-errors, so the leaf's SPKI hash is trusted with
        --ignore-certificate-errors-spki-list); ground truth also from Chromium's
        own net log (--log-net-log: each UDP socket's local address and port)."""
        udd = tempfile.mkdtemp(prefix="chromium-", dir=jdir)
        rules = ",".join(f"MAP {s['name']} {s['ip']}" for s in self.sites) + ",MAP * ~NOTFOUND"
        page = rng.choice(["index.html", "index.html", "next0.html", "next1.html"])
        quic = sitedefs.transport(site) == "quic"
        netlog = os.path.join(jdir, "netlog.json")
        if quic:
            extra = ["--enable-quic", f"--origin-to-force-quic-on={site['name']}:443",
                     f"--ignore-certificate-errors-spki-list={site['pki']['spki']}",
                     f"--log-net-log={netlog}"]
        else:
            extra = ["--disable-quic"]
        cmd = ["chromium"] + CHROMIUM_FLAGS + extra + [f"--user-data-dir={udd}",
                                                       f"--host-resolver-rules={rules}",
                                                       "--timeout=20000", "--dump-dom",
                                                       f"https://{site['name']}/{page}"]
        env = dict(os.environ, HOME=udd)
        rc, _ = self.cexec(job, cmd, timeout=45, env=env)
        if quic:
            lines = chromium_quic_sockets(netlog, site["ip"])
            with open(os.path.join(jdir, "client-conns.tsv"), "w") as f:
                for t, lip, lport, rip, rport in lines:
                    f.write("\t".join(map(str, (t, lip, lport, rip, rport, site["name"],
                                                "TLSv1.3", "quic"))) + "\n")
            if not lines:
                job.setdefault("errors", []).append("chromium: no QUIC socket in its net log")
        return rc

    def worker(self, day, client):
        while not self.stop.is_set():
            job = self.next_job(day, client)
            if job is None:
                return
            self.run_job(job)
            if job["kind"] != "chromium":
                time.sleep(job["rng"].uniform(0.05, 0.4) * self.args.think_scale)

    # --- ground truth
    def server_records(self):
        recs = []
        path = os.path.join(self.logs, "nginx-stream.log")
        if os.path.exists(path):
            with open(path) as f:
                for line in f:
                    p = line.split()
                    if len(p) < 8:
                        continue
                    end = float(p[0])
                    start_ns = int(round((end - float(p[1])) * 1e9))
                    recs.append(dict(start_ns=start_ns, client_ip=p[2], client_port=p[3],
                                     server_ip=p[4], server_port=p[5], sni=p[6].strip('"'),
                                     tls_version="-", stack="nginx", transport="tcp"))
        path = os.path.join(self.logs, "pyserver-conns.tsv")
        if os.path.exists(path):
            with open(path) as f:
                for line in f:
                    p = line.rstrip("\n").split("\t")
                    if len(p) < 8:
                        continue
                    recs.append(dict(start_ns=int(p[0]), client_ip=p[1], client_port=p[2],
                                     server_ip=p[3], server_port=p[4],
                                     sni="" if p[5] == "-" else p[5], tls_version=p[6],
                                     stack="python", transport="tcp"))
        for s in self.sites:  # h3server.py: one log per QUIC site, pyserver's fields
            path = os.path.join(self.logs, f"h3server-{s['name']}.tsv")
            if sitedefs.transport(s) != "quic" or not os.path.exists(path):
                continue
            with open(path) as f:
                for line in f:
                    p = line.rstrip("\n").split("\t")
                    if len(p) < 8:
                        continue
                    recs.append(dict(start_ns=int(p[0]), client_ip=p[1], client_port=p[2],
                                     server_ip=p[3], server_port=p[4],
                                     sni="" if p[5] == "-" else p[5], tls_version=p[6],
                                     stack="ngtcp2", transport="quic"))
        return recs

    def client_records(self):
        recs = []
        jroot = os.path.join(self.work, "jobs")
        if not os.path.isdir(jroot):
            return recs
        for jid in os.listdir(jroot):
            path = os.path.join(jroot, jid, "client-conns.tsv")
            if not os.path.exists(path):
                continue
            with open(path) as f:
                for line in f:
                    p = line.rstrip("\n").split("\t")
                    if len(p) < 6:
                        continue
                    recs.append(dict(start_ns=int(p[0]), client_ip=p[1], client_port=p[2],
                                     server_ip=p[3], server_port=p[4], sni=p[5],
                                     tls_version=p[6] if len(p) > 6 else "-",
                                     transport=p[7] if len(p) > 7 else "tcp", job_id=int(jid)))
        return recs

    def ground_truth(self, days):
        """Join server- and client-side connection records with the job log."""
        jobs = {j["job_id"]: j for j in self.jobs}
        by_client = {}
        for j in self.jobs:
            by_client.setdefault(j["client_ip"], []).append(j)
        site_stack = {s["ip"]: s["stack"] for s in self.sites}
        site_name = {s["ip"]: s["name"] for s in self.sites}
        # A 4-tuple can come back (the kernel reuses source ports), even within
        # one job: rows are kept per (job, 4-tuple) as a list, and a server
        # record merges with the client record of that key nearest in time.
        rows = {}
        by_tuple = {}  # QUIC: (4-tuple, transport) -> client rows, for the direct match below
        for rec in self.client_records():
            j = jobs.get(rec["job_id"])
            if j is None:
                continue
            key = (j["job_id"], rec["client_ip"], rec["client_port"], rec["server_ip"],
                   rec["server_port"], rec["transport"])
            row = dict(rec, job=j, source="client")
            rows.setdefault(key, []).append(row)
            by_tuple.setdefault(key[1:], []).append(row)
        suspect = 0
        for rec in self.server_records():
            job = None
            if rec["transport"] == "quic":
                # h3server.py stamps a ClientHello when it reads the server's output,
                # which may lag: match the client's own record of the 4-tuple first.
                near = [r for r in by_tuple.get((rec["client_ip"], rec["client_port"],
                                                 rec["server_ip"], rec["server_port"],
                                                 "quic"), [])
                        if r["source"] == "client" and abs(r["start_ns"] - rec["start_ns"]) < 5e9]
                if near:
                    job = min(near, key=lambda r: abs(r["start_ns"] - rec["start_ns"]))["job"]
            if job is None:
                job = self.job_for(by_client.get(rec["client_ip"], []), rec)
            if job is None:
                log(f"ground truth: server record without a job: {rec}")
                continue
            if rec["sni"] != job["site"] and not (job["kind"] == "chromium"
                                                  and rec["sni"] in self.linked_sites):
                suspect += 1
            key = (job["job_id"], rec["client_ip"], rec["client_port"], rec["server_ip"],
                   rec["server_port"], rec["transport"])
            window = 5e9 if rec["transport"] == "quic" else 2e9
            cands = [r for r in rows.get(key, []) if r["source"] == "client"
                     and abs(r["start_ns"] - rec["start_ns"]) < window]
            if cands:
                old = min(cands, key=lambda r: abs(r["start_ns"] - rec["start_ns"]))
                if old["sni"] != rec["sni"]:
                    log(f"ground truth: client says {old['sni']}, server says {rec['sni']}: {key}")
                old["source"] = "client+server"
                old["sni"] = rec["sni"] or old["sni"]
                if old.get("tls_version", "-") == "-":
                    old["tls_version"] = rec["tls_version"]
            else:
                rows.setdefault(key, []).append(dict(rec, job=job, source="server"))
        if suspect:
            log(f"ground truth: {suspect} server records whose SNI is not their job's site")
        out = []
        for r in (r for group in rows.values() for r in group):
            j = r["job"]
            out.append(dict(capture=days[j["day"]], start_ns=r["start_ns"],
                            client_ip=r["client_ip"], client_port=r["client_port"],
                            server_ip=r["server_ip"], server_port=r["server_port"], sni=r["sni"],
                            site=site_name.get(r["server_ip"], ""),
                            server_stack=site_stack.get(r["server_ip"], ""),
                            client_kind=j["kind"], job_id=j["job_id"], day=j["day"],
                            source=r["source"], tls_version=r.get("tls_version", "-"),
                            transport=r["transport"]))
        out.sort(key=lambda r: (r["day"], r["start_ns"]))
        return out

    @staticmethod
    def job_for(jobs, rec):
        """The job that ran in the record's client namespace when it connected.

        One job runs at a time per client namespace, so the job whose
        [start, end] holds the connection's start is the one; 20 ms of slack
        absorbs nginx's millisecond log resolution."""
        t = rec["start_ns"]
        inside = [j for j in jobs if j["start_ns"] <= t <= j["end_ns"]]
        if not inside:
            inside = [j for j in jobs if j["start_ns"] - 2e7 <= t <= j["end_ns"] + 2e7]
        if not inside:
            return None
        same = [j for j in inside if j["site"] == rec["sni"]]
        return (same or inside)[0]

    # --- the run
    def run(self):
        a = self.args
        # The connection logs and job folders of an earlier run in the same --out
        # would be read as this run's ground truth: start them afresh.
        for d in (self.logs, os.path.join(self.work, "jobs")):
            if os.path.isdir(d):
                shutil.rmtree(d)
        os.makedirs(self.logs, exist_ok=True)
        raw = os.path.join(self.out, "raw")
        os.makedirs(raw, exist_ok=True)
        self.www = os.path.join(self.work, "www")
        self.by_name = {s["name"]: s for s in self.sites}
        # sites a Chromium page load may reach besides its own (cross-site assets)
        self.linked_sites = {"static-cdn.example-lab.test"}
        self.available_clients = {k for k, b in (("curl", "curl"), ("wget", "wget"),
                                                 ("nghttp", "nghttp"), ("chromium", "chromium"),
                                                 ("python", sys.executable),
                                                 ("ngtcp2", NGTCP2_CLIENT))
                                  if shutil.which(b)} & set(a.client_kinds.split(","))
        for s in self.sites:  # openssl sites: only clients that log their own 4-tuple
            if s["stack"] == "openssl":
                s["clients"] = {k: v for k, v in s["clients"].items()
                                if sitedefs.CLIENT_LOGS_TUPLE[k]}
        log(f"clients available: {sorted(self.available_clients)}")
        t0 = time.time()
        pki, self.bundle = make_pki(os.path.join(self.out, "pki"),
                                    {s["name"]: s["chain"] for s in self.sites})
        for s in self.sites:
            s["pki"] = pki[s["name"]]
            if sitedefs.transport(s) == "quic":
                s["pki"]["spki"] = spki_sha256(s["pki"]["cert"])
        log(f"PKI ready ({time.time() - t0:.1f}s)")
        # Days are numbered first_day, first_day + 1, ... (file names, seeds of the
        # network drift, the client mix); the content drift follows the day's
        # place in this run (1, 2, ...): a later part drifts as a run from day 1.
        first = a.first_day
        self.manifests = {s["name"]: make_content(self.www, s, 1, a.seed) for s in self.sites}
        self.build_topology()
        self.shaping()
        self.start_servers()
        log(f"topology and {len(self.sites)} sites up; clients {len(self.clients)}")
        self.chromium_slots = threading.Semaphore(a.chromium_parallel)
        self.day_base = {}
        days = {}
        quotas = [math.ceil(a.per_class / a.days)] * a.days
        if a.day_quotas:
            quotas = [int(q) for q in a.day_quotas.split(",")]
        for day in range(first, first + a.days):
            self.quota = quotas[day - first]
            ext = ".pcapng" if day % 2 == 0 and shutil.which("dumpcap") else ".pcap"
            if ext == ".pcap" and not shutil.which("tcpdump"):
                ext = ".pcapng"
            name = f"{a.name_prefix}day{day}{ext}"
            days[day] = name
            if day > first:
                self.manifests = {s["name"]: make_content(self.www, s, day - first + 1, a.seed)
                                  for s in self.sites}
            self.day_base[day] = self.counts()
            self.running = {}
            self.start_capture(os.path.join(raw, name))
            self.start_netem(day)
            self.deadline = time.time() + a.max_minutes_per_day * 60
            td = time.time()
            log(f"day {day}: capturing to raw/{name}, quota {self.quota} connections per site")
            threads = [threading.Thread(target=self.worker, args=(day, c), daemon=True)
                       for c in self.clients]
            for t in threads:
                t.start()
            last = 0
            while any(t.is_alive() for t in threads):
                time.sleep(1)
                if self.stop.is_set():
                    raise Stopped()
                if time.time() - last > 30:
                    last = time.time()
                    c = self.counts()
                    done = sum(c.get(s["name"], 0) - self.day_base[day].get(s["name"], 0)
                               for s in self.sites)
                    log(f"day {day}: {len(self.jobs)} jobs, {done} connections "
                        f"({time.time() - td:.0f}s)")
            time.sleep(2.0)  # let the last FIN/ACK exchanges reach the capture
            self.end_proc("netem")
            self.end_proc("capture", sig=signal.SIGINT)
            c = self.counts()
            done = {s["name"]: c.get(s["name"], 0) - self.day_base[day].get(s["name"], 0)
                    for s in self.sites}
            log(f"day {day} done in {time.time() - td:.0f}s: {done}")
        rows = self.ground_truth(days)
        self.write_outputs(rows, days, raw)

    def write_outputs(self, rows, days, raw):
        gt = os.path.join(self.out, "ground_truth.csv")
        write_csv(gt, rows)
        with open(os.path.join(self.out, "jobs.csv"), "w", newline="") as f:
            cols = ["job_id", "day", "site", "kind", "client_ns", "client_ip", "start_ns",
                    "end_ns", "rc"]
            w = csv.DictWriter(f, cols, extrasaction="ignore", lineterminator="\n")
            w.writeheader()
            for j in sorted(self.jobs, key=lambda j: j["job_id"]):
                w.writerow(j)
        per = {}
        for r in rows:
            per[r["sni"]] = per.get(r["sni"], 0) + 1
        log(f"ground truth: {len(rows)} connections -> {gt}")
        for k in sorted(per):
            log(f"  {k}: {per[k]}")
        if self.args.samples:
            make_samples(self.out, self.args.samples, days, self.args.keep, self.args.gzip,
                         self.args.keep_quic, self.args.samples_merge, self.args.gzip_pcapng)

    # --- cleanup
    def cleanup(self):
        for name, p in reversed(list(self.procs)):
            sig = signal.SIGINT if name == "capture" else signal.SIGTERM
            self.end_proc(name, sig=sig, wait=5)
        cleanup_tag(self.tag, self.namespaces)


def write_csv(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, GT_COLUMNS, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow(dict(r, transport=r.get("transport") or "tcp"))


def make_samples(out, samples, days, keep, compress, keep_quic=0, merge=False,
                 compress_pcapng=False):
    """Slim each day's capture into SAMPLES and write the matching ground truth.

    --gzip compresses the .pcap files; pcapng files stay plain unless
    --gzip-pcapng. With merge, the rows of SAMPLES/ground_truth.csv for
    other capture files are kept (rows from before the transport column get
    transport tcp), so that a later part (--first-day) joins an existing
    set."""
    os.makedirs(samples, exist_ok=True)
    rename = {}
    for day, name in sorted(days.items()):
        src = os.path.join(out, "raw", name)
        gz = compress_pcapng if name.endswith(".pcapng") else compress
        dst_name = name + (".gz" if gz else "")
        s = pcap_slim.slim(src, os.path.join(samples, dst_name), keep, gz, keep_quic)
        rename[name] = dst_name
        log(f"slimmed {name} -> {dst_name}: {os.path.getsize(src)} -> "
            f"{os.path.getsize(os.path.join(samples, dst_name))} bytes ({s.cut} packets cut, "
            f"{s.quic_connections} QUIC connections)")
    with open(os.path.join(out, "ground_truth.csv")) as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["capture"] = rename.get(r["capture"], r["capture"])
    gt = os.path.join(samples, "ground_truth.csv")
    if merge and os.path.exists(gt):
        with open(gt, newline="") as f:
            old = [r for r in csv.DictReader(f) if r["capture"] not in set(rename.values())]
        log(f"ground truth: kept {len(old)} rows of other captures from {gt}")
        rows = old + rows
    write_csv(gt, rows)


def cleanup_tag(tag, known=()):
    """Remove namespaces named TAG-*, the processes in them (by PID) and /etc/netns."""
    listed = sh("ip", "netns", "list", check=False).stdout.split()
    names = sorted({n for n in listed if n.startswith(tag + "-")} | set(known))
    for ns in names:
        for _ in range(3):
            pids = sh("ip", "netns", "pids", ns, check=False, quiet=True).stdout.split()
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            time.sleep(0.3)
        if ns in listed:
            sh("ip", "netns", "del", ns, check=False, quiet=True)
        d = os.path.join("/etc/netns", ns)
        if os.path.isdir(d):
            shutil.rmtree(d, ignore_errors=True)


def have_ngtcp2():
    return bool(shutil.which(NGTCP2_SERVER) and shutil.which(NGTCP2_CLIENT))


def pick_sites(mode, spec):
    """The sites of a run: --sites is a comma list of site names and the
    groups `all` (default), `tcp` (the TLS-over-TCP sites) and `quic` (the
    HTTP/3 sites). QUIC sites in `all` are left out, with a message, when
    ngtcp2's gtlsserver/gtlsclient are not installed; named ones are kept
    (and preflight says what is missing)."""
    table = (sitedefs.SMOKE_SITES + sitedefs.SMOKE_QUIC_SITES if mode == "smoke"
             else sitedefs.SITES + sitedefs.QUIC_SITES)
    wanted = [w for w in (spec or "all").split(",") if w]
    out, implicit_quic = [], False
    for s in table:
        quic = sitedefs.transport(s) == "quic"
        if s["name"] in wanted or ("quic" if quic else "tcp") in wanted:
            out.append(dict(s))
        elif "all" in wanted:
            out.append(dict(s))
            implicit_quic = implicit_quic or quic
    unknown = set(wanted) - {s["name"] for s in table} - {"all", "tcp", "quic"}
    if unknown:
        raise SystemExit(f"unknown sites: {', '.join(sorted(unknown))}")
    if implicit_quic and not have_ngtcp2():
        log(f"QUIC sites left out: {NGTCP2_SERVER}/{NGTCP2_CLIENT} not installed "
            "(Debian packages ngtcp2-server, ngtcp2-client)")
        out = [s for s in out if sitedefs.transport(s) != "quic"]
    return out


def preflight(mode, args, sites=()):
    """Return a reason the lab cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root"
    need = ["ip", "openssl", "curl", "ss"]
    if mode == "run":
        need += ["tcpdump", "dumpcap"]
        if any(s["stack"] == "nginx" for s in sites):
            need.append("nginx")
    if any(sitedefs.transport(s) == "quic" for s in sites):
        need += [NGTCP2_SERVER, NGTCP2_CLIENT]
    missing = [b for b in need if not shutil.which(b)]
    if mode == "smoke" and not (shutil.which("tcpdump") or shutil.which("dumpcap")):
        missing.append("tcpdump|dumpcap")
    if missing:
        return "missing: " + ", ".join(missing)
    if mode == "run" and any(s["stack"] == "nginx" for s in sites) and \
            not os.path.exists(NGINX_STREAM_MODULE):
        return f"missing {NGINX_STREAM_MODULE} (Debian package libnginx-mod-stream)"
    probe = f"{args.tag}-probe"
    p = subprocess.run(["ip", "netns", "add", probe], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        return "ip netns does not work here: " + p.stderr.strip()
    p = subprocess.run(["ip", "-n", probe, "link", "add", "v0", "type", "veth", "peer", "name",
                        "v1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    subprocess.run(["ip", "netns", "del", probe], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        return "veth pairs cannot be created here: " + p.stderr.strip()
    return None


def main():
    ap = argparse.ArgumentParser(description="snilab traffic lab", formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("run", "smoke"):
        p = sub.add_parser(name)
        smoke = name == "smoke"
        p.add_argument("--out", default="lab-smoke" if smoke else "lab-out",
                       help="output directory (default %(default)s)")
        p.add_argument("--seed", type=int, default=1, help="seed (default 1)")
        p.add_argument("--tag", default="snls" if smoke else "snl",
                       help="namespace name prefix (default %(default)s)")
        p.add_argument("--days", type=int, default=1 if smoke else 3,
                       help="capture files, with drift between them (default %(default)s)")
        p.add_argument("--per-class", type=int, default=4 if smoke else 160,
                       help="ground-truth connections per site over all days "
                            "(default %(default)s)")
        p.add_argument("--day-quotas", default="",
                       help="connections per site for each day, a comma list of --days "
                            "numbers (default: ceil(per-class/days) each)")
        p.add_argument("--clients", type=int, default=2 if smoke else 6,
                       help="client namespaces, each running one job at a time "
                            "(default %(default)s)")
        p.add_argument("--chromium-parallel", type=int, default=1)
        p.add_argument("--client-kinds", default="curl,python,ngtcp2" if smoke else
                       "chromium,curl,wget,nghttp,python,ngtcp2")
        p.add_argument("--sites", default="all",
                       help="comma list of site names and the groups all, tcp, quic "
                            "(default all)")
        p.add_argument("--first-day", type=int, default=1,
                       help="number of the first day (file dayN); the content drift starts "
                            "again from it (default 1)")
        p.add_argument("--max-minutes-per-day", type=float, default=1.0 if smoke else 25.0)
        p.add_argument("--think-scale", type=float, default=1.0)
        p.add_argument("--no-netem", action="store_true", help="no NFQUEUE delay/loss daemon")
        p.add_argument("--samples", help="also write slimmed captures + ground truth here")
        p.add_argument("--keep", type=int, default=12,
                       help="packets per connection kept whole when slimming (default 12)")
        p.add_argument("--keep-quic", type=int, default=0,
                       help="datagrams per QUIC connection kept whole when slimming "
                            "(default 0; those that start with an Initial always are)")
        p.add_argument("--gzip", action="store_true",
                       help="gzip the slimmed .pcap files (the pcapng stays plain)")
        p.add_argument("--gzip-pcapng", action="store_true",
                       help="gzip the slimmed pcapng files too")
        p.add_argument("--samples-merge", action="store_true",
                       help="keep the rows of other captures in SAMPLES/ground_truth.csv")
        p.add_argument("--name-prefix", default="")
        p.add_argument("--keep-job-dirs", action="store_true")
    p = sub.add_parser("cleanup")
    p.add_argument("--tag", default="snl")
    p = sub.add_parser("slim")
    p.add_argument("--keep", type=int, default=12)
    p.add_argument("--keep-quic", type=int, default=0)
    p.add_argument("--gzip", action="store_true")
    p.add_argument("src")
    p.add_argument("dst")
    args = ap.parse_args()
    if getattr(args, "day_quotas", ""):
        q = args.day_quotas.split(",")
        if len(q) != args.days or not all(x.isdigit() and int(x) > 0 for x in q):
            ap.error(f"--day-quotas needs {args.days} positive numbers (one per day)")

    if args.cmd == "cleanup":
        cleanup_tag(args.tag)
        return 0
    if args.cmd == "slim":
        s = pcap_slim.slim(args.src, args.dst, args.keep, args.gzip, args.keep_quic)
        log(f"{s.cut} packets cut to headers ({s.quic_connections} QUIC connections)")
        return 0
    sites = pick_sites(args.cmd, args.sites)
    if not sites:
        log("traffic lab: no sites selected")
        return 2
    reason = preflight(args.cmd, args, sites)
    if reason:
        log(f"traffic lab cannot run: {reason}")
        return 77
    lab = Lab(args, sites, args.cmd)

    def on_signal(signum, frame):
        lab.stop.set()
        raise Stopped()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        lab.run()
        return 0
    except Stopped:
        log("stopped")
        return 130
    finally:
        lab.stop.set()
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        lab.cleanup()
        log("cleaned up")


if __name__ == "__main__":
    sys.exit(main())
