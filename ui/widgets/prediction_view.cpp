#include "prediction_view.h"

#include "figure_view.h"

#include "core/export_guard.h"
#include "core/ingest_job.h"
#include "core/workbench_settings.h"
#include "tasks/prediction_csv.h"

#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace snilab::ui {

PredictionView::PredictionView(QWidget* parent)
    : QWidget(parent), m_job(new PredictionJob(this)), m_model(new PredictionTableModel(this)),
      m_filter(new PredictionFilterModel(this))
{
    setAcceptDrops(true);
    m_filter->setSourceModel(m_model);
    QGroupBox* setup = buildSetupBox();
    QHBoxLayout* runRow = buildRunRow();
    QHBoxLayout* filterRow = buildResultArea();

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(setup);
    layout->addLayout(runRow);
    layout->addWidget(m_status);
    layout->addLayout(filterRow);
    layout->addWidget(m_table, 1);
    connectSignals();
    updateActions();
}

QGroupBox* PredictionView::buildSetupBox()
{
    // Model file and the model/ensemble to use.
    m_modelPath = new QLineEdit;
    m_modelPath->setReadOnly(true);
    m_modelPath->setPlaceholderText(tr("a model file from snilab-cli train (.snilab)"));
    m_openModel = new QPushButton(tr("Open model…"));
    m_modelChoice = new QComboBox;
    m_modelChoice->setMinimumContentsLength(16);
    m_modelInfo = new QLabel;
    m_modelInfo->setWordWrap(true);
    auto* modelRow = new QHBoxLayout;
    modelRow->addWidget(m_modelPath, 1);
    modelRow->addWidget(m_openModel);
    modelRow->addWidget(new QLabel(tr("use")));
    modelRow->addWidget(m_modelChoice);

    // Captures.
    m_captureList = new QListWidget;
    m_captureList->setMaximumHeight(80);
    m_addCaptures = new QPushButton(tr("Add captures…"));
    m_clearCaptures = new QPushButton(tr("Clear"));
    auto* captureButtons = new QVBoxLayout;
    captureButtons->addWidget(m_addCaptures);
    captureButtons->addWidget(m_clearCaptures);
    captureButtons->addStretch();
    auto* captureRow = new QHBoxLayout;
    captureRow->addWidget(m_captureList, 1);
    captureRow->addLayout(captureButtons);

    auto* setup = new QGroupBox(tr("Model and captures (or drop capture files here)"));
    auto* form = new QFormLayout(setup);
    form->addRow(tr("Model file"), modelRow);
    form->addRow(QString(), m_modelInfo);
    form->addRow(tr("Captures"), captureRow);
    return setup;
}

QHBoxLayout* PredictionView::buildRunRow()
{
    // Run, progress, Cancel.
    m_run = new QPushButton(tr("Run"));
    m_cancel = new QPushButton(tr("Cancel"));
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_status = new QLabel(tr("Open a model file and add captures."));
    m_status->setWordWrap(true);
    auto* runRow = new QHBoxLayout;
    runRow->addWidget(m_run);
    runRow->addWidget(m_progress, 1);
    runRow->addWidget(m_cancel);
    return runRow;
}

QHBoxLayout* PredictionView::buildResultArea()
{
    // Result: filter, summary, table with exports.
    m_show = new QComboBox;
    m_show->addItem(tr("all connections"), static_cast<int>(PredictionFilterModel::Show::All));
    m_show->addItem(tr("wrong only"), static_cast<int>(PredictionFilterModel::Show::Wrong));
    m_show->addItem(tr("unknown class only"),
                    static_cast<int>(PredictionFilterModel::Show::Unknown));
    m_show->addItem(tr("wrong or unknown"),
                    static_cast<int>(PredictionFilterModel::Show::WrongOrUnknown));
    m_summary = new QLabel;
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* filterRow = new QHBoxLayout;
    filterRow->addWidget(new QLabel(tr("Show")));
    filterRow->addWidget(m_show);
    filterRow->addWidget(m_summary, 1);
    m_table = new TableView;
    m_table->setModel(m_filter, QStringLiteral("predictions"));
    m_table->setCsvWriter(
        [this](const QString& path, QString* error) { return exportCsv(path, error); });
    m_table->table()->setSortingEnabled(true);
    m_table->table()->sortByColumn(-1, Qt::AscendingOrder); // engine order until a click
    m_table->table()->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->table()->horizontalHeader()->setStretchLastSection(true);
    // Sized from the first rows only (a prediction may hold 10^5 rows).
    m_table->table()->horizontalHeader()->setResizeContentsPrecision(200);
    return filterRow;
}

