#include "run_data.h"

#include "catalog_models.h"

#include <QHash>
#include <QLocale>

#include <algorithm>
#include <cmath>
#include <limits>

namespace snilab::ui {

namespace {

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

} // namespace

const snilab::GridCell* RunData::cell(const QString& model, int threshold) const
{
    const std::string m = model.toStdString();
    for (const auto& c : grid)
        if (c.model == m && c.threshold == threshold)
            return &c;
    return nullptr;
}

bool RunData::metric(const QString& model, int threshold, const std::string& name, double* mean,
                     double* std) const
{
    const snilab::GridCell* c = cell(model, threshold);
    if (!c)
        return false;
    for (const auto& [n, v] : c->metrics)
        if (n == name) {
            *mean = v.first;
            if (std)
                *std = v.second;
            return true;
        }
    return false;
}

const std::vector<snilab::ClassResult>* RunData::classResults(const QString& model,
                                                              int threshold) const
{
    const auto it = classes.find({model.toStdString(), threshold});
    return it == classes.end() ? nullptr : &it->second;
}

QStringList RunData::labels(int threshold) const
{
    for (const QString& m : models)
        if (const auto* r = classResults(m, threshold); r && !r->empty()) {
            QStringList out;
            for (const auto& c : *r)
                out << qs(c.label);
            return out;
        }
    return {};
}

QString RunData::title() const
{
    const auto config = runConfig(info);
    // The transport only when the run chose one (all = every connection, as before QUIC).
    QString transport;
    if (config && config->data.transport == snilab::TransportFilter::Tcp)
        transport = QStringLiteral("; TCP only");
    else if (config && config->data.transport == snilab::TransportFilter::Quic)
        transport = QStringLiteral("; QUIC only");
    return QStringLiteral("Run %1 (%2; %3%4%5)")
        .arg(info.id)
        .arg(models.join(QStringLiteral(", ")), runSplitText(config),
             config && config->preset == "paper" ? QStringLiteral(", paper preset") : QString(),
             transport);
}

RunData loadRunData(snilab::Catalog& catalog, std::int64_t runId)
{
    RunData run;
    const auto info = catalog.runs().find(runId);
    if (!info)
        throw snilab::CatalogError("no run " + std::to_string(runId) + " in " +
                                   catalog.path().string());
    run.info = *info;
    run.grid = catalog.runs().runGrid(runId);
    for (const auto& c : run.grid) {
        const QString m = qs(c.model);
        if (!run.models.contains(m))
            run.models << m;
        if (!run.thresholds.contains(c.threshold))
            run.thresholds << c.threshold;
        auto classes = catalog.runs().runClasses(runId, c.model, c.threshold);
        std::sort(classes.begin(), classes.end(),
                  [](const auto& a, const auto& b) { return a.classIndex < b.classIndex; });
        const std::size_t k = classes.size();
        std::vector<quint64> matrix(k * k, 0);
        for (const auto& [i, j, n] : catalog.runs().runConfusion(runId, c.model, c.threshold))
            if (i < k && j < k)
                matrix[i * k + j] = n;
        run.confusion[{c.model, c.threshold}] = std::move(matrix);
        run.classes[{c.model, c.threshold}] = std::move(classes);
    }
    std::sort(run.thresholds.begin(), run.thresholds.end());
    return run;
}

const FigureSeries* FigureData::findSeries(const QString& name) const
{
    for (const auto& s : series)
        if (s.name == name)
            return &s;
    return nullptr;
}

namespace {

// Figure 3's labels: the labeled counts, most connections first (ties in
// their order), and how many of them the top `topN` shows.
std::vector<const snilab::LabelCount*> labeledByCount(const std::vector<snilab::LabelCount>& counts)
{
    std::vector<const snilab::LabelCount*> sorted;
    for (const auto& c : counts)
        if (!c.label.empty())
            sorted.push_back(&c);
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto* a, const auto* b) { return a->connections > b->connections; });
    return sorted;
}

std::size_t shownLabels(std::size_t labeled, int topN)
{
    return std::min<std::size_t>(labeled, static_cast<std::size_t>(std::max(0, topN)));
}

} // namespace

