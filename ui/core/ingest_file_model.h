// IngestFileModel: one row per file of the running (or last) ingest, with its
// state (queued, reading, done, already present, partial, failed, cancelled,
// not reached), its own progress and the result text or the engine's reason
// of a failure. It follows an IngestJob (watch()): the rows are set when the
// job starts, a row turns `reading` with its fraction as the job reports the
// file's progress, then takes the file's outcome; files the job never reached
// (Cancel, a catalog error) end `not reached`.
//
// Thread: GUI thread. Failure: none (failures are rows).
#pragma once

#include "ingest_job.h"

#include <QAbstractTableModel>
#include <QList>
#include <QPointer>

namespace snilab::ui {

class IngestFileModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { File, State, Progress, Details, ColumnCount };
    enum class FileState {
        Queued,
        Reading,
        Done,           // ingested
        AlreadyPresent, // same content already in the catalog
        Partial,        // read up to an error; what was read is kept
        Failed,
        Cancelled, // stopped while reading; stays incomplete in the catalog
        NotReached // the job ended (Cancel, catalog error) before this file
    };
    // data(): the row's FileState (as int) under StateRole, its fraction in
    // [0, 1] under FractionRole (any column).
    enum Role { StateRole = Qt::UserRole + 1, FractionRole };

    explicit IngestFileModel(QObject* parent = nullptr);

    // Follows `job` from its next start (one job at a time; nullptr stops).
    void watch(IngestJob* job);

    // What watch() wires, callable directly.
    void begin(const QStringList& files);
    void setFileProgress(int index, double fraction);
    void setFileReport(int index, const IngestFileReport& report);
    void end(); // rows still queued or reading become NotReached

    FileState state(int row) const { return m_rows.at(row).state; }
    double fraction(int row) const { return m_rows.at(row).fraction; }
    QString details(int row) const { return m_rows.at(row).details; }
    static QString stateName(FileState state);
    // A bad outcome (partial, failed, cancelled, not reached).
    static bool isProblem(FileState state);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Row {
        QString path;
        FileState state = FileState::Queued;
        double fraction = 0;
        QString details;
    };
    void changed(int row);

    QList<Row> m_rows;
    QPointer<IngestJob> m_job;
    QList<QMetaObject::Connection> m_connections;
};

} // namespace snilab::ui
