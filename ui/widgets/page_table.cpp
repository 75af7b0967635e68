#include "page_table.h"

#include "core/table_export.h"
#include "figure_view.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QMenu>
#include <QMessageBox>
#include <QTableView>

namespace snilab::ui {

namespace {

constexpr const char* kFilterColumn = "snilabFilterColumn";
constexpr const char* kFilterValue = "snilabFilterValue";

// Holds how a table's actions judge their state (updateTableActions()).
class ActionState : public QObject {
public:
    ActionState(std::function<void()> update, QObject* parent)
        : QObject(parent), m_update(std::move(update))
    {
        setObjectName(QStringLiteral("snilabTableActions"));
    }
    void update() const { m_update(); }

private:
    std::function<void()> m_update;
};

void applyRowFilter(QTableView* table)
{
    const QVariant column = table->property(kFilterColumn);
    const QAbstractItemModel* m = table->model();
    if (!m)
        return;
    const int rows = m->rowCount();
    if (!column.isValid()) {
        for (int r = 0; r < rows; ++r)
            table->setRowHidden(r, false);
        return;
    }
    const QString value = table->property(kFilterValue).toString();
    for (int r = 0; r < rows; ++r)
        table->setRowHidden(r, m->index(r, column.toInt()).data().toString() != value);
}

// The Columns submenu: one check per column, rebuilt each time it opens.
QMenu* columnMenu(QTableView* table)
{
    auto* menu = new QMenu(QObject::tr("Columns"), table);
    QObject::connect(menu, &QMenu::aboutToShow, table, [table, menu] {
        menu->clear();
        const QAbstractItemModel* m = table->model();
        if (!m)
            return;
        int visible = 0;
        for (int c = 0; c < m->columnCount(); ++c)
            visible += table->isColumnHidden(c) ? 0 : 1;
        for (int c = 0; c < m->columnCount(); ++c) {
            QAction* a = menu->addAction(m->headerData(c, Qt::Horizontal).toString());
            a->setCheckable(true);
            a->setChecked(!table->isColumnHidden(c));
            // The last visible column cannot be hidden.
            a->setEnabled(table->isColumnHidden(c) || visible > 1);
            QObject::connect(a, &QAction::toggled, table,
                             [table, c](bool on) { table->setColumnHidden(c, !on); });
        }
    });
    return menu;
}

} // namespace

void updateTableActions(QTableView* table)
{
    for (QObject* child : table->children())
        if (child->objectName() == QLatin1String("snilabTableActions"))
            static_cast<ActionState*>(child)->update();
}

bool filterRows(QTableView* table, int column, const QString& value)
{
    if (!table->model() || table->model()->rowCount() > kMaxRowFilterRows)
        return false;
    table->setProperty(kFilterColumn, column);
    table->setProperty(kFilterValue, value);
    applyRowFilter(table);
    return true;
}

void showAllRows(QTableView* table)
{
    table->setProperty(kFilterColumn, QVariant());
    table->setProperty(kFilterValue, QVariant());
    applyRowFilter(table);
}

bool exportTableCsv(const QTableView* table, const QString& path, QString* error)
{
    if (!table->model()) {
        *error = QObject::tr("the table is empty");
        return false;
    }
    return writeTableCsv(*table->model(), path, error);
}

void addTableActions(QTableView* table, TableFilter filter, QList<QAction*> exports)
{
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
    if (exports.isEmpty()) {
        auto* exportCsv = new QAction(QObject::tr("Export CSV…"), table);
        exportCsv->setToolTip(QObject::tr("Every row of the table (the page's filters apply) "
                                          "as CSV"));
        QObject::connect(exportCsv, &QAction::triggered, table, [table] {
            const QString path = QFileDialog::getSaveFileName(
                table, QObject::tr("Export CSV"),
                QDir(exportFolder()).filePath(QStringLiteral("table.csv")),
                QObject::tr("CSV (*.csv)"));
            if (path.isEmpty())
                return;
            QString error;
            if (!exportTableCsv(table, path, &error))
                QMessageBox::warning(table, QObject::tr("Export failed"), error);
            else
                rememberExportFolder(QFileInfo(path).absolutePath());
        });
        exports << exportCsv;
    }
    auto* byValue = new QAction(QObject::tr("Filter by this value"), table);
    byValue->setToolTip(QObject::tr("Show only the rows whose cell in this column has the "
                                    "value of the current cell"));
    QObject::connect(byValue, &QAction::triggered, table, [table, filter] {
        const QModelIndex current = table->currentIndex();
        if (!current.isValid())
            return;
        if (filter.apply && filter.columns.contains(current.column()))
            filter.apply(current);
        else if (!filter.apply)
            filterRows(table, current.column(), current.data().toString());
    });
    auto* showAll = new QAction(QObject::tr("Show all rows"), table);
    QObject::connect(showAll, &QAction::triggered, table, [table] { showAllRows(table); });
    showAll->setVisible(!filter.apply); // a page's own filter has its own controls
    auto* columns = new QAction(QObject::tr("Columns"), table);
    QMenu* menu = columnMenu(table);
    columns->setMenu(menu);
    // Judged when the context menu opens: whether this value can be
    // filtered by (the page's columns, or any column of a table small enough
    // to hide rows in), whether rows are hidden.
    const std::function<void()> update = [table, byValue, showAll, filter] {
        const QModelIndex current = table->currentIndex();
        const bool small = table->model() && table->model()->rowCount() <= kMaxRowFilterRows;
        byValue->setEnabled(current.isValid() &&
                            (filter.apply ? filter.columns.contains(current.column()) : small));
        showAll->setEnabled(table->property(kFilterColumn).isValid());
    };
    new ActionState(update, table);
    if (table->model()) {
        // The same row filter over new rows.
        QObject::connect(table->model(), &QAbstractItemModel::modelReset, table,
                         [table] { applyRowFilter(table); });
        QObject::connect(table->model(), &QAbstractItemModel::rowsInserted, table,
                         [table] { applyRowFilter(table); });
    }
    table->addAction(copy);
    table->addAction(copyAll);
    table->addActions(exports);
    table->addAction(byValue);
    table->addAction(showAll);
    table->addAction(columns);
    // The menu holds the table's actions, their state judged when it opens.
    table->setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(table, &QWidget::customContextMenuRequested, table,
                     [table](const QPoint& pos) {
                         updateTableActions(table);
                         auto* popup = new QMenu(table);
                         popup->setAttribute(Qt::WA_DeleteOnClose);
                         popup->addActions(table->actions());
                         popup->popup(table->viewport()->mapToGlobal(pos));
                     });
    // The header's own menu: the columns.
    table->horizontalHeader()->setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(table->horizontalHeader(), &QWidget::customContextMenuRequested, table,
                     [table, menu](const QPoint& pos) {
                         menu->popup(table->horizontalHeader()->viewport()->mapToGlobal(pos));
                     });
}

QTableView* makeTable(QAbstractItemModel* model, TableFilter filter)
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
    addTableActions(table, std::move(filter));
    return table;
}

} // namespace snilab::ui
