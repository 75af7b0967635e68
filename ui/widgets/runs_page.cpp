#include "runs_page.h"

#include "figure_view.h"
#include "page_table.h"

#include "core/catalog_session.h"

#include <QGroupBox>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <functional>

namespace snilab::ui {

RunsPage::RunsPage(CatalogSession* session, QWidget* parent)
    : QWidget(parent), m_session(session), m_evaluation(new EvaluationJob(this)),
      m_runs(new RunListModel(this)), m_curves(new TrainingCurves(this)),
      m_runRefresh(new QTimer(this))
{
    m_runTable = makeTable(m_runs);
    m_runTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_newExperiment = new QPushButton(tr("New experiment…"));
    auto* open = new QPushButton(tr("Open"));
    auto* compare = new QPushButton(tr("Compare beside"));
    m_delete = new QPushButton(tr("Delete"));
    connect(m_newExperiment, &QPushButton::clicked, this, &RunsPage::newExperimentRequested);
    const auto openSelected = [this] {
        if (const auto id = selectedRun())
            Q_EMIT openRequested(id);
    };
    connect(open, &QPushButton::clicked, this, openSelected);
    connect(m_runTable, &QTableView::doubleClicked, this, openSelected);
    connect(compare, &QPushButton::clicked, this, [this] {
        if (const auto id = selectedRun())
            Q_EMIT compareRequested(id);
    });
    connect(m_delete, &QPushButton::clicked, this, &RunsPage::deleteSelectedRun);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_newExperiment);
    buttons->addStretch();
    buttons->addWidget(open);
    buttons->addWidget(compare);
    buttons->addWidget(m_delete);

    QWidget* job = buildJobBox();
    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_runTable);
    splitter->addWidget(job);
    // The job panel's curves get the room; the run list scrolls.
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(splitter, 1);
    connectJob();
}

QWidget* RunsPage::buildJobBox()
{
    auto* job = new QGroupBox(tr("Jobs"));
    m_jobProgress = new QProgressBar;
    m_jobProgress->setRange(0, 1000);
    m_jobProgress->setValue(0);
    m_jobStage = new QLabel(tr("idle"));
    m_jobStage->setWordWrap(true);
    m_jobCancel = new QPushButton(tr("Cancel"));
    m_lossView = new FigureView;
    m_accuracyView = new FigureView;
    m_lossView->setFigure(m_curves->foldsFigure(true));
    m_accuracyView->setFigure(m_curves->foldsFigure(false));
    m_jobCancel->setToolTip(tr("Cancel the running experiment (the run is kept as cancelled); "
                               "the next queued one then starts."));
    m_queueList = new QListWidget;
    m_queueList->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_queueList->setMaximumHeight(m_queueList->fontMetrics().height() * 3 + 10); // 3 lines
    m_queueList->setToolTip(tr("Experiments waiting for the running one, in the order they "
                               "will run."));
    m_unqueue = new QPushButton(tr("Remove from queue"));
    m_unqueue->setToolTip(tr("Drop the selected waiting experiments (nothing was run yet)."));
    connect(m_unqueue, &QPushButton::clicked, this, [this] {
        QList<int> rows;
        for (const QModelIndex& index : m_queueList->selectionModel()->selectedRows())
            rows << index.row();
        std::sort(rows.begin(), rows.end(), std::greater<>());
        for (int row : rows)
            removeQueued(row);
    });
    auto* row = new QHBoxLayout;
    row->addWidget(m_jobProgress, 1);
    row->addWidget(m_jobCancel);
    auto* queueRow = new QHBoxLayout;
    queueRow->addWidget(new QLabel(tr("Queued:")));
    queueRow->addWidget(m_queueList, 1);
    queueRow->addWidget(m_unqueue, 0, Qt::AlignTop);
    auto* curves = new QHBoxLayout;
    curves->addWidget(m_lossView);
    curves->addWidget(m_accuracyView);
    auto* jobLayout = new QVBoxLayout(job);
    jobLayout->addLayout(row);
    jobLayout->addWidget(m_jobStage);
    jobLayout->addLayout(queueRow);
    jobLayout->addLayout(curves, 1);
    updateQueueList();
    return job;
}

void RunsPage::connectJob()
{
    connect(m_evaluation, &BackgroundJob::progressChanged, this,
            [this](double fraction, const QString& stage) {
                m_jobProgress->setValue(qRound(fraction * 1000));
                m_jobStage->setText(stage);
            });
    connect(m_evaluation, &BackgroundJob::epochReported, m_curves, &TrainingCurves::addEpoch);
    connect(m_evaluation, &BackgroundJob::finished, this, &RunsPage::onEvaluationFinished);
    // The run appears (status running) as soon as the engine has created it,
    // then updates in place; the read is off the GUI thread (RunListModel).
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
        m_lossView->setFigure(m_curves->foldsFigure(true));
        m_accuracyView->setFigure(m_curves->foldsFigure(false));
    });
    // Deletions run in the session; the list shows the outcome either way.
    connect(m_session, &CatalogSession::runDeleted, this, [this] { onDeleteReported(); });
    connect(m_session, &CatalogSession::failed, this,
            [this](CatalogSession::Operation operation, const QString& message) {
                if (operation != CatalogSession::Operation::DeleteRun)
                    return;
                Q_EMIT errorOccurred(message, true);
                onDeleteReported();
            });
}

