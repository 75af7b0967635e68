// One input of each fuzz target, shared by the libFuzzer mains (tests/fuzz)
// and by the regression test that replays tests/data/malformed/fuzz/<target>/
// in every build (tests/engine/test_fuzz_regressions.cpp).
#pragma once

#include <cstddef>
#include <cstdint>

namespace snilab::fuzz {

// decodePacket(); the first byte picks the link type.
void packetDecoder(const std::uint8_t* data, std::size_t size);
// parseClientHello() on the whole input and on prefixes.
void clientHello(const std::uint8_t* data, std::size_t size);
// The connection tracker fed with segments described by the input.
void stream(const std::uint8_t* data, std::size_t size);
// Whole-file ingest of the input as a capture file into a catalog.
void captureFile(const std::uint8_t* data, std::size_t size);
// decodeStoredSeries() on a series blob from a hostile catalog: the first
// byte's low bits are the format, the next two the packet count, the rest the
// blob; what it accepts must encode back to the same bytes.
void seriesBlob(const std::uint8_t* data, std::size_t size);
// readModelFile() on "SNILABMF", a format version (1 or 2, from the first byte),
// the rest of the input and a valid checksum: the header and model parsers
// behind the checksum, which random bytes would never pass.
void modelFile(const std::uint8_t* data, std::size_t size);
// A QuicInitialDecoder, a QUIC frame parser or the CRYPTO reassembler; the
// first byte picks the mode: raw datagrams, plaintext frames, or plaintext
// sealed into Initial packets with the real keys (fuzz_inputs_quic.cpp).
void quicInitial(const std::uint8_t* data, std::size_t size);

} // namespace snilab::fuzz
