// Figures as a reviewer reads them: each kind of figure is laid out offscreen
// at the default export size (160 x 100 mm, 8 pt) exactly as exportFigure()
// paints it, for 14 and for 120 category labels, and what is drawn is checked
// against the data: every category label is drawn whole (its text equals the
// label, no ellipsis anywhere), one line each without overlapping its
// neighbours, and every visible text lies inside the figure (nothing
// clipped). The files themselves are written too (PNG, SVG, PDF) and the
// PNG's height follows the grown figure.
#include "charts/figure_export.h"
#include "core/result_models.h"
#include "figure_checks.h"

#include <QApplication>
#include <QChart>
#include <QFontMetricsF>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QGraphicsTextItem>
#include <QImage>
#include <QLineSeries>
#include <QObject>
#include <QPainter>
#include <QRegularExpression>
#include <QScatterSeries>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QValueAxis>

#include <algorithm>

using namespace snilab::ui;
using namespace snilab::ui::test;

namespace {

void fillConfusion(ConfusionMatrixModel& matrix, int k)
{
    QStringList labels;
    std::vector<quint64> counts(static_cast<std::size_t>(k) * k, 0);
    for (int i = 0; i < k; ++i) {
        labels << serviceLabel(i);
        counts[static_cast<std::size_t>(i) * k + i] = 90 + i % 7;
        counts[static_cast<std::size_t>(i) * k + (i + 1) % k] = 3 + i % 5;
    }
    matrix.setMatrix(labels, counts);
}

// The heatmap painted into the middle of a larger image: how many pixels
// were painted outside the area it was given (0: nothing spills or is cut).
// `scale`: device pixels per unit, as the PNG export paints points at 300 dpi.
int pixelsOutside(const ConfusionMatrixModel& matrix, const QSizeF& area, qreal fontPx, qreal scale)
{
    const int pad = 40;
    QImage image(qCeil((area.width() + 2 * pad) * scale), qCeil((area.height() + 2 * pad) * scale),
                 QImage::Format_ARGB32);
    image.fill(Qt::transparent);
    // As writePng() (figure_export.cpp): the image knows its resolution.
    image.setDotsPerMeterX(qRound(72 * scale / 0.0254));
    image.setDotsPerMeterY(qRound(72 * scale / 0.0254));
    {
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setRenderHint(QPainter::TextAntialiasing);
        painter.scale(scale, scale);
        HeatmapStyle style;
        style.fontPx = fontPx;
        style.title = QStringLiteral("Confusion matrix, rf, T = 100");
        paintHeatmap(painter, QRectF(QPointF(pad, pad), area), matrix, style);
    }
    int outside = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) {
            // One device pixel of antialiasing at the area's edge is allowed.
            const qreal ux = x / scale, uy = y / scale, px = 1 / scale;
            const bool in = ux >= pad - px && uy >= pad - px && ux < pad + area.width() + px &&
                            uy < pad + area.height() + px;
            if (!in && qAlpha(image.pixel(x, y)) != 0)
                ++outside;
        }
    return outside;
}

// Whether the scene holds the break mark of a truncated value axis.
bool hasAxisBreak(const QGraphicsScene& scene)
{
    const QList<QGraphicsItem*> items = scene.items();
    return std::any_of(items.begin(), items.end(), [](QGraphicsItem* item) {
        return item->data(0).toString() == QLatin1String("axis-break");
    });
}

} // namespace

