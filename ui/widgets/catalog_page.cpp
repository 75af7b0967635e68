#include "catalog_page.h"

#include "figure_view.h"
#include "page_table.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace snilab::ui {

CatalogPage::CatalogPage(CaptureListModel* captures, QWidget* parent)
    : QWidget(parent), m_captures(captures), m_connections(new ConnectionTableModel(this)),
      m_labelCounts(new LabelCountModel(this))
{
    QWidget* left = buildConnectionsPane();
    QWidget* right = buildLabelCountPane();
    auto* splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(left);
    splitter->addWidget(right);
    // Halves: Figure 3's label axis may take at most about 40 % of the
    // chart's width (Qt Charts), and SNI labels are long.
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(splitter);
    // Both read every connection (10^6 in a paper-scale catalog): off the
    // GUI thread, and what depends on them follows when they arrive.
    m_connections->setBackgroundLoading(true);
    m_labelCounts->setBackgroundLoading(true);
    connect(m_connections, &QAbstractItemModel::modelReset, this,
            &CatalogPage::showConnectionCount);
    connect(m_labelCounts, &QAbstractItemModel::modelReset, this, [this] {
        m_thresholdSlider->setMaximum(std::max(100, m_labelCounts->maxCount() + 1));
        updateFigure3();
        updateThresholdSummary();
    });
}

bool CatalogPage::isLoading() const
{
    return m_connections->isLoading() || m_labelCounts->isLoading();
}

void CatalogPage::showConnectionCount()
{
    m_connectionCount->setText(m_connections->isLoading()
                                   ? tr("counting connections…")
                                   : tr("%L1 connections").arg(m_connections->rowCount()));
}

QWidget* CatalogPage::buildConnectionsPane()
{
    m_labelFilter = new QLineEdit;
    m_labelFilter->setPlaceholderText(tr("label contains…"));
    m_labelFilter->setClearButtonEnabled(true);
    m_labelFilter->setMinimumWidth(
        m_labelFilter->fontMetrics().horizontalAdvance(m_labelFilter->placeholderText()) + 40);
    m_captureFilter = new QComboBox;
    // A long capture name must not push the label field shut.
    m_captureFilter->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_captureFilter->setMinimumContentsLength(14);
    m_sniFilter = new QComboBox;
    m_sniFilter->addItem(tr("any SNI"), static_cast<int>(snilab::ConnectionFilter::Sni::Any));
    m_sniFilter->addItem(tr("SNI present"),
                         static_cast<int>(snilab::ConnectionFilter::Sni::Present));
    m_sniFilter->addItem(tr("no SNI"), static_cast<int>(snilab::ConnectionFilter::Sni::Absent));
    m_transportFilter = new QComboBox;
    m_transportFilter->addItem(tr("all transports"),
                               static_cast<int>(snilab::TransportFilter::All));
    m_transportFilter->addItem(tr("TCP"), static_cast<int>(snilab::TransportFilter::Tcp));
    m_transportFilter->addItem(tr("QUIC"), static_cast<int>(snilab::TransportFilter::Quic));
    m_transportFilter->setToolTip(tr("Transport of the connections listed"));
    m_connectionCount = new QLabel;
    auto* filters = new QHBoxLayout;
    filters->addWidget(m_labelFilter, 1);
    filters->addWidget(m_captureFilter);
    filters->addWidget(m_sniFilter);
    filters->addWidget(m_transportFilter);
    filters->addWidget(m_connectionCount);
    // "Filter by this value" sets the filters above (they query the catalog,
    // so the lazy table is never read whole).
    TableFilter byValue;
    byValue.columns = {ConnectionTableModel::Label, ConnectionTableModel::Capture,
                       ConnectionTableModel::Transport};
    byValue.apply = [this](const QModelIndex& cell) { filterByCell(cell); };
    auto* table = makeTable(m_connections, byValue);
    m_connectionTable = table;
    table->horizontalHeader()->setStretchLastSection(false);
    // Sized from the first rows only (a lazy model must not be read whole).
    table->horizontalHeader()->setResizeContentsPrecision(64);
    connect(m_connections, &QAbstractItemModel::modelReset, table,
            &QTableView::resizeColumnsToContents);
    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addLayout(filters);
    leftLayout->addWidget(table, 1);

    // A short delay so typing does not re-query the catalog per key.
    auto* filterTimer = new QTimer(this);
    filterTimer->setSingleShot(true);
    filterTimer->setInterval(250);
    connect(m_labelFilter, &QLineEdit::textChanged, filterTimer, qOverload<>(&QTimer::start));
    connect(filterTimer, &QTimer::timeout, this, &CatalogPage::applyConnectionFilter);
    connect(m_captureFilter, &QComboBox::currentIndexChanged, this,
            &CatalogPage::applyConnectionFilter);
    connect(m_sniFilter, &QComboBox::currentIndexChanged, this,
            &CatalogPage::applyConnectionFilter);
    connect(m_transportFilter, &QComboBox::currentIndexChanged, this,
            &CatalogPage::applyConnectionFilter);
    return left;
}

