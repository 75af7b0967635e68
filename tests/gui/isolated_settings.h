// The GUI tests' QSettings: an INI file inside the test's temporary folder,
// under a test organisation and application, so that no test reads or writes
// the user's settings and tests do not see each other's.
#pragma once

#include <QCoreApplication>
#include <QSettings>
#include <QString>
#include <QTemporaryDir>

inline void isolateSettings(const QTemporaryDir& dir, const QString& application)
{
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir.filePath("settings"));
    QCoreApplication::setOrganizationName(QStringLiteral("snilab-test"));
    QCoreApplication::setApplicationName(application);
}
