#include "chart_builder.h"

#include <QAreaSeries>
#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QFontMetricsF>
#include <QGraphicsLineItem>
#include <QGraphicsPathItem>
#include <QGraphicsRectItem>
#include <QGraphicsSimpleTextItem>
#include <QHorizontalBarSeries>
#include <QHorizontalStackedBarSeries>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPainter>
#include <QPainterPath>
#include <QScatterSeries>
#include <QStackedBarSeries>
#include <QValueAxis>
#include <QtMath>

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

namespace snilab::ui {

namespace {

QFont styled(QFont font, qreal px, bool bold = false)
{
    if (px > 0)
        font.setPixelSize(std::max(1, qRound(px)));
    font.setBold(bold);
    return font;
}

void styleAxis(QAbstractAxis* axis, const ChartStyle& style, const QString& title)
{
    axis->setTitleText(title);
    if (style.fontPx > 0) {
        axis->setLabelsFont(styled(axis->labelsFont(), style.fontPx * 0.9));
        axis->setTitleFont(styled(axis->titleFont(), style.fontPx));
    }
}

// Okabe and Ito's colour-blind-safe palette (blue, vermillion, bluish green,
// orange, reddish purple, sky blue, yellow, black). Lines also differ by
// marker shape and dash pattern (seriesMarker(), seriesDash()), so that they
// stay apart in greyscale print, where some of these colours meet.
const QColor kPalette[] = {QColor(0x00, 0x72, 0xb2), QColor(0xd5, 0x5e, 0x00),
                           QColor(0x00, 0x9e, 0x73), QColor(0xe6, 0x9f, 0x00),
                           QColor(0xcc, 0x79, 0xa7), QColor(0x56, 0xb4, 0xe9),
                           QColor(0xf0, 0xe4, 0x42), QColor(0x00, 0x00, 0x00)};

QColor paletteColor(qsizetype i)
{
    return kPalette[static_cast<std::size_t>(i) % std::size(kPalette)];
}

// A chart with the figure's title, fonts and legend placement, no series yet.
QScatterSeries::MarkerShape seriesMarker(qsizetype i)
{
    constexpr QScatterSeries::MarkerShape shapes[] = {
        QScatterSeries::MarkerShapeCircle, QScatterSeries::MarkerShapeRectangle,
        QScatterSeries::MarkerShapeTriangle, QScatterSeries::MarkerShapeStar,
        QScatterSeries::MarkerShapePentagon};
    return shapes[static_cast<std::size_t>(i) % std::size(shapes)];
}

Qt::PenStyle seriesDash(qsizetype i)
{
    constexpr Qt::PenStyle dashes[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine,
                                       Qt::DashDotDotLine};
    return dashes[static_cast<std::size_t>(i) % std::size(dashes)];
}

// The legend below or right of the plot (Auto: right for more than three
// series); inside the plot: drawInsideLegend().
void placeLegend(QChart* chart, LegendPlace place, qsizetype series)
{
    QLegend* legend = chart->legend();
    switch (place) {
    case LegendPlace::Auto:
        legend->setAlignment(series > 3 ? Qt::AlignRight : Qt::AlignBottom);
        break;
    case LegendPlace::Right: legend->setAlignment(Qt::AlignRight); break;
    case LegendPlace::Below:
    case LegendPlace::None: legend->setAlignment(Qt::AlignBottom); break;
    case LegendPlace::Inside: break; // drawInsideLegend(), once the series are there
    }
}

// The legend inside the plot's top-right corner, drawn by snilab: Qt's own
// legend, detached, keeps room for the hidden entries of the std bands and
// points and so cannot be sized to the entries shown. A white box with a line
// per shown entry: a piece of the series' line (colour and dash) or a swatch
// of the bar's colour, and the name; kept in the corner as the plot moves.
void drawInsideLegend(QChart* chart)
{
    QLegend* legend = chart->legend();
    const QFont font = legend->font();
    const QFontMetricsF fm(font);
    const qreal line = fm.height(), pad = line * 0.4, swatch = line * 1.6;
    auto* box = new QGraphicsRectItem(chart);
    box->setData(0, QStringLiteral("inside-legend"));
    box->setBrush(QColor(255, 255, 255, 235));
    box->setPen(QPen(QColor(0x99, 0x99, 0x99), 0));
    box->setZValue(10);
    qreal widest = 0;
    int row = 0;
    for (QLegendMarker* m : legend->markers()) {
        // (The bands and points are left out of the legend.)
        if (qobject_cast<QAreaSeries*>(m->series()) || qobject_cast<QScatterSeries*>(m->series()))
            continue;
        const qreal y = pad + row * line * 1.25 + line * 0.625;
        if (auto* series = qobject_cast<QLineSeries*>(m->series())) {
            auto* piece = new QGraphicsLineItem(pad, y, pad + swatch, y, box);
            piece->setPen(series->pen());
        } else {
            auto* piece = new QGraphicsRectItem(pad + swatch * 0.2, y - line * 0.35, line * 0.7,
                                                line * 0.7, box);
            piece->setBrush(m->brush());
            piece->setPen(m->pen());
        }
        auto* text = new QGraphicsSimpleTextItem(m->label(), box);
        text->setFont(font);
        text->setBrush(m->labelBrush());
        text->setPos(pad + swatch + pad, y - fm.height() / 2);
        widest = std::max(widest, text->boundingRect().width());
        ++row;
    }
    legend->setVisible(false);
    const QRectF rect(0, 0, pad * 3 + swatch + widest, pad * 2 + row * line * 1.25);
    box->setRect(rect);
    QObject::connect(chart, &QChart::plotAreaChanged, chart, [box, rect, pad](const QRectF& plot) {
        box->setPos(plot.right() - pad - rect.width(), plot.top() + pad);
    });
}

QChart* newChart(const FigureData& figure, const ChartStyle& style)
{
    auto* chart = new QChart;
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setTitle(figure.title);
    chart->setBackgroundRoundness(0);
    if (style.fontPx > 0) {
        chart->setTitleFont(styled(chart->titleFont(), style.fontPx * 1.15, true));
        chart->legend()->setFont(styled(chart->legend()->font(), style.fontPx * 0.9));
        chart->setMargins(QMargins(2, 2, 2, 2));
    }
    chart->legend()->setVisible(style.legend != LegendPlace::None && figure.series.size() > 0);
    placeLegend(chart, style.legend, figure.series.size());
    return chart;
}

// A round tick step (1, 2 or 5 × 10^k) giving at most about `maxTicks`
// intervals over [lo, hi].
double niceStep(double lo, double hi, int maxTicks = 6)
{
    const double raw = (hi - lo) / std::max(1, maxTicks);
    if (!(raw > 0))
        return 1;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0})
        if (m * magnitude >= raw)
            return m * magnitude;
    return 10 * magnitude;
}

