// ConnectionTableModel: the catalog's connections as a lazy table for a
// QTableView (10^6 rows: only the ids of the matching rows are held, 8 bytes
// each; rows are read in pages of kPageSize when a view asks for them, and
// at most kMaxCachedPages pages are kept).
//
// Filter: label substring, one capture, SNI present/absent, transport (TCP,
// QUIC or both; engine ConnectionFilter). Connections of `incomplete`
// captures are not listed. The Transport column shows the engine's names
// (tcp, quic: as `snilab-cli connections`), QUIC version its hex
// (quicVersionText(), empty for TCP).
//
// Thread: GUI thread. Reads go through a snilab::CatalogBrowser (its own
// read-only SQLite connection), so an ingest writing the same catalog never
// blocks it; call reload() to see newly committed connections. With
// setBackgroundLoading(true) (the workbench) the ids are queried on a pool
// thread (a few hundred ms at 10^6 connections): the model keeps its rows
// until the new ones arrive as one reset (isLoading() meanwhile), and a newer
// reload supersedes a running one.
// Failure: a catalog that cannot be read leaves the model empty with
// lastError() set (and errorOccurred emitted).
#pragma once

#include "catalog/catalog_browse.h"
#include "latest_job.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QString>

#include <memory>
#include <vector>

namespace snilab::ui {

class ConnectionTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    static constexpr int kPageSize = 256;
    static constexpr int kMaxCachedPages = 64;

    enum Column {
        Id,
        Capture,
        Transport,
        QuicVersion,
        Client,
        Server,
        Start,
        Duration,
        PacketsUp,
        PacketsDown,
        BytesUp,
        BytesDown,
        Close,
        Sni,
        Label,
        TlsVersions,
        Alpn,
        Ech,
        Ja4,
        ColumnCount
    };

    explicit ConnectionTableModel(QObject* parent = nullptr);
    ~ConnectionTableModel() override;

    // Points the model at a catalog file ("" = none) and reloads (unless
    // `load` is false: a reload() follows).
    void setCatalogPath(const QString& path, bool load = true);
    // Reloads query on a pool thread (off: on the calling thread, at once).
    void setBackgroundLoading(bool on) { m_background = on; }
    bool isLoading() const { return m_load.running(); }
    void setFilter(const snilab::ConnectionFilter& filter);
    const snilab::ConnectionFilter& filter() const { return m_filter; }
    // Re-reads the matching ids (after an ingest).
    void reload();
    QString lastError() const { return m_error; }
    // Pages read from the catalog since the last reload (for tests of laziness).
    int pagesRead() const { return m_pagesRead; }
    std::int64_t connectionId(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void errorOccurred(const QString& message);

private:
    struct Loaded;
    const snilab::ConnectionRow* rowAt(int row) const;
    void setError(const QString& message);
    void apply(Loaded loaded);

    QString m_path;
    snilab::ConnectionFilter m_filter;
    std::unique_ptr<snilab::CatalogBrowser> m_browser;
    std::vector<std::int64_t> m_ids;
    snilab::ConnectionFilter m_idsFilter; // the filter m_ids came from (pages use it)
    mutable QHash<int, std::vector<snilab::ConnectionRow>> m_pages;
    mutable int m_pagesRead = 0;
    mutable QString m_error;
    bool m_background = false;
    LatestJob m_load; // last: cancelled before the rest goes
};

} // namespace snilab::ui
