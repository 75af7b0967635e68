// Paints a confusion matrix (ConfusionMatrixModel) as a heatmap through
// QPainter, for the workbench's confusion view and the exports alike. Pure
// presentation: every value shown comes from the model.
//
// Thread: GUI thread (painting). Failure: none.
#pragma once

#include "core/result_models.h"

#include <QColor>
#include <QRectF>
#include <QString>

class QPainter;

namespace snilab::ui {

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
