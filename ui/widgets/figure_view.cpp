#include "figure_view.h"

#include "core/table_export.h"
#include "core/workbench_settings.h"
#include "page_table.h"

#include <QAction>
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QMouseEvent>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>
#include <QXYSeries>

namespace snilab::ui {

namespace {

QString defaultFolder()
{
    const QString folder = WorkbenchSettings().lastFolder(WorkbenchSettings::Folder::Exports);
    return folder.isEmpty() ? QDir::homePath() : folder;
}

} // namespace

void rememberExportFolder(const QString& folder)
{
    WorkbenchSettings().setLastFolder(WorkbenchSettings::Folder::Exports, folder);
}

QString exportFolder()
{
    return defaultFolder();
}

ExportDialog::ExportDialog(const QString& suggestedPath, bool figure, QWidget* parent)
    : QDialog(parent), m_path(new QLineEdit(suggestedPath)), m_figure(figure)
{
    setWindowTitle(figure ? tr("Export figure") : tr("Export table"));
    auto* form = new QFormLayout;
    auto* browse = new QPushButton(tr("Browse…"));
    auto* row = new QHBoxLayout;
    row->addWidget(m_path);
    row->addWidget(browse);
    form->addRow(tr("File"), row);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString filter = m_figure ? tr("PNG image (*.png);;SVG vector (*.svg);;PDF (*.pdf)")
                                        : tr("CSV (*.csv);;LaTeX (*.tex)");
        const QString p = QFileDialog::getSaveFileName(this, windowTitle(), m_path->text(), filter);
        if (!p.isEmpty())
            m_path->setText(p);
    });
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
    if (figure) {
        // Wide spin ranges: a value outside the export rule is shown as
        // invalid (exportSizeError()) and blocks Save rather than clamped.
        const auto length = [](double value, const QString& tip) {
            auto* box = new QDoubleSpinBox;
            box->setRange(0, 100000);
            box->setSuffix(tr(" mm"));
            box->setValue(value);
            box->setToolTip(tip);
            return box;
        };
        m_width = length(160, tr("Width on paper, 20-1000 mm (a column is about 85 mm, a "
                                 "page about 170 mm)"));
        m_height = length(100, tr("Height on paper, 20-1000 mm; a figure with many category "
                                  "labels grows taller so that none is cut"));
        m_dpi = new QSpinBox;
        m_dpi->setRange(0, 100000);
        m_dpi->setValue(300);
        m_dpi->setSuffix(tr(" dpi (PNG)"));
        m_dpi->setToolTip(tr("Resolution of a PNG, 72-1200 dpi (SVG and PDF are vector)"));
        m_font = new QDoubleSpinBox;
        m_font->setRange(0, 1000);
        m_font->setValue(8);
        m_font->setSuffix(tr(" pt"));
        m_font->setToolTip(tr("Text size on paper, 4-24 pt"));
        m_legend = new QComboBox;
        const QStringList places = {tr("automatic (below; right for more than three series)"),
                                    tr("inside the plot, top right"), tr("right of the plot"),
                                    tr("below the plot"), tr("none")};
        for (qsizetype i = 0; i < places.size(); ++i)
            m_legend->addItem(places[i], legendPlaceNames()[i]);
        m_legend->setToolTip(tr("Where the legend goes (snilab --figures --legend)"));
        m_valueLabels = new QCheckBox(tr("Values on the bars"));
        m_valueLabels->setToolTip(tr("Write each bar's value at its end (--value-labels)"));
        m_fullRange = new QCheckBox(tr("Accuracy axes from 0 to 1"));
        m_fullRange->setToolTip(tr("Line figures of accuracy or F1 zoom to the data, with a break "
                                   "mark on the axis; this draws them from 0 to 1 (--full-range)"));
        m_sizeError = new QLabel;
        m_sizeError->setStyleSheet(QStringLiteral("color: #c00000"));
        m_sizeError->setWordWrap(true);
        form->addRow(tr("Width"), m_width);
        form->addRow(tr("Height"), m_height);
        form->addRow(tr("Resolution"), m_dpi);
        form->addRow(tr("Text size"), m_font);
        form->addRow(tr("Legend"), m_legend);
        form->addRow(QString(), m_valueLabels);
        form->addRow(QString(), m_fullRange);
        form->addRow(m_sizeError);
        form->addRow(new QLabel(tr("The format follows the file name: .png, .svg or .pdf "
                                   "(SVG and PDF stay vector).")));
        const auto check = [this, buttons] {
            QString error;
            const ExportSizeField field = exportSizeProblem(size(), &error);
            m_sizeError->setText(error.isEmpty() ? QString() : tr("Cannot export: %1.").arg(error));
            m_sizeError->setVisible(!error.isEmpty());
            buttons->button(QDialogButtonBox::Save)->setEnabled(error.isEmpty());
            // The field the rule names, in red.
            const std::pair<ExportSizeField, QWidget*> fields[] = {
                {ExportSizeField::Width, m_width},
                {ExportSizeField::Height, m_height},
                {ExportSizeField::Resolution, m_dpi},
                {ExportSizeField::TextSize, m_font}};
            for (const auto& [which, box] : fields)
                box->setStyleSheet(which == field ? QStringLiteral("color: #c00000") : QString());
        };
        for (QDoubleSpinBox* box : {m_width, m_height, m_font})
            connect(box, &QDoubleSpinBox::valueChanged, this, check);
        connect(m_dpi, &QSpinBox::valueChanged, this, check);
        check();
    }
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);
}

