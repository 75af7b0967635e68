#include "eval/metrics.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace snilab {
namespace {

// True when class a (score sa) ranks before class b (score sb): higher score
// first, NaN last, ties by lower class id.
bool ranksBefore(double sa, std::size_t a, double sb, std::size_t b)
{
    const bool nanA = std::isnan(sa);
    const bool nanB = std::isnan(sb);
    if (nanA != nanB)
        return nanB;
    if (!nanA && sa != sb)
        return sa > sb;
    return a < b;
}

std::size_t argmaxRow(const double* row, std::size_t k)
{
    std::size_t best = 0;
    for (std::size_t c = 1; c < k; ++c) {
        if (ranksBefore(row[c], c, row[best], best))
            best = c;
    }
    return best;
}

double ratio(std::uint64_t num, std::uint64_t den)
{
    return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den);
}

} // namespace

std::vector<int> predictClasses(const std::vector<double>& scores, int classCount)
{
    std::vector<int> out;
    if (classCount < 1)
        return out;
    const auto k = static_cast<std::size_t>(classCount);
    const std::size_t rows = scores.size() / k;
    out.reserve(rows);
    for (std::size_t i = 0; i < rows; ++i)
        out.push_back(static_cast<int>(argmaxRow(scores.data() + i * k, k)));
    return out;
}

std::vector<int> topClasses(const double* row, int classCount, int n)
{
    std::vector<int> order(static_cast<std::size_t>(std::max(classCount, 0)));
    for (int c = 0; c < classCount; ++c)
        order[static_cast<std::size_t>(c)] = c;
    const auto take = static_cast<std::ptrdiff_t>(std::clamp(n, 0, std::max(classCount, 0)));
    std::partial_sort(order.begin(), order.begin() + take, order.end(),
                      [&](int a, int b) { return row[a] != row[b] ? row[a] > row[b] : a < b; });
    order.resize(static_cast<std::size_t>(take));
    return order;
}

PerClass perClassMetrics(const std::vector<std::uint64_t>& confusion, std::size_t k)
{
    PerClass out;
    out.support.assign(k, 0);
    out.predicted.assign(k, 0);
    out.recall.assign(k, 0.0);
    out.precision.assign(k, 0.0);
    out.f1.assign(k, 0.0);
    if (confusion.size() < k * k)
        return out;
    for (std::size_t t = 0; t < k; ++t)
        for (std::size_t p = 0; p < k; ++p) {
            out.support[t] += confusion[t * k + p];
            out.predicted[p] += confusion[t * k + p];
        }
    for (std::size_t c = 0; c < k; ++c) {
        const std::uint64_t tp = confusion[c * k + c];
        const double p = ratio(tp, out.predicted[c]);
        const double r = ratio(tp, out.support[c]);
        out.precision[c] = p;
        out.recall[c] = r;
        out.f1[c] = p + r > 0.0 ? 2.0 * p * r / (p + r) : 0.0;
    }
    return out;
}

MetricCounts::MetricCounts(int classCount) : m_classes(classCount)
{
    if (classCount >= 1) {
        const auto k = static_cast<std::size_t>(classCount);
        m_confusion.assign(k * k, 0);
        m_topHits.assign(std::min(k, kMaxTopK), 0);
    }
}

bool MetricCounts::add(const int* trueClasses, std::size_t n, const double* scores,
                       std::string* error)
{
    if (m_classes < 1) {
        if (error)
            *error = "metrics need at least 1 class, got " + std::to_string(m_classes);
        return false;
    }
    const auto k = static_cast<std::size_t>(m_classes);
    for (std::size_t i = 0; i < n; ++i) {
        if (trueClasses[i] < 0 || trueClasses[i] >= m_classes) {
            if (error)
                *error = "metrics: sample " + std::to_string(m_samples + i) + " has class " +
                         std::to_string(trueClasses[i]) + " outside 0.." +
                         std::to_string(m_classes - 1);
            return false;
        }
    }
    const std::size_t topCount = m_topHits.size();
    for (std::size_t i = 0; i < n; ++i) {
        const double* row = scores + i * k;
        const auto t = static_cast<std::size_t>(trueClasses[i]);
        ++m_confusion[t * k + argmaxRow(row, k)];
        std::size_t rank = 0; // classes ranked before the true one
        for (std::size_t c = 0; c < k && rank < topCount; ++c) {
            if (c != t && ranksBefore(row[c], c, row[t], t))
                ++rank;
        }
        for (std::size_t j = rank; j < topCount; ++j)
            ++m_topHits[j];
    }
    m_samples += n;
    return true;
}

std::optional<Metrics> MetricCounts::metrics(std::string* error) const
{
    const auto fail = [&](std::string message) -> std::optional<Metrics> {
        if (error)
            *error = std::move(message);
        return std::nullopt;
    };
    if (m_classes < 1)
        return fail("metrics need at least 1 class, got " + std::to_string(m_classes));
    if (m_samples == 0)
        return fail("metrics need at least 1 sample");
    const auto k = static_cast<std::size_t>(m_classes);
    Metrics m;
    m.confusion = m_confusion;
    const PerClass perClass = perClassMetrics(m.confusion, k);
    m.support = perClass.support;
    m.perClassAccuracy = perClass.recall;
    m.perClassPrecision = perClass.precision;
    m.perClassF1 = perClass.f1;
    std::uint64_t correct = 0;
    std::size_t present = 0;
    for (std::size_t c = 0; c < k; ++c) {
        correct += m.confusion[c * k + c];
        const double w = static_cast<double>(m.support[c]);
        m.weightedPrecision += w * perClass.precision[c];
        m.weightedRecall += w * perClass.recall[c];
        m.weightedF1 += w * perClass.f1[c];
        if (m.support[c] > 0 || perClass.predicted[c] > 0) {
            ++present;
            m.macroPrecision += perClass.precision[c];
            m.macroRecall += perClass.recall[c];
            m.macroF1 += perClass.f1[c];
        }
    }
    const double total = static_cast<double>(m_samples);
    m.accuracy = static_cast<double>(correct) / total;
    m.weightedPrecision /= total;
    m.weightedRecall /= total;
    m.weightedF1 /= total;
    // present >= 1: n >= 1 puts at least one class in y_true.
    m.macroPrecision /= static_cast<double>(present);
    m.macroRecall /= static_cast<double>(present);
    m.macroF1 /= static_cast<double>(present);

    m.topK.reserve(m_topHits.size());
    for (const std::uint64_t hits : m_topHits)
        m.topK.push_back(static_cast<double>(hits) / total);
    return m;
}

std::optional<Metrics> computeMetrics(const std::vector<int>& trueClasses,
                                      const std::vector<double>& scores, int classCount,
                                      std::string* error)
{
    const auto fail = [&](std::string message) -> std::optional<Metrics> {
        if (error)
            *error = std::move(message);
        return std::nullopt;
    };
    if (classCount < 1)
        return fail("metrics need at least 1 class, got " + std::to_string(classCount));
    const auto k = static_cast<std::size_t>(classCount);
    const std::size_t n = trueClasses.size();
    if (n == 0)
        return fail("metrics need at least 1 sample");
    if (scores.size() / k != n || scores.size() % k != 0)
        return fail("metrics: " + std::to_string(scores.size()) + " scores for " +
                    std::to_string(n) + " samples x " + std::to_string(k) + " classes");
    MetricCounts counts(classCount);
    if (!counts.add(trueClasses.data(), n, scores.data(), error))
        return std::nullopt;
    return counts.metrics(error);
}

} // namespace snilab
