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

namespace {

QString folderKey(WorkbenchSettings::Folder kind)
{
    switch (kind) {
    case WorkbenchSettings::Folder::Catalogs: return QStringLiteral("folders/catalogs");
    case WorkbenchSettings::Folder::Captures: return QStringLiteral("folders/captures");
    case WorkbenchSettings::Folder::Exports: return QStringLiteral("folders/exports");
    case WorkbenchSettings::Folder::Models: return QStringLiteral("folders/models");
    }
    return QStringLiteral("folders/other");
}

} // namespace

QString WorkbenchSettings::lastFolder(Folder kind) const
{
    QSettings s;
    const QString own = s.value(folderKey(kind)).toString();
    return own.isEmpty() ? s.value(QStringLiteral("lastFolder")).toString() : own;
}

void WorkbenchSettings::setLastFolder(Folder kind, const QString& folder)
{
    QSettings s;
    s.setValue(folderKey(kind), folder);
    s.setValue(QStringLiteral("lastFolder"), folder);
}

WorkbenchSettings::Session WorkbenchSettings::lastSession() const
{
    QSettings s;
    Session session;
    session.catalog = s.value(QStringLiteral("session/catalog")).toString();
    session.tab = s.value(QStringLiteral("session/tab"), 0).toInt();
    session.run = s.value(QStringLiteral("session/run"), 0).toLongLong();
    return session;
}

void WorkbenchSettings::setLastSession(const Session& session)
{
    QSettings s;
    s.setValue(QStringLiteral("session/catalog"), session.catalog);
    s.setValue(QStringLiteral("session/tab"), session.tab);
    s.setValue(QStringLiteral("session/run"), session.run);
}

} // namespace snilab::ui
