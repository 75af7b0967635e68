#include "features/sequences.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace snilab {

namespace {

constexpr double kNsPerMicrosecond = 1000.0;

void checkLayout(std::size_t values, std::size_t sequences, std::size_t sequenceLength,
                 std::size_t channels, std::span<const std::size_t> packetCounts)
{
    if (values != sequences * sequenceLength * channels)
        throw std::invalid_argument("ChannelScaler: " + std::to_string(values) +
                                    " values is not packetCounts.size() * sequenceLength * "
                                    "channels");
    for (std::size_t count : packetCounts)
        if (count > sequenceLength)
            throw std::invalid_argument("ChannelScaler: packet count " + std::to_string(count) +
                                        " exceeds the sequence length");
}

} // namespace

std::vector<std::string> sequenceChannelNames(const FeatureSpec& spec)
{
    std::vector<std::string> names;
    if (spec.channels.size)
        names.emplace_back("size");
    if (spec.channels.payload)
        names.emplace_back("payload");
    if (spec.channels.iat)
        names.emplace_back("iat");
    if (spec.channels.direction)
        names.emplace_back("dir");
    return names;
}

std::vector<bool> sizeChannelMask(const FeatureSpec& spec)
{
    std::vector<bool> mask;
    if (spec.channels.size)
        mask.push_back(true);
    if (spec.channels.payload)
        mask.push_back(true);
    if (spec.channels.iat)
        mask.push_back(false);
    if (spec.channels.direction)
        mask.push_back(false);
    return mask;
}

std::vector<float> computeSequence(std::span<const PacketRecord> series, const FeatureSpec& spec,
                                   std::size_t* packets)
{
    const std::size_t n = spec.sequenceLength;
    const std::size_t channels = spec.channelCount();
    std::vector<float> out(n * channels, 0.0f);

    std::vector<PacketRecord> selected = selectPackets(series, spec);
    const std::size_t k = std::min(n, selected.size());
    if (packets)
        *packets = k;

    const std::size_t firstRow = n - k;
    for (std::size_t i = 0; i < k; ++i) {
        const PacketRecord& p = selected[i];
        float* row = out.data() + (firstRow + i) * channels;
        std::size_t c = 0;
        if (spec.channels.size)
            row[c++] = static_cast<float>(p.ipLength);
        if (spec.channels.payload)
            row[c++] = static_cast<float>(p.payloadLength);
        if (spec.channels.iat) {
            const std::int64_t gapNs = i == 0 ? 0 : p.tNs - selected[i - 1].tNs;
            const double micros =
                static_cast<double>(std::max<std::int64_t>(gapNs, 0)) / kNsPerMicrosecond;
            row[c++] = static_cast<float>(std::log1p(micros));
        }
        if (spec.channels.direction)
            row[c++] = (p.flags & PacketRecord::kClientToServer) ? 1.0f : -1.0f;
    }
    return out;
}

ChannelScaler::ChannelScaler(std::vector<double> means, std::vector<double> stds)
    : m_means(std::move(means)), m_stds(std::move(stds))
{
    if (m_means.size() != m_stds.size())
        throw std::invalid_argument("ChannelScaler: means and stds differ in size");
    for (double& s : m_stds)
        if (!(s > 0.0) || !std::isfinite(s))
            s = 1.0;
}

void ChannelScaler::fit(std::span<const float> sequences, std::span<const std::size_t> packetCounts,
                        std::size_t sequenceLength, std::size_t channels,
                        const std::vector<bool>& scaleChannel)
{
    if (channels == 0)
        throw std::invalid_argument("ChannelScaler: no channels");
    if (!scaleChannel.empty() && scaleChannel.size() != channels)
        throw std::invalid_argument("ChannelScaler: scaleChannel needs one flag per channel");
    checkLayout(sequences.size(), packetCounts.size(), sequenceLength, channels, packetCounts);

    // Two passes (mean, then squared deviations) in double.
    std::vector<double> sums(channels, 0.0);
    std::size_t rows = 0;
    const std::size_t stride = sequenceLength * channels;
    for (std::size_t s = 0; s < packetCounts.size(); ++s) {
        const std::size_t first = sequenceLength - packetCounts[s];
        for (std::size_t t = first; t < sequenceLength; ++t)
            for (std::size_t c = 0; c < channels; ++c)
                sums[c] += static_cast<double>(sequences[s * stride + t * channels + c]);
        rows += packetCounts[s];
    }
    std::vector<double> means(channels, 0.0);
    if (rows > 0)
        for (std::size_t c = 0; c < channels; ++c)
            means[c] = sums[c] / static_cast<double>(rows);
    std::vector<double> squares(channels, 0.0);
    for (std::size_t s = 0; s < packetCounts.size(); ++s) {
        const std::size_t first = sequenceLength - packetCounts[s];
        for (std::size_t t = first; t < sequenceLength; ++t)
            for (std::size_t c = 0; c < channels; ++c) {
                const double d =
                    static_cast<double>(sequences[s * stride + t * channels + c]) - means[c];
                squares[c] += d * d;
            }
    }
    std::vector<double> stds(channels, 1.0);
    for (std::size_t c = 0; c < channels; ++c) {
        if (!scaleChannel.empty() && !scaleChannel[c]) {
            means[c] = 0.0;
            continue;
        }
        if (rows > 0) {
            const double sd = std::sqrt(squares[c] / static_cast<double>(rows));
            if (sd > 0.0 && std::isfinite(sd))
                stds[c] = sd;
        }
    }
    m_means = std::move(means);
    m_stds = std::move(stds);
}

void ChannelScaler::transform(std::span<float> sequences, std::span<const std::size_t> packetCounts,
                              std::size_t sequenceLength) const
{
    if (!fitted())
        throw std::invalid_argument("ChannelScaler: transform before fit");
    const std::size_t channels = m_means.size();
    checkLayout(sequences.size(), packetCounts.size(), sequenceLength, channels, packetCounts);
    const std::size_t stride = sequenceLength * channels;
    for (std::size_t s = 0; s < packetCounts.size(); ++s) {
        const std::size_t first = sequenceLength - packetCounts[s];
        for (std::size_t t = first; t < sequenceLength; ++t)
            for (std::size_t c = 0; c < channels; ++c) {
                float& v = sequences[s * stride + t * channels + c];
                v = static_cast<float>((static_cast<double>(v) - m_means[c]) / m_stds[c]);
            }
    }
}

} // namespace snilab
