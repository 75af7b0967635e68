#include "table_export.h"

#include "export_guard.h"
#include "report/atomic_file.h"
#include "report/csv.h"
#include "report/latex.h"
#include "result_models.h"

#include <QAbstractItemModel>
#include <QStringList>

#include <string>
#include <vector>

namespace snilab::ui {

namespace {

QString latexEscape(const QString& text)
{
    return QString::fromStdString(report::latexEscape(text.toStdString()));
}

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

QString tableToCsv(const QAbstractItemModel& model)
{
    if (const auto* results = qobject_cast<const ResultTableModel*>(&model))
        return QString::fromStdString(report::tableCsv(results->table()));
    // The engine's one CSV writer (report/csv.h): quoting, escapes and the
    // formula rule are the CLI's, cell for cell.
    std::string out;
    std::vector<std::string> cells;
    for (int c = 0; c < model.columnCount(); ++c)
        cells.push_back(model.headerData(c, Qt::Horizontal).toString().toStdString());
    out += report::csvLine(cells);
    for (int r = 0; r < model.rowCount(); ++r) {
        cells.clear();
        for (int c = 0; c < model.columnCount(); ++c)
            cells.push_back(model.data(model.index(r, c)).toString().toStdString());
        out += report::csvLine(cells);
    }
    return QString::fromStdString(out);
}

QString tableToLatex(const QAbstractItemModel& model, const QString& caption)
{
    if (const auto* results = qobject_cast<const ResultTableModel*>(&model))
        return QString::fromStdString(report::tableLatex(results->table(), caption.toStdString()));
    QString out;
    if (!caption.isEmpty())
        out += QStringLiteral("% %1\n").arg(caption);
    QString spec;
    for (int c = 0; c < model.columnCount(); ++c) {
        const QVariant align = model.data(model.index(0, c), Qt::TextAlignmentRole);
        spec += align.isValid() && (align.toInt() & Qt::AlignRight) ? QLatin1Char('r')
                                                                    : QLatin1Char('l');
    }
    out += QStringLiteral("\\begin{tabular}{%1}\n\\hline\n").arg(spec);
    QStringList fields;
    for (int c = 0; c < model.columnCount(); ++c)
        fields << latexEscape(model.headerData(c, Qt::Horizontal).toString());
    out += fields.join(QStringLiteral(" & ")) + QStringLiteral(" \\\\\n\\hline\n");
    for (int r = 0; r < model.rowCount(); ++r) {
        fields.clear();
        for (int c = 0; c < model.columnCount(); ++c)
            fields << latexEscape(model.data(model.index(r, c)).toString());
        out += fields.join(QStringLiteral(" & ")) + QStringLiteral(" \\\\\n");
    }
    out += QStringLiteral("\\hline\n\\end{tabular}\n");
    return out;
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
