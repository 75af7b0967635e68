// The value types an evaluation produces and the run registry stores
// (catalog/catalog.h) and the report module writes (report/run_report.h):
// one model at one threshold over all folds (ModelResult), its per-class
// results, its test-fold predictions, and a Table-1 cell with the metrics'
// mean and standard deviation over the folds (GridCell). They live here, below
// both catalog/ and eval/, so that neither owns the other's types.
//
// RunSink is what an evaluation writes through.
// aggregate() is the one mean/std over folds: the catalog stores what it
// returns with every metric, the report prints it.
// Thread: plain values and a pure function.
#pragma once

#include "common/feedback.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace snilab {

// Running: its process lives (or lives on another host, which cannot be
// checked). Interrupted is never stored: it is a Running run whose owner
// process is gone (killed, crashed, the machine rebooted), found when the
// run is read (common/process_identity.h).
enum class RunStatus { Running, Finished, Failed, Cancelled, Interrupted };
std::string_view runStatusName(RunStatus status);
// Inverse of runStatusName(); an unknown text reads as Failed.
RunStatus parseRunStatus(std::string_view text);

struct ClassResult {
    int classIndex = 0;
    std::string label;
    std::uint64_t support = 0; // test samples over all folds
    double accuracy = 0;       // recall of the class over all folds
    double precision = 0;
    double f1 = 0;
};

// One of a prediction's best classes: its class index and its probability
// in ten-thousandths, rounded as the four decimals of the outputs
// (report::probabilityText(); tenThousandths / 1e4 prints back the same).
struct TopClass {
    std::int32_t classIndex = 0;
    std::uint16_t tenThousandths = 0; // 0..10000
    double probability() const noexcept { return tenThousandths / 1e4; }
    bool operator==(const TopClass&) const = default;
};
// The four-decimal rounding of p in [0, 1] that "%.4f" prints.
std::uint16_t tenThousandthsOf(double p);
inline constexpr std::size_t kStoredTopClasses = 5;

struct PredictionRow {
    int fold = 0;
    std::int64_t connectionId = 0;
    int trueIndex = 0;
    int predictedIndex = 0;
    double confidence = 0; // probability of the predicted class
    // The best classes, best first: top[0..topCount). The labels are the
    // run's class labels (run_classes); the text "label:p;..." is made where
    // they are known (report/run_report.cpp).
    std::array<TopClass, kStoredTopClasses> top{};
    std::uint8_t topCount = 0;
    // A run stored before schema 7 kept that text itself: it is here (and
    // topCount is 0). Empty for every newer run.
    std::string legacyTopText;
};

// The results of one model at one threshold, all folds.
struct ModelResult {
    std::string model;
    int threshold = 0;
    int classes = 0;
    std::uint64_t samples = 0;
    int folds = 0;
    // Metric name -> value per fold (mean and population std are stored too).
    std::vector<std::pair<std::string, std::vector<double>>> foldMetrics;
    std::vector<ClassResult> classResults;
    std::vector<std::uint64_t> confusion; // classes x classes, row = true, summed over folds
    std::vector<PredictionRow> predictions;
    std::vector<EpochReport> epochs; // networks: every epoch of every fold
};

// One cell of the Table-1 grid with its aggregated metrics.
struct GridCell {
    std::string model;
    int threshold = 0;
    int classes = 0;
    std::uint64_t samples = 0;
    int folds = 0;
    std::vector<std::pair<std::string, std::pair<double, double>>> metrics; // name -> (mean, std)
};

// Mean and population standard deviation (ddof = 0, numpy's default) of
// per-fold values, e.g. each fold's accuracy. Empty input -> {0, 0}.
struct Aggregate {
    double mean = 0.0;
    double std = 0.0;
};
Aggregate aggregate(const std::vector<double>& values);

// Where an evaluation writes its run: created Running, given one ModelResult
// per model and threshold, finished once. The catalog's run registry is the
// one in production (catalog/catalog.h); errors are the sink's own
// exceptions (CatalogError for the catalog).
class RunSink {
public:
    virtual ~RunSink() = default;
    virtual std::int64_t createRun(const std::string& config, std::uint64_t seed,
                                   const std::string& dataFingerprint) = 0;
    virtual void addRunResult(std::int64_t runId, const ModelResult& result) = 0;
    virtual void finishRun(std::int64_t runId, RunStatus status, const std::string& error = {}) = 0;
};

} // namespace snilab
