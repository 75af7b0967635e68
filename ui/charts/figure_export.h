// Exports figures for papers: PNG (raster at a chosen dpi), SVG and PDF
// (vector: Qt Charts and the heatmap paint through QPainter, so lines and
// text stay vectors). The figure is laid out in points (1/72 inch) at the
// chosen physical size and the text gets the chosen point size, so a
// 160 x 100 mm figure with 8 pt text looks the same in every format and
// stays readable when placed at 100 % in a paper.
//
// writeRunFigures() is the batch path (`snilab --figures`): every figure of a
// run (ui/core runFigures()), every confusion matrix and the Table-1 (CSV)
// and per-class tables, offscreen, with the same chart code as the GUI. The
// batch mode adds the run report (report/run_report.h: table1.tex and the
// rest, the same bytes as `snilab-cli report`).
//
// Thread: GUI thread (QApplication required: Qt Charts are QGraphicsWidgets;
// offscreen platform is fine). Failure: functions return false with a message
// in *error (unwritable file, unknown extension); nothing throws.
#pragma once

#include "chart_builder.h"

#include <QImage>
#include <QString>
#include <QStringList>

#include <functional>

class QGraphicsScene;

namespace snilab::ui {

enum class ExportFormat { Png, Svg, Pdf };
QString exportFormatSuffix(ExportFormat format);
// From a file name's suffix (png, svg, pdf; case-insensitive).
std::optional<ExportFormat> exportFormatOf(const QString& path);

struct ExportSize {
    double widthMm = 160;
    double heightMm = 100;
    int dpi = 300;                          // PNG only
    double fontPt = 8;                      // text size on paper
    bool fullRange = false;                 // share axes from 0 to 1 (ChartStyle::fullRange)
    LegendPlace legend = LegendPlace::Auto; // ChartStyle::legend
    bool valueLabels = false;               // ChartStyle::valueLabels
};

// The rule for an export size, shared by the export dialog and
// `snilab --figures`: width and height 20-1000 mm, 72-1200 dpi, text 4-24 pt.
// exportSizeProblem(): the first field that breaks it (None when `size` is
// valid) and, in *message, what is wrong; exportSizeError(): the message
// alone ("" when valid).
enum class ExportSizeField { None, Width, Height, Resolution, TextSize };
ExportSizeField exportSizeProblem(const ExportSize& size, QString* message);
QString exportSizeError(const ExportSize& size);

// Paints `paint(painter, rectInPoints)` into a file of the given format/size.
bool renderToFile(const std::function<void(QPainter&, const QRectF&)>& paint, const QString& path,
                  ExportFormat format, const ExportSize& size, QString* error);

// Writes `figure` at `size` - taller when its category labels need the room
// (figureExportSize()): a label is never elided to fit.
bool exportFigure(const FigureData& figure, const QString& path, ExportFormat format,
                  const ExportSize& size, QString* error);
// The size exportFigure() writes `figure` at: `size`, its height grown until
// every category label of horizontal bars has a line of its own.
ExportSize figureExportSize(const FigureData& figure, const ExportSize& size);
// The chart exportFigure() paints, laid out in `scene` at the grown size in
// points (*rect receives it): for tests that inspect what is drawn.
QChart* layoutFigureChart(const FigureData& figure, const ExportSize& size, QGraphicsScene& scene,
                          QRectF* rect);
// The PNG exportFigure() would write, as an image (the workbench's "Copy
// image"); null for an empty figure or an invalid size.
QImage figureImage(const FigureData& figure, const ExportSize& size);
bool exportHeatmap(const ConfusionMatrixModel& matrix, const QString& title, const QString& path,
                   ExportFormat format, const ExportSize& size, QString* error);

// Writes every figure of a run to `outDir` in PNG, SVG and PDF (plus
// confusion_<model>_T<t>.*, table1.csv/.tex, per_class_T<t>.csv/.tex);
// `written` receives the file names. Returns false on the first failure.
bool writeRunFigures(const RunData& run, const QString& outDir, const ExportSize& size,
                     QStringList* written, QString* error);

} // namespace snilab::ui
