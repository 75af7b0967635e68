// libFuzzer target: the connection tracker (reassembly of the client's first
// bytes, ClientHello search) fed with segments described by the input:
// each record = flags(1) direction(1) seq offset(2) length(1) + payload.
#include "flow/connection_tracker.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    snilab::TrackerOptions options;
    options.handshakeByteCap = 4096;
    std::size_t connections = 0;
    snilab::ConnectionTracker tracker(options, [&](snilab::Connection&&) { ++connections; });
    snilab::DecodedPacket a;
    a.src.bytes[15] = 1;
    a.dst.bytes[15] = 2;
    a.srcPort = 40000;
    a.dstPort = 443;
    a.ipVersion = 6;
    std::size_t pos = 0;
    std::int64_t ts = 0;
    while (pos + 5 <= size) {
        const std::uint8_t flags = data[pos];
        const bool reverse = data[pos + 1] & 1;
        const std::uint32_t seq = 1000u + (std::uint32_t(data[pos + 2]) << 8 | data[pos + 3]);
        std::size_t len = data[pos + 4];
        pos += 5;
        if (len > size - pos)
            len = size - pos;
        snilab::DecodedPacket p = a;
        if (reverse) {
            std::swap(p.src, p.dst);
            std::swap(p.srcPort, p.dstPort);
        }
        p.tcpFlags = flags;
        p.seq = seq;
        p.payloadLength = static_cast<std::uint32_t>(len);
        p.ipLength = 60 + p.payloadLength;
        p.payload = {data + pos, len};
        pos += len;
        ts += 1000;
        tracker.onPacket(ts, p);
    }
    tracker.finishAll();
    return 0;
}
