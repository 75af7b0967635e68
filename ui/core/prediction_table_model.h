// PredictionTableModel: one row per classified connection of a prediction
// (engine PredictedConnection): capture, client, server, SNI, ECH, true label,
// predicted label, its probability, the top-K labels and whether the
// prediction is right (only for connections whose true label is one of the
// model's classes). Qt::DisplayRole is the text a table and its CSV export
// show; outcome(r) says right / wrong / unknown (no SNI, or a label the model
// does not know) and sortRows() orders rows by a column's values.
//
// PredictionSummary: the counts of the view's summary line (connections, with
// an SNI, with ECH, accuracy over the known-class rows, per-file errors).
// PredictionFilterModel: a sorting, filtering proxy over a
// PredictionTableModel that keeps every row, only the wrong ones, only the
// unknown ones, or both. A prediction may hold 10^6 rows: the proxy keeps one
// int per row in each direction, filters on the rows' outcomes and sorts
// by the engine's values (strings bytewise, ranked once; numbers as
// numbers), never through QVariants, so a click on a header at 10^6 rows is
// a sort of integers, not of formatted cell texts. Ties keep the engine's
// order; column -1 is the engine's order.
//
// Thread: GUI thread. Failure: none (an empty outcome is an empty table).
#pragma once

#include "latest_job.h"
#include "tasks/predictor.h"

#include <QAbstractProxyModel>
#include <QAbstractTableModel>
#include <QPointer>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <memory>
#include <vector>

namespace snilab::ui {

struct PredictionSummary {
    QString model;
    quint64 connections = 0;
    quint64 withSni = 0;
    quint64 withEch = 0;
    quint64 known = 0;      // rows whose true label is one of the model's classes
    quint64 correct = 0;    // of those, right
    double accuracy = 0;    // correct / known (0 when known == 0)
    QStringList fileErrors; // "name: reason", one per unreadable or partly read capture
    // The view's summary line.
    QString text() const;
};

PredictionSummary summarize(const snilab::PredictionOutcome& outcome);

class PredictionTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        Capture,
        Client,
        Server,
        Tls, // a TLS ClientHello was seen; "no": the prediction is a guess from sizes and times
        Sni,
        Ech,
        TrueLabel,
        Predicted,
        Probability,
        Top,
        Correct,
        ColumnCount
    };
    enum class Outcome : std::uint8_t { Right, Wrong, Unknown };

    explicit PredictionTableModel(QObject* parent = nullptr);

    void setOutcome(std::shared_ptr<const snilab::PredictionOutcome> outcome);
    void clear();
    const PredictionSummary& summary() const { return m_summary; }
    const snilab::PredictedConnection& row(int r) const;
    Outcome outcome(int r) const;
    int topK() const { return m_topK; }
    std::shared_ptr<const snilab::PredictionOutcome> sharedOutcome() const { return m_outcome; }
    // Every row of `outcome` in the order of `column`'s values; ties in the
    // engine's order (ascending row) either way. Any thread.
    static std::vector<int> sortedRows(const snilab::PredictionOutcome& outcome, int column,
                                       Qt::SortOrder order);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const snilab::PredictionOutcome> m_outcome;
    PredictionSummary m_summary;
    int m_topK = 3;
};

class PredictionFilterModel : public QAbstractProxyModel {
    Q_OBJECT
public:
    enum class Show { All, Wrong, Unknown, WrongOrUnknown };
    explicit PredictionFilterModel(QObject* parent = nullptr);
    // A PredictionTableModel (any other model shows no rows).
    void setSourceModel(QAbstractItemModel* source) override;
    void setShow(Show show);
    Show show() const { return m_show; }
    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }
    // A sort asked for is still running (the rows show the previous order).
    bool isSorting() const { return m_sorting; }

    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    QModelIndex mapToSource(const QModelIndex& proxyIndex) const override;
    QModelIndex mapFromSource(const QModelIndex& sourceIndex) const override;
    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    QModelIndex sibling(int row, int column, const QModelIndex& idx) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    bool hasChildren(const QModelIndex& parent = {}) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void sortingChanged(bool sorting);

private:
    void readOutcomes(); // m_outcomes from the source
    bool accepts(int sourceRow) const;
    void rebuild(); // m_rows from the source's rows, the filter and m_sorted
    void updateInverse();
    void startSort(); // m_sorted for m_sortColumn / m_sortOrder, on a pool thread
    void setSorting(bool sorting);
    // m_sorted := `sorted` (empty: the engine's order) and m_rows from it, as
    // a layout change that moves persistent indexes with their rows.
    void applyOrder(std::vector<int> sorted);

    QPointer<PredictionTableModel> m_source; // null once it is destroyed
    std::vector<int> m_rows;                 // proxy row -> source row
    std::vector<int> m_proxyRow;             // source row -> proxy row, -1 when filtered out
    std::vector<int> m_sorted;               // every source row, sorted; empty: engine order
    std::vector<PredictionTableModel::Outcome> m_outcomes; // per source row, for the filter
    LatestJob m_sortJob;                                   // the sort on a pool thread
    bool m_sorting = false;
    Show m_show = Show::All;
    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    std::vector<QMetaObject::Connection> m_connections;
};

} // namespace snilab::ui
