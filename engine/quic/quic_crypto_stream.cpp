// A byte map rather than an interval list: the stream is small (capped), so
// one flag per byte keeps overlap handling trivially correct, and the cost
// per frame is linear in its length.
#include "quic/quic_crypto_stream.h"

namespace snilab {

QuicCryptoAddStatus QuicCryptoReassembler::add(std::uint64_t offset,
                                               std::span<const std::uint8_t> data)
{
    if (data.empty())
        return QuicCryptoAddStatus::Ok; // carries nothing; its offset claims nothing either
    if (offset > m_cap || data.size() > m_cap - offset)
        return QuicCryptoAddStatus::OverCap;
    const auto start = static_cast<std::size_t>(offset);
    const std::size_t end = start + data.size();
    if (m_bytes.size() < end) {
        m_bytes.resize(end);
        m_have.resize(end);
    }
    for (std::size_t i = start; i < end; ++i) {
        if (!m_have[i]) {
            m_bytes[i] = data[i - start];
            m_have[i] = true;
            ++m_distinct;
        }
    }
    while (m_contiguous < m_have.size() && m_have[m_contiguous])
        ++m_contiguous;
    return QuicCryptoAddStatus::Ok;
}

void QuicCryptoReassembler::clear() noexcept
{
    m_bytes.clear();
    m_have.clear();
    m_contiguous = 0;
    m_distinct = 0;
}

} // namespace snilab