FigureData labelCountFigure(const std::vector<snilab::LabelCount>& counts, int topN, bool logScale)
{
    FigureData f;
    f.id = QStringLiteral("fig3_label_counts");
    f.kind = FigureData::Kind::Bar;
    f.xTitle = QStringLiteral("Label (SNI)");
    f.yTitle = QStringLiteral("Connections");
    const std::vector<const snilab::LabelCount*> sorted = labeledByCount(counts);
    const std::size_t n = shownLabels(sorted.size(), topN);
    f.title = QStringLiteral("Connections per label (top %1 of %2)").arg(n).arg(sorted.size());
    f.logScale = logScale;
    // The transport mix is drawn for the whole catalog's labels, not only the
    // top n: the figure keeps its form when n changes.
    f.stacked =
        std::any_of(sorted.begin(), sorted.end(), [](const auto* c) { return c->quic > 0; });
    FigureSeries all{QStringLiteral("connections"), {}, {}};
    FigureSeries tcp{QStringLiteral("TCP"), {}, {}};
    FigureSeries quic{QStringLiteral("QUIC"), {}, {}};
    double maxValue = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const snilab::LabelCount& c = *sorted[i];
        f.categories << qs(c.label);
        all.values << static_cast<double>(c.connections);
        tcp.values << static_cast<double>(c.connections - c.quic); // quic is of connections
        quic.values << static_cast<double>(c.quic);
        maxValue = std::max(maxValue, all.values.back());
    }
    f.yMax = maxValue > 0 ? maxValue * 1.05 : 1;
    if (n == 0)
        f.emptyReason = QStringLiteral("The catalog has no labeled connections yet.");
    else if (f.stacked)
        f.series << tcp << quic;
    else
        f.series << all;
    return f;
}

QString labelTailSummary(const std::vector<snilab::LabelCount>& counts, int topN)
{
    const std::vector<const snilab::LabelCount*> sorted = labeledByCount(counts);
    const std::size_t n = shownLabels(sorted.size(), topN);
    if (n == sorted.size())
        return {};
    quint64 all = 0, rest = 0;
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        all += sorted[i]->connections;
        if (i >= n)
            rest += sorted[i]->connections;
    }
    const QLocale english(QLocale::English);
    const QString share =
        QString::number(100.0 * double(rest) / double(std::max<quint64>(all, 1)), 'f', 1);
    if (sorted.size() - n == 1)
        return QStringLiteral("The other label (not shown) holds %1 connections, %2 % of the "
                              "labeled ones.")
            .arg(english.toString(qulonglong(rest)), share);
    return QStringLiteral("The other %1 labels (not shown) hold %2 connections, %3 % of the "
                          "labeled ones; the smallest has %4.")
        .arg(english.toString(qulonglong(sorted.size() - n)), english.toString(qulonglong(rest)),
             share, english.toString(qulonglong(sorted.back()->connections)));
}

FigureData accuracyVsThresholdFigure(const RunData& run, const std::string& metric)
{
    FigureData f;
    f.id = QStringLiteral("fig5_%1_vs_threshold").arg(qs(metric));
    f.title = QStringLiteral("%1 vs minimum connections per class").arg(qs(metric));
    f.title[0] = f.title[0].toUpper();
    f.xTitle = QStringLiteral("Threshold T (minimum connections per class)");
    f.yTitle = QStringLiteral("%1 (mean ± std over folds)").arg(qs(metric));
    f.kind = FigureData::Kind::Line;
    f.share = true;
    for (int t : run.thresholds)
        f.x << t;
    for (const QString& m : run.models) {
        FigureSeries s;
        s.name = m;
        bool any = false;
        for (int t : run.thresholds) {
            double mean = kNaN, std = 0;
            any |= run.metric(m, t, metric, &mean, &std);
            s.values << mean;
            s.errors << std;
        }
        if (any)
            f.series << s;
    }
    if (f.series.isEmpty())
        f.emptyReason = QStringLiteral("No threshold of this run had two or more classes.");
    return f;
}

