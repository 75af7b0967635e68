// The export options a paper asks for, offscreen at the default export size:
// the legend inside the plot, right of it, below it or hidden, and values
// written on bars - each for 14 and 120 labels, with every text still drawn
// whole inside the figure (figure_checks.h) and the value labels not
// overlapping; a dark desktop palette never reaching an exported figure or
// confusion matrix; the export dialog showing an invalid size as invalid and
// blocking Save, with the rule `snilab --figures` applies too.
#include "charts/figure_export.h"
#include "figure_checks.h"
#include "widgets/figure_view.h"

#include <QAbstractBarSeries>
#include <QApplication>
#include <QBarSet>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QImage>
#include <QLegend>
#include <QLocale>
#include <QLogValueAxis>
#include <QPalette>
#include <QProcess>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QValueAxis>

using namespace snilab::ui;
using namespace snilab::ui::test;

namespace {

QAbstractBarSeries* barSeries(QChart* chart)
{
    for (QAbstractSeries* s : chart->series())
        if (auto* bars = qobject_cast<QAbstractBarSeries*>(s))
            return bars;
    return nullptr;
}

// The share of an image's pixels darker than mid-grey (ink, not ground).
double darkShare(const QImage& image)
{
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    qint64 dark = 0;
    for (int y = 0; y < rgb.height(); ++y)
        for (int x = 0; x < rgb.width(); ++x)
            dark += qGray(rgb.pixel(x, y)) < 128 ? 1 : 0;
    return double(dark) / double(qint64(rgb.width()) * rgb.height());
}

QPalette darkPalette()
{
    QPalette p;
    const QColor ground(0x20, 0x20, 0x24), text(0xee, 0xee, 0xee);
    for (QPalette::ColorRole role : {QPalette::Window, QPalette::Base, QPalette::Button,
                                     QPalette::AlternateBase, QPalette::ToolTipBase})
        p.setColor(role, ground);
    for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText,
                                     QPalette::BrightText, QPalette::ToolTipText})
        p.setColor(role, text);
    return p;
}

} // namespace

Q_DECLARE_METATYPE(snilab::ui::LegendPlace)

