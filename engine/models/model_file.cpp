#include "models/model_file.h"

#include "common/content_hash.h"
#include "models/model_bytes.h"
#include "report/atomic_file.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <iterator>
#include <set>
#include <sstream>

namespace snilab {

namespace {

constexpr char kMagic[8] = {'S', 'N', 'I', 'L', 'A', 'B', 'M', 'F'};
constexpr std::size_t kChecksumSize = 32;
constexpr std::uint64_t kMaxFileBytes = std::uint64_t{1} << 36; // 64 GiB

std::string checksum(std::span<const std::uint8_t> bytes)
{
    ContentHasher hasher;
    hasher.update(bytes);
    return hasher.finishHex();
}

std::string utcNow()
{
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// Format 2 header: u32 number of fields, then each field as two u64-length-
// prefixed strings (key, value); labels are one "label" field each, in class
// order. No byte of a value (an SNI may hold newlines, '=', NUL, anything)
// can start another field. Format 1 (text "key=value" lines) is still read.
std::vector<std::uint8_t> headerBytes(const ModelFileInfo& info)
{
    std::vector<std::pair<std::string, std::string>> fields = {
        {"created_by", info.createdBy},
        {"created_at", info.createdAt},
        {"primary", info.primary},
        {"label_mode", std::string(labelModeName(info.labelMode))},
        {"feature_spec", info.spec.toString()},
        {"threshold_rule", std::string(thresholdRuleName(info.rule))},
        {"threshold", std::to_string(info.threshold)},
        {"trained_connections", std::to_string(info.trainedConnections)},
        {"data_fingerprint", info.dataFingerprint},
        {"training_config", info.trainingConfig},
    };
    for (const auto& label : info.labels)
        fields.emplace_back("label", label);
    std::vector<std::uint8_t> out;
    putU32(out, static_cast<std::uint32_t>(fields.size()));
    for (const auto& [key, value] : fields) {
        putString(out, key);
        putString(out, value);
    }
    return out;
}

// One header field into `info`; `seen` refuses a second copy of any field
// but "label" (a forged or corrupt header never silently overrides one).
void applyField(ModelFileInfo& info, const std::string& key, const std::string& value,
                std::set<std::string>& seen, const std::function<void(const std::string&)>& bad)
{
    if (key != "label" && key.rfind("config.", 0) != 0 && !seen.insert(key).second)
        bad("field '" + key + "' appears twice");
    if (key == "created_by")
        info.createdBy = value;
    else if (key == "created_at")
        info.createdAt = value;
    else if (key == "primary")
        info.primary = value;
    else if (key == "label_mode") {
        const auto m = parseLabelMode(value);
        if (!m)
            bad("unknown label mode '" + value + "'");
        info.labelMode = *m;
    } else if (key == "feature_spec") {
        std::string why;
        const auto spec = FeatureSpec::parse(value, &why);
        if (!spec)
            bad("feature spec: " + why);
        info.spec = *spec;
    } else if (key == "threshold_rule") {
        const auto rule = parseThresholdRule(value);
        if (!rule)
            bad("threshold rule '" + value + "'");
        info.rule = *rule;
    } else if (key == "threshold")
        info.threshold = std::atoi(value.c_str());
    else if (key == "trained_connections")
        info.trainedConnections = std::strtoull(value.c_str(), nullptr, 10);
    else if (key == "data_fingerprint")
        info.dataFingerprint = value;
    else if (key == "training_config")
        info.trainingConfig = value;
    else if (key.rfind("config.", 0) == 0) // format 1
        info.trainingConfig += key.substr(7) + "=" + value + "\n";
    else if (key == "label")
        info.labels.push_back(value);
    // Unknown keys of the same format version are ignored (additions).
}

ModelFileInfo parseHeader(std::uint32_t version, const std::string& header,
                          const std::string& where)
{
    const auto bad = [&](const std::string& why) {
        throw ModelError(where + ": corrupt model header (" + why + ")");
    };
    ModelFileInfo info;
    info.createdBy.clear();
    std::set<std::string> seen;
    if (version >= 2) {
        const std::span<const std::uint8_t> bytes(
            reinterpret_cast<const std::uint8_t*>(header.data()), header.size());
        ByteReader in(bytes);
        const std::uint32_t count = in.u32("header fields");
        if (count > bytes.size() / 16)
            bad("field count");
        for (std::uint32_t i = 0; i < count; ++i) {
            const std::string key = in.string("header key");
            const std::string value = in.string("header value");
            applyField(info, key, value, seen, bad);
        }
        if (in.left() != 0)
            bad("trailing bytes");
    } else {
        std::istringstream in(header);
        for (std::string line; std::getline(in, line);) {
            const auto eq = line.find('=');
            if (eq == std::string::npos)
                bad("line without '='");
            applyField(info, line.substr(0, eq), line.substr(eq + 1), seen, bad);
        }
    }
    if (!seen.count("feature_spec") || !seen.count("label_mode") || info.labels.size() < 2)
        bad("missing feature spec, label mode or labels");
    return info;
}

} // namespace

void writeModelFile(const std::filesystem::path& path, ModelFile& model)
{
    model.info.formatVersion = ModelFileInfo::kFormatVersion;
    model.info.createdAt = utcNow();
    std::vector<std::uint8_t> out(std::begin(kMagic), std::end(kMagic));
    putU32(out, ModelFileInfo::kFormatVersion);
    putBytes(out, headerBytes(model.info));
    putBytes(out, model.models.save());
    const std::string digest = checksum(out);
    out.insert(out.end(), digest.begin(), digest.end());

    try {
        report::writeFileAtomically(
            path, std::string_view(reinterpret_cast<const char*>(out.data()), out.size()));
    } catch (const report::OutputError& e) {
        throw ModelError(e.what());
    }
}

ModelFile readModelFile(const std::filesystem::path& path)
{
    const std::string where = path.string();
    std::ifstream f(path, std::ios::binary);
    if (!f)
        throw ModelError(where + ": cannot open: " + std::strerror(errno));
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec)
        throw ModelError(where + ": cannot read: " + ec.message());
    if (size > kMaxFileBytes)
        throw ModelError(where + ": too large to be a snilab model file");
    char magic[sizeof kMagic] = {};
    f.read(magic, sizeof magic);
    if (static_cast<std::size_t>(f.gcount()) < sizeof kMagic ||
        std::memcmp(magic, kMagic, sizeof kMagic) != 0)
        throw ModelError(where + ": not a snilab model file");
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
    std::memcpy(bytes.data(), magic, sizeof magic);
    f.read(reinterpret_cast<char*>(bytes.data() + sizeof magic),
           static_cast<std::streamsize>(size - sizeof magic));
    if (static_cast<std::uint64_t>(f.gcount()) != size - sizeof magic)
        throw ModelError(where + ": cannot read the whole file");

