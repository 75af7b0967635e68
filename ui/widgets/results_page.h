// ResultsPage: the workbench's Results tab. One run's result views
// (ResultView), or two runs side by side (Compare: the right side appears
// when a run is loaded into it).
//
// It shows what the CatalogSession loads (runLoaded: slot 0 left, 1 right)
// and passes on its load errors; the loads themselves run off the GUI
// thread in the session. Thread: GUI thread.
#pragma once

#include <QWidget>

class QSplitter;

namespace snilab::ui {

class CatalogSession;
class ResultView;
struct RunData;

class ResultsPage : public QWidget {
    Q_OBJECT
public:
    explicit ResultsPage(CatalogSession* session, QWidget* parent = nullptr);

    // No run on either side; the right side hidden (a catalog was opened).
    void clear();
    // side 0: left, 1: right (shown).
    void showRun(int side, const RunData& run);
    ResultView* resultView(int side = 0) const;

Q_SIGNALS:
    // A run has been loaded into a side (the window shows this tab).
    void runShown(int side);
    void errorOccurred(const QString& message, bool interactive);

private:
    QSplitter* m_splitter;
    ResultView* m_results[2];
};

} // namespace snilab::ui
