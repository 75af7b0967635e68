// The random forest's model file: save() and load() (layout in
// random_forest_internal.h).
#include "models/opencv/random_forest_internal.h"

#include "common/content_hash.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <iterator>
#include <memory>

namespace snilab {

namespace {

using namespace forest_detail;

std::string checksum(std::span<const std::uint8_t> bytes)
{
    ContentHasher hasher;
    hasher.update(bytes);
    return hasher.finishHex();
}

// Sub-forest i of a model file: its header (tree count, length) and its
// OpenCV text, checked against the model's header.
Forest readSubForest(ByteReader& in, std::uint32_t i, std::uint32_t trees,
                     std::uint64_t featureCount, int classCount)
{
    Forest forest;
    const std::uint32_t forestTrees = in.u32("sub-forest header");
    const std::uint64_t length = in.u64("sub-forest header");
    if (forestTrees < 1 || forestTrees > trees)
        fail("bad tree count in sub-forest " + std::to_string(i));
    if (length > in.left())
        fail("model bytes truncated in sub-forest " + std::to_string(i));
    const auto body = in.take(static_cast<std::size_t>(length), "sub-forest");
    forest.trees = asI32(forestTrees);
    try {
        const std::string text(body.begin(), body.end());
        cv::FileStorage fs(text, cv::FileStorage::READ | cv::FileStorage::MEMORY);
        const cv::FileNode node = fs["forest"];
        if (node.empty() || !node.isMap())
            fail("sub-forest " + std::to_string(i) + " has no forest node");
        forest.model = cv::ml::RTrees::create();
        forest.model->read(node);
        if (!forest.model->isTrained() || !forest.model->isClassifier())
            fail("sub-forest " + std::to_string(i) + " is not a trained classifier");
        if (static_cast<std::uint64_t>(forest.model->getVarCount()) != featureCount)
            fail("sub-forest " + std::to_string(i) + " has " +
                 std::to_string(forest.model->getVarCount()) + " features, expected " +
                 std::to_string(featureCount));
        if (forest.model->getRoots().size() != forestTrees)
            fail("sub-forest " + std::to_string(i) + " holds " +
                 std::to_string(forest.model->getRoots().size()) + " trees, header says " +
                 std::to_string(forestTrees));
        forest.classOfColumn =
            columnClasses(*forest.model, static_cast<std::size_t>(featureCount), classCount);
    } catch (const cv::Exception& e) {
        fail("OpenCV could not read sub-forest " + std::to_string(i) + ": " + oneLine(e.what()));
    }
    return forest;
}

} // namespace

using namespace forest_detail;

std::vector<std::uint8_t> RandomForest::save() const
{
    if (!m_impl)
        fail("save before fit or load");
    std::vector<std::uint8_t> out(std::begin(kMagic), std::end(kMagic));
    putU32(out, kVersion);
    putU32(out, static_cast<std::uint32_t>(m_impl->classCount));
    putU64(out, m_impl->featureCount);
    putU32(out, static_cast<std::uint32_t>(m_impl->trees));
    putU32(out, static_cast<std::uint32_t>(m_options.maxDepth));
    putU32(out, static_cast<std::uint32_t>(m_options.minSamples));
    putU32(out, static_cast<std::uint32_t>(m_options.activeVars));
    putU64(out, m_options.seed);
    putU32(out, static_cast<std::uint32_t>(m_impl->forests.size()));
    try {
        for (const auto& forest : m_impl->forests) {
            cv::FileStorage fs(".yml", cv::FileStorage::WRITE | cv::FileStorage::MEMORY);
            fs << "forest"
               << "{";
            forest.model->write(fs);
            fs << "}";
            const std::string text = fs.releaseAndGetString();
            putU32(out, static_cast<std::uint32_t>(forest.trees));
            putU64(out, text.size());
            out.insert(out.end(), text.begin(), text.end());
        }
    } catch (const cv::Exception& e) {
        fail("OpenCV could not save: " + oneLine(e.what()));
    }
    const std::string digest = checksum(out);
    out.insert(out.end(), digest.begin(), digest.end());
    return out;
}

RandomForest RandomForest::load(std::span<const std::uint8_t> bytes)
{
    if (bytes.size() < sizeof(kMagic) || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
        fail("not a random forest model (bad magic)");
    if (bytes.size() < sizeof(kMagic) + kChecksumSize)
        fail("model bytes truncated");
    const auto payload = bytes.first(bytes.size() - kChecksumSize);
    const auto stored = bytes.last(kChecksumSize);
    const std::string digest = checksum(payload);
    if (!std::equal(stored.begin(), stored.end(), digest.begin(), digest.end()))
        fail("model bytes corrupt (checksum mismatch)");
    ByteReader in(payload);
    in.take(sizeof(kMagic), "magic");
    const std::uint32_t version = in.u32("version");
    if (version != kVersion)
        fail("unsupported model version " + std::to_string(version));

    const std::uint32_t classCount = in.u32("class count");
    const std::uint64_t featureCount = in.u64("feature count");
    const std::uint32_t trees = in.u32("tree count");
    RandomForestOptions options;
    options.maxDepth = asI32(in.u32("options"));
    options.minSamples = asI32(in.u32("options"));
    options.activeVars = asI32(in.u32("options"));
    options.seed = in.u64("options");
    options.threads = 0;
    const std::uint32_t forestCount = in.u32("sub-forest count");
    if (classCount < 2 || classCount > kMaxClasses)
        fail("bad class count " + std::to_string(classCount));
    if (featureCount < 1 || featureCount > static_cast<std::uint64_t>(INT_MAX))
        fail("bad feature count " + std::to_string(featureCount));
    if (trees < 1 || trees > static_cast<std::uint32_t>(INT_MAX))
        fail("bad tree count " + std::to_string(trees));
    if (forestCount < 1 || forestCount > kMaxForests || forestCount > trees)
        fail("bad sub-forest count " + std::to_string(forestCount));
    options.trees = asI32(trees);
    try {
        checkOptions(options);
    } catch (const ModelError& e) {
        fail(std::string("bad stored options: ") + e.what());
    }

    auto impl = std::make_unique<Impl>();
    impl->classCount = asI32(classCount);
    impl->featureCount = static_cast<std::size_t>(featureCount);
    impl->trees = asI32(trees);
    impl->forests.resize(forestCount);
    std::uint64_t treeSum = 0;
    for (std::uint32_t i = 0; i < forestCount; ++i) {
        impl->forests[i] = readSubForest(in, i, trees, featureCount, impl->classCount);
        treeSum += static_cast<std::uint32_t>(impl->forests[i].trees);
    }
    if (treeSum != trees)
        fail("sub-forests hold " + std::to_string(treeSum) + " trees, header says " +
             std::to_string(trees));
    if (in.left() != 0)
        fail(std::to_string(in.left()) + " trailing bytes after the model");

    RandomForest forest(options);
    forest.m_impl = std::move(impl);
    return forest;
}

} // namespace snilab
