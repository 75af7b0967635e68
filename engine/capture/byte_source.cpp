#include "capture/byte_source.h"

#include <stdio_ext.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>

namespace snilab {

std::size_t ByteSource::readFully(char* out, std::size_t size)
{
    std::size_t got = 0;
    while (got < size) {
        const ssize_t n = read(out + got, size - got);
        if (n <= 0)
            break;
        got += static_cast<std::size_t>(n);
    }
    return got;
}

namespace {

class PlainSource final : public ByteSource {
public:
    explicit PlainSource(std::FILE* f) : m_file(f)
    {
        // One thread reads this FILE: skip stdio's per-call locking.
        __fsetlocking(m_file, FSETLOCKING_BYCALLER);
    }
    ~PlainSource() override { std::fclose(m_file); }
    // Served from a buffer of its own, refilled by one large fread (glibc
    // reads a request as large as that straight into it): stdio's own buffer
    // is 4 KiB, and a pcapng reader asks for a few bytes at a time.
    ssize_t read(char* out, std::size_t size) override
    {
        if (m_pos == m_have) {
            if (m_buffer.empty())
                m_buffer.resize(kBufferBytes);
            m_pos = 0;
            m_have = std::fread(m_buffer.data(), 1, m_buffer.size(), m_file);
            if (m_have == 0 && std::ferror(m_file)) {
                m_error = "read error";
                return -1;
            }
        }
        const std::size_t n = std::min(size, m_have - m_pos);
        std::memcpy(out, m_buffer.data() + m_pos, n);
        m_pos += n;
        m_consumed += n;
        return static_cast<ssize_t>(n);
    }
    std::uint64_t rawConsumed() const override { return m_consumed; }
    std::string error() const override { return m_error; }

private:
    static constexpr std::size_t kBufferBytes = 1 << 20;
    std::FILE* m_file;
    std::vector<char> m_buffer;
    std::size_t m_pos = 0;
    std::size_t m_have = 0;
    std::uint64_t m_consumed = 0;
    std::string m_error;
};

class GzipSource final : public ByteSource {
public:
    explicit GzipSource(std::FILE* f) : m_file(f), m_in(1 << 16)
    {
        __fsetlocking(m_file, FSETLOCKING_BYCALLER);
        std::memset(&m_zs, 0, sizeof m_zs);
        // 15 + 32: zlib or gzip header, detected automatically.
        m_ok = inflateInit2(&m_zs, 15 + 32) == Z_OK;
        if (!m_ok)
            m_error = "gzip: cannot initialise zlib";
    }
    ~GzipSource() override
    {
        inflateEnd(&m_zs);
        std::fclose(m_file);
    }
    ssize_t read(char* out, std::size_t size) override
    {
        if (!m_ok)
            return -1;
        m_zs.next_out = reinterpret_cast<Bytef*>(out);
        m_zs.avail_out = static_cast<uInt>(std::min<std::size_t>(size, 1u << 30));
        const uInt asked = m_zs.avail_out;
        while (m_zs.avail_out > 0 && !m_finished) {
            if (m_zs.avail_in == 0) {
                const std::size_t n = std::fread(m_in.data(), 1, m_in.size(), m_file);
                m_consumed += n;
                if (n == 0) {
                    m_finished = true;
                    if (!(m_sawMember && !m_inMember)) {
                        m_error = "gzip stream ends early";
                        m_failed = true;
                    }
                    break;
                }
                m_zs.next_in = m_in.data();
                m_zs.avail_in = static_cast<uInt>(n);
            }
            if (m_sawMember && !m_inMember && !startsMember()) {
                // Bytes after a complete member that do not start another one
                // (zero padding from tape or block devices): ignored, as gzip does.
                m_finished = true;
                break;
            }
            m_inMember = true;
            const int rc = inflate(&m_zs, Z_NO_FLUSH);
            if (rc == Z_STREAM_END) {
                // Concatenated gzip members (`cat a.gz b.gz`) continue the stream.
                m_sawMember = true;
                m_inMember = false;
                inflateReset(&m_zs);
            } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
                m_error = std::string("gzip: ") + (m_zs.msg ? m_zs.msg : "corrupt data");
                m_failed = true;
                m_finished = true;
            }
        }
        const std::size_t produced = asked - m_zs.avail_out;
        if (produced == 0 && m_failed)
            return -1;
        return static_cast<ssize_t>(produced);
    }
    std::uint64_t rawConsumed() const override { return m_consumed; }
    std::string error() const override { return m_error; }

private:
    // Whether the pending input starts a gzip member (reads more if needed).
    bool startsMember()
    {
        if (m_zs.avail_in < 2) {
            // Move a lone byte to the front and top up the buffer.
            const std::size_t keep = m_zs.avail_in;
            if (keep == 1)
                m_in[0] = *m_zs.next_in;
            const std::size_t n = std::fread(m_in.data() + keep, 1, m_in.size() - keep, m_file);
            m_consumed += n;
            m_zs.next_in = m_in.data();
            m_zs.avail_in = static_cast<uInt>(keep + n);
            if (m_zs.avail_in < 2)
                return false;
        }
        return m_zs.next_in[0] == 0x1f && m_zs.next_in[1] == 0x8b;
    }

