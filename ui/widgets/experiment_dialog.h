// ExperimentDialog: edits an ExperimentSetup (ui/core/experiment_setup.h):
// thresholds and their rule, models (every name of the engine's
// modelChoices(): rf, each network on each input with and without +dir, the
// named ensembles; each with its description as tooltip) and ensemble
// expressions with weights (free text; a saved model the list lacks is shown
// there, never dropped), split kind and folds, random-forest trees, networks'
// epochs/patience/batch size, seed, device (CUDA greyed out when unavailable,
// with the reason in a line under it and as tooltip), label mode, the
// transport (TCP, QUIC or both) and the paper preset (which leaves the
// transport as chosen: the engine's preset does not set it). It validates through
// ExperimentSetup::toConfig() and refuses to close on an invalid set-up, showing the reason.
//
// Thread: GUI thread.
#pragma once

#include "core/experiment_setup.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace snilab::ui {

class ExperimentDialog : public QDialog {
    Q_OBJECT
public:
    explicit ExperimentDialog(QWidget* parent = nullptr);
    void setSetup(const ExperimentSetup& setup);
    ExperimentSetup setup() const;
    // The line under Device: whether CUDA can be used, and why not.
    QString deviceNote() const;
    // The validation message of the current set-up ("" when valid).
    QString validationError() const;

public Q_SLOTS:
    void accept() override;
    void applyPaperPreset();

private:
    // Shows the engine's reason for an invalid setup and disables Run.
    void revalidate();
    // The constructor's parts: ranges and items, the device list (CUDA
    // greyed out when unavailable), the three group boxes.
    void configureInputs();
    void configureDevices();
    QGroupBox* buildDataBox();
    QGroupBox* buildModelsBox();
    QGroupBox* buildEvaluationBox();

    QLineEdit* m_thresholds;
    QComboBox* m_rule;
    QListWidget* m_models;
    QPlainTextEdit* m_ensembles;
    QComboBox* m_split;
    QSpinBox* m_folds;
    QDoubleSpinBox* m_trainFraction;
    QSpinBox* m_trees;
    QSpinBox* m_maxDepth;
    QSpinBox* m_epochs;
    QSpinBox* m_patience;
    QSpinBox* m_batch;
    QComboBox* m_device;
    QSpinBox* m_seed;
    QComboBox* m_labelMode;
    QComboBox* m_transport;
    QCheckBox* m_paper;
    QLabel* m_deviceNote;
    QLabel* m_error;
    QPushButton* m_run = nullptr;
};

} // namespace snilab::ui
