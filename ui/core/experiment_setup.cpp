#include "experiment_setup.h"

#include "models/sequence_network.h"

#include <QSettings>

#include <algorithm>

namespace snilab::ui {

QList<int> ExperimentSetup::parseThresholds(const QString& text, QString* error)
{
    // The engine's one threshold parser (dataset/thresholds.h), as the CLI's.
    std::string why;
    const auto list = snilab::parseThresholdList(text.toStdString(), &why);
    if (!list) {
        if (error)
            *error = QStringLiteral("thresholds: %1").arg(QString::fromStdString(why));
        return {};
    }
    if (error)
        error->clear();
    return QList<int>(list->begin(), list->end());
}

ExperimentSetup ExperimentSetup::paper()
{
    ExperimentSetup s;
    s.thresholds = QStringLiteral("100-1000/100");
    s.folds = 10;
    s.split = QStringLiteral("stratified");
    s.paperPreset = true;
    s.moreThan = true;
    s.labelMode = QStringLiteral("paper");
    s.trees = 250;
    s.maxDepth = 25;
    return s;
}

bool ExperimentSetup::toConfig(snilab::EvaluationConfig* config, QString* error) const
{
    auto fail = [&](const QString& message) {
        if (error)
            *error = message;
        return false;
    };
    snilab::EvaluationConfig c;
    QString thresholdError;
    const QList<int> ts = parseThresholds(thresholds, &thresholdError);
    if (ts.isEmpty())
        return fail(thresholdError);
    c.thresholds.assign(ts.begin(), ts.end());
    c.models.clear();
    for (const QString& m : models)
        if (!m.trimmed().isEmpty())
            c.models.push_back(m.trimmed().toStdString());
    for (const QString& e : ensembles) {
        QString expr = e;
        expr.remove(QLatin1Char(' '));
        if (!expr.isEmpty())
            c.models.push_back(expr.toStdString());
    }
    if (c.models.empty())
        return fail(QStringLiteral("choose at least one model or ensemble"));
    const auto kind = snilab::parseSplitKind(split.toStdString());
    if (!kind)
        return fail(
            QStringLiteral("split must be stratified, capture or time, not '%1'").arg(split));
    c.split = *kind;
    c.folds = folds;
    c.timeTrainFraction = trainFraction;
    c.seed = seed;
    c.trees = trees;
    c.maxDepth = maxDepth;
    c.threads = threads;
    c.rule = moreThan ? snilab::ThresholdRule::MoreThan : snilab::ThresholdRule::AtLeast;
    if (labelMode == QLatin1String("paper"))
        c.data.labelMode = snilab::LabelMode::Paper;
    else if (labelMode == QLatin1String("default"))
        c.data.labelMode = snilab::LabelMode::Default;
    else
        return fail(QStringLiteral("label mode must be default or paper"));
    const auto transportFilter = snilab::parseTransportFilter(transport.toStdString());
    if (!transportFilter)
        return fail(QStringLiteral("transport must be all, tcp or quic, not '%1'").arg(transport));
    c.data.transport = *transportFilter;
    if (paperPreset)
        c.applyPaperPreset();
    c.epochs = epochs;
    c.patience = patience;
    c.batchSize = batchSize;
    c.device = device.toStdString();
    // Every range and name rule is the engine's (EvaluationConfig::validate(),
    // the CLI's too): the dialog shows its one-line reason before any run exists.
    if (const std::string why = c.validate(); !why.empty())
        return fail(QString::fromStdString(why));
    if (device == QLatin1String("cuda") && !deviceAvailability().cuda)
        return fail(QStringLiteral("CUDA is not available: %1").arg(deviceAvailability().reason));
    *config = c;
    return true;
}

void ExperimentSetup::save(QSettings& settings) const
{
    settings.beginGroup(QStringLiteral("experiment"));
    settings.setValue(QStringLiteral("thresholds"), thresholds);
    settings.setValue(QStringLiteral("moreThan"), moreThan);
    settings.setValue(QStringLiteral("models"), models);
    settings.setValue(QStringLiteral("ensembles"), ensembles);
    settings.setValue(QStringLiteral("split"), split);
    settings.setValue(QStringLiteral("folds"), folds);
    settings.setValue(QStringLiteral("trainFraction"), trainFraction);
    settings.setValue(QStringLiteral("seed"), seed);
    settings.setValue(QStringLiteral("labelMode"), labelMode);
    settings.setValue(QStringLiteral("transport"), transport);
    settings.setValue(QStringLiteral("trees"), trees);
    settings.setValue(QStringLiteral("maxDepth"), maxDepth);
    settings.setValue(QStringLiteral("threads"), threads);
    settings.setValue(QStringLiteral("paperPreset"), paperPreset);
    settings.setValue(QStringLiteral("epochs"), epochs);
    settings.setValue(QStringLiteral("patience"), patience);
    settings.setValue(QStringLiteral("batchSize"), batchSize);
    settings.setValue(QStringLiteral("device"), device);
    settings.endGroup();
}

ExperimentSetup ExperimentSetup::load(QSettings& settings)
{
    ExperimentSetup s;
    settings.beginGroup(QStringLiteral("experiment"));
    s.thresholds = settings.value(QStringLiteral("thresholds"), s.thresholds).toString();
    s.moreThan = settings.value(QStringLiteral("moreThan"), s.moreThan).toBool();
    s.models = settings.value(QStringLiteral("models"), s.models).toStringList();
    s.ensembles = settings.value(QStringLiteral("ensembles"), s.ensembles).toStringList();
    s.split = settings.value(QStringLiteral("split"), s.split).toString();
    s.folds = settings.value(QStringLiteral("folds"), s.folds).toInt();
    s.trainFraction = settings.value(QStringLiteral("trainFraction"), s.trainFraction).toDouble();
    s.seed = settings.value(QStringLiteral("seed"), s.seed).toULongLong();
    s.labelMode = settings.value(QStringLiteral("labelMode"), s.labelMode).toString();
    s.transport = settings.value(QStringLiteral("transport"), s.transport).toString();
    s.trees = settings.value(QStringLiteral("trees"), s.trees).toInt();
    s.maxDepth = settings.value(QStringLiteral("maxDepth"), s.maxDepth).toInt();
    s.threads = settings.value(QStringLiteral("threads"), s.threads).toInt();
    s.paperPreset = settings.value(QStringLiteral("paperPreset"), s.paperPreset).toBool();
    s.epochs = settings.value(QStringLiteral("epochs"), s.epochs).toInt();
    s.patience = settings.value(QStringLiteral("patience"), s.patience).toInt();
    s.batchSize = settings.value(QStringLiteral("batchSize"), s.batchSize).toInt();
    s.device = settings.value(QStringLiteral("device"), s.device).toString();
    settings.endGroup();
    return s;
}

DeviceAvailability deviceAvailability()
{
    DeviceAvailability a;
    a.cuda = snilab::cudaAvailable();
    if (!a.cuda)
        a.reason = QString::fromStdString(snilab::cudaUnavailableReason());
    return a;
}

} // namespace snilab::ui
