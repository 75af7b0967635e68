// What the figure tests check a laid-out chart with (test_figures.cpp,
// test_figure_options.cpp): realistic category labels, a bar and a line
// figure, every text a chart draws, and what a reviewer would reject (an
// elided or clipped text, a category label not drawn whole or overlapping
// its neighbour, side-by-side bars too thin to read).
#pragma once

#include "charts/figure_export.h"

#include <QChart>
#include <QFontMetricsF>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QGraphicsTextItem>
#include <QStringList>

#include <algorithm>

namespace snilab::ui::test {

// A realistic SNI of the i-th service (lengths 20-40 characters).
inline QString serviceLabel(int i)
{
    static const char* const kinds[] = {
        "static-cdn", "api", "wiki.docs", "video-edge", "login.accounts", "telemetry-collector"};
    return QStringLiteral("%1-%2.example-lab.test").arg(QLatin1String(kinds[i % 6])).arg(i);
}

inline FigureData barFigure(int categories, int series)
{
    FigureData f;
    f.id = QStringLiteral("bars");
    f.title = QStringLiteral("Accuracy per label, T = 100");
    f.xTitle = QStringLiteral("Label (SNI)");
    f.yTitle = QStringLiteral("Accuracy (recall over all folds)");
    f.kind = FigureData::Kind::Bar;
    for (int i = 0; i < categories; ++i)
        f.categories << serviceLabel(i);
    for (int s = 0; s < series; ++s) {
        FigureSeries fs;
        static const char* const names[] = {"rf",         "cnngru-packet", "cnngru-payload",
                                            "cnngru-iat", "cnngru-mean",   "paper"};
        fs.name = QLatin1String(names[s % 6]);
        for (int i = 0; i < categories; ++i)
            fs.values << 0.6 + 0.4 * ((i * 7 + s * 3) % 10) / 10.0;
        f.series << fs;
    }
    return f;
}

inline FigureData lineFigure()
{
    FigureData f;
    f.id = QStringLiteral("lines");
    f.title = QStringLiteral("Accuracy vs minimum connections per class");
    f.xTitle = QStringLiteral("Threshold T (minimum connections per class)");
    f.yTitle = QStringLiteral("Cross-entropy per sample (validation)");
    f.kind = FigureData::Kind::Line;
    f.x = {100, 200, 300, 400, 500};
    FigureSeries s;
    s.name = QStringLiteral("rf");
    s.values = {0.97, 0.975, 0.98, 0.982, 0.99};
    s.errors = {0.01, 0.01, 0.008, 0.005, 0.004};
    f.series << s;
    return f;
}

struct DrawnText {
    QString text;
    QRectF box; // scene coordinates
};

// Every visible text the chart draws (Qt Charts' own and snilab's labels).
inline QList<DrawnText> drawnTexts(QGraphicsItem* root)
{
    QList<DrawnText> out;
    for (QGraphicsItem* item : root->childItems()) {
        if (!item->isVisible())
            continue;
        if (auto* t = dynamic_cast<QGraphicsTextItem*>(item); t && !t->toPlainText().isEmpty())
            out.append({t->toPlainText(), t->sceneBoundingRect()});
        if (auto* t = dynamic_cast<QGraphicsSimpleTextItem*>(item); t && !t->text().isEmpty())
            out.append({t->text(), t->sceneBoundingRect()});
        out += drawnTexts(item);
    }
    return out;
}

// What a reviewer would reject in `figure` laid out at `size` (by default the
// default export size); empty when nothing.
inline QString problems(const FigureData& figure, const ExportSize& size = {})
{
    QGraphicsScene scene;
    QRectF rect;
    QChart* chart = layoutFigureChart(figure, size, scene, &rect);
    const QList<DrawnText> texts = drawnTexts(chart);
    QStringList found;
    const QRectF inside = rect.adjusted(-0.5, -0.5, 0.5, 0.5);
    for (const DrawnText& t : texts) {
        if (t.text.contains(QStringLiteral("...")) || t.text.contains(QChar(0x2026)))
            found << QStringLiteral("elided: '%1'").arg(t.text);
        if (!inside.contains(t.box))
            found << QStringLiteral("clipped: '%1' at (%2, %3, %4 x %5) outside %6 x %7")
                         .arg(t.text)
                         .arg(t.box.x())
                         .arg(t.box.y())
                         .arg(t.box.width())
                         .arg(t.box.height())
                         .arg(rect.width())
                         .arg(rect.height());
    }
    // Side-by-side bars: each category's share of the plot holds a readable
    // bar (0.4 of a label line) per series.
    const bool sideBySide = figure.kind == FigureData::Kind::Bar && !figure.stacked &&
                            figure.series.size() > 1 && !figure.categories.isEmpty();
    QFont labelFont;
    for (QGraphicsItem* item : chart->childItems())
        if (auto* t = dynamic_cast<QGraphicsSimpleTextItem*>(item);
            t && figure.categories.contains(t->text()))
            labelFont = t->font();
    if (sideBySide && figure.categories.size() > 8) {
        const qreal row = chart->plotArea().height() / static_cast<qreal>(figure.categories.size());
        const qreal needed =
            0.4 * static_cast<qreal>(figure.series.size()) * QFontMetricsF(labelFont).height();
        if (row < needed)
            found << QStringLiteral("bars too thin: %1 units per category for %2 series")
                         .arg(row)
                         .arg(figure.series.size());
    }
    QList<QRectF> labelBoxes;
    for (const QString& label : figure.categories) {
        const auto it = std::find_if(texts.begin(), texts.end(),
                                     [&](const DrawnText& t) { return t.text == label; });
        if (it == texts.end())
            found << QStringLiteral("label not drawn whole: '%1'").arg(label);
        else
            labelBoxes << it->box;
    }
    for (qsizetype i = 0; i < labelBoxes.size(); ++i)
        for (qsizetype j = i + 1; j < labelBoxes.size(); ++j)
            if (labelBoxes[i].intersected(labelBoxes[j]).height() > 0.5)
                found << QStringLiteral("labels overlap: '%1' and '%2'")
                             .arg(figure.categories[i], figure.categories[j]);
    return found.join(QLatin1Char('\n'));
}

} // namespace snilab::ui::test
