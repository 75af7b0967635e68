// The snilab-cli commands. Each returns the process exit status.
#pragma once

#include "eval/evaluator.h"
#include "features/feature_spec.h"
#include "flow/label.h"
#include "report/atomic_file.h"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace snilab::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitBadInput = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitCatalog = 3;
inline constexpr int kExitOutput = 4;
inline constexpr int kExitInterrupted = 130;

struct Command {
    const char* name;
    const char* help;
    int (*run)(const std::vector<std::string>& args);
};

const Command* findCommand(const std::string& name);
// Runs a command, turning usage and catalog errors into messages and exit codes.
int runCommand(const Command& command, const std::vector<std::string>& args);

class Args;

// The output (file or stream) could not be written: exit status 4.
using OutputError = report::OutputError;

// --label-mode default|paper (default: default).
LabelMode labelModeOption(const Args& args);
// --transport tcp|quic|all (default all).
TransportFilter transportOption(const Args& args);
// Comma-separated items (spaces around them trimmed); an empty item is a
// usage error naming --option.
std::vector<std::string> splitList(const std::string& text, const std::string& option);
// --threads N: 1..4096, or absent (0: every core).
unsigned threadsOption(const Args& args);
// EvaluationConfig::validate() as a UsageError.
void validateConfig(const EvaluationConfig& config);
// --threshold-rule at-least|more-than (default at-least).
ThresholdRule ruleOption(const Args& args);
// --feature-spec (default: the default spec).
FeatureSpec specOption(const Args& args);
// The options evaluate and train share: --models, --threshold-rule, --seed,
// --label-mode, --feature-spec, --trees, --threads, --epochs, --patience,
// --batch-size, --device, --preset.
void parseModelOptions(const Args& args, EvaluationConfig& config);
// Files and directories (their capture files) to ingest.
std::vector<std::filesystem::path> expandInputs(const std::vector<std::string>& inputs);

extern const char kEvaluateHelp[];
extern const char kRunsHelp[];
extern const char kReportHelp[];
extern const char kFeaturesHelp[];
extern const char kTrainHelp[];
extern const char kPredictHelp[];

int ingestCommand(const std::vector<std::string>& args);
int evaluateCommand(const std::vector<std::string>& args);
int runsCommand(const std::vector<std::string>& args);
int reportCommand(const std::vector<std::string>& args);
int featuresCommand(const std::vector<std::string>& args);
int trainCommand(const std::vector<std::string>& args);
int predictCommand(const std::vector<std::string>& args);
int summaryCommand(const std::vector<std::string>& args);
int connectionsCommand(const std::vector<std::string>& args);

} // namespace snilab::cli
