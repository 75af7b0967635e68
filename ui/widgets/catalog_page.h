// CatalogPage: the workbench's Catalog tab. The lazy connections table
// (ConnectionTableModel) with its filter (label text, capture, SNI present or
// not, transport TCP/QUIC/both); connections per label (the paper's Figure 3,
// top N, LabelCountModel; TCP and QUIC stacked when the catalog has QUIC)
// and the min-connections threshold slider with the classes and connections
// that remain at T (≥ T or > T).
//
// It reads the capture list (for the capture filter) from the Captures tab's
// CaptureListModel; MainWindow calls reload() after an open or an ingest.
// Thread: GUI thread (the models read the catalog there, one aggregate each).
#pragma once

#include "core/catalog_models.h"
#include "core/connection_table_model.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QModelIndex;
class QSlider;
class QTableView;
class QSpinBox;

namespace snilab::ui {

class FigureView;

class CatalogPage : public QWidget {
    Q_OBJECT
public:
    explicit CatalogPage(CaptureListModel* captures, QWidget* parent = nullptr);

    // A catalog was opened: its connections and label counts (then reload()).
    void setCatalog(const QString& path);
    // Re-reads the connections and label counts (on pool threads: the
    // views follow when they arrive), refills the capture filter.
    void reload();
    // The connections or the label counts are still being read.
    bool isLoading() const;

    ConnectionTableModel* connectionModel() const { return m_connections; }
    LabelCountModel* labelCountModel() const { return m_labelCounts; }
    FigureView* labelCountView() const { return m_figure3; }
    QComboBox* transportFilter() const { return m_transportFilter; }
    QComboBox* captureFilter() const { return m_captureFilter; }
    QLineEdit* labelFilter() const { return m_labelFilter; }
    QTableView* connectionTable() const { return m_connectionTable; }
    QSlider* thresholdSlider() const { return m_thresholdSlider; }
    QCheckBox* logScaleBox() const { return m_logScale; }
    QSpinBox* topNBox() const { return m_topN; }
    QString tailSummary() const;
    // "T = 100: 12 classes, 3,456 connections remain"
    QString thresholdSummary() const;

private:
    QWidget* buildConnectionsPane();
    QWidget* buildLabelCountPane();
    void applyConnectionFilter();
    // The connection table's "Filter by this value": the label, capture or
    // transport filter set to the cell's value.
    void filterByCell(const QModelIndex& cell);
    void updateThresholdSummary();
    void updateFigure3();
    void showConnectionCount();

    CaptureListModel* m_captures;
    ConnectionTableModel* m_connections;
    LabelCountModel* m_labelCounts;

    QLineEdit* m_labelFilter = nullptr;
    QComboBox* m_captureFilter = nullptr;
    QComboBox* m_sniFilter = nullptr;
    QComboBox* m_transportFilter = nullptr;
    QLabel* m_connectionCount = nullptr;
    QTableView* m_connectionTable = nullptr;
    FigureView* m_figure3 = nullptr;
    QSpinBox* m_topN = nullptr;
    QCheckBox* m_logScale = nullptr;
    QLabel* m_tail = nullptr; // the labels Figure 3 leaves out, in words
    QSlider* m_thresholdSlider = nullptr;
    QComboBox* m_thresholdRule = nullptr;
    QLabel* m_thresholdLabel = nullptr;
};

} // namespace snilab::ui
