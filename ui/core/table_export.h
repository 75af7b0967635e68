// Writes any table model (QAbstractItemModel, top level rows x columns, with
// horizontal headers) as CSV or as a LaTeX tabular, for papers, through the
// engine's one CSV and LaTeX writers (report/csv.h, report/latex.h) and its
// atomic file writer. A ResultTableModel (ui/core/result_models.h) is
// written from its engine table (report/result_table.h: the same columns,
// numbers and missing cells as the CLI's report files); any other model as
// its Qt::DisplayRole, so a file holds what the table shows.
//
// Thread: any thread that may read the model (the GUI thread for GUI models).
// Failure: the write functions return false with a message in *error
// (file not writable, disk full); nothing throws.
#pragma once

#include <QModelIndexList>
#include <QString>

class QAbstractItemModel;

namespace snilab::ui {

QString tableToCsv(const QAbstractItemModel& model);
QString tableToLatex(const QAbstractItemModel& model, const QString& caption = {});

// The selected cells of `model` as TSV for the clipboard (report/csv.h
// tsvLine: every cell escaped, formula cells neutralised): a header line of
// the selected columns, then one line per row with a selected cell, in model
// order; the display text of each cell, empty where a row lacks one of the
// columns. Empty selection: "".
QString selectionToTsv(const QAbstractItemModel& model, const QModelIndexList& selected);

bool writeTableCsv(const QAbstractItemModel& model, const QString& path, QString* error);
bool writeTableLatex(const QAbstractItemModel& model, const QString& path, QString* error,
                     const QString& caption = {});

} // namespace snilab::ui