void PredictionView::connectSignals()
{
    connect(m_openModel, &QPushButton::clicked, this, &PredictionView::openModelInteractively);
    connect(m_addCaptures, &QPushButton::clicked, this, &PredictionView::addCapturesInteractively);
    connect(m_clearCaptures, &QPushButton::clicked, this, [this] { setCaptures({}); });
    connect(m_run, &QPushButton::clicked, this, [this] {
        if (!run())
            QMessageBox::warning(this, tr("Predict"), m_lastError);
    });
    connect(m_cancel, &QPushButton::clicked, this, &PredictionView::cancel);
    connect(m_show, &QComboBox::currentIndexChanged, this, [this] {
        setShow(static_cast<PredictionFilterModel::Show>(m_show->currentData().toInt()));
    });
    connect(m_job, &BackgroundJob::progressChanged, this,
            [this](double fraction, const QString& stage) {
                m_progress->setValue(qRound(fraction * 1000));
                m_status->setText(stage);
            });
    connect(m_job, &BackgroundJob::finished, this, &PredictionView::onJobFinished);
    // A sort of 10^6 rows takes a few hundred ms off the GUI thread.
    connect(m_filter, &PredictionFilterModel::sortingChanged, this, [this](bool sorting) {
        if (sorting)
            m_table->table()->viewport()->setCursor(Qt::BusyCursor);
        else
            m_table->table()->viewport()->unsetCursor();
    });
}

PredictionView::~PredictionView()
{
    // The job's destructor cancels and waits; nothing here may outlive it.
    m_job->cancel();
    m_job->wait();
}

bool PredictionView::openModel(const QString& path)
{
    if (!m_job->loadModel(path)) {
        m_lastError = tr("Wait for the running prediction to finish (or cancel it).");
        return false;
    }
    m_lastError.clear();
    m_modelPath->setText(QDir::toNativeSeparators(path));
    m_modelChoice->clear();
    m_modelInfo->clear();
    m_status->setStyleSheet({});
    m_progress->setValue(0);
    updateActions();
    return true;
}

void PredictionView::setCaptures(const QStringList& paths)
{
    m_captureFiles.clear();
    m_captureList->clear();
    addCaptures(paths);
}

void PredictionView::addCaptures(const QStringList& paths)
{
    for (const QString& f : expandCapturePaths(paths))
        if (!m_captureFiles.contains(f)) {
            m_captureFiles << f;
            auto* item = new QListWidgetItem(QFileInfo(f).fileName(), m_captureList);
            item->setToolTip(f);
        }
    updateActions();
}

bool PredictionView::run()
{
    if (!m_job->hasModel()) {
        m_lastError = tr("Open a model file first.");
        return false;
    }
    if (m_captureFiles.isEmpty()) {
        m_lastError = tr("Add the captures to classify first.");
        return false;
    }
    if (!m_job->predict(m_captureFiles, m_modelChoice->currentText())) {
        m_lastError = tr("A prediction is already running; wait for it or cancel it.");
        return false;
    }
    m_lastError.clear();
    m_status->setStyleSheet({});
    m_progress->setValue(0);
    m_model->clear();
    m_summary->clear();
    updateActions();
    return true;
}

void PredictionView::cancel()
{
    m_job->cancel();
}

void PredictionView::setShow(PredictionFilterModel::Show show)
{
    m_filter->setShow(show);
    const int i = m_show->findData(static_cast<int>(show));
    if (i >= 0 && i != m_show->currentIndex())
        m_show->setCurrentIndex(i);
}

