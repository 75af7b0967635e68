// "Never overwrite an input": before a command does any work, every path it
// will write is compared with every file it reads - the catalog (with its
// -wal, -shm and -journal files), captures, model files - by device and inode,
// so a symlink, a hard link, "./x" versus "x" or a bind mount cannot hide that
// two names are one file. A path that does not exist yet conflicts with
// nothing - except the catalog's side files, refused by name even while
// absent (a file planted there would be taken for the catalog's journal).
//
// Thread: free functions. Failure: OutputConflict (a UsageError-like one-line
// reason naming both paths); the caller has written nothing yet.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace snilab::report {

class OutputConflict : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct GuardedInput {
    std::filesystem::path path;
    std::string role;          // "the catalog", "a capture", "the model file", ...
    bool evenIfAbsent = false; // also refused by (canonical) name when it does not exist
};

// The catalog and its SQLite side files, as inputs.
std::vector<GuardedInput> catalogInputs(const std::filesystem::path& catalog);

// Throws OutputConflict when `output` (following symlinks) is one of `inputs`.
// `option` names the output in the message ("--out").
void refuseOverwrite(const std::filesystem::path& output, const std::vector<GuardedInput>& inputs,
                     const std::string& option);

// True when both paths exist and are the same file (device and inode).
bool sameFile(const std::filesystem::path& a, const std::filesystem::path& b);

} // namespace snilab::report