    const std::span<const std::uint8_t> all(bytes);
    if (all.size() >= sizeof kMagic + 4) {
        ByteReader peek(all.subspan(sizeof kMagic));
        const std::uint32_t version = peek.u32("version");
        if (version > ModelFileInfo::kFormatVersion)
            throw ModelError(where + ": written by a newer snilab (model format " +
                             std::to_string(version) + "; this build reads format " +
                             std::to_string(ModelFileInfo::kFormatVersion) + "): upgrade snilab");
        if (version == 0)
            throw ModelError(where + ": corrupt (model format 0)");
    }
    if (all.size() < sizeof kMagic + 4 + kChecksumSize)
        throw ModelError(where + ": truncated model file");
    const auto payload = all.first(all.size() - kChecksumSize);
    const auto stored = all.last(kChecksumSize);
    const std::string digest = checksum(payload);
    if (!std::equal(stored.begin(), stored.end(), digest.begin(), digest.end()))
        throw ModelError(where + ": corrupt or truncated (checksum mismatch)");
    ModelFile model;
    try {
        ByteReader in(payload.subspan(sizeof kMagic));
        const std::uint32_t version = in.u32("version");
        model.info = parseHeader(version, in.string("header"), where);
        model.info.formatVersion = version;
        model.models = ModelSet::load(in.bytes("models"));
        if (in.left() != 0)
            throw ModelError("trailing bytes");
    } catch (const ModelError& e) {
        const std::string what = e.what();
        if (what.rfind(where, 0) == 0)
            throw;
        throw ModelError(where + ": " + what);
    }
    if (static_cast<std::size_t>(model.models.classCount()) != model.info.labels.size())
        throw ModelError(where + ": corrupt (label map and models disagree on the classes)");
    const auto& order = model.models.plan().order;
    if (model.info.primary.empty() ||
        std::find(order.begin(), order.end(), model.info.primary) == order.end())
        throw ModelError(where + ": corrupt (primary model '" + model.info.primary +
                         "' is not in the file)");
    return model;
}

} // namespace snilab
