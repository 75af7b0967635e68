// Byte sources for capture files: plain, gzip- or zstd-compressed files read
// as one stream of decompressed bytes, and a source that replays a peeked
// prefix. Thread: one source per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

namespace snilab {

class ByteSource {
public:
    virtual ~ByteSource() = default;
    // Fills up to `size` bytes; returns bytes written, 0 at the end, -1 on error.
    virtual ssize_t read(char* out, std::size_t size) = 0;
    // Raw file bytes consumed so far (compressed bytes for compressed files).
    virtual std::uint64_t rawConsumed() const = 0;
    // Why the stream ended early or failed; empty if it did not.
    virtual std::string error() const = 0;

    // Reads until `size` bytes or the end; returns the count.
    std::size_t readFully(char* out, std::size_t size);
};

// Takes ownership of `file`. Throws nothing; errors surface through read().
std::unique_ptr<ByteSource> makePlainSource(std::FILE* file);
std::unique_ptr<ByteSource> makeGzipSource(std::FILE* file);
std::unique_ptr<ByteSource> makeZstdSource(std::FILE* file);
// Serves `prefix` first, then the rest of `inner`.
std::unique_ptr<ByteSource> makePrefixedSource(std::vector<std::uint8_t> prefix,
                                               std::unique_ptr<ByteSource> inner);

} // namespace snilab
