#include "batch_modes.h"

#include "report/atomic_file.h"
#include "report/run_report.h"

#include "charts/figure_export.h"
#include "core/catalog_models.h"
#include "core/model_training.h"
#include "widgets/captures_page.h"
#include "widgets/catalog_page.h"
#include "widgets/main_window.h"
#include "widgets/prediction_view.h"
#include "widgets/result_view.h"
#include "widgets/results_page.h"
#include "widgets/runs_page.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>

namespace snilab::ui {

namespace {

struct BatchArgs {
    QString mode; // "figures" or "screenshots"
    QString catalog;
    std::int64_t run = 0;
    QString out;
    QString model;          // screenshots: model file for the Predict tab
    QString predict;        // screenshots: capture it classifies
    bool viewTimes = false; // screenshots: print how long each view took to open
    ExportSize size;
};

int usage(const QString& message)
{
    std::fprintf(stderr,
                 "snilab: %s\nusage: snilab --figures --catalog C --run ID --out DIR "
                 "[--width-mm W] [--height-mm H] [--dpi D] [--font-pt P] [--full-range]\n"
                 "               [--legend auto|inside|right|below|none] [--value-labels]\n"
                 "       snilab --screenshots DIR --catalog C [--run ID] [--model M.snilab] "
                 "[--predict CAPTURE] [--view-times]\n",
                 qPrintable(message));
    return 2;
}

std::optional<BatchArgs> parse(const QStringList& args, QString* error)
{
    BatchArgs b;
    for (qsizetype i = 1; i < args.size(); ++i) {
        const QString& a = args[i];
        auto value = [&]() -> QString {
            if (i + 1 >= args.size()) {
                *error = a + QStringLiteral(" needs a value");
                return {};
            }
            return args[++i];
        };
        // The ranges are checked with the export dialog's rule
        // (exportSizeError()) once every option is read.
        auto number = [&]() -> double {
            const QString v = value();
            bool ok = false;
            const double d = v.toDouble(&ok);
            if (!ok || !std::isfinite(d))
                *error = QStringLiteral("%1 needs a number, not '%2'").arg(a, v);
            return d;
        };
        if (a == QLatin1String("--figures"))
            b.mode = QStringLiteral("figures");
        else if (a == QLatin1String("--screenshots")) {
            b.mode = QStringLiteral("screenshots");
            b.out = value();
        } else if (a == QLatin1String("--catalog"))
            b.catalog = value();
        else if (a == QLatin1String("--run")) {
            bool ok = false;
            b.run = value().toLongLong(&ok);
            if (!ok || b.run <= 0)
                *error = QStringLiteral("--run needs a run id");
        } else if (a == QLatin1String("--out"))
            b.out = value();
        else if (a == QLatin1String("--model"))
            b.model = value();
        else if (a == QLatin1String("--predict"))
            b.predict = value();
        else if (a == QLatin1String("--view-times"))
            b.viewTimes = true;
        else if (a == QLatin1String("--width-mm"))
            b.size.widthMm = number();
        else if (a == QLatin1String("--height-mm"))
            b.size.heightMm = number();
        else if (a == QLatin1String("--dpi")) {
            const double dpi = number();
            if (error->isEmpty() && (dpi != std::floor(dpi) || std::abs(dpi) > 1e6))
                *error = QStringLiteral("--dpi needs a whole number");
            b.size.dpi = static_cast<int>(dpi);
        } else if (a == QLatin1String("--font-pt"))
            b.size.fontPt = number();
        else if (a == QLatin1String("--full-range"))
            b.size.fullRange = true;
        else if (a == QLatin1String("--value-labels"))
            b.size.valueLabels = true;
        else if (a == QLatin1String("--legend")) {
            const QString v = value();
            if (const auto place = parseLegendPlace(v))
                b.size.legend = *place;
            else if (error->isEmpty())
                *error = QStringLiteral("--legend must be one of %1, not '%2'")
                             .arg(legendPlaceNames().join(QStringLiteral(", ")), v);
        } else
            *error = QStringLiteral("unknown argument '%1'").arg(a);
        if (!error->isEmpty())
            return std::nullopt;
    }
    if (const QString bad = exportSizeError(b.size); !bad.isEmpty())
        *error = bad;
    else if (b.catalog.isEmpty())
        *error = QStringLiteral("--catalog is required");
    else if (b.out.isEmpty())
        *error = b.mode == QLatin1String("figures")
                     ? QStringLiteral("--out is required")
                     : QStringLiteral("--screenshots needs a folder");
    else if (b.mode == QLatin1String("figures") && b.run == 0)
        *error = QStringLiteral("--run is required");
    if (!error->isEmpty())
        return std::nullopt;
    return b;
}

int figures(const BatchArgs& b)
{
    try {
        auto catalog = snilab::Catalog::openExisting(b.catalog.toStdString());
        const RunData run = loadRunData(*catalog, b.run);
        QStringList written;
        QString error;
        if (!writeRunFigures(run, b.out, b.size, &written, &error)) {
            std::fprintf(stderr, "snilab: %s\n", qPrintable(error));
            return 1;
        }
        // The run report, from the engine's one builder: byte for byte what
        // `snilab-cli report` writes. Finished runs only, as there.
        if (run.info.status == snilab::RunStatus::Finished) {
            const std::filesystem::path out = b.out.toStdString();
            snilab::report::writeRunReport(*catalog, run.info, out);
            for (const auto& f : snilab::report::runReportFiles(run.grid, out))
                if (std::filesystem::exists(f))
                    written << QString::fromStdString(f.lexically_relative(out).string());
        } else {
            std::fprintf(stderr,
                         "snilab: run %lld is %s: figures only, no report files (they are "
                         "written for finished runs)\n",
                         static_cast<long long>(b.run),
                         std::string(snilab::runStatusName(run.info.status)).c_str());
        }
        LabelCountModel counts;
        counts.setCatalogPath(b.catalog);
        const FigureData fig3 = labelCountFigure(counts.counts(), 20);
        if (!fig3.isEmpty())
            for (auto f : {ExportFormat::Png, ExportFormat::Svg, ExportFormat::Pdf}) {
                const QString name = fig3.id + QLatin1Char('.') + exportFormatSuffix(f);
                if (!exportFigure(fig3, QDir(b.out).filePath(name), f, b.size, &error)) {
                    std::fprintf(stderr, "snilab: %s\n", qPrintable(error));
                    return 1;
                }
                written << name;
            }
        std::printf("wrote %lld files for run %lld to %s\n", static_cast<long long>(written.size()),
                    static_cast<long long>(b.run), qPrintable(b.out));
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "snilab: %s\n", e.what());
        return 1;
    }
}

bool grab(QWidget& widget, const QString& path)
{
    QApplication::processEvents();
    try {
        snilab::report::AtomicFile file(path.toStdString());
        if (!widget.grab().save(QString::fromStdString(file.temporaryPath().string()), "PNG")) {
            std::fprintf(stderr, "snilab: cannot write %s\n", qPrintable(path));
            return false;
        }
        file.commit();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "snilab: %s\n", e.what());
        return false;
    }
    return true;
}

