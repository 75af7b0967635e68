// The run registry of a catalog: evaluation runs and their results. A run is
// created Running, owned by the calling process, receives results, then is
// finished once; finished runs and their results are immutable (SQLite
// triggers refuse changes); a run can be deleted whole unless its process is
// still running. Evaluation writes through it as a RunSink (common/results.h).
//
// Thread: may be shared by threads; every call holds the Database's mutex.
// Failure: SQLite errors throw CatalogError.
#pragma once

#include "catalog/catalog_rows.h"
#include "common/results.h"

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace snilab {

class Database;

class RunRegistry final : public RunSink {
public:
    explicit RunRegistry(Database& db) : m_db(db) {}

    std::int64_t createRun(const std::string& config, std::uint64_t seed,
                           const std::string& dataFingerprint) override;
    // Stores one model x threshold result in one transaction.
    void addRunResult(std::int64_t runId, const ModelResult& result) override;
    void finishRun(std::int64_t runId, RunStatus status, const std::string& error = {}) override;
    // Every run, ascending id.
    std::vector<RunInfo> all();
    std::optional<RunInfo> find(std::int64_t runId);
    // Returns false when there is no such run; throws CatalogError for a run
    // whose process is still running, and for one whose process cannot be
    // checked (another host) unless `evenIfUnverifiable`.
    bool deleteRun(std::int64_t runId, bool evenIfUnverifiable = false);
    std::vector<GridCell> runGrid(std::int64_t runId);
    std::vector<ClassResult> runClasses(std::int64_t runId, const std::string& model,
                                        int threshold);
    // Confusion counts (true, predicted, count) of the non-zero cells.
    std::vector<std::array<std::uint64_t, 3>> runConfusion(std::int64_t runId,
                                                           const std::string& model, int threshold);
    // Training history of the run's networks, by model, threshold, fold, epoch.
    std::vector<EpochReport> runEpochs(std::int64_t runId);
    void forEachRunPrediction(std::int64_t runId,
                              const std::function<void(const std::string& model, int threshold,
                                                       const PredictionRow&)>& visit);

private:
    Database& m_db;
};

} // namespace snilab
