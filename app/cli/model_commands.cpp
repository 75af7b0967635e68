// snilab-cli train and predict: model files (engine/models/model_file.h).
#include "cli_args.h"
#include "cli_progress.h"
#include "commands.h"

#include "catalog/catalog.h"
#include "dataset/dataset.h"
#include "eval/evaluator.h"
#include "ingest/ingester.h"
#include "models/model_file.h"
#include "models/model_plan.h"
#include "report/atomic_file.h"
#include "report/file_names.h"
#include "report/latex.h"
#include "report/output_guard.h"
#include "report/text_escape.h"
#include "tasks/model_training.h"
#include "tasks/prediction_csv.h"
#include "tasks/predictor.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <unistd.h>

namespace snilab::cli {

extern const char kTrainHelp[] =
    R"(usage: snilab-cli train --catalog C.sqlite --out M.snilab [OPTIONS]

Fit models on every labeled connection of the classes that pass a threshold
and write them, with the label map, feature spec and scalers, to one model
file for `snilab-cli predict`.

Options:
  --catalog PATH         catalog file (required)
  --out PATH             model file to write (required; written whole or not
                         at all)
  --models LIST          models and ensembles as for `evaluate` (default rf)
  --primary NAME         the model or ensemble predict uses by default (default:
                         the first of --models)
  --threshold T          keep classes with at least T connections (default 100)
  --threshold-rule RULE  at-least (default) or more-than
  --label-mode MODE      default or paper
  --transport T          tcp, quic or all (default): the connections trained on
  --feature-spec SPEC    feature spec (see `snilab-cli evaluate --help`)
  --preset paper         more-than-T, paper labels, payload packets
  --seed N               seed of the models (default 1)
  --trees N              random forest trees (default 250)
  --max-depth N          random forest: deepest level of a tree, 1..25
                         (default 25, OpenCV's deepest)
  --epochs N             networks: at most N epochs (default 100; early
                         stopping on a 10% validation part, patience below)
  --patience N           epochs without a better validation loss (default 5)
  --batch-size N         networks: mini-batch size (default 64)
  --device DEV           auto (default), cpu or cuda
  --threads N            training threads (default: number of cores)
  --quiet                no progress (a bar on a terminal, else a line every
                         SNILAB_PROGRESS_SECONDS seconds, default 10)
  --help                 show this help

Exit status: 0 written, 1 nothing to train (fewer than 2 classes) or a model
failed, 2 usage, 3 catalog error, 4 the file could not be written,
130/143/129 interrupted (SIGINT/SIGTERM/SIGHUP) (nothing written).
)";

extern const char kPredictHelp[] =
    R"(usage: snilab-cli predict --model M.snilab --out P.csv [OPTIONS] CAPTURE|DIR...

Ingest captures (into a temporary catalog; none is kept) and classify every
TCP and QUIC connection with a model file - with or without an SNI (e.g. with
ECH). Writes one CSV row per connection: capture, endpoints, start time,
transport (tcp or quic), tls (1: a TLS ClientHello was seen; 0: not TLS, or
its start was not captured - the prediction of such a connection is a guess
from sizes and times only), SNI, ECH,
true label (the SNI under the model's label mode; empty without SNI),
whether that label is one of the model's classes, the predicted label, its
probability, the top-K labels with probabilities, and correct (1/0, empty
when the true label is unknown to the model). Prints the accuracy over the
connections whose true label is one of the model's classes.

Options:
  --model PATH           model file from `snilab-cli train` (required)
  --out PATH             CSV file to write (required)
  --use NAME             model or ensemble of the file to use (default: its
                         primary; `--use list` prints the choices)
  --top K                labels per row in the top column (default 3)
  --device DEV           where the networks run: auto (default: CUDA when
                         LibTorch sees a GPU, else the CPU), cpu or cuda
  --digits N             decimals of the probabilities written (default 4,
                         1..17)
  --threads N            model threads and files ingested at once (default: all
                         the cores for the models, half for the ingest)
  --transport T          tcp, quic or all (default): the connections classified
  --quiet                no progress (a bar on a terminal, else a line every
                         SNILAB_PROGRESS_SECONDS seconds, default 10)
  --help                 show this help

Exit status: 0 done, 1 a capture or the model file could not be read (rows
for the readable captures are written), 2 usage, 4 output error,
130/143/129 interrupted (SIGINT/SIGTERM/SIGHUP).
)";

namespace {

std::string formatBytes(std::uintmax_t n)
{
    char buf[32];
    if (n >= 1u << 20)
        std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(n) / (1 << 20));
    else
        std::snprintf(buf, sizeof buf, "%.1f kB", static_cast<double>(n) / 1024);
    return buf;
}

} // namespace

