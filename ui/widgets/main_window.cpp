#include "main_window.h"

#include "experiment_dialog.h"
#include "figure_view.h"
#include "prediction_view.h"
#include "result_view.h"

#include "core/export_guard.h"
#include "core/workbench_settings.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QStyleOption>
#include <QStyledItemDelegate>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
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

QTableView* makeTable(QAbstractItemModel* model)
{
    auto* table = new QTableView;
    table->setModel(model);
    QObject::connect(model, &QAbstractItemModel::modelReset, table,
                     &QTableView::resizeColumnsToContents);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setAlternatingRowColors(true);
    table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 6);
    table->horizontalHeader()->setStretchLastSection(true);
    return table;
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), m_ingest(new IngestJob(this)), m_evaluation(new EvaluationJob(this)),
      m_connections(new ConnectionTableModel(this)), m_labelCounts(new LabelCountModel(this)),
      m_captures(new CaptureListModel(this)), m_runs(new RunListModel(this)),
      m_curves(new TrainingCurves(this)), m_ingestFiles(new IngestFileModel(this))
{
    m_ingestFiles->watch(m_ingest);
    setWindowTitle(tr("snilab"));
    setAcceptDrops(true);
    m_tabs = new QTabWidget;
    m_tabs->addTab(buildCapturesTab(), tr("Captures"));
    m_tabs->addTab(buildCatalogTab(), tr("Catalog"));
    m_tabs->addTab(buildRunsTab(), tr("Runs"));
    m_tabs->addTab(buildResultsTab(), tr("Results"));
    m_prediction = new PredictionView;
    m_tabs->addTab(m_prediction, tr("Predict"));
    setCentralWidget(m_tabs);
    m_catalogLabel = new QLabel(tr("No catalog open — File ▸ New or Open catalog"));
    statusBar()->addWidget(m_catalogLabel, 1);
    buildMenus();

    connect(m_ingest, &BackgroundJob::progressChanged, this,
            [this](double fraction, const QString& stage) {
                m_ingestProgress->setValue(qRound(fraction * 1000));
                m_ingestStage->setText(stage);
            });
    connect(m_ingest, &IngestJob::fileFinished, this, [this](int, const IngestFileReport& report) {
        auto* item =
            new QListWidgetItem(QStringLiteral("%1 %2: %3")
                                    .arg(report.ok ? QStringLiteral("✔") : QStringLiteral("✘"),
                                         QFileInfo(report.path).fileName(), report.message),
                                m_ingestLog);
        item->setToolTip(report.path);
        if (!report.ok)
            item->setForeground(QColor(0xb0, 0x00, 0x20));
        m_ingestLog->scrollToItem(item);
        m_captures->reload();
    });
    connect(m_ingest, &BackgroundJob::finished, this, &MainWindow::onIngestFinished);
    connect(m_ingestCancel, &QPushButton::clicked, m_ingest, &BackgroundJob::cancel);

    connect(m_evaluation, &BackgroundJob::progressChanged, this,
            [this](double fraction, const QString& stage) {
                m_jobProgress->setValue(qRound(fraction * 1000));
                m_jobStage->setText(stage);
            });
    connect(m_evaluation, &BackgroundJob::epochReported, m_curves, &TrainingCurves::addEpoch);
    connect(m_evaluation, &BackgroundJob::finished, this, &MainWindow::onEvaluationFinished);
    // The run appears (status running) as soon as the engine has created it,
    // then updates in place; the read is off the GUI thread (RunListModel).
    m_runRefresh = new QTimer(this);
    m_runRefresh->setInterval(500);
    connect(m_runRefresh, &QTimer::timeout, m_runs, &RunListModel::refreshAsync);
    connect(m_evaluation, &BackgroundJob::started, m_runRefresh, qOverload<>(&QTimer::start));
    // Also at each new stage (a fold begins): short runs show up too.
    connect(m_evaluation, &BackgroundJob::progressChanged, this,
            [this, lastStage = QString()](double, const QString& stage) mutable {
                if (stage == lastStage)
                    return;
                lastStage = stage;
                m_runs->refreshAsync();
            });
    connect(m_jobCancel, &QPushButton::clicked, m_evaluation, &BackgroundJob::cancel);
    connect(m_curves, &TrainingCurves::changed, this, [this] {
        m_lossView->setFigure(m_curves->lossFigure());
        m_accuracyView->setFigure(m_curves->accuracyFigure());
    });

    const WorkbenchSettings settings;
    if (!restoreGeometry(settings.windowGeometry()))
        resize(1280, 820);
    restoreState(settings.windowState());
    updateActions();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New catalog…"), QKeySequence::New, this, &MainWindow::newCatalog);
    file->addAction(tr("&Open catalog…"), QKeySequence::Open, this,
                    &MainWindow::openCatalogInteractively);
    m_recentMenu = file->addMenu(tr("Recent catalogs"));
    file->addSeparator();
    file->addAction(tr("&Add captures…"), this, &MainWindow::addCapturesInteractively);
    file->addAction(tr("&Predict with a model…"), this, &MainWindow::predictWithModel);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    QMenu* run = menuBar()->addMenu(tr("&Experiment"));
    run->addAction(tr("&New experiment…"), this, &MainWindow::newExperiment);
    run->addAction(tr("&Cancel running jobs"), this, [this] {
        m_ingest->cancel();
        m_evaluation->cancel();
        m_prediction->cancel();
    });
    updateRecentMenu();
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = WorkbenchSettings().recentCatalogs();
    for (const QString& path : recent)
        m_recentMenu->addAction(QDir::toNativeSeparators(path), this,
                                [this, path] { openCatalog(path); });
    if (recent.isEmpty())
        m_recentMenu->addAction(tr("(none)"))->setEnabled(false);
    else {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(tr("Clear"), this, [this] {
            WorkbenchSettings().clearRecentCatalogs();
            updateRecentMenu();
        });
    }
}