// Widens [lo, hi] outward to multiples of a round step and puts a tick on
// every multiple, so no axis shows ticks such as 0/108/216 or duplicated
// rounded labels.
// `integral`: the values are whole numbers (thresholds), so no step below 1.
void applyNiceTicks(QValueAxis* axis, double lo, double hi, bool integral = false)
{
    const double step = integral ? std::max(1.0, niceStep(lo, hi)) : niceStep(lo, hi);
    const double niceLo = std::floor(lo / step + 1e-9) * step;
    double niceHi = std::ceil(hi / step - 1e-9) * step;
    if (!(niceHi > niceLo))
        niceHi = niceLo + step;
    axis->setRange(niceLo, niceHi);
    // Fixed ticks at both ends and every step between: Qt's dynamic ticks
    // (anchor + k * step) drop the top one when rounding puts it a hair
    // above the range (0.80 + 4 * 0.05 > 1.00).
    axis->setTickType(QValueAxis::TicksFixed);
    axis->setTickCount(static_cast<int>(std::lround((niceHi - niceLo) / step)) + 1);
    const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
    axis->setLabelFormat(QStringLiteral("%.") + QString::number(decimals) + QStringLiteral("f"));
}

// The range a share axis zooms to: the data (mean ± std) with a tenth of its
// span (at least 0.01) to spare, within [0, 1]; nullopt when the data reach
// down to 0.2 or below (zooming would gain little) or there is none.
std::optional<std::pair<double, double>> zoomedShareRange(const FigureData& figure)
{
    double lo = 2, hi = -1;
    for (const FigureSeries& s : figure.series)
        for (qsizetype k = 0; k < s.values.size(); ++k) {
            if (std::isnan(s.values[k]))
                continue;
            const double e = k < s.errors.size() && !std::isnan(s.errors[k]) ? s.errors[k] : 0;
            lo = std::min(lo, s.values[k] - e);
            hi = std::max(hi, s.values[k] + e);
        }
    if (hi < lo || lo <= 0.2)
        return std::nullopt;
    const double pad = std::max(0.01, (hi - lo) * 0.1);
    return std::make_pair(std::max(0.0, lo - pad), std::min(1.0, hi + pad));
}

