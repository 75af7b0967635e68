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
#include "common/work_pipe.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

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

// Sha256 with the hashing on a thread of its own: update() copies the bytes
// into 1 MiB blocks and a full block is hashed while the caller reads on (at
// most kBlocksInFlight blocks wait, so memory stays at a few MiB). The digest
// is Sha256's of the same bytes, however they are cut. Not `threaded`: the
// same, hashed on the calling thread.
// Thread: one producer (the caller); the worker only touches its blocks.
class BackgroundSha256 {
public:
    static constexpr std::size_t kBlockBytes = 1 << 20;
    static constexpr std::size_t kBlocksInFlight = 4;
    explicit BackgroundSha256(bool threaded);
    ~BackgroundSha256();
    BackgroundSha256(const BackgroundSha256&) = delete;
    BackgroundSha256& operator=(const BackgroundSha256&) = delete;

    void update(std::span<const std::uint8_t> data);
    void updateU64(std::uint64_t v); // 8 bytes little-endian
    // 64 lowercase hex digits, once every block is hashed; call once.
    std::string finishHex();

private:
    void submit();
    Sha256 m_sha;
    std::vector<std::uint8_t> m_block;
    std::unique_ptr<WorkPipe<std::vector<std::uint8_t>>> m_pipe; // null when not threaded
};

// The fast 128-bit ContentHasher (common/content_hash.h) of a whole regular
// file (a FIFO or device is refused at once, without waiting for a writer):
// a hint that a file may already be in the catalog, confirmed by the SHA-256
// of its records before anything is skipped (ingest/ingester.cpp). nullopt
// (and `error`) when it cannot be read.
std::optional<std::string> fastFileHash(const std::filesystem::path& path, InputError& error);

} // namespace snilab
