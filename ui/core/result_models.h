// Table models over a RunData (ui/core/run_data.h), for the result views and
// their CSV/LaTeX exports.
//
// Table1Model: the paper's Table 1 grid: one row per threshold; columns T,
//   classes, connections, then per model the accuracy "mean ± std" over folds
//   (Qt::UserRole: the mean as a double). The engine builds it
//   (report::table1Table, also table1.tex).
// PerClassModel: per label at one threshold: support, then accuracy per model
//   (report::perLabelTable).
// ConfusionMatrixModel: one model x threshold, k x k (row = true class), with
//   row/column order by label, by support (descending), by per-class
//   accuracy (ascending: worst first) or grouping confused classes, and
//   optional row normalisation.
//   Qt::DisplayRole: count (or fraction when normalised); CountRole: count;
//   FractionRole: count / row total.
//
// Thread: GUI thread. Failure: none (empty input gives an empty table).
#pragma once

#include "report/result_table.h"
#include "run_data.h"

#include <QAbstractTableModel>

namespace snilab::ui {

// An engine ResultTable (report/result_table.h) as a Qt model:
// Qt::DisplayRole the cell's display text (missing: "–"), Qt::UserRole its
// number (the mean of a mean ± std; the text for text cells), headers the
// columns' display titles. Exports write table() with the engine's writers
// (ui/core/table_export.h), so a file holds the same columns and numbers as
// the CLI's report.
class ResultTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    explicit ResultTableModel(QObject* parent = nullptr);
    void setTable(snilab::report::ResultTable table);
    const snilab::report::ResultTable& table() const { return m_table; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    snilab::report::ResultTable m_table;
};

// Table 1: report::table1Table() of the run's grid.
class Table1Model : public ResultTableModel {
    Q_OBJECT
public:
    explicit Table1Model(QObject* parent = nullptr) : ResultTableModel(parent) {}
    void setRun(const RunData& run);
};

// Per label at one threshold: report::perLabelTable() of the run's models.
class PerClassModel : public ResultTableModel {
    Q_OBJECT
public:
    explicit PerClassModel(QObject* parent = nullptr) : ResultTableModel(parent) {}
    void setRun(const RunData& run, int threshold);
};

class ConfusionMatrixModel : public QAbstractTableModel {
    Q_OBJECT
public:
    // Grouped: classes confused with each other next to each other (a
    // greedy chain: from the class most often mistaken, each next one the
    // class it is most confused with, either way, of those not placed yet),
    // so confusion shows as blocks along the diagonal.
    enum class Order { Label, Support, Accuracy, Grouped };
    static constexpr int CountRole = Qt::UserRole + 1;
    static constexpr int FractionRole = Qt::UserRole + 2;

    explicit ConfusionMatrixModel(QObject* parent = nullptr);
    void setMatrix(const QStringList& labels, const std::vector<quint64>& counts);
    void setRun(const RunData& run, const QString& model, int threshold);
    void setOrder(Order order);
    Order order() const { return m_order; }
    void setNormalized(bool normalized);
    bool isNormalized() const { return m_normalized; }

    int classCount() const { return static_cast<int>(m_labels.size()); }
    // Count and row fraction of the cell at view position (row, column).
    quint64 count(int row, int column) const;
    double fraction(int row, int column) const;
    QString label(int position) const;
    quint64 total() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    void reorder();
    std::vector<int> groupedOrder() const;
    QStringList m_labels;
    std::vector<quint64> m_counts; // k x k in class-index order
    std::vector<quint64> m_rowTotals;
    std::vector<int> m_positions; // view position -> class index
    Order m_order = Order::Label;
    bool m_normalized = false;
};

} // namespace snilab::ui
