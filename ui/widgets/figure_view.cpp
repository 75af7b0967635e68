#include "figure_view.h"

#include "core/table_export.h"
#include "core/workbench_settings.h"

#include <QChart>
#include <QChartView>
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
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace snilab::ui {

namespace {

QString defaultFolder()
{
    const QString folder = WorkbenchSettings().lastFolder();
    return folder.isEmpty() ? QDir::homePath() : folder;
}

} // namespace

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

FigureView::FigureView(QWidget* parent)
    : QWidget(parent), m_stack(new QStackedWidget), m_scroll(new QScrollArea),
      m_view(new QChartView), m_empty(new QLabel)
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
    exportButton->setToolTip(tr("Save this figure as PNG, SVG or PDF at a paper size"));
    connect(exportButton, &QPushButton::clicked, this, &FigureView::exportInteractively);
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
        WorkbenchSettings().setLastFolder(QFileInfo(dialog.path()).absolutePath());
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
        WorkbenchSettings().setLastFolder(QFileInfo(path).absolutePath());
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
        WorkbenchSettings().setLastFolder(QFileInfo(path).absolutePath());
}

} // namespace snilab::ui