// The break mark of a value axis that does not start at 0: two short
// slanted strokes across the axis line just above the plot's bottom (the
// convention for a truncated axis), moved with the plot area.
void drawAxisBreak(QChart* chart, const QPen& axisPen, qreal size)
{
    QPainterPath path;
    for (const qreal dy : {0.0, size * 0.45}) {
        path.moveTo(-size * 0.6, dy + size * 0.25);
        path.lineTo(size * 0.6, dy - size * 0.25);
    }
    auto* mark = new QGraphicsPathItem(path, chart);
    QPen pen = axisPen;
    pen.setWidthF(std::max<qreal>(1, size / 8));
    mark->setPen(pen);
    mark->setData(0, QStringLiteral("axis-break"));
    mark->setZValue(10);
    QObject::connect(chart, &QChart::plotAreaChanged, chart, [mark, size](const QRectF& plot) {
        mark->setPos(plot.left(), plot.bottom() - size * 1.2);
    });
}

// The value axis (left, or bottom for horizontal bars). A share axis of a
// line figure zooms to the data unless style.fullRange, and then carries a
// break mark when it does not start at 0. Bars always start at 0 (a bar's
// length is its value).
QValueAxis* addValueAxis(QChart* chart, const FigureData& figure, const ChartStyle& style,
                         bool horizontal)
{
    auto* yAxis = new QValueAxis;
    const auto zoom = figure.share && figure.kind == FigureData::Kind::Line && !style.fullRange
                          ? zoomedShareRange(figure)
                          : std::nullopt;
    applyNiceTicks(yAxis, zoom ? zoom->first : figure.yMin, zoom ? zoom->second : figure.yMax);
    styleAxis(yAxis, style, figure.yTitle);
    if (style.valueLabels && figure.kind == FigureData::Kind::Bar && !figure.stacked) {
        // Room past the top tick for the labels at the bars' ends, the ticks
        // staying where they were.
        const double lo = yAxis->min(), hi = yAxis->max();
        yAxis->setTickType(QValueAxis::TicksDynamic);
        yAxis->setTickAnchor(lo);
        yAxis->setTickInterval((hi - lo) / std::max(1, yAxis->tickCount() - 1));
        // (Upright bars of several series may turn their labels upright.)
        const bool upright = !horizontal && figure.series.size() > 2;
        yAxis->setMax(hi + (hi - lo) * (upright ? 0.22 : 0.12));
    }
    if (zoom && yAxis->min() > 0)
        drawAxisBreak(chart, yAxis->linePen(), QFontMetricsF(yAxis->labelsFont()).height() * 0.6);
    chart->addAxis(yAxis, horizontal ? Qt::AlignBottom : Qt::AlignLeft);
    return yAxis;
}

// A base-10 log value axis for bars: from 1 to the power of ten above the
// largest value (bars start at 1, so a count of 1 is a sliver, not nothing).
QLogValueAxis* addLogAxis(QChart* chart, const FigureData& figure, const ChartStyle& style,
                          bool horizontal)
{
    auto* axis = new QLogValueAxis;
    axis->setBase(10);
    double top = 1;
    for (const FigureSeries& s : figure.series)
        for (double v : s.values)
            if (!std::isnan(v))
                top = std::max(top, v);
    axis->setRange(1, std::pow(10.0, std::ceil(std::log10(top) + 1e-9)));
    axis->setLabelFormat(QStringLiteral("%.0f"));
    axis->setMinorTickCount(8);
    styleAxis(axis, style, figure.yTitle + QStringLiteral(" (log scale)"));
    chart->addAxis(axis, horizontal ? Qt::AlignBottom : Qt::AlignLeft);
    return axis;
}

