// snilab-cli features: the 42 statistics (and sequences) of a catalog's
// labeled connections as a table, with optional stratified folds.
#include "cli_args.h"
#include "cli_progress.h"
#include "commands.h"

#include "catalog/catalog.h"
#include "dataset/dataset.h"
#include "dataset/splits.h"
#include "eval/evaluator.h"
#include "features/sequences.h"
#include "features/statistics.h"
#include "report/atomic_file.h"
#include "report/file_names.h"
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

extern const char kFeaturesHelp[] =
    R"(usage: snilab-cli features --catalog C.sqlite --out F.csv [OPTIONS]

Export the 42 flow statistics of the labeled connections whose class meets
the threshold, one row per connection: connection_id, capture, label, class
(dense id), [fold], then the statistics (s2c_*, c2s_*, all_*).

Options:
  --catalog PATH         catalog file (required)
  --out FILE             output CSV (required)
  --threshold T          minimum connections per class (default 0: all)
  --threshold-rule RULE  at-least (default) or more-than
  --label-mode MODE      default or paper
  --transport T          tcp, quic or all (default): the connections exported
  --feature-spec SPEC    feature spec (see `snilab-cli evaluate --help`)
  --sequences            also the first-n packet sequences (seq<t>_<channel>)
  --folds K              add a `fold` column: the stratified K-fold test fold
                         of each row, as `evaluate --split stratified` uses it
  --seed N               seed of that split (default 1)
  --help                 show this help
)";

int featuresCommand(const std::vector<std::string>& argv)
{
    const Args args(argv,
                    {"catalog", "out", "threshold", "threshold-rule", "label-mode", "transport",
                     "feature-spec", "folds", "seed"},
                    {"sequences"});
    if (!args.positional().empty())
        throw UsageError("unexpected argument '" + args.positional().front() + "'");
    const std::filesystem::path outPath = args.required("out");
    DatasetOptions options;
    options.labelMode = labelModeOption(args);
    options.transport = transportOption(args);
    options.spec = specOption(args);
    options.sequences = args.has("sequences");
    const auto threshold = static_cast<std::size_t>(args.number("threshold", 0));
    const ThresholdRule rule = ruleOption(args);
    const int folds = static_cast<int>(args.number("folds", 0));
    if (args.has("folds") && (folds < 2 || folds > 1000))
        throw UsageError("--folds must be between 2 and 1000");
    auto catalog = Catalog::openExisting(args.required("catalog"));
    report::refuseOverwrite(outPath, report::catalogInputs(catalog->path()), "--out");

    Feedback feedback;
    const Dataset data = loadDataset(catalog->connections(), options, feedback);
    const auto selection = selectClasses(data.labels, threshold, rule);
    std::vector<int> foldOf(selection.sampleIndices.size(), -1);
    if (folds > 0) {
        const SplitResult split = stratifiedKFold(selection.classes, folds, args.number("seed", 1));
        if (!split.ok())
            throw UsageError("--folds: " + split.error);
        for (std::size_t f = 0; f < split.folds.size(); ++f)
            for (std::size_t i : split.folds[f].test)
                foldOf[i] = static_cast<int>(f);
    }
    report::AtomicFile file(outPath);
    {
        report::TableWriter t(file.stream(), report::TableWriter::Style::Csv);
        std::vector<std::string> header = {"connection_id", "capture", "label", "class"};
        if (folds > 0)
            header.push_back("fold");
        for (const auto name : statisticNames())
            header.emplace_back(name);
        const auto channels = sequenceChannelNames(options.spec);
        if (options.sequences)
            for (std::size_t s = 0; s < options.spec.sequenceLength; ++s)
                for (const auto& c : channels)
                    header.push_back("seq" + std::to_string(s) + "_" + c);
        t.row(header);
        const std::size_t seqWidth = options.spec.sequenceLength * channels.size();
        char buf[32];
        for (std::size_t i = 0; i < selection.sampleIndices.size(); ++i) {
            const std::size_t s = selection.sampleIndices[i];
            std::vector<std::string> row = {
                std::to_string(data.connectionIds[s]),
                data.groupPaths[static_cast<std::size_t>(data.groups[s])], data.labels[s],
                std::to_string(selection.classes[i])};
            if (folds > 0)
                row.push_back(std::to_string(foldOf[i]));
            for (std::size_t j = 0; j < kStatisticCount; ++j) {
                std::snprintf(buf, sizeof buf, "%.9g", data.statistics[s * kStatisticCount + j]);
                row.emplace_back(buf);
            }
            if (options.sequences)
                for (std::size_t j = 0; j < seqWidth; ++j) {
                    std::snprintf(buf, sizeof buf, "%.9g", data.sequences[s * seqWidth + j]);
                    row.emplace_back(buf);
                }
            t.row(row);
        }
    }
    file.commit();
    std::printf("wrote %zu connections of %zu classes (threshold %zu, %s) to %s\n",
                selection.sampleIndices.size(), selection.classLabels.size(), threshold,
                rule == ThresholdRule::AtLeast ? ">= T" : "> T", outPath.c_str());
    return kExitOk;
}

} // namespace snilab::cli