void RunsPage::setCatalog(const QString& path)
{
    // The job panel belongs to its catalog: a finished or cancelled run of
    // the previous one is not shown next to this one's runs. A job still
    // running (on the previous catalog) keeps its panel until it ends.
    if (!m_evaluation->isRunning()) {
        m_curves->clear();
        m_jobProgress->setValue(0);
        m_jobStage->setText(tr("idle"));
    }
    m_runs->setCatalogPath(path);
}

RunsPage::StartResult RunsPage::startEvaluation(const QString& catalogPath,
                                                const snilab::EvaluationConfig& config)
{
    if (isBusy()) {
        if (m_queue.size() >= kMaxQueued)
            return StartResult::QueueFull;
        m_queue.append({catalogPath, config});
        updateQueueList();
        return StartResult::Queued;
    }
    if (!m_evaluation->start(catalogPath, config)) // not running, so it starts
        return StartResult::QueueFull;
    m_curves->clear();
    m_jobProgress->setValue(0);
    m_jobStage->setText(tr("starting…"));
    updateQueueList();
    return StartResult::Started;
}

void RunsPage::cancel()
{
    m_queue.clear();
    updateQueueList();
    m_evaluation->cancel();
}

bool RunsPage::removeQueued(int index)
{
    if (index < 0 || index >= m_queue.size())
        return false;
    m_queue.removeAt(index);
    updateQueueList();
    return true;
}

void RunsPage::startNextQueued()
{
    if (m_queue.isEmpty() || m_evaluation->isRunning())
        return;
    const QueuedExperiment next = m_queue.takeFirst();
    updateQueueList();
    startEvaluation(next.catalogPath, next.config);
}

namespace {

// What a waiting experiment will run, on one line.
QString queuedText(int position, const snilab::EvaluationConfig& config)
{
    QStringList models;
    for (const std::string& m : config.models)
        models << QString::fromStdString(m);
    QStringList thresholds;
    for (int t : config.thresholds)
        thresholds << QString::number(t);
    const QString split = QString::fromUtf8(snilab::splitKindName(config.split).data());
    return RunsPage::tr("%1. %2 · T = %3 · %4%5")
        .arg(position)
        .arg(models.join(QStringLiteral(", ")), thresholds.join(QLatin1Char(',')), split,
             config.split == snilab::SplitKind::Time
                 ? QString()
                 : RunsPage::tr(", %1 folds").arg(config.folds));
}

} // namespace

void RunsPage::updateQueueList()
{
    m_queueList->clear();
    for (int i = 0; i < m_queue.size(); ++i)
        m_queueList->addItem(queuedText(i + 1, m_queue[i].config));
    if (m_queue.isEmpty())
        m_queueList->addItem(tr("(none)"));
    m_queueList->setEnabled(!m_queue.isEmpty());
    m_unqueue->setEnabled(!m_queue.isEmpty());
    updateActions(m_catalogOpen);
}

void RunsPage::updateActions(bool catalogOpen)
{
    m_catalogOpen = catalogOpen;
    // Asked for while one runs, an experiment waits its turn in the queue.
    m_newExperiment->setEnabled(catalogOpen);
    m_newExperiment->setToolTip(m_evaluation->isRunning()
                                    ? tr("An experiment is running: a new one waits in the queue.")
                                    : tr("Set up and run an experiment (Ctrl+E)."));
    m_jobCancel->setEnabled(m_evaluation->isRunning());
}

void RunsPage::deleteSelectedRun()
{
    const auto id = selectedRun();
    if (!id || m_evaluation->isRunning())
        return;
    if (QMessageBox::question(this, tr("Delete run"),
                              tr("Delete run %1 and all its results?").arg(id)) != QMessageBox::Yes)
        return;
    ++m_deletesPending;
    m_delete->setEnabled(false); // one deletion at a time
    m_session->deleteRun(id);
}

void RunsPage::onDeleteReported()
{
    if (m_deletesPending > 0 && --m_deletesPending == 0)
        m_delete->setEnabled(true);
    m_runs->reload();
}

void RunsPage::onEvaluationFinished()
{
    const auto& outcome = m_evaluation->outcome();
    m_runRefresh->stop();
    m_runs->reload(); // one small read-only query: the final status
    const QString status = QString::fromUtf8(snilab::runStatusName(outcome.status).data());
    if (outcome.status == snilab::RunStatus::Finished) {
        m_jobProgress->setValue(1000);
        m_jobStage->setText(tr("Run %1 finished.").arg(outcome.runId));
        Q_EMIT runFinished(outcome.runId);
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
    // The next waiting experiment starts once every handler of this run's
    // end has run (the window loads the finished run first).
    if (!m_queue.isEmpty())
        QTimer::singleShot(0, this, &RunsPage::startNextQueued);
}

std::int64_t RunsPage::selectedRun() const
{
    const auto rows = m_runTable->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return 0;
    return m_runs->data(rows.front(), RunListModel::RunIdRole).toLongLong();
}

} // namespace snilab::ui