// Runs the event loop while `busy()` (at most 10 minutes); returns the
// longest one pass of the event loop took meanwhile (ms): how long the GUI
// thread was unresponsive while the work ran in the background.
template <typename Busy> qint64 waitWhile(Busy busy)
{
    QElapsedTimer clock, pass;
    clock.start();
    qint64 longest = 0;
    while (busy() && clock.elapsed() < 600000) {
        pass.start();
        QApplication::processEvents(QEventLoop::AllEvents, 20);
        longest = std::max(longest, pass.elapsed());
    }
    return longest;
}

// Runs the event loop until the job's operation ends.
void waitFor(const BackgroundJob& job)
{
    waitWhile([&] { return job.isRunning(); });
}

// The Predict tab: the given model (or a small random forest trained on the
// catalog, T >= 20, 30 trees) on the given capture (or the catalog's last
// capture still on disk). Returns false after a line on stderr.
bool predictionScreenshot(MainWindow& window, const BatchArgs& b, const QString& path)
{
    QTemporaryDir temp;
    QString model = b.model;
    if (model.isEmpty()) {
        model = temp.filePath(QStringLiteral("screenshot.snilab"));
        try {
            snilab::Feedback quiet;
            ModelTrainingOptions options;
            options.threshold = 20;
            options.trees = 30;
            trainModelFile(b.catalog.toStdString(), model.toStdString(), options, quiet);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "snilab: no prediction screenshot: %s\n", e.what());
            return false;
        }
    }
    QString capture = b.predict;
    if (capture.isEmpty()) {
        const auto& captures = window.capturesPage()->captureModel()->captures();
        for (auto it = captures.rbegin(); it != captures.rend() && capture.isEmpty(); ++it)
            if (it->status == snilab::CaptureStatus::Complete &&
                QFileInfo::exists(QString::fromStdString(it->path)))
                capture = QString::fromStdString(it->path);
    }
    if (capture.isEmpty()) {
        std::fprintf(stderr, "snilab: no prediction screenshot: no capture of the catalog is on "
                             "disk (give --predict CAPTURE)\n");
        return false;
    }
    PredictionView* view = window.predictionView();
    window.showTab(MainWindow::PredictTab);
    if (!view->openModel(model))
        return std::fprintf(stderr, "snilab: %s\n", qPrintable(view->lastError())), false;
    waitFor(*view->job());
    if (!view->job()->hasModel())
        return std::fprintf(stderr, "snilab: %s\n", qPrintable(view->job()->error())), false;
    view->setCaptures({capture});
    if (!view->run())
        return std::fprintf(stderr, "snilab: %s\n", qPrintable(view->lastError())), false;
    waitFor(*view->job());
    if (!view->job()->error().isEmpty())
        return std::fprintf(stderr, "snilab: %s\n", qPrintable(view->job()->error())), false;
    return grab(window, path);
}

