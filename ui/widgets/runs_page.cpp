#include "runs_page.h"

#include "figure_view.h"
#include "page_table.h"

#include "core/catalog_session.h"

#include <QGroupBox>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

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
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(splitter, 1);
    connectJob();
}

QWidget* RunsPage::buildJobBox()
{
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
        m_lossView->setFigure(m_curves->lossFigure());
        m_accuracyView->setFigure(m_curves->accuracyFigure());
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

bool RunsPage::startEvaluation(const QString& catalogPath, const snilab::EvaluationConfig& config)
{
    if (!m_evaluation->start(catalogPath, config))
        return false;
    m_curves->clear();
    m_jobProgress->setValue(0);
    m_jobStage->setText(tr("starting…"));
    return true;
}

void RunsPage::updateActions(bool catalogOpen)
{
    m_newExperiment->setEnabled(catalogOpen && !m_evaluation->isRunning());
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
}

std::int64_t RunsPage::selectedRun() const
{
    const auto rows = m_runTable->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return 0;
    return m_runs->data(rows.front(), RunListModel::RunIdRole).toLongLong();
}

} // namespace snilab::ui
