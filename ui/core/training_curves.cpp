#include "training_curves.h"

#include <algorithm>

namespace snilab::ui {

TrainingCurves::TrainingCurves(QObject* parent) : QObject(parent) {}

void TrainingCurves::clear()
{
    m_order.clear();
    m_epochs.clear();
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
    if (!m_epochs.count(key))
        m_order << key;
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

FigureData curveFigure(const std::vector<snilab::EpochReport>* epochs, const QString& key,
                       bool loss)
{
    FigureData f;
    f.kind = FigureData::Kind::Line;
    f.id = loss ? QStringLiteral("training_loss") : QStringLiteral("training_accuracy");
    f.title = (loss ? QStringLiteral("Loss") : QStringLiteral("Accuracy")) +
              (key.isEmpty() ? QString() : QStringLiteral(" — ") + key);
    f.xTitle = QStringLiteral("Epoch");
    f.yTitle = loss ? QStringLiteral("Cross-entropy per sample") : QStringLiteral("Accuracy");
    if (!epochs || epochs->empty()) {
        f.emptyReason = QStringLiteral("No network has reported an epoch yet (the random forest "
                                       "trains without epochs).");
        return f;
    }
    FigureSeries train{
        loss ? QStringLiteral("train loss") : QStringLiteral("train accuracy"), {}, {}};
    FigureSeries val{
        loss ? QStringLiteral("validation loss") : QStringLiteral("validation accuracy"), {}, {}};
    double maxValue = 0;
    for (const auto& e : *epochs) {
        f.x << e.epoch;
        train.values << (loss ? e.trainLoss : e.trainAccuracy);
        val.values << (loss ? e.validationLoss : e.validationAccuracy);
        maxValue = std::max({maxValue, train.values.back(), val.values.back()});
    }
    f.yMin = 0;
    f.yMax = loss ? (maxValue > 0 ? maxValue * 1.1 : 1) : 1;
    f.share = !loss;
    f.series << train << val;
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

} // namespace snilab::ui
