#include "training_curves.h"

#include "common/results.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace snilab::ui {

TrainingCurves::TrainingCurves(QObject* parent) : QObject(parent) {}

void TrainingCurves::clear()
{
    m_order.clear();
    m_epochs.clear();
    m_keyParts.clear();
    m_current.clear();
    Q_EMIT changed();
}

QStringList TrainingCurves::keys() const
{
    return m_order;
}

int TrainingCurves::epochCount(const QString& key) const
{
    const auto it = m_epochs.find(key.isEmpty() ? m_current : key);
    return it == m_epochs.end() ? 0 : static_cast<int>(it->second.size());
}

void TrainingCurves::addEpoch(const snilab::EpochReport& report)
{
    const QString key = QStringLiteral("%1, T=%2, fold %3")
                            .arg(QString::fromStdString(report.model))
                            .arg(report.threshold)
                            .arg(report.fold + 1);
    if (!m_epochs.count(key)) {
        m_order << key;
        m_keyParts[key] = {QStringLiteral("%1, T=%2")
                               .arg(QString::fromStdString(report.model))
                               .arg(report.threshold),
                           report.fold + 1};
    }
    auto& epochs = m_epochs[key];
    // A repeated epoch number replaces the earlier report (never duplicates a point).
    const auto same = std::find_if(epochs.begin(), epochs.end(),
                                   [&](const auto& e) { return e.epoch == report.epoch; });
    if (same != epochs.end())
        *same = report;
    else
        epochs.push_back(report);
    std::sort(epochs.begin(), epochs.end(),
              [](const auto& a, const auto& b) { return a.epoch < b.epoch; });
    m_current = key;
    Q_EMIT changed();
}

namespace {

const QString kNoEpochs = QStringLiteral(
    "No network has reported an epoch yet (the random forest trains without epochs).");

double lossOrAccuracy(const snilab::EpochReport& e, bool loss, bool train)
{
    if (loss)
        return train ? e.trainLoss : e.validationLoss;
    return train ? e.trainAccuracy : e.validationAccuracy;
}

// "Cross-entropy loss — cnngru, T=100, fold 2" ("" key: the quantity alone).
QString curveTitle(bool loss, const QString& key)
{
    return (loss ? QStringLiteral("Cross-entropy loss") : QStringLiteral("Accuracy")) +
           (key.isEmpty() ? QString() : QStringLiteral(" — ") + key);
}

// The value axis: accuracy 0-1 (a share), loss from 0 to a tenth above the
// highest value (with its error band) shown.
void fitCurveRange(FigureData& f, bool loss)
{
    double maxValue = 0;
    for (const FigureSeries& s : f.series)
        for (qsizetype i = 0; i < s.values.size(); ++i)
            if (!std::isnan(s.values[i]))
                maxValue =
                    std::max(maxValue, s.values[i] + (i < s.errors.size() ? s.errors[i] : 0));
    f.yMin = 0;
    f.yMax = loss ? (maxValue > 0 ? maxValue * 1.1 : 1) : 1;
    f.share = !loss;
}

FigureData curveFigure(const std::vector<snilab::EpochReport>* epochs, const QString& key,
                       bool loss)
{
    FigureData f;
    f.kind = FigureData::Kind::Line;
    f.id = loss ? QStringLiteral("training_loss") : QStringLiteral("training_accuracy");
    f.title = curveTitle(loss, key);
    f.xTitle = QStringLiteral("Epoch");
    f.yTitle = loss ? QStringLiteral("Loss") : QStringLiteral("Accuracy");
    if (!epochs || epochs->empty()) {
        f.emptyReason = kNoEpochs;
        return f;
    }
    FigureSeries train{
        loss ? QStringLiteral("train loss") : QStringLiteral("train accuracy"), {}, {}};
    FigureSeries val{
        loss ? QStringLiteral("validation loss") : QStringLiteral("validation accuracy"), {}, {}};
    for (const auto& e : *epochs) {
        f.x << e.epoch;
        train.values << lossOrAccuracy(e, loss, true);
        val.values << lossOrAccuracy(e, loss, false);
    }
    f.series << train << val;
    fitCurveRange(f, loss);
    return f;
}

} // namespace

FigureData TrainingCurves::lossFigure(const QString& key) const
{
    const QString k = key.isEmpty() ? m_current : key;
    const auto it = m_epochs.find(k);
    return curveFigure(it == m_epochs.end() ? nullptr : &it->second, k, true);
}

FigureData TrainingCurves::accuracyFigure(const QString& key) const
{
    const QString k = key.isEmpty() ? m_current : key;
    const auto it = m_epochs.find(k);
    return curveFigure(it == m_epochs.end() ? nullptr : &it->second, k, false);
}

FigureData TrainingCurves::foldsFigure(bool loss) const
{
    FigureData f = curveFigure(nullptr, QString(), loss);
    const auto current = m_keyParts.find(m_current);
    if (current == m_keyParts.end())
        return f;
    const QString& group = current->second.first;
    // The folds of this (model, threshold), in the order they reported.
    QStringList folds;
    for (const QString& key : m_order)
        if (m_keyParts.at(key).first == group)
            folds << key;
    QList<double> x;
    for (const QString& key : folds)
        for (const auto& e : m_epochs.at(key))
            if (!x.contains(e.epoch))
                x << e.epoch;
    std::sort(x.begin(), x.end());
    f.emptyReason.clear();
    f.x = x;
    f.title =
        curveTitle(loss, group + (folds.size() > 1 ? QStringLiteral(", %1 folds").arg(folds.size())
                                                   : QString()));
    // One fold's values at each x (NaN where it has no such epoch).
    const auto values = [&](const QString& key, bool train) {
        QList<double> out;
        for (double epoch : x) {
            double v = std::numeric_limits<double>::quiet_NaN();
            for (const auto& e : m_epochs.at(key))
                if (e.epoch == epoch)
                    v = lossOrAccuracy(e, loss, train);
            out << v;
        }
        return out;
    };
    const int fold = current->second.second;
    f.series << FigureSeries{QStringLiteral("train, fold %1").arg(fold),
                             values(m_current, true),
                             {}}
             << FigureSeries{
                    QStringLiteral("validation, fold %1").arg(fold), values(m_current, false), {}};
    QStringList others = folds;
    others.removeAll(m_current);
    if (others.size() == 1) {
        f.series << FigureSeries{
            QStringLiteral("validation, fold %1").arg(m_keyParts.at(others.front()).second),
            values(others.front(), false),
            {}};
    } else if (others.size() > 1) {
        // The other folds' validation curves as their mean ± std (over the
        // folds that reached each epoch): three legend entries for 10 folds.
        FigureSeries mean{
            QStringLiteral("validation, %1 other folds (mean ± std)").arg(others.size()), {}, {}};
        std::vector<QList<double>> each;
        for (const QString& key : others)
            each.push_back(values(key, false));
        for (qsizetype i = 0; i < x.size(); ++i) {
            std::vector<double> reached;
            for (const QList<double>& v : each)
                if (!std::isnan(v[i]))
                    reached.push_back(v[i]);
            // The engine's mean and population std over folds (as the runs').
            const snilab::Aggregate a = snilab::aggregate(reached);
            mean.values << (reached.empty() ? std::numeric_limits<double>::quiet_NaN() : a.mean);
            mean.errors << a.std;
        }
        f.series << mean;
    }
    fitCurveRange(f, loss);
    return f;
}

} // namespace snilab::ui
