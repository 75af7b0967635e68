// Draws FigureData (ui/core/run_data.h) as Qt Charts. Pure presentation:
// every value shown comes from the FigureData; nothing is computed here
// except colours and geometry.
//
// Line figures: one QLineSeries per series (points with NaN left out) plus,
// where the series has non-zero errors, a translucent band mean ± std
// (QAreaSeries named "<series> ± std"). Bar figures: one QBarSet per series
// on a category axis, side by side or (FigureData::stacked) stacked; the
// legend is shown when there are two series or more (ChartStyle::legend:
// where), values at the bars' ends on request (ChartStyle::valueLabels).
// Confusion matrices: heatmap_painter.h.
//
// ChartStyle::fontPx sets every text's pixel size (0 = the application's
// fonts): exports lay a chart out in points (1 unit = 1/72 inch) and set
// fontPx to the wanted point size, so the text has that size on paper.
//
// Thread: GUI thread (Qt Charts and painting). Failure: none.
#pragma once

#include "core/result_models.h"
#include "core/run_data.h"
#include "heatmap_painter.h"

#include <QFont>
#include <QStringList>

#include <optional>

class QChart;

namespace snilab::ui {

// Where the legend goes: Auto (below, or right of the plot for more than
// three series), inside the plot's top-right corner, right of it, below it,
// or nowhere.
enum class LegendPlace { Auto, Inside, Right, Below, None };
// "auto", "inside", "right", "below", "none".
QString legendPlaceName(LegendPlace place);
std::optional<LegendPlace> parseLegendPlace(const QString& name);
QStringList legendPlaceNames();

struct ChartStyle {
    qreal fontPx = 0; // 0 = default fonts
    LegendPlace legend = LegendPlace::Auto;
    // Each bar's value written at its end (shares with 3 significant
    // digits); the value axis gets the room for them.
    bool valueLabels = false;
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

} // namespace snilab::ui
