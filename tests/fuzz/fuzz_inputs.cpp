#include "fuzz_inputs.h"

#include "capture/packet_decoder.h"
#include "catalog/catalog.h"
#include "catalog/series_blob.h"
#include "common/content_hash.h"
#include "common/feedback.h"
#include "flow/client_hello.h"
#include "flow/connection_tracker.h"
#include "ingest/ingester.h"
#include "models/model_bytes.h"
#include "models/model_error.h"
#include "models/model_file.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <unistd.h>
#include <vector>

namespace snilab::fuzz {

void packetDecoder(const std::uint8_t* data, std::size_t size)
{
    if (size < 1)
        return;
    static constexpr int kLinkTypes[] = {0, 1, 9, 12, 14, 50, 101, 108, 113, 228, 229, 276};
    const int linkType = kLinkTypes[data[0] % (sizeof kLinkTypes / sizeof kLinkTypes[0])];
    DecodedPacket out;
    // The payload span must lie inside the frame.
    const auto check = [&](DecodeStatus status) {
        const std::uint8_t* begin = data + 1;
        const std::uint8_t* end = data + size;
        if ((status == DecodeStatus::Tcp || status == DecodeStatus::Udp) && !out.payload.empty() &&
            (out.payload.data() < begin || out.payload.data() + out.payload.size() > end))
            std::abort();
    };
    const DecodeStatus tcpOnly = decodePacket(linkType, {data + 1, size - 1}, out);
    check(tcpOnly);
    const DecodeStatus either = decodeTcpOrUdpPacket(linkType, {data + 1, size - 1}, out);
    check(either);
    // UDP exposure must not change what is decoded as TCP.
    if ((tcpOnly == DecodeStatus::Tcp) != (either == DecodeStatus::Tcp))
        std::abort();
}

void clientHello(const std::uint8_t* data, std::size_t size)
{
    ClientHelloInfo info;
    std::size_t consumed = 0;
    parseClientHello({data, size}, info, &consumed);
    for (std::size_t cut = 0; cut < size; cut += 1 + size / 16)
        parseClientHello({data, cut}, info, nullptr);
    looksLikeClientHelloStart({data, size});
}

void stream(const std::uint8_t* data, std::size_t size)
{
    // Each record: flags(1) direction(1) sequence offset(2) length(1), then the payload.
    TrackerOptions options;
    options.handshakeByteCap = 4096;
    options.maxSeriesPackets = 8; // longer connections take the whole-statistics path
    std::size_t connections = 0;
    ConnectionTracker tracker(options, [&](Connection&& c) {
        ++connections;
        // What the catalog stores must read back as it was.
        const auto blob = encodeSeries(c.series, c.whole.get());
        const auto back =
            decodeStoredSeries(1, static_cast<std::int64_t>(c.series.size()),
                               seriesFormat(c.whole.get()), blob, seriesChecksum(1, blob));
        if (back.packets.size() != c.series.size() || bool(back.whole) != bool(c.whole) ||
            (c.whole && !(*back.whole == *c.whole)))
            std::abort();
    });
    DecodedPacket a;
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
        DecodedPacket p = a;
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
}

void captureFile(const std::uint8_t* data, std::size_t size)
{
    // SQLite is not what is fuzzed: one catalog per process.
    static const std::filesystem::path dir = [] {
        char tmpl[] = "/tmp/snilab-fuzz-XXXXXX";
        const char* made = mkdtemp(tmpl);
        return std::filesystem::path(made ? made : "/tmp");
    }();
    static Catalog catalog(dir / ("fuzz-" + std::to_string(getpid()) + ".sqlite"));
    const auto file = dir / ("input-" + std::to_string(getpid()) + ".pcap");
    {
        std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(file.c_str(), "wb"), &std::fclose);
        if (!f)
            return;
        std::fwrite(data, 1, size, f.get());
    }
    Feedback feedback;
    IngestOptions options;
    options.threads = 1;
    ingestFile(file, catalog.captures(), options, feedback);
}

void seriesBlob(const std::uint8_t* data, std::size_t size)
{
    if (size < 3)
        return;
    const int format = data[0] & 3;
    const std::int64_t packets = std::int64_t{data[1]} << 8 | data[2];
    const std::span<const std::uint8_t> blob(data + 3, size - 3);
    StoredSeries stored;
    try {
        stored = decodeStoredSeries(7, packets, format, blob, "");
    } catch (const CatalogError&) {
        return;
    }
    // Accepted: it encodes back to the same bytes.
    const auto again = encodeSeries(stored.packets, stored.whole.get());
    if (seriesFormat(stored.whole.get()) != (format == 2 ? 2 : 1) || again.size() != blob.size())
        std::abort();
    for (std::size_t i = 0; i < again.size(); ++i)
        if (again[i] != blob[i] && (i >= static_cast<std::size_t>(packets) * 16 || i % 16 < 13))
            std::abort(); // only the records' three padding bytes may differ
}

void modelFile(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return;
    std::vector<std::uint8_t> bytes = {'S', 'N', 'I', 'L', 'A', 'B', 'M', 'F'};
    putU32(bytes, (data[0] & 1) ? 1u : ModelFileInfo::kFormatVersion);
    bytes.insert(bytes.end(), data + 1, data + size);
    ContentHasher hasher;
    hasher.update(bytes);
    const std::string digest = hasher.finishHex();
    bytes.insert(bytes.end(), digest.begin(), digest.end());
    static const std::string file = "/tmp/snilab-fuzz-model-" + std::to_string(getpid());
    {
        std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(file.c_str(), "wb"), &std::fclose);
        if (!f)
            return;
        std::fwrite(bytes.data(), 1, bytes.size(), f.get());
    }
    try {
        const ModelFile model = readModelFile(file);
        (void)model;
    } catch (const ModelError&) {
        // Refused with a reason: what a bad file must give.
    }
}

} // namespace snilab::fuzz
