// The workbench's batch modes, run offscreen without a display:
//   snilab --figures --catalog C --run ID --out DIR [--width-mm W --height-mm H
//          --dpi D --font-pt P]
//     renders every figure of a run (ui/charts writeRunFigures: the same
//     chart code as the GUI) to PNG, SVG and PDF, plus its tables as CSV and
//     LaTeX, and the catalog's Figure 3 (label counts, top 20).
//   snilab --screenshots DIR --catalog C [--run ID] [--model M] [--predict CAPTURE]
//     grabs the main views of the workbench (catalog open, run ID or the
//     latest finished run shown) as PNG files for the README, and the Predict
//     tab: model M (default: a small random forest trained on the catalog)
//     classifying CAPTURE (default: the catalog's last capture on disk).
//
// Thread: GUI thread, after QApplication exists. Failure: return the exit
// status (0 ok, 1 failed, 2 usage) after one line on stderr.
#pragma once

#include <QStringList>

namespace snilab::ui {

// True when the arguments ask for a batch mode (which needs no display).
bool isBatchMode(const QStringList& arguments);
int runBatchMode(const QStringList& arguments);

} // namespace snilab::ui
