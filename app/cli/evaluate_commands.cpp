// snilab-cli evaluate, runs and report: the scientific core on the command
// line (docs/design.md sections 3-5). features: features_command.cpp.
#include "cli_args.h"
#include "cli_progress.h"
#include "commands.h"

#include "catalog/catalog.h"
#include "common/text_parse.h"
#include "dataset/dataset.h"
#include "dataset/splits.h"
#include "eval/evaluator.h"
#include "features/sequences.h"
#include "features/statistics.h"
#include "report/atomic_file.h"
#include "report/file_names.h"
#include "report/json_writer.h"
#include "report/latex.h"
#include "report/number_text.h"
#include "report/output_guard.h"
#include "report/run_report.h"
#include "report/table_writer.h"
#include "report/text_escape.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <sstream>
#include <unistd.h>

namespace snilab::cli {

extern const char kEvaluateHelp[] = R"(usage: snilab-cli evaluate --catalog C.sqlite [OPTIONS]

Train and test models on the labeled connections of a catalog over a sweep
of minimum-connection thresholds, print the Table-1 grid (accuracy mean +- std
over folds per model and threshold) and store everything as a run.

Options:
  --catalog PATH         catalog file (required)
  --models LIST          comma-separated models and ensembles (default rf):
                         rf; gru, cnn, cnngru-packet, cnngru-payload,
                         cnngru-iat (networks on the first packets; any of
                         them with -all for the three inputs, +dir for the
                         direction channel); ensembles average probabilities:
                         A+B, 0.5*A+1/6*B, cnngru-mean (the three CNN-GRUs),
                         paper (0.5*rf + 1/6 each CNN-GRU). Members of an
                         ensemble are trained even when not listed.
                         `snilab-cli --version` lists this build's models
  --thresholds LIST      comma-separated thresholds T (default 100)
  --threshold-rule RULE  at-least (default: classes with >= T connections) or
                         more-than (> T, the paper's code)
  --split KIND           stratified (default), capture (grouped k-fold: the
                         connections of one capture never straddle train and
                         test) or time (earlier captures train, later test)
  --folds K              folds of the stratified and capture splits (default 10)
  --train-fraction F     time split: share of connections in the earliest
                         captures used for training (default 0.7)
  --seed N               seed of splits and models (default 1)
  --label-mode MODE      default or paper (see `snilab-cli summary --help`)
  --transport T          tcp, quic or all (default): the connections evaluated
                         (recorded in the run)
  --feature-spec SPEC    e.g. "packets=payload;retrans=keep;window=all"
                         (default: payload-carrying packets, whole connection)
  --trees N              random forest trees (default 250)
  --max-depth N          random forest: deepest level of a tree, 1..25
                         (default 25, OpenCV's deepest)
  --epochs N             networks: at most N epochs (default 100; early
                         stopping on a 10% validation part of the training
                         fold, patience --patience, best weights restored)
  --patience N           epochs without a better validation loss (default 5)
  --batch-size N         networks: mini-batch size (default 64)
  --device DEV           networks: auto (CUDA when LibTorch sees a GPU, else
                         CPU; the default), cpu or cuda
  --threads N            training threads (default: number of cores)
  --preset paper         the paper's choices: more-than-T, paper labels,
                         payload packets (compare with the honest default)
  --quiet                no progress (see below)
  --json                 print the result as one JSON document instead of
                         the grid: run, status, labeled_connections, split,
                         folds, seed, label_mode, threshold_rule, transport,
                         preset, models, thresholds and grid [{model,
                         threshold, classes, samples, folds, metrics {name:
                         {mean, std}}}] (docs/outputs.md)
  --help                 show this help

Progress: a bar on stderr when it is a terminal; otherwise (a script, a log
file) one line every SNILAB_PROGRESS_SECONDS seconds (default 10) with the
share done, the stage and the time so far.
Every option is checked before any work; a run always ends as finished,
failed (with the reason), or cancelled; a run whose process was killed reads
as interrupted.
Exit status: 0 finished, 1 the run failed (reason on stderr, kept as failed),
2 usage, 3 catalog error, 130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP
(the run is kept as cancelled).
)";

extern const char kRunsHelp[] =
    R"(usage: snilab-cli runs --catalog C.sqlite [--show ID | --delete ID [--force]] [--json]

List the runs stored in a catalog (id, status, time, fingerprint of the data,
the configuration in one line), show one run (its configuration and grid),
or delete one run and all its results. Status: running (its process lives),
finished, failed (with the reason), cancelled, or interrupted (its process
was killed or the machine restarted). Finished runs are immutable: they can
be deleted, never changed; a running run cannot be deleted.

Options:
  --catalog PATH   catalog file (required)
  --show ID        show run ID
  --delete ID      delete run ID (refused while it runs)
  --force          with --delete: also a run shown as running whose process
                   cannot be checked from here (another host)
  --json           the list, or the run shown, as one JSON document: runs
                   [{run, status, error, created, finished, data, seed,
                   config {key: value}}]; --show adds models, thresholds and
                   grid as `evaluate --json` writes them (docs/outputs.md)
  --help           show this help
)";

extern const char kReportHelp[] = R"(usage: snilab-cli report --catalog C.sqlite --run ID --out DIR

Write a finished run's results into DIR (created if missing); a run that is
running, failed, cancelled or interrupted is refused (exit 1). Every file is
written to a temporary file and renamed, so none is ever left half written,
and no output may be the catalog:
  run.txt           the run's configuration, seed, data fingerprint, status
  summary.csv       one row per model x threshold: classes, samples, folds and
                    every metric's mean and std over folds
  per_class.csv     per model, threshold and class: support, accuracy
                    (recall), precision, F1 over all folds
  confusion/<model>_T<threshold>.csv   confusion matrix, rows = true label
                    (characters of ensemble names other than letters, digits
                    and .+- become _)
  predictions.csv   per test connection: model, threshold, fold, connection
                    id, capture, true and predicted label, confidence, top 5
  table1.tex        the Table-1 grid as a LaTeX tabular
  epochs.csv        networks: per model, threshold, fold and epoch the
                    training and validation loss and accuracy, seconds, and
                    whether the validation loss improved (best weights)

Options:
  --catalog PATH   catalog file (required)
  --run ID         run id (see `snilab-cli runs`)
  --out DIR        output folder (required)
  --help           show this help
)";

