#include "eval/thresholds.h"

#include <map>

namespace snilab {
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
