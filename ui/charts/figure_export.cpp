#include "figure_export.h"

#include "core/export_guard.h"
#include "core/table_export.h"
#include "report/atomic_file.h"
#include "report/file_names.h"

#include <QChart>
#include <QDir>
#include <QFileInfo>
#include <QGraphicsLayout>
#include <QGraphicsScene>
#include <QImage>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <QtMath>

#include <algorithm>
#include <optional>

namespace snilab::ui {

namespace {

constexpr double kPointsPerMm = 72.0 / 25.4;

bool fail(QString* error, const QString& message)
{
    if (error)
        *error = message;
    return false;
}

// The engine's one file-safe name rule (report/file_names.h), as the CLI's
// report uses it: the same model gets the same file name from both.
QString fileStem(const QString& text)
{
    return QString::fromStdString(report::fileSafeName(text.toStdString()));
}

} // namespace

QString exportFormatSuffix(ExportFormat format)
{
    switch (format) {
    case ExportFormat::Png: return QStringLiteral("png");
    case ExportFormat::Svg: return QStringLiteral("svg");
    case ExportFormat::Pdf: return QStringLiteral("pdf");
    }
    return QStringLiteral("png");
}

std::optional<ExportFormat> exportFormatOf(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    for (auto f : {ExportFormat::Png, ExportFormat::Svg, ExportFormat::Pdf})
        if (suffix == exportFormatSuffix(f))
            return f;
    return std::nullopt;
}

namespace {

using PaintFunction = std::function<void(QPainter&, const QRectF&)>;

// Each writer paints `points` (the page in points) into `target` (the atomic
// file's temporary path); `path` only names the file in messages and titles.
// The picture at `dpi` on white (null when too large to allocate).
QImage renderImage(const PaintFunction& paint, const QRectF& points, double dpi)
{
    const double scale = dpi / 72.0;
    QImage image(qRound(points.width() * scale), qRound(points.height() * scale),
                 QImage::Format_ARGB32_Premultiplied);
    if (image.isNull())
        return image;
    image.setDotsPerMeterX(qRound(dpi / 0.0254));
    image.setDotsPerMeterY(qRound(dpi / 0.0254));
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    painter.scale(scale, scale);
    paint(painter, points);
    return image;
}

bool writePng(const PaintFunction& paint, const QString& path, const QString& target,
              const QRectF& points, double dpi, QString* error)
{
    const QImage image = renderImage(paint, points, dpi);
    if (image.isNull())
        return fail(error, QStringLiteral("image too large"));
    if (!image.save(target, "PNG"))
        return fail(error, QStringLiteral("cannot write %1").arg(path));
    return true;
}

bool writeSvg(const PaintFunction& paint, const QString& path, const QString& target,
              const QRectF& points, QString* error)
{
    QSvgGenerator svg;
    svg.setFileName(target);
    svg.setSize(points.size().toSize());
    svg.setViewBox(points);
    svg.setResolution(72);
    svg.setTitle(QFileInfo(path).completeBaseName());
    svg.setDescription(QStringLiteral("snilab figure"));
    QPainter painter;
    if (!painter.begin(&svg))
        return fail(error, QStringLiteral("cannot write %1").arg(path));
    painter.setRenderHint(QPainter::Antialiasing);
    paint(painter, points);
    painter.end();
    if (!QFileInfo(target).exists() || QFileInfo(target).size() == 0)
        return fail(error, QStringLiteral("cannot write %1").arg(path));
    return true;
}

bool writePdf(const PaintFunction& paint, const QString& path, const QString& target,
              const QRectF& points, const ExportSize& size, QString* error)
{
    QPdfWriter pdf(target);
    pdf.setPageSize(QPageSize(QSizeF(size.widthMm, size.heightMm), QPageSize::Millimeter));
    pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
    pdf.setResolution(1200);
    pdf.setCreator(QStringLiteral("snilab"));
    pdf.setTitle(QFileInfo(path).completeBaseName());
    QPainter painter;
    if (!painter.begin(&pdf))
        return fail(error, QStringLiteral("cannot write %1").arg(path));
    painter.setRenderHint(QPainter::Antialiasing);
    const double scale = pdf.resolution() / 72.0;
    painter.scale(scale, scale);
    paint(painter, points);
    painter.end();
    if (!QFileInfo(target).exists() || QFileInfo(target).size() == 0)
        return fail(error, QStringLiteral("cannot write %1").arg(path));
    return true;
}

bool writeFormat(const PaintFunction& paint, const QString& path, const QString& target,
                 ExportFormat format, const QRectF& points, const ExportSize& size, QString* error)
{
    switch (format) {
    case ExportFormat::Png: return writePng(paint, path, target, points, size.dpi, error);
    case ExportFormat::Svg: return writeSvg(paint, path, target, points, error);
    case ExportFormat::Pdf: return writePdf(paint, path, target, points, size, error);
    }
    return fail(error, QStringLiteral("unknown format"));
}

} // namespace

bool renderToFile(const std::function<void(QPainter&, const QRectF&)>& paint, const QString& path,
                  ExportFormat format, const ExportSize& size, QString* error)
{
    if (!(size.widthMm > 0) || !(size.heightMm > 0) || size.dpi < 10 || size.dpi > 2400)
        return fail(error, QStringLiteral("invalid export size"));
    const QRectF points(0, 0, size.widthMm * kPointsPerMm, size.heightMm * kPointsPerMm);
    // Qt's writers get the engine's fresh temporary file; it replaces `path`
    // only once whole (report/atomic_file.h).
    std::optional<report::AtomicFile> atomic;
    try {
        refuseOpenInputs(path);
        atomic.emplace(path.toStdString());
    } catch (const std::exception& e) {
        return fail(error, QString::fromStdString(e.what()));
    }
    const QString target = QString::fromStdString(atomic->temporaryPath().string());
    if (!writeFormat(paint, path, target, format, points, size, error))
        return false;
    try {
        atomic->commit();
        return true;
    } catch (const std::exception& e) {
        return fail(error, QString::fromStdString(e.what()));
    }
}

ExportSizeField exportSizeProblem(const ExportSize& size, QString* message)
{
    const auto outside = [](double v, double lo, double hi) { return !(v >= lo && v <= hi); };
    message->clear();
    if (outside(size.widthMm, 20, 1000)) {
        *message = QStringLiteral("the width must be from 20 to 1000 mm, not %1").arg(size.widthMm);
        return ExportSizeField::Width;
    }
    if (outside(size.heightMm, 20, 1000)) {
        *message =
            QStringLiteral("the height must be from 20 to 1000 mm, not %1").arg(size.heightMm);
        return ExportSizeField::Height;
    }
    if (outside(size.dpi, 72, 1200)) {
        *message =
            QStringLiteral("the resolution must be from 72 to 1200 dpi, not %1").arg(size.dpi);
        return ExportSizeField::Resolution;
    }
    if (outside(size.fontPt, 4, 24)) {
        *message = QStringLiteral("the text size must be from 4 to 24 pt, not %1").arg(size.fontPt);
        return ExportSizeField::TextSize;
    }
    return ExportSizeField::None;
}

QString exportSizeError(const ExportSize& size)
{
    QString message;
    exportSizeProblem(size, &message);
    return message;
}

QChart* layoutFigureChart(const FigureData& figure, const ExportSize& size, QGraphicsScene& scene,
                          QRectF* rect)
{
    ChartStyle style;
    style.fontPx = size.fontPt;
    style.fullRange = size.fullRange;
    style.legend = size.legend;
    style.valueLabels = size.valueLabels;
    // A chart is a QGraphicsWidget: laid out in a scene at the size in points.
    QChart* chart = buildChart(figure, style);
    scene.addItem(chart);
    QRectF points(0, 0, size.widthMm * kPointsPerMm, size.heightMm * kPointsPerMm);
    chart->setGeometry(points);
    chart->layout()->activate();
    // Taller rather than elided: every category label keeps a line of its own.
    if (const qreal more = categoryLabelDeficit(chart); more > 0) {
        points.setHeight(points.height() + qCeil(more) + 1);
        chart->setGeometry(points);
        chart->layout()->activate();
    }
    scene.setSceneRect(points);
    if (rect)
        *rect = points;
    return chart;
}

namespace {

// `size` with the height of a chart laid out at it (layoutFigureChart()).
ExportSize grownTo(const ExportSize& size, const QRectF& laidOut)
{
    ExportSize grown = size;
    grown.heightMm = std::max(size.heightMm, laidOut.height() / kPointsPerMm);
    return grown;
}

} // namespace

ExportSize figureExportSize(const FigureData& figure, const ExportSize& size)
{
    if (figure.isEmpty())
        return size;
    QGraphicsScene scene;
    QRectF points;
    layoutFigureChart(figure, size, scene, &points);
    return grownTo(size, points);
}

bool exportFigure(const FigureData& figure, const QString& path, ExportFormat format,
                  const ExportSize& size, QString* error)
{
    if (figure.isEmpty())
        return fail(error, QStringLiteral("the figure has no data: %1").arg(figure.emptyReason));
    // Laid out once, at the grown size, and painted from that scene.
    QGraphicsScene scene;
    QRectF laidOut;
    layoutFigureChart(figure, size, scene, &laidOut);
    return renderToFile(
        [&](QPainter& painter, const QRectF& rect) { scene.render(&painter, rect, laidOut); }, path,
        format, grownTo(size, laidOut), error);
}

QImage figureImage(const FigureData& figure, const ExportSize& size)
{
    if (figure.isEmpty() || !(size.widthMm > 0) || !(size.heightMm > 0) || size.dpi < 10 ||
        size.dpi > 2400)
        return {};
    QGraphicsScene scene;
    QRectF laidOut;
    layoutFigureChart(figure, size, scene, &laidOut);
    return renderImage(
        [&](QPainter& painter, const QRectF& rect) { scene.render(&painter, rect, laidOut); },
        laidOut, size.dpi);
}

bool exportHeatmap(const ConfusionMatrixModel& matrix, const QString& title, const QString& path,
                   ExportFormat format, const ExportSize& size, QString* error)
{
    HeatmapStyle style;
    style.fontPx = size.fontPt;
    style.title = title;
    return renderToFile(
        [&](QPainter& painter, const QRectF& rect) { paintHeatmap(painter, rect, matrix, style); },
        path, format, size, error);
}

bool writeRunFigures(const RunData& run, const QString& outDir, const ExportSize& size,
                     QStringList* written, QString* error)
{
    QDir dir(outDir);
    if (!dir.mkpath(QStringLiteral(".")))
        return fail(error, QStringLiteral("cannot create %1").arg(outDir));
    const ExportFormat formats[] = {ExportFormat::Png, ExportFormat::Svg, ExportFormat::Pdf};
    auto note = [&](const QString& name) {
        if (written)
            *written << name;
    };
    for (const FigureData& figure : runFigures(run))
        for (ExportFormat f : formats) {
            const QString name = fileStem(figure.id) + QLatin1Char('.') + exportFormatSuffix(f);
            if (!exportFigure(figure, dir.filePath(name), f, size, error))
                return false;
            note(name);
        }
    ConfusionMatrixModel matrix;
    matrix.setOrder(ConfusionMatrixModel::Order::Label);
    for (const QString& model : run.models)
        for (int t : run.thresholds) {
            matrix.setRun(run, model, t);
            if (matrix.classCount() == 0)
                continue;
            const QString title = QStringLiteral("Confusion matrix, %1, T = %2").arg(model).arg(t);
            for (ExportFormat f : formats) {
                const QString name =
                    fileStem(QStringLiteral("confusion_%1_T%2").arg(model).arg(t)) +
                    QLatin1Char('.') + exportFormatSuffix(f);
                ExportSize square = size;
                square.heightMm = size.widthMm;
                if (!exportHeatmap(matrix, title, dir.filePath(name), f, square, error))
                    return false;
                note(name);
            }
        }
    // table1.tex is the run report's (report/run_report.h, written by the
    // batch mode): one LaTeX Table 1 for both front ends.
    Table1Model table1;
    table1.setRun(run);
    if (!writeTableCsv(table1, dir.filePath(QStringLiteral("table1.csv")), error))
        return false;
    note(QStringLiteral("table1.csv"));
    PerClassModel perClass;
    for (int t : run.thresholds) {
        perClass.setRun(run, t);
        if (perClass.rowCount() == 0)
            continue;
        const QString stem = QStringLiteral("per_class_T%1").arg(t);
        if (!writeTableCsv(perClass, dir.filePath(stem + QStringLiteral(".csv")), error) ||
            !writeTableLatex(perClass, dir.filePath(stem + QStringLiteral(".tex")), error))
            return false;
        note(stem + QStringLiteral(".csv"));
        note(stem + QStringLiteral(".tex"));
    }
    return true;
}

} // namespace snilab::ui
