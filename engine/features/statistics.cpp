#include "features/statistics.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

namespace snilab {

namespace {

constexpr double kNsPerSecond = 1e9;

// numpy's _lerp: a + t*(b-a), computed from b's side for t >= 0.5 (exact at t == 1).
double lerp(double a, double b, double t)
{
    const double diff = b - a;
    return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

double percentileSorted(std::span<const double> sorted, double q)
{
    if (sorted.empty())
        return 0.0;
    const double position = q * static_cast<double>(sorted.size() - 1);
    const double lowerPos = std::floor(position);
    const auto lower = static_cast<std::size_t>(lowerPos);
    const std::size_t upper = std::min(lower + 1, sorted.size() - 1);
    return lerp(sorted[lower], sorted[upper], position - lowerPos);
}

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
    out[0] = percentileSorted(values, 0.25);
    out[1] = percentileSorted(values, 0.50);
    out[2] = percentileSorted(values, 0.75);
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
    return percentileSorted(sorted, q);
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
