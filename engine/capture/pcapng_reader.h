// A pcapng reader of snilab's own. libpcap 1.10 refuses files whose
// interfaces differ in link type or snap length (common with `dumpcap -i a
// -i b`); here every packet carries its own interface's link type, and
// timestamps honour if_tsresol and if_tsoffset.
//
// Blocks read: Section Header (either byte order; a new section resets the
// interfaces), Interface Description, Enhanced Packet, Simple Packet and the
// obsolete Packet block; all others are skipped. Every length is checked
// before use; a malformed block ends reading with an InputError (file byte
// offset of the decompressed stream and the reason), packets before it stay.
// Thread: one reader per thread.
#pragma once

#include "capture/byte_source.h"
#include "common/error.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace snilab {

struct PcapngPacket {
    std::int64_t tsNs = 0;
    int linkType = -1; // LINKTYPE_* of the packet's interface
    std::uint32_t capturedLength = 0;
    std::uint32_t wireLength = 0;
    std::span<const std::uint8_t> bytes; // valid until the next call to next()
};

class PcapngReader {
public:
    enum class Next { Packet, End, Error };

    explicit PcapngReader(std::unique_ptr<ByteSource> source, std::string fileName = {});

    Next next(PcapngPacket& packet, InputError& error);

    // Link type of the first interface (-1 before one is read).
    int firstLinkType() const noexcept { return m_firstLinkType; }
    // Reads blocks up to the first interface description (for the format
    // summary); returns false when the file ends or is malformed first.
    bool readHeader(InputError& error);
    std::uint64_t rawConsumed() const { return m_source->rawConsumed(); }

private:
    struct Interface {
        int linkType = 0;
        std::uint32_t snapLength = 0;
        bool binaryResolution = false; // if_tsresol: 2^-exponent instead of 10^-exponent
        std::uint8_t exponent = 6;     // default resolution: microseconds
        std::int64_t offsetSeconds = 0;
    };

    // Next block into m_block; false at a clean end (or on error, with `error` set).
    bool readBlock(InputError& error, bool& failed);
    std::uint32_t u32(const std::uint8_t* p) const noexcept;
    std::uint16_t u16(const std::uint8_t* p) const noexcept;
    bool parseSectionHeader(InputError& error);
    bool parseInterface(InputError& error);
    std::int64_t toNs(const Interface& iface, std::uint64_t units) const noexcept;
    InputError makeError(std::string reason) const;

    std::unique_ptr<ByteSource> m_source;
    std::string m_fileName;
    bool m_bigEndian = false;
    bool m_sawSection = false;
    std::vector<Interface> m_interfaces;
    int m_firstLinkType = -1;
    std::vector<std::uint8_t> m_block; // the current block, whole
    std::uint32_t m_blockType = 0;
    std::uint64_t m_offset = 0;      // decompressed offset of the next block
    std::uint64_t m_blockOffset = 0; // decompressed offset of the current block
    std::int64_t m_lastTsNs = 0;
    bool m_headerRead = false;
    bool m_pendingBlock = false; // m_block holds a block not yet returned by next()
};

} // namespace snilab
