// Who owns a running run: "<host>/<boot id>/<pid>/<start time>" of a process,
// and whether that process still lives. The start time (clock ticks after
// boot, /proc/<pid>/stat field 22) tells a reused pid from the original one;
// the boot id tells a reboot. A different host cannot be checked from here.
//
// Thread: free functions (read /proc). Failure: none (Unknown when unsure).
#pragma once

#include <string>

namespace snilab {

// This host's name with '/' made '_' ("?" when it cannot be read).
std::string hostName();
// The identity of the calling process.
std::string currentProcessOwner();

enum class OwnerState {
    Alive,   // the same process is still running (on this host)
    Dead,    // it ended (pid gone or reused, or this host rebooted since), or
             // no owner was recorded (a run of a build before schema 4)
    Unknown, // another host, a process this one may not inspect, or an
             // identity this build cannot read
};
OwnerState ownerState(const std::string& owner);

} // namespace snilab