// The x axis of a line figure: the range of its x values, a tick per value
// when there are few.
QValueAxis* addLineXAxis(QChart* chart, const FigureData& figure, const ChartStyle& style)
{
    auto* xAxis = new QValueAxis;
    double lo = 0, hi = 1;
    if (!figure.x.isEmpty()) {
        lo = *std::min_element(figure.x.begin(), figure.x.end());
        hi = *std::max_element(figure.x.begin(), figure.x.end());
    }
    if (hi <= lo) {
        lo -= 1;
        hi += 1;
    }
    const bool integral =
        std::all_of(figure.x.begin(), figure.x.end(), [](double x) { return x == std::floor(x); });
    applyNiceTicks(xAxis, lo, hi, integral);
    styleAxis(xAxis, style, figure.xTitle);
    chart->addAxis(xAxis, Qt::AlignBottom);
    return xAxis;
}

// The translucent band mean ± std of one series (left out of the legend).
void addErrorBand(QChart* chart, const FigureData& figure, const FigureSeries& s,
                  const QColor& color, QAbstractAxis* xAxis, QAbstractAxis* yAxis)
{
    auto* upper = new QLineSeries;
    auto* lower = new QLineSeries;
    for (qsizetype k = 0; k < s.values.size() && k < figure.x.size(); ++k)
        if (!std::isnan(s.values[k])) {
            upper->append(figure.x[k], s.values[k] + s.errors[k]);
            lower->append(figure.x[k], s.values[k] - s.errors[k]);
        }
    auto* band = new QAreaSeries(upper, lower);
    band->setName(s.name + QStringLiteral(" ± std"));
    QColor fill = color;
    fill.setAlphaF(0.18f);
    band->setBrush(fill);
    band->setPen(Qt::NoPen);
    chart->addSeries(band);
    band->attachAxis(xAxis);
    band->attachAxis(yAxis);
    for (QLegendMarker* m : chart->legend()->markers(band))
        m->setVisible(false);
}

// One line per series (NaN points left out), each over its error band.
void addLineSeries(QChart* chart, const FigureData& figure, const ChartStyle& style,
                   QAbstractAxis* yAxis)
{
    QValueAxis* xAxis = addLineXAxis(chart, figure, style);
    // Each legend entry a piece of its line: colour and dash pattern.
    chart->legend()->setMarkerShape(QLegend::MarkerShapeFromSeries);
    for (qsizetype i = 0; i < figure.series.size(); ++i) {
        const FigureSeries& s = figure.series[i];
        const QColor color = paletteColor(i);
        const bool hasErrors =
            s.errors.size() == s.values.size() &&
            std::any_of(s.errors.begin(), s.errors.end(), [](double e) { return e > 0; });
        if (hasErrors)
            addErrorBand(chart, figure, s, color, xAxis, yAxis);
        auto* line = new QLineSeries;
        line->setName(s.name);
        for (qsizetype k = 0; k < s.values.size() && k < figure.x.size(); ++k)
            if (!std::isnan(s.values[k]))
                line->append(figure.x[k], s.values[k]);
        QPen pen(color);
        pen.setWidthF(style.fontPx > 0 ? style.fontPx / 6 : 2);
        pen.setStyle(seriesDash(i));
        line->setPen(pen);
        chart->addSeries(line);
        line->attachAxis(xAxis);
        line->attachAxis(yAxis);
        // The points, in the series' own marker shape (left out of the legend).
        auto* points = new QScatterSeries;
        points->setName(s.name + QStringLiteral(" (points)"));
        points->setMarkerShape(seriesMarker(i));
        points->setMarkerSize(style.fontPx > 0 ? style.fontPx * 0.8 : 9);
        points->setColor(color);
        points->setBorderColor(color.darker(130));
        points->append(line->points());
        chart->addSeries(points);
        points->attachAxis(xAxis);
        points->attachAxis(yAxis);
        for (QLegendMarker* m : chart->legend()->markers(points))
            m->setVisible(false);
    }
}

