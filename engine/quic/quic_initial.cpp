// The decoder's state machine: Fresh (no Initial decrypted yet), Collecting
// (CRYPTO bytes arriving), Done (hello parsed) and Failed (bad hello or cap).
// Which keys open a packet decides which connection it belongs to; see
// quic_initial.h for the rules.
#include "quic/quic_initial.h"

#include "quic/quic_crypto.h"
#include "quic/quic_frames.h"

#include <algorithm>
#include <array>

namespace snilab {

namespace {

// A connection ID (at most 20 bytes for the decoded versions) held by value.
// An unset ID equals nothing, not even an empty one (empty IDs are legal).
class ConnectionId {
public:
    void assign(std::span<const std::uint8_t> id) noexcept
    {
        m_size = std::min(id.size(), m_bytes.size());
        std::copy_n(id.begin(), m_size, m_bytes.begin());
        m_set = true;
    }
    void clear() noexcept
    {
        m_size = 0;
        m_set = false;
    }
    std::span<const std::uint8_t> span() const noexcept { return {m_bytes.data(), m_size}; }
    bool equals(std::span<const std::uint8_t> id) const noexcept
    {
        return m_set && std::equal(id.begin(), id.end(), m_bytes.begin(), m_bytes.begin() + m_size);
    }

private:
    std::array<std::uint8_t, 20> m_bytes{};
    std::size_t m_size = 0;
    bool m_set = false;
};

struct KeySlot {
    const QuicVersionSpec* spec = nullptr;
    std::uint32_t version = 0;
    ConnectionId dcid;
    QuicPacketOpener opener;
    bool used = false;
};

// Keys of a few (version, DCID) pairs: the original ones, and those of the
// other DCIDs a tuple shows. The first key set derived (normally the
// original one) keeps slot 0; later ones rotate through the others.
constexpr std::size_t kKeySlots = 4;

// How much a per-packet outcome says about the datagram: the most
// informative outcome of its packets is the datagram's status.
int rank(QuicDatagramStatus s) noexcept
{
    switch (s) {
    case QuicDatagramStatus::HelloComplete: return 6;
    case QuicDatagramStatus::NeedMore: return 5;
    case QuicDatagramStatus::AfterHello: return 4;
    case QuicDatagramStatus::Malformed:
    case QuicDatagramStatus::CryptoOverflow: return 3;
    case QuicDatagramStatus::DecryptFailed: return 2;
    default: return 0;
    }
}

QuicDatagramStatus fromHeader(QuicHeaderStatus s) noexcept
{
    switch (s) {
    case QuicHeaderStatus::Ok: return QuicDatagramStatus::NoInitial;
    case QuicHeaderStatus::ShortHeader: return QuicDatagramStatus::NotQuic;
    case QuicHeaderStatus::VersionNegotiation: return QuicDatagramStatus::VersionNegotiation;
    case QuicHeaderStatus::UnsupportedVersion: return QuicDatagramStatus::UnsupportedVersion;
    case QuicHeaderStatus::Truncated: return QuicDatagramStatus::Truncated;
    case QuicHeaderStatus::Malformed: break;
    }
    return QuicDatagramStatus::Malformed;
}

} // namespace

struct QuicInitialDecoder::Impl {
    enum class State : std::uint8_t { Fresh, Collecting, Done, Failed };

    explicit Impl(const QuicDecoderOptions& options) : crypto(options.cryptoCap) {}

    State state = State::Fresh;
    QuicDatagramStatus failure = QuicDatagramStatus::Malformed;
    std::uint32_t version = 0;
    ConnectionId original;
    ConnectionId current; // the server's chosen ID, once the client used it
    ConnectionId scid;
    QuicCryptoReassembler crypto;
    std::size_t parsedPrefix = 0; // contiguous bytes at the last hello attempt
    ClientHelloInfo hello;
    std::array<KeySlot, kKeySlots> slots;
    std::size_t nextSlot = 1;
    QuicInitialFrames frames; // reused between packets
    std::size_t packetsOpened = 0;

