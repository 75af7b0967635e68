// EvaluationJob: runs snilab::evaluate() (models x thresholds x folds, stored
// as a run in the catalog's run registry) on a background QThread, with
// progress, stage text, live per-epoch reports of the networks
// (epochReported) and Cancel. A cancelled run is kept in the registry as
// `cancelled`, a failed one as `failed` with its reason.
//
// Thread: use from the GUI thread (see BackgroundJob); the worker opens its own
// Catalog object on the file. Failure: configuration errors come back in
// outcome().error (the engine's own text); catalog and model exceptions are
// caught at the job edge and reported there too.
#pragma once

#include "background_job.h"

#include "eval/evaluator.h"

#include <QString>

namespace snilab::ui {

class EvaluationJob : public BackgroundJob {
    Q_OBJECT
public:
    explicit EvaluationJob(QObject* parent = nullptr);

    // Returns false while a job is running.
    bool start(const QString& catalogPath, const snilab::EvaluationConfig& config);

    // Valid after finished(): the run id (0 when the run could not even be
    // created), its status and error text.
    const snilab::EvaluationOutcome& outcome() const { return m_outcome; }

private:
    snilab::EvaluationOutcome m_outcome;
};

} // namespace snilab::ui
