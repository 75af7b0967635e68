// ConfusedPairsModel: the most confused pairs of a confusion matrix
// (ConfusionMatrixModel), for the view beside the heatmap at hundreds of
// classes: every off-diagonal cell with connections, most connections first
// (ties: the larger share of the true label, then the labels), at most
// kMaxPairs rows. Columns: true label, predicted label, connections, share of
// the true label's connections. RowRole / ColumnRole: the cell's position in
// the matrix's current order (to show it in the heatmap). It follows the
// matrix (a new matrix or order resets it).
//
// Thread: GUI thread. Failure: none (no matrix: no rows).
#pragma once

#include <QAbstractTableModel>
#include <QPointer>

#include <vector>

namespace snilab::ui {

class ConfusionMatrixModel;

class ConfusedPairsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { TrueLabel, PredictedLabel, Connections, Share, ColumnCount };
    static constexpr int RowRole = Qt::UserRole + 1;
    static constexpr int ColumnRole = Qt::UserRole + 2;
    static constexpr int kMaxPairs = 500;

    explicit ConfusedPairsModel(QObject* parent = nullptr);
    void setMatrix(ConfusionMatrixModel* matrix);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    void rebuild();
    struct Pair {
        int row;
        int column;
        quint64 count;
        double share;
    };
    QPointer<ConfusionMatrixModel> m_matrix;
    std::vector<Pair> m_pairs;
};

} // namespace snilab::ui
