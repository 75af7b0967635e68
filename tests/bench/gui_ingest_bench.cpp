// Times the workbench's ingest (ui/core IngestJob, the engine's ingestFiles
// on every core) on the given files into a fresh catalog, for
// ingest_bench.py's comparison with snilab-cli ingest on the same files.
//
// usage: snilab-gui-ingest-bench CATALOG FILE...
#include "core/ingest_job.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QStringList>

#include <cstdio>

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    if (args.size() < 3) {
        std::fprintf(stderr, "usage: snilab-gui-ingest-bench CATALOG FILE...\n");
        return 2;
    }
    snilab::ui::IngestJob job;
    QElapsedTimer clock;
    int failed = 0;
    QObject::connect(&job, &snilab::ui::IngestJob::finished, &app, [&] {
        for (const auto& r : job.reports())
            failed += r.ok ? 0 : 1;
        std::printf("seconds %.3f files %lld failed %d\n", clock.elapsed() / 1000.0,
                    static_cast<long long>(job.reports().size()), failed);
        app.quit();
    });
    clock.start();
    if (!job.start(args[1], args.mid(2)))
        return 2;
    app.exec();
    return job.catalogError().isEmpty() && failed == 0 ? 0 : 1;
}
