// SHA-256 (OpenSSL's libcrypto, EVP interface) for identities an attacker
// must not be able to forge: a capture's decoded packet records
// (docs/catalog.md, "Identity of traffic"). ContentHasher
// (common/content_hash.h) stays for hints and checksums against accidental
// damage.
//
// Thread: one object per thread. Failure: std::runtime_error only if
// libcrypto cannot initialise a SHA-256 context (out of memory).
#pragma once

#include "common/error.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace snilab {

class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(std::span<const std::uint8_t> data);
    void updateU64(std::uint64_t v); // 8 bytes little-endian
    // 64 lowercase hex digits; the object may not be updated afterwards.
    std::string finishHex();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// The fast 128-bit ContentHasher (common/content_hash.h) of a whole regular
// file (a FIFO or device is refused at once, without waiting for a writer):
// a hint that a file may already be in the catalog, confirmed by the SHA-256
// of its records before anything is skipped (ingest/ingester.cpp). nullopt
// (and `error`) when it cannot be read.
std::optional<std::string> fastFileHash(const std::filesystem::path& path, InputError& error);

} // namespace snilab
