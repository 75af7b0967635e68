#include "prediction_table_model.h"

#include <QFileInfo>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <numeric>
#include <string_view>
#include <unordered_map>

namespace snilab::ui {

namespace {

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

QString endpoint(const std::string& ip, std::uint16_t port)
{
    const QString host = qs(ip);
    return (host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host) +
           QLatin1Char(':') + QString::number(port);
}

QString probabilityText(double p)
{
    return QString::number(p, 'f', 3);
}

const snilab::PredictionOutcome& emptyOutcome()
{
    static const snilab::PredictionOutcome empty;
    return empty;
}

} // namespace

// --- PredictionSummary -------------------------------------------------------

PredictionSummary summarize(const snilab::PredictionOutcome& outcome)
{
    PredictionSummary s;
    s.model = qs(outcome.model);
    s.connections = outcome.rows.size();
    s.withSni = outcome.withSni;
    s.withEch = outcome.withEch;
    s.known = outcome.known;
    s.correct = outcome.correct;
    s.accuracy = outcome.accuracy();
    for (const auto& f : outcome.files)
        if (f.outcome == snilab::IngestOutcome::Failed ||
            f.outcome == snilab::IngestOutcome::Partial)
            s.fileErrors << QStringLiteral("%1: %2%3")
                                .arg(QFileInfo(qs(f.path.string())).fileName(),
                                     f.outcome == snilab::IngestOutcome::Partial
                                         ? QStringLiteral("partly read, ")
                                         : QString(),
                                     qs(f.error.describe()));
    return s;
}

QString PredictionSummary::text() const
{
    QString out = QStringLiteral("%L1 connections classified with %2: %L3 with an SNI (%L4 with "
                                 "ECH), %L5 without. ")
                      .arg(connections)
                      .arg(model)
                      .arg(withSni)
                      .arg(withEch)
                      .arg(connections - withSni);
    if (known > 0)
        out += QStringLiteral("Accuracy %1 (%L2 of %L3 connections of the model's classes; %L4 "
                              "labeled connections outside them).")
                   .arg(QString::number(accuracy, 'f', 3))
                   .arg(correct)
                   .arg(known)
                   .arg(withSni - known);
    else
        out += QStringLiteral("Accuracy: no connection's label is one of the model's classes.");
    if (!fileErrors.isEmpty())
        out += QStringLiteral(" %1 capture(s) not read: %2")
                   .arg(fileErrors.size())
                   .arg(fileErrors.join(QStringLiteral("; ")));
    return out;
}

// --- PredictionTableModel ----------------------------------------------------

PredictionTableModel::PredictionTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void PredictionTableModel::setOutcome(std::shared_ptr<const snilab::PredictionOutcome> outcome)
{
    beginResetModel();
    m_outcome = std::move(outcome);
    m_summary = m_outcome ? summarize(*m_outcome) : PredictionSummary{};
    m_topK = 1;
    if (m_outcome)
        for (const auto& r : m_outcome->rows)
            m_topK = std::max(m_topK, static_cast<int>(r.top.size()));
    endResetModel();
    Q_EMIT headerDataChanged(Qt::Horizontal, Top, Top);
}

void PredictionTableModel::clear()
{
    setOutcome(nullptr);
}

const snilab::PredictedConnection& PredictionTableModel::row(int r) const
{
    return m_outcome->rows.at(static_cast<std::size_t>(r));
}

namespace {

PredictionTableModel::Outcome outcomeOf(const snilab::PredictedConnection& p)
{
    using O = PredictionTableModel::Outcome;
    return !p.knownClass ? O::Unknown : (p.correct() ? O::Right : O::Wrong);
}

// Each row's place among the distinct values of a string (bytewise order).
template <typename Get>
std::vector<std::uint32_t> stringRanks(const std::vector<int>& rows, Get get)
{
    std::unordered_map<std::string_view, std::uint32_t> ids;
    std::vector<std::string_view> distinct;
    std::vector<std::uint32_t> id(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const std::string_view v = get(rows[i]);
        const auto [it, added] = ids.try_emplace(v, static_cast<std::uint32_t>(distinct.size()));
        if (added)
            distinct.push_back(v);
        id[i] = it->second;
    }
    std::vector<std::uint32_t> order(distinct.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(),
              [&](std::uint32_t a, std::uint32_t b) { return distinct[a] < distinct[b]; });
    std::vector<std::uint32_t> rank(distinct.size());
    for (std::size_t r = 0; r < order.size(); ++r)
        rank[order[r]] = static_cast<std::uint32_t>(r);
    for (std::uint32_t& v : id)
        v = rank[v];
    return id;
}

// A non-negative double as an integer of the same order.
std::int64_t orderBits(double v)
{
    return std::bit_cast<std::int64_t>(v > 0.0 ? v : 0.0);
}

} // namespace

PredictionTableModel::Outcome PredictionTableModel::outcome(int r) const
{
    return outcomeOf(row(r));
}

std::vector<int> PredictionTableModel::sortedRows(const snilab::PredictionOutcome& outcome,
                                                  int column, Qt::SortOrder order)
{
    std::vector<int> rows(outcome.rows.size());
    std::iota(rows.begin(), rows.end(), 0);
    if (column < 0 || column >= ColumnCount)
        return rows;
    const auto& all = outcome.rows;
    const auto at = [&](int r) -> const snilab::PredictedConnection& {
        return all[static_cast<std::size_t>(r)];
    };
    // Each row's sort values (strings bytewise, endpoints by address text
    // then port, captures by path then start, top lists by their first
    // label then its probability), made once, so the sort compares integers.
    struct Key {
        std::int64_t primary;
        std::int64_t secondary;
        int row;
    };
    std::vector<Key> keys(rows.size());
    std::vector<std::uint32_t> ranks;
    const auto rankBy = [&](auto get) { ranks = stringRanks(rows, get); };
    switch (column) {
    case Capture:
        rankBy([&](int r) -> std::string_view { return at(r).connection.capturePath; });
        break;
    case Client:
        rankBy([&](int r) -> std::string_view { return at(r).connection.clientIp; });
        break;
    case Server:
        rankBy([&](int r) -> std::string_view { return at(r).connection.serverIp; });
        break;
    case Sni: rankBy([&](int r) -> std::string_view { return at(r).connection.sni; }); break;
    case TrueLabel: rankBy([&](int r) -> std::string_view { return at(r).trueLabel; }); break;
    case Predicted: rankBy([&](int r) -> std::string_view { return at(r).predicted; }); break;
    case Top:
        rankBy([&](int r) -> std::string_view {
            const auto& top = at(r).top;
            return top.empty() ? std::string_view() : std::string_view(top.front().first);
        });
        break;
    default: break;
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const snilab::PredictedConnection& p = at(rows[i]);
        const snilab::ConnectionRow& c = p.connection;
        Key& k = keys[i];
        k.row = rows[i];
        k.primary = ranks.empty() ? 0 : ranks[i];
        k.secondary = 0;
        switch (column) {
        case Capture: k.secondary = c.startNs; break;
        case Client: k.secondary = c.clientPort; break;
        case Server: k.secondary = c.serverPort; break;
        case Tls: k.primary = c.hasClientHello; break;
        case Ech: k.primary = c.ech; break;
        case Probability: k.primary = orderBits(p.probability); break;
        case Top: k.secondary = p.top.empty() ? 0 : orderBits(p.top.front().second); break;
        case Correct: k.primary = static_cast<int>(outcomeOf(p)); break;
        default: break;
        }
    }
    // Ties keep the engine's order (the row) in both directions.
    const bool ascending = order == Qt::AscendingOrder;
    std::sort(keys.begin(), keys.end(), [ascending](const Key& a, const Key& b) {
        if (a.primary != b.primary)
            return ascending ? a.primary < b.primary : a.primary > b.primary;
        if (a.secondary != b.secondary)
            return ascending ? a.secondary < b.secondary : a.secondary > b.secondary;
        return a.row < b.row;
    });
    for (std::size_t i = 0; i < rows.size(); ++i)
        rows[i] = keys[i].row;
    return rows;
}

int PredictionTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_outcome ? 0 : static_cast<int>(m_outcome->rows.size());
}

int PredictionTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PredictionTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= ColumnCount)
        return {};
    const auto& r =
        (m_outcome ? *m_outcome : emptyOutcome()).rows[static_cast<std::size_t>(index.row())];
    const snilab::ConnectionRow& c = r.connection;
    switch (role) {
    case Qt::ToolTipRole:
        if (index.column() == Capture)
            return qs(c.capturePath);
        if (index.column() == Top)
            return data(index, Qt::DisplayRole);
        if (index.column() == TrueLabel && !r.trueLabel.empty() && !r.knownClass)
            return QStringLiteral("not one of the model's classes");
        if (index.column() == Tls && !c.hasClientHello)
            return QStringLiteral("no TLS ClientHello was seen (not TLS, or its start was not "
                                  "captured): the prediction is a guess from sizes and times");
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == Probability ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                             : QVariant();
    case Qt::DisplayRole:
        switch (index.column()) {
        case Capture: return QFileInfo(qs(c.capturePath)).fileName();
        case Client: return endpoint(c.clientIp, c.clientPort);
        case Server: return endpoint(c.serverIp, c.serverPort);
        case Tls: return c.hasClientHello ? QStringLiteral("yes") : QStringLiteral("no");
        case Sni: return qs(c.sni);
        case Ech: return c.ech ? QStringLiteral("yes") : QString();
        case TrueLabel: return qs(r.trueLabel);
        case Predicted: return qs(r.predicted);
        case Probability: return probabilityText(r.probability);
        case Top: {
            QStringList parts;
            for (const auto& [label, p] : r.top)
                parts << qs(label) + QLatin1Char(' ') + probabilityText(p);
            return parts.join(QStringLiteral("; "));
        }
        case Correct: {
            const Outcome outcome = this->outcome(index.row());
            return outcome == Outcome::Unknown
                       ? QString()
                       : (outcome == Outcome::Right ? QStringLiteral("yes") : QStringLiteral("no"));
        }
        default: return {};
        }
    default: return {};
    }
}

