// Writes a capture of N short TLS connections started at even intervals over
// SPAN seconds, for the memory benchmark of connections that close while
// others start: handshake, a ClientHello with its own SNI, a server flight,
// FINs of both sides and the last ACK (9 packets, 80 us from SYN to last ACK).
//
// usage: snilab-make-short-connections N SPAN_SECONDS OUT.pcap
#include <pcap/pcap.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using Bytes = std::vector<std::uint8_t>;

void put16(Bytes& b, unsigned v)
{
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
}

void put32(Bytes& b, std::uint32_t v)
{
    put16(b, v >> 16);
    put16(b, v & 0xffff);
}

// A TLS record holding a minimal ClientHello with server_name `sni`.
Bytes clientHello(const std::string& sni)
{
    Bytes body;
    put16(body, 0x0303);
    for (int i = 0; i < 32; ++i)
        body.push_back(static_cast<std::uint8_t>(i * 7 + 3)); // random
    body.push_back(0);                                        // session id
    put16(body, 4);
    put16(body, 0x1301);
    put16(body, 0xc02f);
    body.push_back(1);
    body.push_back(0);
    Bytes ext;
    put16(ext, 0); // server_name
    put16(ext, static_cast<unsigned>(sni.size() + 5));
    put16(ext, static_cast<unsigned>(sni.size() + 3));
    ext.push_back(0);
    put16(ext, static_cast<unsigned>(sni.size()));
    ext.insert(ext.end(), sni.begin(), sni.end());
    put16(body, static_cast<unsigned>(ext.size()));
    body.insert(body.end(), ext.begin(), ext.end());
    Bytes rec = {0x16, 0x03, 0x01};
    put16(rec, static_cast<unsigned>(body.size() + 4));
    rec.push_back(1); // client_hello
    rec.push_back(0);
    put16(rec, static_cast<unsigned>(body.size()));
    rec.insert(rec.end(), body.begin(), body.end());
    return rec;
}

// Ethernet + IPv4 + TCP frame (checksums zero: snilab does not verify them).
Bytes frame(std::uint32_t src, std::uint32_t dst, unsigned sport, unsigned dport, std::uint32_t seq,
            std::uint32_t ack, std::uint8_t flags, const Bytes& payload)
{
    Bytes f(12, 0x02);
    put16(f, 0x0800);
    put16(f, 0x4500);
    put16(f, static_cast<unsigned>(40 + payload.size()));
    put32(f, 0x00004000); // id 0, DF
    put16(f, 0x4006);     // TTL 64, TCP
    put16(f, 0);
    put32(f, src);
    put32(f, dst);
    put16(f, sport);
    put16(f, dport);
    put32(f, seq);
    put32(f, ack);
    f.push_back(0x50);
    f.push_back(flags);
    put16(f, 65535);
    put32(f, 0);
    f.insert(f.end(), payload.begin(), payload.end());
    return f;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s N SPAN_SECONDS OUT.pcap\n", argv[0]);
        return 2;
    }
    const long long n = std::atoll(argv[1]);
    const double span = std::atof(argv[2]);
    if (n <= 0 || n > (1LL << 24) || !(span > 0)) {
        std::fprintf(stderr, "N must be in 1..2^24 and SPAN_SECONDS positive\n");
        return 2;
    }
    pcap_t* dead =
        pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 262144, PCAP_TSTAMP_PRECISION_NANO);
    pcap_dumper_t* out = pcap_dump_open(dead, argv[3]);
    if (!out) {
        std::fprintf(stderr, "%s\n", pcap_geterr(dead));
        return 1;
    }
    constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kPsh = 0x08, kAck = 0x10;
    const Bytes flight(1200, 0x17);
    const std::uint32_t server = 0xC6336401; // 198.51.100.1
    const long long step = static_cast<long long>(span * 1e9 / static_cast<double>(n));
    // Connections overlap by at most 80 us; write them merged in time order.
    struct Packet {
        long long t;
        Bytes bytes;
    };
    std::vector<Packet> pending;
    auto flush = [&](long long before) {
        std::size_t k = 0;
        for (; k < pending.size() && pending[k].t < before; ++k) {
            pcap_pkthdr h{};
            h.ts.tv_sec = pending[k].t / 1'000'000'000LL;
            h.ts.tv_usec = pending[k].t % 1'000'000'000LL;
            h.caplen = h.len = static_cast<bpf_u_int32>(pending[k].bytes.size());
            pcap_dump(reinterpret_cast<u_char*>(out), &h, pending[k].bytes.data());
        }
        pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(k));
    };
    for (long long i = 0; i < n; ++i) {
        const long long t0 = 1'700'000'000'000'000'000LL + i * step;
        const std::uint32_t client = 0x0A000000u | static_cast<std::uint32_t>(i >> 6);
        const unsigned port = 1024 + static_cast<unsigned>(i & 63) * 1000 + (i % 997);
        const Bytes hello = clientHello("s" + std::to_string(i % 532) + ".bench.example");
        std::uint32_t c = 1000, s = 9000;
        const std::uint32_t hl = static_cast<std::uint32_t>(hello.size());
        const std::uint32_t fl = static_cast<std::uint32_t>(flight.size());
        std::vector<Packet> conn = {
            {t0, frame(client, server, port, 443, c, 0, kSyn, {})},
            {t0 + 10'000, frame(server, client, 443, port, s, c + 1, kSyn | kAck, {})},
            {t0 + 20'000, frame(client, server, port, 443, c + 1, s + 1, kAck, {})},
            {t0 + 25'000, frame(client, server, port, 443, c + 1, s + 1, kAck | kPsh, hello)},
            {t0 + 40'000, frame(server, client, 443, port, s + 1, c + 1 + hl, kAck | kPsh, flight)},
            {t0 + 50'000, frame(client, server, port, 443, c + 1 + hl, s + 1 + fl, kAck, {})},
            {t0 + 60'000,
             frame(client, server, port, 443, c + 1 + hl, s + 1 + fl, kFin | kAck, {})},
            {t0 + 70'000,
             frame(server, client, 443, port, s + 1 + fl, c + 2 + hl, kFin | kAck, {})},
            {t0 + 80'000, frame(client, server, port, 443, c + 2 + hl, s + 2 + fl, kAck, {})},
        };
        flush(t0);
        for (auto& p : conn) {
            auto at = pending.begin();
            while (at != pending.end() && at->t <= p.t)
                ++at;
            pending.insert(at, std::move(p));
        }
    }
    flush(1LL << 62);
    pcap_dump_close(out);
    pcap_close(dead);
    std::printf("%lld connections, %lld packets over %.3f s\n", n, n * 9, span);
    return 0;
}
