#include "dataset/thresholds.h"

#include "common/text_parse.h"

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

// A whole number 0..kMaxThreshold, digits only.
std::optional<int> wholeNumber(std::string_view s)
{
    const auto v = parseNumber<unsigned>(trimBlanks(s));
    if (!v || *v > static_cast<unsigned>(kMaxThreshold))
        return std::nullopt;
    return static_cast<int>(*v);
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
    if (trimBlanks(text).empty())
        return fail("no thresholds given (e.g. 100 or 100-1000/100)");
    for (const std::string_view item : splitTrimmed(text)) {
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
