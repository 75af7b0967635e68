// FigureView: one figure (FigureData) as a Qt chart with an Export button
// (PNG/SVG/PDF at a chosen paper size); shows the figure's emptyReason
// instead of a chart when it has no data. A chart of horizontal bars is kept
// at least readableChartHeight() tall, so that no category label is elided,
// and scrolls where the view is shorter. Its context menu (and shortcuts,
// while it has the focus): Copy image (Ctrl+C: the PNG of the default export
// size), Export… (Ctrl+Shift+S), Reset zoom (Ctrl+0; line charts zoom with a
// dragged rectangle).
// TableView: a table with Export CSV / Export LaTeX buttons and the context
// actions of every workbench table (page_table.h: copy, filter, columns).
// ExportDialog: the file, format and paper size of an export, the legend's
// place, values on bars, 0-1 accuracy axes; an invalid size blocks Save.
//
// Thread: GUI thread. Failure: export errors are shown in a message box
// (and returned by the exportTo() functions used by tests and batch code).
#pragma once

#include "charts/figure_export.h"

#include <QDialog>
#include <QWidget>

#include <functional>

class QAbstractItemModel;
class QAction;
class QChartView;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QScrollArea;
class QSpinBox;
class QStackedWidget;
class QTableView;

namespace snilab::ui {

// The folder export dialogs start in (the last one exported to, else home)
// and how an export remembers it.
QString exportFolder();
void rememberExportFolder(const QString& folder);

class ExportDialog : public QDialog {
    Q_OBJECT
public:
    ExportDialog(const QString& suggestedPath, bool figure, QWidget* parent = nullptr);
    QString path() const;
    ExportSize size() const;
    // Why the size cannot be exported ("" when it can: Save is enabled).
    QString sizeError() const;

private:
    QLineEdit* m_path;
    QDoubleSpinBox* m_width = nullptr;
    QDoubleSpinBox* m_height = nullptr;
    QSpinBox* m_dpi = nullptr;
    QDoubleSpinBox* m_font = nullptr;
    QComboBox* m_legend = nullptr;
    QCheckBox* m_valueLabels = nullptr;
    QCheckBox* m_fullRange = nullptr;
    QLabel* m_sizeError = nullptr;
    bool m_figure;
};

class FigureView : public QWidget {
    Q_OBJECT
public:
    explicit FigureView(QWidget* parent = nullptr);
    void setFigure(const FigureData& figure);
    const FigureData& figure() const { return m_figure; }
    QChartView* chartView() const { return m_view; }
    bool exportTo(const QString& path, const ExportSize& size, QString* error) const;
    // The figure as Copy image puts it on the clipboard (null when empty).
    QImage image() const;
    bool isZoomable() const;

public Q_SLOTS:
    void exportInteractively();
    void copyImage();
    void resetZoom();

private:
    FigureData m_figure;
    QAction* m_copyImage = nullptr;
    QAction* m_export = nullptr;
    QAction* m_resetZoom = nullptr;
    QStackedWidget* m_stack;
    QScrollArea* m_scroll;
    QChartView* m_view;
    QLabel* m_empty;
};

class TableView : public QWidget {
    Q_OBJECT
public:
    explicit TableView(QWidget* parent = nullptr);
    void setModel(QAbstractItemModel* model, const QString& exportStem);
    QTableView* table() const { return m_table; }
    // Replaces the CSV of the shown cells by a writer of the engine's own
    // format for this table (the prediction CSV); false with *error on failure.
    using CsvWriter = std::function<bool(const QString& path, QString* error)>;
    void setCsvWriter(CsvWriter writer) { m_csvWriter = std::move(writer); }

public Q_SLOTS:
    void exportCsv();
    void exportLatex();

private:
    QTableView* m_table;
    QString m_stem;
    CsvWriter m_csvWriter;
    bool m_actionsAdded = false;
};

} // namespace snilab::ui
