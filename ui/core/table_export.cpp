#include "table_export.h"

#include <QAbstractItemModel>
#include <QSaveFile>
#include <QStringList>

namespace snilab::ui {

namespace {

QString csvField(const QString& text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
        !text.contains(QLatin1Char('\n')) && !text.contains(QLatin1Char('\r')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString latexEscape(const QString& text)
{
    QString out;
    for (const QChar c : text) {
        switch (c.unicode()) {
        case '\\': out += QStringLiteral("\\textbackslash{}"); break;
        case '&':
        case '%':
        case '$':
        case '#':
        case '_':
        case '{':
        case '}': out += QLatin1Char('\\') + c; break;
        case '~': out += QStringLiteral("\\textasciitilde{}"); break;
        case '^': out += QStringLiteral("\\textasciicircum{}"); break;
        case 0x00b1: out += QStringLiteral("$\\pm$"); break; // ±
        case 0x2013: out += QStringLiteral("--"); break;     // –
        case 0x2191: out += QStringLiteral("$\\uparrow$"); break;
        case 0x2193: out += QStringLiteral("$\\downarrow$"); break;
        case 0x2192: out += QStringLiteral("$\\rightarrow$"); break;
        default: out += c;
        }
    }
    return out;
}

bool writeText(const QString& text, const QString& path, QString* error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    file.write(text.toUtf8());
    if (!file.commit()) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace

QString tableToCsv(const QAbstractItemModel& model)
{
    QString out;
    QStringList fields;
    for (int c = 0; c < model.columnCount(); ++c)
        fields << csvField(model.headerData(c, Qt::Horizontal).toString());
    out += fields.join(QLatin1Char(',')) + QLatin1Char('\n');
    for (int r = 0; r < model.rowCount(); ++r) {
        fields.clear();
        for (int c = 0; c < model.columnCount(); ++c)
            fields << csvField(model.data(model.index(r, c)).toString());
        out += fields.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    return out;
}

QString tableToLatex(const QAbstractItemModel& model, const QString& caption)
{
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
