#include "captures_page.h"

#include "page_table.h"

#include <QAction>
#include <QApplication>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QStyle>
#include <QStyleOption>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QVBoxLayout>

namespace snilab::ui {

namespace {

// The per-file ingest rows: a progress bar in the Progress column, problem
// rows (failed, partial, cancelled, not reached) in red.
class IngestFileDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override
    {
        if (index.column() != IngestFileModel::Progress) {
            QStyledItemDelegate::paint(painter, option, index);
            return;
        }
        QStyleOptionProgressBar bar;
        bar.rect = option.rect.adjusted(2, 2, -2, -2);
        bar.state = option.state | QStyle::State_Horizontal;
        bar.minimum = 0;
        bar.maximum = 100;
        bar.progress = qRound(index.data(IngestFileModel::FractionRole).toDouble() * 100);
        bar.text = index.data().toString();
        bar.textVisible = true;
        bar.textAlignment = Qt::AlignCenter;
        const QWidget* widget = option.widget;
        QStyle* style = widget ? widget->style() : QApplication::style();
        style->drawControl(QStyle::CE_ProgressBar, &bar, painter, widget);
    }

protected:
    void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        const auto state =
            static_cast<IngestFileModel::FileState>(index.data(IngestFileModel::StateRole).toInt());
        if (IngestFileModel::isProblem(state))
            option->palette.setColor(QPalette::Text, QColor(0xb0, 0x00, 0x20));
    }
};

} // namespace

CapturesPage::CapturesPage(QWidget* parent)
    : QWidget(parent), m_ingest(new IngestJob(this)), m_captures(new CaptureListModel(this)),
      m_ingestFiles(new IngestFileModel(this))
{
    m_ingestFiles->watch(m_ingest);
    m_addCaptures = new QPushButton(tr("Add captures…"));
    connect(m_addCaptures, &QPushButton::clicked, this, &CapturesPage::addCapturesRequested);
    auto* hint = new QLabel(tr("or drop capture files and folders (pcap, pcapng, .gz, .zst) on "
                               "this window"));
    auto* top = new QHBoxLayout;
    top->addWidget(m_addCaptures);
    top->addWidget(hint, 1);

    QWidget* ingest = buildIngestBox();
    auto* splitter = new QSplitter(Qt::Vertical);
    m_captureTable = makeTable(m_captures);
    m_removeCapture = new QAction(tr("Remove capture…"), m_captureTable);
    m_removeCapture->setEnabled(false);
    m_captureTable->addAction(m_removeCapture);
    const auto selectedRow = [this] {
        const QModelIndexList rows = m_captureTable->selectionModel()->selectedRows();
        return rows.size() == 1 ? rows.front().row() : -1;
    };
    const auto refresh = [this, selectedRow] {
        m_removeCapture->setEnabled(!m_ingest->isRunning() && m_captures->removable(selectedRow()));
    };
    connect(m_captureTable->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            refresh);
    connect(m_captures, &QAbstractItemModel::modelReset, this, refresh);
    connect(m_removeCapture, &QAction::triggered, this, [this, selectedRow] {
        const int row = selectedRow();
        if (row < 0)
            return;
        const QString path =
            m_captures->data(m_captures->index(row, CaptureListModel::Path)).toString();
        if (QMessageBox::question(this, tr("Remove capture"),
                                  tr("Remove %1 and the connections stored from it? Runs keep "
                                     "their results; ingest the file again to bring it back.")
                                      .arg(path)) != QMessageBox::Yes)
            return;
        QString error;
        if (!removeCapture(row, &error))
            QMessageBox::warning(this, tr("Remove capture"), error);
    });
    splitter->addWidget(m_captureTable);
    splitter->addWidget(ingest);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(splitter, 1);
    connectJob();
}

