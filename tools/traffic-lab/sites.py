"""Synthetic sites of the traffic lab: identity, TLS setup, network conditions,
content profile and the clients that visit them.

Every name is synthetic and resolves only inside the lab's namespaces.
Sizes are bytes. `net`: one-way delay is rtt_ms/2 each way (NFQUEUE daemon),
jitter_ms each way, loss per packet each way, rate_mbit shapes the
server->client direction (htb on the router) and 1/4 of it client->server.
`clients`: weights of client kinds for jobs aimed at this site.
`stack`: nginx (h2 and/or http/1.1), python (ssl module, http/1.1),
openssl (s_server -WWW, HTTP/1.0, one request per connection) or ngtcp2
(Debian's ngtcp2 example HTTP/3 server gtlsserver, QUIC v1, TLS 1.3 only).
`transport`: tcp (default) or quic.
`chain`: A (RSA root -> RSA intermediate -> ECDSA P-256 leaf),
A-rsa (same root, RSA 2048 leaf), B (ECDSA P-384 root -> ECDSA P-256 leaf,
no intermediate), C (RSA 4096 root -> two RSA intermediates -> RSA 2048 leaf).
"""

SITES = [
    dict(name="news.example-lab.test", stack="nginx", alpn=["h2", "http/1.1"], tls=("1.2", "1.3"),
         chain="A", profile="page", net=dict(rtt_ms=40, jitter_ms=4, loss=0.002, rate_mbit=20),
         content=dict(html=(40000, 70000), assets=(10, 16), asset_size=(4000, 30000),
                      css=15000, js=40000, cdn_assets=6),
         clients=dict(chromium=3, curl=2, nghttp=2, wget=1)),
    dict(name="static-cdn.example-lab.test", stack="nginx", alpn=["h2", "http/1.1"], tls=("1.3",),
         chain="B", profile="assets", net=dict(rtt_ms=12, jitter_ms=1, loss=0.0, rate_mbit=50),
         content=dict(assets=(30, 30), asset_size=(3000, 50000)),
         clients=dict(curl=3, nghttp=2, python=2)),
    dict(name="shop.example-lab.test", stack="nginx", alpn=["h2", "http/1.1"], tls=("1.2",),
         chain="C", profile="page", net=dict(rtt_ms=60, jitter_ms=6, loss=0.001, rate_mbit=15),
         content=dict(html=(80000, 120000), assets=(14, 22), asset_size=(2000, 8000),
                      css=30000, js=25000, cdn_assets=4),
         clients=dict(chromium=3, curl=2, nghttp=1, wget=1)),
    dict(name="api.payments-lab.test", stack="nginx", alpn=["http/1.1"], tls=("1.3",),
         chain="A-rsa", profile="api", net=dict(rtt_ms=25, jitter_ms=2, loss=0.0, rate_mbit=30),
         content=dict(endpoints=20, asset_size=(300, 4000), requests=(3, 10), think=(0.1, 0.8)),
         clients=dict(python=3, curl=2, wget=1)),
    dict(name="video.streamlab.test", stack="nginx", alpn=["h2", "http/1.1"], tls=("1.3",),
         chain="B", profile="stream", net=dict(rtt_ms=30, jitter_ms=3, loss=0.001, rate_mbit=25),
         content=dict(segments=40, asset_size=(60000, 140000), requests=(2, 4), think=(0.4, 1.0)),
         clients=dict(python=3, curl=2, nghttp=1)),
    dict(name="downloads.mirror-lab.test", stack="nginx", alpn=["http/1.1"], tls=("1.2",),
         chain="C", profile="download", net=dict(rtt_ms=80, jitter_ms=2, loss=0.0, rate_mbit=10),
         content=dict(files=8, asset_size=(150000, 450000)),
         clients=dict(wget=3, curl=2, python=1)),
    dict(name="webmail.mail-lab.test", stack="nginx", alpn=["h2", "http/1.1"], tls=("1.3",),
         chain="C", profile="page", net=dict(rtt_ms=35, jitter_ms=3, loss=0.0, rate_mbit=20),
         content=dict(html=(20000, 30000), assets=(4, 6), asset_size=(300, 2500),
                      css=30000, js=120000, cdn_assets=0),
         clients=dict(chromium=3, curl=1, nghttp=1)),
    dict(name="wiki.docs-lab.test", stack="nginx", alpn=["http/1.1"], tls=("1.2", "1.3"),
         chain="A", profile="page", net=dict(rtt_ms=20, jitter_ms=2, loss=0.0, rate_mbit=40),
         content=dict(html=(10000, 80000), assets=(2, 5), asset_size=(5000, 25000),
                      css=8000, js=6000, cdn_assets=0),
         clients=dict(chromium=2, wget=2, curl=2)),
    dict(name="social.feed-lab.test", stack="nginx", alpn=["h2", "http/1.1"], tls=("1.3",),
         chain="B", profile="page", net=dict(rtt_ms=50, jitter_ms=8, loss=0.002, rate_mbit=20),
         content=dict(html=(15000, 50000), assets=(8, 14), asset_size=(1000, 3000),
                      css=12000, js=60000, cdn_assets=0),
         clients=dict(chromium=3, curl=1, nghttp=2)),
    dict(name="search.find-lab.test", stack="nginx", alpn=["h2", "http/1.1"], tls=("1.2",),
         chain="A", profile="page", net=dict(rtt_ms=18, jitter_ms=1, loss=0.0, rate_mbit=50),
         content=dict(html=(6000, 20000), assets=(2, 4), asset_size=(500, 3000),
                      css=4000, js=9000, cdn_assets=0),
         clients=dict(chromium=2, curl=3, nghttp=2)),
    dict(name="telemetry.metrics-lab.test", stack="python", alpn=["http/1.1"], tls=("1.3",),
         chain="B", profile="upload", net=dict(rtt_ms=70, jitter_ms=10, loss=0.003, rate_mbit=10),
         content=dict(asset_size=(2000, 30000), requests=(1, 4), think=(0.2, 1.0)),
         clients=dict(python=3, curl=2)),
    dict(name="auth.login-lab.test", stack="python", alpn=["http/1.1"], tls=("1.2",),
         chain="C", profile="page", net=dict(rtt_ms=30, jitter_ms=2, loss=0.0, rate_mbit=20),
         content=dict(html=(2000, 5000), assets=(1, 3), asset_size=(800, 4000),
                      css=3000, js=5000, cdn_assets=0),
         clients=dict(python=2, curl=2, chromium=1, wget=1)),
    dict(name="chat.talk-lab.test", stack="python", alpn=["http/1.1"], tls=("1.2", "1.3"),
         chain="A", profile="longpoll", net=dict(rtt_ms=55, jitter_ms=5, loss=0.0, rate_mbit=15),
         content=dict(asset_size=(200, 2000), requests=(2, 5), think=(0.3, 1.5)),
         clients=dict(python=3, curl=1)),
    dict(name="files.vault-lab.test", stack="openssl", alpn=[], tls=("1.2", "1.3"),
         chain="C", profile="files", net=dict(rtt_ms=22, jitter_ms=2, loss=0.0, rate_mbit=30),
         content=dict(files=12, asset_size=(8000, 120000)),
         clients=dict(curl=3, python=2)),
]