std::vector<std::string> splitList(const std::string& text, const std::string& option)
{
    std::vector<std::string> out;
    for (const std::string_view item : splitTrimmed(text)) {
        if (item.empty())
            throw UsageError("--" + option + " has an empty item ('" + text + "')");
        out.emplace_back(item);
    }
    return out;
}

ThresholdRule ruleOption(const Args& args)
{
    const std::string text = args.value("threshold-rule").value_or("at-least");
    if (const auto rule = parseThresholdRule(text))
        return *rule;
    throw UsageError("--threshold-rule must be at-least or more-than, not '" + text + "'");
}

unsigned threadsOption(const Args& args)
{
    const auto n = args.number("threads", 0);
    if (args.has("threads") && (n < 1 || n > 4096))
        throw UsageError("--threads must be between 1 and 4096 (leave it out to use every core)");
    return static_cast<unsigned>(n);
}

FeatureSpec specOption(const Args& args)
{
    const auto text = args.value("feature-spec");
    if (!text)
        return {};
    std::string error;
    const auto spec = FeatureSpec::parse(*text, &error);
    if (!spec)
        throw UsageError("--feature-spec: " + error);
    return *spec;
}

namespace {

std::vector<int> thresholdList(const std::string& text)
{
    std::string error;
    const auto list = parseThresholdList(text, &error);
    if (!list)
        throw UsageError("--thresholds: " + error);
    return *list;
}

std::int64_t runIdOption(const Args& args, const std::string& name)
{
    const auto n = args.number(name, 0);
    if (n == 0)
        throw UsageError("--" + name + " needs a run id (see snilab-cli runs)");
    return static_cast<std::int64_t>(n);
}

// The accuracy cell of one model at one threshold.
std::string accuracyCell(const std::vector<GridCell>& grid, const std::string& model, int threshold)
{
    for (const auto& c : grid) {
        if (c.model != model || c.threshold != threshold)
            continue;
        if (const auto* acc = report::findMetric(c, "accuracy"))
            return report::meanStdText(acc->first, acc->second, c.folds);
        if (c.classes < 2)
            return std::string(report::kMissingCell) + " (fewer than 2 classes)";
    }
    return report::kMissingCell;
}

// The grid. Up to three models: rows = thresholds, columns = classes,
// samples, one per model (the paper's Table 1). More models: rows = models,
// one column per threshold, with the classes and connections of each
// threshold in a first row.
void printGrid(const std::vector<GridCell>& grid, const std::vector<std::string>& models,
               const std::vector<int>& thresholds)
{
    report::TableWriter table(stdout, report::TableWriter::Style::Aligned);
    if (models.size() > 3) {
        std::vector<std::string> header = {"model"}, sizes = {"(classes/connections)"};
        for (int t : thresholds) {
            header.push_back("T=" + std::to_string(t));
            std::string size = "-";
            for (const auto& c : grid)
                if (c.threshold == t)
                    size = std::to_string(c.classes) + "/" + std::to_string(c.samples);
            sizes.push_back(size);
        }
        table.row(header);
        table.row(sizes);
        for (const auto& m : models) {
            std::vector<std::string> row = {m};
            for (int t : thresholds)
                row.push_back(accuracyCell(grid, m, t));
            table.row(row);
        }
        return;
    }
    std::vector<std::string> header = {"threshold", "classes", "connections"};
    for (const auto& m : models)
        header.push_back(m + " accuracy");
    table.row(header);
    for (int t : thresholds) {
        std::vector<std::string> row = {std::to_string(t), "", ""};
        for (const auto& c : grid)
            if (c.threshold == t) {
                row[1] = std::to_string(c.classes);
                row[2] = std::to_string(c.samples);
            }
        for (const auto& m : models)
            row.push_back(accuracyCell(grid, m, t));
        table.row(row);
    }
}

// The grid as `evaluate --json` and `runs --show ID --json` write it.
void writeGridJson(report::JsonWriter& json, const std::vector<GridCell>& grid,
                   const std::vector<std::string>& models, const std::vector<int>& thresholds)
{
    json.key("models").beginArray();
    for (const auto& m : models)
        json.value(m);
    json.endArray().key("thresholds").beginArray();
    for (const int t : thresholds)
        json.value(t);
    json.endArray().key("grid").beginArray();
    for (const GridCell& c : grid) {
        json.beginObject()
            .field("model", c.model)
            .field("threshold", c.threshold)
            .field("classes", c.classes)
            .field("samples", c.samples)
            .field("folds", c.folds)
            .key("metrics")
            .beginObject();
        for (const auto& [name, stats] : c.metrics)
            json.key(name)
                .beginObject()
                .field("mean", stats.first)
                .field("std", stats.second)
                .endObject();
        json.endObject().endObject();
    }
    json.endArray();
}

// A run's stored configuration ("key=value" lines) as an object of strings.
void writeConfigJson(report::JsonWriter& json, const std::string& config)
{
    json.key("config").beginObject();
    std::istringstream lines(config);
    for (std::string line; std::getline(lines, line);) {
        if (line.empty())
            continue;
        const auto eq = line.find('=');
        json.field(line.substr(0, eq), eq == std::string::npos ? "" : line.substr(eq + 1));
    }
    json.endObject();
}

void writeRunJson(report::JsonWriter& json, const RunInfo& r)
{
    json.field("run", r.id).field("status", runStatusName(r.status));
    if (r.error.empty())
        json.key("error").null();
    else
        json.field("error", r.error);
    json.field("created", r.createdAt);
    if (r.finishedAt.empty())
        json.key("finished").null();
    else
        json.field("finished", r.finishedAt);
    json.field("data", r.dataFingerprint).field("seed", r.seed);
    writeConfigJson(json, r.config);
}

} // namespace