    QuicDatagramStatus datagram(std::span<const std::uint8_t> bytes);
    QuicDatagramStatus initial(const QuicLongHeader& h, std::span<const std::uint8_t> packet);
    QuicOpenStatus open(std::uint32_t v, std::span<const std::uint8_t> dcid,
                        std::span<const std::uint8_t> packet, std::size_t pnOffset,
                        QuicOpenedPacket& out);
    QuicPacketOpener* keys(const QuicVersionSpec& spec, std::uint32_t v,
                           std::span<const std::uint8_t> dcid);
    void adopt(const QuicLongHeader& h);
    QuicDatagramStatus consume(std::span<const std::uint8_t> payload);
    QuicDatagramStatus tryHello();
    QuicDatagramStatus fail(QuicDatagramStatus why)
    {
        state = State::Failed;
        failure = why;
        return why;
    }
};

QuicDatagramStatus QuicInitialDecoder::Impl::datagram(std::span<const std::uint8_t> bytes)
{
    if (bytes.empty())
        return QuicDatagramStatus::NotQuic;
    QuicLongHeader h;
    const QuicHeaderStatus first = parseQuicLongHeader(bytes, h);
    if (first != QuicHeaderStatus::Ok)
        return fromHeader(first);
    const std::span<const std::uint8_t> dcid = h.dcid;
    QuicDatagramStatus best = QuicDatagramStatus::NoInitial;
    std::size_t pos = 0;
    for (;;) {
        if (h.type == QuicPacketType::Initial) {
            const QuicDatagramStatus s = initial(h, bytes.subspan(pos, h.packetSize));
            if (s == QuicDatagramStatus::NewConnection || s == QuicDatagramStatus::CryptoOverflow)
                return s;
            if (rank(s) > rank(best))
                best = s;
        }
        pos += h.packetSize; // at least the 7-byte header: the walk always advances
        if (pos >= bytes.size())
            break;
        // RFC 9000 section 12.2: a coalesced packet with another DCID may be ignored.
        if (parseQuicLongHeader(bytes.subspan(pos), h) != QuicHeaderStatus::Ok ||
            !std::equal(h.dcid.begin(), h.dcid.end(), dcid.begin(), dcid.end()))
            break;
    }
    return best;
}

QuicDatagramStatus QuicInitialDecoder::Impl::initial(const QuicLongHeader& h,
                                                     std::span<const std::uint8_t> packet)
{
    const bool known = state != State::Fresh && (original.equals(h.dcid) || current.equals(h.dcid));
    if (known && state == State::Done)
        return QuicDatagramStatus::AfterHello;
    if (known && state == State::Failed)
        return failure;
    QuicOpenedPacket opened;
    QuicOpenStatus s = QuicOpenStatus::AuthFailed;
    if (state == State::Fresh) {
        s = open(h.version, h.dcid, packet, h.pnOffset, opened);
        if (s == QuicOpenStatus::Ok)
            adopt(h);
    } else if (known) {
        s = open(h.version, original.span(), packet, h.pnOffset, opened);
    } else if ((s = open(h.version, original.span(), packet, h.pnOffset, opened)) ==
               QuicOpenStatus::Ok) {
        current.assign(h.dcid); // same connection, the server's chosen ID
    } else if ((s = open(h.version, h.dcid, packet, h.pnOffset, opened)) == QuicOpenStatus::Ok) {
        if (state != State::Collecting)
            return QuicDatagramStatus::NewConnection;
        adopt(h); // a Retry, or an attempt that replaced one whose hello never completed
    }
    if (s == QuicOpenStatus::TooShort)
        return QuicDatagramStatus::Malformed;
    if (s != QuicOpenStatus::Ok)
        return QuicDatagramStatus::DecryptFailed;
    ++packetsOpened;
    return consume(opened.payload);
}

QuicOpenStatus QuicInitialDecoder::Impl::open(std::uint32_t v, std::span<const std::uint8_t> dcid,
                                              std::span<const std::uint8_t> packet,
                                              std::size_t pnOffset, QuicOpenedPacket& out)
{
    QuicOpenStatus s = QuicOpenStatus::CryptoError;
    // A reserved version's spec names another salt to try (quic_header.h).
    for (const QuicVersionSpec* spec = findQuicVersion(v); spec != nullptr; spec = spec->fallback) {
        QuicPacketOpener* opener = keys(*spec, v, dcid);
        s = opener != nullptr ? opener->open(packet, pnOffset, out) : QuicOpenStatus::CryptoError;
        if (s == QuicOpenStatus::Ok || s == QuicOpenStatus::TooShort)
            break;
    }
    return s;
}

QuicPacketOpener* QuicInitialDecoder::Impl::keys(const QuicVersionSpec& spec, std::uint32_t v,
                                                 std::span<const std::uint8_t> dcid)
{
    for (KeySlot& slot : slots) {
        if (slot.used && slot.spec == &spec && slot.version == v && slot.dcid.equals(dcid))
            return &slot.opener;
    }
    KeySlot& slot = !slots[0].used ? slots[0] : slots[nextSlot];
    if (&slot != &slots[0])
        nextSlot = nextSlot + 1 < kKeySlots ? nextSlot + 1 : 1;
    slot.used = false;
    QuicInitialKeys derived;
    if (!deriveQuicInitialKeys(spec, dcid, QuicSide::Client, derived) ||
        !slot.opener.setKeys(derived))
        return nullptr;
    slot.spec = &spec;
    slot.version = v;
    slot.dcid.assign(dcid);
    slot.used = true;
    return &slot.opener;
}

void QuicInitialDecoder::Impl::adopt(const QuicLongHeader& h)
{
    state = State::Collecting;
    version = h.version;
    original.assign(h.dcid);
    current.clear();
    scid.assign(h.scid);
    crypto.clear();
    parsedPrefix = 0;
    hello = ClientHelloInfo{};
}

QuicDatagramStatus QuicInitialDecoder::Impl::consume(std::span<const std::uint8_t> payload)
{
    if (parseQuicInitialFrames(payload, frames) != QuicFrameStatus::Ok)
        return QuicDatagramStatus::Malformed; // a protocol violation: nothing of the packet is used
    if (state != State::Collecting)
        return state == State::Done ? QuicDatagramStatus::AfterHello : failure;
    for (const QuicCryptoFrame& f : frames.crypto) {
        if (crypto.add(f.offset, f.data) != QuicCryptoAddStatus::Ok)
            return fail(QuicDatagramStatus::CryptoOverflow);
    }
    return tryHello();
}

QuicDatagramStatus QuicInitialDecoder::Impl::tryHello()
{
    const std::span<const std::uint8_t> bytes = crypto.contiguous();
    if (bytes.size() == parsedPrefix)
        return QuicDatagramStatus::NeedMore;
    parsedPrefix = bytes.size();
    if (bytes.size() >= 4) {
        const std::size_t messageSize =
            4 + ((std::size_t{bytes[1]} << 16) | (std::size_t{bytes[2]} << 8) | bytes[3]);
        if (messageSize > crypto.cap())
            return fail(QuicDatagramStatus::CryptoOverflow);
    }
    switch (parseClientHelloMessage(bytes, hello, HelloTransport::Quic)) {
    case ClientHelloStatus::Parsed: state = State::Done; return QuicDatagramStatus::HelloComplete;
    case ClientHelloStatus::NeedMore: return QuicDatagramStatus::NeedMore;
    default: return fail(QuicDatagramStatus::Malformed);
    }
}

const char* quicDatagramStatusName(QuicDatagramStatus status) noexcept
{
    switch (status) {
    case QuicDatagramStatus::NotQuic: return "NotQuic";
    case QuicDatagramStatus::VersionNegotiation: return "VersionNegotiation";
    case QuicDatagramStatus::UnsupportedVersion: return "UnsupportedVersion";
    case QuicDatagramStatus::NoInitial: return "NoInitial";
    case QuicDatagramStatus::NeedMore: return "NeedMore";
    case QuicDatagramStatus::HelloComplete: return "HelloComplete";
    case QuicDatagramStatus::AfterHello: return "AfterHello";
    case QuicDatagramStatus::NewConnection: return "NewConnection";
    case QuicDatagramStatus::DecryptFailed: return "DecryptFailed";
    case QuicDatagramStatus::Truncated: return "Truncated";
    case QuicDatagramStatus::Malformed: return "Malformed";
    case QuicDatagramStatus::CryptoOverflow: return "CryptoOverflow";
    }
    return "?";
}

QuicInitialDecoder::QuicInitialDecoder(const QuicDecoderOptions& options)
    : m_impl(std::make_unique<Impl>(options))
{
}

QuicInitialDecoder::~QuicInitialDecoder() = default;
QuicInitialDecoder::QuicInitialDecoder(QuicInitialDecoder&&) noexcept = default;
QuicInitialDecoder& QuicInitialDecoder::operator=(QuicInitialDecoder&&) noexcept = default;

QuicDatagramStatus QuicInitialDecoder::feedClientDatagram(std::span<const std::uint8_t> udpPayload)
{
    return m_impl->datagram(udpPayload);
}

bool QuicInitialDecoder::helloComplete() const noexcept
{
    return m_impl->state == Impl::State::Done;
}

bool QuicInitialDecoder::failed() const noexcept
{
    return m_impl->state == Impl::State::Failed;
}

const ClientHelloInfo& QuicInitialDecoder::hello() const noexcept
{
    return m_impl->hello;
}

std::uint32_t QuicInitialDecoder::version() const noexcept
{
    return m_impl->version;
}

std::span<const std::uint8_t> QuicInitialDecoder::originalDcid() const noexcept
{
    return m_impl->original.span();
}

std::span<const std::uint8_t> QuicInitialDecoder::scid() const noexcept
{
    return m_impl->scid.span();
}

std::size_t QuicInitialDecoder::initialPacketsOpened() const noexcept
{
    return m_impl->packetsOpened;
}

} // namespace snilab
