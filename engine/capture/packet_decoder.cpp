#include "capture/packet_decoder.h"

#include <algorithm>
#include <cstddef>
#include <limits>

namespace snilab {
namespace {

// EtherType / protocol numbers used while walking the frame.
namespace ethertype {
inline constexpr std::uint16_t kIpv4 = 0x0800;
inline constexpr std::uint16_t kIpv6 = 0x86dd;
inline constexpr std::uint16_t kVlan = 0x8100;       // 802.1Q C-tag
inline constexpr std::uint16_t kQinQ = 0x88a8;       // 802.1ad S-tag
inline constexpr std::uint16_t kQinQLegacy = 0x9100; // pre-standard QinQ
inline constexpr std::uint16_t kPppoeSession = 0x8864;
inline constexpr std::uint16_t kMplsUnicast = 0x8847;
inline constexpr std::uint16_t kMplsMulticast = 0x8848;
inline constexpr std::uint16_t kTransparentBridging = 0x6558;
inline constexpr std::uint16_t kCiscoMetadata = 0x8909; // SGT tag (TrustSec)
inline constexpr std::uint16_t kMinEtherType = 0x0600;  // below: 802.3 length
} // namespace ethertype

namespace pppproto {
inline constexpr std::uint16_t kIpv4 = 0x0021;
inline constexpr std::uint16_t kIpv6 = 0x0057;
inline constexpr std::uint16_t kMplsUnicast = 0x0281;
} // namespace pppproto

namespace ipproto {
inline constexpr std::uint8_t kHopByHop = 0;
inline constexpr std::uint8_t kIpInIp = 4;
inline constexpr std::uint8_t kTcp = 6;
inline constexpr std::uint8_t kUdp = 17;
inline constexpr std::uint8_t kIpv6InIp = 41;
inline constexpr std::uint8_t kRouting = 43;
inline constexpr std::uint8_t kFragment = 44;
inline constexpr std::uint8_t kGre = 47;
inline constexpr std::uint8_t kEsp = 50;
inline constexpr std::uint8_t kAuth = 51;
inline constexpr std::uint8_t kNoNext = 59;
inline constexpr std::uint8_t kDestOptions = 60;
inline constexpr std::uint8_t kMobility = 135;
inline constexpr std::uint8_t kHip = 139;
inline constexpr std::uint8_t kShim6 = 140;
} // namespace ipproto

namespace arphrd {
inline constexpr std::uint16_t kRawIp = 519;
inline constexpr std::uint16_t kNetlink = 824;
inline constexpr std::uint16_t kNone = 0xfffe;
} // namespace arphrd

inline constexpr std::uint16_t kVxlanPort = 4789;
inline constexpr std::uint16_t kGenevePort = 6081;
inline constexpr std::uint16_t kGtpUserPort = 2152; // GTP-U, mobile core captures

inline constexpr std::size_t kEthernetHeader = 14;
inline constexpr std::size_t kSllHeader = 16;
inline constexpr std::size_t kSll2Header = 20;
inline constexpr std::size_t kIpv4MinHeader = 20;
inline constexpr std::size_t kIpv6Header = 40;
inline constexpr std::size_t kTcpMinHeader = 20;
inline constexpr std::size_t kUdpHeader = 8;
inline constexpr std::size_t kVxlanHeader = 8;
inline constexpr std::size_t kGeneveMinHeader = 8;
inline constexpr std::size_t kGtpHeader = 8;

// Tunnels re-enter the IP layer; each IP header counts once. Every layer
// consumes bytes, so the walk always terminates; the caps only stop crafted
// input from spending time on absurd nesting.
inline constexpr int kMaxIpHeaders = 8;
inline constexpr int kMaxExtensionHeaders = 16;

// Internal "keep going" value of the bounds checks. Never escapes as a
// result: only the TCP layer returns DecodeStatus::Tcp to the caller.
inline constexpr DecodeStatus kOk = DecodeStatus::Tcp;

inline std::uint16_t loadU16(const std::uint8_t* p) noexcept
{
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

inline std::uint32_t loadU32(const std::uint8_t* p) noexcept
{
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

inline std::uint32_t loadU32Le(const std::uint8_t* p) noexcept
{
    return (std::uint32_t{p[3]} << 24) | (std::uint32_t{p[2]} << 16) | (std::uint32_t{p[1]} << 8) |
           std::uint32_t{p[0]};
}

inline std::uint32_t clampU32(std::size_t v) noexcept
{
    return static_cast<std::uint32_t>(
        std::min<std::size_t>(v, std::numeric_limits<std::uint32_t>::max()));
}

// The next thing to parse, produced by each layer. A loop (not recursion)
// drives the layers so that the stack depth is constant.
enum class Layer : std::uint8_t { Ethernet, EtherType, Ipv4, Ipv6, IpByVersion, Done };

struct Step {
    Layer layer = Layer::Done;
    std::size_t offset = 0;
    std::uint16_t etherType = 0;                   // for Layer::EtherType
    DecodeStatus status = DecodeStatus::Malformed; // for Layer::Done
};

inline Step done(DecodeStatus status) noexcept
{
    return Step{Layer::Done, 0, 0, status};
}

inline Step next(Layer layer, std::size_t offset, std::uint16_t etherType = 0) noexcept
{
    return Step{layer, offset, etherType, kOk};
}

class FrameWalker {
public:
    FrameWalker(std::span<const std::uint8_t> frame, DecodedPacket& out, bool wantUdp) noexcept
        : m_data(frame.data()), m_size(frame.size()), m_out(out), m_wantUdp(wantUdp)
    {
    }

    DecodeStatus run(Step step) noexcept
    {
        for (;;) {
            switch (step.layer) {
            case Layer::Ethernet: step = ethernet(step.offset); break;
            case Layer::EtherType: step = etherType(step.etherType, step.offset); break;
            case Layer::Ipv4: step = ipv4(step.offset); break;
            case Layer::Ipv6: step = ipv6(step.offset); break;
            case Layer::IpByVersion: step = ipByVersion(step.offset); break;
            case Layer::Done: return step.status;
            }
        }
    }

    Step startSll(std::size_t protocolOffset, std::size_t arphrdOffset,
                  std::size_t headerSize) noexcept
    {
        if (const auto s = need(0, headerSize); s != kOk)
            return done(s);
        const std::uint16_t hatype = loadU16(m_data + arphrdOffset);
        const std::uint16_t protocol = loadU16(m_data + protocolOffset);
        if (hatype == arphrd::kNetlink)
            return done(DecodeStatus::NotIp);
        // Raw-IP devices (tun, some modems) sometimes leave the protocol
        // field unset; the IP version nibble is then authoritative.
        if ((hatype == arphrd::kNone || hatype == arphrd::kRawIp) && protocol != ethertype::kIpv4 &&
            protocol != ethertype::kIpv6) {
            return next(Layer::IpByVersion, headerSize);
        }
        return next(Layer::EtherType, headerSize, protocol);
    }

    Step startNull(bool hostOrder) noexcept
    {
        if (const auto s = need(0, 4); s != kOk)
            return done(s);
        const std::uint32_t be = loadU32(m_data);
        // The AF value is small, so the smaller reading of the two byte
        // orders is the right one whichever host wrote the file.
        const std::uint32_t family = hostOrder ? std::min(be, loadU32Le(m_data)) : be;
        switch (family) {
        case 2: return next(Layer::Ipv4, 4); // AF_INET everywhere
        case 24:
        case 28:
        case 30: return next(Layer::Ipv6, 4); // NetBSD/OpenBSD, FreeBSD, Darwin
        default: return done(DecodeStatus::NotIp);
        }
    }

    Step startPpp() noexcept
    {
        std::size_t off = 0;
        if (const auto s = need(0, 2); s != kOk)
            return done(s);
        if (m_data[0] == 0xff && m_data[1] == 0x03)
            off = 2; // HDLC address/control
        if (const auto s = need(off, 1); s != kOk)
            return done(s);
        return pppProtocol(off);
    }

private:
    // Bounds check for `n` bytes at `off`: past the enclosing datagram is a
    // lie in some length field (Malformed); past the captured bytes is a
    // short capture (Truncated).
    DecodeStatus need(std::size_t off, std::size_t n) const noexcept
    {
        if (off > m_limit || n > m_limit - off)
            return DecodeStatus::Malformed;
        if (off > m_size || n > m_size - off)
            return DecodeStatus::Truncated;
        return kOk;
    }

    // Narrows the logical end to a length field's claim; a claim past the
    // enclosing datagram is Malformed.
    DecodeStatus limitTo(std::size_t off, std::size_t length) noexcept
    {
        if (off > m_limit || length > m_limit - off)
            return DecodeStatus::Malformed;
        m_limit = off + length;
        return kOk;
    }

    // End of the usable bytes when a length field says "unknown" (IPv4 total
    // length 0 from TSO, IPv6 payload length 0 from jumbograms).
    std::size_t availableEnd() const noexcept { return std::min(m_limit, m_size); }

    Step ethernet(std::size_t off) noexcept
    {
        if (const auto s = need(off, kEthernetHeader); s != kOk)
            return done(s);
        return next(Layer::EtherType, off + kEthernetHeader, loadU16(m_data + off + 12));
    }

    Step etherType(std::uint16_t type, std::size_t off) noexcept
    {
        // Tags each consume 4 bytes, so this loop is bounded by the frame.
        for (;;) {
            switch (type) {
            case ethertype::kIpv4: return next(Layer::Ipv4, off);
            case ethertype::kIpv6: return next(Layer::Ipv6, off);
            case ethertype::kVlan:
            case ethertype::kQinQ:
            case ethertype::kQinQLegacy:
                if (const auto s = need(off, 4); s != kOk)
                    return done(s);
                m_vlanTagged = true;
                type = loadU16(m_data + off + 2);
                off += 4;
                continue;
            case ethertype::kCiscoMetadata:
                // version(1) length(1) option(2) SGT(2), then the next EtherType.
                if (const auto s = need(off, 8); s != kOk)
                    return done(s);
                type = loadU16(m_data + off + 6);
                off += 8;
                continue;
            case ethertype::kPppoeSession: return pppoe(off);
            case ethertype::kMplsUnicast:
            case ethertype::kMplsMulticast: return mpls(off);
            case ethertype::kTransparentBridging: return next(Layer::Ethernet, off);
            default:
                // Includes 802.3 length fields (< 0x0600) with LLC/SNAP.
                return done(DecodeStatus::NotIp);
            }
        }
    }

    Step pppoe(std::size_t off) noexcept
    {
        // ver/type(1) code(1) session(2) length(2), then the PPP protocol.
        if (const auto s = need(off, 8); s != kOk)
            return done(s);
        if (m_data[off] != 0x11 || m_data[off + 1] != 0x00)
            return done(DecodeStatus::Malformed);
        const std::size_t length = loadU16(m_data + off + 4);
        if (length < 2)
            return done(DecodeStatus::Malformed);
        if (const auto s = limitTo(off + 6, length); s != kOk)
            return done(s);
        return pppProtocol(off + 6);
    }

    // PPP protocol field; RFC 1661 protocol-field compression sends a single
    // byte when the value fits, recognisable by its odd first byte.
    Step pppProtocol(std::size_t off) noexcept
    {
        std::uint16_t protocol = m_data[off];
        if ((protocol & 1) != 0) {
            off += 1;
        } else {
            if (const auto s = need(off, 2); s != kOk)
                return done(s);
            protocol = loadU16(m_data + off);
            off += 2;
        }
        switch (protocol) {
        case pppproto::kIpv4: return next(Layer::Ipv4, off);
        case pppproto::kIpv6: return next(Layer::Ipv6, off);
        case pppproto::kMplsUnicast: return mpls(off);
        default: return done(DecodeStatus::NotIp);
        }
    }

    Step mpls(std::size_t off) noexcept
    {
        // Each label entry is 4 bytes; the S bit marks the bottom of stack.
        for (;;) {
            if (const auto s = need(off, 4); s != kOk)
                return done(s);
            const bool bottom = (m_data[off + 2] & 0x01) != 0;
            off += 4;
            if (bottom)
                break;
        }
        // MPLS does not say what it carries; IP is recognised by its version
        // nibble, anything else (pseudowires, control words) is not IP.
        if (const auto s = need(off, 1); s != kOk)
            return done(s);
        switch (m_data[off] >> 4) {
        case 4: return next(Layer::Ipv4, off);
        case 6: return next(Layer::Ipv6, off);
        default: return done(DecodeStatus::NotIp);
        }
    }

    Step ipByVersion(std::size_t off) noexcept
    {
        if (const auto s = need(off, 1); s != kOk)
            return done(s);
        switch (m_data[off] >> 4) {
        case 4: return next(Layer::Ipv4, off);
        case 6: return next(Layer::Ipv6, off);
        default: return done(DecodeStatus::NotIp);
        }
    }

    bool enterIpHeader() noexcept { return ++m_ipHeaders <= kMaxIpHeaders; }

    Step ipv4(std::size_t off) noexcept
    {
        if (!enterIpHeader())
            return done(DecodeStatus::Malformed);
        if (const auto s = need(off, kIpv4MinHeader); s != kOk)
            return done(s);
        const std::uint8_t* ip = m_data + off;
        if ((ip[0] >> 4) != 4)
            return done(DecodeStatus::Malformed);
        const std::size_t headerBytes = static_cast<std::size_t>(ip[0] & 0x0fu) * 4;
        if (headerBytes < kIpv4MinHeader)
            return done(DecodeStatus::Malformed);
        std::size_t totalLength = loadU16(ip + 2);
        if (totalLength == 0) {
            // TSO/GSO captures carry super-frames whose length field is 0.
            totalLength = availableEnd() - off;
        }
        if (totalLength < headerBytes)
            return done(DecodeStatus::Malformed);
        if (const auto s = limitTo(off, totalLength); s != kOk)
            return done(s);
        if (const auto s = need(off, headerBytes); s != kOk)
            return done(s);

        const std::uint16_t fragment = loadU16(ip + 6);
        if ((fragment & 0x3fffu) != 0)
            return done(DecodeStatus::Fragment); // MF or offset

        m_ipVersion = 4;
        m_ipOffset = off;
        m_src = IpAddress{};
        m_dst = IpAddress{};
        m_src.bytes[10] = m_src.bytes[11] = 0xff;
        m_dst.bytes[10] = m_dst.bytes[11] = 0xff;
        std::copy_n(ip + 12, 4, m_src.bytes.begin() + 12);
        std::copy_n(ip + 16, 4, m_dst.bytes.begin() + 12);
        return transport(ip[9], off + headerBytes, false);
    }

    Step ipv6(std::size_t off) noexcept
    {
        if (!enterIpHeader())
            return done(DecodeStatus::Malformed);
        if (const auto s = need(off, kIpv6Header); s != kOk)
            return done(s);
        const std::uint8_t* ip = m_data + off;
        if ((ip[0] >> 4) != 6)
            return done(DecodeStatus::Malformed);
        std::size_t totalLength = kIpv6Header + loadU16(ip + 4);
        if (totalLength == kIpv6Header) {
            // Jumbogram (length in a hop-by-hop option) or TSO: trust the capture.
            totalLength = availableEnd() - off;
        }
        if (const auto s = limitTo(off, totalLength); s != kOk)
            return done(s);

        m_ipVersion = 6;
        m_ipOffset = off;
        std::copy_n(ip + 8, 16, m_src.bytes.begin());
        std::copy_n(ip + 24, 16, m_dst.bytes.begin());
        return transport(ip[6], off + kIpv6Header, true);
    }

    // Walks extension headers from `protocol` at `off` and dispatches the
    // upper-layer protocol. m_limit is the end of the current IP datagram.
    Step transport(std::uint8_t protocol, std::size_t off, bool isV6) noexcept
    {
        for (int count = 0;; ++count) {
            if (count > kMaxExtensionHeaders)
                return done(DecodeStatus::Malformed);
            switch (protocol) {
            case ipproto::kTcp: return tcp(off);
            case ipproto::kIpInIp: return next(Layer::Ipv4, off);
            case ipproto::kIpv6InIp: return next(Layer::Ipv6, off);
            case ipproto::kGre: return gre(off);
            case ipproto::kUdp: return udp(off);
            case ipproto::kAuth: {
                // AH (RFC 4302) counts its length in 4-byte words, minus 2.
                if (const auto s = need(off, 8); s != kOk)
                    return done(s);
                const std::size_t length = (std::size_t{m_data[off + 1]} + 2) * 4;
                if (const auto s = need(off, length); s != kOk)
                    return done(s);
                protocol = m_data[off];
                off += length;
                continue;
            }
            case ipproto::kHopByHop:
            case ipproto::kRouting:
            case ipproto::kDestOptions:
            case ipproto::kMobility:
            case ipproto::kHip:
            case ipproto::kShim6: {
                if (!isV6)
                    return done(DecodeStatus::NotTcp);
                // RFC 8200 generic format: length in 8-byte units, minus 1.
                if (const auto s = need(off, 8); s != kOk)
                    return done(s);
                const std::size_t length = (std::size_t{m_data[off + 1]} + 1) * 8;
                if (const auto s = need(off, length); s != kOk)
                    return done(s);
                protocol = m_data[off];
                off += length;
                continue;
            }
            case ipproto::kFragment: {
                if (!isV6)
                    return done(DecodeStatus::NotTcp);
                if (const auto s = need(off, 8); s != kOk)
                    return done(s);
                // Offset (13 bits) and M flag; both zero is an atomic
                // fragment (RFC 6946) that holds the whole datagram.
                if ((loadU16(m_data + off + 2) & 0xfff9u) != 0) {
                    return done(DecodeStatus::Fragment);
                }
                protocol = m_data[off];
                off += 8;
                continue;
            }
            case ipproto::kNoNext:
            case ipproto::kEsp:
            default: return done(DecodeStatus::NotTcp);
            }
        }
    }

    Step gre(std::size_t off) noexcept
    {
        if (const auto s = need(off, 4); s != kOk)
            return done(s);
        const std::uint16_t flags = loadU16(m_data + off);
        // Version 1 is PPTP's enhanced GRE; source routing (RFC 1701 R bit)
        // has a variable layout that nobody deploys: neither is decoded.
        if ((flags & 0x0007u) != 0 || (flags & 0x4000u) != 0)
            return done(DecodeStatus::NotTcp);
        std::size_t length = 4;
        if ((flags & 0x8000u) != 0)
            length += 4; // checksum + reserved1
        if ((flags & 0x2000u) != 0)
            length += 4; // key
        if ((flags & 0x1000u) != 0)
            length += 4; // sequence number
        if (const auto s = need(off, length); s != kOk)
            return done(s);
        return next(Layer::EtherType, off + length, loadU16(m_data + off + 2));
    }

    Step udp(std::size_t off) noexcept
    {
        if (const auto s = need(off, kUdpHeader); s != kOk)
            return done(s);
        const std::uint16_t dstPort = loadU16(m_data + off + 2);
        const bool tunnel =
            dstPort == kVxlanPort || dstPort == kGenevePort || dstPort == kGtpUserPort;
        if (!tunnel && !m_wantUdp)
            return done(DecodeStatus::NotTcp);
        const std::size_t length = loadU16(m_data + off + 4);
        if (length != 0) { // 0: IPv6 jumbogram, the IP length rules
            if (length < kUdpHeader)
                return done(DecodeStatus::Malformed);
            if (const auto s = limitTo(off, length); s != kOk)
                return done(s);
        }
        if (!tunnel)
            return udpDatagram(off);
        off += kUdpHeader;
        if (dstPort == kVxlanPort) {
            if (const auto s = need(off, kVxlanHeader); s != kOk)
                return done(s);
            return next(Layer::Ethernet, off + kVxlanHeader);
        }
        if (dstPort == kGtpUserPort)
            return gtpUser(off);
        if (const auto s = need(off, kGeneveMinHeader); s != kOk)
            return done(s);
        if ((m_data[off] >> 6) != 0)
            return done(DecodeStatus::NotTcp); // unknown version
        const std::size_t headerBytes =
            kGeneveMinHeader + static_cast<std::size_t>(m_data[off] & 0x3fu) * 4;
        if (const auto s = need(off, headerBytes); s != kOk)
            return done(s);
        return next(Layer::EtherType, off + headerBytes, loadU16(m_data + off + 2));
    }

    // GTP-U version 1 (3GPP TS 29.281): only G-PDUs carry user IP packets.
    Step gtpUser(std::size_t off) noexcept
    {
        if (const auto s = need(off, kGtpHeader); s != kOk)
            return done(s);
        const std::uint8_t flags = m_data[off];
        if ((flags >> 5) != 1 || (flags & 0x10u) == 0 || m_data[off + 1] != 0xff) {
            return done(DecodeStatus::NotTcp); // GTP' or signalling (echo, error, end marker)
        }
        if (const auto s = limitTo(off + kGtpHeader, loadU16(m_data + off + 2)); s != kOk) {
            return done(s);
        }
        off += kGtpHeader;
        if ((flags & 0x07u) == 0)
            return next(Layer::IpByVersion, off);
        // Sequence, N-PDU and next-extension fields are present together.
        if (const auto s = need(off, 4); s != kOk)
            return done(s);
        std::uint8_t extension = m_data[off + 3];
        off += 4;
        if ((flags & 0x04u) == 0)
            extension = 0;
        // Each extension header is length*4 bytes and ends with the next
        // type; a zero length would not advance, so it is malformed.
        while (extension != 0) {
            if (const auto s = need(off, 4); s != kOk)
                return done(s);
            const std::size_t length = std::size_t{m_data[off]} * 4;
            if (length == 0)
                return done(DecodeStatus::Malformed);
            if (const auto s = need(off, length); s != kOk)
                return done(s);
            extension = m_data[off + length - 1];
            off += length;
        }
        return next(Layer::IpByVersion, off);
    }

    // A UDP datagram the caller asked for; m_limit is already its end.
    Step udpDatagram(std::size_t off) noexcept
    {
        m_out = DecodedPacket{};
        fillTransport(off, off + kUdpHeader); // need() checked the header
        return done(DecodeStatus::Udp);
    }

    Step tcp(std::size_t off) noexcept
    {
        if (const auto s = need(off, kTcpMinHeader); s != kOk)
            return done(s);
        const std::uint8_t* t = m_data + off;
        const std::size_t headerBytes = static_cast<std::size_t>(t[12] >> 4) * 4;
        if (headerBytes < kTcpMinHeader)
            return done(DecodeStatus::Malformed);
        if (const auto s = need(off, headerBytes); s != kOk)
            return done(s);

        // need() guarantees payloadStart <= m_limit and payloadStart <= m_size.
        fillTransport(off, off + headerBytes);
        m_out.seq = loadU32(t + 4);
        m_out.ack = loadU32(t + 8);
        m_out.tcpFlags = t[13];
        return done(DecodeStatus::Tcp);
    }

    // The fields TCP and UDP share: endpoints (the ports are the transport
    // header's first 4 bytes), IP facts, lengths and the captured payload.
    void fillTransport(std::size_t off, std::size_t payloadStart) noexcept
    {
        m_out.src = m_src;
        m_out.dst = m_dst;
        m_out.srcPort = loadU16(m_data + off);
        m_out.dstPort = loadU16(m_data + off + 2);
        m_out.ipVersion = m_ipVersion;
        m_out.vlanTagged = m_vlanTagged;
        m_out.ipLength = clampU32(m_limit - m_ipOffset);
        m_out.payloadLength = clampU32(m_limit - payloadStart);
        m_out.payload =
            std::span<const std::uint8_t>(m_data + payloadStart, availableEnd() - payloadStart);
    }

    const std::uint8_t* m_data;
    std::size_t m_size;
    DecodedPacket& m_out;
    // Logical end of the innermost enclosing length-delimited unit (IP
    // datagram, PPPoE or UDP payload); may lie beyond m_size when the snap
    // length cut the frame. Unlimited at the link layer.
    std::size_t m_limit = std::numeric_limits<std::size_t>::max();
    std::size_t m_ipOffset = 0;
    int m_ipHeaders = 0;
    std::uint8_t m_ipVersion = 0;
    bool m_vlanTagged = false;
    IpAddress m_src;
    IpAddress m_dst;
    bool m_wantUdp = false;
};

} // namespace

bool IpAddress::isV4() const noexcept
{
    for (std::size_t i = 0; i < 10; ++i) {
        if (bytes[i] != 0)
            return false;
    }
    return bytes[10] == 0xff && bytes[11] == 0xff;
}

bool isSupportedLinkType(int linkType) noexcept
{
    switch (linkType) {
    case linktype::kNull:
    case linktype::kEthernet:
    case linktype::kPpp:
    case 12: // DLT_RAW on most platforms
    case 14: // DLT_RAW on OpenBSD
    case linktype::kPppHdlc:
    case linktype::kRaw:
    case linktype::kLoop:
    case linktype::kLinuxSll:
    case linktype::kIpv4:
    case linktype::kIpv6:
    case linktype::kLinuxSll2: return true;
    default: return false;
    }
}

namespace {

DecodeStatus decodeFrame(int linkType, std::span<const std::uint8_t> frame, DecodedPacket& out,
                         bool wantUdp) noexcept
{
    FrameWalker walker(frame, out, wantUdp);
    Step first;
    switch (linkType) {
    case linktype::kEthernet: first = next(Layer::Ethernet, 0); break;
    case linktype::kRaw:
    case 12:
    case 14: first = next(Layer::IpByVersion, 0); break;
    case linktype::kIpv4: first = next(Layer::Ipv4, 0); break;
    case linktype::kIpv6: first = next(Layer::Ipv6, 0); break;
    // SLL: type(2) ARPHRD(2) addrlen(2) addr(8) protocol(2).
    case linktype::kLinuxSll: first = walker.startSll(14, 2, kSllHeader); break;
    // SLL2: protocol(2) reserved(2) ifindex(4) ARPHRD(2) type(1) addrlen(1) addr(8).
    case linktype::kLinuxSll2: first = walker.startSll(0, 8, kSll2Header); break;
    case linktype::kNull: first = walker.startNull(true); break;
    case linktype::kLoop: first = walker.startNull(false); break;
    case linktype::kPpp:
    case linktype::kPppHdlc: first = walker.startPpp(); break;
    default: return DecodeStatus::UnsupportedLink;
    }
    return walker.run(first);
}

} // namespace

DecodeStatus decodePacket(int linkType, std::span<const std::uint8_t> frame,
                          DecodedPacket& out) noexcept
{
    return decodeFrame(linkType, frame, out, false);
}

DecodeStatus decodeTcpOrUdpPacket(int linkType, std::span<const std::uint8_t> frame,
                                  DecodedPacket& out) noexcept
{
    return decodeFrame(linkType, frame, out, true);
}

} // namespace snilab
