#include "dataset/splits.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

namespace snilab {
namespace {

// Absorbs rounding in fraction * count (0.07 * 100 is 7.000000000000001 in double).
constexpr double kCountTolerance = 1e-9;

SplitResult failure(std::string message)
{
    SplitResult r;
    r.error = std::move(message);
    return r;
}

// Builds k folds from a per-sample test-fold assignment.
std::vector<Fold> foldsFromAssignment(const std::vector<std::size_t>& foldOf, std::size_t k)
{
    std::vector<Fold> folds(k);
    for (std::size_t i = 0; i < foldOf.size(); ++i) {
        for (std::size_t f = 0; f < k; ++f) {
            if (foldOf[i] == f)
                folds[f].test.push_back(i);
            else
                folds[f].train.push_back(i);
        }
    }
    return folds;
}

} // namespace

std::uint64_t uniformBelow(std::mt19937_64& rng, std::uint64_t bound)
{
    if (bound == 0)
        return 0;
    // (2^64 - bound) % bound, computed in 64-bit unsigned arithmetic.
    const std::uint64_t reject = (0 - bound) % bound;
    for (;;) {
        const std::uint64_t r = rng();
        if (r >= reject)
            return r % bound;
    }
}

void seededShuffle(std::vector<std::size_t>& values, std::mt19937_64& rng)
{
    for (std::size_t i = values.size(); i > 1; --i) {
        const std::size_t j = static_cast<std::size_t>(uniformBelow(rng, i));
        std::swap(values[i - 1], values[j]);
    }
}

SplitResult stratifiedKFold(const std::vector<int>& classes, int k, std::uint64_t seed)
{
    if (k < 2)
        return failure("stratified k-fold needs k >= 2, got " + std::to_string(k));
    const auto folds = static_cast<std::size_t>(k);
    if (classes.size() < folds)
        return failure("stratified k-fold: " + std::to_string(classes.size()) +
                       " samples are fewer than k = " + std::to_string(k));

    std::map<int, std::vector<std::size_t>> byClass; // ascending class order
    for (std::size_t i = 0; i < classes.size(); ++i)
        byClass[classes[i]].push_back(i);

    std::mt19937_64 rng(seed);
    std::vector<std::size_t> foldOf(classes.size());
    std::size_t dealt = 0;
    for (auto& [cls, members] : byClass) {
        seededShuffle(members, rng);
        for (const std::size_t index : members)
            foldOf[index] = dealt++ % folds;
    }
    SplitResult r;
    r.folds = foldsFromAssignment(foldOf, folds);
    return r;
}

SplitResult groupedKFold(const std::vector<int>& groups, int k, std::uint64_t seed)
{
    if (k < 2)
        return failure("grouped k-fold needs k >= 2, got " + std::to_string(k));
    const auto folds = static_cast<std::size_t>(k);

    std::map<int, std::size_t> sizes; // ascending group id
    for (const int g : groups)
        ++sizes[g];
    if (sizes.size() < folds)
        return failure("grouped k-fold: " + std::to_string(sizes.size()) +
                       " groups are fewer than k = " + std::to_string(k));

    std::vector<int> ids;
    std::vector<std::size_t> order;
    for (const auto& [g, size] : sizes) {
        order.push_back(ids.size());
        ids.push_back(g);
    }
    std::mt19937_64 rng(seed);
    seededShuffle(order, rng);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return sizes.at(ids[a]) > sizes.at(ids[b]);
    });

    std::map<int, std::size_t> foldOfGroup;
    std::vector<std::size_t> load(folds, 0);
    for (const std::size_t gi : order) {
        const auto smallest = static_cast<std::size_t>(std::min_element(load.begin(), load.end()) -
                                                       load.begin()); // first minimum
        foldOfGroup[ids[gi]] = smallest;
        load[smallest] += sizes.at(ids[gi]);
    }

    std::vector<std::size_t> foldOf(groups.size());
    for (std::size_t i = 0; i < groups.size(); ++i)
        foldOf[i] = foldOfGroup.at(groups[i]);
    SplitResult r;
    r.folds = foldsFromAssignment(foldOf, folds);
    return r;
}

