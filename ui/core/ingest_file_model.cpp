#include "ingest_file_model.h"

#include <QFileInfo>

#include <algorithm>

namespace snilab::ui {

IngestFileModel::IngestFileModel(QObject* parent) : QAbstractTableModel(parent) {}

void IngestFileModel::watch(IngestJob* job)
{
    for (const auto& c : m_connections)
        disconnect(c);
    m_connections.clear();
    m_job = job;
    if (!job)
        return;
    m_connections << connect(job, &BackgroundJob::started, this, [this] {
        if (m_job)
            begin(m_job->files());
    });
    m_connections << connect(job, &IngestJob::fileProgress, this,
                             &IngestFileModel::setFileProgress);
    m_connections << connect(job, &IngestJob::fileFinished, this, &IngestFileModel::setFileReport);
    m_connections << connect(job, &BackgroundJob::finished, this, &IngestFileModel::end);
}

void IngestFileModel::begin(const QStringList& files)
{
    beginResetModel();
    m_rows.clear();
    for (const QString& f : files)
        m_rows.append(Row{f, FileState::Queued, 0, {}});
    endResetModel();
}

void IngestFileModel::setFileProgress(int index, double fraction)
{
    if (index < 0 || index >= m_rows.size())
        return;
    Row& r = m_rows[index];
    if (r.state != FileState::Queued && r.state != FileState::Reading)
        return; // a late report after the file's outcome
    r.state = FileState::Reading;
    r.fraction = std::clamp(fraction, 0.0, 1.0);
    r.details = tr("reading…");
    changed(index);
}

void IngestFileModel::setFileReport(int index, const IngestFileReport& report)
{
    if (index < 0 || index >= m_rows.size())
        return;
    Row& r = m_rows[index];
    const QString& o = report.outcome;
    if (o == QLatin1String("ingested"))
        r.state = FileState::Done;
    else if (o == QLatin1String("already-present"))
        r.state = FileState::AlreadyPresent;
    else if (o == QLatin1String("partial"))
        r.state = FileState::Partial;
    else if (o == QLatin1String("cancelled"))
        r.state = FileState::Cancelled;
    else
        r.state = FileState::Failed;
    if (r.state == FileState::Done || r.state == FileState::AlreadyPresent ||
        r.state == FileState::Partial)
        r.fraction = 1.0;
    r.details = report.message;
    changed(index);
}

void IngestFileModel::end()
{
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].state == FileState::Queued || m_rows[i].state == FileState::Reading) {
            m_rows[i].state = FileState::NotReached;
            m_rows[i].details = tr("not ingested: the ingest ended before this file");
            changed(i);
        }
}

QString IngestFileModel::stateName(FileState state)
{
    switch (state) {
    case FileState::Queued: return tr("queued");
    case FileState::Reading: return tr("reading");
    case FileState::Done: return tr("done");
    case FileState::AlreadyPresent: return tr("already present");
    case FileState::Partial: return tr("partial");
    case FileState::Failed: return tr("failed");
    case FileState::Cancelled: return tr("cancelled");
    case FileState::NotReached: return tr("not reached");
    }
    return {};
}

bool IngestFileModel::isProblem(FileState state)
{
    return state == FileState::Partial || state == FileState::Failed ||
           state == FileState::Cancelled || state == FileState::NotReached;
}

void IngestFileModel::changed(int row)
{
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

int IngestFileModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int IngestFileModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant IngestFileModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Row& r = m_rows[index.row()];
    switch (role) {
    case StateRole: return static_cast<int>(r.state);
    case FractionRole: return r.fraction;
    case Qt::ToolTipRole: return r.details.isEmpty() ? r.path : r.path + "\n" + r.details;
    case Qt::DisplayRole:
        switch (index.column()) {
        case File: return QFileInfo(r.path).fileName();
        case State: return stateName(r.state);
        case Progress: return QStringLiteral("%1 %").arg(qRound(r.fraction * 100));
        case Details: return r.details;
        default: return {};
        }
    default: return {};
    }
}

QVariant IngestFileModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case File: return tr("File");
    case State: return tr("State");
    case Progress: return tr("Progress");
    case Details: return tr("Details");
    default: return {};
    }
}

} // namespace snilab::ui
