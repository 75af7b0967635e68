#include "catalog_models.h"

#include "catalog/run_list.h"

#include <QFileInfo>
#include <QStringList>
#include <QThread>

#include <algorithm>
#include <memory>

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

LabelCountModel::LabelCountModel(QObject* parent) : QAbstractTableModel(parent), m_load(this) {}

void LabelCountModel::setCatalogPath(const QString& path, bool load)
{
    m_path = path;
    if (load)
        reload();
}

void LabelCountModel::setLabelMode(snilab::LabelMode mode)
{
    m_mode = mode;
    reload();
}

LabelCountModel::Loaded LabelCountModel::read(const std::string& path, snilab::LabelMode mode)
{
    Loaded out;
    if (path.empty())
        return out;
    try {
        auto catalog = snilab::Catalog::openExisting(path);
        for (auto& c : catalog->connections().labelCounts(mode)) {
            if (c.label.empty())
                out.unlabeled += c.connections;
            else
                out.counts.push_back(std::move(c));
        }
        std::sort(out.counts.begin(), out.counts.end(), [](const auto& a, const auto& b) {
            return a.connections != b.connections ? a.connections > b.connections
                                                  : a.label < b.label;
        });
    } catch (const std::exception& e) {
        out.counts.clear();
        out.unlabeled = 0;
        out.error = qs(std::string(e.what()));
    }
    return out;
}

void LabelCountModel::reload()
{
    const std::string path = m_path.toStdString();
    m_load.run<Loaded>(
        m_background && !path.empty(),
        [path, mode = m_mode](snilab::Feedback*) { return read(path, mode); },
        [this](Loaded loaded) { apply(std::move(loaded)); },
        [] {
            Loaded failed;
            failed.error = QStringLiteral("reading the label counts failed");
            return failed;
        });
}

void LabelCountModel::apply(Loaded loaded)
{
    beginResetModel();
    m_counts = std::move(loaded.counts);
    m_unlabeled = loaded.unlabeled;
    m_error = std::move(loaded.error);
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

bool LabelCountModel::hasQuic() const
{
    return std::any_of(m_counts.begin(), m_counts.end(), [](const auto& c) { return c.quic > 0; });
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
    if (role == Qt::ToolTipRole && index.column() == Label)
        return qs(c.label);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Label: return qs(c.label);
    case Connections: return QVariant::fromValue(static_cast<qulonglong>(c.connections));
    case Quic: return QVariant::fromValue(static_cast<qulonglong>(c.quic));
    case Captures: return QVariant::fromValue(static_cast<qulonglong>(c.captures));
    default: return {};
    }
}

QVariant LabelCountModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole && section == Quic)
        return QStringLiteral("Of the label's connections, those carried by QUIC (the rest "
                              "are TCP)");
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Label: return QStringLiteral("Label");
    case Connections: return QStringLiteral("Connections");
    case Quic: return QStringLiteral("QUIC");
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
            m_rows = catalog->captures().all();
        } catch (const std::exception& e) {
            m_rows.clear();
            m_error = qs(std::string(e.what()));
        }
    }
    endResetModel();
}

bool CaptureListModel::removable(int row) const
{
    return row >= 0 && static_cast<std::size_t>(row) < m_rows.size() &&
           m_rows[static_cast<std::size_t>(row)].status != snilab::CaptureStatus::Complete;
}

