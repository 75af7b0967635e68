// Offline capture reading: pcap (µs and ns, and the RedHat 6.1 patched
// variant) through libpcap, pcapng through snilab's PcapngReader (libpcap 1.10
// rejects interfaces with differing link types), and the same files
// compressed with gzip or zstd (detected by magic bytes, inflated on the fly
// -- through a stdio cookie for libpcap -- never to disk).
//
// Thread: one reader per thread; distinct readers are independent.
// Failure: open() and next() report bad input as an InputError (file, byte
// offset in the raw file where known, libpcap's reason); they never throw for
// bad bytes.
#pragma once

#include "common/error.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

namespace snilab {

struct CaptureFormat {
    std::string container;   // "pcap", "pcap-ns" or "pcapng"
    std::string compression; // "none", "gzip" or "zstd"
    int linkType = -1; // link type of the (first) interface (DLT for pcap, LINKTYPE for pcapng)
    std::string linkTypeName;    // libpcap's name, e.g. "EN10MB"
    std::uint64_t fileBytes = 0; // size on disk (compressed size when compressed)
    // Bytes after each 16-byte pcap record header that were dropped: 8 for the
    // RedHat 6.1 variant of patched tcpdump, 0 for standard files.
    int recordHeaderExtra = 0;
};

struct RawPacket {
    std::int64_t tsNs = 0; // capture timestamp, ns since the epoch
    int linkType = -1;     // this packet's link type (pcapng interfaces may differ)
    std::uint32_t capturedLength = 0;
    std::uint32_t wireLength = 0;
    std::span<const std::uint8_t> bytes; // valid until the next call to next()
};

class CaptureReader {
public:
    enum class Next { Packet, End, Error };

    ~CaptureReader();
    CaptureReader(const CaptureReader&) = delete;
    CaptureReader& operator=(const CaptureReader&) = delete;

    // Opens `path`; on failure returns nullptr and fills `error`.
    static std::unique_ptr<CaptureReader> open(const std::filesystem::path& path,
                                               InputError& error);

    const CaptureFormat& format() const noexcept { return m_format; }

    // Reads the next packet. Error: `error` says why (e.g. truncated record)
    // and where: the byte offset of the bad record or block in the file
    // (in the decompressed stream for compressed files); packets read before
    // stay valid and reading cannot continue.
    Next next(RawPacket& packet, InputError& error);

    // Raw file bytes consumed so far (compressed bytes for compressed files):
    // progress = bytesConsumed() / format().fileBytes.
    std::uint64_t bytesConsumed() const noexcept;

private:
    struct Impl;
    explicit CaptureReader(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
    CaptureFormat m_format;
};

} // namespace snilab
