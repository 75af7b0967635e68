#include "page_table.h"

#include "core/table_export.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QHeaderView>
#include <QTableView>

namespace snilab::ui {

QTableView* makeTable(QAbstractItemModel* model)
{
    auto* table = new QTableView;
    table->setModel(model);
    QObject::connect(model, &QAbstractItemModel::modelReset, table,
                     &QTableView::resizeColumnsToContents);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setAlternatingRowColors(true);
    table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 6);
    table->horizontalHeader()->setStretchLastSection(true);
    // Ctrl+C and the context menu copy the selection (or the whole table) as
    // TSV with its header, through the engine's TSV rule.
    auto* copy = new QAction(QObject::tr("Copy"), table);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetShortcut);
    QObject::connect(copy, &QAction::triggered, table, [table] {
        if (table->selectionModel())
            QApplication::clipboard()->setText(
                selectionToTsv(*table->model(), table->selectionModel()->selectedIndexes()));
    });
    auto* copyAll = new QAction(QObject::tr("Copy the whole table"), table);
    QObject::connect(copyAll, &QAction::triggered, table, [table] {
        QModelIndexList all;
        const QAbstractItemModel* m = table->model();
        for (int r = 0; r < m->rowCount(); ++r)
            for (int c = 0; c < m->columnCount(); ++c)
                all << m->index(r, c);
        QApplication::clipboard()->setText(selectionToTsv(*m, all));
    });
    table->addAction(copy);
    table->addAction(copyAll);
    table->setContextMenuPolicy(Qt::ActionsContextMenu);
    return table;
}

} // namespace snilab::ui
