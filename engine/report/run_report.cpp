#include "report/run_report.h"

#include "report/atomic_file.h"
#include "report/file_names.h"
#include "report/latex.h"
#include "report/number_text.h"
#include "report/output_guard.h"
#include "report/table_writer.h"
#include "report/text_escape.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

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

void writeSummary(const std::vector<GridCell>& grid, const std::filesystem::path& out)
{
    std::vector<std::string> metricNames;
    for (const auto& c : grid)
        for (const auto& [name, v] : c.metrics)
            if (std::find(metricNames.begin(), metricNames.end(), name) == metricNames.end())
                metricNames.push_back(name);
    const auto path = out / "summary.csv";
    AtomicFile f(path);
    {
        TableWriter t(f.stream(), TableWriter::Style::Csv);
        std::vector<std::string> header = {"model", "threshold", "classes", "samples", "folds"};
        for (const auto& m : metricNames) {
            header.push_back(m + "_mean");
            header.push_back(m + "_std");
        }
        t.row(header);
        char buf[32];
        for (const auto& c : grid) {
            std::vector<std::string> row = {c.model, std::to_string(c.threshold),
                                            std::to_string(c.classes), std::to_string(c.samples),
                                            std::to_string(c.folds)};
            for (const auto& m : metricNames) {
                const auto* v = findMetric(c, m);
                for (double x : {v ? v->first : NAN, v ? v->second : NAN}) {
                    std::snprintf(buf, sizeof buf, "%.6f", x);
                    row.push_back(v ? buf : "");
                }
            }
            t.row(row);
        }
    }
    f.commit();
}

// Also returns the class labels of every model x threshold, for the files after it.
LabelsOf writePerClass(Catalog& catalog, const RunInfo& run, const std::vector<GridCell>& grid,
                       const std::filesystem::path& out)
{
    LabelsOf labelsOf;
    const auto path = out / "per_class.csv";
    AtomicFile f(path);
    {
        TableWriter t(f.stream(), TableWriter::Style::Csv);
        t.row({"model", "threshold", "class", "label", "support", "accuracy", "precision", "f1"});
        char a[32], p[32], f1[32];
        for (const auto& c : grid) {
            auto& labels = labelsOf[{c.model, c.threshold}];
            for (const ClassResult& r : catalog.runClasses(run.id, c.model, c.threshold)) {
                std::snprintf(a, sizeof a, "%.6f", r.accuracy);
                std::snprintf(p, sizeof p, "%.6f", r.precision);
                std::snprintf(f1, sizeof f1, "%.6f", r.f1);
                t.row({c.model, std::to_string(c.threshold), std::to_string(r.classIndex), r.label,
                       std::to_string(r.support), a, p, f1});
                labels.push_back(r.label);
            }
        }
    }
    f.commit();
    return labelsOf;
}

void writeConfusions(Catalog& catalog, const RunInfo& run, const std::vector<GridCell>& grid,
                     LabelsOf& labelsOf, const std::filesystem::path& out)
{
    for (const auto& c : grid) {
        const auto& labels = labelsOf[{c.model, c.threshold}];
        if (labels.empty())
            continue;
        const auto path = confusionFile(out, c);
        const std::size_t k = labels.size();
        std::vector<std::uint64_t> m(k * k, 0);
        for (const auto& [i, j, n] : catalog.runConfusion(run.id, c.model, c.threshold))
            if (i < k && j < k)
                m[i * k + j] = n;
        AtomicFile f(path);
        {
            TableWriter t(f.stream(), TableWriter::Style::Csv);
            std::vector<std::string> header = {"true\\predicted"};
            header.insert(header.end(), labels.begin(), labels.end());
            t.row(header);
            for (std::size_t i = 0; i < k; ++i) {
                std::vector<std::string> row = {labels[i]};
                for (std::size_t j = 0; j < k; ++j)
                    row.push_back(std::to_string(m[i * k + j]));
                t.row(row);
            }
        }
        f.commit();
    }
}

