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

// Every file writeRunReport() writes for `grid` into `out`.
std::vector<std::filesystem::path> runReportFiles(const std::vector<GridCell>& grid,
                                                  const std::filesystem::path& out);

// Writes the report of `run` (which must be finished) into `out`, created if
// missing, after refusing any output that is the catalog or its side files.
void writeRunReport(Catalog& catalog, const RunInfo& run, const std::filesystem::path& out);

} // namespace snilab::report
