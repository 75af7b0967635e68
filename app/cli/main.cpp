// snilab-cli: the headless twin of the workbench, on the same engine.
#include "cli_args.h"
#include "cli_progress.h"
#include "commands.h"

#include "common/openmp_env.h"
#include "models/sequence_network.h"
#include "tasks/build_info.h"

#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

namespace {

constexpr const char* kUsage = R"(usage: snilab-cli COMMAND [OPTIONS]

Measure how well TLS services can be identified from packet sizes and timings.

Commands:
  ingest        read capture files into a flow catalog
  summary       connections per label, labeled vs unlabeled, per capture
  connections   one row per connection (CSV or TSV)
  evaluate      train and test models over thresholds and folds (a run)
  runs          list or delete the runs stored in a catalog
  report        write a run's results as CSV files and a LaTeX table
  features      export the 42 flow statistics (and sequences) as CSV
  train         fit models on a catalog and write a model file
  predict       classify the connections of captures with a model file
  help COMMAND  show a command's options (same as COMMAND --help)

Options:
  --help        show this help
  --version     show the version

Machine-readable output: summary, runs and evaluate take --json (one JSON
document on stdout). Progress of ingest, evaluate, train and predict goes to
stderr: a bar on a terminal, else a line every SNILAB_PROGRESS_SECONDS
seconds (default 10); --quiet silences it.

Exit status: 0 success, 1 some input could not be read (the rest was
processed), 2 usage error, 3 catalog error, 4 output could not be written,
130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP (stopped cleanly: a run is
kept as cancelled, no partial output is left).
)";

} // namespace

int main(int argc, char** argv)
{
    // Only the commands that may run LibTorch's OpenMP kernels re-exec.
    if (argc > 1 && (std::strcmp(argv[1], "evaluate") == 0 || std::strcmp(argv[1], "train") == 0 ||
                     std::strcmp(argv[1], "predict") == 0))
        snilab::ensurePassiveOpenMp(argv);
    using namespace snilab::cli;
    installFatalSignalCleanup();
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    const std::string command = args.front();
    args.erase(args.begin());
    if (command == "--help" || command == "-h") {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (command == "--version") {
        std::printf("snilab-cli %s (models: %s; devices: %s)\n", SNILAB_VERSION,
                    snilab::availableModelsText().c_str(),
                    snilab::cudaAvailable() ? "cpu, cuda" : "cpu");
        return 0;
    }
    if (command == "help") {
        if (args.empty()) {
            std::fputs(kUsage, stdout);
            return 0;
        }
        const Command* c = findCommand(args.front());
        if (!c) {
            std::fprintf(stderr, "snilab-cli: unknown command '%s'\n", args.front().c_str());
            return 2;
        }
        std::fputs(c->help, stdout);
        return 0;
    }
    const Command* c = findCommand(command);
    if (!c) {
        std::fprintf(stderr, "snilab-cli: unknown command '%s' (see snilab-cli --help)\n",
                     command.c_str());
        return 2;
    }
    for (const auto& a : args) {
        if (a == "--")
            break;
        if (a == "--help" || a == "-h") {
            std::fputs(c->help, stdout);
            return 0;
        }
    }
    return runCommand(*c, args);
}
