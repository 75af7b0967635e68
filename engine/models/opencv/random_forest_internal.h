// Private to models/opencv/: the random forest's sub-forests, its model file
// layout and the helpers random_forest.cpp (training, prediction) and
// random_forest_file.cpp (save, load) share.
#pragma once

#include "models/model_bytes.h"
#include "models/random_forest.h"

#include <opencv2/core.hpp>
#include <opencv2/ml.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace snilab {

namespace forest_detail {

constexpr char kMagic[4] = {'S', 'N', 'R', 'F'};
constexpr std::uint32_t kVersion = 1;
// Trailer: ContentHasher hex digest of every byte before it. It catches
// accidental corruption inside the YAML, which OpenCV parses without checking
// node and variable indices.
constexpr std::size_t kChecksumSize = 32;
// Upper bounds checked on load, far above anything trained here, so that a
// corrupt header cannot ask for absurd allocations.
constexpr std::uint32_t kMaxClasses = 1u << 20;
constexpr std::uint32_t kMaxForests = 1u << 20;

struct Forest {
    cv::Ptr<cv::ml::RTrees> model;
    int trees = 0;
    std::vector<int> classOfColumn; // getVotes() column -> class id (its header row)
};

[[noreturn]] void fail(const std::string& what);
// cv::Exception::what() spans lines ("OpenCV(4.6.0) file:line: error: ...\n").
std::string oneLine(std::string_view text);
// The class ids of getVotes()' columns: its header row. Validated against
// classCount so that a corrupt or foreign model cannot index out of range.
std::vector<int> columnClasses(const cv::ml::RTrees& model, std::size_t cols, int classCount);
std::int32_t asI32(std::uint32_t v);
void checkOptions(const RandomForestOptions& o);

} // namespace forest_detail

struct RandomForest::Impl {
    int classCount = 0;
    std::size_t featureCount = 0;
    int trees = 0;
    std::vector<forest_detail::Forest> forests;
};

} // namespace snilab