QString ExportDialog::path() const
{
    return m_path->text();
}

QString ExportDialog::sizeError() const
{
    return m_sizeError ? m_sizeError->text() : QString();
}

ExportSize ExportDialog::size() const
{
    ExportSize s;
    if (m_figure) {
        s.widthMm = m_width->value();
        s.heightMm = m_height->value();
        s.dpi = m_dpi->value();
        s.fontPt = m_font->value();
        s.legend = *parseLegendPlace(m_legend->currentData().toString());
        s.valueLabels = m_valueLabels->isChecked();
        s.fullRange = m_fullRange->isChecked();
    }
    return s;
}

namespace {

// A chart view whose rubber band zooms (line charts) but whose right button
// opens the context menu instead of zooming out (QChartView's default).
class FigureChartView : public QChartView {
public:
    using QChartView::QChartView;

protected:
    void mouseReleaseEvent(QMouseEvent* event) override
    {
        if (event->button() == Qt::RightButton) {
            event->accept();
            return;
        }
        QChartView::mouseReleaseEvent(event);
    }
};

// Every series is a line or a point series: a rubber band zooms it sensibly.
bool zoomable(const QChart* chart)
{
    if (!chart || chart->series().isEmpty())
        return false;
    for (const QAbstractSeries* s : chart->series())
        if (!qobject_cast<const QXYSeries*>(s))
            return false;
    return true;
}

} // namespace

FigureView::FigureView(QWidget* parent)
    : QWidget(parent), m_stack(new QStackedWidget), m_scroll(new QScrollArea),
      m_view(new FigureChartView), m_empty(new QLabel)
{
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setObjectName(QStringLiteral("chartView"));
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setWidget(m_view);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_stack->addWidget(m_scroll);
    m_stack->addWidget(m_empty);
    auto* exportButton = new QPushButton(tr("Export…"));
    exportButton->setToolTip(tr("Save this figure as PNG, SVG or PDF at a paper size "
                                "(Ctrl+Shift+S)"));
    connect(exportButton, &QPushButton::clicked, this, &FigureView::exportInteractively);
    // The context menu and shortcuts (while the figure has the focus).
    m_copyImage = new QAction(tr("Copy image"), this);
    m_copyImage->setShortcut(QKeySequence::Copy);
    connect(m_copyImage, &QAction::triggered, this, &FigureView::copyImage);
    m_export = new QAction(tr("Export…"), this);
    m_export->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    connect(m_export, &QAction::triggered, this, &FigureView::exportInteractively);
    m_resetZoom = new QAction(tr("Reset zoom"), this);
    m_resetZoom->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    connect(m_resetZoom, &QAction::triggered, this, &FigureView::resetZoom);
    for (QAction* a : {m_copyImage, m_export, m_resetZoom}) {
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        addAction(a);
        m_view->addAction(a);
    }
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_view->setFocusPolicy(Qt::StrongFocus);
    auto* bar = new QHBoxLayout;
    bar->addStretch();
    bar->addWidget(exportButton);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack, 1);
    layout->addLayout(bar);
    setFigure({});
}