QVariant PredictionTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole || orientation != Qt::Horizontal)
        return {};
    switch (section) {
    case Capture: return QStringLiteral("Capture");
    case Client: return QStringLiteral("Client");
    case Server: return QStringLiteral("Server");
    case Tls: return QStringLiteral("TLS");
    case Sni: return QStringLiteral("SNI");
    case Ech: return QStringLiteral("ECH");
    case TrueLabel: return QStringLiteral("True label");
    case Predicted: return QStringLiteral("Predicted");
    case Probability: return QStringLiteral("Probability");
    case Top: return QStringLiteral("Top %1").arg(m_topK);
    case Correct: return QStringLiteral("Correct");
    default: return {};
    }
}

// --- PredictionFilterModel ---------------------------------------------------

PredictionFilterModel::PredictionFilterModel(QObject* parent)
    : QAbstractProxyModel(parent), m_sortJob(this)
{
}

void PredictionFilterModel::setSourceModel(QAbstractItemModel* source)
{
    beginResetModel();
    for (const auto& c : m_connections)
        disconnect(c);
    m_connections.clear();
    QAbstractProxyModel::setSourceModel(source);
    m_source = qobject_cast<PredictionTableModel*>(source);
    if (m_source) {
        // The source changes only by a reset (setOutcome()).
        m_connections.push_back(connect(m_source, &QAbstractItemModel::modelAboutToBeReset, this,
                                        [this] { beginResetModel(); }));
        m_connections.push_back(connect(m_source, &QAbstractItemModel::modelReset, this, [this] {
            m_sorted.clear(); // the order of the previous outcome
            readOutcomes();
            rebuild();
            endResetModel();
            startSort();
        }));
        m_connections.push_back(connect(m_source, &QAbstractItemModel::headerDataChanged, this,
                                        &QAbstractItemModel::headerDataChanged));
        m_connections.push_back(connect(m_source, &QObject::destroyed, this, [this] {
            beginResetModel();
            m_sortJob.cancel();
            m_rows.clear();
            m_proxyRow.clear();
            m_sorted.clear();
            m_outcomes.clear();
            endResetModel();
            setSorting(false);
        }));
    }
    m_sorted.clear();
    readOutcomes();
    rebuild();
    endResetModel();
    startSort();
}

void PredictionFilterModel::readOutcomes()
{
    const int n = m_source ? m_source->rowCount() : 0;
    m_outcomes.resize(static_cast<std::size_t>(n));
    for (int r = 0; r < n; ++r)
        m_outcomes[static_cast<std::size_t>(r)] = m_source->outcome(r);
}

bool PredictionFilterModel::accepts(int sourceRow) const
{
    using O = PredictionTableModel::Outcome;
    const O outcome = m_outcomes[static_cast<std::size_t>(sourceRow)];
    switch (m_show) {
    case Show::Wrong: return outcome == O::Wrong;
    case Show::Unknown: return outcome == O::Unknown;
    case Show::WrongOrUnknown: return outcome != O::Right;
    case Show::All: break;
    }
    return true;
}

void PredictionFilterModel::rebuild()
{
    m_rows.clear();
    const int n = static_cast<int>(m_outcomes.size());
    m_rows.reserve(static_cast<std::size_t>(n));
    if (m_sorted.size() == static_cast<std::size_t>(n)) {
        for (const int r : m_sorted)
            if (accepts(r))
                m_rows.push_back(r);
    } else {
        for (int r = 0; r < n; ++r)
            if (accepts(r))
                m_rows.push_back(r);
    }
    updateInverse();
}

