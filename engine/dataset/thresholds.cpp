#include "dataset/thresholds.h"

#include <algorithm>
#include <map>

namespace snilab {

std::string_view thresholdRuleName(ThresholdRule rule)
{
    return rule == ThresholdRule::MoreThan ? "more-than" : "at-least";
}

std::optional<ThresholdRule> parseThresholdRule(std::string_view text)
{
    for (auto r : {ThresholdRule::AtLeast, ThresholdRule::MoreThan})
        if (thresholdRuleName(r) == text)
            return r;
    return std::nullopt;
}

namespace {

std::string_view trimmed(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// A whole number 0..kMaxThreshold, digits only.
std::optional<int> wholeNumber(std::string_view s)
{
    s = trimmed(s);
    if (s.empty() || s.size() > 10 || s.find_first_not_of("0123456789") != std::string_view::npos)
        return std::nullopt;
    long long v = 0;
    for (char c : s)
        v = v * 10 + (c - '0');
    if (v > kMaxThreshold)
        return std::nullopt;
    return static_cast<int>(v);
}

} // namespace

std::optional<std::vector<int>> parseThresholdList(std::string_view text, std::string* error)
{
    const auto fail = [&](const std::string& why) -> std::optional<std::vector<int>> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    std::vector<int> out;
    if (trimmed(text).empty())
        return fail("no thresholds given (e.g. 100 or 100-1000/100)");
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        const std::string_view item = trimmed(text.substr(start, comma - start));
        start = comma + 1;
        if (item.empty())
            return fail("an empty item in the threshold list");
        const auto bad = [&] {
            return fail("'" + std::string(item) + "' is neither a whole number from 0 to " +
                        std::to_string(kMaxThreshold) + " nor a range like 100-1000/100");
        };
        if (const auto v = wholeNumber(item)) {
            out.push_back(*v);
            continue;
        }
        const auto dash = item.find('-'), slash = item.find('/');
        if (dash == std::string_view::npos || slash == std::string_view::npos || slash < dash)
            return bad();
        const auto from = wholeNumber(item.substr(0, dash));
        const auto to = wholeNumber(item.substr(dash + 1, slash - dash - 1));
        const auto step = wholeNumber(item.substr(slash + 1));
        if (!from || !to || !step)
            return bad();
        if (*step == 0 || *from > *to)
            return fail("range '" + std::string(item) +
                        "': FROM must not exceed TO and STEP must be at least 1");
        if ((*to - *from) / *step >= 1000)
            return fail("range '" + std::string(item) + "' gives more than 1000 thresholds");
        for (long long v = *from; v <= *to; v += *step)
            out.push_back(static_cast<int>(v));
    }
    std::sort(out.begin(), out.end());
    if (const auto dup = std::adjacent_find(out.begin(), out.end()); dup != out.end())
        return fail("threshold " + std::to_string(*dup) +
                    " is listed twice (each threshold is one row of the results)");
    return out;
}

namespace {

bool isUnlabeled(int)
{
    return false;
}
bool isUnlabeled(const std::string& label)
{
    return label.empty();
}

template <typename Label>
std::vector<Label> keptLabels(const std::vector<Label>& labels, std::size_t threshold,
                              ThresholdRule rule)
{
    std::map<Label, std::size_t> counts; // ordered: the result comes out sorted
    for (const Label& label : labels) {
        if (!isUnlabeled(label))
            ++counts[label];
    }
    std::vector<Label> kept;
    for (const auto& [label, count] : counts) {
        if (meetsThreshold(count, threshold, rule))
            kept.push_back(label);
    }
    return kept;
}

template <typename Label>
ClassSelection<Label> select(const std::vector<Label>& labels, std::size_t threshold,
                             ThresholdRule rule)
{
    ClassSelection<Label> out;
    out.classLabels = keptLabels(labels, threshold, rule);
    std::map<Label, int> ids;
    for (std::size_t i = 0; i < out.classLabels.size(); ++i)
        ids.emplace(out.classLabels[i], static_cast<int>(i));
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (isUnlabeled(labels[i]))
            continue;
        const auto it = ids.find(labels[i]);
        if (it == ids.end())
            continue;
        out.sampleIndices.push_back(i);
        out.classes.push_back(it->second);
    }
    return out;
}

} // namespace

std::vector<int> classesMeetingThreshold(const std::vector<int>& labels, std::size_t threshold,
                                         ThresholdRule rule)
{
    return keptLabels(labels, threshold, rule);
}

std::vector<std::string> classesMeetingThreshold(const std::vector<std::string>& labels,
                                                 std::size_t threshold, ThresholdRule rule)
{
    return keptLabels(labels, threshold, rule);
}

ClassSelection<int> selectClasses(const std::vector<int>& labels, std::size_t threshold,
                                  ThresholdRule rule)
{
    return select(labels, threshold, rule);
}

ClassSelection<std::string> selectClasses(const std::vector<std::string>& labels,
                                          std::size_t threshold, ThresholdRule rule)
{
    return select(labels, threshold, rule);
}

} // namespace snilab
