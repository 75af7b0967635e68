// Every file snilab writes is written through AtomicFile: a fresh temporary
// file in the target's directory, created with O_CREAT|O_EXCL|O_NOFOLLOW (a
// planted file or symlink is never followed or reused), written, fsync()ed,
// then rename()d over the target and the directory fsync()ed. Until commit()
// the target is untouched; an exception, a cancelled job or a handled signal
// (the object is destroyed) removes the temporary file, so nothing partial
// is ever left under the target's name.
//
// Temporary names are ".<target name>.snilab-<host>-<pid>-<random>.tmp". A
// process killed with SIGKILL cannot clean up; the next AtomicFile for the
// same target removes such leftovers of this host's processes that no longer
// exist.
//
// Thread: one object per thread. Failure: OutputError (one line naming the
// target and the reason).
#pragma once

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace snilab::report {

class OutputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class AtomicFile {
public:
    explicit AtomicFile(std::filesystem::path target);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    // The open temporary file, for writers that take a FILE*.
    std::FILE* stream() { return m_file; }
    void write(std::string_view bytes);
    // For writers that need a path (Qt's image, SVG and PDF writers): the
    // temporary file, already created by this object; they may reopen it.
    const std::filesystem::path& temporaryPath() const { return m_temp; }
    const std::filesystem::path& target() const { return m_target; }
    // Flush, fsync, rename over the target. Throws OutputError on any failure
    // (the temporary file is then removed and the target is untouched).
    void commit();

private:
    [[noreturn]] void fail(const std::string& what);
    void discard() noexcept;

    std::filesystem::path m_target;
    std::filesystem::path m_temp;
    std::FILE* m_file = nullptr;
    bool m_committed = false;
    int m_slot = -1; // in the signal handler's table of live temporaries
};

// For a fatal-signal handler: unlinks the temporary files of every AtomicFile
// alive in this process (async-signal-safe: unlink() on preallocated paths).
void removeTemporariesFromSignalHandler() noexcept;

// Writes `bytes` to `target` atomically (AtomicFile + commit()).
void writeFileAtomically(const std::filesystem::path& target, std::string_view bytes);

} // namespace snilab::report
