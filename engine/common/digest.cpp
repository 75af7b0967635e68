#include "common/digest.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace snilab {

struct Sha256::Impl {
    EVP_MD_CTX* ctx = nullptr;
    ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : m_impl(std::make_unique<Impl>())
{
    m_impl->ctx = EVP_MD_CTX_new();
    if (!m_impl->ctx || EVP_DigestInit_ex(m_impl->ctx, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("libcrypto: cannot initialise SHA-256");
}

Sha256::~Sha256() = default;

void Sha256::update(std::span<const std::uint8_t> data)
{
    if (!data.empty())
        EVP_DigestUpdate(m_impl->ctx, data.data(), data.size());
}

void Sha256::updateU64(std::uint64_t v)
{
    std::uint8_t b[8];
    for (int i = 0; i < 8; ++i)
        b[i] = static_cast<std::uint8_t>(v >> (8 * i));
    EVP_DigestUpdate(m_impl->ctx, b, sizeof b);
}

std::string Sha256::finishHex()
{
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

std::optional<std::string> fileDigest(const std::filesystem::path& path, InputError& error)
{
    // O_NONBLOCK: opening a FIFO (or a device) named like a capture must not
    // wait for a writer; such a file is refused right after the open.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        error = {path.string(), InputError::kNoOffset, std::strerror(errno)};
        return std::nullopt;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        error = {path.string(), InputError::kNoOffset, "not a regular file"};
        return std::nullopt;
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    Sha256 digest;
    std::vector<std::uint8_t> buf(256 * 1024);
    std::uint64_t offset = 0;
    for (;;) {
        const ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            ::close(fd);
            error = {path.string(), offset, std::string("read error: ") + std::strerror(errno)};
            return std::nullopt;
        }
        if (n == 0)
            break;
        digest.update({buf.data(), static_cast<std::size_t>(n)});
        offset += static_cast<std::uint64_t>(n);
    }
    ::close(fd);
    return digest.finishHex();
}

} // namespace snilab