void writePredictions(Catalog& catalog, const RunInfo& run, LabelsOf& labelsOf,
                      const std::filesystem::path& out)
{
    std::map<std::int64_t, std::string> captureOf;
    catalog.forEachConnection([&](const ConnectionRow& r) { captureOf[r.id] = r.capturePath; });
    const auto path = out / "predictions.csv";
    AtomicFile f(path);
    {
        TableWriter t(f.stream(), TableWriter::Style::Csv);
        t.row({"model", "threshold", "fold", "connection_id", "capture", "true_label",
               "predicted_label", "correct", "confidence", "top"});
        char conf[32];
        catalog.forEachRunPrediction(
            run.id, [&](const std::string& model, int threshold, const PredictionRow& p) {
                const auto& labels = labelsOf[{model, threshold}];
                const auto label = [&](int i) {
                    return i >= 0 && static_cast<std::size_t>(i) < labels.size()
                               ? labels[static_cast<std::size_t>(i)]
                               : std::to_string(i);
                };
                std::snprintf(conf, sizeof conf, "%.6f", p.confidence);
                t.row({model, std::to_string(threshold), std::to_string(p.fold),
                       std::to_string(p.connectionId), captureOf[p.connectionId],
                       label(p.trueIndex), label(p.predictedIndex),
                       p.trueIndex == p.predictedIndex ? "1" : "0", conf, p.top});
            });
    }
    f.commit();
}

void writeTable1(const RunInfo& run, const std::vector<GridCell>& grid,
                 const std::filesystem::path& out)
{
    const auto path = out / "table1.tex";
    AtomicFile f(path);
    const auto [models, thresholds] = axesOf(grid);
    std::fprintf(f.stream(), "%% snilab run %lld: accuracy (mean $\\pm$ std over folds)\n",
                 static_cast<long long>(run.id));
    std::fprintf(f.stream(), "\\begin{tabular}{rrr%s}\n\\hline\nT & classes & connections",
                 std::string(models.size(), 'c').c_str());
    for (const auto& m : models)
        std::fprintf(f.stream(), " & %s", latexEscape(m).c_str());
    std::fprintf(f.stream(), " \\\\\n\\hline\n");
    for (int t : thresholds) {
        std::string classes, samples;
        std::string cells;
        for (const auto& m : models) {
            std::string cell = latexEscape(kMissingCell);
            for (const auto& c : grid)
                if (c.model == m && c.threshold == t) {
                    classes = std::to_string(c.classes);
                    samples = std::to_string(c.samples);
                    if (const auto* acc = findMetric(c, "accuracy"))
                        cell = latexEscape(meanStdText(acc->first, acc->second, c.folds));
                }
            cells += " & " + cell;
        }
        std::fprintf(f.stream(), "%d & %s & %s%s \\\\\n", t, classes.c_str(), samples.c_str(),
                     cells.c_str());
    }
    std::fprintf(f.stream(), "\\hline\n\\end{tabular}\n");
    f.commit();
}

void writeEpochs(Catalog& catalog, const RunInfo& run, const std::filesystem::path& out)
{
    const auto path = out / "epochs.csv";
    AtomicFile f(path);
    {
        TableWriter t(f.stream(), TableWriter::Style::Csv);
        t.row({"model", "threshold", "fold", "epoch", "max_epochs", "train_loss", "train_accuracy",
               "validation_loss", "validation_accuracy", "seconds", "improved"});
        char buf[5][32];
        for (const EpochReport& e : catalog.runEpochs(run.id)) {
            std::snprintf(buf[0], sizeof buf[0], "%.6f", e.trainLoss);
            std::snprintf(buf[1], sizeof buf[1], "%.6f", e.trainAccuracy);
            std::snprintf(buf[2], sizeof buf[2], "%.6f", e.validationLoss);
            std::snprintf(buf[3], sizeof buf[3], "%.6f", e.validationAccuracy);
            std::snprintf(buf[4], sizeof buf[4], "%.3f", e.seconds);
            t.row({e.model, std::to_string(e.threshold), std::to_string(e.fold),
                   std::to_string(e.epoch), std::to_string(e.maxEpochs), buf[0], buf[1], buf[2],
                   buf[3], buf[4], e.improved ? "1" : "0"});
        }
    }
    f.commit();
}

} // namespace

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
    const auto grid = catalog.runGrid(run.id);
    const auto inputs = catalogInputs(catalog.path());
    for (const auto& f : runReportFiles(grid, out))
        refuseOverwrite(f, inputs, "--out");
    std::error_code ec;
    std::filesystem::create_directories(out / "confusion", ec);
    if (ec)
        throw OutputError("cannot create " + escapeText((out / "confusion").string()) + ": " +
                          ec.message());

    writeRunTxt(run, out);
    writeSummary(grid, out);
    LabelsOf labelsOf = writePerClass(catalog, run, grid, out);
    writeConfusions(catalog, run, grid, labelsOf, out);
    writePredictions(catalog, run, labelsOf, out);
    writeTable1(run, grid, out);
    writeEpochs(catalog, run, out);
}

} // namespace snilab::report