QWidget* MainWindow::buildCapturesTab()
{
    auto* page = new QWidget;
    m_addCaptures = new QPushButton(tr("Add captures…"));
    connect(m_addCaptures, &QPushButton::clicked, this, &MainWindow::addCapturesInteractively);
    auto* hint = new QLabel(tr("or drop capture files and folders (pcap, pcapng, .gz, .zst) on "
                               "this window"));
    auto* top = new QHBoxLayout;
    top->addWidget(m_addCaptures);
    top->addWidget(hint, 1);

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

    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(makeTable(m_captures));
    splitter->addWidget(ingest);
    auto* layout = new QVBoxLayout(page);
    layout->addLayout(top);
    layout->addWidget(splitter, 1);
    return page;
}

QWidget* MainWindow::buildCatalogTab()
{
    auto* page = new QWidget;
    m_labelFilter = new QLineEdit;
    m_labelFilter->setPlaceholderText(tr("label contains…"));
    m_labelFilter->setClearButtonEnabled(true);
    m_captureFilter = new QComboBox;
    m_sniFilter = new QComboBox;
    m_sniFilter->addItem(tr("any SNI"), static_cast<int>(snilab::ConnectionFilter::Sni::Any));
    m_sniFilter->addItem(tr("SNI present"),
                         static_cast<int>(snilab::ConnectionFilter::Sni::Present));
    m_sniFilter->addItem(tr("no SNI"), static_cast<int>(snilab::ConnectionFilter::Sni::Absent));
    m_connectionCount = new QLabel;
    auto* filters = new QHBoxLayout;
    filters->addWidget(m_labelFilter, 1);
    filters->addWidget(m_captureFilter);
    filters->addWidget(m_sniFilter);
    filters->addWidget(m_connectionCount);
    auto* table = makeTable(m_connections);
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
    connect(filterTimer, &QTimer::timeout, this, &MainWindow::applyConnectionFilter);
    connect(m_captureFilter, &QComboBox::currentIndexChanged, this,
            &MainWindow::applyConnectionFilter);
    connect(m_sniFilter, &QComboBox::currentIndexChanged, this, &MainWindow::applyConnectionFilter);

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
    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    auto* figureBar = new QHBoxLayout;
    figureBar->addWidget(new QLabel(tr("Connections per label")));
    figureBar->addStretch();
    figureBar->addWidget(m_topN);
    rightLayout->addLayout(figureBar);
    rightLayout->addWidget(m_figure3, 3);
    rightLayout->addLayout(threshold);
    rightLayout->addWidget(m_thresholdLabel);
    rightLayout->addWidget(counts, 2);
    connect(m_topN, &QSpinBox::valueChanged, this, &MainWindow::updateFigure3);
    connect(m_thresholdSlider, &QSlider::valueChanged, this, &MainWindow::updateThresholdSummary);
    connect(m_thresholdRule, &QComboBox::currentIndexChanged, this,
            &MainWindow::updateThresholdSummary);

    auto* splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(left);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(page);
    layout->addWidget(splitter);
    return page;
}

