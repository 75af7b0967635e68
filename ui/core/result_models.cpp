#include "result_models.h"

#include "report/number_text.h"
#include "report/run_report.h"

#include <algorithm>
#include <numeric>

namespace snilab::ui {

// --- ResultTableModel ------------------------------------------------------

ResultTableModel::ResultTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void ResultTableModel::setTable(snilab::report::ResultTable table)
{
    beginResetModel();
    m_table = std::move(table);
    endResetModel();
}

int ResultTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_table.rowCount());
}

int ResultTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_table.columnCount());
}

QVariant ResultTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount())
        return {};
    const auto r = static_cast<std::size_t>(index.row());
    const auto c = static_cast<std::size_t>(index.column());
    const snilab::report::Column& column = m_table.column(c);
    const snilab::report::Cell& cell = m_table.cell(r, c);
    switch (role) {
    case Qt::TextAlignmentRole:
        return column.align == 'l' ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                   : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::DisplayRole:
        return QString::fromStdString(
            snilab::report::cellText(cell, column, snilab::report::CellStyle::Display));
    case Qt::UserRole:
        if (const auto number = snilab::report::cellNumber(cell))
            return *number;
        if (const auto* text = std::get_if<std::string>(&cell))
            return QString::fromStdString(*text);
        return {};
    default: return {};
    }
}

QVariant ResultTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole || orientation != Qt::Horizontal || section < 0 ||
        section >= columnCount())
        return {};
    return QString::fromStdString(m_table.column(static_cast<std::size_t>(section)).displayTitle());
}

void Table1Model::setRun(const RunData& run)
{
    setTable(snilab::report::table1Table(run.grid));
}

void PerClassModel::setRun(const RunData& run, int threshold)
{
    std::vector<snilab::report::ClassRows> models;
    for (const QString& m : run.models) {
        snilab::report::ClassRows rows{m.toStdString(), threshold, {}};
        if (const auto* results = run.classResults(m, threshold))
            rows.classes = *results;
        models.push_back(std::move(rows));
    }
    setTable(snilab::report::perLabelTable(models));
}

// --- ConfusionMatrixModel --------------------------------------------------

ConfusionMatrixModel::ConfusionMatrixModel(QObject* parent) : QAbstractTableModel(parent) {}

void ConfusionMatrixModel::setMatrix(const QStringList& labels, const std::vector<quint64>& counts)
{
    beginResetModel();
    m_labels = labels;
    const std::size_t k = static_cast<std::size_t>(labels.size());
    m_counts = counts.size() == k * k ? counts : std::vector<quint64>(k * k, 0);
    m_rowTotals.assign(k, 0);
    for (std::size_t i = 0; i < k; ++i)
        for (std::size_t j = 0; j < k; ++j)
            m_rowTotals[i] += m_counts[i * k + j];
    reorder();
    endResetModel();
}

void ConfusionMatrixModel::setRun(const RunData& run, const QString& model, int threshold)
{
    QStringList labels;
    std::vector<quint64> counts;
    if (const auto* results = run.classResults(model, threshold)) {
        for (const auto& c : *results)
            labels << QString::fromStdString(c.label);
        const auto it = run.confusion.find({model.toStdString(), threshold});
        if (it != run.confusion.end())
            counts = it->second;
    }
    setMatrix(labels, counts);
}

void ConfusionMatrixModel::setOrder(Order order)
{
    beginResetModel();
    m_order = order;
    reorder();
    endResetModel();
}

void ConfusionMatrixModel::setNormalized(bool normalized)
{
    m_normalized = normalized;
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
}

void ConfusionMatrixModel::reorder()
{
    const std::size_t k = static_cast<std::size_t>(m_labels.size());
    m_positions.resize(k);
    std::iota(m_positions.begin(), m_positions.end(), 0);
    auto accuracy = [&](int c) {
        const auto i = static_cast<std::size_t>(c);
        return m_rowTotals[i] ? double(m_counts[i * k + i]) / double(m_rowTotals[i]) : 0.0;
    };
    switch (m_order) {
    case Order::Label:
        std::stable_sort(m_positions.begin(), m_positions.end(),
                         [&](int a, int b) { return m_labels[a] < m_labels[b]; });
        break;
    case Order::Support:
        std::stable_sort(m_positions.begin(), m_positions.end(), [&](int a, int b) {
            return m_rowTotals[static_cast<std::size_t>(a)] >
                   m_rowTotals[static_cast<std::size_t>(b)];
        });
        break;
    case Order::Accuracy:
        std::stable_sort(m_positions.begin(), m_positions.end(),
                         [&](int a, int b) { return accuracy(a) < accuracy(b); });
        break;
    case Order::Grouped: m_positions = groupedOrder(); break;
    }
}

