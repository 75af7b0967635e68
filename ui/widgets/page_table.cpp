#include "page_table.h"

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
    return table;
}

} // namespace snilab::ui
