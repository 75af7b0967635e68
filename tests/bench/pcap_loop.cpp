// The ingest ceiling: a bare libpcap pcap_next_ex loop over a file that
// touches every packet's first byte. Prints packets and bytes read.
#include <pcap/pcap.h>

#include <cstdio>

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    char err[PCAP_ERRBUF_SIZE];
    pcap_t* p = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, err);
    if (!p) {
        std::fprintf(stderr, "%s\n", err);
        return 1;
    }
    pcap_pkthdr* h;
    const u_char* d;
    unsigned long long packets = 0, bytes = 0, sum = 0;
    while (pcap_next_ex(p, &h, &d) == 1) {
        ++packets;
        bytes += h->caplen;
        sum += h->caplen ? d[0] : 0;
    }
    pcap_close(p);
    std::printf("%llu packets %llu bytes (checksum %llu)\n", packets, bytes, sum);
    return 0;
}
