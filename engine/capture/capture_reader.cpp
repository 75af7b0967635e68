#include "capture/capture_reader.h"

#include <pcap/pcap.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>
#include <vector>

namespace snilab {
namespace {

// A decompressing read-only stdio stream: libpcap reads through
// pcap_fopen_offline(), so compressed captures never touch the disk.
class Decompressor {
public:
    virtual ~Decompressor() = default;
    // Fills up to `size` bytes; returns bytes written, 0 at the end, -1 on error.
    virtual ssize_t read(char* out, std::size_t size) = 0;
    std::uint64_t rawConsumed = 0;
    std::string error;
    unsigned char head[4] = {0, 0, 0, 0}; // first decompressed bytes (file magic)
    std::size_t headLength = 0;

protected:
    void noteHead(const char* out, std::size_t n)
    {
        for (std::size_t i = 0; i < n && headLength < 4; ++i)
            head[headLength++] = static_cast<unsigned char>(out[i]);
    }
};

class GzipDecompressor final : public Decompressor {
public:
    explicit GzipDecompressor(FILE* f) : m_file(f), m_in(1 << 16)
    {
        std::memset(&m_zs, 0, sizeof m_zs);
        // 15 + 32: zlib or gzip header, detected automatically.
        m_ok = inflateInit2(&m_zs, 15 + 32) == Z_OK;
    }
    ~GzipDecompressor() override
    {
        inflateEnd(&m_zs);
        std::fclose(m_file);
    }
    ssize_t read(char* out, std::size_t size) override
    {
        if (!m_ok)
            return -1;
        m_zs.next_out = reinterpret_cast<Bytef*>(out);
        m_zs.avail_out = static_cast<uInt>(size);
        while (m_zs.avail_out > 0 && !m_finished) {
            if (m_zs.avail_in == 0) {
                const std::size_t n = std::fread(m_in.data(), 1, m_in.size(), m_file);
                rawConsumed += n;
                if (n == 0) {
                    if (m_sawMember && !m_inMember)
                        m_finished = true; // clean end after a complete member
                    else {
                        error = "gzip stream ends early";
                        m_finished = true;
                        m_failed = true;
                    }
                    break;
                }
                m_zs.next_in = m_in.data();
                m_zs.avail_in = static_cast<uInt>(n);
            }
            m_inMember = true;
            const int rc = inflate(&m_zs, Z_NO_FLUSH);
            if (rc == Z_STREAM_END) {
                // Concatenated gzip members (e.g. `cat a.gz b.gz`) continue the stream.
                m_sawMember = true;
                m_inMember = false;
                inflateReset(&m_zs);
            } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
                error = std::string("gzip: ") + (m_zs.msg ? m_zs.msg : "corrupt data");
                m_failed = true;
                m_finished = true;
                break;
            }
        }
        const std::size_t produced = size - m_zs.avail_out;
        noteHead(out, produced);
        if (produced == 0 && m_failed)
            return -1;
        return static_cast<ssize_t>(produced);
    }

private:
    FILE* m_file;
    std::vector<Bytef> m_in;
    z_stream m_zs;
    bool m_ok = false;
    bool m_finished = false;
    bool m_failed = false;
    bool m_sawMember = false;
    bool m_inMember = false;
};

class ZstdDecompressor final : public Decompressor {
public:
    explicit ZstdDecompressor(FILE* f)
        : m_file(f), m_ds(ZSTD_createDStream()), m_in(ZSTD_DStreamInSize())
    {
        ZSTD_initDStream(m_ds);
    }
    ~ZstdDecompressor() override
    {
        ZSTD_freeDStream(m_ds);
        std::fclose(m_file);
    }
    ssize_t read(char* out, std::size_t size) override
    {
        ZSTD_outBuffer ob{out, size, 0};
        while (ob.pos < ob.size && !m_finished) {
            if (m_ib.pos == m_ib.size) {
                const std::size_t n = std::fread(m_in.data(), 1, m_in.size(), m_file);
                rawConsumed += n;
                if (n == 0) {
                    m_finished = true;
                    if (m_lastHint != 0) {
                        error = "zstd stream ends early";
                        m_failed = true;
                    }
                    break;
                }
                m_ib = ZSTD_inBuffer{m_in.data(), n, 0};
            }
            const std::size_t rc = ZSTD_decompressStream(m_ds, &ob, &m_ib);
            if (ZSTD_isError(rc)) {
                error = std::string("zstd: ") + ZSTD_getErrorName(rc);
                m_failed = true;
                m_finished = true;
                break;
            }
            m_lastHint = rc;
        }
        noteHead(out, ob.pos);
        if (ob.pos == 0 && m_failed)
            return -1;
        return static_cast<ssize_t>(ob.pos);
    }

private:
    FILE* m_file;
    ZSTD_DStream* m_ds;
    std::vector<char> m_in;
    ZSTD_inBuffer m_ib{nullptr, 0, 0};
    std::size_t m_lastHint = 1;
    bool m_finished = false;
    bool m_failed = false;
};

ssize_t cookieRead(void* cookie, char* buf, size_t size)
{
    return static_cast<Decompressor*>(cookie)->read(buf, size);
}

int cookieClose(void* cookie)
{
    delete static_cast<Decompressor*>(cookie);
    return 0;
}

} // namespace

