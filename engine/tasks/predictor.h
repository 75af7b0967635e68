// Classifying new captures with a model file (the engine half of
// `snilab-cli predict` and the workbench's prediction view): the captures are
// ingested into a temporary catalog (removed afterwards), every TCP
// connection - with or without an SNI - gets the chosen model's probabilities,
// and the true label is filled in where the SNI gives one.
//
// Thread: runs on the calling thread (ingest and models use their own
// threads). Failure: ModelError for an unknown model name; unreadable
// captures are reported per file in PredictionOutcome::files (the readable
// ones are still classified); CatalogError if the temporary catalog fails.
// A cancelled run returns cancelled = true and no rows.
#pragma once

#include "common/feedback.h"
#include "ingest/ingester.h"
#include "models/model_file.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace snilab {

struct PredictionOptions {
    std::string use; // model or ensemble of the file; "" = its primary
    int topK = 3;    // labels kept per row (1..1000)
    int threads = 0; // ingest and model threads; 0 = hardware concurrency
    TransportFilter transport = TransportFilter::All; // which connections are classified
    // Where the file's networks run: auto (CUDA when LibTorch sees a GPU),
    // cpu or cuda. A model trained on a GPU predicts on a CPU and back.
    // predictCaptures() takes the model as it is: the caller moves it first
    // (ModelSet::setDevice, as snilab-cli predict does).
    std::string device = "auto";
    int decimals = 4; // of the probabilities the CSV writes (1..17)

    // "" when every value is in range, else the first problem, naming the
    // CLI option ("--top must be between 1 and 1000").
    std::string validate() const;
};

struct PredictedConnection {
    ConnectionRow connection; // endpoints, times, SNI, ECH, ...
    std::string trueLabel;    // the SNI under the model's label mode ("" = none)
    bool knownClass = false;  // trueLabel is one of the model's classes
    std::string predicted;    // best label
    double probability = 0;   // of `predicted`
    std::vector<std::pair<std::string, double>> top; // best first, topK entries
    bool correct() const { return knownClass && predicted == trueLabel; }
};

struct PredictionOutcome {
    bool cancelled = false;
    std::string model; // the model or ensemble used
    std::vector<IngestFileResult> files;
    std::vector<PredictedConnection> rows; // by capture path, then start time
    std::uint64_t withSni = 0;
    std::uint64_t withEch = 0;
    std::uint64_t known = 0;   // rows whose true label is one of the model's classes
    std::uint64_t correct = 0; // of those, predicted right
    double accuracy() const
    {
        return known ? static_cast<double>(correct) / static_cast<double>(known) : 0.0;
    }
};

PredictionOutcome predictCaptures(const ModelFile& model,
                                  const std::vector<std::filesystem::path>& captures,
                                  const PredictionOptions& options, Feedback& feedback);

} // namespace snilab
