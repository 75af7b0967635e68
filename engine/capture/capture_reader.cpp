#include "capture/capture_reader.h"

#include "capture/byte_source.h"
#include "capture/pcapng_reader.h"

#include <pcap/pcap.h>
#include <stdio_ext.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <system_error>
#include <vector>

namespace snilab {
namespace {

constexpr std::size_t kPcapFileHeader = 24;
constexpr std::size_t kPcapRecordHeader = 16;
constexpr std::uint32_t kMaxPlausibleCaplen = 262144;

std::uint32_t readU32(const std::uint8_t* p, bool bigEndian)
{
    return bigEndian ? (std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 |
                        std::uint32_t(p[2]) << 8 | p[3])
                     : (std::uint32_t(p[3]) << 24 | std::uint32_t(p[2]) << 16 |
                        std::uint32_t(p[1]) << 8 | p[0]);
}

// Byte order of a classic pcap header (µs or ns magic), or nullopt.
std::optional<bool> classicPcapBigEndian(std::span<const std::uint8_t> head)
{
    if (head.size() < kPcapFileHeader)
        return std::nullopt;
    for (bool big : {false, true}) {
        const std::uint32_t magic = readU32(head.data(), big);
        if (magic == 0xA1B2C3D4 || magic == 0xA1B23C4D)
            return big;
    }
    return std::nullopt;
}

// Counts plausible records in `head` when each record header carries `extra`
// bytes after the standard 16; `clean` is false when an implausible header was met.
std::size_t plausibleRecords(std::span<const std::uint8_t> head, bool big, std::size_t extra,
                             bool& clean)
{
    const std::uint32_t snaplen = std::max(readU32(head.data() + 16, big), kMaxPlausibleCaplen);
    std::size_t pos = kPcapFileHeader;
    std::size_t n = 0;
    std::uint32_t firstSec = 0;
    clean = true;
    while (pos + kPcapRecordHeader + extra <= head.size()) {
        const std::uint8_t* r = head.data() + pos;
        const std::uint32_t sec = readU32(r, big);
        const std::uint32_t frac = readU32(r + 4, big);
        const std::uint32_t caplen = readU32(r + 8, big);
        const std::uint32_t len = readU32(r + 12, big);
        if (n == 0)
            firstSec = sec;
        const std::uint32_t drift = sec > firstSec ? sec - firstSec : firstSec - sec;
        if (caplen > snaplen || caplen > len || len > 16 * snaplen || frac >= 1'000'000'000 ||
            drift > 366u * 86400u) {
            clean = false;
            break;
        }
        pos += kPcapRecordHeader + extra + caplen;
        ++n;
    }
    return n;
}

// Bytes that follow each 16-byte record header: 0 for standard pcap, 8 for
// the RedHat 6.1 / SuSE variants of Kuznetzov's patched tcpdump (ifindex,
// protocol, packet type), 12 for the 1999-09-15 variant, 4 for Nokia's.
// They share the standard magic number, so like Wireshark we look at which
// layout makes the first records plausible.
std::size_t detectExtraRecordBytes(std::span<const std::uint8_t> head)
{
    const auto big = classicPcapBigEndian(head);
    if (!big)
        return 0;
    bool clean = true;
    plausibleRecords(head, *big, 0, clean);
    if (clean)
        return 0;
    for (std::size_t extra : {std::size_t{8}, std::size_t{12}, std::size_t{4}}) {
        bool ok = true;
        if (plausibleRecords(head, *big, extra, ok) >= 2 && ok)
            return extra;
    }
    return 0;
}

// libpcap cuts every record to the snap length of the file header, but some
// writers store records longer than the snap length they declare (Wireshark
// reads them whole). When the header's snap length is below libpcap's usual
// maximum, it is set to 0 in the bytes libpcap reads: libpcap then uses its
// maximum for the link type. Returns whether `head` was changed.
bool liftSmallSnapLength(std::span<std::uint8_t> head)
{
    const auto big = classicPcapBigEndian(head);
    if (!big)
        return false;
    const std::uint32_t snaplen = readU32(head.data() + 16, *big);
    if (snaplen == 0 || snaplen >= kMaxPlausibleCaplen)
        return false;
    std::fill_n(head.begin() + 16, 4, std::uint8_t{0});
    return true;
}

// Rewrites a classic pcap stream whose record headers carry extra bytes
// into a standard one that libpcap reads; otherwise passes bytes through.
class RecordHeaderFixer final : public ByteSource {
public:
    explicit RecordHeaderFixer(std::unique_ptr<ByteSource> inner) : m_inner(std::move(inner))
    {
        fill(64 * 1024);
        m_extra = detectExtraRecordBytes(std::span(m_buf).subspan(m_pos));
        if (m_extra != 0)
            m_big = *classicPcapBigEndian(m_buf);
        m_out.assign(m_buf.begin(), m_buf.begin() + std::min(m_buf.size(), kPcapFileHeader));
        m_pos = m_out.size();
        if (m_extra == 0) {
            m_out = std::move(m_buf);
            m_buf.clear();
            m_pos = 0;
        }
    }
    std::size_t extraBytes() const { return m_extra; }

