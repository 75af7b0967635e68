// What this build of snilab is made of, for Help > About and bug reports:
// the snilab version, compiler, the library versions it runs with (libpcap,
// SQLite, OpenCV when built with it), the LibTorch module (loaded, or why
// not), the devices networks can train on (and why not CUDA) and the models.
// Loading the LibTorch module to ask takes about a second the first time.
// Thread: any. Failure: none (what cannot be found says so in its value).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace snilab {

// (name, value) lines, in a fixed order.
std::vector<std::pair<std::string, std::string>> buildInfo();
// The same as text: "name: value" lines.
std::string buildInfoText();
// The models and ensembles this build can run, comma-separated ("none"):
// the "models" line above and `snilab-cli --version`.
std::string availableModelsText();

} // namespace snilab