// The chart properties categoryLabelDeficit() reads.
constexpr const char* kLabelRows = "snilabCategoryLabelRows";
constexpr const char* kLabelRowHeight = "snilabCategoryLabelRowHeight";

// The category labels of horizontal bars, drawn here instead of by Qt Charts,
// which caps a vertical axis' labels at a share of the chart's width and
// elides every longer one to "...", and elides all of them once a category's
// share of the plot is below a text line plus its padding. Each label is
// drawn whole, right-aligned against the plot at its category's centre and
// moved with the plot area; a label wider than about 42 average characters
// shrinks the labels' font, down to 3/4 of its size, and only a label still
// too wide for that (a pathological SNI) is cut in its middle. The axis title
// is drawn rotated at the chart's left edge. `categories`: top first.
void drawCategoryLabels(QChart* chart, QAbstractBarSeries* bars, QBarCategoryAxis* axis,
                        const QStringList& categories, const QString& title, qreal barLines)
{
    QFont font = axis->labelsFont();
    const QBrush brush = axis->labelsBrush();
    const QFont titleFont = axis->titleFont();
    axis->setLabelsVisible(false);
    axis->setTitleText(QString());

    const qreal maxWidth = 42 * QFontMetricsF(font).averageCharWidth();
    qreal widest = 0;
    for (const QString& c : categories)
        widest = std::max(widest, QFontMetricsF(font).horizontalAdvance(c));
    if (widest > maxWidth) {
        const qreal size = font.pixelSize() > 0 ? font.pixelSize() : font.pointSizeF();
        const qreal shrunk = std::max(0.75 * size, size * maxWidth / widest);
        if (font.pixelSize() > 0)
            font.setPixelSize(std::max(1, qFloor(shrunk)));
        else
            font.setPointSizeF(shrunk);
    }
    const QFontMetricsF fm(font);
    QList<QGraphicsSimpleTextItem*> labels;
    qreal labelWidth = 0;
    for (const QString& c : categories) {
        const QString text =
            fm.horizontalAdvance(c) > maxWidth ? fm.elidedText(c, Qt::ElideMiddle, maxWidth) : c;
        auto* item = new QGraphicsSimpleTextItem(text, chart);
        item->setFont(font);
        item->setBrush(brush);
        item->setToolTip(c);
        labelWidth = std::max(labelWidth, item->boundingRect().width());
        labels << item;
    }
    QGraphicsSimpleTextItem* titleItem = nullptr;
    qreal titleRoom = 0;
    if (!title.isEmpty()) {
        titleItem = new QGraphicsSimpleTextItem(title, chart);
        titleItem->setFont(titleFont);
        titleItem->setBrush(axis->titleBrush());
        titleItem->setRotation(-90);
        titleRoom = titleItem->boundingRect().height() + fm.height() * 0.5;
    }
    const qreal gap = fm.height() * 0.4;
    QMargins margins = chart->margins();
    const int edge = margins.left();
    margins.setLeft(edge + qCeil(titleRoom + labelWidth + gap));
    chart->setMargins(margins);
    chart->setProperty(kLabelRows, static_cast<int>(categories.size()));
    // A category's row: a text line, or for side-by-side bars of several
    // series a readable bar (`barLines` of a line: 0.45, or room for a value
    // label) for each.
    const int sets = bars->count();
    const qreal perBar = bars->type() == QAbstractSeries::SeriesTypeHorizontalBar && sets > 1
                             ? fm.height() * barLines * sets
                             : 0;
    chart->setProperty(kLabelRowHeight, std::max(fm.height() * 1.1, perBar));

    const auto place = [chart, bars, labels, titleItem, edge, gap](const QRectF& plot) {
        const qsizetype n = labels.size();
        for (qsizetype i = 0; i < n; ++i) {
            // Bars list the first category at the top: index n-1-i from the bottom.
            const QPointF centre =
                chart->mapToPosition(QPointF(0, static_cast<qreal>(n - 1 - i)), bars);
            const QRectF box = labels[i]->boundingRect();
            labels[i]->setPos(plot.left() - gap - box.width(), centre.y() - box.height() / 2);
        }
        if (titleItem) {
            const QRectF box = titleItem->boundingRect();
            titleItem->setPos(edge, plot.center().y() + box.width() / 2);
        }
    };
    QObject::connect(chart, &QChart::plotAreaChanged, chart, place);
}

