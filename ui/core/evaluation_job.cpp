#include "evaluation_job.h"

#include "catalog/catalog.h"

#include <exception>
#include <memory>

namespace snilab::ui {

EvaluationJob::EvaluationJob(QObject* parent) : BackgroundJob(parent) {}

bool EvaluationJob::start(const QString& catalogPath, const snilab::EvaluationConfig& config)
{
    if (isRunning())
        return false;
    m_outcome = {};
    auto outcome = std::make_shared<snilab::EvaluationOutcome>();
    const std::filesystem::path path = catalogPath.toStdString();
    return launch(
        [path, config, outcome](JobFeedback& feedback) {
            try {
                auto catalog = snilab::Catalog::openExisting(path);
                *outcome = snilab::evaluate(*catalog, config, feedback);
            } catch (const std::exception& e) {
                // Catalog, model (OpenCV, LibTorch) errors: the job edge.
                outcome->status = snilab::RunStatus::Failed;
                outcome->error = e.what();
            }
        },
        [this, outcome] {
            m_outcome = *outcome;
            if (m_outcome.error.empty() && !crashMessage().isEmpty())
                m_outcome.error = crashMessage().toStdString();
        });
}

} // namespace snilab::ui
