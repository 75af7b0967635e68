#include "help_dialogs.h"

#include "tasks/build_info.h"

#include <QApplication>
#include <QClipboard>
#include <QCoreApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace snilab::ui {

QString aboutText()
{
    QString text = QString::fromStdString(snilab::buildInfoText());
    text += QStringLiteral("Qt: %1 (built with %2)\n")
                .arg(QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR));
    text += QStringLiteral("platform: %1\n").arg(QGuiApplication::platformName());
    return text;
}

void showAbout(QWidget* parent)
{
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("About snilab"));
    auto* layout = new QVBoxLayout(&dialog);
    layout->addWidget(new QLabel(
        QObject::tr("<b>snilab</b> measures how well the service behind an encrypted TLS or "
                    "QUIC connection can be identified from packet sizes and timings.")));
    auto* info = new QPlainTextEdit(aboutText());
    info->setReadOnly(true);
    info->setMinimumSize(560, 220);
    layout->addWidget(info);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    QPushButton* copy = buttons->addButton(QObject::tr("Copy"), QDialogButtonBox::ActionRole);
    QObject::connect(copy, &QPushButton::clicked, &dialog,
                     [info] { QApplication::clipboard()->setText(info->toPlainText()); });
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog.exec();
}

QString userGuidePath()
{
    const QString installed = QDir(QCoreApplication::applicationDirPath())
                                  .filePath(QStringLiteral("../share/doc/snilab/README.md"));
    if (QFileInfo::exists(installed))
        return QFileInfo(installed).canonicalFilePath();
#ifdef SNILAB_SOURCE_README
    if (QFileInfo::exists(QStringLiteral(SNILAB_SOURCE_README)))
        return QStringLiteral(SNILAB_SOURCE_README);
#endif
    return {};
}

void showUserGuide(QWidget* parent)
{
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("snilab user guide"));
    auto* layout = new QVBoxLayout(&dialog);
    auto* browser = new QTextBrowser;
    browser->setOpenExternalLinks(false);
    const QString path = userGuidePath();
    QFile file(path);
    if (!path.isEmpty() && file.open(QIODevice::ReadOnly)) {
        browser->setSearchPaths({QFileInfo(path).absolutePath()});
        browser->setMarkdown(QString::fromUtf8(file.readAll()));
    } else {
        browser->setPlainText(
            QObject::tr("The user guide (README.md) was not found: neither installed in %1 nor "
                        "in this build's source tree.")
                .arg(QDir(QCoreApplication::applicationDirPath())
                         .filePath(QStringLiteral("../share/doc/snilab"))));
    }
    browser->setMinimumSize(760, 560);
    layout->addWidget(browser);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog.exec();
}

} // namespace snilab::ui
