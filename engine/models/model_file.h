// Model files (".snilab"): everything needed to classify new captures - the
// trained ModelSet (forest, networks with their scalers, ensembles), the label
// map, the label mode, the FeatureSpec and how the classes were chosen.
//
// Layout: the 8 bytes "SNILABMF", u32 format version, the u64-length-prefixed
// header (format 2: u32 field count, then per field a u64-length-prefixed key
// and value, labels as repeated "label" fields - no byte of an SNI can change
// the structure; format 1, still read: "key=value" lines), the u64-length-
// prefixed ModelSet bytes, and 32 hex digits of ContentHasher checksum over
// everything before them. A field other than "label" appearing twice makes
// the file corrupt.
//
// writeModelFile() writes to a temporary file beside the target and renames
// it, so a failed or interrupted write never leaves a half file.
// readModelFile() says clearly what is wrong: not a model file (foreign
// bytes), written by a newer snilab (format version), corrupt (checksum,
// truncation, inconsistent content) or needing a component this build lacks.
//
// Thread: free functions on values. Failure: ModelError, one line, starting
// with the file's path.
#pragma once

#include "dataset/thresholds.h"
#include "features/feature_spec.h"
#include "flow/label.h"
#include "models/model_set.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace snilab {

struct ModelFileInfo {
    // 1: text header of key=value lines; 2: length-prefixed header fields.
    static constexpr std::uint32_t kFormatVersion = 2;
    std::uint32_t formatVersion = kFormatVersion;
    std::string createdBy = "snilab " SNILAB_VERSION;
    std::string createdAt; // UTC ISO 8601, set by writeModelFile()
    std::string primary;   // the model/ensemble `predict` uses by default
    LabelMode labelMode = LabelMode::Default;
    FeatureSpec spec;
    ThresholdRule rule = ThresholdRule::AtLeast;
    int threshold = 0;
    std::vector<std::string> labels; // class index -> label
    std::uint64_t trainedConnections = 0;
    std::string dataFingerprint;
    std::string trainingConfig; // free text: seed, epochs, trees, ...
};

struct ModelFile {
    ModelFileInfo info;
    ModelSet models;
};

void writeModelFile(const std::filesystem::path& path, ModelFile& model);
ModelFile readModelFile(const std::filesystem::path& path);

} // namespace snilab
