// OpenMP (used by LibTorch's CPU kernels) spins its idle threads by default;
// with two cores and anything else busy that collapses training throughput
// about 13x (docs/stack.md). libgomp reads OMP_WAIT_POLICY when it is
// loaded, before main(), so setting it inside the process is too late.
//
// ensurePassiveOpenMp(argv) - call first thing in main(): when
// OMP_WAIT_POLICY is not set, it sets OMP_WAIT_POLICY=PASSIVE and re-executes
// the program (/proc/self/exe) with the same arguments, so the setting takes
// effect. A user's own OMP_WAIT_POLICY is respected. If the re-exec fails it
// returns and the program runs on with the default policy.
//
// Thread: call before any thread starts.
#pragma once

namespace snilab {

void ensurePassiveOpenMp(char** argv);

} // namespace snilab
