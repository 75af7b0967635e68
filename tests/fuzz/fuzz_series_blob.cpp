// libFuzzer target; the input handling lives in fuzz_inputs.cpp so that the
// regression test replays crashers exactly as the fuzzer ran them.
#include "fuzz_inputs.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    snilab::fuzz::seriesBlob(data, size);
    return 0;
}
