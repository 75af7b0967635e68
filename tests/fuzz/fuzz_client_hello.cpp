// libFuzzer target: parseClientHello() on arbitrary stream prefixes, whole
// and cut at a fuzzer-chosen point (a parse of a prefix must never succeed
// where the whole stream is malformed in that prefix).
#include "flow/client_hello.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    snilab::ClientHelloInfo info;
    std::size_t consumed = 0;
    snilab::parseClientHello({data, size}, info, &consumed);
    for (std::size_t cut = 0; cut < size; cut += 1 + size / 16)
        snilab::parseClientHello({data, cut}, info, nullptr);
    snilab::looksLikeClientHelloStart({data, size});
    return 0;
}