std::vector<int> ConfusionMatrixModel::groupedOrder() const
{
    const std::size_t k = static_cast<std::size_t>(m_labels.size());
    // Row shares, so a small class's confusions weigh as a big one's.
    const auto share = [&](std::size_t i, std::size_t j) {
        return m_rowTotals[i] ? double(m_counts[i * k + j]) / double(m_rowTotals[i]) : 0.0;
    };
    std::vector<double> mistaken(k, 0.0);
    for (std::size_t i = 0; i < k; ++i)
        for (std::size_t j = 0; j < k; ++j)
            if (i != j)
                mistaken[i] += share(i, j) + share(j, i);
    std::vector<bool> placed(k, false);
    std::vector<int> order;
    order.reserve(k);
    std::size_t last = k;
    while (order.size() < k) {
        std::size_t next = k;
        double best = 0;
        if (last < k)
            for (std::size_t j = 0; j < k; ++j)
                if (!placed[j] && share(last, j) + share(j, last) > best) {
                    best = share(last, j) + share(j, last);
                    next = j;
                }
        if (next == k) // a new group: the most mistaken class left (ties: label order)
            for (std::size_t j = 0; j < k; ++j)
                if (!placed[j] &&
                    (next == k || mistaken[j] > mistaken[next] ||
                     (mistaken[j] == mistaken[next] && m_labels[int(j)] < m_labels[int(next)])))
                    next = j;
        placed[next] = true;
        order.push_back(static_cast<int>(next));
        last = next;
    }
    return order;
}

quint64 ConfusionMatrixModel::count(int row, int column) const
{
    const std::size_t k = m_positions.size();
    if (row < 0 || column < 0 || static_cast<std::size_t>(row) >= k ||
        static_cast<std::size_t>(column) >= k)
        return 0;
    return m_counts[static_cast<std::size_t>(m_positions[static_cast<std::size_t>(row)]) * k +
                    static_cast<std::size_t>(m_positions[static_cast<std::size_t>(column)])];
}

double ConfusionMatrixModel::fraction(int row, int column) const
{
    if (row < 0 || static_cast<std::size_t>(row) >= m_positions.size())
        return 0;
    const quint64 total =
        m_rowTotals[static_cast<std::size_t>(m_positions[static_cast<std::size_t>(row)])];
    return total ? double(count(row, column)) / double(total) : 0.0;
}

QString ConfusionMatrixModel::label(int position) const
{
    return position >= 0 && static_cast<std::size_t>(position) < m_positions.size()
               ? m_labels[m_positions[static_cast<std::size_t>(position)]]
               : QString();
}

quint64 ConfusionMatrixModel::total() const
{
    return std::accumulate(m_rowTotals.begin(), m_rowTotals.end(), quint64{0});
}

int ConfusionMatrixModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : classCount();
}

int ConfusionMatrixModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : classCount();
}

QVariant ConfusionMatrixModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount())
        return {};
    switch (role) {
    case Qt::DisplayRole:
        return m_normalized
                   ? QVariant(QString::number(fraction(index.row(), index.column()), 'f', 3))
                   : QVariant::fromValue(
                         static_cast<qulonglong>(count(index.row(), index.column())));
    case CountRole:
        return QVariant::fromValue(static_cast<qulonglong>(count(index.row(), index.column())));
    case FractionRole: return fraction(index.row(), index.column());
    case Qt::ToolTipRole:
        return QStringLiteral("true %1 → predicted %2: %3 (%4 % of the row)")
            .arg(label(index.row()), label(index.column()))
            .arg(count(index.row(), index.column()))
            .arg(100.0 * fraction(index.row(), index.column()), 0, 'f', 1);
    case Qt::TextAlignmentRole: return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    default: return {};
    }
}

QVariant ConfusionMatrixModel::headerData(int section, Qt::Orientation, int role) const
{
    if (role != Qt::DisplayRole)
        return {};
    return label(section);
}

} // namespace snilab::ui
