#include "flow/connection.h"

#include <arpa/inet.h>

namespace snilab {

std::string_view closeReasonName(CloseReason reason)
{
    switch (reason) {
    case CloseReason::Fin: return "fin";
    case CloseReason::Rst: return "rst";
    case CloseReason::Idle: return "idle";
    case CloseReason::NewSyn: return "new-syn";
    case CloseReason::Evicted: return "evicted";
    case CloseReason::EndOfCapture: return "end-of-capture";
    case CloseReason::NewInitial: return "new-initial";
    }
    return "unknown";
}

std::string_view transportName(Transport transport)
{
    return transport == Transport::Quic ? "quic" : "tcp";
}

std::optional<Transport> parseTransport(std::string_view text)
{
    for (const auto t : {Transport::Tcp, Transport::Quic})
        if (transportName(t) == text)
            return t;
    return std::nullopt;
}

std::string_view transportFilterName(TransportFilter filter)
{
    switch (filter) {
    case TransportFilter::Tcp: return "tcp";
    case TransportFilter::Quic: return "quic";
    case TransportFilter::All: break;
    }
    return "all";
}

std::optional<TransportFilter> parseTransportFilter(std::string_view text)
{
    for (const auto f : {TransportFilter::All, TransportFilter::Tcp, TransportFilter::Quic})
        if (transportFilterName(f) == text)
            return f;
    return std::nullopt;
}

std::string formatIp(const IpAddress& ip)
{
    if (ip.isV4()) {
        // Dotted quad by hand: inet_ntop goes through sprintf, a hot spot when
        // a batch of connections is stored.
        std::string out;
        out.reserve(15);
        for (int i = 12; i < 16; ++i) {
            const unsigned v = ip.bytes[static_cast<std::size_t>(i)];
            if (v >= 100)
                out.push_back(static_cast<char>('0' + v / 100));
            if (v >= 10)
                out.push_back(static_cast<char>('0' + v / 10 % 10));
            out.push_back(static_cast<char>('0' + v % 10));
            if (i != 15)
                out.push_back('.');
        }
        return out;
    }
    char buf[INET6_ADDRSTRLEN] = {0};
    inet_ntop(AF_INET6, ip.bytes.data(), buf, sizeof buf);
    return buf;
}

std::string quicVersionText(std::uint32_t version)
{
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "0x";
    for (int shift = 28; shift >= 0; shift -= 4)
        out += kHex[(version >> shift) & 0xf];
    return out;
}

} // namespace snilab