SplitResult timeSplit(const std::vector<std::int64_t>& groupTime, const std::vector<int>& groups,
                      double trainFraction)
{
    if (groupTime.size() != groups.size())
        return failure("time split: " + std::to_string(groupTime.size()) + " times for " +
                       std::to_string(groups.size()) + " samples");
    if (!(trainFraction > 0.0 && trainFraction < 1.0))
        return failure("time split: train fraction must be in (0, 1), got " +
                       std::to_string(trainFraction));

    struct GroupInfo {
        std::int64_t time = std::numeric_limits<std::int64_t>::max();
        std::size_t size = 0;
    };
    std::map<int, GroupInfo> info;
    for (std::size_t i = 0; i < groups.size(); ++i) {
        GroupInfo& g = info[groups[i]];
        g.time = std::min(g.time, groupTime[i]);
        ++g.size;
    }
    if (info.size() < 2)
        return failure("time split needs at least 2 groups, got " + std::to_string(info.size()));

    std::vector<std::pair<std::int64_t, int>> ordered; // (time, group id)
    for (const auto& [g, gi] : info)
        ordered.emplace_back(gi.time, g);
    std::sort(ordered.begin(), ordered.end());

    const double target = trainFraction * static_cast<double>(groups.size());
    std::size_t bestPrefix = 1;
    double bestDistance = std::numeric_limits<double>::infinity();
    std::size_t cumulative = 0;
    for (std::size_t p = 1; p < ordered.size(); ++p) { // p groups in train, at least 1 in test
        cumulative += info.at(ordered[p - 1].second).size;
        const double distance = std::fabs(static_cast<double>(cumulative) - target);
        if (distance < bestDistance) {
            bestDistance = distance;
            bestPrefix = p;
        }
    }

    std::map<int, bool> inTrain;
    for (std::size_t p = 0; p < ordered.size(); ++p)
        inTrain[ordered[p].second] = p < bestPrefix;
    SplitResult r;
    r.folds.resize(1);
    for (std::size_t i = 0; i < groups.size(); ++i) {
        if (inTrain.at(groups[i]))
            r.folds[0].train.push_back(i);
        else
            r.folds[0].test.push_back(i);
    }
    return r;
}

ValidationSplit stratifiedValidationSplit(const std::vector<int>& classes,
                                          const std::vector<std::size_t>& trainIndices,
                                          double fraction, std::uint64_t seed)
{
    ValidationSplit out;
    if (!(fraction >= 0.0 && fraction < 1.0)) {
        out.error = "validation split: fraction must be in [0, 1), got " + std::to_string(fraction);
        return out;
    }
    std::vector<bool> seen(classes.size(), false);
    std::map<int, std::vector<std::size_t>> byClass; // ascending class order
    for (const std::size_t index : trainIndices) {
        if (index >= classes.size()) {
            out.error = "validation split: index " + std::to_string(index) + " out of range (" +
                        std::to_string(classes.size()) + " samples)";
            return out;
        }
        if (seen[index]) {
            out.error = "validation split: index " + std::to_string(index) + " repeated";
            return out;
        }
        seen[index] = true;
        byClass[classes[index]].push_back(index);
    }

    struct Share {
        int cls = 0;
        std::size_t size = 0;
        std::size_t take = 0;
        double remainder = 0.0;
    };
    std::vector<Share> shares;
    std::size_t allocated = 0;
    for (auto& [cls, members] : byClass) {
        std::sort(members.begin(), members.end());
        const double quota = fraction * static_cast<double>(members.size());
        const double whole = std::floor(quota + kCountTolerance);
        Share s;
        s.cls = cls;
        s.size = members.size();
        s.take = std::min(static_cast<std::size_t>(whole), members.size() - 1);
        s.remainder = std::max(0.0, quota - whole);
        allocated += s.take;
        shares.push_back(s);
    }
    const auto wanted = static_cast<std::size_t>(
        std::ceil(fraction * static_cast<double>(trainIndices.size()) - kCountTolerance));
    std::vector<std::size_t> order(shares.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (shares[a].remainder != shares[b].remainder)
            return shares[a].remainder > shares[b].remainder;
        return shares[a].size > shares[b].size; // then ascending class id (stable)
    });
    bool progress = true;
    while (allocated < wanted && progress) {
        progress = false;
        for (const std::size_t i : order) {
            if (allocated >= wanted)
                break;
            if (shares[i].take + 1 < shares[i].size) {
                ++shares[i].take;
                ++allocated;
                progress = true;
            }
        }
    }

    std::mt19937_64 rng(seed);
    for (const Share& s : shares) {
        std::vector<std::size_t>& members = byClass.at(s.cls);
        seededShuffle(members, rng);
        out.validation.insert(out.validation.end(), members.begin(),
                              members.begin() + static_cast<std::ptrdiff_t>(s.take));
        out.fit.insert(out.fit.end(), members.begin() + static_cast<std::ptrdiff_t>(s.take),
                       members.end());
    }
    std::sort(out.validation.begin(), out.validation.end());
    std::sort(out.fit.begin(), out.fit.end());
    return out;
}

} // namespace snilab
