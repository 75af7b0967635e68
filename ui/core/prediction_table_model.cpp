#include "prediction_table_model.h"

#include <QFileInfo>

namespace snilab::ui {

namespace {

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

QString endpoint(const std::string& ip, std::uint16_t port)
{
    const QString host = qs(ip);
    return (host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host) +
           QLatin1Char(':') + QString::number(port);
}

QString probabilityText(double p)
{
    return QString::number(p, 'f', 3);
}

const snilab::PredictionOutcome& emptyOutcome()
{
    static const snilab::PredictionOutcome empty;
    return empty;
}

} // namespace

// --- PredictionSummary -------------------------------------------------------

PredictionSummary summarize(const snilab::PredictionOutcome& outcome)
{
    PredictionSummary s;
    s.model = qs(outcome.model);
    s.connections = outcome.rows.size();
    s.withSni = outcome.withSni;
    s.withEch = outcome.withEch;
    s.known = outcome.known;
    s.correct = outcome.correct;
    s.accuracy = outcome.accuracy();
    for (const auto& f : outcome.files)
        if (f.outcome == snilab::IngestOutcome::Failed ||
            f.outcome == snilab::IngestOutcome::Partial)
            s.fileErrors << QStringLiteral("%1: %2%3")
                                .arg(QFileInfo(qs(f.path.string())).fileName(),
                                     f.outcome == snilab::IngestOutcome::Partial
                                         ? QStringLiteral("partly read, ")
                                         : QString(),
                                     qs(f.error.describe()));
    return s;
}

QString PredictionSummary::text() const
{
    QString out = QStringLiteral("%L1 connections classified with %2: %L3 with an SNI (%L4 with "
                                 "ECH), %L5 without. ")
                      .arg(connections)
                      .arg(model)
                      .arg(withSni)
                      .arg(withEch)
                      .arg(connections - withSni);
    if (known > 0)
        out += QStringLiteral("Accuracy %1 (%L2 of %L3 connections of the model's classes; %L4 "
                              "labeled connections outside them).")
                   .arg(QString::number(accuracy, 'f', 3))
                   .arg(correct)
                   .arg(known)
                   .arg(withSni - known);
    else
        out += QStringLiteral("Accuracy: no connection's label is one of the model's classes.");
    if (!fileErrors.isEmpty())
        out += QStringLiteral(" %1 capture(s) not read: %2")
                   .arg(fileErrors.size())
                   .arg(fileErrors.join(QStringLiteral("; ")));
    return out;
}

// --- PredictionTableModel ----------------------------------------------------

PredictionTableModel::PredictionTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void PredictionTableModel::setOutcome(std::shared_ptr<const snilab::PredictionOutcome> outcome)
{
    beginResetModel();
    m_outcome = std::move(outcome);
    m_summary = m_outcome ? summarize(*m_outcome) : PredictionSummary{};
    m_topK = 1;
    if (m_outcome)
        for (const auto& r : m_outcome->rows)
            m_topK = std::max(m_topK, static_cast<int>(r.top.size()));
    endResetModel();
    Q_EMIT headerDataChanged(Qt::Horizontal, Top, Top);
}

void PredictionTableModel::clear()
{
    setOutcome(nullptr);
}

const snilab::PredictedConnection& PredictionTableModel::row(int r) const
{
    return m_outcome->rows.at(static_cast<std::size_t>(r));
}

int PredictionTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_outcome ? 0 : static_cast<int>(m_outcome->rows.size());
}

int PredictionTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PredictionTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= ColumnCount)
        return {};
    const auto& r =
        (m_outcome ? *m_outcome : emptyOutcome()).rows[static_cast<std::size_t>(index.row())];
    const snilab::ConnectionRow& c = r.connection;
    const Outcome outcome =
        !r.knownClass ? Outcome::Unknown : (r.correct() ? Outcome::Right : Outcome::Wrong);
    switch (role) {
    case OutcomeRole: return static_cast<int>(outcome);
    case Qt::ToolTipRole:
        if (index.column() == Capture)
            return qs(c.capturePath);
        if (index.column() == Top)
            return data(index, Qt::DisplayRole);
        if (index.column() == TrueLabel && !r.trueLabel.empty() && !r.knownClass)
            return QStringLiteral("not one of the model's classes");
        if (index.column() == Tls && !c.hasClientHello)
            return QStringLiteral("no TLS ClientHello was seen (not TLS, or its start was not "
                                  "captured): the prediction is a guess from sizes and times");
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == Probability ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                             : QVariant();
    case SortRole:
        switch (index.column()) {
        case Probability: return r.probability;
        case Client:
            return QStringLiteral("%1 %2")
                .arg(qs(c.clientIp))
                .arg(c.clientPort, 5, 10, QLatin1Char('0'));
        case Server:
            return QStringLiteral("%1 %2")
                .arg(qs(c.serverIp))
                .arg(c.serverPort, 5, 10, QLatin1Char('0'));
        case Correct: return static_cast<int>(outcome);
        case Capture:
            return QStringLiteral("%1 %2")
                .arg(qs(c.capturePath))
                .arg(c.startNs, 20, 10, QLatin1Char('0'));
        default: return data(index, Qt::DisplayRole);
        }
    case Qt::DisplayRole:
        switch (index.column()) {
        case Capture: return QFileInfo(qs(c.capturePath)).fileName();
        case Client: return endpoint(c.clientIp, c.clientPort);
        case Server: return endpoint(c.serverIp, c.serverPort);
        case Tls: return c.hasClientHello ? QStringLiteral("yes") : QStringLiteral("no");
        case Sni: return qs(c.sni);
        case Ech: return c.ech ? QStringLiteral("yes") : QString();
        case TrueLabel: return qs(r.trueLabel);
        case Predicted: return qs(r.predicted);
        case Probability: return probabilityText(r.probability);
        case Top: {
            QStringList parts;
            for (const auto& [label, p] : r.top)
                parts << qs(label) + QLatin1Char(' ') + probabilityText(p);
            return parts.join(QStringLiteral("; "));
        }
        case Correct:
            return outcome == Outcome::Unknown
                       ? QString()
                       : (outcome == Outcome::Right ? QStringLiteral("yes") : QStringLiteral("no"));
        default: return {};
        }
    default: return {};
    }
}

QVariant PredictionTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole || orientation != Qt::Horizontal)
        return {};
    switch (section) {
    case Capture: return QStringLiteral("Capture");
    case Client: return QStringLiteral("Client");
    case Server: return QStringLiteral("Server");
    case Tls: return QStringLiteral("TLS");
    case Sni: return QStringLiteral("SNI");
    case Ech: return QStringLiteral("ECH");
    case TrueLabel: return QStringLiteral("True label");
    case Predicted: return QStringLiteral("Predicted");
    case Probability: return QStringLiteral("Probability");
    case Top: return QStringLiteral("Top %1").arg(m_topK);
    case Correct: return QStringLiteral("Correct");
    default: return {};
    }
}

// --- PredictionFilterModel ---------------------------------------------------

PredictionFilterModel::PredictionFilterModel(QObject* parent) : QSortFilterProxyModel(parent)
{
    setSortRole(PredictionTableModel::SortRole);
}

void PredictionFilterModel::setShow(Show show)
{
    if (show == m_show)
        return;
    // Qt 6.4 has no beginFilterChange(); invalidateFilter() re-filters.
    m_show = show;
    invalidateFilter();
}

bool PredictionFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (m_show == Show::All)
        return true;
    const auto outcome =
        static_cast<PredictionTableModel::Outcome>(sourceModel()
                                                       ->index(sourceRow, 0, sourceParent)
                                                       .data(PredictionTableModel::OutcomeRole)
                                                       .toInt());
    switch (m_show) {
    case Show::Wrong: return outcome == PredictionTableModel::Outcome::Wrong;
    case Show::Unknown: return outcome == PredictionTableModel::Outcome::Unknown;
    case Show::WrongOrUnknown: return outcome != PredictionTableModel::Outcome::Right;
    default: return true;
    }
}

} // namespace snilab::ui
