// Persistent workbench settings (QSettings, organisation "snilab"): recent
// catalogs (most recent first, at most kMaxRecent, missing files dropped on
// read), the main window's geometry and state, the last experiment setup and
// the last folder used in file dialogs.
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

    QString lastFolder() const;
    void setLastFolder(const QString& folder);
};

} // namespace snilab::ui