# QUIC (HTTP/3) sites: one gtlsserver per site (its own address, certificate
# chain and document root). `server` holds the server's own options (its
# congestion controller, initial RTT guess); `conns` the connections a job
# opens one after the other with think seconds between them (the later ones
# resume the first one's TLS session, with 0-RTT, in `resume` of the jobs);
# `delay_stream` the client's pause between handshake and first request.
QUIC_SITES = [
    dict(name="news.h3press-lab.test", stack="ngtcp2", transport="quic", alpn=["h3"],
         tls=("1.3",), chain="A", profile="page",
         net=dict(rtt_ms=45, jitter_ms=5, loss=0.002, rate_mbit=20),
         content=dict(html=(30000, 60000), assets=(8, 14), asset_size=(2000, 15000),
                      css=12000, js=30000, cdn_assets=0, conns=(1, 2), think=(1.0, 3.0),
                      resume=0.6),
         server=dict(cc="cubic"), clients=dict(ngtcp2=2, chromium=1)),
    dict(name="cdn.h3edge-lab.test", stack="ngtcp2", transport="quic", alpn=["h3"],
         tls=("1.3",), chain="B", profile="assets",
         net=dict(rtt_ms=14, jitter_ms=1, loss=0.0, rate_mbit=50),
         content=dict(assets=(30, 30), asset_size=(2000, 40000), conns=(1, 1)),
         server=dict(cc="bbr"), clients=dict(ngtcp2=1)),
    dict(name="api.h3pay-lab.test", stack="ngtcp2", transport="quic", alpn=["h3"],
         tls=("1.3",), chain="A-rsa", profile="api",
         net=dict(rtt_ms=28, jitter_ms=2, loss=0.0, rate_mbit=30),
         content=dict(endpoints=20, asset_size=(200, 3000), requests=(2, 8), conns=(1, 3),
                      think=(0.3, 1.5), delay_stream=(0.1, 0.6), resume=0.8),
         server=dict(cc="reno", initial_rtt="100ms"), clients=dict(ngtcp2=1)),
    dict(name="video.h3stream-lab.test", stack="ngtcp2", transport="quic", alpn=["h3"],
         tls=("1.3",), chain="B", profile="stream",
         net=dict(rtt_ms=32, jitter_ms=3, loss=0.001, rate_mbit=25),
         content=dict(segments=40, asset_size=(30000, 70000), requests=(2, 4), conns=(1, 2),
                      think=(0.5, 1.5), resume=0.3),
         server=dict(cc="cubic"), clients=dict(ngtcp2=1)),
    dict(name="sync.h3drive-lab.test", stack="ngtcp2", transport="quic", alpn=["h3"],
         tls=("1.3",), chain="C", profile="upload",
         net=dict(rtt_ms=65, jitter_ms=8, loss=0.003, rate_mbit=10),
         content=dict(asset_size=(4000, 40000), conns=(1, 2), think=(0.3, 1.0), resume=0.5),
         server=dict(cc="cubic"), clients=dict(ngtcp2=1)),
]