class TestFigures : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void labelsWholeAndInside_data()
    {
        QTest::addColumn<int>("categories");
        QTest::addColumn<int>("series");
        QTest::newRow("14 labels, one model") << 14 << 1;
        QTest::newRow("14 labels, two models") << 14 << 2;
        QTest::newRow("120 labels, one model") << 120 << 1;
        QTest::newRow("120 labels, two models") << 120 << 2;
        QTest::newRow("5 short labels (vertical bars)") << 5 << 1;
        QTest::newRow("19 labels, the paper's six models") << 19 << 6;
    }

    void labelsWholeAndInside()
    {
        QFETCH(int, categories);
        QFETCH(int, series);
        FigureData figure = barFigure(categories, series);
        if (categories == 5)
            figure.categories = {QStringLiteral("rf"), QStringLiteral("gru"), QStringLiteral("cnn"),
                                 QStringLiteral("paper"), QStringLiteral("mean")};
        const QString found = problems(figure);
        QVERIFY2(found.isEmpty(), qPrintable(found));
    }

    void lineFigureWhole()
    {
        const QString found = problems(lineFigure());
        QVERIFY2(found.isEmpty(), qPrintable(found));
    }

    // An accuracy line figure zooms to its data with a break mark on the
    // axis; --full-range (ExportSize::fullRange) draws 0-1; bars never zoom.
    void shareAxesZoomWithAMark()
    {
        FigureData figure = lineFigure();
        figure.yTitle = QStringLiteral("accuracy (mean ± std over folds)");
        figure.share = true;
        const auto valueAxis = [](QChart* chart) {
            return qobject_cast<QValueAxis*>(chart->axes(Qt::Vertical).first());
        };
        {
            QGraphicsScene scene;
            QChart* chart = layoutFigureChart(figure, ExportSize{}, scene, nullptr);
            QValueAxis* axis = valueAxis(chart);
            QVERIFY2(axis->min() > 0.9 && axis->min() <= 0.96,
                     qPrintable(QString::number(axis->min())));
            QVERIFY(axis->max() <= 1.0 && axis->max() >= 0.994);
            QVERIFY(hasAxisBreak(scene));
            // Both ends of the zoomed axis carry their tick label.
            QStringList texts;
            for (const DrawnText& t : drawnTexts(chart))
                texts << t.text;
            const int decimals = 2;
            QVERIFY2(texts.contains(QString::number(axis->max(), 'f', decimals)) &&
                         texts.contains(QString::number(axis->min(), 'f', decimals)),
                     qPrintable(texts.join(QLatin1Char(' '))));
            const QString found = problems(figure);
            QVERIFY2(found.isEmpty(), qPrintable(found));
        }
        {
            ExportSize full;
            full.fullRange = true;
            QGraphicsScene scene;
            QValueAxis* axis = valueAxis(layoutFigureChart(figure, full, scene, nullptr));
            QCOMPARE(axis->min(), 0.0);
            QCOMPARE(axis->max(), 1.0);
            QVERIFY(!hasAxisBreak(scene));
        }
        {
            FigureData bars = barFigure(14, 1);
            bars.share = true;
            QGraphicsScene scene;
            QChart* chart = layoutFigureChart(bars, ExportSize{}, scene, nullptr);
            QCOMPARE(qobject_cast<QValueAxis*>(chart->axes(Qt::Horizontal).first())->min(), 0.0);
        }
    }

    // Lines stay apart in greyscale: each model its own dash pattern and
    // marker shape (Okabe-Ito colours alone meet in grey).
    void linesDifferBeyondColour()
    {
        FigureData figure = lineFigure();
        for (const char* name : {"cnngru-packet", "cnngru-payload", "paper"}) {
            FigureSeries s = figure.series[0];
            s.name = QLatin1String(name);
            figure.series << s;
        }
        QGraphicsScene scene;
        QChart* chart = layoutFigureChart(figure, ExportSize{}, scene, nullptr);
        QSet<int> dashes, shapes;
        int lines = 0, markers = 0;
        for (QAbstractSeries* s : chart->series()) {
            if (auto* line = qobject_cast<QLineSeries*>(s)) {
                ++lines;
                dashes.insert(line->pen().style());
            } else if (auto* points = qobject_cast<QScatterSeries*>(s)) {
                ++markers;
                shapes.insert(points->markerShape());
                QCOMPARE(points->count(), figure.x.size());
            }
        }
        QCOMPARE(lines, 4); // (the std bands are area series)
        QCOMPARE(markers, 4);
        QCOMPARE(shapes.size(), 4);
        QVERIFY(dashes.size() >= 4);
    }

    void oneThresholdGetsWholeNumberTicks()
    {
        FigureData figure = lineFigure();
        figure.x = {100};
        figure.series[0].values = {0.97};
        figure.series[0].errors = {0.01};
        QGraphicsScene scene;
        QChart* chart = layoutFigureChart(figure, ExportSize{}, scene, nullptr);
        QStringList ticks;
        for (const DrawnText& t : drawnTexts(chart))
            if (t.text.contains(QRegularExpression(QStringLiteral("^9[89]|^10[012]"))))
                ticks << t.text;
        ticks.sort();
        QCOMPARE(ticks,
                 QStringList({QStringLiteral("100"), QStringLiteral("101"), QStringLiteral("99")}));
    }

    // The confusion matrix at the exported size (160 x 160 mm in points, 8 pt)
    // and in a small view: nothing painted outside its area, for 14 and 120
    // classes.
    void heatmapStaysInside_data()
    {
        QTest::addColumn<int>("classes");
        QTest::addColumn<QSizeF>("area");
        QTest::addColumn<qreal>("fontPx");
        QTest::addColumn<qreal>("scale");
        const qreal side = 160 * 72.0 / 25.4;
        const qreal png = 300 / 72.0;
        QTest::newRow("14 classes, export") << 14 << QSizeF(side, side) << 8.0 << png;
        QTest::newRow("120 classes, export") << 120 << QSizeF(side, side) << 8.0 << png;
        QTest::newRow("14 classes, small view") << 14 << QSizeF(420, 300) << 11.0 << 1.0;
        QTest::newRow("120 classes, wide view") << 120 << QSizeF(900, 400) << 11.0 << 1.0;
    }

    void heatmapStaysInside()
    {
        QFETCH(int, classes);
        QFETCH(QSizeF, area);
        QFETCH(qreal, fontPx);
        QFETCH(qreal, scale);
        ConfusionMatrixModel matrix;
        fillConfusion(matrix, classes);
        QCOMPARE(pixelsOutside(matrix, area, fontPx, scale), 0);
    }

    // The real export path (exportHeatmap() to a 300 dpi PNG): no ink in the
    // image's outermost pixels, where text that does not fit would be cut.
    void exportedHeatmapHasClearEdges()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        for (int classes : {14, 19, 120}) {
            ConfusionMatrixModel matrix;
            fillConfusion(matrix, classes);
            ExportSize size;
            size.heightMm = size.widthMm;
            const QString path = dir.filePath(QStringLiteral("confusion%1.png").arg(classes));
            QString error;
            QVERIFY2(exportHeatmap(matrix, QStringLiteral("Confusion matrix, rf, T = 100"), path,
                                   ExportFormat::Png, size, &error),
                     qPrintable(error));
            const QImage image = QImage(path).convertToFormat(QImage::Format_RGB32);
            const int strip = 3;
            int ink = 0;
            for (int y = 0; y < image.height(); ++y)
                for (int x = 0; x < image.width(); ++x)
                    if ((x < strip || y < strip || x >= image.width() - strip ||
                         y >= image.height() - strip) &&
                        image.pixel(x, y) != qRgb(255, 255, 255))
                        ++ink;
            QVERIFY2(ink == 0,
                     qPrintable(
                         QStringLiteral("%1 classes: %2 inked edge pixels").arg(classes).arg(ink)));
        }
    }

    // The workbench's view keeps grouped bars readable too: its minimum
    // height grows with the number of models side by side.
    void viewHeightGrowsWithTheModels()
    {
        const int one = readableChartHeight(barFigure(19, 1));
        const int six = readableChartHeight(barFigure(19, 6));
        const qreal line = QFontMetricsF(QFont()).height();
        QVERIFY2(one > 0 && six > one && six >= 19 * 0.4 * 6 * line,
                 qPrintable(QStringLiteral("%1 %2").arg(one).arg(six)));
    }

    void exportsGrowWithTheLabels()
    {
        const ExportSize defaults;
        const ExportSize few = figureExportSize(barFigure(5, 1), defaults);
        QCOMPARE(few.heightMm, defaults.heightMm);
        const ExportSize many = figureExportSize(barFigure(120, 1), defaults);
        QVERIFY2(many.heightMm > 2 * defaults.heightMm, qPrintable(QString::number(many.heightMm)));
        QCOMPARE(many.widthMm, defaults.widthMm);

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QString error;
        const FigureData figure = barFigure(120, 1);
        for (const char* ext : {"png", "svg", "pdf"}) {
            const QString path = dir.filePath(QStringLiteral("bars.") + QLatin1String(ext));
            QVERIFY2(exportFigure(figure, path, *exportFormatOf(path), defaults, &error),
                     qPrintable(error));
        }
        const QImage png(dir.filePath(QStringLiteral("bars.png")));
        QVERIFY(!png.isNull());
        // 300 dpi: the grown height in pixels, within rounding.
        QVERIFY(qAbs(png.height() - many.heightMm / 25.4 * 300) < 3);
    }

    void pathologicalLabelStaysInside()
    {
        FigureData figure = barFigure(14, 1);
        figure.categories[3] = QString(5000, QLatin1Char('a')) + QStringLiteral(".example");
        QGraphicsScene scene;
        QRectF rect;
        QChart* chart = layoutFigureChart(figure, ExportSize{}, scene, &rect);
        const QList<DrawnText> texts = drawnTexts(chart);
        for (const DrawnText& t : texts)
            QVERIFY2(rect.adjusted(-0.5, -0.5, 0.5, 0.5).contains(t.box),
                     qPrintable(t.text.left(80)));
        // The other labels are still whole.
        for (int i = 0; i < 14; ++i)
            if (i != 3)
                QVERIFY2(
                    std::any_of(texts.begin(), texts.end(),
                                [&](const DrawnText& t) { return t.text == figure.categories[i]; }),
                    qPrintable(figure.categories[i]));
    }
};

QTEST_MAIN(TestFigures)
#include "test_figures.moc"