void parseModelOptions(const Args& args, EvaluationConfig& config)
{
    if (const auto m = args.value("models"))
        config.models = splitList(*m, "models");
    config.rule = ruleOption(args);
    config.seed = args.number("seed", 1);
    config.data.labelMode = labelModeOption(args);
    config.data.transport = transportOption(args);
    config.data.spec = specOption(args);
    const auto clampedInt = [&](const char* name, int fallback) {
        return static_cast<int>(std::min<unsigned long long>(args.number(name, fallback),
                                                             std::numeric_limits<int>::max()));
    };
    config.trees = clampedInt("trees", 250);
    config.maxDepth = clampedInt("max-depth", 25);
    config.threads = static_cast<int>(threadsOption(args));
    config.epochs = clampedInt("epochs", 100);
    config.patience = clampedInt("patience", 5);
    config.batchSize = clampedInt("batch-size", 64);
    config.device = args.value("device").value_or("auto");
    if (const auto p = args.value("preset")) {
        if (*p != "paper")
            throw UsageError("--preset must be paper, not '" + *p + "'");
        if (args.has("threshold-rule") || args.has("label-mode"))
            throw UsageError("--preset paper sets the threshold rule and label mode itself");
        if (args.has("feature-spec") &&
            config.data.spec.packets != FeatureSpec::Packets::PayloadOnly)
            throw UsageError("--preset paper counts payload-carrying packets; it conflicts with "
                             "--feature-spec '" +
                             *args.value("feature-spec") + "'");
        config.applyPaperPreset();
    }
}

