// Persistent workbench settings (QSettings, organisation "snilab"): recent
// catalogs (most recent first, at most kMaxRecent, missing files dropped on
// read), the main window's geometry and state, the last experiment setup,
// the last folder of each kind of file dialog (catalogs, captures, exports,
// model files: each starts where the same kind of file was last chosen) and
// the last session (the catalog, tab and run shown at quit, reopened at the
// next start without a catalog argument).
//
// Thread: GUI thread. Failure: none (QSettings keeps defaults).
#pragma once

#include "experiment_setup.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace snilab::ui {

class WorkbenchSettings {
public:
    static constexpr int kMaxRecent = 8;

    QStringList recentCatalogs() const;
    void addRecentCatalog(const QString& path);
    void clearRecentCatalogs();

    QByteArray windowGeometry() const;
    QByteArray windowState() const;
    void setWindow(const QByteArray& geometry, const QByteArray& state);

    ExperimentSetup experimentSetup() const;
    void setExperimentSetup(const ExperimentSetup& setup);

    // Which file dialog a folder belongs to.
    enum class Folder { Catalogs, Captures, Exports, Models };
    // The folder last used by dialogs of `kind`; else the last folder of any
    // dialog (settings written before folders were per kind); else "".
    QString lastFolder(Folder kind) const;
    void setLastFolder(Folder kind, const QString& folder);

    struct Session {
        QString catalog; // "" when none was open
        int tab = 0;     // MainWindow::Tab
        qint64 run = 0;  // shown in Results (0: none)
        bool operator==(const Session&) const = default;
    };
    Session lastSession() const;
    void setLastSession(const Session& session);
};

} // namespace snilab::ui
