// Which files are captures, and the files that a list of paths names - the
// one rule for the CLI's arguments and the workbench's dropped or chosen
// paths: a file is taken as given (a missing or unreadable one is reported
// by the ingest, not here); a directory is searched recursively for
// *.pcap, *.pcapng, *.cap, *.dmp, *.mcap, optionally .gz or .zst, in any
// case (a suffix test: any byte, a newline included, may come before the
// extension), only regular files, unreadable subdirectories skipped, each
// directory's finds sorted. A path named twice is kept once (first place).
//
// Thread: free functions. Failure: none (what cannot be listed is skipped).
#pragma once

#include <filesystem>
#include <vector>

namespace snilab {

bool isCaptureName(const std::filesystem::path& path);

std::vector<std::filesystem::path>
findCaptureFiles(const std::vector<std::filesystem::path>& inputs);

} // namespace snilab