int screenshots(const BatchArgs& b)
{
    if (!QDir().mkpath(b.out))
        return std::fprintf(stderr, "snilab: cannot create %s\n", qPrintable(b.out)), 1;
    // --view-times: from asking for a view to its pixels (the grab), per view.
    QElapsedTimer clock;
    const auto lap = [&](const char* what) {
        if (b.viewTimes)
            std::printf("view time: %s %lld ms\n", what, static_cast<long long>(clock.restart()));
        else
            clock.restart();
    };
    clock.start();
    MainWindow window;
    window.resize(1400, 860);
    if (!window.openCatalog(b.catalog))
        return std::fprintf(stderr, "snilab: %s\n", qPrintable(window.lastError())), 1;
    window.show();
    QApplication::processEvents();
    // The connections and label counts are read on pool threads.
    const qint64 stall = waitWhile([&] { return window.catalogPage()->isLoading(); });
    lap("open catalog");
    if (b.viewTimes)
        std::printf("view time: longest GUI-thread stall while the catalog loaded %lld ms\n",
                    static_cast<long long>(stall));
    std::int64_t runId = b.run;
    if (!runId)
        for (const auto& r : window.runsPage()->runModel()->runs())
            if (r.status == snilab::RunStatus::Finished) {
                runId = r.id;
                break;
            }
    const QDir dir(b.out);
    clock.restart();
    window.showTab(MainWindow::CapturesTab);
    if (!grab(window, dir.filePath(QStringLiteral("captures.png"))))
        return 1;
    lap("captures");
    window.showTab(MainWindow::CatalogTab);
    if (!grab(window, dir.filePath(QStringLiteral("catalog.png"))))
        return 1;
    lap("catalog");
    window.showTab(MainWindow::RunsTab);
    if (!grab(window, dir.filePath(QStringLiteral("runs.png"))))
        return 1;
    lap("runs");
    if (runId) {
        if (!window.openRun(runId))
            return std::fprintf(stderr, "snilab: %s\n", qPrintable(window.lastError())), 1;
        lap("open run");
        ResultView* view = window.resultsPage()->resultView(0);
        const char* names[] = {"result_accuracy_vs_threshold.png",
                               "result_per_label.png",
                               "result_metrics.png",
                               nullptr,
                               "result_confusion.png",
                               "result_table1.png"};
        for (int tab = 0; tab < 6; ++tab) {
            if (!names[tab])
                continue;
            view->showTab(tab);
            if (!grab(window, dir.filePath(QString::fromLatin1(names[tab]))))
                return 1;
            lap(names[tab]);
        }
    }
    if (!predictionScreenshot(window, b, dir.filePath(QStringLiteral("prediction.png"))))
        return 1;
    std::printf("wrote screenshots to %s\n", qPrintable(b.out));
    return 0;
}

} // namespace

bool isBatchMode(const QStringList& arguments)
{
    return arguments.contains(QStringLiteral("--figures")) ||
           arguments.contains(QStringLiteral("--screenshots"));
}

int runBatchMode(const QStringList& arguments)
{
    QString error;
    const auto b = parse(arguments, &error);
    if (!b)
        return usage(error);
    return b->mode == QLatin1String("figures") ? figures(*b) : screenshots(*b);
}

} // namespace snilab::ui
