#include "figure_view.h"

#include "core/table_export.h"
#include "core/workbench_settings.h"

#include <QAction>
#include <QApplication>
#include <QChart>
#include <QChartView>
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
    if (figure) {
        m_width = new QDoubleSpinBox;
        m_width->setRange(20, 1000);
        m_width->setSuffix(tr(" mm"));
        m_width->setValue(160);
        m_height = new QDoubleSpinBox;
        m_height->setRange(20, 1000);
        m_height->setSuffix(tr(" mm"));
        m_height->setValue(100);
        m_dpi = new QSpinBox;
        m_dpi->setRange(72, 1200);
        m_dpi->setValue(300);
        m_dpi->setSuffix(tr(" dpi (PNG)"));
        m_font = new QDoubleSpinBox;
        m_font->setRange(4, 24);
        m_font->setValue(8);
        m_font->setSuffix(tr(" pt"));
        form->addRow(tr("Width"), m_width);
        form->addRow(tr("Height"), m_height);
        form->addRow(tr("Resolution"), m_dpi);
        form->addRow(tr("Text size"), m_font);
        form->addRow(new QLabel(tr("The format follows the file name: .png, .svg or .pdf "
                                   "(SVG and PDF stay vector).")));
    }
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
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

ExportSize ExportDialog::size() const
{
    ExportSize s;
    if (m_figure) {
        s.widthMm = m_width->value();
        s.heightMm = m_height->value();
        s.dpi = m_dpi->value();
        s.fontPt = m_font->value();
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
