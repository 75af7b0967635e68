// models/sequence_network.h for builds without LibTorch (SNILAB_WITH_TORCH
// off): the networks are absent and every use says so.
#include "models/sequence_network.h"

namespace snilab {

namespace {
[[noreturn]] void absent()
{
    throw ModelError("this snilab was built without LibTorch (SNILAB_WITH_TORCH=OFF): "
                     "no networks");
}
} // namespace

bool torchAvailable() noexcept
{
    return false;
}
bool cudaAvailable() noexcept
{
    return false;
}
std::string cudaUnavailableReason()
{
    return "built without LibTorch";
}
std::string resolveDevice(std::string_view)
{
    absent();
}

struct SequenceNetwork::Impl {};
SequenceNetwork::SequenceNetwork(NetworkOptions options) : m_options(options) {}
SequenceNetwork::~SequenceNetwork() = default;
SequenceNetwork::SequenceNetwork(SequenceNetwork&&) noexcept = default;
SequenceNetwork& SequenceNetwork::operator=(SequenceNetwork&&) noexcept = default;
bool SequenceNetwork::fit(const float*, std::size_t, std::size_t, std::size_t, const int*, int,
                          const TrainingOptions&, Feedback*, const EpochReport&)
{
    absent();
}
std::vector<double> SequenceNetwork::predictProba(const float*, std::size_t) const
{
    absent();
}
bool SequenceNetwork::isTrained() const noexcept
{
    return false;
}
int SequenceNetwork::classCount() const noexcept
{
    return 0;
}
std::size_t SequenceNetwork::length() const noexcept
{
    return 0;
}
std::size_t SequenceNetwork::channels() const noexcept
{
    return 0;
}
const NetworkOptions& SequenceNetwork::options() const noexcept
{
    return m_options;
}
std::string SequenceNetwork::device() const
{
    return "cpu";
}
std::int64_t SequenceNetwork::parameterCount() const
{
    return 0;
}
const std::vector<EpochReport>& SequenceNetwork::history() const noexcept
{
    static const std::vector<EpochReport> empty;
    return empty;
}
void SequenceNetwork::setDevice(std::string_view)
{
    absent();
}
void SequenceNetwork::setThreads(int) noexcept {}
std::vector<std::uint8_t> SequenceNetwork::save() const
{
    absent();
}
SequenceNetwork SequenceNetwork::load(std::span<const std::uint8_t>)
{
    absent();
}

} // namespace snilab
