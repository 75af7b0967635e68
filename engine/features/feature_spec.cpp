#include "features/feature_spec.h"

#include "common/text_parse.h"

#include <algorithm>

namespace snilab {

namespace {

// Every part between `sep`s (empty ones too), trimmed, until `visit` refuses one.
template <typename Visit> bool forEachPart(std::string_view text, char sep, Visit&& visit)
{
    for (const std::string_view part : splitTrimmed(text, sep))
        if (!visit(part))
            return false;
    return true;
}

// Decimal digits only (no sign, no spaces), value in [1, max].
std::optional<std::size_t> parseCount(std::string_view text, std::size_t max)
{
    const auto value = parseNumber<std::size_t>(text);
    if (!value || *value < 1 || *value > max)
        return std::nullopt;
    return value;
}

bool fail(std::string* error, std::string message)
{
    if (error)
        *error = "feature spec: " + std::move(message);
    return false;
}

} // namespace

std::size_t FeatureSpec::channelCount() const noexcept
{
    return static_cast<std::size_t>(channels.size) + static_cast<std::size_t>(channels.payload) +
           static_cast<std::size_t>(channels.iat) + static_cast<std::size_t>(channels.direction);
}

std::string FeatureSpec::toString() const
{
    std::string out = "packets=";
    out += packets == Packets::All ? "all" : "payload";
    out += ";retrans=";
    out += retransmissions == Retransmissions::Drop ? "drop" : "keep";
    out += ";window=";
    out += window == Window::FirstN ? "first:" + std::to_string(windowPackets) : "all";
    out += ";seqlen=" + std::to_string(sequenceLength);
    out += ";channels=";
    std::string list;
    const auto add = [&list](bool on, const char* name) {
        if (!on)
            return;
        if (!list.empty())
            list += ',';
        list += name;
    };
    add(channels.size, "size");
    add(channels.payload, "payload");
    add(channels.iat, "iat");
    add(channels.direction, "dir");
    return out + list;
}

bool FeatureSpec::operator==(const FeatureSpec& other) const noexcept
{
    return packets == other.packets && retransmissions == other.retransmissions &&
           window == other.window &&
           (window == Window::WholeConnection || windowPackets == other.windowPackets) &&
           sequenceLength == other.sequenceLength && channels == other.channels;
}

namespace {

// "size,payload,iat,dir" (any non-empty subset, each at most once).
std::optional<FeatureSpec::Channels> parseChannels(std::string_view value, std::string* error)
{
    FeatureSpec::Channels channels{false, false, false, false};
    const bool ok = forEachPart(value, ',', [&](std::string_view name) {
        if (name.empty())
            return fail(error, "empty channel name in '" + std::string(value) +
                                   "' (channels needs at least one of size, payload, iat, dir)");
        bool* flag = name == "size"      ? &channels.size
                     : name == "payload" ? &channels.payload
                     : name == "iat"     ? &channels.iat
                     : name == "dir"     ? &channels.direction
                                         : nullptr;
        if (!flag)
            return fail(error, "unknown channel '" + std::string(name) +
                                   "' (expected size, payload, iat, dir)");
        if (*flag)
            return fail(error, "channel '" + std::string(name) + "' given twice");
        *flag = true;
        return true;
    });
    if (!ok)
        return std::nullopt;
    return channels;
}

} // namespace

std::optional<FeatureSpec> FeatureSpec::parse(std::string_view text, std::string* error)
{
    FeatureSpec spec;
    bool seen[5] = {false, false, false, false, false};
    static constexpr std::string_view kKeys[5] = {"packets", "retrans", "window", "seqlen",
                                                  "channels"};

    const bool ok = forEachPart(text, ';', [&](std::string_view part) {
        if (part.empty())
            return true;
        const std::size_t eq = part.find('=');
        if (eq == std::string_view::npos)
            return fail(error, "'" + std::string(part) + "' is not key=value");
        const std::string_view key = trimBlanks(part.substr(0, eq));
        const std::string_view value = trimBlanks(part.substr(eq + 1));
        const auto keyIt = std::find(std::begin(kKeys), std::end(kKeys), key);
        if (keyIt == std::end(kKeys))
            return fail(error, "unknown key '" + std::string(key) +
                                   "' (expected packets, retrans, window, seqlen, channels)");
        const auto index = static_cast<std::size_t>(keyIt - std::begin(kKeys));
        if (seen[index])
            return fail(error, "key '" + std::string(key) + "' given twice");
        seen[index] = true;
        const auto badValue = [&](const char* expected) {
            return fail(error, "bad value '" + std::string(value) + "' for " + std::string(key) +
                                   " (expected " + expected + ")");
        };

        switch (index) {
        case 0:
            if (value == "payload")
                spec.packets = Packets::PayloadOnly;
            else if (value == "all")
                spec.packets = Packets::All;
            else
                return badValue("payload or all");
            return true;
        case 1:
            if (value == "keep")
                spec.retransmissions = Retransmissions::Keep;
            else if (value == "drop")
                spec.retransmissions = Retransmissions::Drop;
            else
                return badValue("keep or drop");
            return true;
        case 2:
            if (value == "all") {
                spec.window = Window::WholeConnection;
                return true;
            }
            if (value.starts_with("first:")) {
                if (const auto n = parseCount(value.substr(6), kMaxWindowPackets)) {
                    spec.window = Window::FirstN;
                    spec.windowPackets = *n;
                    return true;
                }
            }
            return badValue("all or first:N with N from 1 to 100000000");
        case 3:
            if (const auto n = parseCount(value, kMaxSequenceLength)) {
                spec.sequenceLength = *n;
                return true;
            }
            return badValue("a whole number from 1 to 10000");
        default:
            if (const auto channels = parseChannels(value, error)) {
                spec.channels = *channels;
                return true;
            }
            return false;
        }
    });
    if (!ok)
        return std::nullopt;
    return spec;
}

std::vector<PacketRecord> selectPackets(std::span<const PacketRecord> series,
                                        const FeatureSpec& spec)
{
    std::vector<PacketRecord> out;
    out.reserve(series.size());
    for (const PacketRecord& p : series) {
        if (spec.packets == FeatureSpec::Packets::PayloadOnly && p.payloadLength == 0)
            continue;
        if (spec.retransmissions == FeatureSpec::Retransmissions::Drop &&
            (p.flags & PacketRecord::kRetransmission))
            continue;
        out.push_back(p);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const PacketRecord& a, const PacketRecord& b) { return a.tNs < b.tNs; });
    return out;
}

} // namespace snilab
