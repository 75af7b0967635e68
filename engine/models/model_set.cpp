// Format of ModelSet::save() (little-endian, strings and blobs u64-length-prefixed):
//   "SNMS" u32 version=1  u32 classes  u32 names  string x names (plan().order)
//   u32 forestPresent [blob RandomForest::save()]
//   u32 networks, each: string name, u32 channels, string x channels,
//       u32 scalerChannels, f64bits x 2*scalerChannels (means then stds),
//       blob SequenceNetwork::save()
#include "models/model_set.h"

#include "features/sequences.h"
#include "features/statistics.h"
#include "models/model_bytes.h"

#include <algorithm>
#include <cstring>

namespace snilab {

namespace {

[[noreturn]] void fail(const std::string& message)
{
    throw ModelError(message);
}

constexpr std::uint8_t kMagic[4] = {'S', 'N', 'M', 'S'};
constexpr std::uint32_t kVersion = 1;

struct NetworkEntry {
    ModelSpec spec;
    std::vector<std::size_t> channelIndex; // into the dataset's sequence channels
    ChannelScaler scaler;
    SequenceNetwork network;
};

std::vector<std::size_t> channelIndices(const ModelSpec& spec, const FeatureSpec& features)
{
    const auto names = sequenceChannelNames(features);
    std::vector<std::size_t> out;
    for (const auto& c : spec.channels) {
        const auto it = std::find(names.begin(), names.end(), c);
        if (it == names.end())
            fail("model '" + spec.name + "' needs the sequence channel '" + c +
                 "', which the feature spec '" + features.toString() + "' leaves out");
        out.push_back(static_cast<std::size_t>(it - names.begin()));
    }
    return out;
}

// rows x length x picked channels, and the real packets per row.
std::vector<float> gatherSequences(const Dataset& data, std::span<const std::size_t> rows,
                                   const std::vector<std::size_t>& picked,
                                   std::vector<std::size_t>& packets)
{
    const std::size_t L = data.options.spec.sequenceLength;
    const std::size_t C = data.options.spec.channelCount();
    const std::size_t c = picked.size();
    if (data.sequences.size() != data.size() * L * C)
        fail("the dataset holds no sequences");
    std::vector<float> out(rows.size() * L * c);
    packets.resize(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const float* src = data.sequences.data() + rows[i] * L * C;
        float* dst = out.data() + i * L * c;
        for (std::size_t t = 0; t < L; ++t)
            for (std::size_t j = 0; j < c; ++j)
                dst[t * c + j] = src[t * C + picked[j]];
        packets[i] = data.sequencePackets[rows[i]];
    }
    return out;
}

std::vector<bool> scaleMask(const ModelSpec& spec)
{
    std::vector<bool> mask;
    for (const auto& c : spec.channels)
        mask.push_back(c == "size" || c == "payload");
    return mask;
}

std::vector<float> gatherStatistics(const Dataset& data, std::span<const std::size_t> rows)
{
    if (data.statistics.size() != data.size() * kStatisticCount)
        fail("the dataset holds no statistics");
    std::vector<float> out;
    out.reserve(rows.size() * kStatisticCount);
    for (std::size_t r : rows) {
        const auto first =
            data.statistics.begin() + static_cast<std::ptrdiff_t>(r * kStatisticCount);
        out.insert(out.end(), first, first + static_cast<std::ptrdiff_t>(kStatisticCount));
    }
    return out;
}

} // namespace

struct ModelSet::Impl {
    ModelPlan plan;
    int classCount = 0;
    std::unique_ptr<RandomForest> forest;
    std::vector<NetworkEntry> networks;
    std::vector<EpochReport> history;
};

ModelSet::ModelSet() : m_impl(std::make_unique<Impl>()) {}
ModelSet::~ModelSet() = default;
ModelSet::ModelSet(ModelSet&&) noexcept = default;
ModelSet& ModelSet::operator=(ModelSet&&) noexcept = default;

const ModelPlan& ModelSet::plan() const noexcept
{
    return m_impl->plan;
}
int ModelSet::classCount() const noexcept
{
    return m_impl->classCount;
}
const std::vector<EpochReport>& ModelSet::history() const noexcept
{
    return m_impl->history;
}

void ModelSet::setThreads(int threads)
{
    if (m_impl->forest)
        m_impl->forest->setThreads(threads);
    for (auto& n : m_impl->networks)
        n.network.setThreads(threads);
}

void ModelSet::setDevice(std::string_view device)
{
    for (auto& n : m_impl->networks)
        n.network.setDevice(device);
}

void ModelSet::check(const ModelPlan& plan, const FeatureSpec& spec)
{
    for (const ModelSpec& m : plan.models) {
        if (m.forest) {
#if !SNILAB_WITH_OPENCV
            fail("model 'rf' is not available: this snilab was built without OpenCV "
                 "(SNILAB_WITH_OPENCV=OFF)");
#endif
            continue;
        }
        if (!loadNetworkModule())
            fail("model '" + m.name + "' is not available: " + torchUnavailableReason());
        channelIndices(m, spec);
    }
}

bool ModelSet::fit(const ModelPlan& plan, const Dataset& data, std::span<const std::size_t> rows,
                   std::span<const int> classes, int k, const ModelSetOptions& options,
                   Feedback& feedback, const EpochReport& report)
{
    check(plan, data.options.spec);
    if (rows.size() != classes.size())
        fail("rows and classes differ in length");
    auto impl = std::make_unique<Impl>();
    impl->plan = plan;
    impl->classCount = k;
    const double share = 1.0 / static_cast<double>(plan.models.size());
    for (std::size_t m = 0; m < plan.models.size(); ++m) {
        const ModelSpec& spec = plan.models[m];
        ScaledFeedback sub(feedback, share * static_cast<double>(m), share, spec.name);
        if (spec.forest) {
            const auto x = gatherStatistics(data, rows);
            RandomForestOptions rf;
            rf.trees = options.trees;
            rf.maxDepth = options.maxDepth;
            rf.threads = options.threads;
            rf.seed = options.seed;
            auto forest = std::make_unique<RandomForest>(rf);
            if (!forest->fit(x.data(), rows.size(), kStatisticCount, classes.data(), k, &sub))
                return false;
            impl->forest = std::move(forest);
            continue;
        }
        NetworkEntry entry;
        entry.spec = spec;
        entry.channelIndex = channelIndices(spec, data.options.spec);
        std::vector<std::size_t> packets;
        auto x = gatherSequences(data, rows, entry.channelIndex, packets);
        const std::size_t L = data.options.spec.sequenceLength;
        entry.scaler.fit(x, packets, L, spec.channels.size(), scaleMask(spec));
        entry.scaler.transform(x, packets, L);
        NetworkOptions net = NetworkOptions::defaults(spec.network);
        if (spec.network == NetworkKind::CnnGru && spec.input == "iat")
            net.dropout = options.iatDropout;
        entry.network = SequenceNetwork(net);
        TrainingOptions training = options.training;
        training.seed = options.seed;
        training.threads = options.threads;
        EpochReport tmpl = report;
        tmpl.model = spec.name;
        if (!entry.network.fit(x.data(), rows.size(), L, spec.channels.size(), classes.data(), k,
                               training, &sub, tmpl))
            return false;
        const auto& h = entry.network.history();
        impl->history.insert(impl->history.end(), h.begin(), h.end());
        impl->networks.push_back(std::move(entry));
    }
    m_impl = std::move(impl);
    return true;
}

std::map<std::string, std::vector<double>>
ModelSet::predict(const Dataset& data, std::span<const std::size_t> rows) const
{
    if (m_impl->classCount == 0)
        fail("predict before fit or load");
    std::map<std::string, std::vector<double>> out;
    for (const ModelSpec& spec : m_impl->plan.models) {
        if (spec.forest) {
            if (!m_impl->forest)
                fail("the model set has no trained forest");
            const auto x = gatherStatistics(data, rows);
            out[spec.name] = m_impl->forest->predictProba(x.data(), rows.size(), kStatisticCount);
            continue;
        }
        const auto it =
            std::find_if(m_impl->networks.begin(), m_impl->networks.end(),
                         [&](const NetworkEntry& e) { return e.spec.name == spec.name; });
        if (it == m_impl->networks.end())
            fail("the model set has no trained network '" + spec.name + "'");
        const auto picked = channelIndices(spec, data.options.spec);
        std::vector<std::size_t> packets;
        auto x = gatherSequences(data, rows, picked, packets);
        if (data.options.spec.sequenceLength != it->network.length())
            fail("network '" + spec.name + "' expects sequences of " +
                 std::to_string(it->network.length()) + " packets");
        it->scaler.transform(x, packets, data.options.spec.sequenceLength);
        out[spec.name] = it->network.predictProba(x.data(), rows.size());
    }
    for (const EnsembleSpec& e : m_impl->plan.ensembles) {
        std::vector<const std::vector<double>*> parts;
        for (const auto& [name, w] : e.members)
            parts.push_back(&out.at(name));
        out[e.name] = combineEnsemble(e, parts);
    }
    return out;
}

std::vector<std::uint8_t> ModelSet::save() const
{
    if (m_impl->classCount == 0)
        fail("save before fit or load");
    std::vector<std::uint8_t> out(std::begin(kMagic), std::end(kMagic));
    putU32(out, kVersion);
    putU32(out, static_cast<std::uint32_t>(m_impl->classCount));
    putU32(out, static_cast<std::uint32_t>(m_impl->plan.order.size()));
    for (const auto& name : m_impl->plan.order)
        putString(out, name);
    putU32(out, m_impl->forest ? 1 : 0);
    if (m_impl->forest)
        putBytes(out, m_impl->forest->save());
    putU32(out, static_cast<std::uint32_t>(m_impl->networks.size()));
    for (const auto& n : m_impl->networks) {
        putString(out, n.spec.name);
        putU32(out, static_cast<std::uint32_t>(n.spec.channels.size()));
        for (const auto& c : n.spec.channels)
            putString(out, c);
        putU32(out, static_cast<std::uint32_t>(n.scaler.channels()));
        for (double v : n.scaler.means())
            putF64(out, v);
        for (double v : n.scaler.stds())
            putF64(out, v);
        putBytes(out, n.network.save());
    }
    return out;
}

ModelSet ModelSet::load(std::span<const std::uint8_t> bytes)
{
    if (bytes.size() < sizeof(kMagic) || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
        fail("not a snilab model set (bad magic)");
    ByteReader in(bytes);
    in.take(sizeof(kMagic), "magic");
    const std::uint32_t version = in.u32("version");
    if (version != kVersion)
        fail("unsupported model set format " + std::to_string(version));
    ModelSet set;
    auto& impl = *set.m_impl;
    const std::uint32_t k = in.u32("class count");
    if (k < 2 || k > 1000000)
        fail("bad class count " + std::to_string(k));
    impl.classCount = static_cast<int>(k);
    const std::uint32_t names = in.u32("model names");
    if (names < 1 || names > 1000)
        fail("bad model count");
    std::vector<std::string> order;
    for (std::uint32_t i = 0; i < names; ++i)
        order.push_back(in.string("model name"));
    std::string why;
    auto plan = planModels(order, &why);
    if (!plan)
        fail("stored model list is invalid: " + why);
    impl.plan = *plan;
    if (in.u32("forest flag") != 0) {
#if !SNILAB_WITH_OPENCV
        fail("the model holds a random forest, but this snilab was built without OpenCV");
#endif
        impl.forest = std::make_unique<RandomForest>(RandomForest::load(in.bytes("forest")));
        if (impl.forest->classCount() != impl.classCount)
            fail("stored forest has " + std::to_string(impl.forest->classCount()) + " classes");
    }
    const std::uint32_t networks = in.u32("network count");
    if (networks > 1000)
        fail("bad network count");
    for (std::uint32_t i = 0; i < networks; ++i) {
        const std::string name = in.string("network name");
        const auto spec = parseModelName(name, &why);
        if (!spec || spec->forest)
            fail("stored network name '" + name + "' is invalid");
        const std::uint32_t channels = in.u32("channels");
        std::vector<std::string> stored;
        for (std::uint32_t c = 0; c < channels && c < 16; ++c)
            stored.push_back(in.string("channel"));
        if (stored != spec->channels)
            fail("stored channels of '" + name + "' do not match its name");
        const std::uint32_t scalerChannels = in.u32("scaler");
        if (scalerChannels != channels)
            fail("stored scaler of '" + name + "' has the wrong size");
        std::vector<double> means, stds;
        for (std::uint32_t c = 0; c < scalerChannels; ++c)
            means.push_back(in.f64("scaler"));
        for (std::uint32_t c = 0; c < scalerChannels; ++c)
            stds.push_back(in.f64("scaler"));
        NetworkEntry entry;
        entry.spec = *spec;
        entry.scaler = ChannelScaler(std::move(means), std::move(stds));
        entry.network = SequenceNetwork::load(in.bytes("network"));
        if (entry.network.classCount() != impl.classCount ||
            entry.network.channels() != spec->channels.size())
            fail("stored network '" + name + "' does not fit the model's classes or channels");
        impl.networks.push_back(std::move(entry));
    }
    if (in.left() != 0)
        fail(std::to_string(in.left()) + " trailing bytes after the model set");
    for (const ModelSpec& m : impl.plan.models) {
        const bool have =
            m.forest ? impl.forest != nullptr
                     : std::any_of(impl.networks.begin(), impl.networks.end(),
                                   [&](const NetworkEntry& e) { return e.spec.name == m.name; });
        if (!have)
            fail("the model set lacks its model '" + m.name + "'");
    }
    return set;
}

} // namespace snilab
