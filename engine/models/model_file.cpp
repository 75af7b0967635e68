#include "models/model_file.h"

#include "common/content_hash.h"
#include "models/model_bytes.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
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

// Labels may hold any byte but newline; they are one per "label=" line.
std::string headerText(const ModelFileInfo& info)
{
    std::ostringstream out;
    out << "created_by=" << info.createdBy << "\ncreated_at=" << info.createdAt
        << "\nprimary=" << info.primary << "\nlabel_mode=" << labelModeName(info.labelMode)
        << "\nfeature_spec=" << info.spec.toString()
        << "\nthreshold_rule=" << (info.rule == ThresholdRule::AtLeast ? "at-least" : "more-than")
        << "\nthreshold=" << info.threshold << "\ntrained_connections=" << info.trainedConnections
        << "\ndata_fingerprint=" << info.dataFingerprint << "\n";
    std::istringstream config(info.trainingConfig);
    for (std::string line; std::getline(config, line);)
        if (!line.empty())
            out << "config." << line << "\n";
    for (const auto& label : info.labels)
        out << "label=" << label << "\n";
    return out.str();
}

ModelFileInfo parseHeader(const std::string& text, const std::string& where)
{
    const auto bad = [&](const std::string& why) {
        throw ModelError(where + ": corrupt model header (" + why + ")");
    };
    ModelFileInfo info;
    info.createdBy.clear();
    std::istringstream in(text);
    bool haveSpec = false, haveMode = false;
    for (std::string line; std::getline(in, line);) {
        const auto eq = line.find('=');
        if (eq == std::string::npos)
            bad("line without '='");
        const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
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
            haveMode = true;
        } else if (key == "feature_spec") {
            std::string why;
            const auto s = FeatureSpec::parse(value, &why);
            if (!s)
                bad("feature spec: " + why);
            info.spec = *s;
            haveSpec = true;
        } else if (key == "threshold_rule") {
            if (value != "at-least" && value != "more-than")
                bad("threshold rule '" + value + "'");
            info.rule = value == "at-least" ? ThresholdRule::AtLeast : ThresholdRule::MoreThan;
        } else if (key == "threshold")
            info.threshold = std::atoi(value.c_str());
        else if (key == "trained_connections")
            info.trainedConnections = std::strtoull(value.c_str(), nullptr, 10);
        else if (key == "data_fingerprint")
            info.dataFingerprint = value;
        else if (key.rfind("config.", 0) == 0)
            info.trainingConfig += key.substr(7) + "=" + value + "\n";
        else if (key == "label")
            info.labels.push_back(value);
        // Unknown keys of the same format version are ignored (additions).
    }
    if (!haveSpec || !haveMode || info.labels.size() < 2)
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
    putString(out, headerText(model.info));
    putBytes(out, model.models.save());
    const std::string digest = checksum(out);
    out.insert(out.end(), digest.begin(), digest.end());

    std::filesystem::path tmp = path;
    tmp += ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f)
            throw ModelError(path.string() + ": cannot write: " + std::strerror(errno));
        f.write(reinterpret_cast<const char*>(out.data()),
                static_cast<std::streamsize>(out.size()));
        f.flush();
        if (!f) {
            std::error_code ec;
            std::filesystem::remove(tmp, ec);
            throw ModelError(path.string() + ": write error");
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        throw ModelError(path.string() + ": cannot write: " + ec.message());
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
        model.info = parseHeader(in.string("header"), where);
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