int trainCommand(const std::vector<std::string>& argv)
{
    const Args args(argv,
                    {"catalog", "out", "models", "primary", "threshold", "threshold-rule",
                     "label-mode", "transport", "feature-spec", "preset", "seed", "trees",
                     "max-depth", "epochs", "patience", "batch-size", "device", "threads"},
                    {"quiet"});
    if (!args.positional().empty())
        throw UsageError("unexpected argument '" + args.positional().front() + "'");
    EvaluationConfig config;
    parseModelOptions(args, config);
    const std::filesystem::path out = args.required("out");
    const auto thresholdValue = args.number("threshold", 100);
    if (thresholdValue > static_cast<unsigned long long>(kMaxThreshold))
        throw UsageError("--threshold must be between 0 and " + std::to_string(kMaxThreshold));
    const auto threshold = static_cast<int>(thresholdValue);
    config.thresholds = {threshold};
    validateConfig(config);
    const auto plan = planModels(config.models, nullptr);
    const std::string primary = args.value("primary").value_or(plan->order.front());
    if (std::find(plan->order.begin(), plan->order.end(), primary) == plan->order.end())
        throw UsageError("--primary '" + primary + "' is not one of the models");

    auto catalog = Catalog::openExisting(args.required("catalog"));
    // Before any work: the model file must not replace the catalog.
    report::refuseOverwrite(out, report::catalogInputs(catalog->path()), "--out");
    TerminalProgress progress("train", args.has("quiet"));
    std::optional<ModelFile> trained;
    {
        const InterruptScope interrupt(progress);
        try {
            trained = trainModel(*catalog, config, threshold, primary, progress);
        } catch (const ModelError& e) {
            progress.finish();
            std::fprintf(stderr, "snilab-cli train: %s\n", e.what());
            return kExitBadInput;
        }
    }
    progress.finish();
    if (!trained) {
        std::fputs("snilab-cli train: interrupted; nothing written\n", stderr);
        return interruptedExitCode();
    }
    ModelFile& model = *trained;
    const std::uint64_t samples = model.info.trainedConnections;
    try {
        writeModelFile(out, model);
    } catch (const ModelError& e) {
        throw OutputError(e.what());
    }
    std::error_code ec;
    const auto size = std::filesystem::file_size(out, ec);
    std::printf("trained %zu model(s) on %llu connections of %zu classes (T %s %d)\n",
                plan->models.size(), static_cast<unsigned long long>(samples),
                model.info.labels.size(), config.rule == ThresholdRule::AtLeast ? ">=" : ">",
                threshold);
    std::map<std::string, std::pair<int, int>> epochs; // model -> (epochs run, best epoch)
    for (const auto& e : model.models.history()) {
        auto& [run, best] = epochs[e.model];
        run = std::max(run, e.epoch);
        if (e.improved)
            best = e.epoch;
    }
    for (const auto& name : plan->order) {
        const auto it = epochs.find(name);
        if (it != epochs.end())
            std::printf("  %s: %d epochs, weights of epoch %d\n", name.c_str(), it->second.first,
                        it->second.second);
        else
            std::printf("  %s\n", name.c_str());
    }
    std::printf("wrote %s (%s); predict uses %s by default\n", out.c_str(),
                ec ? "?" : formatBytes(size).c_str(), primary.c_str());
    return kExitOk;
}

