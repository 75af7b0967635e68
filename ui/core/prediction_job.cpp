#include "prediction_job.h"

#include <QFileInfo>

#include <algorithm>
#include <mutex>
#include <string_view>

namespace snilab::ui {

namespace {

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

// predictCaptures reports ingest (0..1 over the files' bytes), then reading
// the connections (fraction 0, "reading connections: N"), then "classifying"
// (1.0). This maps the three onto one rising fraction of the job, and passes
// the job's cancel flag down (the engine polls this object's flag).
class PredictionFeedback : public snilab::Feedback {
public:
    explicit PredictionFeedback(snilab::Feedback& job) : m_job(job) {}
    void progress(double fraction, std::string_view stage) override
    {
        double mapped = 0;
        std::string text;
        if (stage.starts_with("reading connections")) {
            mapped = 0.85;
            text = std::string(stage);
        } else if (stage.starts_with("classifying")) {
            mapped = 0.95;
            text = std::string(stage);
        } else {
            mapped = 0.05 + 0.8 * std::clamp(fraction, 0.0, 1.0);
            text = "ingesting " + std::string(stage);
        }
        {
            std::lock_guard lock(m_mutex);
            m_fraction = std::max(m_fraction, mapped);
            mapped = m_fraction;
        }
        m_job.progress(mapped, text);
        if (m_job.isCancelled())
            cancel();
    }

private:
    snilab::Feedback& m_job;
    std::mutex m_mutex;
    double m_fraction = 0;
};

} // namespace

QString ModelSummary::describe() const
{
    if (names.isEmpty())
        return {};
    return QStringLiteral("%1 (default %2); %3 classes, trained on %L4 connections (T %5)%6")
        .arg(names.join(QStringLiteral(", ")), primary)
        .arg(labels.size())
        .arg(trainedConnections)
        .arg(threshold)
        .arg(createdAt.isEmpty() ? QString() : QStringLiteral(", ") + createdAt);
}

PredictionJob::PredictionJob(QObject* parent)
    : BackgroundJob(parent), m_outcome(std::make_shared<snilab::PredictionOutcome>())
{
}

bool PredictionJob::loadModel(const QString& path)
{
    if (isRunning())
        return false;
    m_operation = Operation::LoadModel;
    m_error.clear();
    m_cancelled = false;
    struct Loaded {
        std::shared_ptr<const snilab::ModelFile> model;
        std::string error;
    };
    auto loaded = std::make_shared<Loaded>();
    const std::filesystem::path file = path.toStdString();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    return launch(
        [file, loaded](JobFeedback& feedback) {
            feedback.progress(0.0, "reading " + file.filename().string());
            try {
                loaded->model =
                    std::make_shared<const snilab::ModelFile>(snilab::readModelFile(file));
            } catch (const std::exception& e) {
                // ModelError: one line starting with the path.
                loaded->error = e.what();
            }
            feedback.progress(1.0, "done");
        },
        [this, loaded, absolute] {
            m_model = loaded->model;
            m_summary = {};
            m_error = qs(loaded->error);
            if (m_error.isEmpty() && !crashMessage().isEmpty())
                m_error = crashMessage();
            if (!m_model)
                return;
            const snilab::ModelFileInfo& info = m_model->info;
            m_summary.path = absolute;
            for (const auto& name : m_model->models.plan().order)
                m_summary.names << qs(name);
            m_summary.primary = qs(info.primary);
            for (const auto& label : info.labels)
                m_summary.labels << qs(label);
            m_summary.threshold = info.threshold;
            m_summary.trainedConnections = info.trainedConnections;
            m_summary.createdAt = qs(info.createdAt);
            m_summary.createdBy = qs(info.createdBy);
        });
}

bool PredictionJob::predict(const QStringList& captures, const QString& use, int topK)
{
    if (isRunning() || !m_model || captures.isEmpty())
        return false;
    m_operation = Operation::Predict;
    m_error.clear();
    m_cancelled = false;
    m_outcome = std::make_shared<snilab::PredictionOutcome>();
    std::vector<std::filesystem::path> files;
    for (const QString& f : captures)
        files.emplace_back(f.toStdString());
    snilab::PredictionOptions options;
    options.use = use.toStdString();
    options.topK = std::max(1, topK);
    struct Result {
        snilab::PredictionOutcome outcome;
        std::string error;
    };
    auto result = std::make_shared<Result>();
    return launch(
        [model = m_model, files, options, result](JobFeedback& feedback) {
            feedback.progress(0.0, "starting");
            PredictionFeedback mapped(feedback);
            if (feedback.isCancelled())
                mapped.cancel();
            try {
                result->outcome = snilab::predictCaptures(*model, files, options, mapped);
            } catch (const std::exception& e) {
                // ModelError (unknown name), CatalogError (temporary catalog).
                result->error = e.what();
            }
            // A cancel that came while the models were classifying.
            if (feedback.isCancelled() && !result->outcome.cancelled) {
                snilab::PredictionOutcome cancelled;
                cancelled.cancelled = true;
                cancelled.model = result->outcome.model;
                cancelled.files = std::move(result->outcome.files);
                result->outcome = std::move(cancelled);
            }
            if (!result->outcome.cancelled && result->error.empty())
                feedback.progress(1.0, "done");
        },
        [this, result] {
            m_error = qs(result->error);
            if (m_error.isEmpty() && !crashMessage().isEmpty())
                m_error = crashMessage();
            m_cancelled = result->outcome.cancelled;
            m_outcome =
                std::make_shared<const snilab::PredictionOutcome>(std::move(result->outcome));
        });
}

} // namespace snilab::ui
