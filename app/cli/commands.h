// The snilab-cli commands. Each returns the process exit status.
#pragma once

#include "flow/label.h"

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
class OutputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// --label-mode default|paper (default: default).
LabelMode labelModeOption(const Args& args);

extern const char kEvaluateHelp[];
extern const char kRunsHelp[];
extern const char kReportHelp[];
extern const char kFeaturesHelp[];

int ingestCommand(const std::vector<std::string>& args);
int evaluateCommand(const std::vector<std::string>& args);
int runsCommand(const std::vector<std::string>& args);
int reportCommand(const std::vector<std::string>& args);
int featuresCommand(const std::vector<std::string>& args);
int summaryCommand(const std::vector<std::string>& args);
int connectionsCommand(const std::vector<std::string>& args);

} // namespace snilab::cli