// The engine's one validator (EvaluationConfig::validate()), as a usage error.
void validateConfig(const EvaluationConfig& config)
{
    if (const std::string why = config.validate(); !why.empty())
        throw UsageError(why);
}

int evaluateCommand(const std::vector<std::string>& argv)
{
    const Args args(argv,
                    {"catalog", "models", "thresholds", "threshold-rule", "split", "folds",
                     "train-fraction", "seed", "label-mode", "transport", "feature-spec", "trees",
                     "max-depth", "threads", "preset", "epochs", "patience", "batch-size",
                     "device"},
                    {"quiet", "json"});
    if (!args.positional().empty())
        throw UsageError("unexpected argument '" + args.positional().front() + "'");
    EvaluationConfig config;
    if (const auto t = args.value("thresholds"))
        config.thresholds = thresholdList(*t);
    const std::string split = args.value("split").value_or("stratified");
    const auto kind = parseSplitKind(split);
    if (!kind)
        throw UsageError("--split must be stratified, capture or time, not '" + split + "'");
    config.split = *kind;
    config.folds = static_cast<int>(std::min<unsigned long long>(args.number("folds", 10), 100000));
    if (config.split == SplitKind::Time && args.has("folds"))
        throw UsageError("--folds applies to the stratified and capture splits; a time split "
                         "has one fold (see --train-fraction)");
    if (config.split != SplitKind::Time && args.has("train-fraction"))
        throw UsageError("--train-fraction applies to --split time only");
    if (const auto f = args.value("train-fraction")) {
        const auto fraction = parseNumber<double>(*f);
        if (!fraction || !(*fraction > 0) || !(*fraction < 1))
            throw UsageError("--train-fraction must be a number between 0 and 1");
        config.timeTrainFraction = *fraction;
    }
    parseModelOptions(args, config);
    validateConfig(config);
    const auto plan = planModels(config.models, nullptr);

    auto catalog = Catalog::openExisting(args.required("catalog"));
    if (const auto groups = catalog->captures().duplicateConnectionGroups())
        std::fprintf(stderr,
                     "snilab-cli evaluate: warning: %llu connections appear in more than one "
                     "capture of this catalog (ingested before snilab stored each connection "
                     "once); they are counted more than once - re-ingest into a new catalog\n",
                     static_cast<unsigned long long>(groups));
    TerminalProgress progress("evaluate", args.has("quiet"));
    EvaluationOutcome outcome;
    {
        const InterruptScope interrupt(progress);
        outcome = evaluate(*catalog, config, progress);
    }
    progress.finish();
    if (outcome.status == RunStatus::Cancelled) {
        std::fprintf(stderr, "snilab-cli evaluate: interrupted; run %lld kept as cancelled\n",
                     static_cast<long long>(outcome.runId));
        return interruptedExitCode();
    }
    if (outcome.status != RunStatus::Finished) {
        std::fprintf(stderr, "snilab-cli evaluate: %s%s\n",
                     outcome.runId ? ("run " + std::to_string(outcome.runId) + " failed: ").c_str()
                                   : "",
                     outcome.error.c_str());
        return kExitBadInput;
    }
    if (args.has("json")) {
        report::JsonWriter json;
        json.beginObject()
            .field("run", outcome.runId)
            .field("status", runStatusName(outcome.status))
            .field("labeled_connections", outcome.labeledConnections)
            .field("split", splitKindName(config.split))
            .field("folds", config.split == SplitKind::Time ? 1 : config.folds)
            .field("seed", config.seed)
            .field("label_mode", labelModeName(config.data.labelMode))
            .field("threshold_rule", thresholdRuleName(config.rule))
            .field("transport", transportFilterName(config.data.transport));
        if (config.preset.empty())
            json.key("preset").null();
        else
            json.field("preset", config.preset);
        writeGridJson(json, outcome.grid, plan->order, config.thresholds);
        json.endObject();
        std::fputs(json.text().c_str(), stdout);
        return kExitOk;
    }
    std::printf("run %lld: %llu labeled connections; %s split, %s, seed %llu, label mode %s, "
                "threshold rule %s, transport %s%s\n\n",
                static_cast<long long>(outcome.runId),
                static_cast<unsigned long long>(outcome.labeledConnections),
                std::string(splitKindName(config.split)).c_str(),
                config.split == SplitKind::Time ? "1 fold"
                                                : (std::to_string(config.folds) + " folds").c_str(),
                static_cast<unsigned long long>(config.seed),
                std::string(labelModeName(config.data.labelMode)).c_str(),
                config.rule == ThresholdRule::AtLeast ? ">= T" : "> T",
                std::string(transportFilterName(config.data.transport)).c_str(),
                config.preset.empty() ? "" : ", preset paper");
    printGrid(outcome.grid, plan->order, config.thresholds);
    std::printf("\nreport: snilab-cli report --catalog %s --run %lld --out DIR\n",
                catalog->path().c_str(), static_cast<long long>(outcome.runId));
    return kExitOk;
}