    ssize_t read(char* out, std::size_t size) override
    {
        std::size_t written = 0;
        while (written < size) {
            if (m_outPos < m_out.size()) {
                const std::size_t n = std::min(size - written, m_out.size() - m_outPos);
                std::memcpy(out + written, m_out.data() + m_outPos, n);
                m_outPos += n;
                written += n;
                continue;
            }
            m_out.clear();
            m_outPos = 0;
            if (m_extra == 0) {
                const ssize_t n = m_inner->read(out + written, size - written);
                if (n < 0)
                    return written ? static_cast<ssize_t>(written) : -1;
                if (n == 0)
                    break;
                written += static_cast<std::size_t>(n);
                continue;
            }
            if (!nextRecord())
                break;
        }
        return static_cast<ssize_t>(written);
    }
    std::uint64_t rawConsumed() const override { return m_inner->rawConsumed(); }
    std::string error() const override { return m_inner->error(); }

private:
    // Makes at least `n` unread bytes available in m_buf (fewer at the end).
    void fill(std::size_t n)
    {
        if (m_pos > 0 && m_pos >= m_buf.size() / 2) {
            m_buf.erase(m_buf.begin(), m_buf.begin() + static_cast<std::ptrdiff_t>(m_pos));
            m_pos = 0;
        }
        while (m_buf.size() - m_pos < n && !m_eof) {
            const std::size_t old = m_buf.size();
            m_buf.resize(old + std::max<std::size_t>(n, 64 * 1024));
            const ssize_t got =
                m_inner->read(reinterpret_cast<char*>(m_buf.data() + old), m_buf.size() - old);
            m_buf.resize(old + (got > 0 ? static_cast<std::size_t>(got) : 0));
            if (got <= 0)
                m_eof = true;
        }
    }
    // Moves one record, without its extra header bytes, to m_out.
    bool nextRecord()
    {
        fill(kPcapRecordHeader + m_extra);
        const std::size_t avail = m_buf.size() - m_pos;
        if (avail == 0)
            return false;
        if (avail < kPcapRecordHeader + m_extra) {
            // A cut record header: hand it on so libpcap reports the truncation.
            m_out.assign(m_buf.begin() + static_cast<std::ptrdiff_t>(m_pos), m_buf.end());
            m_pos = m_buf.size();
            return true;
        }
        const std::uint32_t caplen = readU32(m_buf.data() + m_pos + 8, m_big);
        const auto* rec = m_buf.data() + m_pos;
        m_out.assign(rec, rec + kPcapRecordHeader);
        m_pos += kPcapRecordHeader + m_extra;
        if (caplen > 64 * kMaxPlausibleCaplen) {
            m_extra = 0; // corrupt: stop rewriting and let libpcap report it
            return true;
        }
        fill(caplen);
        const std::size_t take = std::min<std::size_t>(caplen, m_buf.size() - m_pos);
        m_out.insert(m_out.end(), m_buf.begin() + static_cast<std::ptrdiff_t>(m_pos),
                     m_buf.begin() + static_cast<std::ptrdiff_t>(m_pos + take));
        m_pos += take;
        return true;
    }

