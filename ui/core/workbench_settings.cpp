#include "workbench_settings.h"

#include <QFileInfo>
#include <QSettings>

namespace snilab::ui {

QStringList WorkbenchSettings::recentCatalogs() const
{
    QSettings s;
    QStringList out;
    for (const QString& p : s.value(QStringLiteral("recentCatalogs")).toStringList())
        if (QFileInfo::exists(p))
            out << p;
    return out;
}

void WorkbenchSettings::addRecentCatalog(const QString& path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QSettings s;
    QStringList list = s.value(QStringLiteral("recentCatalogs")).toStringList();
    list.removeAll(absolute);
    list.prepend(absolute);
    while (list.size() > kMaxRecent)
        list.removeLast();
    s.setValue(QStringLiteral("recentCatalogs"), list);
}

void WorkbenchSettings::clearRecentCatalogs()
{
    QSettings().remove(QStringLiteral("recentCatalogs"));
}

QByteArray WorkbenchSettings::windowGeometry() const
{
    return QSettings().value(QStringLiteral("window/geometry")).toByteArray();
}

QByteArray WorkbenchSettings::windowState() const
{
    return QSettings().value(QStringLiteral("window/state")).toByteArray();
}

void WorkbenchSettings::setWindow(const QByteArray& geometry, const QByteArray& state)
{
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), geometry);
    s.setValue(QStringLiteral("window/state"), state);
}

ExperimentSetup WorkbenchSettings::experimentSetup() const
{
    QSettings s;
    return ExperimentSetup::load(s);
}

void WorkbenchSettings::setExperimentSetup(const ExperimentSetup& setup)
{
    QSettings s;
    setup.save(s);
}

QString WorkbenchSettings::lastFolder() const
{
    return QSettings().value(QStringLiteral("lastFolder")).toString();
}

void WorkbenchSettings::setLastFolder(const QString& folder)
{
    QSettings().setValue(QStringLiteral("lastFolder"), folder);
}

} // namespace snilab::ui
