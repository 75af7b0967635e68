// libFuzzer target: whole-file ingest, bytes -> capture reader -> decoder ->
// tracker -> catalog (in a temporary file; SQLite is not what is fuzzed, so
// the catalog is created once per process).
#include "catalog/catalog.h"
#include "common/feedback.h"
#include "ingest/ingester.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const std::filesystem::path dir = [] {
        char tmpl[] = "/tmp/snilab-fuzz-XXXXXX";
        return std::filesystem::path(mkdtemp(tmpl));
    }();
    static snilab::Catalog catalog(dir / "fuzz.sqlite");
    const auto file = dir / ("input-" + std::to_string(getpid()) + ".pcap");
    {
        std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(file.c_str(), "wb"), &std::fclose);
        if (!f)
            return 0;
        std::fwrite(data, 1, size, f.get());
    }
    snilab::Feedback feedback;
    snilab::IngestOptions options;
    options.threads = 1;
    snilab::ingestFile(file, catalog, options, feedback);
    return 0;
}
