#include "models/random_forest.h"

#include "models/model_bytes.h"

#include "common/content_hash.h"

#include <opencv2/core.hpp>
#include <opencv2/ml.hpp>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstring>
#include <exception>
#include <iterator>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace snilab {

namespace {

constexpr char kMagic[4] = {'S', 'N', 'R', 'F'};
constexpr std::uint32_t kVersion = 1;
// Trailer: ContentHasher hex digest of every byte before it. It catches
// accidental corruption inside the YAML, which OpenCV parses without checking
// node and variable indices.
constexpr std::size_t kChecksumSize = 32;
// Prediction threads get at least this many rows each: below it, thread start
// costs more than the traversal saves.
constexpr std::size_t kMinRowsPerThread = 256;
// Upper bounds checked on load, far above anything trained here, so that a
// corrupt header cannot ask for absurd allocations.
constexpr std::uint32_t kMaxClasses = 1u << 20;
constexpr std::uint32_t kMaxForests = 1u << 20;

struct Forest {
    cv::Ptr<cv::ml::RTrees> model;
    int trees = 0;
    std::vector<int> classOfColumn; // getVotes() column -> class id (its header row)
};

std::uint64_t splitMix64(std::uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

// Sub-forest i's seed: well mixed so that neighbouring seeds and indices give
// unrelated streams; never 0 (cv::RNG with state 0 yields only zeros).
std::uint64_t forestSeed(std::uint64_t seed, std::size_t index)
{
    const std::uint64_t s = splitMix64(splitMix64(seed) ^ (static_cast<std::uint64_t>(index) + 1));
    return s == 0 ? 1 : s;
}

int resolveThreads(int threads)
{
    if (threads > 0)
        return threads;
    const unsigned hw = std::thread::hardware_concurrency();
    return hw == 0 ? 1 : static_cast<int>(std::min(hw, 256u));
}

[[noreturn]] void fail(const std::string& what)
{
    throw ModelError("random forest: " + what);
}

// cv::Exception::what() spans lines ("OpenCV(4.6.0) file:line: error: ...\n").
std::string oneLine(std::string_view text)
{
    std::string line;
    for (const char ch : text) {
        const bool space = ch == '\n' || ch == '\r' || ch == '\t';
        if (space && (line.empty() || line.back() == ' '))
            continue;
        line.push_back(space ? ' ' : ch);
    }
    while (!line.empty() && line.back() == ' ')
        line.pop_back();
    return line;
}

std::string checksum(std::span<const std::uint8_t> bytes)
{
    ContentHasher hasher;
    hasher.update(bytes);
    return hasher.finishHex();
}

// Runs body(worker) on `count` threads (the calling thread is worker 0) and
// rethrows the first exception, converting cv::Exception to ModelError.
// `stop` is raised on the first failure so that the others can finish early.
template <typename Body> void runWorkers(int count, std::atomic<bool>& stop, Body body)
{
    std::exception_ptr firstError;
    std::mutex errorMutex;
    auto guarded = [&](int worker) {
        try {
            body(worker);
        } catch (...) {
            stop.store(true, std::memory_order_relaxed);
            const std::lock_guard lock(errorMutex);
            if (!firstError)
                firstError = std::current_exception();
        }
    };
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(count > 1 ? count - 1 : 0));
    for (int w = 1; w < count; ++w)
        threads.emplace_back(guarded, w);
    guarded(0);
    for (auto& t : threads)
        t.join();
    if (!firstError)
        return;
    try {
        std::rethrow_exception(firstError);
    } catch (const cv::Exception& e) {
        fail("OpenCV: " + oneLine(e.what()));
    } catch (const std::bad_alloc&) {
        fail("out of memory");
    }
}

// The class ids of getVotes()' columns: its header row. Validated against
// classCount so that a corrupt or foreign model cannot index out of range.
std::vector<int> columnClasses(const cv::ml::RTrees& model, std::size_t cols, int classCount)
{
    cv::Mat probe = cv::Mat::zeros(1, static_cast<int>(cols), CV_32F);
    cv::Mat votes;
    model.getVotes(probe, votes, 0);
    if (votes.type() != CV_32S || votes.rows != 2 || votes.cols < 1)
        fail("unexpected vote matrix from OpenCV");
    std::vector<int> classes(static_cast<std::size_t>(votes.cols));
    for (int c = 0; c < votes.cols; ++c) {
        const int id = votes.at<int>(0, c);
        if (id < 0 || id >= classCount)
            fail("sub-forest votes for class " + std::to_string(id) + " outside 0.." +
                 std::to_string(classCount - 1));
        classes[static_cast<std::size_t>(c)] = id;
    }
    return classes;
}

std::int32_t asI32(std::uint32_t v)
{
    return static_cast<std::int32_t>(v);
}

void checkOptions(const RandomForestOptions& o)
{
    if (o.trees < 1)
        fail("trees must be >= 1 (got " + std::to_string(o.trees) + ")");
    if (o.maxDepth < 1 || o.maxDepth > 25)
        fail("maxDepth must be in 1..25 (got " + std::to_string(o.maxDepth) + ")");
    if (o.minSamples < 1)
        fail("minSamples must be >= 1 (got " + std::to_string(o.minSamples) + ")");
    if (o.activeVars < 0)
        fail("activeVars must be >= 0 (got " + std::to_string(o.activeVars) + ")");
}

// The training arguments RTrees would otherwise reject late or not at all.
void checkTrainingInput(const float* x, std::size_t rows, std::size_t cols, const int* classes,
                        int classCount)
{
    if (rows == 0)
        fail("no training samples");
    if (cols == 0)
        fail("no features");
    if (rows > static_cast<std::size_t>(INT_MAX) || cols > static_cast<std::size_t>(INT_MAX))
        fail("too many samples or features for OpenCV");
    if (classCount < 2)
        fail("need at least 2 classes (got " + std::to_string(classCount) + ")");
    if (x == nullptr || classes == nullptr)
        fail("null training data");
    for (std::size_t i = 0; i < rows; ++i) {
        if (classes[i] < 0 || classes[i] >= classCount)
            fail("class " + std::to_string(classes[i]) + " of sample " + std::to_string(i) +
                 " outside 0.." + std::to_string(classCount - 1));
    }
}

// One sub-forest of `trees` trees, a function of (options.seed, index) alone.
cv::Ptr<cv::ml::RTrees> trainSubForest(const RandomForestOptions& options,
                                       const cv::Ptr<cv::ml::TrainData>& data, int index, int trees)
{
    auto model = cv::ml::RTrees::create();
    model->setMaxDepth(options.maxDepth);
    model->setMinSampleCount(options.minSamples);
    model->setActiveVarCount(options.activeVars);
    model->setCalculateVarImportance(false);
    model->setUseSurrogates(false);
    model->setRegressionAccuracy(0);
    model->setPriors(cv::Mat());
    model->setTermCriteria(cv::TermCriteria(cv::TermCriteria::MAX_ITER, trees, 0));
    // RTrees draws bootstrap samples and split candidates from this
    // thread's cv::theRNG(): seeding it here makes the sub-forest a
    // function of (seed, index) alone, whichever thread trains it.
    cv::theRNG().state = forestSeed(options.seed, static_cast<std::size_t>(index));
    if (!model->train(data))
        fail("OpenCV could not train sub-forest " + std::to_string(index));
    return model;
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

struct RandomForest::Impl {
    int classCount = 0;
    std::size_t featureCount = 0;
    int trees = 0;
    std::vector<Forest> forests;
};

RandomForest::RandomForest(RandomForestOptions options) : m_options(options) {}
RandomForest::~RandomForest() = default;
RandomForest::RandomForest(RandomForest&&) noexcept = default;
RandomForest& RandomForest::operator=(RandomForest&&) noexcept = default;

bool RandomForest::isTrained() const noexcept
{
    return m_impl != nullptr;
}

int RandomForest::classCount() const noexcept
{
    return m_impl ? m_impl->classCount : 0;
}

std::size_t RandomForest::featureCount() const noexcept
{
    return m_impl ? m_impl->featureCount : 0;
}

int RandomForest::treeCount() const noexcept
{
    return m_impl ? m_impl->trees : 0;
}

const RandomForestOptions& RandomForest::options() const noexcept
{
    return m_options;
}

void RandomForest::setThreads(int threads) noexcept
{
    m_options.threads = threads;
}

bool RandomForest::fit(const float* x, std::size_t rows, std::size_t cols, const int* classes,
                       int classCount, Feedback* feedback)
{
    checkOptions(m_options);
    checkTrainingInput(x, rows, cols, classes, classCount);

    const int forestCount = (m_options.trees + kTreesPerForest - 1) / kTreesPerForest;
    const int workers = std::min(resolveThreads(m_options.threads), forestCount);
    const int nRows = static_cast<int>(rows);
    const int nCols = static_cast<int>(cols);

    auto impl = std::make_unique<Impl>();
    impl->classCount = classCount;
    impl->featureCount = cols;
    impl->trees = m_options.trees;
    impl->forests.resize(static_cast<std::size_t>(forestCount));

    std::atomic<int> next{0};
    std::atomic<int> done{0};
    std::atomic<bool> stop{false};
    // The calling thread is worker 0: give its OpenCV RNG back as it was.
    struct RngRestore {
        std::uint64_t state = cv::theRNG().state;
        ~RngRestore() { cv::theRNG().state = state; }
    } rngRestore;
    runWorkers(workers, stop, [&](int /*worker*/) {
        // OpenCV does not write through these headers; TrainData keeps
        // references to them (no copy) for this worker's lifetime only.
        const cv::Mat samples(nRows, nCols, CV_32F, const_cast<float*>(x));
        const cv::Mat responses(nRows, 1, CV_32S, const_cast<int*>(classes));
        cv::Mat varTypes(nCols + 1, 1, CV_8U, cv::Scalar(cv::ml::VAR_ORDERED));
        varTypes.at<std::uint8_t>(nCols) = static_cast<std::uint8_t>(cv::ml::VAR_CATEGORICAL);
        const auto data =
            cv::ml::TrainData::create(samples, cv::ml::ROW_SAMPLE, responses, cv::noArray(),
                                      cv::noArray(), cv::noArray(), varTypes);
        for (;;) {
            if (stop.load(std::memory_order_relaxed))
                return;
            if (feedback && feedback->isCancelled()) {
                stop.store(true, std::memory_order_relaxed);
                return;
            }
            const int index = next.fetch_add(1, std::memory_order_relaxed);
            if (index >= forestCount)
                return;
            const int trees = index + 1 < forestCount
                                  ? kTreesPerForest
                                  : m_options.trees - kTreesPerForest * (forestCount - 1);
            auto model = trainSubForest(m_options, data, index, trees);
            auto& forest = impl->forests[static_cast<std::size_t>(index)];
            forest.classOfColumn = columnClasses(*model, cols, classCount);
            forest.trees = trees;
            forest.model = std::move(model);
            const int finished = done.fetch_add(1, std::memory_order_relaxed) + 1;
            if (feedback)
                feedback->progress(static_cast<double>(finished) / forestCount,
                                   "training random forest");
        }
    });
    if (done.load() < forestCount)
        return false; // cancelled
    m_impl = std::move(impl);
    return true;
}

std::vector<double> RandomForest::predictProba(const float* x, std::size_t rows,
                                               std::size_t cols) const
{
    if (!m_impl)
        fail("predict before fit or load");
    if (cols != m_impl->featureCount)
        fail("expected " + std::to_string(m_impl->featureCount) + " features, got " +
             std::to_string(cols));
    const auto k = static_cast<std::size_t>(m_impl->classCount);
    std::vector<double> out(rows * k, 0.0);
    if (rows == 0)
        return out;
    if (x == nullptr)
        fail("null samples");
    if (rows > static_cast<std::size_t>(INT_MAX))
        fail("too many samples for OpenCV");

    const std::size_t wanted = (rows + kMinRowsPerThread - 1) / kMinRowsPerThread;
    const int workers =
        static_cast<int>(std::min<std::size_t>(wanted, resolveThreads(m_options.threads)));
    const std::size_t block = (rows + static_cast<std::size_t>(workers) - 1) / workers;
    const double scale = 1.0 / m_impl->trees;
    std::atomic<bool> stop{false};
    // Each worker owns a block of rows and sums every sub-forest's votes into
    // its own part of `out`; the integer vote sums make the order irrelevant.
    runWorkers(workers, stop, [&](int worker) {
        const std::size_t first = static_cast<std::size_t>(worker) * block;
        const std::size_t last = std::min(rows, first + block);
        if (first >= last)
            return;
        const cv::Mat samples(static_cast<int>(last - first), static_cast<int>(cols), CV_32F,
                              const_cast<float*>(x + first * cols));
        cv::Mat votes;
        for (const auto& forest : m_impl->forests) {
            if (stop.load(std::memory_order_relaxed))
                return;
            forest.model->getVotes(samples, votes, 0);
            if (votes.type() != CV_32S || votes.rows != samples.rows + 1 ||
                static_cast<std::size_t>(votes.cols) != forest.classOfColumn.size())
                fail("unexpected vote matrix from OpenCV");
            for (int r = 0; r < samples.rows; ++r) {
                const int* v = votes.ptr<int>(r + 1);
                double* p = out.data() + (first + static_cast<std::size_t>(r)) * k;
                for (std::size_t c = 0; c < forest.classOfColumn.size(); ++c)
                    p[forest.classOfColumn[c]] += v[c];
            }
        }
        for (std::size_t i = first * k; i < last * k; ++i)
            out[i] *= scale;
    });
    return out;
}

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
