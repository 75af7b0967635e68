#include "features/statistics.h"

#include "common/percentile.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

namespace snilab {

namespace {

constexpr double kNsPerSecond = 1e9;

double mean(std::span<const double> values)
{
    if (values.empty())
        return 0.0;
    double sum = 0.0;
    for (double v : values)
        sum += v;
    return sum / static_cast<double>(values.size());
}

// Writes p25, p50, p75 of `values` (sorted in place) to out[0..2].
void writeQuartiles(std::vector<double>& values, double* out)
{
    std::sort(values.begin(), values.end());
    out[0] = percentileOfSorted(values, 0.25);
    out[1] = percentileOfSorted(values, 0.50);
    out[2] = percentileOfSorted(values, 0.75);
}

// Writes p25, p50, p75, max, mean, var to out[0..5].
void writeDistribution(std::vector<double>& values, double* out)
{
    out[4] = mean(values); // in time order, before sorting
    out[5] = populationVariance(values);
    writeQuartiles(values, out);
    out[3] = values.empty() ? 0.0 : values.back();
}

// Differences between consecutive (time-sorted) timestamps, in seconds.
std::vector<double> interArrivals(const std::vector<std::int64_t>& times)
{
    std::vector<double> iats;
    if (times.size() < 2)
        return iats;
    iats.reserve(times.size() - 1);
    for (std::size_t i = 1; i < times.size(); ++i)
        iats.push_back(static_cast<double>(times[i] - times[i - 1]) / kNsPerSecond);
    return iats;
}

struct DirectionValues {
    std::vector<double> sizes;
    std::vector<double> payloads;
    std::vector<std::int64_t> times;
};

std::array<std::string_view, kStatisticCount> makeNames()
{
    // Storage for the composed names; lives for the program's lifetime.
    static const std::array<std::string, kStatisticCount> storage = [] {
        std::array<std::string, kStatisticCount> names;
        std::size_t i = 0;
        const char* const distribution[] = {"p25", "p50", "p75", "max", "mean", "var"};
        const char* const quartiles[] = {"p25", "p50", "p75"};
        for (const char* dir : {"s2c", "c2s", "all"}) {
            const std::string prefix = std::string(dir) + "_";
            names[i++] = prefix + "packets_count";
            for (const char* stat : distribution)
                names[i++] = prefix + "size_" + stat;
            if (std::string_view(dir) != "all")
                for (const char* stat : distribution)
                    names[i++] = prefix + "payload_" + stat;
            for (const char* stat : quartiles)
                names[i++] = prefix + "iat_" + stat;
        }
        return names;
    }();
    std::array<std::string_view, kStatisticCount> views;
    for (std::size_t i = 0; i < kStatisticCount; ++i)
        views[i] = storage[i];
    return views;
}

} // namespace

const std::array<std::string_view, kStatisticCount>& statisticNames()
{
    static const std::array<std::string_view, kStatisticCount> names = makeNames();
    return names;
}

std::size_t statisticIndex(std::string_view name)
{
    const auto& names = statisticNames();
    return static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
}

double percentile(std::span<const double> values, double q)
{
    std::vector<double> sorted(values.begin(), values.end());
    std::sort(sorted.begin(), sorted.end());
    return percentileOfSorted(sorted, q);
}

double populationVariance(std::span<const double> values)
{
    if (values.empty())
        return 0.0;
    const double m = mean(values);
    double sum = 0.0;
    for (double v : values)
        sum += (v - m) * (v - m);
    return sum / static_cast<double>(values.size());
}

std::size_t wholeSelectionIndex(const FeatureSpec& spec) noexcept
{
    return (spec.packets == FeatureSpec::Packets::All ? 1u : 0u) |
           (spec.retransmissions == FeatureSpec::Retransmissions::Drop ? 2u : 0u);
}

std::array<double, kStatisticCount> computeStatistics(std::span<const PacketRecord> series,
                                                      const FeatureSpec& spec,
                                                      const WholeStatistics* whole,
                                                      std::uint64_t totalPackets)
{
    if (series.size() >= totalPackets)
        return computeStatistics(series, spec);
    const std::string stored = std::to_string(series.size()) + " of its " +
                               std::to_string(totalPackets) + " packets are stored";
    if (spec.window == FeatureSpec::Window::WholeConnection) {
        if (!whole)
            throw StatisticsError(stored + " and no whole-connection statistics (ingested by a "
                                           "snilab before catalog schema 7); ingest its capture "
                                           "again into a new catalog");
        return whole->values[wholeSelectionIndex(spec)];
    }
    // A window at least as long as the connection's selected packets is
    // the whole connection.
    if (whole) {
        const auto& values = whole->values[wholeSelectionIndex(spec)];
        if (values[kAllPacketsCountIndex] <= static_cast<double>(spec.windowPackets))
            return values;
    }
    if (selectPackets(series, spec).size() < spec.windowPackets)
        throw StatisticsError("the window first:" + std::to_string(spec.windowPackets) +
                              " reaches past the stored packets (" + stored +
                              "); ingest again with a larger --series-cap");
    return computeStatistics(series, spec);
}

std::array<double, kStatisticCount> computeStatistics(std::span<const PacketRecord> series,
                                                      const FeatureSpec& spec)
{
    std::vector<PacketRecord> packets = selectPackets(series, spec);
    if (spec.window == FeatureSpec::Window::FirstN && packets.size() > spec.windowPackets)
        packets.resize(spec.windowPackets);

    // dirs[0] = server->client, dirs[1] = client->server (result order).
    DirectionValues dirs[2];
    DirectionValues all;
    for (const PacketRecord& p : packets) {
        DirectionValues& d = dirs[(p.flags & PacketRecord::kClientToServer) ? 1 : 0];
        for (DirectionValues* v : {&d, &all}) {
            v->sizes.push_back(static_cast<double>(p.ipLength));
            v->payloads.push_back(static_cast<double>(p.payloadLength));
            v->times.push_back(p.tNs); // already in time order
        }
    }

    std::array<double, kStatisticCount> out{};
    std::size_t i = 0;
    for (DirectionValues& d : dirs) {
        out[i] = static_cast<double>(d.sizes.size());
        writeDistribution(d.sizes, &out[i + 1]);
        writeDistribution(d.payloads, &out[i + 7]);
        std::vector<double> iats = interArrivals(d.times);
        writeQuartiles(iats, &out[i + 13]);
        i += 16;
    }
    out[i] = static_cast<double>(all.sizes.size());
    writeDistribution(all.sizes, &out[i + 1]);
    std::vector<double> iats = interArrivals(all.times);
    writeQuartiles(iats, &out[i + 7]);
    return out;
}

} // namespace snilab