int predictCommand(const std::vector<std::string>& argv)
{
    const Args args(argv,
                    {"model", "out", "use", "top", "threads", "transport", "device", "digits"},
                    {"quiet"});
    ModelFile model = readModelFile(args.required("model"));
    const auto& order = model.models.plan().order;
    PredictionOptions options;
    options.use = args.value("use").value_or(model.info.primary);
    if (options.use == "list") {
        for (const auto& name : order)
            std::printf("%s%s\n", name.c_str(), name == model.info.primary ? " (primary)" : "");
        return kExitOk;
    }
    if (std::find(order.begin(), order.end(), options.use) == order.end())
        throw UsageError("--use '" + options.use + "' is not in the model file (see --use list)");
    const std::filesystem::path outPath = args.required("out");
    // Clamped before the cast, so a huge value is refused, not wrapped.
    const auto small = [](unsigned long long v) {
        return static_cast<int>(std::min(v, 1'000'000ull));
    };
    options.topK = small(args.number("top", 3));
    options.decimals = small(args.number("digits", 4));
    options.device = args.value("device").value_or("auto");
    options.threads = static_cast<int>(threadsOption(args));
    if (const std::string why = options.validate(); !why.empty())
        throw UsageError(why);
    if (args.positional().empty())
        throw UsageError("no capture files given");
    const auto files = expandInputs(args.positional());
    if (files.empty())
        throw UsageError("no capture files found in the given directories");
    options.transport = transportOption(args);
    model.models.setThreads(options.threads);
    model.models.setDevice(options.device);
    std::vector<report::GuardedInput> inputs = {{args.required("model"), "the model file"}};
    for (const auto& f : files)
        inputs.push_back({f, "a capture given to predict"});
    report::refuseOverwrite(outPath, inputs, "--out");

    TerminalProgress progress("predict", args.has("quiet"));
    PredictionOutcome outcome;
    {
        const InterruptScope interrupt(progress);
        outcome = predictCaptures(model, files, options, progress);
    }
    progress.finish();
    if (outcome.cancelled) {
        std::fputs("snilab-cli predict: interrupted; nothing written\n", stderr);
        return interruptedExitCode();
    }
    int status = kExitOk;
    for (const auto& r : outcome.files)
        if (r.outcome == IngestOutcome::Failed || r.outcome == IngestOutcome::Partial) {
            std::fprintf(stderr, "snilab-cli predict: %s%s\n",
                         r.outcome == IngestOutcome::Partial ? "partly read: " : "",
                         report::escapeText(r.error.oneLine()).c_str());
            status = kExitBadInput;
        }
    std::vector<const PredictedConnection*> rows;
    rows.reserve(outcome.rows.size());
    for (const PredictedConnection& r : outcome.rows)
        rows.push_back(&r);
    writePredictionCsv(outPath, rows, inputs, options.decimals);
    const auto n = static_cast<unsigned long long>(outcome.rows.size());
    std::printf("%llu connections classified with %s (%zu classes): %llu with an SNI (%llu with "
                "ECH), %llu without\n",
                n, outcome.model.c_str(), model.info.labels.size(),
                static_cast<unsigned long long>(outcome.withSni),
                static_cast<unsigned long long>(outcome.withEch),
                static_cast<unsigned long long>(n - outcome.withSni));
    if (outcome.known > 0)
        std::printf("accuracy %.3f on the %llu connections whose label is one of the model's "
                    "classes (%llu labeled connections outside them)\n",
                    outcome.accuracy(), static_cast<unsigned long long>(outcome.known),
                    static_cast<unsigned long long>(outcome.withSni - outcome.known));
    else
        std::printf("accuracy: no connection's label is one of the model's classes\n");
    std::printf("wrote %s\n", outPath.c_str());
    return status;
}

} // namespace snilab::cli
