// The report of a finished run: one builder per file, the same bytes from
// `snilab-cli report` and from the workbench (docs/outputs.md, "Reports"):
//   run.txt          the run's row and configuration (key=value lines)
//   summary.csv      per model x threshold: classes, samples, folds, every
//                    metric's mean and std over folds
//   per_class.csv    per model x threshold x class: support, accuracy,
//                    precision, F1
//   confusion/M_TT.csv  the confusion matrix summed over folds (M file-safe)
//   predictions.csv  every test prediction (top: report/label_list.h)
//   table1.tex       the paper's Table 1 (accuracy mean +- std), LaTeX
//   epochs.csv       every epoch of every network
//
// Thread: free functions; the catalog is read on the calling thread.
// Failure: OutputConflict (an output is an input, before anything is
// written), OutputError (a file cannot be written; files already written
// stay whole), CatalogError.
#pragma once

#include "catalog/catalog.h"
#include "report/result_table.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace snilab::report {

// The models and thresholds of a grid, in the order they were run.
struct GridAxes {
    std::vector<std::string> models;
    std::vector<int> thresholds;
};
GridAxes axesOf(const std::vector<GridCell>& grid);
const std::pair<double, double>* findMetric(const GridCell& cell, const std::string& name);

// The tables of the report, as values (report/result_table.h): the files
// below and the workbench's views are these tables.
// summary.csv: per model x threshold, classes, samples, folds and every
// metric's mean and std.
ResultTable summaryTable(const std::vector<GridCell>& grid);
// One model x threshold's per-class results.
struct ClassRows {
    std::string model;
    int threshold = 0;
    std::vector<ClassResult> classes;
};
// per_class.csv: one row per model x threshold x class.
ResultTable perClassTable(const std::vector<ClassRows>& rows);
// The workbench's per-label table at one threshold: label, support, then the
// accuracy of each model (labels of the first model with results).
ResultTable perLabelTable(const std::vector<ClassRows>& models);
// confusion_<model>_T<t>.csv: one row per true label, one column per
// predicted label (both in `labels` order), the count of each pair; `counts`
// holds the non-zero cells as (true, predicted, count), others are 0.
ResultTable confusionTable(const std::vector<std::string>& labels,
                           const std::vector<std::array<std::uint64_t, 3>>& counts);
// Table 1 (table1.tex): per threshold, classes, connections and each
// model's accuracy mean ± std over folds.
ResultTable table1Table(const std::vector<GridCell>& grid);
// epochs.csv: every epoch of every network.
ResultTable epochsTable(const std::vector<EpochReport>& epochs);

// Every file writeRunReport() writes for `grid` into `out`.
std::vector<std::filesystem::path> runReportFiles(const std::vector<GridCell>& grid,
                                                  const std::filesystem::path& out);

// Writes the report of `run` (which must be finished) into `out`, created if
// missing, after refusing any output that is the catalog or its side files.
void writeRunReport(Catalog& catalog, const RunInfo& run, const std::filesystem::path& out);

} // namespace snilab::report