QAbstractBarSeries* newBarSeries(bool horizontal, bool stacked)
{
    if (stacked)
        return horizontal ? static_cast<QAbstractBarSeries*>(new QHorizontalStackedBarSeries)
                          : static_cast<QAbstractBarSeries*>(new QStackedBarSeries);
    return horizontal ? static_cast<QAbstractBarSeries*>(new QHorizontalBarSeries)
                      : static_cast<QAbstractBarSeries*>(new QBarSeries);
}

// Each bar's value at its end (in the middle of its part for stacked bars,
// in black or white as the bar's colour needs).
void showValueLabels(QAbstractBarSeries* bars, const FigureData& figure, const ChartStyle& style)
{
    bars->setLabelsVisible(true);
    bars->setLabelsPosition(figure.stacked ? QAbstractBarSeries::LabelsCenter
                                           : QAbstractBarSeries::LabelsOutsideEnd);
    bars->setLabelsFormat(QStringLiteral("@value"));
    // Whole numbers (counts) whole, anything else with 3 significant digits.
    bool whole = true;
    for (const FigureSeries& s : figure.series)
        for (double v : s.values)
            whole = whole && (std::isnan(v) || v == std::floor(v));
    bars->setLabelsPrecision(whole ? 15 : 3);
    for (QBarSet* set : bars->barSets()) {
        if (style.fontPx > 0)
            set->setLabelFont(styled(set->labelFont(), style.fontPx * 0.8));
        set->setLabelColor(figure.stacked && qGray(set->color().rgb()) < 140 ? Qt::white
                                                                             : Qt::black);
    }
    const qsizetype sets = bars->count();
    if (figure.stacked || sets < 2)
        return;
    // Side by side: wider bars (each a label's height when horizontal, see
    // drawCategoryLabels()); upright bars too narrow for their labels get
    // them turned a quarter, judged as the plot is laid out.
    bars->setBarWidth(0.8);
    if (bars->type() != QAbstractSeries::SeriesTypeBar || !bars->chart())
        return;
    const qreal labelWidth =
        QFontMetricsF(bars->barSets().front()->labelFont())
            .horizontalAdvance(whole ? QStringLiteral("00000") : QStringLiteral("0.000"));
    const qreal categories = std::max<qreal>(1, static_cast<qreal>(figure.categories.size()));
    QObject::connect(bars->chart(), &QChart::plotAreaChanged, bars,
                     [bars, labelWidth, categories, sets](const QRectF& plot) {
                         const qreal perBar = plot.width() / categories * bars->barWidth() /
                                              static_cast<qreal>(sets);
                         bars->setLabelsAngle(perBar < labelWidth * 1.1 ? -90 : 0);
                     });
}

