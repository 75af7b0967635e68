#include "result_models.h"

#include "report/number_text.h"

#include <algorithm>
#include <numeric>

namespace snilab::ui {

// --- Table1Model -----------------------------------------------------------

Table1Model::Table1Model(QObject* parent) : QAbstractTableModel(parent) {}

void Table1Model::setRun(const RunData& run)
{
    beginResetModel();
    m_run = run;
    endResetModel();
}

int Table1Model::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_run.thresholds.size());
}

int Table1Model::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : 3 + static_cast<int>(m_run.models.size());
}

QVariant Table1Model::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount())
        return {};
    if (role == Qt::TextAlignmentRole)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::UserRole)
        return {};
    const int t = m_run.thresholds[index.row()];
    const snilab::GridCell* any = nullptr;
    for (const QString& m : m_run.models)
        if ((any = m_run.cell(m, t)))
            break;
    switch (index.column()) {
    case 0: return t;
    case 1: return any ? QVariant(any->classes) : QVariant();
    case 2: return any ? QVariant::fromValue(static_cast<qulonglong>(any->samples)) : QVariant();
    default: {
        const QString& model = m_run.models[index.column() - 3];
        double mean = 0, std = 0;
        if (!m_run.metric(model, t, "accuracy", &mean, &std))
            return role == Qt::DisplayRole
                       ? QVariant(QString::fromUtf8(snilab::report::kMissingCell))
                       : QVariant();
        if (role == Qt::UserRole)
            return mean;
        const snilab::GridCell* cell = m_run.cell(model, t);
        return QString::fromStdString(
            snilab::report::meanStdText(mean, std, cell ? cell->folds : 0));
    }
    }
}

QVariant Table1Model::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole || orientation != Qt::Horizontal)
        return {};
    switch (section) {
    case 0: return QStringLiteral("T");
    case 1: return QStringLiteral("Classes");
    case 2: return QStringLiteral("Connections");
    default:
        return section - 3 < m_run.models.size() ? QVariant(m_run.models[section - 3]) : QVariant();
    }
}

// --- PerClassModel ---------------------------------------------------------

PerClassModel::PerClassModel(QObject* parent) : QAbstractTableModel(parent) {}

void PerClassModel::setRun(const RunData& run, int threshold)
{
    beginResetModel();
    m_run = run;
    m_threshold = threshold;
    m_labels = run.labels(threshold);
    endResetModel();
}

int PerClassModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_labels.size());
}

int PerClassModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : 2 + static_cast<int>(m_run.models.size());
}

QVariant PerClassModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount())
        return {};
    if (role == Qt::TextAlignmentRole && index.column() > 0)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::UserRole)
        return {};
    const QString& label = m_labels[index.row()];
    if (index.column() == 0)
        return label;
    const int modelIndex = index.column() == 1 ? 0 : index.column() - 2;
    const auto* results = m_run.classResults(m_run.models[modelIndex], m_threshold);
    if (!results)
        return {};
    for (const auto& c : *results)
        if (QString::fromStdString(c.label) == label) {
            if (index.column() == 1)
                return QVariant::fromValue(static_cast<qulonglong>(c.support));
            return role == Qt::UserRole ? QVariant(c.accuracy)
                                        : QVariant(QString::number(c.accuracy, 'f', 3));
        }
    return {};
}

QVariant PerClassModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole || orientation != Qt::Horizontal)
        return {};
    if (section == 0)
        return QStringLiteral("Label");
    if (section == 1)
        return QStringLiteral("Support");
    return section - 2 < m_run.models.size()
               ? QVariant(m_run.models[section - 2] + QStringLiteral(" accuracy"))
               : QVariant();
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
    }
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
