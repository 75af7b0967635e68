// Writing a small model file from a catalog, as `snilab-cli train` does
// (engine loadDataset -> selectClasses -> ModelSet::fit -> writeModelFile),
// for the screenshot mode's prediction view and the GUI tests when no model
// file is given. Plain C++ on the engine (no Qt).
//
// Thread: runs on the calling thread (the forest uses its own workers).
// Failure: throws ModelError (plan, model failures, fewer than 2 classes at
// the threshold) or CatalogError; returns false when cancelled (nothing
// written).
#pragma once

#include "common/feedback.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace snilab::ui {

struct ModelTrainingOptions {
    std::vector<std::string> models = {"rf"};
    int threshold = 20; // classes with at least this many labeled connections
    int trees = 30;
    int epochs = 10; // networks only
    int threads = 0; // 0 = hardware concurrency
    std::uint64_t seed = 1;
};

bool trainModelFile(const std::filesystem::path& catalogPath, const std::filesystem::path& out,
                    const ModelTrainingOptions& options, snilab::Feedback& feedback);

} // namespace snilab::ui
