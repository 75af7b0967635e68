#include "report/run_report.h"

#include "report/atomic_file.h"
#include "report/file_names.h"
#include "report/label_list.h"
#include "report/latex.h"
#include "report/number_text.h"
#include "report/output_guard.h"
#include "report/result_table.h"
#include "report/table_writer.h"
#include "report/text_escape.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string_view>
#include <unordered_map>

namespace snilab::report {

GridAxes axesOf(const std::vector<GridCell>& grid)
{
    GridAxes axes;
    for (const auto& c : grid) {
        if (std::find(axes.models.begin(), axes.models.end(), c.model) == axes.models.end())
            axes.models.push_back(c.model);
        if (std::find(axes.thresholds.begin(), axes.thresholds.end(), c.threshold) ==
            axes.thresholds.end())
            axes.thresholds.push_back(c.threshold);
    }
    return axes;
}

const std::pair<double, double>* findMetric(const GridCell& c, const std::string& name)
{
    for (const auto& [n, v] : c.metrics)
        if (n == name)
            return &v;
    return nullptr;
}

namespace {

std::filesystem::path confusionFile(const std::filesystem::path& out, const GridCell& c)
{
    return out / "confusion" /
           (fileSafeName(c.model) + "_T" + std::to_string(c.threshold) + ".csv");
}

using LabelsOf = std::map<std::pair<std::string, int>, std::vector<std::string>>;

void writeRunTxt(const RunInfo& run, const std::filesystem::path& out)
{
    const auto path = out / "run.txt";
    AtomicFile f(path);
    std::fprintf(f.stream(),
                 "run=%lld\nstatus=%s\ncreated_at=%s\nfinished_at=%s\n"
                 "data_fingerprint=%s\nerror=%s\n%s",
                 static_cast<long long>(run.id), std::string(runStatusName(run.status)).c_str(),
                 run.createdAt.c_str(), run.finishedAt.c_str(), run.dataFingerprint.c_str(),
                 escapeText(run.error).c_str(), run.config.c_str());
    f.commit();
}

void writeTable(const ResultTable& table, const std::filesystem::path& path)
{
    writeFileAtomically(path, tableCsv(table));
}

// Also returns the class labels of every model x threshold, for the files after it.
LabelsOf writePerClass(Catalog& catalog, const RunInfo& run, const std::vector<GridCell>& grid,
                       const std::filesystem::path& out)
{
    LabelsOf labelsOf;
    std::vector<ClassRows> rows;
    for (const auto& c : grid) {
        auto& labels = labelsOf[{c.model, c.threshold}];
        rows.push_back(
            {c.model, c.threshold, catalog.runs().runClasses(run.id, c.model, c.threshold)});
        for (const ClassResult& r : rows.back().classes)
            labels.push_back(r.label);
    }
    writeTable(perClassTable(rows), out / "per_class.csv");
    return labelsOf;
}

void writeConfusions(Catalog& catalog, const RunInfo& run, const std::vector<GridCell>& grid,
                     LabelsOf& labelsOf, const std::filesystem::path& out)
{
    for (const auto& c : grid) {
        const auto& labels = labelsOf[{c.model, c.threshold}];
        if (labels.empty())
            continue;
        writeTable(
            confusionTable(labels, catalog.runs().runConfusion(run.id, c.model, c.threshold)),
            confusionFile(out, c));
    }
}

// Streamed row by row through TableWriter (the same CSV rule as tableCsv):
// a run's predictions grow with connections x models x thresholds and are
// never held as one table.
void writePredictions(Catalog& catalog, const RunInfo& run, LabelsOf& labelsOf,
                      const std::filesystem::path& out)
{
    std::map<std::int64_t, std::string> captureOf;
    catalog.connections().forEachConnection(
        [&](const ConnectionRow& r) { captureOf[r.id] = r.capturePath; });
    const auto path = out / "predictions.csv";
    AtomicFile f(path);
    {
        TableWriter t(f.stream(), TableWriter::Style::Csv);
        t.row({"model", "threshold", "fold", "connection_id", "capture", "true_label",
               "predicted_label", "correct", "confidence", "top"});
        char conf[32];
        catalog.runs().forEachRunPrediction(
            run.id, [&](const std::string& model, int threshold, const PredictionRow& p) {
                const auto& labels = labelsOf[{model, threshold}];
                const auto label = [&](int i) {
                    return i >= 0 && static_cast<std::size_t>(i) < labels.size()
                               ? labels[static_cast<std::size_t>(i)]
                               : std::to_string(i);
                };
                std::snprintf(conf, sizeof conf, "%.6f", p.confidence);
                std::string top = p.legacyTopText;
                if (p.topCount > 0) {
                    std::vector<std::pair<std::string, double>> entries;
                    for (std::size_t i = 0; i < p.topCount; ++i)
                        entries.emplace_back(label(p.top[i].classIndex), p.top[i].probability());
                    top = labelProbabilityList(entries);
                }
                t.row({model, std::to_string(threshold), std::to_string(p.fold),
                       std::to_string(p.connectionId), captureOf[p.connectionId],
                       label(p.trueIndex), label(p.predictedIndex),
                       p.trueIndex == p.predictedIndex ? "1" : "0", conf, top});
            });
    }
    f.commit();
}

void writeTable1(const RunInfo& run, const std::vector<GridCell>& grid,
                 const std::filesystem::path& out)
{
    writeFileAtomically(
        out / "table1.tex",
        tableLatex(table1Table(grid), "snilab run " + std::to_string(run.id) +
                                          ": accuracy (mean $\\pm$ std over folds)"));
}

void writeEpochs(Catalog& catalog, const RunInfo& run, const std::filesystem::path& out)
{
    writeTable(epochsTable(catalog.runs().runEpochs(run.id)), out / "epochs.csv");
}

} // namespace

ResultTable summaryTable(const std::vector<GridCell>& grid)
{
    std::vector<std::string> metricNames;
    for (const auto& c : grid)
        for (const auto& [name, v] : c.metrics)
            if (std::find(metricNames.begin(), metricNames.end(), name) == metricNames.end())
                metricNames.push_back(name);
    std::vector<Column> columns = {{"model", "Model", 'l'},
                                   {"threshold", "T"},
                                   {"classes", "Classes"},
                                   {"samples", "Connections"},
                                   {"folds", "Folds"}};
    for (const auto& m : metricNames) {
        columns.push_back({m + "_mean"});
        columns.push_back({m + "_std"});
    }
    ResultTable table(std::move(columns));
    for (const auto& c : grid) {
        std::vector<Cell> row = cells(c.model, std::int64_t{c.threshold}, std::int64_t{c.classes},
                                      static_cast<std::int64_t>(c.samples), std::int64_t{c.folds});
        for (const auto& m : metricNames) {
            const auto* v = findMetric(c, m);
            row.push_back(v ? Cell(v->first) : Cell());
            row.push_back(v ? Cell(v->second) : Cell());
        }
        table.addRow(std::move(row));
    }
    return table;
}

ResultTable perClassTable(const std::vector<ClassRows>& rows)
{
    ResultTable table({{"model", "Model", 'l'},
                       {"threshold", "T"},
                       {"class", "Class"},
                       {"label", "Label", 'l'},
                       {"support", "Support"},
                       {"accuracy", "Accuracy"},
                       {"precision", "Precision"},
                       {"f1", "F1"}});
    for (const ClassRows& group : rows)
        for (const ClassResult& r : group.classes)
            table.addRow(cells(
                group.model, std::int64_t{group.threshold}, std::int64_t{r.classIndex}, r.label,
                static_cast<std::int64_t>(r.support), r.accuracy, r.precision, r.f1));
    return table;
}

ResultTable perLabelTable(const std::vector<ClassRows>& models)
{
    std::vector<Column> columns = {{"label", "Label", 'l'}, {"support", "Support"}};
    for (const ClassRows& m : models)
        columns.push_back({m.model, m.model + " accuracy", 'r', 3});
    ResultTable table(std::move(columns));
    // The labels of the first model with results, in its class order.
    const ClassRows* first = nullptr;
    for (const ClassRows& m : models)
        if (!m.classes.empty()) {
            first = &m;
            break;
        }
    if (!first)
        return table;
    // Each model's accuracy by label, looked up once per cell (hundreds of
    // classes at the paper's scale).
    std::vector<std::unordered_map<std::string_view, double>> accuracyOf(models.size());
    for (std::size_t i = 0; i < models.size(); ++i)
        for (const ClassResult& r : models[i].classes)
            accuracyOf[i][r.label] = r.accuracy;
    for (const ClassResult& r : first->classes) {
        std::vector<Cell> row = cells(r.label, static_cast<std::int64_t>(r.support));
        for (const auto& byLabel : accuracyOf) {
            const auto it = byLabel.find(r.label);
            row.push_back(it == byLabel.end() ? Cell() : Cell(it->second));
        }
        table.addRow(std::move(row));
    }
    return table;
}

ResultTable confusionTable(const std::vector<std::string>& labels,
                           const std::vector<std::array<std::uint64_t, 3>>& counts)
{
    const std::size_t k = labels.size();
    std::vector<Column> columns = {{"true/predicted", "True / predicted", 'l'}};
    for (const std::string& label : labels)
        columns.push_back({label});
    ResultTable table(std::move(columns));
    std::vector<std::uint64_t> m(k * k, 0);
    for (const auto& [i, j, n] : counts)
        if (i < k && j < k)
            m[i * k + j] = n;
    for (std::size_t i = 0; i < k; ++i) {
        std::vector<Cell> row = cells(labels[i]);
        for (std::size_t j = 0; j < k; ++j)
            row.emplace_back(static_cast<std::int64_t>(m[i * k + j]));
        table.addRow(std::move(row));
    }
    return table;
}

ResultTable table1Table(const std::vector<GridCell>& grid)
{
    const auto [models, thresholds] = axesOf(grid);
    std::vector<Column> columns = {
        {"T", "T"}, {"classes", "Classes"}, {"connections", "Connections"}};
    for (const auto& m : models)
        columns.push_back({m, m, 'c'});
    ResultTable table(std::move(columns));
    for (const int t : thresholds) {
        std::vector<Cell> row = cells(std::int64_t{t}, Cell(), Cell());
        for (const auto& m : models) {
            Cell accuracy;
            for (const auto& c : grid)
                if (c.model == m && c.threshold == t) {
                    row[1] = std::int64_t{c.classes};
                    row[2] = static_cast<std::int64_t>(c.samples);
                    if (const auto* acc = findMetric(c, "accuracy"))
                        accuracy = MeanStd{acc->first, acc->second, c.folds};
                }
            row.push_back(std::move(accuracy));
        }
        table.addRow(std::move(row));
    }
    return table;
}

ResultTable epochsTable(const std::vector<EpochReport>& epochs)
{
    ResultTable table({{"model", "Model", 'l'},
                       {"threshold", "T"},
                       {"fold", "Fold"},
                       {"epoch", "Epoch"},
                       {"max_epochs", "Max epochs"},
                       {"train_loss", "Train loss"},
                       {"train_accuracy", "Train accuracy"},
                       {"validation_loss", "Validation loss"},
                       {"validation_accuracy", "Validation accuracy"},
                       {"seconds", "Seconds", 'r', 3},
                       {"improved", "Improved"}});
    for (const EpochReport& e : epochs)
        table.addRow(cells(e.model, std::int64_t{e.threshold}, std::int64_t{e.fold},
                           std::int64_t{e.epoch}, std::int64_t{e.maxEpochs}, e.trainLoss,
                           e.trainAccuracy, e.validationLoss, e.validationAccuracy, e.seconds,
                           std::int64_t{e.improved ? 1 : 0}));
    return table;
}

std::vector<std::filesystem::path> runReportFiles(const std::vector<GridCell>& grid,
                                                  const std::filesystem::path& out)
{
    std::vector<std::filesystem::path> files;
    for (const char* name :
         {"run.txt", "summary.csv", "per_class.csv", "predictions.csv", "table1.tex", "epochs.csv"})
        files.push_back(out / name);
    for (const auto& c : grid)
        files.push_back(confusionFile(out, c));
    return files;
}

void writeRunReport(Catalog& catalog, const RunInfo& run, const std::filesystem::path& out)
{
    const auto grid = catalog.runs().runGrid(run.id);
    const auto inputs = catalogInputs(catalog.path());
    for (const auto& f : runReportFiles(grid, out))
        refuseOverwrite(f, inputs, "--out");
    std::error_code ec;
    std::filesystem::create_directories(out / "confusion", ec);
    if (ec)
        throw OutputError("cannot create " + escapeText((out / "confusion").string()) + ": " +
                          ec.message());

    writeRunTxt(run, out);
    writeTable(summaryTable(grid), out / "summary.csv");
    LabelsOf labelsOf = writePerClass(catalog, run, grid, out);
    writeConfusions(catalog, run, grid, labelsOf, out);
    writePredictions(catalog, run, labelsOf, out);
    writeTable1(run, grid, out);
    writeEpochs(catalog, run, out);
}

} // namespace snilab::report
