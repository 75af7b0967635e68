#include "tasks/build_info.h"

#include "eval/evaluation_config.h"
#include "models/sequence_network.h"

#include <pcap/pcap.h>
#include <sqlite3.h>
#if SNILAB_WITH_OPENCV
#include <opencv2/core/version.hpp>
#endif

namespace snilab {

std::vector<std::pair<std::string, std::string>> buildInfo()
{
    std::vector<std::pair<std::string, std::string>> info;
    info.emplace_back("snilab", SNILAB_VERSION);
#if defined(__clang__)
    info.emplace_back("compiler", "clang " __clang_version__);
#elif defined(__GNUC__)
    info.emplace_back("compiler", "GCC " __VERSION__);
#endif
    info.emplace_back("libpcap", pcap_lib_version());
    info.emplace_back("SQLite", sqlite3_libversion());
#if SNILAB_WITH_OPENCV
    info.emplace_back("OpenCV", CV_VERSION);
#else
    info.emplace_back("OpenCV", "not built in (SNILAB_WITH_OPENCV=OFF): no random forest");
#endif
    info.emplace_back("LibTorch module", loadNetworkModule()
                                             ? "loaded"
                                             : "not available: " + torchUnavailableReason());
    info.emplace_back("devices", cudaAvailable() ? "cpu, cuda"
                                                 : "cpu (CUDA: " + cudaUnavailableReason() + ")");
    info.emplace_back("models", availableModelsText());
    return info;
}

std::string availableModelsText()
{
    std::string models;
    for (const auto& m : EvaluationConfig::availableModels())
        models += (models.empty() ? "" : ", ") + m;
    return models.empty() ? "none" : models;
}

std::string buildInfoText()
{
    std::string text;
    for (const auto& [name, value] : buildInfo())
        text += name + ": " + value + "\n";
    return text;
}

} // namespace snilab
