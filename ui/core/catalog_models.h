// Small table models over a catalog, read on the GUI thread (each query is
// one aggregate: label counts GROUP BY, the capture list, the run list); the
// label counts, a scan of every connection, can be read on a pool thread.
//
// LabelCountModel: connections, QUIC connections (of those, carried by QUIC)
// and captures per label (the paper's Figure 3 data, unlabeled connections
// left out), sorted by connections descending,
// plus the threshold summary: how many classes and connections meet a
// minimum-connections threshold (engine meetsThreshold, same rule as runs).
// CaptureListModel: one row per capture (path, status, counts, error).
// RunListModel: the run registry (id, status, times, models, thresholds,
// split, transport),
// read through a read-only connection (catalog/run_list.h) so that it never
// waits on a run being written; refreshAsync() reads it on a short-lived
// worker thread and applies it on the GUI thread (a running run shows as
// `running` and changes in place, keeping the selection).
//
// Thread: GUI thread; each reload opens the catalog briefly (read only use).
// Failure: catalog errors leave the model empty with lastError() set.
#pragma once

#include "catalog/catalog.h"
#include "dataset/thresholds.h"
#include "eval/evaluator.h"
#include "latest_job.h"

#include <QAbstractTableModel>
#include <QString>

class QThread;

#include <optional>
#include <vector>

namespace snilab::ui {

class LabelCountModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Label, Connections, Quic, Captures, ColumnCount };
    explicit LabelCountModel(QObject* parent = nullptr);

    // Reloads unless `load` is false (a reload() follows).
    void setCatalogPath(const QString& path, bool load = true);
    void setLabelMode(snilab::LabelMode mode);
    void reload();
    // Reloads read on a pool thread (off: on the calling thread, at once);
    // the counts stay until the new ones arrive as one reset.
    void setBackgroundLoading(bool on) { m_background = on; }
    bool isLoading() const { return m_load.running(); }
    QString lastError() const { return m_error; }

    // Labeled connections per label, connections descending (then label).
    const std::vector<snilab::LabelCount>& counts() const { return m_counts; }
    quint64 unlabeledConnections() const { return m_unlabeled; }
    // Whether any labeled connection was carried by QUIC.
    bool hasQuic() const;

    struct ThresholdSummary {
        int classes = 0;
        quint64 connections = 0;
    };
    ThresholdSummary summaryAt(int threshold, snilab::ThresholdRule rule) const;
    int maxCount() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Loaded {
        std::vector<snilab::LabelCount> counts;
        quint64 unlabeled = 0;
        QString error;
    };
    static Loaded read(const std::string& path, snilab::LabelMode mode);
    void apply(Loaded loaded);

    QString m_path;
    snilab::LabelMode m_mode = snilab::LabelMode::Default;
    std::vector<snilab::LabelCount> m_counts;
    quint64 m_unlabeled = 0;
    QString m_error;
    bool m_background = false;
    LatestJob m_load; // last: cancelled before the rest goes
};

class CaptureListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Path, Status, Connections, Labeled, Packets, Container, Error, ColumnCount };
    explicit CaptureListModel(QObject* parent = nullptr);

    void setCatalogPath(const QString& path);
    void reload();
    QString lastError() const { return m_error; }
    const std::vector<snilab::CaptureRow>& captures() const { return m_rows; }
    // Whether the capture of `row` may be removed: it did not finish cleanly
    // (incomplete, partial or failed).
    bool removable(int row) const;
    // Removes the capture of `row` from the catalog with its connections
    // (CaptureStore::removeCapture: complete captures and one being ingested
    // are refused) and reloads; false with the engine's reason in *error.
    bool removeCapture(int row, QString* error);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QString m_path;
    std::vector<snilab::CaptureRow> m_rows;
    QString m_error;
};

class RunListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        Id,
        Status,
        Created,
        Finished,
        Models,
        Thresholds,
        Split,
        Transport,
        Error,
        ColumnCount
    };
    static constexpr int RunIdRole = Qt::UserRole + 1;
    explicit RunListModel(QObject* parent = nullptr);
    ~RunListModel() override;

    void setCatalogPath(const QString& path);
    // Reads the list now (a small read-only query on the calling thread).
    void reload();
    // Reads the list on a worker thread and applies it when read (refreshed()
    // then). A call while a read is in flight is merged into one more read.
    void refreshAsync();
    bool isRefreshing() const { return m_refresh != nullptr; }
    QString lastError() const { return m_error; }
    const std::vector<snilab::RunInfo>& runs() const { return m_runs; }
    // Row of a run id, -1 if absent.
    int rowOf(std::int64_t runId) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    // After refreshAsync()'s read has been applied.
    void refreshed();

private:
    // Rows unchanged in ids are updated in place (dataChanged), else a reset.
    void apply(std::vector<snilab::RunInfo> runs, const QString& error);

    QString m_path;
    std::vector<snilab::RunInfo> m_runs;
    std::vector<std::optional<snilab::EvaluationConfig>> m_configs; // m_runs' configurations
    QString m_error;
    QThread* m_refresh = nullptr;
    bool m_refreshAgain = false;
    quint64 m_generation = 0;
};

// A stored run's configuration read back (EvaluationConfig::fromText);
// nullopt when its text does not parse (a damaged or foreign catalog).
std::optional<snilab::EvaluationConfig> runConfig(const snilab::RunInfo& run);
// "stratified, 10 folds", "capture, 5 folds" or "time"; "?" without a config.
QString runSplitText(const std::optional<snilab::EvaluationConfig>& config);
// The connections a run evaluated: the configuration's `transport=` (all,
// tcp, quic; a run from before QUIC reads as all); "?" without a config.
QString runTransportText(const std::optional<snilab::EvaluationConfig>& config);

} // namespace snilab::ui
