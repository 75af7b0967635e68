// TrainingCurves: collects the per-epoch reports of a running evaluation
// (snilab::EpochReport via EvaluationJob::epochReported) and gives the live
// loss and accuracy curves of the network being trained as FigureData.
//
// Per (model, threshold, fold) by key; foldFigures() give the views' curves:
// every fold so far of the (model, threshold) that reported last, each
// fold's validation curve and the train curve of the fold being trained.
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
    // The current (model, threshold): "train, fold N" of the fold that
    // reported last, then "validation, fold k" of every fold k seen (x: the
    // epochs of any of them; an epoch a fold did not reach is NaN).
    FigureData foldsFigure(bool loss) const;

public Q_SLOTS:
    void addEpoch(const snilab::EpochReport& report);

Q_SIGNALS:
    void changed();

private:
    QStringList m_order;
    std::map<QString, std::vector<snilab::EpochReport>> m_epochs;
    QString m_current;
    // The (model, threshold) part of a key and the fold of each key.
    std::map<QString, std::pair<QString, int>> m_keyParts;
};

} // namespace snilab::ui
