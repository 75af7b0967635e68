#include "catalog_models.h"

#include <QFileInfo>
#include <QStringList>

#include <algorithm>

namespace snilab::ui {

namespace {

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}
QString qs(std::string_view s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

} // namespace

// --- LabelCountModel -------------------------------------------------------

LabelCountModel::LabelCountModel(QObject* parent) : QAbstractTableModel(parent) {}

void LabelCountModel::setCatalogPath(const QString& path)
{
    m_path = path;
    reload();
}

void LabelCountModel::setLabelMode(snilab::LabelMode mode)
{
    m_mode = mode;
    reload();
}

void LabelCountModel::reload()
{
    beginResetModel();
    m_counts.clear();
    m_unlabeled = 0;
    m_error.clear();
    if (!m_path.isEmpty()) {
        try {
            auto catalog = snilab::Catalog::openExisting(m_path.toStdString());
            for (auto& c : catalog->labelCounts(m_mode)) {
                if (c.label.empty())
                    m_unlabeled += c.connections;
                else
                    m_counts.push_back(std::move(c));
            }
            std::sort(m_counts.begin(), m_counts.end(), [](const auto& a, const auto& b) {
                return a.connections != b.connections ? a.connections > b.connections
                                                      : a.label < b.label;
            });
        } catch (const std::exception& e) {
            m_counts.clear();
            m_error = qs(std::string(e.what()));
        }
    }
    endResetModel();
}

LabelCountModel::ThresholdSummary LabelCountModel::summaryAt(int threshold,
                                                             snilab::ThresholdRule rule) const
{
    ThresholdSummary s;
    for (const auto& c : m_counts)
        if (snilab::meetsThreshold(c.connections, static_cast<std::size_t>(std::max(0, threshold)),
                                   rule)) {
            ++s.classes;
            s.connections += c.connections;
        }
    return s;
}

int LabelCountModel::maxCount() const
{
    return m_counts.empty() ? 0 : static_cast<int>(m_counts.front().connections);
}

int LabelCountModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_counts.size());
}

int LabelCountModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LabelCountModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const auto& c = m_counts[static_cast<std::size_t>(index.row())];
    if (role == Qt::TextAlignmentRole && index.column() != Label)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Label: return qs(c.label);
    case Connections: return QVariant::fromValue(static_cast<qulonglong>(c.connections));
    case Captures: return QVariant::fromValue(static_cast<qulonglong>(c.captures));
    default: return {};
    }
}

QVariant LabelCountModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole || orientation != Qt::Horizontal)
        return {};
    switch (section) {
    case Label: return QStringLiteral("Label");
    case Connections: return QStringLiteral("Connections");
    case Captures: return QStringLiteral("Captures");
    default: return {};
    }
}

// --- CaptureListModel ------------------------------------------------------

CaptureListModel::CaptureListModel(QObject* parent) : QAbstractTableModel(parent) {}

void CaptureListModel::setCatalogPath(const QString& path)
{
    m_path = path;
    reload();
}

void CaptureListModel::reload()
{
    beginResetModel();
    m_rows.clear();
    m_error.clear();
    if (!m_path.isEmpty()) {
        try {
            auto catalog = snilab::Catalog::openExisting(m_path.toStdString());
            m_rows = catalog->captures();
        } catch (const std::exception& e) {
            m_rows.clear();
            m_error = qs(std::string(e.what()));
        }
    }
    endResetModel();
}

int CaptureListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int CaptureListModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CaptureListModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const auto& c = m_rows[static_cast<std::size_t>(index.row())];
    if (role == Qt::ToolTipRole && index.column() == Path)
        return qs(c.path);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Path: return QFileInfo(qs(c.path)).fileName();
    case Status: return qs(snilab::captureStatusName(c.status));
    case Connections: return QVariant::fromValue(static_cast<qulonglong>(c.connections));
    case Labeled: return QVariant::fromValue(static_cast<qulonglong>(c.labeled));
    case Packets: return QVariant::fromValue(static_cast<qulonglong>(c.packets));
    case Container:
        return qs(c.container) + (c.compression == "none" ? QString() : "+" + qs(c.compression));
    case Error: return qs(c.error);
    default: return {};
    }
}

QVariant CaptureListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole || orientation != Qt::Horizontal)
        return {};
    static const char* const kNames[ColumnCount] = {"Capture", "Status", "Connections", "Labeled",
                                                    "Packets", "Format", "Error"};
    return section >= 0 && section < ColumnCount ? QString::fromLatin1(kNames[section])
                                                 : QVariant();
}

// --- RunListModel ----------------------------------------------------------

QString runConfigValue(const snilab::RunInfo& run, const QString& key)
{
    const QString prefix = key + QLatin1Char('=');
    for (const QString& line : qs(run.config).split(QLatin1Char('\n')))
        if (line.startsWith(prefix))
            return line.mid(prefix.size());
    return {};
}

RunListModel::RunListModel(QObject* parent) : QAbstractTableModel(parent) {}

void RunListModel::setCatalogPath(const QString& path)
{
    m_path = path;
    reload();
}

void RunListModel::reload()
{
    beginResetModel();
    m_runs.clear();
    m_error.clear();
    if (!m_path.isEmpty()) {
        try {
            auto catalog = snilab::Catalog::openExisting(m_path.toStdString());
            m_runs = catalog->runs();
            std::sort(m_runs.begin(), m_runs.end(),
                      [](const auto& a, const auto& b) { return a.id > b.id; });
        } catch (const std::exception& e) {
            m_runs.clear();
            m_error = qs(std::string(e.what()));
        }
    }
    endResetModel();
}

int RunListModel::rowOf(std::int64_t runId) const
{
    for (std::size_t i = 0; i < m_runs.size(); ++i)
        if (m_runs[i].id == runId)
            return static_cast<int>(i);
    return -1;
}

int RunListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_runs.size());
}

int RunListModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunListModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const auto& r = m_runs[static_cast<std::size_t>(index.row())];
    if (role == RunIdRole)
        return QVariant::fromValue(static_cast<qlonglong>(r.id));
    if (role == Qt::ToolTipRole)
        return qs(r.config);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Id: return QVariant::fromValue(static_cast<qlonglong>(r.id));
    case Status: return qs(snilab::runStatusName(r.status));
    case Created: return qs(r.createdAt);
    case Finished: return qs(r.finishedAt);
    case Models: return runConfigValue(r, QStringLiteral("models"));
    case Thresholds: return runConfigValue(r, QStringLiteral("thresholds"));
    case Split: {
        const QString split = runConfigValue(r, QStringLiteral("split"));
        return split == QLatin1String("time")
                   ? split
                   : QStringLiteral("%1, %2 folds")
                         .arg(split, runConfigValue(r, QStringLiteral("folds")));
    }
    case Error: return qs(r.error);
    default: return {};
    }
}

QVariant RunListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole || orientation != Qt::Horizontal)
        return {};
    static const char* const kNames[ColumnCount] = {"Run",    "Status",     "Created", "Finished",
                                                    "Models", "Thresholds", "Split",   "Error"};
    return section >= 0 && section < ColumnCount ? QString::fromLatin1(kNames[section])
                                                 : QVariant();
}

} // namespace snilab::ui
