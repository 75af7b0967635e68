// Builds a large benchmark capture by replicating the connections of a real
// one: replica k shifts every IPv4/IPv6 address (XOR of two address bytes
// with k, the same bijection for both ends so connections stay whole) and
// every timestamp by k times the source's span plus one second.
//
// usage: snilab-make-bench-capture [--interleave] SOURCE.pcap OUT.pcap MIN_PACKETS [FILES]
// With FILES > 1, writes OUT-0.pcap ... OUT-(FILES-1).pcap with the replicas
// dealt round-robin (for the multi-file benchmark). With --interleave, all
// replicas share the source's time span and their packets alternate (packet
// i of every replica, then packet i+1): every replica's connections are open
// at the same time (for the memory benchmark).
#include <pcap/pcap.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

struct Frame {
    pcap_pkthdr header;
    std::vector<std::uint8_t> bytes;
};

// XORs two bytes of both IP addresses of an Ethernet frame (802.1Q/802.1ad
// tags skipped) with `k`.
void shiftAddresses(std::vector<std::uint8_t>& f, std::uint32_t k)
{
    std::size_t ip = 14;
    if (f.size() < ip)
        return;
    unsigned type = unsigned(f[12]) << 8 | f[13];
    while ((type == 0x8100 || type == 0x88a8) && f.size() >= ip + 4) {
        type = unsigned(f[ip + 2]) << 8 | f[ip + 3];
        ip += 4;
    }
    const std::uint8_t hi = static_cast<std::uint8_t>(k >> 8);
    const std::uint8_t lo = static_cast<std::uint8_t>(k);
    if (type == 0x0800 && f.size() >= ip + 20) {
        for (std::size_t base : {ip + 12, ip + 16}) {
            f[base + 1] ^= hi;
            f[base + 2] ^= lo;
        }
    } else if (type == 0x86DD && f.size() >= ip + 40) {
        for (std::size_t base : {ip + 8, ip + 24}) {
            f[base + 12] ^= hi;
            f[base + 13] ^= lo;
        }
    }
}

} // namespace

int main(int argc, char** argv)
{
    bool interleave = false;
    if (argc > 1 && std::string(argv[1]) == "--interleave") {
        interleave = true;
        ++argv;
        --argc;
    }
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s [--interleave] SOURCE.pcap OUT.pcap MIN_PACKETS [FILES]\n",
                     argv[0]);
        return 2;
    }
    const unsigned long long minPackets = std::strtoull(argv[3], nullptr, 10);
    const unsigned files = argc > 4 ? static_cast<unsigned>(std::atoi(argv[4])) : 1;
    char err[PCAP_ERRBUF_SIZE];
    pcap_t* in = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, err);
    if (!in) {
        std::fprintf(stderr, "%s\n", err);
        return 1;
    }
    if (pcap_datalink(in) != DLT_EN10MB) {
        std::fprintf(stderr, "source must be an Ethernet capture\n");
        return 1;
    }
    std::vector<Frame> frames;
    pcap_pkthdr* h;
    const u_char* d;
    while (pcap_next_ex(in, &h, &d) == 1)
        frames.push_back({*h, std::vector<std::uint8_t>(d, d + h->caplen)});
    pcap_close(in);
    if (frames.empty())
        return 1;
    auto ns = [](const pcap_pkthdr& hd) {
        return static_cast<long long>(hd.ts.tv_sec) * 1'000'000'000LL + hd.ts.tv_usec;
    };
    long long first = ns(frames.front().header), last = first;
    for (const auto& f : frames) {
        first = std::min(first, ns(f.header));
        last = std::max(last, ns(f.header));
    }
    const long long period = last - first + 1'000'000'000LL;
    const unsigned long long replicas = (minPackets + frames.size() - 1) / frames.size();
    if (replicas > 65536) {
        std::fprintf(stderr, "source too small: needs more than 65536 replicas\n");
        return 1;
    }

    pcap_t* dead =
        pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 262144, PCAP_TSTAMP_PRECISION_NANO);
    std::vector<pcap_dumper_t*> out;
    for (unsigned i = 0; i < files; ++i) {
        std::string path = argv[2];
        if (files > 1) {
            const auto dot = path.rfind(".pcap");
            path = path.substr(0, dot) + "-" + std::to_string(i) + ".pcap";
        }
        pcap_dumper_t* dumper = pcap_dump_open(dead, path.c_str());
        if (!dumper) {
            std::fprintf(stderr, "%s\n", pcap_geterr(dead));
            return 1;
        }
        out.push_back(dumper);
    }
    unsigned long long written = 0;
    if (interleave) {
        pcap_dumper_t* dumper = out[0];
        for (const auto& f : frames) {
            for (unsigned long long k = 0; k < replicas; ++k) {
                std::vector<std::uint8_t> bytes = f.bytes;
                shiftAddresses(bytes, static_cast<std::uint32_t>(k));
                pcap_dump(reinterpret_cast<u_char*>(dumper), &f.header, bytes.data());
                ++written;
            }
        }
    }
    for (unsigned long long k = 0; !interleave && k < replicas; ++k) {
        pcap_dumper_t* dumper = out[k % files];
        for (const auto& f : frames) {
            std::vector<std::uint8_t> bytes = f.bytes;
            shiftAddresses(bytes, static_cast<std::uint32_t>(k));
            pcap_pkthdr hd = f.header;
            const long long t = ns(f.header) + static_cast<long long>(k / files) * period;
            hd.ts.tv_sec = t / 1'000'000'000LL;
            hd.ts.tv_usec = t % 1'000'000'000LL; // nanoseconds in a ns-precision dump
            pcap_dump(reinterpret_cast<u_char*>(dumper), &hd, bytes.data());
            ++written;
        }
    }
    for (auto* dumper : out)
        pcap_dump_close(dumper);
    pcap_close(dead);
    std::printf("%llu packets in %u file(s) from %zu source packets x %llu replicas\n", written,
                files, frames.size(), replicas);
    return 0;
}
