#include "heatmap_painter.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QtMath>

#include <algorithm>

namespace snilab::ui {

QColor heatColor(double fraction)
{
    const double f = std::clamp(fraction, 0.0, 1.0);
    // White to a dark blue, perceptually close to matplotlib's "Blues".
    const double r = 247 + (8 - 247) * f, g = 251 + (48 - 251) * f, b = 255 + (107 - 255) * f;
    return QColor(qRound(r), qRound(g), qRound(b));
}

namespace {

// Where paintHeatmap() puts things, left to right: the "True label" title,
// the row labels (when `drawLabels`), the k x k grid of square cells of side
// `cell` (column labels above it, the "Predicted label" title below), the
// colour bar with its ticks and quantity; all centred in the area.
struct HeatmapLayout {
    int k = 0;
    qreal labelWidth = 0; // of the widest label
    qreal margin = 0;     // between the titles and the grid: the labels' room
    qreal cell = 0;
    bool drawLabels = false;
    QRectF grid;
    QRectF trueTitle;      // rotated text's box, left of the row labels
    QRectF predictedTitle; // below the grid
    QRectF scale;          // the colour bar
};

constexpr const char* kTrueTitle = "True label";
constexpr const char* kPredictedTitle = "Predicted label";
constexpr const char* kScaleTitle = "Share of the true label's connections";

HeatmapLayout layoutHeatmap(const QRectF& area, qreal top, const ConfusionMatrixModel& matrix,
                            const HeatmapStyle& style, const QFontMetricsF& fm)
{
    HeatmapLayout l;
    l.k = matrix.classCount();
    for (int i = 0; i < l.k; ++i)
        l.labelWidth = std::max(l.labelWidth, fm.horizontalAdvance(matrix.label(i)) * 1.08 + 2);
    const qreal line = fm.height();
    const qreal titleRoom = line * 1.5;
    // Gap, bar, tick and its label (see paintHeatmapScale()), gap, the
    // quantity's line, and half a line to spare.
    const qreal scaleRoom = line * 0.8 + line + 5 + fm.horizontalAdvance(QStringLiteral("0.75")) +
                            line * 0.5 + line + line * 0.5;
    const qreal avail =
        std::min(area.width() - scaleRoom - titleRoom, area.bottom() - top - titleRoom);
    // Labels are drawn only when a cell is at least one text line tall.
    const qreal trial = (avail - l.labelWidth - line) / l.k;
    l.drawLabels = style.labels && trial >= line * 0.9;
    l.margin = l.drawLabels ? l.labelWidth + line * 0.5 : line * 0.5;
    l.cell = std::max<qreal>(0.5, (avail - l.margin) / l.k);
    const qreal side = l.cell * l.k;
    const qreal total = titleRoom + l.margin + side + scaleRoom;
    const qreal left = area.left() + std::max<qreal>(0, (area.width() - total) / 2);
    l.grid = QRectF(left + titleRoom + l.margin, top + l.margin, side, side);
    l.trueTitle = QRectF(left, l.grid.top(), titleRoom, side);
    l.predictedTitle = QRectF(l.grid.left(), l.grid.bottom(), side, titleRoom);
    l.scale = QRectF(l.grid.right() + line * 0.8, l.grid.top(), line, side);
    return l;
}

// The cells coloured by row fraction, and the grid's frame.
void paintHeatmapCells(QPainter& painter, const HeatmapLayout& l,
                       const ConfusionMatrixModel& matrix)
{
    painter.setPen(Qt::NoPen);
    for (int i = 0; i < l.k; ++i)
        for (int j = 0; j < l.k; ++j) {
            const double f = matrix.fraction(i, j);
            if (f <= 0)
                continue;
            painter.fillRect(
                QRectF(l.grid.left() + j * l.cell, l.grid.top() + i * l.cell, l.cell, l.cell),
                heatColor(f));
        }
    painter.setPen(QPen(QColor(0x99, 0x99, 0x99), 0));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(l.grid);
}

// Row labels left, column labels rotated above, counts in cells wide enough.
void paintHeatmapLabels(QPainter& painter, const HeatmapLayout& l,
                        const ConfusionMatrixModel& matrix, const QFontMetricsF& fm)
{
    if (l.drawLabels)
        for (int i = 0; i < l.k; ++i) {
            painter.drawText(
                QRectF(l.grid.left() - l.margin, l.grid.top() + i * l.cell, l.labelWidth, l.cell),
                Qt::AlignRight | Qt::AlignVCenter, matrix.label(i));
            painter.save();
            painter.translate(l.grid.left() + (i + 0.5) * l.cell,
                              l.grid.top() - fm.height() * 0.25);
            painter.rotate(-90);
            painter.drawText(QRectF(0, -l.cell / 2, l.labelWidth, l.cell),
                             Qt::AlignLeft | Qt::AlignVCenter, matrix.label(i));
            painter.restore();
        }
    if (l.cell < fm.horizontalAdvance(QStringLiteral("000")) * 1.2)
        return;
    for (int i = 0; i < l.k; ++i)
        for (int j = 0; j < l.k; ++j) {
            const quint64 n = matrix.count(i, j);
            if (!n)
                continue;
            painter.setPen(matrix.fraction(i, j) > 0.5 ? Qt::white : Qt::black);
            painter.drawText(
                QRectF(l.grid.left() + j * l.cell, l.grid.top() + i * l.cell, l.cell, l.cell),
                Qt::AlignCenter, QString::number(n));
        }
    painter.setPen(Qt::black);
}

// `text` rotated a quarter turn (reading upwards), centred in `box`.
void drawUpwards(QPainter& painter, const QRectF& box, const QString& text)
{
    painter.save();
    painter.translate(box.center());
    painter.rotate(-90);
    painter.drawText(QRectF(-box.height() / 2, -box.width() / 2, box.height(), box.width()),
                     Qt::AlignCenter, text);
    painter.restore();
}

// "True label" up the left, "Predicted label" below the grid.
void paintHeatmapAxisNames(QPainter& painter, const HeatmapLayout& l)
{
    painter.drawText(l.predictedTitle, Qt::AlignCenter, QString::fromLatin1(kPredictedTitle));
    drawUpwards(painter, l.trueTitle, QString::fromLatin1(kTrueTitle));
}

// The colour bar right of the grid: the row fraction 0..1 with ticks every
// quarter and the quantity's name up its right.
void paintHeatmapScale(QPainter& painter, const HeatmapLayout& l, const QFontMetricsF& fm)
{
    const QRectF& scale = l.scale;
    const int steps = 50;
    for (int s = 0; s < steps; ++s)
        painter.fillRect(QRectF(scale.left(), scale.bottom() - (s + 1) * scale.height() / steps,
                                scale.width(), scale.height() / steps + 0.5),
                         heatColor((s + 0.5) / steps));
    painter.setPen(QPen(QColor(0x99, 0x99, 0x99), 0));
    painter.drawRect(scale);
    painter.setPen(Qt::black);
    qreal tickRight = scale.right();
    for (int q = 0; q <= 4; ++q) {
        const qreal y = scale.bottom() - q * scale.height() / 4;
        const QString text = QString::number(q / 4.0);
        painter.drawLine(QPointF(scale.right(), y), QPointF(scale.right() + 3, y));
        const QRectF box(scale.right() + 4, y - fm.height() / 2, fm.horizontalAdvance(text) + 1,
                         fm.height());
        painter.drawText(box, Qt::AlignLeft | Qt::AlignVCenter, text);
        tickRight = std::max(tickRight, box.right());
    }
    const QString title = fm.horizontalAdvance(QString::fromLatin1(kScaleTitle)) <= scale.height()
                              ? QString::fromLatin1(kScaleTitle)
                              : QStringLiteral("Row share");
    drawUpwards(painter,
                QRectF(tickRight + fm.height() * 0.5, scale.top(), fm.height(), scale.height()),
                title);
}

} // namespace

void paintHeatmap(QPainter& painter, const QRectF& area, const ConfusionMatrixModel& matrix,
                  const HeatmapStyle& style)
{
    painter.save();
    painter.fillRect(area, Qt::white);
    QFont font = painter.font();
    font.setPixelSize(std::max(1, qRound(style.fontPx)));
    QFont titleFont = font;
    titleFont.setBold(true);
    titleFont.setPixelSize(std::max(1, qRound(style.fontPx * 1.15)));
    const QFontMetricsF fm(font);
    qreal top = area.top();
    if (!style.title.isEmpty()) {
        painter.setFont(titleFont);
        painter.setPen(Qt::black);
        const QRectF titleRect(area.left(), top, area.width(),
                               QFontMetricsF(titleFont).height() * 1.4);
        painter.drawText(titleRect, Qt::AlignCenter, style.title);
        top = titleRect.bottom();
    }
    if (matrix.classCount() == 0) {
        painter.setFont(font);
        painter.drawText(area.adjusted(0, top - area.top(), 0, 0), Qt::AlignCenter,
                         QStringLiteral("No confusion matrix (fewer than two classes)."));
        painter.restore();
        return;
    }
    const HeatmapLayout l = layoutHeatmap(area, top, matrix, style, fm);
    paintHeatmapCells(painter, l, matrix);
    painter.setFont(font);
    painter.setPen(Qt::black);
    paintHeatmapLabels(painter, l, matrix, fm);
    paintHeatmapAxisNames(painter, l);
    paintHeatmapScale(painter, l, fm);
    painter.restore();
}

} // namespace snilab::ui