void PredictionFilterModel::updateInverse()
{
    m_proxyRow.assign(m_outcomes.size(), -1);
    for (std::size_t i = 0; i < m_rows.size(); ++i)
        m_proxyRow[static_cast<std::size_t>(m_rows[i])] = static_cast<int>(i);
}

void PredictionFilterModel::setShow(Show show)
{
    if (show == m_show)
        return;
    beginResetModel();
    m_show = show;
    rebuild(); // walks the sorted order: no sort
    endResetModel();
}

void PredictionFilterModel::setSorting(bool sorting)
{
    if (sorting == m_sorting)
        return;
    m_sorting = sorting;
    Q_EMIT sortingChanged(sorting);
}

void PredictionFilterModel::sort(int column, Qt::SortOrder order)
{
    if (column >= PredictionTableModel::ColumnCount)
        column = -1;
    m_sortColumn = column;
    m_sortOrder = order;
    if (column < 0) {
        m_sortJob.cancel(); // a sort still running no longer applies
        applyOrder({});
        setSorting(false);
        return;
    }
    startSort();
}

void PredictionFilterModel::startSort()
{
    auto outcome = m_source ? m_source->sharedOutcome() : nullptr;
    if (m_sortColumn < 0 || !outcome || outcome->rows.empty()) {
        m_sortJob.cancel();
        setSorting(false);
        return;
    }
    const int column = m_sortColumn;
    const Qt::SortOrder order = m_sortOrder;
    m_sortJob.start<std::vector<int>>(
        [outcome, column, order](snilab::Feedback&) {
            return PredictionTableModel::sortedRows(*outcome, column, order);
        },
        [this, outcome](std::optional<std::vector<int>> sorted) {
            // Another outcome came meanwhile (its own sort supersedes this
            // one); a sort that failed (out of memory) leaves the order.
            if (sorted && m_source && m_source->sharedOutcome() == outcome)
                applyOrder(std::move(*sorted));
            setSorting(false);
        });
    setSorting(true);
}

void PredictionFilterModel::applyOrder(std::vector<int> sorted)
{
    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    // Persistent indexes (selection, current cell) follow their rows.
    const QModelIndexList before = persistentIndexList();
    QModelIndexList sources;
    sources.reserve(before.size());
    for (const QModelIndex& p : before)
        sources << mapToSource(p);
    m_sorted = std::move(sorted);
    rebuild();
    QModelIndexList after;
    after.reserve(before.size());
    for (const QModelIndex& src : sources)
        after << mapFromSource(src);
    changePersistentIndexList(before, after);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

QModelIndex PredictionFilterModel::mapToSource(const QModelIndex& proxyIndex) const
{
    if (!m_source || !proxyIndex.isValid() || proxyIndex.model() != this ||
        proxyIndex.row() >= static_cast<int>(m_rows.size()))
        return {};
    return m_source->index(m_rows[static_cast<std::size_t>(proxyIndex.row())], proxyIndex.column());
}

QModelIndex PredictionFilterModel::mapFromSource(const QModelIndex& sourceIndex) const
{
    if (!m_source || !sourceIndex.isValid() || sourceIndex.model() != m_source ||
        sourceIndex.row() >= static_cast<int>(m_proxyRow.size()))
        return {};
    const int row = m_proxyRow[static_cast<std::size_t>(sourceIndex.row())];
    return row < 0 ? QModelIndex() : index(row, sourceIndex.column());
}

QModelIndex PredictionFilterModel::index(int row, int column, const QModelIndex& parent) const
{
    if (parent.isValid() || row < 0 || column < 0 || row >= rowCount() || column >= columnCount())
        return {};
    return createIndex(row, column);
}

QModelIndex PredictionFilterModel::parent(const QModelIndex&) const
{
    return {};
}

QModelIndex PredictionFilterModel::sibling(int row, int column, const QModelIndex& idx) const
{
    return idx.isValid() ? index(row, column) : QModelIndex();
}

int PredictionFilterModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int PredictionFilterModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_source ? 0 : m_source->columnCount();
}

bool PredictionFilterModel::hasChildren(const QModelIndex& parent) const
{
    return !parent.isValid() && rowCount() > 0 && columnCount() > 0;
}

QVariant PredictionFilterModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (!m_source)
        return {};
    if (orientation == Qt::Horizontal)
        return m_source->headerData(section, orientation, role);
    if (role == Qt::DisplayRole && section >= 0 && section < rowCount())
        return section + 1;
    return {};
}

} // namespace snilab::ui