namespace {

// The labels of `selection` in its order; `total` receives how many there are
// in all, `key` the model whose accuracy orders them.
QStringList selectLabels(const RunData& run, int threshold, const LabelSelection& selection,
                         qsizetype* total, QString* key)
{
    const QStringList all = run.labels(threshold);
    *total = all.size();
    struct Row {
        QString label;
        double accuracy;
        std::uint64_t support;
    };
    std::vector<Row> rows;
    const std::vector<snilab::ClassResult>* first = nullptr;
    for (const QString& m : run.models)
        if (const auto* r = run.classResults(m, threshold); r && !r->empty() && !first) {
            first = r;
            *key = m;
        }
    QHash<QString, const snilab::ClassResult*> byLabel;
    if (first)
        for (const auto& c : *first)
            byLabel.insert(qs(c.label), &c);
    for (const QString& label : all) {
        if (!selection.contains.isEmpty() &&
            !label.contains(selection.contains, Qt::CaseInsensitive))
            continue;
        const snilab::ClassResult* c = byLabel.value(label);
        rows.push_back({label, c ? c->accuracy : kNaN, c ? c->support : 0});
    }
    const auto byName = [](const Row& a, const Row& b) { return a.label < b.label; };
    switch (selection.order) {
    case LabelSelection::Order::Name: std::stable_sort(rows.begin(), rows.end(), byName); break;
    case LabelSelection::Order::WorstFirst:
    case LabelSelection::Order::BestFirst: {
        const bool worst = selection.order == LabelSelection::Order::WorstFirst;
        // NaN (no result) last either way; ties by name.
        std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
            if (std::isnan(a.accuracy) != std::isnan(b.accuracy))
                return std::isnan(b.accuracy);
            if (a.accuracy != b.accuracy)
                return worst ? a.accuracy < b.accuracy : a.accuracy > b.accuracy;
            return a.label < b.label;
        });
        break;
    }
    case LabelSelection::Order::Support:
        std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
            return a.support != b.support ? a.support > b.support : a.label < b.label;
        });
        break;
    }
    if (selection.count > 0 && rows.size() > static_cast<std::size_t>(selection.count))
        rows.resize(static_cast<std::size_t>(selection.count));
    QStringList out;
    for (const Row& r : rows)
        out << r.label;
    return out;
}

// " — 20 worst of 532 by rf", "" for every label in name order.
QString selectionTitle(const LabelSelection& selection, qsizetype shown, qsizetype total,
                       const QString& key)
{
    QStringList parts;
    if (!selection.contains.isEmpty())
        parts << QStringLiteral("containing '%1'").arg(selection.contains);
    const QString of = QStringLiteral("%1 of %2").arg(shown).arg(total);
    switch (selection.order) {
    case LabelSelection::Order::Name:
        if (shown < total)
            parts << of;
        break;
    case LabelSelection::Order::WorstFirst:
        parts << QStringLiteral("%1 worst of %2 by %3").arg(shown).arg(total).arg(key);
        break;
    case LabelSelection::Order::BestFirst:
        parts << QStringLiteral("%1 best of %2 by %3").arg(shown).arg(total).arg(key);
        break;
    case LabelSelection::Order::Support:
        parts << QStringLiteral("%1 with the most connections of %2").arg(shown).arg(total);
        break;
    }
    return parts.isEmpty() ? QString() : QStringLiteral(" — ") + parts.join(QStringLiteral(", "));
}

} // namespace

