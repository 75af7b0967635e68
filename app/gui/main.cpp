// snilab: the Qt workbench (docs/design.md section 6). `snilab --figures …` and
// `snilab --screenshots …` render offscreen without a display (batch_modes.h).
#include "batch_modes.h"
#include "widgets/main_window.h"

#include "common/openmp_env.h"
#include "models/sequence_network.h"

#include <QApplication>
#include <QStringList>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace {

constexpr const char* kUsage = R"(usage: snilab [CATALOG]
       snilab --figures --catalog C --run ID --out DIR [--width-mm W --height-mm H
              --dpi D --font-pt P --full-range --legend PLACE --value-labels]
       snilab --screenshots DIR --catalog C [--run ID] [--model M] [--predict CAPTURE]
              [--view-times]

The snilab workbench: open a catalog (or create one from File > New catalog),
add captures, run experiments, view and export the paper's figures. Without
CATALOG it reopens the catalog, tab and run shown when it was last closed.
--figures renders every figure of a run to PNG, SVG and PDF offscreen (no
display needed), with the same chart code as the workbench; --screenshots
renders the main views (the Predict tab with model M, or a small forest trained
on the catalog, on CAPTURE or the catalog's last capture); --view-times prints
how long each view took from being asked for to its pixels, and the longest
the GUI thread stalled while the catalog loaded. snilab-cli is the headless
twin.
Accuracy axes of line figures zoom to the data (a break mark on the axis
when it does not start at 0); --full-range draws them from 0 to 1. Bars
start at 0. --legend auto|inside|right|below|none places the legend (auto:
below, right for more than three series); --value-labels writes each bar's
value at its end. Sizes: 20-1000 mm, 72-1200 dpi, 4-24 pt text.
)";

} // namespace

int main(int argc, char** argv)
{
    snilab::ensurePassiveOpenMp(argv);
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
            std::fputs(kUsage, stdout);
            return 0;
        }
    bool batch = false;
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--figures") == 0 || std::strcmp(argv[i], "--screenshots") == 0)
            batch = true;
    // Batch modes need no display: render offscreen unless a platform was chosen.
    if (batch && !std::getenv("QT_QPA_PLATFORM"))
        setenv("QT_QPA_PLATFORM", "offscreen", 1);
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("snilab"));
    QApplication::setApplicationName(QStringLiteral("snilab"));
    QApplication::setApplicationVersion(QStringLiteral(SNILAB_VERSION));
    const QStringList args = QApplication::arguments();
    if (snilab::ui::isBatchMode(args))
        return snilab::ui::runBatchMode(args);
    snilab::ui::MainWindow window;
    window.show();
    // LibTorch is a module opened on first use (about a second to load): open
    // it now off the GUI thread, so the experiment dialog's device list (and
    // the first network) does not stall the window.
    std::thread preloadNetworks([] { snilab::cudaAvailable(); });
    bool catalogGiven = false;
    for (qsizetype i = 1; i < args.size() && !catalogGiven; ++i)
        if (!args[i].startsWith(QLatin1Char('-'))) {
            window.requestOpenCatalog(args[i]);
            catalogGiven = true;
        }
    // Without a catalog argument: the catalog, tab and run of the last session.
    if (!catalogGiven)
        window.restoreLastSession();
    const int status = app.exec();
    preloadNetworks.join();
    return status;
}