class TestFigureOptions : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void legendPlaceNamesRoundTrip()
    {
        for (const QString& name : snilab::ui::legendPlaceNames())
            QCOMPARE(legendPlaceName(*parseLegendPlace(name)), name);
        QVERIFY(!parseLegendPlace(QStringLiteral("left")));
        QCOMPARE(*parseLegendPlace(QStringLiteral("inside")), LegendPlace::Inside);
    }

    void optionsKeepEverythingWhole_data()
    {
        QTest::addColumn<int>("categories");
        QTest::addColumn<int>("series");
        QTest::addColumn<LegendPlace>("legend");
        QTest::addColumn<bool>("values");
        for (int n : {14, 120})
            for (LegendPlace place :
                 {LegendPlace::Inside, LegendPlace::Right, LegendPlace::Below, LegendPlace::None})
                for (bool values : {false, true})
                    QTest::addRow("%d labels, 2 models, legend %s%s", n,
                                  qPrintable(legendPlaceName(place)), values ? ", values" : "")
                        << n << 2 << place << values;
        QTest::newRow("5 labels, vertical bars, values") << 5 << 1 << LegendPlace::Auto << true;
        QTest::newRow("5 labels, six models, values") << 5 << 6 << LegendPlace::Right << true;
        QTest::newRow("19 labels, six models, values") << 19 << 6 << LegendPlace::Auto << true;
        QTest::newRow("line figure, legend inside") << 0 << 3 << LegendPlace::Inside << false;
    }

    // Each placement where it was asked for, the values on the bars, and the
    // reviewer's checks (problems()) still clean.
    void optionsKeepEverythingWhole()
    {
        QFETCH(int, categories);
        QFETCH(int, series);
        QFETCH(LegendPlace, legend);
        QFETCH(bool, values);
        FigureData figure;
        if (categories == 0) {
            figure = lineFigure();
            for (const char* name : {"cnngru-packet", "paper"}) {
                FigureSeries s = figure.series[0];
                s.name = QLatin1String(name);
                figure.series << s;
            }
        } else {
            figure = barFigure(categories, series);
            if (categories == 5)
                figure.categories = {QStringLiteral("rf"), QStringLiteral("gru"),
                                     QStringLiteral("cnn"), QStringLiteral("paper"),
                                     QStringLiteral("mean")};
        }
        ExportSize size;
        size.legend = legend;
        size.valueLabels = values;
        const QString found = problems(figure, size);
        QVERIFY2(found.isEmpty(), qPrintable(found));

        QGraphicsScene scene;
        QRectF rect;
        QChart* chart = layoutFigureChart(figure, size, scene, &rect);
        const QRectF plot = chart->plotArea();
        QLegend* box = chart->legend();
        const QRectF at = box->geometry();
        switch (legend) {
        case LegendPlace::None: QVERIFY(!box->isVisible()); break;
        case LegendPlace::Inside: {
            QVERIFY(!box->isVisible()); // snilab draws it
            QGraphicsItem* inside = nullptr;
            for (QGraphicsItem* item : chart->childItems())
                if (item->data(0).toString() == QLatin1String("inside-legend"))
                    inside = item;
            QVERIFY(inside);
            const QRectF drawn = inside->sceneBoundingRect();
            QVERIFY2(plot.contains(drawn) && drawn.width() > 10 && drawn.height() > 5,
                     qPrintable(QStringLiteral("legend %1,%2 %3x%4 in plot %5,%6 %7x%8")
                                    .arg(drawn.x())
                                    .arg(drawn.y())
                                    .arg(drawn.width())
                                    .arg(drawn.height())
                                    .arg(plot.x())
                                    .arg(plot.y())
                                    .arg(plot.width())
                                    .arg(plot.height())));
            // At the top right, a line per series with its name whole.
            QVERIFY(drawn.right() > plot.center().x() && drawn.top() < plot.center().y());
            QStringList names;
            for (const DrawnText& t : drawnTexts(inside))
                names << t.text;
            QStringList expected;
            for (const FigureSeries& fs : figure.series)
                expected << fs.name;
            QCOMPARE(names, expected);
            break;
        }
        case LegendPlace::Right:
            QVERIFY(box->isVisible());
            QVERIFY2(at.left() >= plot.right(), qPrintable(QString::number(at.left())));
            break;
        case LegendPlace::Below:
            QVERIFY(box->isVisible());
            QVERIFY2(at.top() >= plot.bottom(), qPrintable(QString::number(at.top())));
            break;
        case LegendPlace::Auto: break;
        }

        QAbstractBarSeries* bars = barSeries(chart);
        if (!bars)
            return;
        QCOMPARE(bars->isLabelsVisible(), values);
        if (!values)
            return;
        // One value text per bar, within the figure, none over another.
        QList<QRectF> boxes;
        for (const DrawnText& t : drawnTexts(chart)) {
            bool number = false;
            const double v = t.text.toDouble(&number);
            if (number && plot.adjusted(-1, -1, 1, 1).intersects(t.box) && v > 0.55 && v <= 1)
                boxes << t.box;
        }
        QCOMPARE(boxes.size(), qsizetype(categories) * series);
        for (qsizetype i = 0; i < boxes.size(); ++i)
            for (qsizetype j = i + 1; j < boxes.size(); ++j)
                QVERIFY2(
                    boxes[i].intersected(boxes[j]).height() <= 0.5 ||
                        boxes[i].intersected(boxes[j]).width() <= 0.5,
                    qPrintable(QStringLiteral("value labels %1 and %2 overlap").arg(i).arg(j)));
        // The value axis leaves room past its top tick.
        const auto* axis = qobject_cast<QValueAxis*>(bars->attachedAxes().back());
        QVERIFY(axis);
        QVERIFY2(axis->max() > 1.0, qPrintable(QString::number(axis->max())));
        QCOMPARE(axis->tickType(), QValueAxis::TicksDynamic);
    }

    // Figure 3 at 532 labels: the top N, the long tail summarised beside it,
    // linear or on a log axis, everything drawn whole at the default
    // export size.
    void labelCountsAtScale()
    {
        std::vector<snilab::LabelCount> counts;
        for (int i = 0; i < 532; ++i) {
            snilab::LabelCount c;
            c.label = serviceLabel(i).toStdString();
            c.connections = static_cast<quint64>(100 + 40000 / (i + 1));
            counts.push_back(c);
        }
        for (bool log : {false, true}) {
            const FigureData figure = labelCountFigure(counts, 20, log);
            QCOMPARE(figure.categories.size(), 20);
            QCOMPARE(figure.title, QStringLiteral("Connections per label (top 20 of 532)"));
            QCOMPARE(figure.logScale, log);
            const QString found = problems(figure);
            QVERIFY2(found.isEmpty(), qPrintable(found));
            QGraphicsScene scene;
            QChart* chart = layoutFigureChart(figure, ExportSize{}, scene, nullptr);
            const bool hasLog = !chart->axes(Qt::Horizontal, chart->series().front()).isEmpty() &&
                                qobject_cast<QLogValueAxis*>(
                                    chart->axes(Qt::Horizontal, chart->series().front()).front());
            QCOMPARE(hasLog, log);
        }
        // The tail in words beside it; none when every label is shown.
        quint64 rest = 0, all = 0;
        for (std::size_t i = 0; i < counts.size(); ++i) {
            all += counts[i].connections;
            rest += i >= 20 ? counts[i].connections : 0;
        }
        QCOMPARE(labelTailSummary(counts, 20),
                 QStringLiteral("The other 512 labels (not shown) hold %1 connections, %2 % of "
                                "the labeled ones; the smallest has 175.")
                     .arg(QLocale(QLocale::English).toString(qulonglong(rest)))
                     .arg(QString::number(100.0 * double(rest) / double(all), 'f', 1)));
        QVERIFY(labelTailSummary(counts, 532).isEmpty());
    }

    // A dark desktop palette stays on the desktop: the exported figure and
    // confusion matrix keep their white ground and dark text.
    void darkThemeNeverLeaks()
    {
        const FigureData figure = barFigure(14, 2);
        ConfusionMatrixModel matrix;
        matrix.setMatrix({QStringLiteral("a.example"), QStringLiteral("b.example")}, {9, 1, 2, 8});
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto renderBoth = [&](const QString& tag, double* figureDark, double* matrixDark) {
            const QImage chart = figureImage(figure, ExportSize{});
            QVERIFY(!chart.isNull());
            *figureDark = darkShare(chart);
            const QString path = dir.filePath(tag + QStringLiteral("-confusion.png"));
            QString error;
            QVERIFY2(exportHeatmap(matrix, QStringLiteral("Confusion"), path, ExportFormat::Png,
                                   ExportSize{}, &error),
                     qPrintable(error));
            *matrixDark = darkShare(QImage(path));
            // The corner pixel is the white ground.
            QCOMPARE(QColor(chart.pixel(2, 2)).lightness(), 255);
        };
        const QPalette original = QApplication::palette();
        double lightFigure = 0, lightMatrix = 0, darkFigure = 0, darkMatrix = 0;
        renderBoth(QStringLiteral("light"), &lightFigure, &lightMatrix);
        QApplication::setPalette(darkPalette());
        renderBoth(QStringLiteral("dark"), &darkFigure, &darkMatrix);
        QApplication::setPalette(original);
        // Mostly white ground in both, and the same ink under either palette.
        QVERIFY2(lightFigure < 0.2 && lightMatrix < 0.5, qPrintable(QString::number(lightFigure)));
        QVERIFY2(qAbs(darkFigure - lightFigure) < 0.002,
                 qPrintable(QStringLiteral("%1 vs %2").arg(darkFigure).arg(lightFigure)));
        QVERIFY2(qAbs(darkMatrix - lightMatrix) < 0.002,
                 qPrintable(QStringLiteral("%1 vs %2").arg(darkMatrix).arg(lightMatrix)));
    }

    // The export dialog never clamps: a size outside the rule is shown in
    // red with the rule's reason and Save is disabled; the options reach the
    // ExportSize.
    void exportDialogShowsInvalidSizes()
    {
        ExportDialog dialog(QStringLiteral("/tmp/figure.pdf"), true);
        QPushButton* save = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save);
        QVERIFY(save->isEnabled());
        QVERIFY(dialog.sizeError().isEmpty());
        QList<QDoubleSpinBox*> lengths = dialog.findChildren<QDoubleSpinBox*>();
        QDoubleSpinBox* width = nullptr;
        for (QDoubleSpinBox* box : lengths)
            if (box->value() == 160)
                width = box;
        QVERIFY(width);
        width->setValue(10);
        QCOMPARE(width->value(), 10.0); // kept, not clamped
        QVERIFY(!save->isEnabled());
        QVERIFY2(dialog.sizeError().contains(QStringLiteral("width must be from 20 to 1000 mm")),
                 qPrintable(dialog.sizeError()));
        QCOMPARE(dialog.sizeError().mid(dialog.sizeError().indexOf(QLatin1String("the width"))),
                 exportSizeError(dialog.size()) + QLatin1Char('.'));
        QVERIFY(!width->styleSheet().isEmpty());
        width->setValue(85);
        QVERIFY(save->isEnabled());
        QVERIFY(width->styleSheet().isEmpty());
        QSpinBox* dpi = dialog.findChild<QSpinBox*>();
        dpi->setValue(5000);
        QVERIFY(!save->isEnabled());
        QVERIFY(dialog.sizeError().contains(QStringLiteral("resolution")));
        dpi->setValue(600);
        QVERIFY(save->isEnabled());

        QComboBox* legend = dialog.findChild<QComboBox*>();
        legend->setCurrentIndex(legend->findData(QStringLiteral("inside")));
        for (QCheckBox* box : dialog.findChildren<QCheckBox*>())
            box->setChecked(true);
        const ExportSize size = dialog.size();
        QCOMPARE(size.widthMm, 85.0);
        QCOMPARE(size.dpi, 600);
        QCOMPARE(size.legend, LegendPlace::Inside);
        QVERIFY(size.valueLabels);
        QVERIFY(size.fullRange);
    }

    // `snilab --figures` takes the same options and the same rule.
    void batchModeRefusesWhatTheDialogRefuses()
    {
        const auto run = [](const QStringList& args) {
            QProcess p;
            p.start(QStringLiteral(SNILAB_GUI_EXE), args);
            p.waitForFinished(60000);
            return std::make_pair(p.exitCode(), QString::fromUtf8(p.readAllStandardError()));
        };
        const QStringList base = {"--figures", "--catalog", "/nonexistent.sqlite",       "--run",
                                  "1",         "--out",     "/tmp/snilab-figures-unused"};
        auto [code, err] = run(base + QStringList{"--width-mm", "10"});
        QCOMPARE(code, 2);
        QVERIFY2(err.contains(exportSizeError([] {
            ExportSize s;
            s.widthMm = 10;
            return s;
        }())),
                 qPrintable(err));
        std::tie(code, err) = run(base + QStringList{"--legend", "left"});
        QCOMPARE(code, 2);
        QVERIFY2(err.contains(QStringLiteral("--legend must be one of auto, inside, right, below, "
                                             "none, not 'left'")),
                 qPrintable(err));
        std::tie(code, err) = run(base + QStringList{"--dpi", "300.5"});
        QCOMPARE(code, 2);
        QVERIFY2(err.contains(QStringLiteral("--dpi needs a whole number")), qPrintable(err));
    }
};

QTEST_MAIN(TestFigureOptions)
#include "test_figure_options.moc"
