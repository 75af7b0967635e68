// TrainingCurves: collects the per-epoch reports of a running evaluation
// (snilab::EpochReport via EvaluationJob::epochReported) and gives the live
// loss and accuracy curves of the network being trained as FigureData.
//
// The curves shown are those of the latest (model, threshold, fold) that
// reported; earlier ones stay available by key.
//
// Thread: GUI thread. Failure: none.
#pragma once

#include "common/feedback.h"
#include "run_data.h"

#include <QObject>
#include <QStringList>

#include <map>
#include <tuple>
#include <vector>

namespace snilab::ui {

class TrainingCurves : public QObject {
    Q_OBJECT
public:
    explicit TrainingCurves(QObject* parent = nullptr);

    void clear();
    // "model, T=100, fold 1" of every (model, threshold, fold) seen, in order.
    QStringList keys() const;
    QString currentKey() const { return m_current; }
    int epochCount(const QString& key) const;

    // Train and validation loss per epoch of `key` ("" = current).
    FigureData lossFigure(const QString& key = {}) const;
    // Train and validation accuracy per epoch of `key` ("" = current).
    FigureData accuracyFigure(const QString& key = {}) const;

public Q_SLOTS:
    void addEpoch(const snilab::EpochReport& report);

Q_SIGNALS:
    void changed();

private:
    QStringList m_order;
    std::map<QString, std::vector<snilab::EpochReport>> m_epochs;
    QString m_current;
};

} // namespace snilab::ui