# Client kinds and the ground-truth source for each: "client" = the client
# reports its own 4-tuple (curl %{local_port}, Python getsockname());
# "server" = taken from the server's connection log (nginx stream ssl_preread
# log, Python server accept log, gtlsserver's debug output). openssl s_server
# logs no ports, so only client-logged kinds visit openssl sites. ngtcp2 is
# Debian's example HTTP/3 client gtlsclient (QUIC sites only). Chromium visits
# the HTTP/3 sites with a page (news, smoke-h3) too, QUIC forced to their origin;
# there its own net log gives the 4-tuple as well.
CLIENT_LOGS_TUPLE = {"curl": True, "python": True, "wget": False, "nghttp": False,
                     "chromium": False, "ngtcp2": True}
QUIC_CLIENTS = {"ngtcp2", "chromium"}  # client kinds that speak QUIC (chromium: both)

# Per-day client mix multipliers (drift between capture files).
DAY_MIX = [
    dict(chromium=1.4, curl=0.8, wget=1.0, nghttp=1.0, python=0.9, ngtcp2=1.0),
    dict(chromium=1.0, curl=1.0, wget=1.2, nghttp=1.2, python=1.0, ngtcp2=1.0),
    dict(chromium=0.7, curl=1.3, wget=0.9, nghttp=1.0, python=1.3, ngtcp2=1.0),
]

SMOKE_SITES = [
    dict(name="smoke-py.example-lab.test", stack="python", alpn=["http/1.1"], tls=("1.3",),
         chain="B", profile="page", net=dict(rtt_ms=20, jitter_ms=2, loss=0.0, rate_mbit=20),
         content=dict(html=(3000, 6000), assets=(1, 2), asset_size=(1000, 5000), css=1000,
                      js=1000, cdn_assets=0),
         clients=dict(curl=2, python=1)),
    dict(name="smoke-ossl.example-lab.test", stack="openssl", alpn=[], tls=("1.2",),
         chain="A", profile="files", net=dict(rtt_ms=10, jitter_ms=1, loss=0.0, rate_mbit=20),
         content=dict(files=3, asset_size=(2000, 20000)),
         clients=dict(curl=2, python=1)),
]

# The smoke test's QUIC site (used when gtlsserver and gtlsclient exist).
SMOKE_QUIC_SITES = [
    dict(name="smoke-h3.example-lab.test", stack="ngtcp2", transport="quic", alpn=["h3"],
         tls=("1.3",), chain="B", profile="page",
         net=dict(rtt_ms=15, jitter_ms=1, loss=0.0, rate_mbit=20),
         content=dict(html=(3000, 6000), assets=(2, 3), asset_size=(1000, 5000), css=1000,
                      js=1000, cdn_assets=0, conns=(1, 2), think=(0.1, 0.3), resume=0.5),
         server=dict(cc="cubic"), clients=dict(ngtcp2=2, chromium=1)),
]


def transport(site):
    return site.get("transport", "tcp")
