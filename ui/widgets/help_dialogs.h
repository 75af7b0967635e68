// Help > About (the build's versions and devices, copyable for a bug report)
// and Help > User guide (the README as shipped, rendered offline).
//
// userGuidePath(): the installed README (<prefix>/share/doc/snilab/README.md,
// found from the executable's place, as cpack installs it), else the source
// tree's README of this build; "" when neither exists.
// Thread: GUI thread. Failure: none (a missing guide says where it looked).
#pragma once

#include <QString>

class QWidget;

namespace snilab::ui {

// The engine's build information (tasks/build_info.h) and Qt's version.
QString aboutText();
void showAbout(QWidget* parent);
QString userGuidePath();
void showUserGuide(QWidget* parent);

} // namespace snilab::ui