QWidget* MainWindow::buildRunsTab()
{
    auto* page = new QWidget;
    m_runTable = makeTable(m_runs);
    m_runTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_newExperiment = new QPushButton(tr("New experiment…"));
    auto* open = new QPushButton(tr("Open"));
    auto* compare = new QPushButton(tr("Compare beside"));
    auto* remove = new QPushButton(tr("Delete"));
    connect(m_newExperiment, &QPushButton::clicked, this, &MainWindow::newExperiment);
    connect(open, &QPushButton::clicked, this, [this] {
        if (const auto id = selectedRun())
            openRun(id);
    });
    connect(m_runTable, &QTableView::doubleClicked, this, [this] {
        if (const auto id = selectedRun())
            openRun(id);
    });
    connect(compare, &QPushButton::clicked, this, [this] {
        if (const auto id = selectedRun())
            compareRun(id);
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        const auto id = selectedRun();
        if (!id || m_evaluation->isRunning())
            return;
        if (QMessageBox::question(this, tr("Delete run"),
                                  tr("Delete run %1 and all its results?").arg(id)) !=
            QMessageBox::Yes)
            return;
        try {
            auto catalog = snilab::Catalog::openExisting(m_catalogPath.toStdString());
            catalog->deleteRun(id);
        } catch (const std::exception& e) {
            fail(QString::fromStdString(e.what()), true);
        }
        m_runs->reload();
    });
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_newExperiment);
    buttons->addStretch();
    buttons->addWidget(open);
    buttons->addWidget(compare);
    buttons->addWidget(remove);

    auto* job = new QGroupBox(tr("Running job"));
    m_jobProgress = new QProgressBar;
    m_jobProgress->setRange(0, 1000);
    m_jobProgress->setValue(0);
    m_jobStage = new QLabel(tr("idle"));
    m_jobStage->setWordWrap(true);
    m_jobCancel = new QPushButton(tr("Cancel"));
    m_lossView = new FigureView;
    m_accuracyView = new FigureView;
    m_lossView->setFigure(m_curves->lossFigure());
    m_accuracyView->setFigure(m_curves->accuracyFigure());
    auto* row = new QHBoxLayout;
    row->addWidget(m_jobProgress, 1);
    row->addWidget(m_jobCancel);
    auto* curves = new QHBoxLayout;
    curves->addWidget(m_lossView);
    curves->addWidget(m_accuracyView);
    auto* jobLayout = new QVBoxLayout(job);
    jobLayout->addLayout(row);
    jobLayout->addWidget(m_jobStage);
    jobLayout->addLayout(curves, 1);

    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_runTable);
    splitter->addWidget(job);
    auto* layout = new QVBoxLayout(page);
    layout->addLayout(buttons);
    layout->addWidget(splitter, 1);
    return page;
}

QWidget* MainWindow::buildResultsTab()
{
    m_resultSplitter = new QSplitter(Qt::Horizontal);
    m_results[0] = new ResultView;
    m_results[1] = new ResultView;
    m_resultSplitter->addWidget(m_results[0]);
    m_resultSplitter->addWidget(m_results[1]);
    m_results[1]->hide();
    return m_resultSplitter;
}

ResultView* MainWindow::resultView(int side) const
{
    return m_results[side == 0 ? 0 : 1];
}

void MainWindow::showTab(Tab tab)
{
    m_tabs->setCurrentIndex(tab);
}

void MainWindow::fail(const QString& message, bool interactive)
{
    m_lastError = message;
    statusBar()->showMessage(message, 10000);
    if (interactive)
        QMessageBox::warning(this, tr("snilab"), message);
}

bool MainWindow::openCatalog(const QString& path, bool create)
{
    if (m_ingest->isRunning() || m_evaluation->isRunning()) {
        fail(tr("Wait for the running job to finish (or cancel it) before switching catalogs."),
             false);
        return false;
    }
    try {
        // Validates the file (and creates it when asked) before any view reads it.
        if (create)
            snilab::Catalog(path.toStdString(), snilab::Catalog::Open::CreateIfMissing);
        else
            snilab::Catalog::openExisting(path.toStdString());
    } catch (const std::exception& e) {
        fail(tr("Cannot open %1: %2").arg(path, QString::fromStdString(e.what())), false);
        return false;
    }
    m_catalogPath = QFileInfo(path).absoluteFilePath();
    setOpenCatalog(m_catalogPath);
    m_lastError.clear();
    WorkbenchSettings().addRecentCatalog(m_catalogPath);
    updateRecentMenu();
    m_catalogLabel->setText(tr("Catalog: %1").arg(QDir::toNativeSeparators(m_catalogPath)));
    setWindowTitle(tr("snilab — %1").arg(QFileInfo(m_catalogPath).fileName()));
    m_ingestLog->clear();
    m_ingestFiles->begin({});
    m_curves->clear();
    m_results[0]->setRun({});
    m_results[1]->setRun({});
    m_results[1]->hide();
    m_connections->setCatalogPath(m_catalogPath);
    m_labelCounts->setCatalogPath(m_catalogPath);
    m_captures->setCatalogPath(m_catalogPath);
    m_runs->setCatalogPath(m_catalogPath);
    reloadCatalogViews();
    updateActions();
    return true;
}