FigureData perLabelAccuracyFigure(const RunData& run, int threshold,
                                  const LabelSelection& selection)
{
    FigureData f;
    f.id = QStringLiteral("fig7_per_label_accuracy_T%1").arg(threshold);
    f.xTitle = QStringLiteral("Label (SNI)");
    f.yTitle = QStringLiteral("Accuracy (recall over all folds)");
    f.kind = FigureData::Kind::Bar;
    qsizetype total = 0;
    QString key;
    f.categories = selectLabels(run, threshold, selection, &total, &key);
    f.title = QStringLiteral("Accuracy per label, T = %1").arg(threshold) +
              selectionTitle(selection, f.categories.size(), total, key);
    for (const QString& m : run.models) {
        const auto* results = run.classResults(m, threshold);
        if (!results || results->empty())
            continue;
        QHash<QString, double> accuracy;
        for (const auto& c : *results)
            accuracy.insert(qs(c.label), c.accuracy);
        FigureSeries s;
        s.name = m;
        for (const QString& label : f.categories)
            s.values << accuracy.value(label, kNaN);
        f.series << s;
    }
    if (f.series.isEmpty())
        f.emptyReason = QStringLiteral("No per-class results at T = %1.").arg(threshold);
    else if (f.categories.isEmpty()) {
        f.series.clear(); // shown as empty, with the reason
        f.emptyReason = QStringLiteral("No label contains '%1'.").arg(selection.contains);
    }
    return f;
}

FigureData metricBarsFigure(const RunData& run, int threshold)
{
    FigureData f;
    f.id = QStringLiteral("fig11_metrics_T%1").arg(threshold);
    f.title = QStringLiteral("Accuracy, precision, recall and F1 per model, T = %1").arg(threshold);
    f.xTitle = QStringLiteral("Metric (macro average over classes, mean over folds)");
    f.yTitle = QStringLiteral("Value");
    f.kind = FigureData::Kind::Bar;
    const std::pair<const char*, const char*> metrics[] = {{"accuracy", "Accuracy"},
                                                           {"macro_precision", "Precision"},
                                                           {"macro_recall", "Recall"},
                                                           {"macro_f1", "F1"}};
    for (const auto& [key, name] : metrics)
        f.categories << QString::fromLatin1(name);
    for (const QString& m : run.models) {
        FigureSeries s;
        s.name = m;
        bool any = false;
        for (const auto& [key, name] : metrics) {
            double mean = kNaN, std = 0;
            any |= run.metric(m, threshold, key, &mean, &std);
            s.values << mean;
            s.errors << std;
        }
        if (any)
            f.series << s;
    }
    if (f.series.isEmpty())
        f.emptyReason =
            QStringLiteral("No metrics at T = %1 (fewer than two classes).").arg(threshold);
    return f;
}

FigureData directionFigure(const RunData& run, int threshold)
{
    FigureData f;
    f.id = QStringLiteral("fig12_direction_T%1").arg(threshold);
    f.title = QStringLiteral("With vs without the direction channel, T = %1").arg(threshold);
    f.xTitle = QStringLiteral("Model");
    f.yTitle = QStringLiteral("Accuracy (mean over folds)");
    f.kind = FigureData::Kind::Bar;
    FigureSeries without{QStringLiteral("without direction"), {}, {}};
    FigureSeries with{QStringLiteral("with direction"), {}, {}};
    for (const QString& m : run.models) {
        if (m.endsWith(QLatin1String("+dir")))
            continue;
        const QString dir = m + QStringLiteral("+dir");
        double a = 0, sa = 0, b = 0, sb = 0;
        if (!run.models.contains(dir) || !run.metric(m, threshold, "accuracy", &a, &sa) ||
            !run.metric(dir, threshold, "accuracy", &b, &sb))
            continue;
        f.categories << m;
        without.values << a;
        without.errors << sa;
        with.values << b;
        with.errors << sb;
    }
    if (f.categories.isEmpty())
        f.emptyReason = QStringLiteral("This run has no model that also ran with direction "
                                       "(\"model\" and \"model+dir\", e.g. cnngru-packet and "
                                       "cnngru-packet+dir).");
    else
        f.series << without << with;
    return f;
}

QList<FigureData> runFigures(const RunData& run)
{
    QList<FigureData> out;
    auto add = [&](FigureData f) {
        if (!f.isEmpty())
            out << std::move(f);
    };
    add(accuracyVsThresholdFigure(run));
    for (int t : run.thresholds) {
        add(perLabelAccuracyFigure(run, t));
        add(metricBarsFigure(run, t));
        add(directionFigure(run, t));
    }
    return out;
}

} // namespace snilab::ui
