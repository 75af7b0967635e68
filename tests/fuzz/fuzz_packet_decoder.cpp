// libFuzzer target: decodePacket() on arbitrary frames; the first byte picks
// the link type.
#include "capture/packet_decoder.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 1)
        return 0;
    static constexpr int kLinkTypes[] = {0, 1, 9, 12, 14, 50, 101, 108, 113, 228, 229, 276};
    const int linkType = kLinkTypes[data[0] % (sizeof kLinkTypes / sizeof kLinkTypes[0])];
    snilab::DecodedPacket out;
    if (snilab::decodePacket(linkType, {data + 1, size - 1}, out) == snilab::DecodeStatus::Tcp) {
        // The payload span must lie inside the frame.
        const std::uint8_t* begin = data + 1;
        const std::uint8_t* end = data + size;
        if (!out.payload.empty() &&
            (out.payload.data() < begin || out.payload.data() + out.payload.size() > end))
            __builtin_trap();
    }
    return 0;
}