    std::unique_ptr<ByteSource> m_inner;
    std::vector<std::uint8_t> m_buf;
    std::size_t m_pos = 0;
    bool m_eof = false;
    std::vector<std::uint8_t> m_out;
    std::size_t m_outPos = 0;
    std::size_t m_extra = 0;
    bool m_big = false;
};

ssize_t cookieRead(void* cookie, char* buf, size_t size)
{
    const ssize_t n = static_cast<ByteSource*>(cookie)->read(buf, size);
    if (n < 0)
        errno = EIO; // libpcap reports strerror(errno); the source's error() says more
    return n;
}

int cookieClose(void* cookie)
{
    delete static_cast<ByteSource*>(cookie);
    return 0;
}

} // namespace

struct CaptureReader::Impl {
    pcap_t* pcap = nullptr;
    ByteSource* cookieSource = nullptr;   // owned by the cookie stream, which pcap owns
    std::unique_ptr<char[]> streamBuffer; // the stdio buffer of pcap's FILE (outlives it)
    std::unique_ptr<PcapngReader> pcapng; // pcapng files
    std::string path;
    // Offset of the next pcap record in the (decompressed) file, for errors.
    std::uint64_t recordOffset = 24;
    std::uint64_t recordExtra = 0; // patched-pcap bytes per record header
    ~Impl()
    {
        if (pcap)
            pcap_close(pcap); // closes the FILE, which deletes a cookie source
    }
};

CaptureReader::CaptureReader(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
CaptureReader::~CaptureReader() = default;

namespace {

// Opens a regular, non-empty file and reads up to four magic bytes (the
// stream is rewound). nullptr with `error` set otherwise.
FILE* openCaptureFile(const std::filesystem::path& path, CaptureFormat& format,
                      unsigned char (&magic)[4], std::size_t& got, InputError& error)
{
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status)) {
        error.reason = "no such file";
        return nullptr;
    }
    if (!std::filesystem::is_regular_file(status)) {
        error.reason = "not a regular file";
        return nullptr;
    }
    format.fileBytes = std::filesystem::file_size(path, ec);
    FILE* raw = std::fopen(path.c_str(), "rb");
    if (!raw) {
        error.reason = std::strerror(errno);
        return nullptr;
    }
    got = std::fread(magic, 1, 4, raw);
    std::rewind(raw);
    if (got == 0) {
        std::fclose(raw);
        error.reason = "empty file";
        return nullptr;
    }
    return raw;
}

// The file's bytes, decompressed by its magic (gzip, zstd or none); owns `raw`.
std::unique_ptr<ByteSource> decompressedSource(FILE* raw, const unsigned char (&magic)[4],
                                               std::size_t got, CaptureFormat& format)
{
    if (got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
        format.compression = "gzip";
        return makeGzipSource(raw);
    }
    if (got == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd) {
        format.compression = "zstd";
        return makeZstdSource(raw);
    }
    format.compression = "none";
    return makePlainSource(raw);
}

// The stdio stream libpcap reads: the file itself for plain standard pcap
// (the fastest path), else a cookie stream over `head` + `source` (with the
// record headers fixed when `extra` != 0); `cookieSource` is then the cookie's
// source, owned by the stream. Either stream reads through `streamBuffer`
// (allocated here; it must outlive the stream): libpcap reads each record
// with two small freads, and a large stdio buffer turns them into few read()
// calls (glibc's setvbuf() ignores the size when it is not given the buffer,
// and would keep its 4 KiB one). nullptr with `error` set on failure.
FILE* pcapStream(const std::filesystem::path& path, std::vector<std::uint8_t> head,
                 std::unique_ptr<ByteSource> source, std::size_t extra, bool liftedSnapLength,
                 CaptureFormat& format, ByteSource*& cookieSource,
                 std::unique_ptr<char[]>& streamBuffer, InputError& error)
{
    constexpr std::size_t kStreamBufferBytes = 1 << 20;
    streamBuffer = std::make_unique<char[]>(kStreamBufferBytes);
    if (format.compression == "none" && extra == 0 && !liftedSnapLength) {
        source.reset(); // closes the file opened for sniffing
        FILE* stream = std::fopen(path.c_str(), "rb");
        if (!stream) {
            error.reason = std::strerror(errno);
            return nullptr;
        }
        __fsetlocking(stream, FSETLOCKING_BYCALLER); // one thread reads it
        std::setvbuf(stream, streamBuffer.get(), _IOFBF, kStreamBufferBytes);
        return stream;
    }
    std::unique_ptr<ByteSource> cookie = makePrefixedSource(std::move(head), std::move(source));
    if (extra != 0) {
        cookie = std::make_unique<RecordHeaderFixer>(std::move(cookie));
        format.recordHeaderExtra = static_cast<int>(extra);
    }
    cookieSource = cookie.release();
    FILE* stream = fopencookie(cookieSource, "rb",
                               cookie_io_functions_t{cookieRead, nullptr, nullptr, cookieClose});
    if (!stream) {
        delete cookieSource;
        cookieSource = nullptr;
        error.reason = "cannot create decompression stream";
        return nullptr;
    }
    std::setvbuf(stream, streamBuffer.get(), _IOFBF, kStreamBufferBytes);
    return stream;
}

// libpcap's handle on `stream` (which it then owns); nullptr with `error`
// set, the stream closed, when libpcap refuses the file.
pcap_t* openPcap(FILE* stream, const CaptureFormat& format, InputError& error)
{
    char errbuf[PCAP_ERRBUF_SIZE] = {0};
    pcap_t* pcap =
        pcap_fopen_offline_with_tstamp_precision(stream, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (pcap)
        return pcap;
    std::fclose(stream); // frees a cookie source too
    if (format.compression != "none")
        error.reason = format.compression + " capture: ";
    const std::string_view why(errbuf);
    error.reason += why.find("unknown file format") != std::string_view::npos || why.empty()
                        ? "not a pcap or pcapng file"
                        : std::string(why);
    error.offset = 0;
    return nullptr;
}

std::string linkTypeName(int linkType)
{
    const char* name = pcap_datalink_val_to_name(linkType);
    return name ? name : std::to_string(linkType);
}

} // namespace

std::unique_ptr<CaptureReader> CaptureReader::open(const std::filesystem::path& path,
                                                   InputError& error)
{
    error = {path.string(), InputError::kNoOffset, {}};
    CaptureFormat format;
    unsigned char magic[4] = {0, 0, 0, 0};
    std::size_t got = 0;
    FILE* raw = openCaptureFile(path, format, magic, got, error);
    if (!raw)
        return nullptr;
    // Decompressed bytes from here on; the first 64 KiB are peeked to tell
    // pcapng from pcap and to spot patched pcap record headers.
    std::unique_ptr<ByteSource> source = decompressedSource(raw, magic, got, format);
    std::vector<std::uint8_t> head(64 * 1024);
    head.resize(source->readFully(reinterpret_cast<char*>(head.data()), head.size()));
    if (head.empty()) {
        error.reason = format.compression + " stream holds no data" +
                       (source->error().empty() ? "" : ": " + source->error());
        return nullptr;
    }
    const std::uint32_t m = head.size() >= 4
                                ? (std::uint32_t(head[0]) | std::uint32_t(head[1]) << 8 |
                                   std::uint32_t(head[2]) << 16 | std::uint32_t(head[3]) << 24)
                                : 0;
    auto impl = std::make_unique<Impl>();
    impl->path = path.string();

    if (m == 0x0A0D0D0A) {
        format.container = "pcapng";
        impl->pcapng = std::make_unique<PcapngReader>(
            makePrefixedSource(std::move(head), std::move(source)), path.string());
        if (!impl->pcapng->readHeader(error))
            return nullptr;
        format.linkType = impl->pcapng->firstLinkType();
        format.linkTypeName = linkTypeName(format.linkType == 101 ? DLT_RAW : format.linkType);
    } else {
        const std::size_t extra = detectExtraRecordBytes(head);
        const bool liftedSnapLength = liftSmallSnapLength(head);
        FILE* stream = pcapStream(path, std::move(head), std::move(source), extra, liftedSnapLength,
                                  format, impl->cookieSource, impl->streamBuffer, error);
        if (!stream)
            return nullptr;
        impl->pcap = openPcap(stream, format, error);
        if (!impl->pcap) {
            impl->cookieSource = nullptr;
            return nullptr;
        }
        format.linkType = pcap_datalink(impl->pcap);
        format.linkTypeName = linkTypeName(format.linkType);
        format.container = (m == 0xA1B23C4D || m == 0x4D3CB2A1) ? "pcap-ns" : "pcap";
        if (extra != 0)
            format.container += "-patched+" + std::to_string(extra);
        impl->recordExtra = extra;
    }

    auto reader = std::unique_ptr<CaptureReader>(new CaptureReader(std::move(impl)));
    reader->m_format = std::move(format);
    return reader;
}

CaptureReader::Next CaptureReader::next(RawPacket& packet, InputError& error)
{
    if (m_impl->pcapng) {
        PcapngPacket p;
        switch (m_impl->pcapng->next(p, error)) {
        case PcapngReader::Next::Packet:
            packet.tsNs = p.tsNs;
            packet.linkType = p.linkType;
            packet.capturedLength = p.capturedLength;
            packet.wireLength = p.wireLength;
            packet.bytes = p.bytes;
            return Next::Packet;
        case PcapngReader::Next::End: return Next::End;
        case PcapngReader::Next::Error: return Next::Error;
        }
    }
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    const int rc = pcap_next_ex(m_impl->pcap, &header, &data);
    if (rc == 1) {
        packet.tsNs = static_cast<std::int64_t>(header->ts.tv_sec) * 1'000'000'000 +
                      static_cast<std::int64_t>(header->ts.tv_usec);
        packet.linkType = m_format.linkType;
        packet.capturedLength = header->caplen;
        packet.wireLength = header->len;
        packet.bytes = {data, header->caplen};
        m_impl->recordOffset += 16 + m_impl->recordExtra + header->caplen;
        return Next::Packet;
    }
    if (rc == PCAP_ERROR_BREAK)
        return Next::End;
    error.file = m_impl->path;
    error.offset = m_impl->recordOffset;
    error.reason = pcap_geterr(m_impl->pcap);
    if (m_impl->cookieSource && !m_impl->cookieSource->error().empty())
        error.reason = m_impl->cookieSource->error() + " (" + error.reason + ")";
    return Next::Error;
}

std::uint64_t CaptureReader::bytesConsumed() const noexcept
{
    if (m_impl->pcapng)
        return m_impl->pcapng->rawConsumed();
    if (m_impl->cookieSource)
        return m_impl->cookieSource->rawConsumed();
    FILE* f = pcap_file(m_impl->pcap);
    const off_t pos = f ? ftello(f) : -1;
    return pos < 0 ? 0 : static_cast<std::uint64_t>(pos);
}

} // namespace snilab
