// Per-connection packet sequences for the sequence models (docs/design.md section 3).
//
// Packets: selectPackets(series, spec) (payload/retransmission filters, both
// directions merged by a stable sort on time), then the first
// spec.sequenceLength (n) of those; spec.window is not used here.
//
// Layout of computeSequence()'s result: time-major, n rows of C floats
// (C = spec.channelCount()), value [t][c] at index t * C + c. Channels, in this
// order, those enabled in spec.channels:
//   size     IP datagram length in bytes
//   payload  TCP payload length in bytes
//   iat      log1p(time since the previous selected packet, in microseconds);
//            0 for the first packet (the sort makes it never negative)
//   dir      +1 client->server, -1 server->client
// LEFT-padded: with k < n packets the first n - k rows are all 0 (dir 0 is
// padding only), the packets occupy rows n-k..n-1.
//
// Size channels are standardised later with a ChannelScaler fitted on the
// training fold only; nothing here is scaled.
//
// Thread: computeSequence and the const ChannelScaler members are safe from
// any thread; fit() mutates the scaler. Failure: dimension mismatches given to
// ChannelScaler are programming errors and throw std::invalid_argument.
#pragma once

#include "features/feature_spec.h"
#include "flow/connection.h"

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace snilab {

// Names of the enabled channels in layout order: "size", "payload", "iat", "dir".
std::vector<std::string> sequenceChannelNames(const FeatureSpec& spec);

// n * C floats, time-major (see above). `packets`, if given, receives the
// number of real (non-padding) rows, min(n, selected packets).
std::vector<float> computeSequence(std::span<const PacketRecord> series, const FeatureSpec& spec,
                                   std::size_t* packets = nullptr);

// Per-channel standardisation (x - mean) / std fitted over the real rows of a
// set of sequences; padding rows are ignored by fit() and stay exactly 0 after
// transform(). Mean and std are population statistics over all real rows of
// all sequences; a channel with std 0 (or no real rows) gets std 1, and no
// real rows gives mean 0. Channels not chosen for scaling get mean 0, std 1
// (identity).
class ChannelScaler {
public:
    ChannelScaler() = default;
    // Restores a fitted scaler (e.g. from a stored model); sizes must match.
    ChannelScaler(std::vector<double> means, std::vector<double> stds);

    // `sequences`: count sequences back to back, each sequenceLength * channels
    // floats time-major; packetCounts[i] = real rows of sequence i (<= sequenceLength),
    // the last rows of it (left padding). `scaleChannel` empty = scale every
    // channel, else one flag per channel (see sizeChannelMask()).
    void fit(std::span<const float> sequences, std::span<const std::size_t> packetCounts,
             std::size_t sequenceLength, std::size_t channels,
             const std::vector<bool>& scaleChannel = {});

    // In place, same layout as fit(); padding rows are left untouched (0).
    // Throws std::invalid_argument if the scaler is not fitted or sizes mismatch.
    void transform(std::span<float> sequences, std::span<const std::size_t> packetCounts,
                   std::size_t sequenceLength) const;

    bool fitted() const noexcept { return !m_means.empty(); }
    std::size_t channels() const noexcept { return m_means.size(); }
    const std::vector<double>& means() const noexcept { return m_means; }
    const std::vector<double>& stds() const noexcept { return m_stds; }

private:
    std::vector<double> m_means;
    std::vector<double> m_stds;
};

// One flag per enabled channel of `spec`: true for size and payload (the
// channels docs/design.md section 3 standardises), false for iat and dir.
std::vector<bool> sizeChannelMask(const FeatureSpec& spec);

} // namespace snilab
