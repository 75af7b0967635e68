#include "result_view.h"

#include "figure_view.h"
#include "heatmap_view.h"
#include "page_table.h"

#include "core/workbench_settings.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace snilab::ui {

ResultView::ResultView(QWidget* parent)
    : QWidget(parent), m_title(new QLabel), m_threshold(new QComboBox), m_tabs(new QTabWidget),
      m_accuracy(new FigureView), m_perLabel(new FigureView), m_metrics(new FigureView),
      m_direction(new FigureView), m_perClassTable(new TableView), m_labelOrder(new QComboBox),
      m_labelCount(new QSpinBox), m_labelSearch(new QLineEdit), m_table1Table(new TableView),
      m_confusionModelBox(new QComboBox), m_order(new QComboBox), m_normalized(new QCheckBox),
      m_zoom(new QSlider(Qt::Horizontal)), m_hover(new QLabel), m_heatmap(new HeatmapView),
      m_confusion(new ConfusionMatrixModel(this)), m_table1(new Table1Model(this)),
      m_perClass(new PerClassModel(this)), m_pairs(new ConfusedPairsModel(this))
{
    QHBoxLayout* top = buildTitleRow();
    QWidget* perLabel = buildPerLabelPage();
    m_table1Table->setModel(m_table1, QStringLiteral("table1"));
    QWidget* confusion = buildConfusionPage();

    m_tabs->addTab(m_accuracy, tr("Accuracy vs T"));
    m_tabs->addTab(perLabel, tr("Per label"));
    m_tabs->addTab(m_metrics, tr("Metrics"));
    m_tabs->addTab(m_direction, tr("Direction"));
    m_tabs->addTab(confusion, tr("Confusion"));
    m_tabs->addTab(m_table1Table, tr("Table 1"));

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_tabs, 1);
    connectSignals();
    setRun({});
}

QHBoxLayout* ResultView::buildTitleRow()
{
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setWordWrap(true);
    auto* top = new QHBoxLayout;
    top->addWidget(m_title, 1);
    top->addWidget(new QLabel(tr("Threshold T")));
    top->addWidget(m_threshold);
    return top;
}

QWidget* ResultView::buildPerLabelPage()
{
    // Which labels: for hundreds of classes, the worst or best N, or a search.
    m_labelOrder->addItem(tr("by label"), static_cast<int>(LabelSelection::Order::Name));
    m_labelOrder->addItem(tr("worst first"), static_cast<int>(LabelSelection::Order::WorstFirst));
    m_labelOrder->addItem(tr("best first"), static_cast<int>(LabelSelection::Order::BestFirst));
    m_labelOrder->addItem(tr("most connections first"),
                          static_cast<int>(LabelSelection::Order::Support));
    m_labelOrder->setToolTip(tr("Order of the labels; worst and best go by the first model's "
                                "accuracy"));
    m_labelCount->setRange(0, 1000000);
    m_labelCount->setSpecialValueText(tr("all"));
    m_labelCount->setToolTip(tr("How many labels the figure (and its export) shows, in this "
                                "order; all = every label"));
    m_labelSearch->setPlaceholderText(tr("label contains…"));
    m_labelSearch->setClearButtonEnabled(true);
    m_labelSearch->setToolTip(tr("Only the labels containing this text (any case)"));
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Labels")));
    controls->addWidget(m_labelOrder);
    controls->addWidget(new QLabel(tr("show")));
    controls->addWidget(m_labelCount);
    controls->addWidget(m_labelSearch, 1);
    auto* top = new QWidget;
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addLayout(controls);
    topLayout->addWidget(m_perLabel, 1);
    auto* perLabel = new QSplitter(Qt::Vertical);
    perLabel->addWidget(top);
    perLabel->addWidget(m_perClassTable);
    perLabel->setStretchFactor(0, 4);
    perLabel->setStretchFactor(1, 1);
    perLabel->setSizes({560, 160});
    m_perClassTable->setModel(m_perClass, QStringLiteral("per_class"));
    return perLabel;
}

