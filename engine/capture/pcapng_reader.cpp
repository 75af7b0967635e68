#include "capture/pcapng_reader.h"

#include <algorithm>

namespace snilab {
namespace {

constexpr std::uint32_t kSectionHeader = 0x0A0D0D0A;
constexpr std::uint32_t kInterfaceDescription = 1;
constexpr std::uint32_t kObsoletePacket = 2;
constexpr std::uint32_t kSimplePacket = 3;
constexpr std::uint32_t kEnhancedPacket = 6;
constexpr std::uint32_t kByteOrderMagic = 0x1A2B3C4D;
// Larger blocks are treated as corrupt: no packet block needs more.
constexpr std::uint32_t kMaxBlockLength = 64u * 1024u * 1024u;

} // namespace

PcapngReader::PcapngReader(std::unique_ptr<ByteSource> source, std::string fileName)
    : m_source(std::move(source)), m_fileName(std::move(fileName))
{
}

std::uint32_t PcapngReader::u32(const std::uint8_t* p) const noexcept
{
    return m_bigEndian ? (std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 |
                          std::uint32_t(p[2]) << 8 | p[3])
                       : (std::uint32_t(p[3]) << 24 | std::uint32_t(p[2]) << 16 |
                          std::uint32_t(p[1]) << 8 | p[0]);
}

std::uint16_t PcapngReader::u16(const std::uint8_t* p) const noexcept
{
    return static_cast<std::uint16_t>(m_bigEndian ? (p[0] << 8 | p[1]) : (p[1] << 8 | p[0]));
}

InputError PcapngReader::makeError(std::string reason) const
{
    return {m_fileName, m_blockOffset, "pcapng: " + std::move(reason)};
}

bool PcapngReader::readBlock(InputError& error, bool& failed)
{
    failed = false;
    std::uint8_t head[8];
    const std::size_t got = m_source->readFully(reinterpret_cast<char*>(head), 8);
    m_blockOffset = m_offset;
    if (got == 0) {
        if (!m_source->error().empty()) {
            error = makeError(m_source->error());
            failed = true;
        }
        return false;
    }
    if (got < 8) {
        error = makeError("file ends inside a block header");
        failed = true;
        return false;
    }
    const std::uint32_t rawType = std::uint32_t(head[0]) | std::uint32_t(head[1]) << 8 |
                                  std::uint32_t(head[2]) << 16 | std::uint32_t(head[3]) << 24;
    if (rawType == kSectionHeader) {
        // The byte order of a section is only known from its header's body.
        std::uint8_t bom[4];
        if (m_source->readFully(reinterpret_cast<char*>(bom), 4) < 4) {
            error = makeError("file ends inside a section header");
            failed = true;
            return false;
        }
        const std::uint32_t le = std::uint32_t(bom[0]) | std::uint32_t(bom[1]) << 8 |
                                 std::uint32_t(bom[2]) << 16 | std::uint32_t(bom[3]) << 24;
        if (le == kByteOrderMagic)
            m_bigEndian = false;
        else if (le == 0x4D3C2B1A)
            m_bigEndian = true;
        else {
            error = makeError("bad byte-order magic in section header");
            failed = true;
            return false;
        }
        m_block.assign(head, head + 8);
        m_block.insert(m_block.end(), bom, bom + 4);
    } else {
        if (!m_sawSection) {
            error = makeError("no section header before the first block");
            failed = true;
            return false;
        }
        m_block.assign(head, head + 8);
    }
    const std::uint32_t type = u32(head);
    const std::uint32_t length = u32(head + 4);
    if (length < 12 || length % 4 != 0 || length > kMaxBlockLength) {
        error = makeError("bad block length " + std::to_string(length));
        failed = true;
        return false;
    }
    const std::size_t have = m_block.size();
    if (length < have + 4) {
        error = makeError("block too short for its type");
        failed = true;
        return false;
    }
    m_block.resize(length);
    const std::size_t rest = length - have;
    if (m_source->readFully(reinterpret_cast<char*>(m_block.data() + have), rest) < rest) {
        error = makeError("file ends inside a block");
        failed = true;
        return false;
    }
    if (u32(m_block.data() + length - 4) != length) {
        error = makeError("block total length in header and trailer differ");
        failed = true;
        return false;
    }
    m_blockType = type;
    m_offset += length;
    return true;
}

bool PcapngReader::parseSectionHeader(InputError& error)
{
    // type, length, byte-order magic, major, minor, section length (8), options.
    if (m_block.size() < 28) {
        error = makeError("section header too short");
        return false;
    }
    const std::uint16_t major = u16(m_block.data() + 12);
    if (major != 1) {
        error = makeError("unsupported version " + std::to_string(major) + "." +
                          std::to_string(u16(m_block.data() + 14)));
        return false;
    }
    m_sawSection = true;
    m_interfaces.clear();
    return true;
}

bool PcapngReader::parseInterface(InputError& error)
{
    if (m_block.size() < 20) {
        error = makeError("interface description too short");
        return false;
    }
    Interface iface;
    iface.linkType = u16(m_block.data() + 8);
    iface.snapLength = u32(m_block.data() + 12);
    // Options: code (2), length (2), value padded to 4; end at code 0.
    std::size_t pos = 16;
    const std::size_t end = m_block.size() - 4;
    while (pos + 4 <= end) {
        const std::uint16_t code = u16(m_block.data() + pos);
        const std::uint16_t len = u16(m_block.data() + pos + 2);
        pos += 4;
        if (code == 0)
            break;
        if (len > end - pos) {
            error = makeError("interface option runs past its block");
            return false;
        }
        if (code == 9 && len >= 1) { // if_tsresol
            const std::uint8_t v = m_block[pos];
            iface.binaryResolution = (v & 0x80) != 0;
            iface.exponent = v & 0x7f;
        } else if (code == 14 && len >= 8) { // if_tsoffset, seconds
            const std::uint64_t hi = u32(m_block.data() + pos);
            const std::uint64_t lo = u32(m_block.data() + pos + 4);
            iface.offsetSeconds =
                static_cast<std::int64_t>(m_bigEndian ? (hi << 32 | lo) : (lo << 32 | hi));
        }
        pos += (static_cast<std::size_t>(len) + 3) & ~std::size_t{3};
    }
    if (m_firstLinkType < 0)
        m_firstLinkType = iface.linkType;
    m_interfaces.push_back(iface);
    return true;
}

std::int64_t PcapngReader::toNs(const Interface& iface, std::uint64_t units) const noexcept
{
    __extension__ typedef unsigned __int128 u128;
    u128 ns;
    if (iface.binaryResolution) {
        const unsigned e = std::min<unsigned>(iface.exponent, 63);
        ns = (static_cast<u128>(units) * 1'000'000'000u) >> e;
    } else if (iface.exponent <= 9) {
        std::uint64_t scale = 1;
        for (unsigned i = iface.exponent; i < 9; ++i)
            scale *= 10;
        ns = static_cast<u128>(units) * scale;
    } else {
        u128 div = 1;
        for (unsigned i = 9; i < std::min<unsigned>(iface.exponent, 38); ++i)
            div *= 10;
        ns = static_cast<u128>(units) / div;
    }
    const u128 limit = static_cast<u128>(INT64_MAX);
    const std::int64_t base = ns > limit ? INT64_MAX : static_cast<std::int64_t>(ns);
    // if_tsoffset comes from the file: saturate rather than overflow.
    std::int64_t offsetNs = 0;
    if (__builtin_mul_overflow(iface.offsetSeconds, std::int64_t{1'000'000'000}, &offsetNs))
        offsetNs = iface.offsetSeconds < 0 ? INT64_MIN : INT64_MAX;
    std::int64_t sum = 0;
    if (__builtin_add_overflow(base, offsetNs, &sum))
        sum = offsetNs < 0 ? INT64_MIN : INT64_MAX;
    // Clamp to +-2^62 ns (+-146 years around 1970) so that differences of any
    // two timestamps (idle times, relative series times) cannot overflow.
    constexpr std::int64_t kLimit = std::int64_t{1} << 62;
    return std::clamp(sum, -kLimit, kLimit);
}

bool PcapngReader::readHeader(InputError& error)
{
    m_headerRead = true;
    for (;;) {
        bool failed = false;
        if (!readBlock(error, failed)) {
            if (!failed)
                error = makeError("no interface description in the file");
            return false;
        }
        if (m_blockType == kSectionHeader) {
            if (!parseSectionHeader(error))
                return false;
        } else if (m_blockType == kInterfaceDescription) {
            if (!parseInterface(error))
                return false;
            return true;
        } else if (m_blockType == kEnhancedPacket || m_blockType == kObsoletePacket ||
                   m_blockType == kSimplePacket) {
            m_pendingBlock = true; // a packet before any interface: next() reports it
            return true;
        }
        // Other blocks (name resolution, decryption secrets, ...) are skipped.
    }
}

PcapngReader::Next PcapngReader::next(PcapngPacket& packet, InputError& error)
{
    for (;;) {
        if (m_pendingBlock) {
            m_pendingBlock = false;
        } else {
            bool failed = false;
            if (!readBlock(error, failed))
                return failed ? Next::Error : Next::End;
        }
        const std::uint8_t* b = m_block.data();
        const std::size_t bodyEnd = m_block.size() - 4;
        switch (m_blockType) {
        case kSectionHeader:
            if (!parseSectionHeader(error))
                return Next::Error;
            continue;
        case kInterfaceDescription:
            if (!parseInterface(error))
                return Next::Error;
            continue;
        case kEnhancedPacket:
        case kObsoletePacket: {
            if (m_block.size() < 32) {
                error = makeError("packet block too short");
                return Next::Error;
            }
            const std::uint32_t ifaceId = m_blockType == kEnhancedPacket ? u32(b + 8) : u16(b + 8);
            if (ifaceId >= m_interfaces.size()) {
                error =
                    makeError("packet refers to undefined interface " + std::to_string(ifaceId));
                return Next::Error;
            }
            const Interface& iface = m_interfaces[ifaceId];
            const std::uint64_t units = std::uint64_t(u32(b + 12)) << 32 | u32(b + 16);
            const std::uint32_t caplen = u32(b + 20);
            if (caplen > bodyEnd - 28) {
                error =
                    makeError("captured length " + std::to_string(caplen) + " runs past its block");
                return Next::Error;
            }
            packet.tsNs = toNs(iface, units);
            m_lastTsNs = packet.tsNs;
            packet.linkType = iface.linkType;
            packet.capturedLength = caplen;
            packet.wireLength = std::max(u32(b + 24), caplen);
            packet.bytes = {b + 28, caplen};
            return Next::Packet;
        }
        case kSimplePacket: {
            if (m_interfaces.empty()) {
                error = makeError("simple packet block before any interface");
                return Next::Error;
            }
            if (m_block.size() < 16) {
                error = makeError("simple packet block too short");
                return Next::Error;
            }
            const Interface& iface = m_interfaces[0];
            const std::uint32_t wire = u32(b + 8);
            std::uint32_t caplen =
                std::min<std::uint32_t>(wire, static_cast<std::uint32_t>(bodyEnd - 12));
            if (iface.snapLength != 0)
                caplen = std::min(caplen, iface.snapLength);
            packet.tsNs = m_lastTsNs; // simple packets carry no timestamp
            packet.linkType = iface.linkType;
            packet.capturedLength = caplen;
            packet.wireLength = wire;
            packet.bytes = {b + 12, caplen};
            return Next::Packet;
        }
        default: continue; // name resolution, statistics, decryption secrets, custom...
        }
    }
}

} // namespace snilab
