// makeTable(): the plain table the workbench pages show a model in (whole
// rows selected, alternating rows, fixed row height, columns sized to their
// contents on each reset, last column stretched), with the context actions of
// addTableActions().
//
// addTableActions(): what every workbench table offers in its context menu:
//   Copy (Ctrl+C)             the selected cells as TSV with their header
//   Copy the whole table      every cell as TSV
//   Export CSV…               every row of the table's model (the page's
//                             own filters apply) as CSV, through the
//                             engine's writer - or, in its place, the
//                             table's own export actions (e.g. TableView's
//                             CSV and LaTeX exports) when it is given them
//   Filter by this value      the page's own filter (TableFilter, e.g. the
//                             connections' label, capture and transport
//                             filters, which query the catalog), else the
//                             rows whose cell in that column differs are
//                             hidden (tables up to kMaxRowFilterRows rows;
//                             a lazy table of more gives a TableFilter)
//   Show all rows             undoes the row filter
//   Columns ▸                 a check per column: hide or show it (the last
//                             visible column stays); also on the header's
//                             context menu
//
// Thread: GUI thread. Failure: none.
#pragma once

#include <QList>
#include <QString>

#include <functional>

class QAbstractItemModel;
class QAction;
class QModelIndex;
class QTableView;

namespace snilab::ui {

// A page's own filter for some of its columns.
struct TableFilter {
    QList<int> columns;                                 // the columns it can filter by
    std::function<void(const QModelIndex& cell)> apply; // filter by this cell's value
};

inline constexpr int kMaxRowFilterRows = 100000;

QTableView* makeTable(QAbstractItemModel* model, TableFilter filter = {});
void addTableActions(QTableView* table, TableFilter filter = {}, QList<QAction*> exports = {});
// What Export CSV… writes once a file is chosen: the model's rows as CSV.
bool exportTableCsv(const QTableView* table, const QString& path, QString* error);
// Judges the actions' enabled state now, as opening the context menu does.
void updateTableActions(QTableView* table);

// The row filter of `table` (addTableActions' own): shows only rows whose
// cell in `column` displays `value`; false (nothing hidden) when the table
// has more than kMaxRowFilterRows rows. showAllRows() undoes it.
bool filterRows(QTableView* table, int column, const QString& value);
void showAllRows(QTableView* table);

} // namespace snilab::ui