QWidget* ResultView::buildConfusionPage()
{
    auto* confusion = new QWidget;
    m_order->addItem(tr("by label"), static_cast<int>(ConfusionMatrixModel::Order::Label));
    m_order->addItem(tr("by support"), static_cast<int>(ConfusionMatrixModel::Order::Support));
    m_order->addItem(tr("worst accuracy first"),
                     static_cast<int>(ConfusionMatrixModel::Order::Accuracy));
    m_order->addItem(tr("confused classes together"),
                     static_cast<int>(ConfusionMatrixModel::Order::Grouped));
    m_order->setToolTip(tr("Order of rows and columns; 'confused classes together' puts each "
                           "class next to those it is mistaken for, so confusion shows as "
                           "blocks along the diagonal"));
    m_normalized->setText(tr("Row shares"));
    m_zoom->setRange(2, 48);
    m_zoom->setValue(m_heatmap->cellSize());
    m_zoom->setMaximumWidth(160);
    m_zoom->setToolTip(tr("Cell size (also Ctrl+wheel on the matrix)"));
    m_heatmap->setModel(m_confusion);
    auto* exportHeat = new QPushButton(tr("Export…"));
    connect(exportHeat, &QPushButton::clicked, this, &ResultView::exportConfusionInteractively);
    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Model")));
    bar->addWidget(m_confusionModelBox);
    bar->addWidget(new QLabel(tr("Order")));
    bar->addWidget(m_order);
    bar->addWidget(m_normalized);
    bar->addWidget(new QLabel(tr("Zoom")));
    bar->addWidget(m_zoom);
    bar->addStretch();
    bar->addWidget(exportHeat);
    auto* confusionLayout = new QVBoxLayout(confusion);
    confusionLayout->setContentsMargins(0, 0, 0, 0);
    confusionLayout->addLayout(bar);
    auto* matrix = new QWidget;
    auto* matrixRow = new QHBoxLayout(matrix);
    matrixRow->setContentsMargins(0, 0, 0, 0);
    matrixRow->addWidget(m_heatmap, 1);
    matrixRow->addWidget(new HeatmapColourBar);
    // The most confused pairs: a click shows the pair's cell in the heatmap.
    m_pairs->setMatrix(m_confusion);
    m_pairsTable = makeTable(m_pairs);
    m_pairsTable->setToolTip(tr("Off-diagonal cells with the most connections; click one to "
                                "show it in the matrix"));
    connect(m_pairsTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (current.isValid())
                    m_heatmap->showCell(current.data(ConfusedPairsModel::RowRole).toInt(),
                                        current.data(ConfusedPairsModel::ColumnRole).toInt());
            });
    auto* pairs = new QWidget;
    auto* pairsLayout = new QVBoxLayout(pairs);
    pairsLayout->setContentsMargins(0, 0, 0, 0);
    pairsLayout->addWidget(new QLabel(tr("Most confused pairs")));
    pairsLayout->addWidget(m_pairsTable, 1);
    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(matrix);
    split->addWidget(pairs);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({600, 400});
    m_pairsTable->setTextElideMode(Qt::ElideMiddle);
    confusionLayout->addWidget(split, 1);
    confusionLayout->addWidget(m_hover);
    m_hover->setText(tr("Hover a cell for its value."));
    return confusion;
}

void ResultView::connectSignals()
{
    connect(m_threshold, &QComboBox::currentIndexChanged, this, [this] {
        updateThresholdViews();
        updateConfusion();
    });
    connect(m_confusionModelBox, &QComboBox::currentIndexChanged, this,
            &ResultView::updateConfusion);
    connect(m_order, &QComboBox::currentIndexChanged, this, [this] {
        m_confusion->setOrder(
            static_cast<ConfusionMatrixModel::Order>(m_order->currentData().toInt()));
    });
    connect(m_normalized, &QCheckBox::toggled, m_confusion, &ConfusionMatrixModel::setNormalized);
    connect(m_zoom, &QSlider::valueChanged, m_heatmap, &HeatmapView::setCellSize);
    connect(m_heatmap, &HeatmapView::cellSizeChanged, m_zoom, &QSlider::setValue);
    connect(m_heatmap, &HeatmapView::hovered, m_hover, &QLabel::setText);
    const auto relabel = [this] {
        m_perLabel->setFigure(perLabelAccuracyFigure(m_run, threshold(), labelSelection()));
    };
    connect(m_labelOrder, &QComboBox::currentIndexChanged, this, relabel);
    connect(m_labelCount, &QSpinBox::valueChanged, this, relabel);
    connect(m_labelSearch, &QLineEdit::textChanged, this, relabel);
}