QWidget* CatalogPage::buildLabelCountPane()
{
    m_figure3 = new FigureView;
    m_topN = new QSpinBox;
    m_topN->setRange(1, 1000);
    m_topN->setValue(20);
    m_topN->setPrefix(tr("top "));
    m_thresholdSlider = new QSlider(Qt::Horizontal);
    m_thresholdSlider->setRange(0, 1000);
    m_thresholdSlider->setValue(100);
    m_thresholdRule = new QComboBox;
    m_thresholdRule->addItem(tr("≥ T"), static_cast<int>(snilab::ThresholdRule::AtLeast));
    m_thresholdRule->addItem(tr("> T"), static_cast<int>(snilab::ThresholdRule::MoreThan));
    m_thresholdLabel = new QLabel;
    auto* threshold = new QHBoxLayout;
    threshold->addWidget(new QLabel(tr("Min. connections T")));
    threshold->addWidget(m_thresholdSlider, 1);
    threshold->addWidget(m_thresholdRule);
    auto* counts = new TableView;
    counts->setModel(m_labelCounts, QStringLiteral("label_counts"));
    // The counts stay in view; a long label is elided (whole in its tooltip).
    counts->table()->horizontalHeader()->setSectionResizeMode(LabelCountModel::Label,
                                                              QHeaderView::Stretch);
    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    auto* figureBar = new QHBoxLayout;
    figureBar->addWidget(new QLabel(tr("Connections per label")));
    figureBar->addStretch();
    figureBar->addWidget(m_topN);
    m_logScale = new QCheckBox(tr("Log scale"));
    m_logScale->setToolTip(tr("Connections on a logarithmic axis, for counts that span orders "
                              "of magnitude"));
    figureBar->addWidget(m_logScale);
    rightLayout->addLayout(figureBar);
    rightLayout->addWidget(m_figure3, 3);
    m_tail = new QLabel;
    m_tail->setWordWrap(true);
    rightLayout->addWidget(m_tail);
    rightLayout->addLayout(threshold);
    rightLayout->addWidget(m_thresholdLabel);
    rightLayout->addWidget(counts, 2);
    connect(m_topN, &QSpinBox::valueChanged, this, &CatalogPage::updateFigure3);
    connect(m_logScale, &QCheckBox::toggled, this, &CatalogPage::updateFigure3);
    connect(m_thresholdSlider, &QSlider::valueChanged, this, &CatalogPage::updateThresholdSummary);
    connect(m_thresholdRule, &QComboBox::currentIndexChanged, this,
            &CatalogPage::updateThresholdSummary);
    return right;
}

void CatalogPage::setCatalog(const QString& path)
{
    // Read once, by the reload() that follows (each read scans the catalog).
    m_connections->setCatalogPath(path, false);
    m_labelCounts->setCatalogPath(path, false);
}

void CatalogPage::filterByCell(const QModelIndex& cell)
{
    switch (cell.column()) {
    case ConnectionTableModel::Label: m_labelFilter->setText(cell.data().toString()); break;
    case ConnectionTableModel::Capture: {
        const std::string path = cell.data(Qt::ToolTipRole).toString().toStdString();
        for (const auto& c : m_captures->captures())
            if (c.path == path)
                m_captureFilter->setCurrentIndex(
                    m_captureFilter->findData(QVariant::fromValue<qlonglong>(c.id)));
        break;
    }
    case ConnectionTableModel::Transport: {
        const auto t = snilab::parseTransportFilter(cell.data().toString().toStdString());
        if (t)
            m_transportFilter->setCurrentIndex(m_transportFilter->findData(static_cast<int>(*t)));
        break;
    }
    default: break;
    }
}

void CatalogPage::reload()
{
    {
        const QSignalBlocker block(m_captureFilter);
        const auto current = m_captureFilter->currentData();
        m_captureFilter->clear();
        m_captureFilter->addItem(tr("all captures"), QVariant::fromValue<qlonglong>(0));
        for (const auto& c : m_captures->captures())
            m_captureFilter->addItem(QFileInfo(QString::fromStdString(c.path)).fileName(),
                                     QVariant::fromValue<qlonglong>(c.id));
        m_captureFilter->setCurrentIndex(std::max(0, m_captureFilter->findData(current)));
    }
    m_connections->reload();
    m_labelCounts->reload();
    showConnectionCount();
}

void CatalogPage::applyConnectionFilter()
{
    snilab::ConnectionFilter filter;
    filter.labelContains = m_labelFilter->text().trimmed().toStdString();
    filter.captureId = m_captureFilter->currentData().toLongLong();
    filter.sni = static_cast<snilab::ConnectionFilter::Sni>(m_sniFilter->currentData().toInt());
    filter.transport =
        static_cast<snilab::TransportFilter>(m_transportFilter->currentData().toInt());
    m_connections->setFilter(filter);
    showConnectionCount();
}

void CatalogPage::updateFigure3()
{
    m_figure3->setFigure(
        labelCountFigure(m_labelCounts->counts(), m_topN->value(), m_logScale->isChecked()));
    const QString tail = labelTailSummary(m_labelCounts->counts(), m_topN->value());
    m_tail->setText(tail);
    m_tail->setVisible(!tail.isEmpty());
}

QString CatalogPage::tailSummary() const
{
    return m_tail->text();
}

QString CatalogPage::thresholdSummary() const
{
    return m_thresholdLabel->text();
}

void CatalogPage::updateThresholdSummary()
{
    const auto rule = static_cast<snilab::ThresholdRule>(m_thresholdRule->currentData().toInt());
    const int t = m_thresholdSlider->value();
    const auto s = m_labelCounts->summaryAt(t, rule);
    m_thresholdLabel->setText(
        tr("T = %1: %2 classes, %L3 connections remain").arg(t).arg(s.classes).arg(s.connections));
}

} // namespace snilab::ui
