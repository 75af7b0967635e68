#include "table_export.h"

#include "export_guard.h"
#include "report/atomic_file.h"
#include "report/csv.h"
#include "report/result_table.h"
#include "result_models.h"

#include <QAbstractItemModel>
#include <QStringList>

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace snilab::ui {

namespace {

// Through the engine's AtomicFile: a fresh temporary file (O_EXCL, no symlink
// followed), fsync, rename - as every CLI output; never over the open catalog.
bool writeText(const QString& text, const QString& path, QString* error)
{
    try {
        refuseOpenInputs(path);
        const QByteArray bytes = text.toUtf8();
        report::writeFileAtomically(
            path.toStdString(),
            std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())));
        return true;
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
}

} // namespace

namespace {

// Any other table model as a ResultTable of its display texts (missing cells
// stay missing), so that every export goes through the engine's writers.
report::ResultTable asResultTable(const QAbstractItemModel& model)
{
    if (const auto* results = qobject_cast<const ResultTableModel*>(&model))
        return results->table();
    std::vector<report::Column> columns;
    for (int c = 0; c < model.columnCount(); ++c) {
        const QVariant align = model.data(model.index(0, c), Qt::TextAlignmentRole);
        columns.emplace_back(model.headerData(c, Qt::Horizontal).toString().toStdString(),
                             std::string(),
                             align.isValid() && (align.toInt() & Qt::AlignRight) ? 'r' : 'l');
    }
    report::ResultTable table(std::move(columns));
    for (int r = 0; r < model.rowCount(); ++r) {
        std::vector<report::Cell> row;
        for (int c = 0; c < model.columnCount(); ++c) {
            const QVariant v = model.data(model.index(r, c));
            row.push_back(v.isValid() ? report::Cell(v.toString().toStdString()) : report::Cell());
        }
        table.addRow(std::move(row));
    }
    return table;
}

} // namespace

QString tableToCsv(const QAbstractItemModel& model)
{
    return QString::fromStdString(report::tableCsv(asResultTable(model)));
}

QString selectionToTsv(const QAbstractItemModel& model, const QModelIndexList& selected)
{
    std::set<int> rows, columns;
    std::set<std::pair<int, int>> cells;
    for (const QModelIndex& index : selected) {
        if (!index.isValid() || index.model() != &model)
            continue;
        rows.insert(index.row());
        columns.insert(index.column());
        cells.insert({index.row(), index.column()});
    }
    if (cells.empty())
        return {};
    std::vector<std::string> line;
    for (const int c : columns)
        line.push_back(model.headerData(c, Qt::Horizontal).toString().toStdString());
    std::string out = report::tsvLine(line);
    for (const int r : rows) {
        line.clear();
        for (const int c : columns)
            line.push_back(cells.count({r, c})
                               ? model.data(model.index(r, c)).toString().toStdString()
                               : std::string());
        out += report::tsvLine(line);
    }
    return QString::fromStdString(out);
}

QString tableToLatex(const QAbstractItemModel& model, const QString& caption)
{
    return QString::fromStdString(report::tableLatex(asResultTable(model), caption.toStdString()));
}

bool writeTableCsv(const QAbstractItemModel& model, const QString& path, QString* error)
{
    return writeText(tableToCsv(model), path, error);
}

bool writeTableLatex(const QAbstractItemModel& model, const QString& path, QString* error,
                     const QString& caption)
{
    return writeText(tableToLatex(model, caption), path, error);
}

} // namespace snilab::ui