struct CaptureReader::Impl {
    pcap_t* pcap = nullptr;
    FILE* plainFile = nullptr;          // owned by pcap once opened
    Decompressor* decompressor = nullptr; // owned by the cookie stream
    std::string path;
    ~Impl()
    {
        if (pcap)
            pcap_close(pcap); // closes the FILE, which deletes the decompressor
    }
};

CaptureReader::CaptureReader(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
CaptureReader::~CaptureReader() = default;

std::unique_ptr<CaptureReader> CaptureReader::open(const std::filesystem::path& path,
                                                   InputError& error)
{
    error = {path.string(), InputError::kNoOffset, {}};
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
    CaptureFormat format;
    format.fileBytes = std::filesystem::file_size(path, ec);

    FILE* raw = std::fopen(path.c_str(), "rb");
    if (!raw) {
        error.reason = std::strerror(errno);
        return nullptr;
    }
    unsigned char magic[4] = {0, 0, 0, 0};
    const std::size_t got = std::fread(magic, 1, 4, raw);
    std::rewind(raw);
    if (got == 0) {
        std::fclose(raw);
        error.reason = "empty file";
        return nullptr;
    }

    auto impl = std::make_unique<Impl>();
    impl->path = path.string();
    FILE* stream = raw;
    if (got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
        format.compression = "gzip";
        impl->decompressor = new GzipDecompressor(raw);
    } else if (got == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f &&
               magic[3] == 0xfd) {
        format.compression = "zstd";
        impl->decompressor = new ZstdDecompressor(raw);
    } else {
        format.compression = "none";
        impl->plainFile = raw;
    }
    if (impl->decompressor) {
        stream = fopencookie(impl->decompressor, "rb",
                             cookie_io_functions_t{cookieRead, nullptr, nullptr, cookieClose});
        if (!stream) {
            delete impl->decompressor; // closes `raw`
            error.reason = "cannot create decompression stream";
            return nullptr;
        }
    }

    char errbuf[PCAP_ERRBUF_SIZE] = {0};
    impl->pcap = pcap_fopen_offline_with_tstamp_precision(stream, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!impl->pcap) {
        std::fclose(stream); // frees the decompressor too
        impl->decompressor = nullptr;
        impl->plainFile = nullptr;
        if (format.compression != "none")
            error.reason = format.compression + " capture: ";
        error.reason += errbuf[0] ? errbuf : "not a pcap or pcapng file";
        error.offset = 0;
        return nullptr;
    }
    format.linkType = pcap_datalink(impl->pcap);
    const char* name = pcap_datalink_val_to_name(format.linkType);
    format.linkTypeName = name ? name : std::to_string(format.linkType);
    // libpcap reports the precision it was asked for, so the container kind
    // comes from the magic number of the (decompressed) file header.
    if (impl->decompressor)
        std::memcpy(magic, impl->decompressor->head, 4);
    const std::uint32_t m = std::uint32_t(magic[0]) | std::uint32_t(magic[1]) << 8 |
                            std::uint32_t(magic[2]) << 16 | std::uint32_t(magic[3]) << 24;
    format.container = "pcap";
    if (m == 0x0A0D0D0A)
        format.container = "pcapng";
    else if (m == 0xA1B23C4D || m == 0x4D3CB2A1)
        format.container = "pcap-ns";

    auto reader = std::unique_ptr<CaptureReader>(new CaptureReader(std::move(impl)));
    reader->m_format = std::move(format);
    return reader;
}

CaptureReader::Next CaptureReader::next(RawPacket& packet, InputError& error)
{
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    const int rc = pcap_next_ex(m_impl->pcap, &header, &data);
    if (rc == 1) {
        packet.tsNs = static_cast<std::int64_t>(header->ts.tv_sec) * 1'000'000'000 +
                      static_cast<std::int64_t>(header->ts.tv_usec);
        packet.capturedLength = header->caplen;
        packet.wireLength = header->len;
        packet.bytes = {data, header->caplen};
        return Next::Packet;
    }
    if (rc == PCAP_ERROR_BREAK)
        return Next::End;
    error.file = m_impl->path;
    error.offset = bytesConsumed();
    error.reason = pcap_geterr(m_impl->pcap);
    if (m_impl->decompressor && !m_impl->decompressor->error.empty())
        error.reason = m_impl->decompressor->error + " (" + error.reason + ")";
    return Next::Error;
}

std::uint64_t CaptureReader::bytesConsumed() const noexcept
{
    if (m_impl->decompressor)
        return m_impl->decompressor->rawConsumed;
    FILE* f = pcap_file(m_impl->pcap);
    const off_t pos = f ? ftello(f) : -1;
    return pos < 0 ? 0 : static_cast<std::uint64_t>(pos);
}

} // namespace snilab