void MainWindow::reloadCatalogViews()
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
    m_connectionCount->setText(tr("%L1 connections").arg(m_connections->rowCount()));
    m_thresholdSlider->setMaximum(std::max(100, m_labelCounts->maxCount() + 1));
    updateFigure3();
    updateThresholdSummary();
}

void MainWindow::applyConnectionFilter()
{
    snilab::ConnectionFilter filter;
    filter.labelContains = m_labelFilter->text().trimmed().toStdString();
    filter.captureId = m_captureFilter->currentData().toLongLong();
    filter.sni = static_cast<snilab::ConnectionFilter::Sni>(m_sniFilter->currentData().toInt());
    m_connections->setFilter(filter);
    m_connectionCount->setText(tr("%L1 connections").arg(m_connections->rowCount()));
}

void MainWindow::updateFigure3()
{
    m_figure3->setFigure(labelCountFigure(m_labelCounts->counts(), m_topN->value()));
}

QString MainWindow::thresholdSummary() const
{
    return m_thresholdLabel->text();
}

void MainWindow::updateThresholdSummary()
{
    const auto rule = static_cast<snilab::ThresholdRule>(m_thresholdRule->currentData().toInt());
    const int t = m_thresholdSlider->value();
    const auto s = m_labelCounts->summaryAt(t, rule);
    m_thresholdLabel->setText(
        tr("T = %1: %2 classes, %L3 connections remain").arg(t).arg(s.classes).arg(s.connections));
}

void MainWindow::updateActions()
{
    const bool open = !m_catalogPath.isEmpty();
    m_addCaptures->setEnabled(open && !m_ingest->isRunning());
    m_ingestCancel->setEnabled(m_ingest->isRunning());
    m_newExperiment->setEnabled(open && !m_evaluation->isRunning());
    m_jobCancel->setEnabled(m_evaluation->isRunning());
}

void MainWindow::newCatalog()
{
    const WorkbenchSettings settings;
    const QString folder =
        settings.lastFolder().isEmpty() ? QDir::homePath() : settings.lastFolder();
    const QString path = QFileDialog::getSaveFileName(
        this, tr("New catalog"), QDir(folder).filePath(QStringLiteral("flows.sqlite")),
        tr("snilab catalog (*.sqlite);;All files (*)"));
    if (path.isEmpty())
        return;
    if (QFileInfo::exists(path) && QFileInfo(path).size() > 0) {
        // An existing catalog is opened, never overwritten (the save dialog
        // already asked about replacing; a catalog is data, not a document).
        if (!openCatalog(path))
            fail(m_lastError, true);
        return;
    }
    if (!openCatalog(path, true))
        fail(m_lastError, true);
    else
        WorkbenchSettings().setLastFolder(QFileInfo(path).absolutePath());
}

void MainWindow::openCatalogInteractively()
{
    const WorkbenchSettings settings;
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open catalog"), settings.lastFolder(),
                                     tr("snilab catalog (*.sqlite *.db);;All files (*)"));
    if (path.isEmpty())
        return;
    if (!openCatalog(path))
        fail(m_lastError, true);
    else
        WorkbenchSettings().setLastFolder(QFileInfo(path).absolutePath());
}

void MainWindow::addCapturesInteractively()
{
    if (m_catalogPath.isEmpty()) {
        fail(tr("Create or open a catalog first (File ▸ New catalog)."), true);
        return;
    }
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Add captures"), WorkbenchSettings().lastFolder(),
        tr("Captures (*.pcap *.pcapng *.cap *.dmp *.mcap *.gz *.zst);;All files (*)"));
    if (files.isEmpty())
        return;
    WorkbenchSettings().setLastFolder(QFileInfo(files.front()).absolutePath());
    if (!addCaptures(files))
        fail(m_lastError, true);
}

bool MainWindow::addCaptures(const QStringList& paths)
{
    if (m_catalogPath.isEmpty()) {
        fail(tr("Create or open a catalog first (File ▸ New catalog)."), false);
        return false;
    }
    const QStringList files = expandCapturePaths(paths);
    if (files.isEmpty()) {
        fail(tr("No capture files found in what was given."), false);
        return false;
    }
    if (!m_ingest->start(m_catalogPath, files)) {
        fail(tr("An ingest is already running; wait for it or cancel it."), false);
        return false;
    }
    m_ingestLog->addItem(tr("Ingesting %n file(s)…", nullptr, static_cast<int>(files.size())));
    m_ingestProgress->setValue(0);
    showTab(CapturesTab);
    updateActions();
    return true;
}

