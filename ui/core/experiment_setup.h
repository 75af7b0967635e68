// ExperimentSetup: what the experiment dialog edits, as plain values, with
// validation and conversion to the engine's EvaluationConfig, and its
// persistence in QSettings ("last experiment setup").
//
// Models are the engine's names (EvaluationConfig::availableModels() at run
// time); ensembles are free-text expressions with weights (for example
// "0.5*rf + 0.1667*cnngru-packet + ...") passed to the engine as model names,
// which validates them (an unknown one fails the run with the engine's
// message). Networks' settings (epochs, patience, batch size, device) map to
// the EvaluationConfig fields of the same names; the transport (all, tcp,
// quic) to EvaluationConfig::data.transport.
//
// Thread: any. Failure: toConfig() returns false with a human message.
#pragma once

#include "eval/evaluator.h"

#include <QList>
#include <QString>
#include <QStringList>

class QSettings;

namespace snilab::ui {

struct ExperimentSetup {
    QString thresholds = QStringLiteral("100"); // "100,200,300" or "100-1000/100"
    bool moreThan = false;                      // threshold rule "> T" (the paper's code)
    QStringList models = {QStringLiteral("rf")};
    QStringList ensembles;                        // free-text ensemble expressions, one per entry
    QString split = QStringLiteral("stratified"); // stratified | capture | time
    int folds = 10;
    double trainFraction = 0.7; // time split
    quint64 seed = 1;
    QString labelMode = QStringLiteral("default"); // default | paper
    // all | tcp | quic: the connections evaluated (EvaluationConfig::data.transport,
    // recorded in the run as `transport=`); the paper's data was TCP only.
    QString transport = QStringLiteral("all");
    int trees = 250;
    int maxDepth = 25; // random forest, 1..25
    int threads = 0;
    bool paperPreset = false;
    // Networks.
    int epochs = 100;
    int patience = 5;
    int batchSize = 64;
    QString device = QStringLiteral("auto"); // auto | cpu | cuda

    // "100,200" or "100-1000/100" (from-to/step) or a mix, ascending; the
    // engine's parseThresholdList(): a threshold given twice is refused.
    static QList<int> parseThresholds(const QString& text, QString* error);
    // The paper's set-up: thresholds 100..1000, 10 folds, stratified, paper preset.
    static ExperimentSetup paper();

    bool toConfig(snilab::EvaluationConfig* config, QString* error) const;
    void save(QSettings& settings) const;
    static ExperimentSetup load(QSettings& settings);
    bool operator==(const ExperimentSetup&) const = default;
};

// Whether a CUDA device can be chosen, and why not (the engine's
// cudaAvailable() / cudaUnavailableReason(); always false without LibTorch).
struct DeviceAvailability {
    bool cuda = false;
    QString reason; // why CUDA is unavailable ("" when available)
};
DeviceAvailability deviceAvailability();

} // namespace snilab::ui
