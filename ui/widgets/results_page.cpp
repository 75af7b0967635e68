#include "results_page.h"

#include "result_view.h"

#include "core/catalog_session.h"

#include <QSplitter>
#include <QVBoxLayout>

namespace snilab::ui {

ResultsPage::ResultsPage(CatalogSession* session, QWidget* parent)
    : QWidget(parent),
      m_splitter(new QSplitter(Qt::Horizontal)), m_results{new ResultView, new ResultView}
{
    m_splitter->addWidget(m_results[0]);
    m_splitter->addWidget(m_results[1]);
    m_results[1]->hide();
    // The splitter fills the tab exactly, as when it was the tab itself.
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_splitter);

    connect(session, &CatalogSession::runLoaded, this, &ResultsPage::showRun);
    connect(session, &CatalogSession::failed, this,
            [this](CatalogSession::Operation operation, const QString& message) {
                if (operation == CatalogSession::Operation::LoadRun)
                    Q_EMIT errorOccurred(message, false);
            });
}

void ResultsPage::clear()
{
    m_results[0]->setRun({});
    m_results[1]->setRun({});
    m_results[1]->hide();
}

void ResultsPage::showRun(int side, const RunData& run)
{
    ResultView* view = resultView(side);
    view->setRun(run);
    if (view == m_results[1])
        view->show();
    Q_EMIT runShown(side);
}

ResultView* ResultsPage::resultView(int side) const
{
    return m_results[side == 0 ? 0 : 1];
}

} // namespace snilab::ui
