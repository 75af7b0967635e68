#include "connection_table_model.h"

#include <QDateTime>
#include <QFileInfo>

namespace snilab::ui {

ConnectionTableModel::ConnectionTableModel(QObject* parent)
    : QAbstractTableModel(parent), m_load(this)
{
}

ConnectionTableModel::~ConnectionTableModel() = default;

void ConnectionTableModel::setCatalogPath(const QString& path, bool load)
{
    m_path = path;
    if (load)
        reload();
}

void ConnectionTableModel::setFilter(const snilab::ConnectionFilter& filter)
{
    if (filter == m_filter)
        return;
    m_filter = filter;
    reload();
}

void ConnectionTableModel::setError(const QString& message)
{
    m_error = message;
    Q_EMIT errorOccurred(message);
}

// What a reload reads: a new browser (a catalog replaced on disk is re-read)
// and the matching ids, or the error.
struct ConnectionTableModel::Loaded {
    std::unique_ptr<snilab::CatalogBrowser> browser;
    std::vector<std::int64_t> ids;
    snilab::ConnectionFilter filter; // the one that gave `ids`
    QString error;

    static Loaded read(const std::string& path, const snilab::ConnectionFilter& filter,
                       snilab::Feedback* feedback)
    {
        Loaded out;
        out.filter = filter;
        if (path.empty())
            return out;
        try {
            out.browser = std::make_unique<snilab::CatalogBrowser>(path);
            out.ids = out.browser->connectionIds(filter, feedback);
        } catch (const std::exception& e) {
            out.browser.reset();
            out.ids.clear();
            out.error = QString::fromStdString(e.what());
        }
        return out;
    }
};

void ConnectionTableModel::reload()
{
    const std::string path = m_path.toStdString();
    const snilab::ConnectionFilter filter = m_filter;
    m_load.run<Loaded>(
        m_background && !path.empty(),
        [path, filter](snilab::Feedback* feedback) { return Loaded::read(path, filter, feedback); },
        [this](Loaded loaded) { apply(std::move(loaded)); },
        [filter] {
            Loaded failed;
            failed.filter = filter;
            failed.error = QStringLiteral("reading the catalog's connections failed");
            return failed;
        });
}

void ConnectionTableModel::apply(Loaded loaded)
{
    beginResetModel();
    m_browser = std::move(loaded.browser);
    m_ids = std::move(loaded.ids);
    m_idsFilter = std::move(loaded.filter);
    m_pages.clear();
    m_pagesRead = 0;
    m_error.clear();
    endResetModel();
    if (!loaded.error.isEmpty())
        setError(loaded.error);
}

std::int64_t ConnectionTableModel::connectionId(int row) const
{
    return row >= 0 && static_cast<std::size_t>(row) < m_ids.size()
               ? m_ids[static_cast<std::size_t>(row)]
               : 0;
}

int ConnectionTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_ids.size());
}

int ConnectionTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const snilab::ConnectionRow* ConnectionTableModel::rowAt(int row) const
{
    if (!m_browser || row < 0 || static_cast<std::size_t>(row) >= m_ids.size())
        return nullptr;
    const int page = row / kPageSize;
    auto it = m_pages.find(page);
    if (it == m_pages.end()) {
        if (m_pages.size() >= kMaxCachedPages)
            m_pages.clear();
        const std::size_t first = static_cast<std::size_t>(page) * kPageSize;
        const std::size_t last = std::min(first + kPageSize, m_ids.size()) - 1;
        std::vector<snilab::ConnectionRow> rows;
        try {
            rows = m_browser->connectionsBetween(m_idsFilter, m_ids[first], m_ids[last]);
        } catch (const std::exception& e) {
            m_error = QString::fromStdString(e.what());
        }
        ++m_pagesRead;
        it = m_pages.insert(page, std::move(rows));
    }
    const std::size_t offset = static_cast<std::size_t>(row % kPageSize);
    // The page holds exactly the ids of its slice unless the catalog changed
    // under the model (a run deleted, a capture re-ingested): check the id.
    if (offset < it->size() && (*it)[offset].id == m_ids[static_cast<std::size_t>(row)])
        return &(*it)[offset];
    return nullptr;
}

namespace {

QString endpoint(const std::string& ip, std::uint16_t port, int ipVersion)
{
    const QString host = QString::fromStdString(ip);
    return ipVersion == 6 ? QStringLiteral("[%1]:%2").arg(host).arg(port)
                          : QStringLiteral("%1:%2").arg(host).arg(port);
}

} // namespace

QVariant ConnectionTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() ||
        (role != Qt::DisplayRole && role != Qt::ToolTipRole && role != Qt::TextAlignmentRole))
        return {};
    if (role == Qt::TextAlignmentRole) {
        switch (index.column()) {
        case Id:
        case Duration:
        case PacketsUp:
        case PacketsDown:
        case BytesUp:
        case BytesDown: return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        default: return {};
        }
    }
    const snilab::ConnectionRow* r = rowAt(index.row());
    if (!r)
        return {};
    switch (index.column()) {
    case Id: return QVariant::fromValue(static_cast<qlonglong>(r->id));
    case Capture:
        return role == Qt::ToolTipRole
                   ? QString::fromStdString(r->capturePath)
                   : QFileInfo(QString::fromStdString(r->capturePath)).fileName();
    case Transport: {
        const std::string_view name = snilab::transportName(r->transport);
        return QString::fromLatin1(name.data(), static_cast<qsizetype>(name.size()));
    }
    case QuicVersion:
        return r->transport == snilab::Transport::Quic
                   ? QString::fromStdString(snilab::quicVersionText(r->quicVersion))
                   : QString();
    case Client: return endpoint(r->clientIp, r->clientPort, r->ipVersion);
    case Server: return endpoint(r->serverIp, r->serverPort, r->ipVersion);
    case Start:
        return QDateTime::fromMSecsSinceEpoch(r->startNs / 1000000, Qt::UTC)
            .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
    case Duration: return QString::number(double(r->endNs - r->startNs) / 1e9, 'f', 3);
    case PacketsUp: return QVariant::fromValue(static_cast<qulonglong>(r->packets[0]));
    case PacketsDown: return QVariant::fromValue(static_cast<qulonglong>(r->packets[1]));
    case BytesUp: return QVariant::fromValue(static_cast<qulonglong>(r->ipBytes[0]));
    case BytesDown: return QVariant::fromValue(static_cast<qulonglong>(r->ipBytes[1]));
    case Close: return QString::fromStdString(r->closeReason);
    case Sni: return QString::fromStdString(r->sni);
    case Label: return QString::fromStdString(r->label);
    case TlsVersions: return QString::fromStdString(r->tlsVersions);
    case Alpn: return QString::fromStdString(r->alpn);
    case Ech: return r->ech ? QStringLiteral("yes") : QString();
    case Ja4: return QString::fromStdString(r->ja4);
    default: return {};
    }
}

QVariant ConnectionTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole)
        return {};
    if (orientation == Qt::Vertical)
        return section + 1;
    static const char* const kNames[ColumnCount] = {
        "ID",           "Capture",     "Transport",    "QUIC version", "Client",
        "Server",       "Start (UTC)", "Duration (s)", "Packets ↑",    "Packets ↓",
        "IP bytes ↑",   "IP bytes ↓",  "Close",        "SNI",          "Label",
        "TLS versions", "ALPN",        "ECH",          "JA4"};
    return section >= 0 && section < ColumnCount ? QString::fromUtf8(kNames[section]) : QVariant();
}

} // namespace snilab::ui
