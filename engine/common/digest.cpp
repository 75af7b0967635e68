#include "common/digest.h"

#include "common/content_hash.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace snilab {

// Small updates (a packet record's header, a short packet) are gathered in a
// buffer and handed to libcrypto in large blocks: one EVP call per record
// costs more than hashing the record itself.
struct Sha256::Impl {
    EVP_MD_CTX* ctx = nullptr;
    std::vector<std::uint8_t> buffer;
    ~Impl() { EVP_MD_CTX_free(ctx); }
    void flush()
    {
        if (!buffer.empty())
            EVP_DigestUpdate(ctx, buffer.data(), buffer.size());
        buffer.clear();
    }
};

namespace {
constexpr std::size_t kBufferBytes = 64 * 1024;

// The 8 bytes of v, least significant first.
std::array<std::uint8_t, 8> littleEndian(std::uint64_t v)
{
    std::array<std::uint8_t, 8> b{};
    for (std::size_t i = 0; i < b.size(); ++i)
        b[i] = static_cast<std::uint8_t>(v >> (8 * i));
    return b;
}
} // namespace

Sha256::Sha256() : m_impl(std::make_unique<Impl>())
{
    m_impl->buffer.reserve(kBufferBytes);
    m_impl->ctx = EVP_MD_CTX_new();
    if (!m_impl->ctx || EVP_DigestInit_ex(m_impl->ctx, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("libcrypto: cannot initialise SHA-256");
}

Sha256::~Sha256() = default;

void Sha256::update(std::span<const std::uint8_t> data)
{
    // Large pieces go straight to libcrypto (no copy); small ones are gathered.
    auto& buffer = m_impl->buffer;
    if (data.size() >= 512 || buffer.size() + data.size() > kBufferBytes)
        m_impl->flush();
    if (data.size() >= 512)
        EVP_DigestUpdate(m_impl->ctx, data.data(), data.size());
    else
        buffer.insert(buffer.end(), data.begin(), data.end());
}

void Sha256::updateU64(std::uint64_t v)
{
    update(littleEndian(v));
}

std::string Sha256::finishHex()
{
    m_impl->flush();
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(m_impl->ctx, md, &len);
    std::string hex(2 * len, '0');
    static const char* digits = "0123456789abcdef";
    for (unsigned int i = 0; i < len; ++i) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    return hex;
}

BackgroundSha256::BackgroundSha256(bool threaded)
{
    if (!threaded)
        return;
    m_block.reserve(kBlockBytes);
    m_pipe = std::make_unique<WorkPipe<std::vector<std::uint8_t>>>(
        kBlocksInFlight, [this](std::vector<std::uint8_t>& block) {
            m_sha.update(block);
            block.clear();
        });
}

// Not finished (cancelled, or an exception): the pipe drops what waits.
BackgroundSha256::~BackgroundSha256() = default;

void BackgroundSha256::submit()
{
    m_block = m_pipe->push(std::move(m_block));
    if (m_block.capacity() < kBlockBytes)
        m_block.reserve(kBlockBytes);
}

void BackgroundSha256::update(std::span<const std::uint8_t> data)
{
    if (!m_pipe) {
        m_sha.update(data);
        return;
    }
    while (!data.empty()) {
        const std::size_t room = kBlockBytes - m_block.size();
        const std::size_t n = std::min(room, data.size());
        m_block.insert(m_block.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
        data = data.subspan(n);
        if (m_block.size() == kBlockBytes)
            submit();
    }
}

void BackgroundSha256::updateU64(std::uint64_t v)
{
    update(littleEndian(v));
}

std::string BackgroundSha256::finishHex()
{
    if (m_pipe && !m_block.empty())
        submit();
    if (m_pipe)
        m_pipe->finish(); // once every block is hashed
    return m_sha.finishHex();
}

namespace {

// Feeds every byte of a regular file to `consume`; false (and `error`) when it
// cannot be read.
template <typename Consume>
bool readWholeFile(const std::filesystem::path& path, InputError& error, Consume consume)
{
    // O_NONBLOCK: opening a FIFO (or a device) named like a capture must not
    // wait for a writer; such a file is refused right after the open.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        error = {path.string(), InputError::kNoOffset, std::strerror(errno)};
        return false;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        error = {path.string(), InputError::kNoOffset, "not a regular file"};
        return false;
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    std::vector<std::uint8_t> buf(256 * 1024);
    std::uint64_t offset = 0;
    for (;;) {
        const ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            ::close(fd);
            error = {path.string(), offset, std::string("read error: ") + std::strerror(errno)};
            return false;
        }
        if (n == 0)
            break;
        consume(std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n)));
        offset += static_cast<std::uint64_t>(n);
    }
    ::close(fd);
    return true;
}

} // namespace

std::optional<std::string> fastFileHash(const std::filesystem::path& path, InputError& error)
{
    ContentHasher hasher;
    if (!readWholeFile(path, error, [&](std::span<const std::uint8_t> b) { hasher.update(b); }))
        return std::nullopt;
    return hasher.finishHex();
}

} // namespace snilab
