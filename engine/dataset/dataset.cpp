#include "dataset/dataset.h"

#include "common/content_hash.h"
#include "features/sequences.h"
#include "features/statistics.h"
#include "flow/whole_statistics.h"

#include <map>

namespace snilab {

std::string Dataset::fingerprint() const
{
    ContentHasher hasher;
    const auto addText = [&](const std::string& text) {
        hasher.update({reinterpret_cast<const std::uint8_t*>(text.data()), text.size() + 1});
    };
    addText(options.spec.toString());
    addText(std::string(labelModeName(options.labelMode)));
    for (std::size_t i = 0; i < size(); ++i) {
        const std::int64_t id = connectionIds[i];
        hasher.update({reinterpret_cast<const std::uint8_t*>(&id), sizeof id});
        addText(labels[i]);
    }
    return hasher.finishHex();
}

Dataset loadDataset(ConnectionReader& reader, const DatasetOptions& options, Feedback& feedback)
{
    Dataset d;
    d.options = options;
    std::map<std::int64_t, int> groupOf; // capture id -> group index
    const std::size_t seqWidth = options.spec.sequenceLength * options.spec.channelCount();
    reader.forEachSeries(
        [&](const SeriesRow& r) {
            if (feedback.isCancelled())
                return;
            std::string label = normalizeLabel(r.sni, options.labelMode);
            if (label.empty() && options.labeledOnly)
                return; // e.g. an SNI of "." only
            auto [it, added] =
                groupOf.try_emplace(r.captureId, static_cast<int>(d.groupPaths.size()));
            if (added) {
                d.groupPaths.push_back(r.capturePath);
                d.groupFirstNs.push_back(r.captureFirstNs);
            }
            d.connectionIds.push_back(r.connectionId);
            d.labels.push_back(std::move(label));
            d.snis.push_back(r.sni);
            d.transports.push_back(r.transport);
            d.groups.push_back(it->second);
            if (options.statistics) {
                std::array<double, kStatisticCount> stats{};
                try {
                    stats =
                        computeStatistics(r.series, options.spec, r.whole.get(), r.totalPackets);
                } catch (const StatisticsError& e) {
                    throw StatisticsError("connection " + std::to_string(r.connectionId) + ": " +
                                          e.what());
                }
                for (double v : stats)
                    d.statistics.push_back(static_cast<float>(v));
            }
            if (options.sequences) {
                std::size_t packets = 0;
                const auto seq = computeSequence(r.series, options.spec, &packets);
                if (r.truncated() && packets < options.spec.sequenceLength)
                    throw StatisticsError(
                        "connection " + std::to_string(r.connectionId) + ": a sequence of " +
                        std::to_string(options.spec.sequenceLength) +
                        " packets reaches past its stored packets (" +
                        std::to_string(r.series.size()) + " of " + std::to_string(r.totalPackets) +
                        "); ingest again with a larger --series-cap");
                if (seq.size() == seqWidth)
                    d.sequences.insert(d.sequences.end(), seq.begin(), seq.end());
                else
                    d.sequences.resize(d.sequences.size() + seqWidth, 0.0f);
                d.sequencePackets.push_back(static_cast<std::uint32_t>(packets));
            }
            if (d.size() % 1000 == 0)
                feedback.progress(0.0, "reading connections: " + std::to_string(d.size()));
        },
        options.labeledOnly, options.transport);
    return d;
}

} // namespace snilab