void FigureView::setFigure(const FigureData& figure)
{
    m_figure = figure;
    QChart* old = m_view->chart();
    m_view->setChart(buildChart(figure));
    delete old;
    m_view->setMinimumHeight(readableChartHeight(figure));
    m_empty->setText(figure.emptyReason.isEmpty() ? tr("No data.") : figure.emptyReason);
    m_stack->setCurrentWidget(figure.isEmpty() ? static_cast<QWidget*>(m_empty) : m_scroll);
    // Line charts zoom with a rubber band (drag a rectangle); bars and
    // heatmaps do not (their category axes do not zoom).
    const bool zoom = zoomable(m_view->chart()) && !figure.isEmpty();
    m_view->setRubberBand(zoom ? QChartView::RectangleRubberBand : QChartView::NoRubberBand);
    m_view->setToolTip(zoom ? tr("Drag a rectangle to zoom; Reset zoom (Ctrl+0) in the context "
                                 "menu")
                            : QString());
    m_resetZoom->setEnabled(zoom);
    m_copyImage->setEnabled(!figure.isEmpty());
    m_export->setEnabled(!figure.isEmpty());
}

bool FigureView::isZoomable() const
{
    return m_view->rubberBand() != QChartView::NoRubberBand;
}

void FigureView::resetZoom()
{
    if (QChart* chart = m_view->chart())
        chart->zoomReset();
}

QImage FigureView::image() const
{
    // As exported at the default size: what a paper would get.
    return figureImage(m_figure, ExportSize{});
}

void FigureView::copyImage()
{
    const QImage picture = image();
    if (!picture.isNull())
        QApplication::clipboard()->setImage(picture);
}

bool FigureView::exportTo(const QString& path, const ExportSize& size, QString* error) const
{
    const auto format = exportFormatOf(path);
    if (!format) {
        if (error)
            *error = tr("%1: the file name must end in .png, .svg or .pdf").arg(path);
        return false;
    }
    return exportFigure(m_figure, path, *format, size, error);
}

void FigureView::exportInteractively()
{
    ExportDialog dialog(QDir(defaultFolder()).filePath(m_figure.id + QStringLiteral(".pdf")), true,
                        this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    QString error;
    if (!exportTo(dialog.path(), dialog.size(), &error))
        QMessageBox::warning(this, tr("Export failed"), error);
    else
        rememberExportFolder(QFileInfo(dialog.path()).absolutePath());
}

TableView::TableView(QWidget* parent) : QWidget(parent), m_table(new QTableView)
{
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    auto* csv = new QPushButton(tr("Export CSV…"));
    auto* tex = new QPushButton(tr("Export LaTeX…"));
    connect(csv, &QPushButton::clicked, this, &TableView::exportCsv);
    connect(tex, &QPushButton::clicked, this, &TableView::exportLatex);
    auto* bar = new QHBoxLayout;
    bar->addStretch();
    bar->addWidget(csv);
    bar->addWidget(tex);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table, 1);
    layout->addLayout(bar);
}

void TableView::setModel(QAbstractItemModel* model, const QString& exportStem)
{
    m_table->setModel(model);
    m_stem = exportStem;
    // Copy, filter, columns: once, with the first model (they follow it).
    if (!m_actionsAdded) {
        // Its own export buttons in the context menu too, after the copies.
        auto* csv = new QAction(tr("Export CSV…"), m_table);
        auto* tex = new QAction(tr("Export LaTeX…"), m_table);
        connect(csv, &QAction::triggered, this, &TableView::exportCsv);
        connect(tex, &QAction::triggered, this, &TableView::exportLatex);
        addTableActions(m_table, {}, {csv, tex});
        m_actionsAdded = true;
    }
    m_table->resizeColumnsToContents();
    connect(model, &QAbstractItemModel::modelReset, m_table, &QTableView::resizeColumnsToContents);
}

void TableView::exportCsv()
{
    if (!m_table->model())
        return;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export CSV"), QDir(defaultFolder()).filePath(m_stem + QStringLiteral(".csv")),
        tr("CSV (*.csv)"));
    if (path.isEmpty())
        return;
    QString error;
    const bool ok =
        m_csvWriter ? m_csvWriter(path, &error) : writeTableCsv(*m_table->model(), path, &error);
    if (!ok)
        QMessageBox::warning(this, tr("Export failed"), error);
    else
        rememberExportFolder(QFileInfo(path).absolutePath());
}

void TableView::exportLatex()
{
    if (!m_table->model())
        return;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export LaTeX"), QDir(defaultFolder()).filePath(m_stem + QStringLiteral(".tex")),
        tr("LaTeX (*.tex)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!writeTableLatex(*m_table->model(), path, &error))
        QMessageBox::warning(this, tr("Export failed"), error);
    else
        rememberExportFolder(QFileInfo(path).absolutePath());
}

} // namespace snilab::ui
