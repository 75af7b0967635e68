// PredictionTableModel: one row per classified connection of a prediction
// (engine PredictedConnection): capture, client, server, SNI, ECH, true label,
// predicted label, its probability, the top-K labels and whether the
// prediction is right (only for connections whose true label is one of the
// model's classes). Qt::DisplayRole is the text a table and its CSV export
// show; SortRole gives numbers for numeric columns; OutcomeRole says
// right / wrong / unknown (no SNI, or a label the model does not know).
//
// PredictionSummary: the counts of the view's summary line (connections, with
// an SNI, with ECH, accuracy over the known-class rows, per-file errors).
// PredictionFilterModel: a sorting proxy that keeps every row, only the
// wrong ones, only the unknown ones, or both.
//
// Thread: GUI thread. Failure: none (an empty outcome is an empty table).
#pragma once

#include "tasks/predictor.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <QString>
#include <QStringList>

#include <memory>

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
    enum class Outcome { Right, Wrong, Unknown };
    static constexpr int SortRole = Qt::UserRole + 1;
    static constexpr int OutcomeRole = Qt::UserRole + 2; // int(Outcome)

    explicit PredictionTableModel(QObject* parent = nullptr);

    void setOutcome(std::shared_ptr<const snilab::PredictionOutcome> outcome);
    void clear();
    const PredictionSummary& summary() const { return m_summary; }
    const snilab::PredictedConnection& row(int r) const;
    int topK() const { return m_topK; }

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

class PredictionFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    enum class Show { All, Wrong, Unknown, WrongOrUnknown };
    explicit PredictionFilterModel(QObject* parent = nullptr);
    void setShow(Show show);
    Show show() const { return m_show; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    Show m_show = Show::All;
};

} // namespace snilab::ui
