// RandomForest: the paper's Random Forest classifier (docs/design.md section 4) on
// cv::ml::RTrees, with class probabilities from tree votes.
//
// Available only when the engine is built with SNILAB_WITH_OPENCV (the macro is
// then defined for every user of the engine). This header does not include
// OpenCV: the forests live behind a pimpl.
//
// Layout: the `trees` trees are trained as independent sub-forests of
// kTreesPerForest trees (the last one takes the remainder), each an RTrees
// model trained with its own seed derived from (options.seed, sub-forest
// index). Worker threads take sub-forests from a shared queue, so the trained
// model depends only on the data and the options other than `threads`: the
// same seed gives bit-identical forests and probabilities for ANY thread count
// (OpenCV's RNG is per thread; each worker sets it before each sub-forest).
// Sub-forests also bound how long a cancel request waits (one sub-forest) and
// give progress steps.
//
// Probabilities: P(class c | x) = (trees voting c) / (total trees). A class
// that no training sample had gets probability 0. Rows sum to 1.
//
// Thread: fit(), load() and setThreads() need exclusive access; predictProba(),
// save() and the accessors are const and may run concurrently with each other.
// fit() and predictProba() run their own std::threads internally.
// Failure: invalid arguments, OpenCV errors (cv::Exception) and bad model bytes
// throw ModelError, whose what() is one line saying what was wrong. A failed
// fit() or load() leaves no partially trained model behind (fit() keeps the
// previous state).
#pragma once

#include "common/feedback.h"
#include "models/model_error.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <vector>

namespace snilab {

struct RandomForestOptions {
    int trees = 250;    // total trees (>= 1)
    int maxDepth = 25;  // OpenCV caps depth at 25: 25 means "unlimited" (1..25)
    int minSamples = 1; // a node with at most this many samples is not split (>= 1)
    int activeVars = 0; // features tried per split; 0 = round(sqrt(features))
    int threads = 0;    // worker threads for fit/predict; 0 = hardware concurrency.
                        // Not part of the result: any count gives the same model.
    std::uint64_t seed = 1;
};

class RandomForest {
public:
    // Trees per independently seeded sub-forest (part of the model's
    // determinism: changing it changes which trees a seed yields).
    static constexpr int kTreesPerForest = 10;

    explicit RandomForest(RandomForestOptions options = {});
    ~RandomForest();
    RandomForest(RandomForest&&) noexcept;
    RandomForest& operator=(RandomForest&&) noexcept;
    RandomForest(const RandomForest&) = delete;
    RandomForest& operator=(const RandomForest&) = delete;

    // Trains on `rows` samples of `cols` features, row-major in `x` (finite
    // values), with classes[i] in [0, classCount). classCount >= 2, rows >= 1,
    // cols >= 1, both at most INT_MAX. `feedback` (optional) gets progress after
    // each sub-forest, from worker threads, and is polled for cancel between
    // sub-forests. Returns false when cancelled (the previous model is kept),
    // true when trained. Throws ModelError on invalid arguments or option
    // values and on OpenCV failures. The inputs are not retained.
    bool fit(const float* x, std::size_t rows, std::size_t cols, const int* classes, int classCount,
             Feedback* feedback = nullptr);

    // rows x classCount() probabilities, row-major. cols must equal
    // featureCount(); rows may be 0 (empty result). Throws ModelError when not
    // trained, on a column mismatch, or on OpenCV failures.
    std::vector<double> predictProba(const float* x, std::size_t rows, std::size_t cols) const;

    bool isTrained() const noexcept;
    int classCount() const noexcept;           // 0 when not trained
    std::size_t featureCount() const noexcept; // 0 when not trained
    int treeCount() const noexcept;            // trees in the model, 0 when not trained
    const RandomForestOptions& options() const noexcept;
    // Worker threads for later fit/predict calls (0 = hardware concurrency).
    void setThreads(int threads) noexcept;

    // The trained model as bytes: "SNRF" header (version, counts, options),
    // one OpenCV YAML document per sub-forest, and a 32-hex-digit ContentHasher
    // checksum of everything before it. YAML is large (tens
    // of MB per 100 deep trees on 100k samples) and slow; a compact encoding is
    // future work and will get a new version number. Throws ModelError when not
    // trained.
    std::vector<std::uint8_t> save() const;
    // Inverse of save(). Validates magic, checksum, version, every length and
    // count, and each sub-forest's feature count, classes and tree count; throws
    // ModelError on any mismatch or truncation. options().threads is 0.
    static RandomForest load(std::span<const std::uint8_t> bytes);

private:
    struct Impl;
    RandomForestOptions m_options;
    std::unique_ptr<Impl> m_impl; // null when not trained
};

} // namespace snilab