bool CaptureListModel::removeCapture(int row, QString* error)
{
    if (row < 0 || static_cast<std::size_t>(row) >= m_rows.size()) {
        *error = tr("no capture in row %1").arg(row + 1);
        return false;
    }
    const std::int64_t id = m_rows[static_cast<std::size_t>(row)].id;
    bool removed = false;
    try {
        auto catalog = snilab::Catalog::openExisting(m_path.toStdString());
        removed = catalog->captures().removeCapture(id);
        if (!removed)
            *error = tr("capture %1 is no longer in the catalog").arg(id);
    } catch (const std::exception& e) {
        *error = qs(std::string(e.what()));
    }
    reload();
    return removed;
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

std::optional<snilab::EvaluationConfig> runConfig(const snilab::RunInfo& run)
{
    return snilab::EvaluationConfig::fromText(run.config);
}

QString runSplitText(const std::optional<snilab::EvaluationConfig>& config)
{
    if (!config)
        return QStringLiteral("?");
    const QString split = qs(std::string(snilab::splitKindName(config->split)));
    return config->split == snilab::SplitKind::Time
               ? split
               : QStringLiteral("%1, %2 folds").arg(split).arg(config->folds);
}

QString runTransportText(const std::optional<snilab::EvaluationConfig>& config)
{
    return config ? qs(snilab::transportFilterName(config->data.transport)) : QStringLiteral("?");
}

RunListModel::RunListModel(QObject* parent) : QAbstractTableModel(parent) {}

RunListModel::~RunListModel()
{
    if (m_refresh) {
        m_refresh->disconnect(this);
        m_refresh->wait();
        delete m_refresh;
    }
}

void RunListModel::setCatalogPath(const QString& path)
{
    m_path = path;
    reload();
}

namespace {

// Newest first; the read-only reader (never waits on a run being written).
std::vector<snilab::RunInfo> readRuns(const QString& path)
{
    auto runs = snilab::readRunList(path.toStdString());
    std::sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) { return a.id > b.id; });
    return runs;
}

} // namespace

void RunListModel::reload()
{
    ++m_generation; // a read in flight is older than this one: dropped
    std::vector<snilab::RunInfo> runs;
    QString error;
    if (!m_path.isEmpty()) {
        try {
            runs = readRuns(m_path);
        } catch (const std::exception& e) {
            error = qs(std::string(e.what()));
        }
    }
    apply(std::move(runs), error);
}

void RunListModel::refreshAsync()
{
    if (m_refresh) {
        m_refreshAgain = true;
        return;
    }
    if (m_path.isEmpty()) {
        apply({}, {});
        Q_EMIT refreshed();
        return;
    }
    struct Result {
        std::vector<snilab::RunInfo> runs;
        QString error;
    };
    auto result = std::make_shared<Result>();
    const QString path = m_path;
    const quint64 generation = m_generation;
    m_refresh = QThread::create([result, path] {
        try {
            result->runs = readRuns(path);
        } catch (const std::exception& e) {
            result->error = qs(std::string(e.what()));
        }
    });
    connect(m_refresh, &QThread::finished, this, [this, result, generation] {
        m_refresh->deleteLater();
        m_refresh = nullptr;
        // Dropped when reload() or setCatalogPath() came after the read began.
        if (generation == m_generation)
            apply(std::move(result->runs), result->error);
        if (m_refreshAgain) {
            m_refreshAgain = false;
            refreshAsync();
        } else {
            Q_EMIT refreshed();
        }
    });
    m_refresh->start();
}

void RunListModel::apply(std::vector<snilab::RunInfo> runs, const QString& error)
{
    m_error = error;
    const bool sameRows = runs.size() == m_runs.size() &&
                          std::equal(runs.begin(), runs.end(), m_runs.begin(),
                                     [](const auto& a, const auto& b) { return a.id == b.id; });
    std::vector<std::optional<snilab::EvaluationConfig>> configs;
    configs.reserve(runs.size());
    for (const auto& run : runs)
        configs.push_back(runConfig(run)); // parsed once per refresh, not once per cell
    if (sameRows) {
        m_runs = std::move(runs);
        m_configs = std::move(configs);
        if (!m_runs.empty())
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_runs = std::move(runs);
    m_configs = std::move(configs);
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
    const auto& config = m_configs[static_cast<std::size_t>(index.row())];
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
    case Models:
    case Thresholds: {
        if (!config)
            return QStringLiteral("?");
        QStringList items;
        if (index.column() == Models)
            for (const std::string& m : config->models)
                items << qs(m);
        else
            for (const int t : config->thresholds)
                items << QString::number(t);
        return items.join(QLatin1Char(','));
    }
    case Split: return runSplitText(config);
    case Transport: return runTransportText(config);
    case Error: return qs(r.error);
    default: return {};
    }
}

QVariant RunListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole || orientation != Qt::Horizontal)
        return {};
    static const char* const kNames[ColumnCount] = {"Run",      "Status",    "Created",
                                                    "Finished", "Models",    "Thresholds",
                                                    "Split",    "Transport", "Error"};
    return section >= 0 && section < ColumnCount ? QString::fromLatin1(kNames[section])
                                                 : QVariant();
}

} // namespace snilab::ui