int runsCommand(const std::vector<std::string>& argv)
{
    const Args args(argv, {"catalog", "delete", "show"}, {"force", "json"});
    if (args.has("force") && !args.has("delete"))
        throw UsageError("--force goes with --delete");
    if (!args.positional().empty())
        throw UsageError("unexpected argument '" + args.positional().front() + "'");
    if (args.has("delete") && args.has("show"))
        throw UsageError("--show and --delete exclude each other");
    if (args.has("delete") && args.has("json"))
        throw UsageError("--json goes with the list or --show, not --delete");
    auto catalog = Catalog::openExisting(args.required("catalog"));
    if (args.has("show")) {
        const std::int64_t id = runIdOption(args, "show");
        const auto run = catalog->runs().find(id);
        if (!run)
            throw UsageError("no run " + std::to_string(id) + " (see snilab-cli runs)");
        const auto grid = catalog->runs().runGrid(id);
        const report::GridAxes axes = report::axesOf(grid);
        if (args.has("json")) {
            report::JsonWriter json;
            json.beginObject();
            writeRunJson(json, *run);
            writeGridJson(json, grid, axes.models, axes.thresholds);
            json.endObject();
            std::fputs(json.text().c_str(), stdout);
            return kExitOk;
        }
        std::printf("run %lld: %s, created %s%s%s, data %s\n%s\n", static_cast<long long>(id),
                    std::string(runStatusName(run->status)).c_str(), run->createdAt.c_str(),
                    run->finishedAt.empty() ? "" : ", finished ", run->finishedAt.c_str(),
                    run->dataFingerprint.c_str(), run->config.c_str());
        if (!run->error.empty())
            std::printf("error: %s\n\n", report::escapeText(run->error).c_str());
        printGrid(grid, axes.models, axes.thresholds);
        return kExitOk;
    }
    if (args.has("delete")) {
        const std::int64_t id = runIdOption(args, "delete");
        if (!catalog->runs().deleteRun(id, args.has("force")))
            throw UsageError("no run " + std::to_string(id) + " (see snilab-cli runs)");
        std::printf("deleted run %lld\n", static_cast<long long>(id));
        return kExitOk;
    }
    if (args.has("json")) {
        report::JsonWriter json;
        json.beginObject().key("runs").beginArray();
        for (const RunInfo& r : catalog->runs().all()) {
            json.beginObject();
            writeRunJson(json, r);
            json.endObject();
        }
        json.endArray().endObject();
        std::fputs(json.text().c_str(), stdout);
        return kExitOk;
    }
    report::TableWriter table(stdout, report::TableWriter::Style::Aligned);
    table.row({"run", "status", "created", "data", "config"});
    for (const RunInfo& r : catalog->runs().all()) {
        std::string config = r.config;
        for (char& c : config)
            if (c == '\n')
                c = ' ';
        while (!config.empty() && config.back() == ' ')
            config.pop_back();
        table.row({std::to_string(r.id),
                   std::string(runStatusName(r.status)) + (r.error.empty() ? "" : ": " + r.error),
                   r.createdAt, r.dataFingerprint.substr(0, 12), config});
    }
    return kExitOk;
}

