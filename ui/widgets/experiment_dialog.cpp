#include "experiment_dialog.h"

#include "models/model_plan.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QVBoxLayout>

namespace snilab::ui {

ExperimentDialog::ExperimentDialog(QWidget* parent)
    : QDialog(parent), m_thresholds(new QLineEdit), m_rule(new QComboBox),
      m_models(new QListWidget), m_ensembles(new QPlainTextEdit), m_split(new QComboBox),
      m_folds(new QSpinBox), m_trainFraction(new QDoubleSpinBox), m_trees(new QSpinBox),
      m_maxDepth(new QSpinBox), m_epochs(new QSpinBox), m_patience(new QSpinBox),
      m_batch(new QSpinBox), m_device(new QComboBox), m_seed(new QSpinBox),
      m_labelMode(new QComboBox), m_transport(new QComboBox),
      m_paper(new QCheckBox(tr("Paper preset (more-than-T, paper labels, payload packets)"))),
      m_deviceNote(new QLabel), m_error(new QLabel)
{
    setWindowTitle(tr("New experiment"));
    configureInputs();
    configureDevices();
    QGroupBox* dataBox = buildDataBox();
    QGroupBox* models = buildModelsBox();
    QGroupBox* eval = buildEvaluationBox();

    m_error->setStyleSheet(QStringLiteral("color: #b00020"));
    m_error->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Run"));
    connect(buttons, &QDialogButtonBox::accepted, this, &ExperimentDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_split, &QComboBox::currentIndexChanged, this, [this] {
        const bool time = m_split->currentData().toString() == QLatin1String("time");
        m_folds->setEnabled(!time);
        m_trainFraction->setEnabled(time);
    });
    connect(m_paper, &QCheckBox::toggled, this, [this](bool on) {
        m_rule->setEnabled(!on);
        m_labelMode->setEnabled(!on);
    });
    m_run = buttons->button(QDialogButtonBox::Ok);
    // Every change is judged at once by the engine's validation.
    for (QSpinBox* box : {m_folds, m_trees, m_maxDepth, m_epochs, m_patience, m_batch, m_seed})
        connect(box, &QSpinBox::valueChanged, this, &ExperimentDialog::revalidate);
    connect(m_trainFraction, &QDoubleSpinBox::valueChanged, this, &ExperimentDialog::revalidate);
    for (QComboBox* box : {m_rule, m_split, m_device, m_labelMode, m_transport})
        connect(box, &QComboBox::currentIndexChanged, this, &ExperimentDialog::revalidate);
    connect(m_thresholds, &QLineEdit::textChanged, this, &ExperimentDialog::revalidate);
    connect(m_ensembles, &QPlainTextEdit::textChanged, this, &ExperimentDialog::revalidate);
    connect(m_models, &QListWidget::itemChanged, this, &ExperimentDialog::revalidate);
    connect(m_paper, &QCheckBox::toggled, this, &ExperimentDialog::revalidate);

    auto* columns = new QHBoxLayout;
    auto* left = new QVBoxLayout;
    left->addWidget(dataBox);
    left->addWidget(eval);
    left->addStretch();
    columns->addLayout(left);
    columns->addWidget(models);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(columns);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    setSetup(ExperimentSetup{});
}

void ExperimentDialog::configureInputs()
{
    m_thresholds->setToolTip(tr("Comma-separated thresholds and ranges, e.g. 100,200 or "
                                "100-1000/100"));
    m_rule->addItem(tr("at least T connections (≥ T)"), false);
    m_rule->addItem(tr("more than T connections (> T, the paper's code)"), true);

    for (const std::string& model : snilab::EvaluationConfig::modelChoices()) {
        auto* item = new QListWidgetItem(QString::fromStdString(model), m_models);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(Qt::Unchecked);
        item->setToolTip(QString::fromStdString(snilab::describeModel(model)));
    }
    m_models->setMinimumHeight(180);
    m_ensembles->setPlaceholderText(
        tr("One ensemble per line, weights before the model names, e.g.\n"
           "0.5*rf + 0.1667*cnngru-packet + 0.1667*cnngru-payload + 0.1667*cnngru-iat"));
    m_ensembles->setMaximumHeight(70);

    m_split->addItem(tr("stratified k-fold"), QStringLiteral("stratified"));
    m_split->addItem(tr("per capture (grouped k-fold)"), QStringLiteral("capture"));
    m_split->addItem(tr("time (earlier captures train)"), QStringLiteral("time"));
    // The boxes hold any value, valid or not: the engine's one validation
    // (EvaluationConfig::validate(), the CLI's too) judges it, live, and its
    // reason is shown under the form with Run disabled - no box clamps or
    // reverts what was typed.
    m_folds->setRange(0, 10'000'000);
    m_trainFraction->setRange(0, 1);
    m_trainFraction->setSingleStep(0.05);
    m_trees->setRange(0, 10'000'000);
    m_maxDepth->setRange(0, 10'000'000);
    m_epochs->setRange(0, 10'000'000);
    m_patience->setRange(0, 10'000'000);
    m_batch->setRange(0, 10'000'000);
    m_seed->setRange(0, 2147483647);
    m_folds->setToolTip(tr("Folds of the stratified and per-capture splits: each connection is "
                           "tested once. The paper: 10."));
    m_trainFraction->setToolTip(tr("Time split: the share of connections, in the earliest "
                                   "captures, used for training (default 0.7)."));
    m_trees->setToolTip(tr("Trees of the random forest (√features per split). The "
                           "paper: 250."));
    m_maxDepth->setToolTip(tr("Random forest: the deepest level of a tree, 1 to 25. 25 (the "
                              "default) is the deepest OpenCV grows; the paper's scikit-learn "
                              "forest had no limit. Shallower trees train faster at many "
                              "classes and may lose accuracy."));
    m_epochs->setToolTip(tr("Networks: at most this many epochs; early stopping on a 10 % "
                            "validation part of each training fold. The paper: 100."));
    m_patience->setToolTip(tr("Networks: epochs without a better validation loss before "
                              "stopping (the best weights are restored). Default 5."));
    m_batch->setToolTip(tr("Networks: mini-batch size. The paper: 64."));
    m_seed->setToolTip(tr("Seed of the splits and the models: the same seed and data give the "
                          "same run."));
    m_rule->setToolTip(tr("Which classes a threshold T keeps: those with at least T "
                          "connections, or more than T (the paper's code)."));
    m_models->setToolTip(tr("The models to train and test. Networks look at the first 25 "
                            "packets (-packet, -payload, -iat or -all of them; +dir adds the "
                            "direction); rf at the 42 flow statistics; paper and cnngru-mean "
                            "are ensembles. The paper's comparison: rf, the three cnngru and "
                            "paper."));
    m_ensembles->setToolTip(tr("One name per line: an ensemble (it averages the members' "
                               "probabilities with the given weights; members are trained even "
                               "when not ticked. The paper's: 0.5*rf + 1/6 each CNN-GRU) or any "
                               "model name the list lacks."));
    m_split->setToolTip(tr("How connections are split into training and test sets. Per capture "
                           "keeps the connections of one capture on one side."));
    m_labelMode->setToolTip(tr("How an SNI becomes a label. The paper removes digits and '-' "
                               "left of the registrable domain."));
    m_paper->setToolTip(tr("The paper's choices: more-than-T, paper labels, payload-carrying "
                           "packets (compare with the honest default)."));
    m_labelMode->addItem(tr("default (SNI lowercased)"), QStringLiteral("default"));
    m_labelMode->addItem(tr("paper (digits and '-' removed below the registrable domain)"),
                         QStringLiteral("paper"));
    m_transport->addItem(tr("all (TCP and QUIC)"), QStringLiteral("all"));
    m_transport->addItem(tr("TCP only"), QStringLiteral("tcp"));
    m_transport->addItem(tr("QUIC only"), QStringLiteral("quic"));
    m_transport->setToolTip(tr("Which connections are evaluated: TCP, QUIC or both. Recorded in "
                               "the run (transport=). The paper's data was TCP only."));
}

void ExperimentDialog::configureDevices()
{
    m_device->addItem(tr("Auto"), QStringLiteral("auto"));
    m_device->addItem(tr("CPU"), QStringLiteral("cpu"));
    m_device->addItem(tr("CUDA"), QStringLiteral("cuda"));
    const DeviceAvailability devices = deviceAvailability();
    if (!devices.cuda) {
        auto* model = qobject_cast<QStandardItemModel*>(m_device->model());
        if (QStandardItem* cuda = model ? model->item(2) : nullptr) {
            cuda->setEnabled(false);
            cuda->setToolTip(devices.reason);
        }
        m_device->setToolTip(tr("CUDA unavailable: %1").arg(devices.reason));
    } else {
        m_device->setToolTip(tr("Where the networks train: Auto takes CUDA when it is there."));
    }
    m_deviceNote->setText(deviceNote());
    m_deviceNote->setWordWrap(true);
    m_deviceNote->setToolTip(m_device->toolTip());
    m_deviceNote->setEnabled(devices.cuda); // greyed, like the item it explains
}

QString ExperimentDialog::deviceNote() const
{
    const DeviceAvailability devices = deviceAvailability();
    return devices.cuda
               ? tr("CUDA available: Auto trains the networks on the GPU.")
               : tr("CUDA not available: %1. The networks train on the CPU.").arg(devices.reason);
}

QGroupBox* ExperimentDialog::buildDataBox()
{
    auto* dataBox = new QGroupBox(tr("Data"));
    auto* dataForm = new QFormLayout(dataBox);
    dataForm->addRow(tr("Thresholds T"), m_thresholds);
    dataForm->addRow(tr("Rule"), m_rule);
    dataForm->addRow(tr("Labels"), m_labelMode);
    dataForm->addRow(tr("Transport"), m_transport);
    dataForm->addRow(m_paper);
    auto* paperButton = new QPushButton(tr("Paper set-up"));
    paperButton->setToolTip(tr("Thresholds 100-1000/100, 10-fold stratified, paper preset"));
    dataForm->addRow(paperButton);
    connect(paperButton, &QPushButton::clicked, this, &ExperimentDialog::applyPaperPreset);
    return dataBox;
}

QGroupBox* ExperimentDialog::buildModelsBox()
{
    auto* models = new QGroupBox(tr("Models"));
    auto* modelsForm = new QFormLayout(models);
    modelsForm->addRow(tr("Models"), m_models);
    modelsForm->addRow(tr("Ensembles,\nother names"), m_ensembles);
    modelsForm->addRow(tr("Forest trees"), m_trees);
    modelsForm->addRow(tr("Forest depth (max)"), m_maxDepth);
    modelsForm->addRow(tr("Epochs (max)"), m_epochs);
    modelsForm->addRow(tr("Patience"), m_patience);
    modelsForm->addRow(tr("Batch size"), m_batch);
    modelsForm->addRow(tr("Device"), m_device);
    modelsForm->addRow(QString(), m_deviceNote);
    return models;
}

QGroupBox* ExperimentDialog::buildEvaluationBox()
{
    auto* eval = new QGroupBox(tr("Evaluation"));
    auto* evalForm = new QFormLayout(eval);
    evalForm->addRow(tr("Split"), m_split);
    evalForm->addRow(tr("Folds"), m_folds);
    evalForm->addRow(tr("Time split: training share"), m_trainFraction);
    evalForm->addRow(tr("Seed"), m_seed);
    return eval;
}

void ExperimentDialog::setSetup(const ExperimentSetup& s)
{
    m_thresholds->setText(s.thresholds);
    m_rule->setCurrentIndex(s.moreThan ? 1 : 0);
    QStringList listed;
    for (int i = 0; i < m_models->count(); ++i) {
        const QString name = m_models->item(i)->text();
        listed << name;
        m_models->item(i)->setCheckState(s.models.contains(name) ? Qt::Checked : Qt::Unchecked);
    }
    // A model the list lacks (another build's, or hand-edited) stays in the
    // set-up as a line of the free-text box, where validation judges it.
    QStringList lines = s.ensembles;
    for (const QString& model : s.models)
        if (!listed.contains(model) && !lines.contains(model))
            lines << model;
    m_ensembles->setPlainText(lines.join(QLatin1Char('\n')));
    m_split->setCurrentIndex(std::max(0, m_split->findData(s.split)));
    m_folds->setValue(s.folds);
    m_trainFraction->setValue(s.trainFraction);
    m_trees->setValue(s.trees);
    m_maxDepth->setValue(s.maxDepth);
    m_epochs->setValue(s.epochs);
    m_patience->setValue(s.patience);
    m_batch->setValue(s.batchSize);
    const int device = m_device->findData(s.device);
    m_device->setCurrentIndex(device == 2 && !deviceAvailability().cuda ? 0 : std::max(0, device));
    m_seed->setValue(static_cast<int>(std::min<quint64>(s.seed, 2147483647)));
    m_labelMode->setCurrentIndex(std::max(0, m_labelMode->findData(s.labelMode)));
    // A value the list lacks (a hand-edited setting) is shown as it is, so
    // that validation names it, not replaced by another.
    while (m_transport->count() > 3) // an earlier unknown value
        m_transport->removeItem(3);
    if (m_transport->findData(s.transport) < 0)
        m_transport->addItem(tr("'%1' (unknown)").arg(s.transport), s.transport);
    m_transport->setCurrentIndex(m_transport->findData(s.transport));
    m_paper->setChecked(s.paperPreset);
    revalidate();
}

void ExperimentDialog::revalidate()
{
    if (!m_run)
        return; // still being built
    const QString error = validationError();
    m_error->setText(error);
    m_run->setEnabled(error.isEmpty());
    m_run->setToolTip(error.isEmpty() ? QString() : error);
}

ExperimentSetup ExperimentDialog::setup() const
{
    ExperimentSetup s;
    s.thresholds = m_thresholds->text();
    s.moreThan = m_rule->currentData().toBool();
    s.models.clear();
    for (int i = 0; i < m_models->count(); ++i)
        if (m_models->item(i)->checkState() == Qt::Checked)
            s.models << m_models->item(i)->text();
    s.ensembles.clear();
    for (const QString& line : m_ensembles->toPlainText().split(QLatin1Char('\n')))
        if (!line.trimmed().isEmpty())
            s.ensembles << line.trimmed();
    s.split = m_split->currentData().toString();
    s.folds = m_folds->value();
    s.trainFraction = m_trainFraction->value();
    s.trees = m_trees->value();
    s.maxDepth = m_maxDepth->value();
    s.epochs = m_epochs->value();
    s.patience = m_patience->value();
    s.batchSize = m_batch->value();
    s.device = m_device->currentData().toString();
    s.seed = static_cast<quint64>(m_seed->value());
    s.labelMode = m_labelMode->currentData().toString();
    s.transport = m_transport->currentData().toString();
    s.paperPreset = m_paper->isChecked();
    return s;
}

QString ExperimentDialog::validationError() const
{
    snilab::EvaluationConfig config;
    QString error;
    return setup().toConfig(&config, &error) ? QString() : error;
}

void ExperimentDialog::accept()
{
    revalidate();
    if (!m_error->text().isEmpty())
        return;
    QDialog::accept();
}

void ExperimentDialog::applyPaperPreset()
{
    ExperimentSetup s = ExperimentSetup::paper();
    const ExperimentSetup current = setup();
    s.models = current.models;
    s.ensembles = current.ensembles;
    s.seed = current.seed;
    s.epochs = current.epochs;
    s.device = current.device;
    s.transport = current.transport;
    setSetup(s);
}

} // namespace snilab::ui
