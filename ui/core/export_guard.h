// What the workbench's exports must never overwrite: the open catalog (with
// its SQLite side files) and whatever a view reads (a prediction's model file
// and captures). Every export - tables, figures, screenshots, prediction CSVs -
// calls refuseOpenInputs() before it writes, the rule of the CLI's --out
// (report/output_guard.h: compared by device and inode).
//
// Thread: any (a mutex guards the list). Failure: refuseOpenInputs() throws
// report::OutputConflict naming both paths.
#pragma once

#include "report/output_guard.h"

#include <QString>

#include <vector>

namespace snilab::ui {

// The catalog the workbench has open ("" = none).
void setOpenCatalog(const QString& path);
// The open catalog's files plus `extra`, refused as export targets.
void refuseOpenInputs(const QString& path, std::vector<report::GuardedInput> extra = {});

} // namespace snilab::ui
