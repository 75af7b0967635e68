// RunData: everything the result views and figures show of one run, read
// from the catalog's run registry once (grid, per-class results and confusion
// counts of every model x threshold; not the per-connection predictions).
//
// FigureData: a chart as plain data (kind, axes, series with values and
// optional error bars) built here, in ui/core, from RunData or label counts;
// ui/charts only draws it (docs/design.md section 1: widgets never compute). The
// same FigureData feeds the GUI's charts, the exports and `snilab --figures`,
// and tests check the values here against the catalog.
//
// Thread: loadRunData() reads the catalog on the calling thread (any); the
// builders are pure functions. Failure: loadRunData() throws CatalogError
// (no such run, unreadable catalog).
#pragma once

#include "catalog/catalog.h"

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace snilab::ui {

struct RunData {
    snilab::RunInfo info;
    QStringList models;    // in the order the run lists them
    QList<int> thresholds; // ascending
    std::vector<snilab::GridCell> grid;
    std::map<std::pair<std::string, int>, std::vector<snilab::ClassResult>> classes;
    // Dense confusion (row = true class), k x k, per model x threshold.
    std::map<std::pair<std::string, int>, std::vector<quint64>> confusion;

    bool isEmpty() const { return grid.empty(); }
    const snilab::GridCell* cell(const QString& model, int threshold) const;
    // Mean and std over folds of a metric; false when the cell or metric is absent.
    bool metric(const QString& model, int threshold, const std::string& name, double* mean,
                double* std = nullptr) const;
    const std::vector<snilab::ClassResult>* classResults(const QString& model, int threshold) const;
    // Labels of the classes at a threshold (the first model's class list).
    QStringList labels(int threshold) const;
    // "Run 3 (rf; stratified, 10 folds)", "Run 4 (rf; time; QUIC only)"
    QString title() const;
};

RunData loadRunData(snilab::Catalog& catalog, std::int64_t runId);

struct FigureSeries {
    QString name;
    QList<double> values; // one per x value (Line) or category (Bar); NaN = no value
    QList<double> errors; // same length as values, or empty: no error bars
};

struct FigureData {
    enum class Kind { Line, Bar };
    QString id; // file stem for exports, e.g. "fig5_accuracy_vs_threshold"
    QString title;
    QString xTitle;
    QString yTitle;
    Kind kind = Kind::Line;
    QList<double> x;        // Line: x values
    QStringList categories; // Bar: category labels
    QList<FigureSeries> series;
    bool stacked = false; // Bar: one bar per category, the series stacked in it
    double yMin = 0;
    double yMax = 1;
    // The values are shares in [0, 1] (accuracy, F1): a line figure's value
    // axis zooms to the data, with a break mark (ChartStyle::fullRange: 0-1).
    bool share = false;
    // Bars on a logarithmic value axis (counts spanning orders of magnitude).
    bool logScale = false;
    QString emptyReason; // why the figure has no data (shown instead of a chart)

    bool isEmpty() const { return series.isEmpty(); }
    const FigureSeries* findSeries(const QString& name) const;
};

// Figure 3: the top `topN` labels by connection count (counts sorted
// descending). One series "connections"; when any label of `counts` has QUIC
// connections, two stacked series instead, "TCP" and "QUIC", whose sum is the
// label's count (so a catalog without QUIC draws as before, with no legend).
// `logScale`: the bars on a log axis.
FigureData labelCountFigure(const std::vector<snilab::LabelCount>& counts, int topN,
                            bool logScale = false);
// The labels Figure 3 leaves out, in a sentence ("The other 512 labels (not
// shown) hold 81,234 connections, 61.2 % of the labeled ones; the smallest
// has 100."); empty when it shows them all.
QString labelTailSummary(const std::vector<snilab::LabelCount>& counts, int topN);
// Figures 5, 8, 9: a metric (mean +- std over folds) vs threshold, one line per model.
FigureData accuracyVsThresholdFigure(const RunData& run, const std::string& metric = "accuracy");
// Which labels a per-label figure shows, for hundreds of classes: in what
// order (by name, worst or best accuracy of the first model first, most
// test connections first), those whose name contains `contains`
// (case-insensitive), and the first `count` of them (0 = all).
struct LabelSelection {
    enum class Order { Name, WorstFirst, BestFirst, Support };
    Order order = Order::Name;
    int count = 0;
    QString contains;
    bool operator==(const LabelSelection&) const = default;
};
// Figures 7, 10: per-label accuracy (recall) at one threshold, one bar set per
// model, over the labels `selection` picks (the title says which when it is
// not all of them: "20 worst of 532 by rf", "containing 'cdn': 12 of 532").
FigureData perLabelAccuracyFigure(const RunData& run, int threshold,
                                  const LabelSelection& selection = {});
// Figure 11: accuracy and macro precision, recall, F1 per model at one threshold.
FigureData metricBarsFigure(const RunData& run, int threshold);
// Figure 12: accuracy of each model "m" that also ran as "m+dir", without and
// with the direction channel, at one threshold (empty with a reason otherwise).
FigureData directionFigure(const RunData& run, int threshold);
// Every figure of a run, as the GUI shows them and `snilab --figures` writes
// them (per-threshold figures once per threshold; empty ones left out).
QList<FigureData> runFigures(const RunData& run);

} // namespace snilab::ui

Q_DECLARE_METATYPE(snilab::ui::FigureData)
