// PredictionJob: the workbench's prediction view (issue item 7) in the
// background. Two operations on one QThread-per-operation job (BackgroundJob):
//   loadModel(path)  reads a model file (engine readModelFile: format,
//                    checksum, components) and keeps it; modelSummary() then
//                    holds its models/ensembles (plan order), the primary,
//                    the classes and how it was trained
//   predict(files)   classifies every TCP connection of the captures with the
//                    loaded model (engine predictCaptures: a temporary
//                    catalog, removed afterwards), with progress over ingest,
//                    reading and classifying, stage text and Cancel
// A model file that is corrupt, truncated, foreign or newer is refused with
// the engine's one-line message in error(); the last good model stays loaded
// only if the new one was read (a failed load unloads).
//
// Thread: use from the GUI thread (see BackgroundJob). The loaded model is
// shared read-only with the worker (ModelSet::predict is const).
// Failure: error() after finished(); unreadable captures are per file in
// outcome().files (the others are still classified).
#pragma once

#include "background_job.h"

#include "tasks/predictor.h"

#include <QString>
#include <QStringList>

#include <memory>

namespace snilab::ui {

struct ModelSummary {
    QString path;
    QStringList names; // models and ensembles of the file, plan order
    QString primary;   // the default one
    QStringList labels;
    int threshold = 0;
    quint64 trainedConnections = 0;
    QString createdAt;
    QString createdBy;
    // One line: "rf, cnngru-packet, paper (primary paper); 14 classes, T >= 100, ..."
    QString describe() const;
};

class PredictionJob : public BackgroundJob {
    Q_OBJECT
public:
    enum class Operation { None, LoadModel, Predict };
    explicit PredictionJob(QObject* parent = nullptr);

    // Returns false while an operation runs.
    bool loadModel(const QString& path);
    // `use`: a name of modelSummary().names ("" = the primary); topK labels
    // kept per row. Returns false while an operation runs, without a loaded
    // model, or without files.
    bool predict(const QStringList& captures, const QString& use = {}, int topK = 3);

    bool hasModel() const { return m_model != nullptr; }
    const ModelSummary& modelSummary() const { return m_summary; }

    // Valid after finished(): which operation ended, its error ("" = none;
    // the engine's one-line message), whether it was cancelled, and for
    // Predict the outcome (rows empty when cancelled or failed).
    Operation lastOperation() const { return m_operation; }
    QString error() const { return m_error; }
    bool wasCancelled() const { return m_cancelled; }
    const snilab::PredictionOutcome& outcome() const { return *m_outcome; }
    std::shared_ptr<const snilab::PredictionOutcome> sharedOutcome() const { return m_outcome; }

private:
    std::shared_ptr<const snilab::ModelFile> m_model;
    ModelSummary m_summary;
    Operation m_operation = Operation::None;
    QString m_error;
    bool m_cancelled = false;
    std::shared_ptr<const snilab::PredictionOutcome> m_outcome;
};

} // namespace snilab::ui