void MainWindow::onIngestFinished()
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
    reloadCatalogViews();
    updateActions();
}

void MainWindow::newExperiment()
{
    if (m_catalogPath.isEmpty()) {
        fail(tr("Create or open a catalog first (File ▸ New catalog)."), true);
        return;
    }
    ExperimentDialog dialog(this);
    dialog.setSetup(WorkbenchSettings().experimentSetup());
    if (dialog.exec() != QDialog::Accepted)
        return;
    if (!startExperiment(dialog.setup()))
        fail(m_lastError, true);
}

bool MainWindow::startExperiment(const ExperimentSetup& setup)
{
    if (m_catalogPath.isEmpty()) {
        fail(tr("Create or open a catalog first (File ▸ New catalog)."), false);
        return false;
    }
    snilab::EvaluationConfig config;
    QString error;
    if (!setup.toConfig(&config, &error)) {
        fail(error, false);
        return false;
    }
    if (!m_evaluation->start(m_catalogPath, config)) {
        fail(tr("An experiment is already running; wait for it or cancel it."), false);
        return false;
    }
    WorkbenchSettings().setExperimentSetup(setup);
    m_curves->clear();
    m_jobProgress->setValue(0);
    m_jobStage->setText(tr("starting…"));
    showTab(RunsTab);
    updateActions();
    return true;
}

void MainWindow::onEvaluationFinished()
{
    const auto& outcome = m_evaluation->outcome();
    m_runRefresh->stop();
    m_runs->reload(); // one small read-only query: the final status
    const QString status = QString::fromUtf8(snilab::runStatusName(outcome.status).data());
    if (outcome.status == snilab::RunStatus::Finished) {
        m_jobProgress->setValue(1000);
        m_jobStage->setText(tr("Run %1 finished.").arg(outcome.runId));
        openRun(outcome.runId);
    } else {
        m_jobStage->setText(outcome.runId
                                ? tr("Run %1 %2%3")
                                      .arg(outcome.runId)
                                      .arg(status, outcome.error.empty()
                                                       ? QString()
                                                       : QStringLiteral(": ") +
                                                             QString::fromStdString(outcome.error))
                                : tr("The experiment could not start: %1")
                                      .arg(QString::fromStdString(outcome.error)));
    }
    const int row = m_runs->rowOf(outcome.runId);
    if (row >= 0)
        m_runTable->selectRow(row);
    updateActions();
}

std::int64_t MainWindow::selectedRun() const
{
    const auto rows = m_runTable->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return 0;
    return m_runs->data(rows.front(), RunListModel::RunIdRole).toLongLong();
}

bool MainWindow::openRun(std::int64_t runId)
{
    try {
        auto catalog = snilab::Catalog::openExisting(m_catalogPath.toStdString());
        m_results[0]->setRun(loadRunData(*catalog, runId));
    } catch (const std::exception& e) {
        fail(QString::fromStdString(e.what()), false);
        return false;
    }
    showTab(ResultsTab);
    return true;
}

bool MainWindow::compareRun(std::int64_t runId)
{
    try {
        auto catalog = snilab::Catalog::openExisting(m_catalogPath.toStdString());
        m_results[1]->setRun(loadRunData(*catalog, runId));
    } catch (const std::exception& e) {
        fail(QString::fromStdString(e.what()), false);
        return false;
    }
    m_results[1]->show();
    showTab(ResultsTab);
    return true;
}

void MainWindow::predictWithModel()
{
    showTab(PredictTab);
    if (!m_prediction->job()->hasModel() && !m_prediction->job()->isRunning())
        m_prediction->openModelInteractively();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_ingest->isRunning() || m_evaluation->isRunning() || m_prediction->job()->isRunning()) {
        // Cancel and wait: the engine polls cancel per batch, so this is short;
        // a cancelled ingest/run stays consistent in the catalog.
        m_ingest->cancel();
        m_evaluation->cancel();
        m_prediction->cancel();
        m_ingest->wait();
        m_evaluation->wait();
        m_prediction->job()->wait();
    }
    WorkbenchSettings().setWindow(saveGeometry(), saveState());
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    QStringList paths;
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile())
            paths << url.toLocalFile();
    if (paths.isEmpty())
        return;
    event->acceptProposedAction();
    if (!addCaptures(paths))
        fail(m_lastError, true);
}

} // namespace snilab::ui
