// ResultView: every result view of one run, like the paper's figures:
// accuracy vs threshold per model (Figures 5, 8, 9), per-label accuracy per
// model (Figures 7, 10) with its table and the labels to show (order: name,
// worst or best first, most connections; how many; a search), accuracy/precision/recall/F1 bars
// (Figure 11), with vs without direction (Figure 12), the confusion-matrix
// heatmap (order, normalisation, zoom, hover) with the most confused pairs
// beside it (a click shows the pair's cell), and the Table-1 grid. Two
// ResultViews side by side compare two runs (ResultsPage).
//
// It only shows what ui/core built: FigureData from run_data.h, table models
// from result_models.h. Thread: GUI thread. Failure: none (empty runs show why).
#pragma once

#include "core/confused_pairs_model.h"
#include "core/result_models.h"
#include "core/run_data.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QSlider;
class QSpinBox;
class QTabWidget;
class QTableView;

namespace snilab::ui {

class FigureView;
class HeatmapView;
class TableView;

class ResultView : public QWidget {
    Q_OBJECT
public:
    enum class Figure { AccuracyVsThreshold, PerLabel, Metrics, Direction };

    explicit ResultView(QWidget* parent = nullptr);
    void setRun(const RunData& run);
    const RunData& run() const { return m_run; }
    void setThreshold(int threshold);
    int threshold() const;
    void showTab(int index);

    FigureView* figureView(Figure figure) const;
    HeatmapView* heatmap() const { return m_heatmap; }
    ConfusionMatrixModel* confusionModel() const { return m_confusion; }
    ConfusedPairsModel* confusedPairsModel() const { return m_pairs; }
    QTableView* confusedPairsTable() const { return m_pairsTable; }
    Table1Model* table1Model() const { return m_table1; }
    PerClassModel* perClassModel() const { return m_perClass; }
    // The per-label figure's labels; setLabelSelection() sets the controls.
    LabelSelection labelSelection() const;
    void setLabelSelection(const LabelSelection& selection);
    QTabWidget* tabs() const { return m_tabs; }

private:
    // The constructor's parts: the title row, the Per label and Confusion tabs.
    QHBoxLayout* buildTitleRow();
    QWidget* buildPerLabelPage();
    QWidget* buildConfusionPage();
    void connectSignals();
    // The confusion tab's Export…: asks for a file and size, writes the heatmap.
    void exportConfusionInteractively();
    void updateThresholdViews();
    void updateConfusion();

    RunData m_run;
    QLabel* m_title;
    QComboBox* m_threshold;
    QTabWidget* m_tabs;
    FigureView* m_accuracy;
    FigureView* m_perLabel;
    FigureView* m_metrics;
    FigureView* m_direction;
    TableView* m_perClassTable;
    QComboBox* m_labelOrder;
    QSpinBox* m_labelCount;
    QLineEdit* m_labelSearch;
    TableView* m_table1Table;
    QComboBox* m_confusionModelBox;
    QComboBox* m_order;
    QCheckBox* m_normalized;
    QSlider* m_zoom;
    QLabel* m_hover;
    HeatmapView* m_heatmap;
    ConfusionMatrixModel* m_confusion;
    Table1Model* m_table1;
    PerClassModel* m_perClass;
    ConfusedPairsModel* m_pairs;
    QTableView* m_pairsTable = nullptr;
};

} // namespace snilab::ui