QWidget* CapturesPage::buildIngestBox()
{
    auto* ingest = new QGroupBox(tr("Ingest"));
    m_ingestProgress = new QProgressBar;
    m_ingestProgress->setRange(0, 1000);
    m_ingestProgress->setValue(0);
    m_ingestStage = new QLabel(tr("idle"));
    m_ingestCancel = new QPushButton(tr("Cancel"));
    m_ingestLog = new QListWidget;
    m_ingestFileTable = makeTable(m_ingestFiles);
    m_ingestFileTable->setItemDelegate(new IngestFileDelegate(m_ingestFileTable));
    m_ingestFileTable->setSelectionMode(QAbstractItemView::NoSelection);
    m_ingestFileTable->horizontalHeader()->setSectionResizeMode(IngestFileModel::Progress,
                                                                QHeaderView::Fixed);
    m_ingestFileTable->setColumnWidth(IngestFileModel::Progress, 140);
    connect(m_ingestFiles, &QAbstractItemModel::modelReset, m_ingestFileTable,
            [table = m_ingestFileTable] { table->setColumnWidth(IngestFileModel::Progress, 140); });
    auto* row = new QHBoxLayout;
    row->addWidget(m_ingestProgress, 1);
    row->addWidget(m_ingestStage);
    row->addWidget(m_ingestCancel);
    auto* ingestLayout = new QVBoxLayout(ingest);
    ingestLayout->addLayout(row);
    auto* ingestSplit = new QSplitter(Qt::Vertical);
    ingestSplit->addWidget(m_ingestFileTable);
    ingestSplit->addWidget(m_ingestLog);
    ingestSplit->setStretchFactor(0, 3);
    ingestSplit->setStretchFactor(1, 1);
    ingestLayout->addWidget(ingestSplit, 1);
    return ingest;
}

void CapturesPage::connectJob()
{
    connect(m_ingest, &BackgroundJob::progressChanged, this,
            [this](double fraction, const QString& stage) {
                m_ingestProgress->setValue(qRound(fraction * 1000));
                m_ingestStage->setText(stage);
            });
    connect(m_ingest, &IngestJob::fileFinished, this,
            [this](int, const IngestFileReport& report) { onFileFinished(report); });
    connect(m_ingest, &BackgroundJob::finished, this, &CapturesPage::onIngestFinished);
    connect(m_ingestCancel, &QPushButton::clicked, m_ingest, &BackgroundJob::cancel);
}

void CapturesPage::setCatalog(const QString& path)
{
    // The ingest panel belongs to its catalog (an ingest still running into
    // the previous one keeps it until it ends).
    if (!m_ingest->isRunning()) {
        m_ingestLog->clear();
        m_ingestFiles->begin({});
        m_ingestProgress->setValue(0);
        m_ingestStage->setText(tr("idle"));
    }
    m_captures->setCatalogPath(path);
}

bool CapturesPage::startIngest(const QString& catalogPath, const QStringList& files)
{
    if (!m_ingest->start(catalogPath, files))
        return false;
    m_ingestLog->addItem(tr("Ingesting %n file(s)…", nullptr, static_cast<int>(files.size())));
    m_ingestProgress->setValue(0);
    return true;
}

bool CapturesPage::removeCapture(int row, QString* error)
{
    if (m_ingest->isRunning()) {
        *error = tr("An ingest is running; remove captures when it has finished.");
        return false;
    }
    const bool removed = m_captures->removeCapture(row, error);
    if (removed)
        Q_EMIT capturesChanged();
    return removed;
}

void CapturesPage::updateActions(bool catalogOpen)
{
    m_addCaptures->setEnabled(catalogOpen && !m_ingest->isRunning());
    m_ingestCancel->setEnabled(m_ingest->isRunning());
}

void CapturesPage::onFileFinished(const IngestFileReport& report)
{
    auto* item = new QListWidgetItem(QStringLiteral("%1 %2: %3")
                                         .arg(report.ok ? QStringLiteral("✔") : QStringLiteral("✘"),
                                              QFileInfo(report.path).fileName(), report.message),
                                     m_ingestLog);
    item->setToolTip(report.path);
    if (!report.ok)
        item->setForeground(QColor(0xb0, 0x00, 0x20));
    m_ingestLog->scrollToItem(item);
    m_captures->reload();
}

void CapturesPage::onIngestFinished()
{
    m_ingestProgress->setValue(m_ingest->wasCancelled() ? m_ingestProgress->value() : 1000);
    QString summary;
    int ok = 0;
    for (const auto& r : m_ingest->reports())
        ok += r.ok ? 1 : 0;
    if (!m_ingest->catalogError().isEmpty())
        summary = tr("Ingest stopped: %1").arg(m_ingest->catalogError());
    else
        summary = tr("%1 of %2 file(s) ingested%3")
                      .arg(ok)
                      .arg(m_ingest->reports().size())
                      .arg(m_ingest->wasCancelled() ? tr(" (cancelled)") : QString());
    m_ingestStage->setText(summary);
    m_ingestLog->addItem(summary);
    m_captures->reload();
    Q_EMIT ingestFinished();
}

} // namespace snilab::ui