// One bar set per series on a category axis (side by side, or stacked in one
// bar per category); horizontal bars list the first category at the top.
void addBarSeries(QChart* chart, const FigureData& figure, const ChartStyle& style,
                  QAbstractAxis* yAxis, bool horizontal)
{
    auto* xAxis = new QBarCategoryAxis;
    QStringList categories = figure.categories;
    if (horizontal)
        std::reverse(categories.begin(), categories.end());
    xAxis->append(categories);
    styleAxis(xAxis, style, figure.xTitle);
    chart->addAxis(xAxis, horizontal ? Qt::AlignLeft : Qt::AlignBottom);
    QAbstractBarSeries* bars = newBarSeries(horizontal, figure.stacked);
    for (qsizetype i = 0; i < figure.series.size(); ++i) {
        const FigureSeries& s = figure.series[i];
        auto* set = new QBarSet(s.name);
        QList<double> values = s.values;
        if (horizontal)
            std::reverse(values.begin(), values.end());
        for (double v : values)
            set->append(std::isnan(v) ? 0.0 : v);
        set->setColor(paletteColor(i));
        set->setBorderColor(paletteColor(i).darker(130));
        bars->append(set);
    }
    chart->addSeries(bars);
    bars->attachAxis(xAxis);
    bars->attachAxis(yAxis);
    chart->legend()->setVisible(style.legend != LegendPlace::None && figure.series.size() > 1);
    if (style.valueLabels)
        showValueLabels(bars, figure, style);
    if (horizontal)
        drawCategoryLabels(chart, bars, xAxis, figure.categories, figure.xTitle,
                           style.valueLabels ? 1.1 : 0.45);
}

} // namespace

QStringList legendPlaceNames()
{
    return {QStringLiteral("auto"), QStringLiteral("inside"), QStringLiteral("right"),
            QStringLiteral("below"), QStringLiteral("none")};
}

QString legendPlaceName(LegendPlace place)
{
    return legendPlaceNames()[static_cast<int>(place)];
}

std::optional<LegendPlace> parseLegendPlace(const QString& name)
{
    const qsizetype i = legendPlaceNames().indexOf(name);
    if (i < 0)
        return std::nullopt;
    return static_cast<LegendPlace>(i);
}

bool horizontalBars(const FigureData& figure, const QFont& labelFont)
{
    if (figure.kind != FigureData::Kind::Bar)
        return false;
    const qsizetype n = figure.categories.size();
    if (n > 8)
        return true;
    // A label's room: its share of the axis less Qt Charts' label padding
    // (4 px each side) and the text item's margins (4 px each side).
    const qreal room = 420.0 / static_cast<qreal>(n + 1) - 16;
    const QFontMetricsF fm(labelFont);
    return std::any_of(figure.categories.begin(), figure.categories.end(),
                       [&](const QString& label) { return fm.horizontalAdvance(label) > room; });
}

int readableChartHeight(const FigureData& figure)
{
    if (!horizontalBars(figure, QFont()))
        return 0;
    const qreal line = QFontMetricsF(QFont()).height();
    // Per category one line and some padding, or for side-by-side bars of
    // several series a readable bar for each (as drawCategoryLabels() asks of
    // exports); around the plot the title, the value axis with its title, the
    // legend and the margins: about 11 lines.
    const qreal sets = static_cast<qreal>(figure.series.size());
    const qreal row = std::max(line + 9, !figure.stacked && sets > 1 ? 0.45 * line * sets : 0.0);
    return qCeil(static_cast<qreal>(figure.categories.size() + 1) * row + 11 * line);
}

qreal categoryLabelDeficit(const QChart* chart)
{
    const int rows = chart->property(kLabelRows).toInt();
    const qreal rowHeight = chart->property(kLabelRowHeight).toReal();
    return std::max<qreal>(0, rows * rowHeight - chart->plotArea().height());
}

QChart* buildChart(const FigureData& figure, const ChartStyle& style)
{
    QChart* chart = newChart(figure, style);
    // Bar figures with many or long category labels lie horizontally so the
    // labels stay readable.
    const QFont labelFont = style.fontPx > 0 ? styled(QFont(), style.fontPx * 0.9) : QFont();
    const bool horizontal = horizontalBars(figure, labelFont);
    if (figure.logScale && figure.kind == FigureData::Kind::Bar)
        addBarSeries(chart, figure, style, addLogAxis(chart, figure, style, horizontal),
                     horizontal);
    else if (QValueAxis* yAxis = addValueAxis(chart, figure, style, horizontal);
             figure.kind == FigureData::Kind::Line)
        addLineSeries(chart, figure, style, yAxis);
    else
        addBarSeries(chart, figure, style, yAxis, horizontal);
    if (style.legend == LegendPlace::Inside && chart->legend()->isVisible())
        drawInsideLegend(chart);
    return chart;
}

} // namespace snilab::ui
