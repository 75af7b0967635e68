#include "export_guard.h"

#include <mutex>

namespace snilab::ui {

namespace {

std::mutex& guardMutex()
{
    static std::mutex m;
    return m;
}

std::vector<report::GuardedInput>& openInputs()
{
    static std::vector<report::GuardedInput> inputs;
    return inputs;
}

} // namespace

void setOpenCatalog(const QString& path)
{
    std::lock_guard lock(guardMutex());
    openInputs() = path.isEmpty() ? std::vector<report::GuardedInput>{}
                                  : report::catalogInputs(path.toStdString());
}

void refuseOpenInputs(const QString& path, std::vector<report::GuardedInput> extra)
{
    {
        std::lock_guard lock(guardMutex());
        extra.insert(extra.end(), openInputs().begin(), openInputs().end());
    }
    report::refuseOverwrite(path.toStdString(), extra, "the export");
}

} // namespace snilab::ui
