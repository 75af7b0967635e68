#include "models/random_forest.h"

#include "models/opencv/random_forest_internal.h"

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

namespace forest_detail {

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
} // namespace forest_detail

namespace {

using namespace forest_detail;

// Prediction threads get at least this many rows each: below it, thread start
// costs more than the traversal saves.
constexpr std::size_t kMinRowsPerThread = 256;

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

} // namespace

using namespace forest_detail;

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

} // namespace snilab
