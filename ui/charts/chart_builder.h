// Draws FigureData (ui/core/run_data.h) as Qt Charts and confusion matrices
// as heatmaps. Pure presentation: every value shown comes from the
// FigureData or the ConfusionMatrixModel; nothing is computed here except
// colours and geometry.
//
// Line figures: one QLineSeries per series (points with NaN left out) plus,
// where the series has non-zero errors, a translucent band mean ± std
// (QAreaSeries named "<series> ± std"). Bar figures: one QBarSet per series
// on a category axis, side by side or (FigureData::stacked) stacked; the
// legend is shown when there are two series or more.
//
// ChartStyle::fontPx sets every text's pixel size (0 = the application's
// fonts): exports lay a chart out in points (1 unit = 1/72 inch) and set
// fontPx to the wanted point size, so the text has that size on paper.
//
// Thread: GUI thread (Qt Charts and painting). Failure: none.
#pragma once

#include "core/result_models.h"
#include "core/run_data.h"

#include <QFont>
#include <QRectF>

class QChart;
class QPainter;

namespace snilab::ui {

struct ChartStyle {
    qreal fontPx = 0; // 0 = default fonts
    bool legend = true;
    // Share axes (FigureData::share) of line figures from 0 to 1 instead of
    // zoomed to the data.
    bool fullRange = false;
};

// A new chart (caller owns it) showing `figure`.
QChart* buildChart(const FigureData& figure, const ChartStyle& style = {});

// Whether buildChart() lays a bar figure's bars horizontally, categories down
// the left: when there are more than 8 categories, or when a category label in
// `labelFont` is too wide for a vertical bar's share of a 420 px axis (Qt
// Charts gives each label 1/(categories + 1) of the axis, less its padding,
// and elides a longer one).
bool horizontalBars(const FigureData& figure, const QFont& labelFont);
// How much taller (in the chart's units) `chart`, laid out, must be for every
// category label of its horizontal bars to have a text line of its own (the
// labels are drawn by snilab, whole; see chart_builder.cpp); 0 when they fit
// or the chart has none. Exports grow the figure's height by it.
qreal categoryLabelDeficit(const QChart* chart);
// The chart height (px, default fonts) at which every category of horizontal
// bars has a text line of its own, or a readable bar per series when several
// stand side by side. 0 for figures without horizontal bars. FigureView keeps
// its chart at least this tall (and scrolls).
int readableChartHeight(const FigureData& figure);

struct HeatmapStyle {
    qreal fontPx = 9;
    QString title;
    bool labels = true; // draw row/column labels (when cells are big enough)
};
// Paints the confusion matrix into `area`, centred: title; square cells
// coloured by the row fraction; row and column labels (true class down the
// left, predicted along the top) when a cell is at least a text line tall;
// counts in cells wide enough for them; the axis titles "True label" and
// "Predicted label"; a colour bar with ticks every quarter and its quantity
// (the share of the true label's connections). Nothing is drawn outside
// `area`.
void paintHeatmap(QPainter& painter, const QRectF& area, const ConfusionMatrixModel& matrix,
                  const HeatmapStyle& style);
// The colour of a row fraction in [0, 1] (white -> dark blue).
QColor heatColor(double fraction);

} // namespace snilab::ui