bool PredictionView::exportCsv(const QString& path, QString* error) const
{
    // The CLI's prediction CSV (tasks/prediction_csv.h), of the rows shown,
    // in the order shown; never over the model file, a capture or the catalog.
    std::vector<const snilab::PredictedConnection*> rows;
    rows.reserve(static_cast<std::size_t>(m_filter->rowCount()));
    for (int r = 0; r < m_filter->rowCount(); ++r)
        rows.push_back(&m_model->row(m_filter->mapToSource(m_filter->index(r, 0)).row()));
    std::vector<report::GuardedInput> inputs;
    if (!m_modelPath->text().isEmpty())
        inputs.push_back({m_modelPath->text().toStdString(), "the model file"});
    for (const QString& c : m_captureFiles)
        inputs.push_back({c.toStdString(), "a capture given to predict"});
    try {
        refuseOpenInputs(path); // the catalog; the model and captures are the writer's inputs
        writePredictionCsv(path.toStdString(), rows, inputs);
        return true;
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
}

void PredictionView::showError(const QString& message)
{
    m_lastError = message;
    m_status->setText(message);
    m_status->setStyleSheet(QStringLiteral("color: #b00020;"));
}

void PredictionView::onJobFinished()
{
    if (m_job->lastOperation() == PredictionJob::Operation::LoadModel) {
        m_modelChoice->clear();
        if (!m_job->error().isEmpty()) {
            m_modelInfo->setText(tr("No model loaded."));
            showError(m_job->error());
        } else {
            const ModelSummary& s = m_job->modelSummary();
            m_modelChoice->addItems(s.names);
            m_modelChoice->setCurrentIndex(
                std::max<int>(0, static_cast<int>(s.names.indexOf(s.primary))));
            m_modelInfo->setText(s.describe());
            m_modelInfo->setToolTip(tr("Classes: %1").arg(s.labels.join(QStringLiteral(", "))));
            m_status->setText(tr("Model loaded."));
            m_lastError.clear();
        }
        m_progress->setValue(0);
    } else if (m_job->lastOperation() == PredictionJob::Operation::Predict) {
        if (!m_job->error().isEmpty()) {
            showError(m_job->error());
        } else if (m_job->wasCancelled()) {
            m_status->setText(tr("Cancelled; nothing classified."));
        } else {
            m_model->setOutcome(m_job->sharedOutcome());
            // The top-K text is long: keep the Correct column in view.
            QTableView* table = m_table->table();
            table->resizeColumnsToContents();
            table->setColumnWidth(PredictionTableModel::Top,
                                  std::min(table->columnWidth(PredictionTableModel::Top), 300));
            m_summary->setText(m_model->summary().text());
            m_progress->setValue(1000);
            m_status->setText(tr("Done."));
            if (!m_model->summary().fileErrors.isEmpty())
                m_status->setStyleSheet(QStringLiteral("color: #b00020;"));
        }
    }
    updateActions();
}

void PredictionView::updateActions()
{
    const bool busy = m_job->isRunning();
    m_openModel->setEnabled(!busy);
    m_modelChoice->setEnabled(!busy && m_job->hasModel());
    m_addCaptures->setEnabled(!busy);
    m_clearCaptures->setEnabled(!busy && !m_captureFiles.isEmpty());
    m_run->setEnabled(!busy && m_job->hasModel() && !m_captureFiles.isEmpty());
    m_cancel->setEnabled(busy);
}

void PredictionView::openModelInteractively()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open model file"),
        WorkbenchSettings().lastFolder(WorkbenchSettings::Folder::Models),
        tr("snilab model (*.snilab);;All files (*)"));
    if (path.isEmpty())
        return;
    WorkbenchSettings().setLastFolder(WorkbenchSettings::Folder::Models,
                                      QFileInfo(path).absolutePath());
    if (!openModel(path))
        QMessageBox::warning(this, tr("Predict"), m_lastError);
}

void PredictionView::addCapturesInteractively()
{
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Captures to classify"),
        WorkbenchSettings().lastFolder(WorkbenchSettings::Folder::Captures),
        tr("Captures (*.pcap *.pcapng *.cap *.dmp *.mcap *.gz *.zst);;All files (*)"));
    if (files.isEmpty())
        return;
    WorkbenchSettings().setLastFolder(WorkbenchSettings::Folder::Captures,
                                      QFileInfo(files.front()).absolutePath());
    addCaptures(files);
}

void PredictionView::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void PredictionView::dropEvent(QDropEvent* event)
{
    QStringList paths;
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile())
            paths << url.toLocalFile();
    if (paths.isEmpty())
        return;
    // A dropped model file opens; anything else is a capture.
    event->acceptProposedAction();
    QStringList captures;
    for (const QString& p : paths)
        if (p.endsWith(QLatin1String(".snilab")))
            openModel(p);
        else
            captures << p;
    addCaptures(captures);
}

} // namespace snilab::ui