void ResultView::exportConfusionInteractively()
{
    const QString stem =
        QStringLiteral("confusion_%1_T%2").arg(m_confusionModelBox->currentText()).arg(threshold());
    ExportDialog dialog(QDir(exportFolder()).filePath(stem + QStringLiteral(".pdf")), true, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    QString error;
    const auto format = exportFormatOf(dialog.path());
    if (!format)
        error = tr("the file name must end in .png, .svg or .pdf");
    else if (exportHeatmap(*m_confusion,
                           tr("Confusion matrix, %1, T = %2")
                               .arg(m_confusionModelBox->currentText())
                               .arg(threshold()),
                           dialog.path(), *format, dialog.size(), &error))
        rememberExportFolder(QFileInfo(dialog.path()).absolutePath());
    if (!error.isEmpty())
        QMessageBox::warning(this, tr("Export failed"), error);
}

void ResultView::setRun(const RunData& run)
{
    m_run = run;
    m_title->setText(run.isEmpty() && run.info.id == 0
                         ? tr("No run open: pick one in the Runs tab.")
                         : run.title() +
                               (run.info.status == snilab::RunStatus::Finished
                                    ? QString()
                                    : tr(" — %1").arg(QString::fromUtf8(
                                          snilab::runStatusName(run.info.status).data()))));
    m_accuracy->setFigure(accuracyVsThresholdFigure(run));
    m_table1->setRun(run);
    {
        const QSignalBlocker block(m_confusionModelBox);
        m_confusionModelBox->clear();
        m_confusionModelBox->addItems(run.models);
    }
    {
        const QSignalBlocker block(m_threshold);
        m_threshold->clear();
        for (int t : run.thresholds)
            m_threshold->addItem(QString::number(t), t);
    }
    updateThresholdViews();
    updateConfusion();
}

int ResultView::threshold() const
{
    return m_threshold->currentData().toInt();
}

void ResultView::setThreshold(int threshold)
{
    const int i = m_threshold->findData(threshold);
    if (i >= 0)
        m_threshold->setCurrentIndex(i);
}

void ResultView::showTab(int index)
{
    m_tabs->setCurrentIndex(index);
}

FigureView* ResultView::figureView(Figure figure) const
{
    switch (figure) {
    case Figure::AccuracyVsThreshold: return m_accuracy;
    case Figure::PerLabel: return m_perLabel;
    case Figure::Metrics: return m_metrics;
    case Figure::Direction: return m_direction;
    }
    return m_accuracy;
}

void ResultView::updateThresholdViews()
{
    const int t = threshold();
    m_perLabel->setFigure(perLabelAccuracyFigure(m_run, t, labelSelection()));
    m_metrics->setFigure(metricBarsFigure(m_run, t));
    m_direction->setFigure(directionFigure(m_run, t));
    m_perClass->setRun(m_run, t);
}

void ResultView::updateConfusion()
{
    m_confusion->setRun(m_run, m_confusionModelBox->currentText(), threshold());
}

LabelSelection ResultView::labelSelection() const
{
    LabelSelection s;
    s.order = static_cast<LabelSelection::Order>(m_labelOrder->currentData().toInt());
    s.count = m_labelCount->value();
    s.contains = m_labelSearch->text().trimmed();
    return s;
}

void ResultView::setLabelSelection(const LabelSelection& selection)
{
    {
        const QSignalBlocker a(m_labelOrder), b(m_labelCount), c(m_labelSearch);
        m_labelOrder->setCurrentIndex(m_labelOrder->findData(static_cast<int>(selection.order)));
        m_labelCount->setValue(selection.count);
        m_labelSearch->setText(selection.contains);
    }
    m_perLabel->setFigure(perLabelAccuracyFigure(m_run, threshold(), labelSelection()));
}

} // namespace snilab::ui