    std::FILE* m_file;
    std::vector<Bytef> m_in;
    z_stream m_zs;
    std::uint64_t m_consumed = 0;
    std::string m_error;
    bool m_ok = false;
    bool m_finished = false;
    bool m_failed = false;
    bool m_sawMember = false;
    bool m_inMember = false;
};

class ZstdSource final : public ByteSource {
public:
    explicit ZstdSource(std::FILE* f)
        : m_file(f), m_ds(ZSTD_createDStream()), m_in(ZSTD_DStreamInSize())
    {
        __fsetlocking(m_file, FSETLOCKING_BYCALLER);
        ZSTD_initDStream(m_ds);
    }
    ~ZstdSource() override
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
                m_consumed += n;
                if (n == 0) {
                    m_finished = true;
                    if (m_lastHint != 0) {
                        m_error = "zstd stream ends early";
                        m_failed = true;
                    }
                    break;
                }
                m_ib = ZSTD_inBuffer{m_in.data(), n, 0};
            }
            const std::size_t rc = ZSTD_decompressStream(m_ds, &ob, &m_ib);
            if (ZSTD_isError(rc)) {
                m_error = std::string("zstd: ") + ZSTD_getErrorName(rc);
                m_failed = true;
                m_finished = true;
                break;
            }
            m_lastHint = rc;
        }
        if (ob.pos == 0 && m_failed)
            return -1;
        return static_cast<ssize_t>(ob.pos);
    }
    std::uint64_t rawConsumed() const override { return m_consumed; }
    std::string error() const override { return m_error; }

private:
    std::FILE* m_file;
    ZSTD_DStream* m_ds;
    std::vector<char> m_in;
    ZSTD_inBuffer m_ib{nullptr, 0, 0};
    std::size_t m_lastHint = 1;
    std::uint64_t m_consumed = 0;
    std::string m_error;
    bool m_finished = false;
    bool m_failed = false;
};

class PrefixedSource final : public ByteSource {
public:
    PrefixedSource(std::vector<std::uint8_t> prefix, std::unique_ptr<ByteSource> inner)
        : m_prefix(std::move(prefix)), m_inner(std::move(inner))
    {
    }
    ssize_t read(char* out, std::size_t size) override
    {
        if (m_pos < m_prefix.size()) {
            const std::size_t n = std::min(size, m_prefix.size() - m_pos);
            std::memcpy(out, m_prefix.data() + m_pos, n);
            m_pos += n;
            return static_cast<ssize_t>(n);
        }
        return m_inner->read(out, size);
    }
    std::uint64_t rawConsumed() const override { return m_inner->rawConsumed(); }
    std::string error() const override { return m_inner->error(); }

private:
    std::vector<std::uint8_t> m_prefix;
    std::size_t m_pos = 0;
    std::unique_ptr<ByteSource> m_inner;
};

} // namespace

std::unique_ptr<ByteSource> makePlainSource(std::FILE* file)
{
    return std::make_unique<PlainSource>(file);
}

std::unique_ptr<ByteSource> makeGzipSource(std::FILE* file)
{
    return std::make_unique<GzipSource>(file);
}

std::unique_ptr<ByteSource> makeZstdSource(std::FILE* file)
{
    return std::make_unique<ZstdSource>(file);
}

std::unique_ptr<ByteSource> makePrefixedSource(std::vector<std::uint8_t> prefix,
                                               std::unique_ptr<ByteSource> inner)
{
    return std::make_unique<PrefixedSource>(std::move(prefix), std::move(inner));
}

} // namespace snilab
