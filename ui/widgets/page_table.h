// makeTable(): the plain table the workbench pages show a model in (whole
// rows selected, alternating rows, fixed row height, columns sized to their
// contents on each reset, last column stretched), with Ctrl+C copying the
// selected cells as TSV and a context menu (Copy, Copy the whole table).
//
// Thread: GUI thread. Failure: none.
#pragma once

class QAbstractItemModel;
class QTableView;

namespace snilab::ui {

QTableView* makeTable(QAbstractItemModel* model);

} // namespace snilab::ui
