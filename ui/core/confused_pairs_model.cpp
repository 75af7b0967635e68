#include "confused_pairs_model.h"

#include "result_models.h"

#include <algorithm>

namespace snilab::ui {

ConfusedPairsModel::ConfusedPairsModel(QObject* parent) : QAbstractTableModel(parent) {}

void ConfusedPairsModel::setMatrix(ConfusionMatrixModel* matrix)
{
    if (m_matrix)
        disconnect(m_matrix, nullptr, this, nullptr);
    m_matrix = matrix;
    if (matrix)
        connect(matrix, &QAbstractItemModel::modelReset, this, &ConfusedPairsModel::rebuild);
    rebuild();
}

void ConfusedPairsModel::rebuild()
{
    beginResetModel();
    m_pairs.clear();
    const int k = m_matrix ? m_matrix->classCount() : 0;
    for (int i = 0; i < k; ++i)
        for (int j = 0; j < k; ++j)
            if (i != j)
                if (const quint64 n = m_matrix->count(i, j))
                    m_pairs.push_back({i, j, n, m_matrix->fraction(i, j)});
    const auto before = [this](const Pair& a, const Pair& b) {
        if (a.count != b.count)
            return a.count > b.count;
        if (a.share != b.share)
            return a.share > b.share;
        const QString la = m_matrix->label(a.row), lb = m_matrix->label(b.row);
        return la != lb ? la < lb : m_matrix->label(a.column) < m_matrix->label(b.column);
    };
    if (m_pairs.size() > static_cast<std::size_t>(kMaxPairs)) {
        std::partial_sort(m_pairs.begin(), m_pairs.begin() + kMaxPairs, m_pairs.end(), before);
        m_pairs.resize(static_cast<std::size_t>(kMaxPairs));
    } else {
        std::sort(m_pairs.begin(), m_pairs.end(), before);
    }
    endResetModel();
}

int ConfusedPairsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_pairs.size());
}

int ConfusedPairsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ConfusedPairsModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || !m_matrix)
        return {};
    const Pair& p = m_pairs[static_cast<std::size_t>(index.row())];
    switch (role) {
    case RowRole: return p.row;
    case ColumnRole: return p.column;
    case Qt::TextAlignmentRole:
        return index.column() >= Connections ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                             : QVariant();
    case Qt::DisplayRole:
        switch (index.column()) {
        case TrueLabel: return m_matrix->label(p.row);
        case PredictedLabel: return m_matrix->label(p.column);
        case Connections: return QVariant::fromValue(static_cast<qulonglong>(p.count));
        case Share: return QString::number(p.share, 'f', 3);
        default: return {};
        }
    default: return {};
    }
}

QVariant ConfusedPairsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole || orientation != Qt::Horizontal)
        return {};
    switch (section) {
    case TrueLabel: return tr("True label");
    case PredictedLabel: return tr("Predicted as");
    case Connections: return tr("Connections");
    case Share: return tr("Share of true");
    default: return {};
    }
}

} // namespace snilab::ui
