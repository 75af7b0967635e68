// HeatmapView: a confusion matrix (ConfusionMatrixModel) as a zoomable,
// scrollable heatmap usable with hundreds of classes: cell size from 2 to 48
// pixels (Ctrl+wheel or setCellSize), only visible cells painted, the hovered
// cell's true/predicted labels, count and row share in a tooltip and in
// hoverText(), its row and column highlighted (showCell(): scroll to a cell,
// e.g. a most confused pair, and highlight it). The order (label, support, accuracy) and
// normalisation are the model's. Colours are those of the exported heatmap (chart_builder.h); the
// axis titles ("Predicted label" along the top, "True label" down the left)
// stay in fixed bands while the cells and their labels scroll.
// HeatmapColourBar: the colour scale beside it, ticks every quarter and its
// quantity (the share of the true label's connections), as in the export.
//
// Thread: GUI thread. Failure: none.
#pragma once

#include <QAbstractScrollArea>
#include <QPointer>

namespace snilab::ui {

class ConfusionMatrixModel;

class HeatmapView : public QAbstractScrollArea {
    Q_OBJECT
public:
    explicit HeatmapView(QWidget* parent = nullptr);
    void setModel(ConfusionMatrixModel* model);
    int cellSize() const { return m_cell; }
    void setCellSize(int pixels);
    // Row/column of the cell under a viewport point (-1 when outside).
    QPoint cellAt(const QPoint& viewportPos) const;
    QString cellText(int row, int column) const;
    QString hoverText() const { return m_hover; }
    // The highlighted cell (row = y, column = x; (-1, -1) = none).
    QPoint highlighted() const { return m_highlight; }
    void showCell(int row, int column);

Q_SIGNALS:
    void hovered(const QString& text);
    void cellSizeChanged(int pixels);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    void updateScrollBars();
    // The band of an axis title (top and left), and the room of the labels.
    int titleBand() const;
    int margin() const;
    QPointer<ConfusionMatrixModel> m_model;
    int m_cell = 16;
    QString m_hover;
    QPoint m_highlight{-1, -1};
    void setHighlight(QPoint cell);
    // The hovered (or shown) cell's text; hovered() when it changes.
    void setHover(const QString& text);
};

class HeatmapColourBar : public QWidget {
    Q_OBJECT
public:
    explicit HeatmapColourBar(QWidget* parent = nullptr);
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    // The quantity the colours stand for (the bar's title).
    static QString quantity();

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    static constexpr int kBarWidth = 14;
};

} // namespace snilab::ui
