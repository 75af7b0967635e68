// models/random_forest.h for builds without OpenCV (SNILAB_WITH_OPENCV off):
// the forest is absent and every use says so. ModelSet::check() refuses "rf"
// up front in such builds, so these are reached only by direct calls.
#include "models/random_forest.h"

namespace snilab {

namespace {
[[noreturn]] void absent()
{
    throw ModelError("this snilab was built without OpenCV (SNILAB_WITH_OPENCV=OFF): "
                     "no random forest");
}
} // namespace

struct RandomForest::Impl {};

RandomForest::RandomForest(RandomForestOptions options) : m_options(options) {}
RandomForest::~RandomForest() = default;
RandomForest::RandomForest(RandomForest&&) noexcept = default;
RandomForest& RandomForest::operator=(RandomForest&&) noexcept = default;

bool RandomForest::fit(const float*, std::size_t, std::size_t, const int*, int, Feedback*)
{
    absent();
}
std::vector<double> RandomForest::predictProba(const float*, std::size_t, std::size_t) const
{
    absent();
}
bool RandomForest::isTrained() const noexcept
{
    return false;
}
int RandomForest::classCount() const noexcept
{
    return 0;
}
std::size_t RandomForest::featureCount() const noexcept
{
    return 0;
}
int RandomForest::treeCount() const noexcept
{
    return 0;
}
const RandomForestOptions& RandomForest::options() const noexcept
{
    return m_options;
}
void RandomForest::setThreads(int threads) noexcept
{
    m_options.threads = threads;
}
std::vector<std::uint8_t> RandomForest::save() const
{
    absent();
}
RandomForest RandomForest::load(std::span<const std::uint8_t>)
{
    absent();
}

} // namespace snilab