int reportCommand(const std::vector<std::string>& argv)
{
    const Args args(argv, {"catalog", "run", "out"}, {});
    if (!args.positional().empty())
        throw UsageError("unexpected argument '" + args.positional().front() + "'");
    const std::filesystem::path out = args.required("out");
    const std::int64_t runId = runIdOption(args, "run");
    auto catalog = Catalog::openExisting(args.required("catalog"));
    const auto run = catalog->runs().find(runId);
    if (!run)
        throw UsageError("no run " + std::to_string(runId) + " in " + catalog->path().string() +
                         " (see snilab-cli runs)");
    if (run->status != RunStatus::Finished) {
        std::fprintf(stderr,
                     "snilab-cli report: run %lld is %s%s%s: its results are incomplete, so no "
                     "report is written (report writes finished runs only)\n",
                     static_cast<long long>(runId), std::string(runStatusName(run->status)).c_str(),
                     run->error.empty() ? "" : ": ", report::escapeText(run->error).c_str());
        return kExitBadInput;
    }
    report::writeRunReport(*catalog, *run, out);
    std::printf("wrote run %lld to %s (run.txt, summary.csv, per_class.csv, confusion/, "
                "predictions.csv, table1.tex, epochs.csv)\n",
                static_cast<long long>(runId), out.c_str());
    return kExitOk;
}

} // namespace snilab::cli
