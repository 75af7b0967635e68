#include "heatmap_view.h"

#include "charts/chart_builder.h"
#include "core/result_models.h"

#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>

namespace snilab::ui {

HeatmapView::HeatmapView(QWidget* parent) : QAbstractScrollArea(parent)
{
    viewport()->setMouseTracking(true);
    viewport()->setBackgroundRole(QPalette::Base);
    setMinimumSize(200, 200);
}

void HeatmapView::setModel(ConfusionMatrixModel* model)
{
    if (m_model)
        disconnect(m_model, nullptr, this, nullptr);
    m_model = model;
    if (m_model) {
        connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
            m_highlight = QPoint(-1, -1); // (another order: other cells)
            updateScrollBars();
            viewport()->update();
        });
        connect(m_model, &QAbstractItemModel::dataChanged, viewport(),
                qOverload<>(&QWidget::update));
    }
    updateScrollBars();
    viewport()->update();
}

void HeatmapView::setCellSize(int pixels)
{
    pixels = std::clamp(pixels, 2, 48);
    if (pixels == m_cell)
        return;
    m_cell = pixels;
    updateScrollBars();
    viewport()->update();
    Q_EMIT cellSizeChanged(m_cell);
}

int HeatmapView::margin() const
{
    // Room for labels only when cells are tall enough to hold text.
    if (!m_model || m_cell < fontMetrics().height())
        return 4;
    int width = 0;
    for (int i = 0; i < m_model->classCount(); ++i)
        width = std::max(width, fontMetrics().horizontalAdvance(m_model->label(i)));
    return std::min(width + 8, 240);
}

int HeatmapView::titleBand() const
{
    return fontMetrics().height() + 6;
}

void HeatmapView::updateScrollBars()
{
    const int k = m_model ? m_model->classCount() : 0;
    const int extent = titleBand() + margin() + k * m_cell + 4;
    horizontalScrollBar()->setRange(0, std::max(0, extent - viewport()->width()));
    verticalScrollBar()->setRange(0, std::max(0, extent - viewport()->height()));
    horizontalScrollBar()->setPageStep(viewport()->width());
    verticalScrollBar()->setPageStep(viewport()->height());
}

void HeatmapView::resizeEvent(QResizeEvent* event)
{
    QAbstractScrollArea::resizeEvent(event);
    updateScrollBars();
}

QPoint HeatmapView::cellAt(const QPoint& pos) const
{
    if (!m_model)
        return {-1, -1};
    const int m = titleBand() + margin();
    const int x = pos.x() + horizontalScrollBar()->value() - m;
    const int y = pos.y() + verticalScrollBar()->value() - m;
    const int k = m_model->classCount();
    if (x < 0 || y < 0 || x >= k * m_cell || y >= k * m_cell)
        return {-1, -1};
    return {x / m_cell, y / m_cell}; // (column, row)
}

QString HeatmapView::cellText(int row, int column) const
{
    if (!m_model || row < 0 || column < 0)
        return {};
    return tr("true %1 → predicted %2: %3 (%4 % of %1)")
        .arg(m_model->label(row), m_model->label(column))
        .arg(m_model->count(row, column))
        .arg(100.0 * m_model->fraction(row, column), 0, 'f', 1);
}

void HeatmapView::paintEvent(QPaintEvent*)
{
    QPainter p(viewport());
    p.fillRect(viewport()->rect(), Qt::white);
    if (!m_model || m_model->classCount() == 0) {
        p.drawText(viewport()->rect(), Qt::AlignCenter,
                   tr("No confusion matrix (fewer than two classes)."));
        return;
    }
    const int k = m_model->classCount();
    const int band = titleBand();
    const int labels = margin();
    const int m = band + labels; // where the cells start, before scrolling
    const int dx = horizontalScrollBar()->value();
    const int dy = verticalScrollBar()->value();
    const int firstCol = std::max(0, (dx - m) / m_cell);
    const int firstRow = std::max(0, (dy - m) / m_cell);
    const int lastCol = std::min(k - 1, (dx + viewport()->width() - m) / m_cell);
    const int lastRow = std::min(k - 1, (dy + viewport()->height() - m) / m_cell);
    for (int i = firstRow; i <= lastRow; ++i)
        for (int j = firstCol; j <= lastCol; ++j) {
            const QRect cell(m + j * m_cell - dx, m + i * m_cell - dy, m_cell, m_cell);
            const double f = m_model->fraction(i, j);
            p.fillRect(cell, f > 0 ? heatColor(f) : QColor(Qt::white));
            if (i == j && m_cell >= 6) {
                p.setPen(QColor(0xcc, 0xcc, 0xcc));
                p.drawRect(cell.adjusted(0, 0, -1, -1));
            }
            if (m_cell >= fontMetrics().horizontalAdvance(QStringLiteral("000")) + 4) {
                const quint64 n = m_model->count(i, j);
                if (n) {
                    p.setPen(f > 0.5 ? Qt::white : Qt::black);
                    p.drawText(cell, Qt::AlignCenter, QString::number(n));
                }
            }
        }
    // The highlighted cell's row and column, and the cell itself outlined.
    if (m_highlight.x() >= 0 && m_highlight.x() < k && m_highlight.y() >= 0 &&
        m_highlight.y() < k) {
        const QColor shade(0xff, 0xb0, 0x00, 70);
        const int cells = k * m_cell;
        p.fillRect(QRect(m - dx, m + m_highlight.y() * m_cell - dy, cells, m_cell), shade);
        p.fillRect(QRect(m + m_highlight.x() * m_cell - dx, m - dy, m_cell, cells), shade);
        p.setPen(QPen(QColor(0x20, 0x20, 0x20), 2));
        p.drawRect(QRect(m + m_highlight.x() * m_cell - dx, m + m_highlight.y() * m_cell - dy,
                         m_cell, m_cell));
    }
    // Labels scroll with the cells but stay beside them; the axis titles
    // stay put in their bands (as in the exported heatmap).
    p.setPen(Qt::black);
    p.fillRect(QRect(0, 0, m, viewport()->height()), Qt::white);
    if (labels > 4)
        for (int i = firstRow; i <= lastRow; ++i)
            p.drawText(QRect(band, m + i * m_cell - dy, labels - 4, m_cell),
                       Qt::AlignRight | Qt::AlignVCenter, m_model->label(i));
    p.fillRect(QRect(0, 0, viewport()->width(), m), Qt::white);
    if (labels > 4)
        for (int j = firstCol; j <= lastCol; ++j) {
            p.save();
            p.translate(m + j * m_cell - dx + m_cell / 2, m - 4);
            p.rotate(-90);
            p.drawText(QRect(0, -m_cell / 2, labels - 8, m_cell), Qt::AlignLeft | Qt::AlignVCenter,
                       m_model->label(j));
            p.restore();
        }
    QFont title = p.font();
    title.setBold(true);
    p.setFont(title);
    const int cellsWidth = std::max(0, std::min(viewport()->width() - m, k * m_cell - dx));
    const int cellsHeight = std::max(0, std::min(viewport()->height() - m, k * m_cell - dy));
    p.drawText(QRect(m, 0, std::max(cellsWidth, 1), band), Qt::AlignCenter, tr("Predicted label"));
    p.save();
    p.translate(0, m + std::max(cellsHeight, 1));
    p.rotate(-90);
    p.drawText(QRect(0, 0, std::max(cellsHeight, 1), band), Qt::AlignCenter, tr("True label"));
    p.restore();
}

void HeatmapView::setHighlight(QPoint cell)
{
    if (cell == m_highlight)
        return;
    m_highlight = cell;
    viewport()->update();
}

void HeatmapView::showCell(int row, int column)
{
    const int k = m_model ? m_model->classCount() : 0;
    if (row < 0 || column < 0 || row >= k || column >= k)
        return;
    const int m = titleBand() + margin();
    // The cell in the middle of the viewport where the scroll range allows.
    horizontalScrollBar()->setValue(m + column * m_cell - (viewport()->width() + m) / 2);
    verticalScrollBar()->setValue(m + row * m_cell - (viewport()->height() + m) / 2);
    setHighlight(QPoint(column, row));
    setHover(cellText(row, column));
}

void HeatmapView::setHover(const QString& text)
{
    if (text == m_hover)
        return;
    m_hover = text;
    Q_EMIT hovered(text);
}

void HeatmapView::leaveEvent(QEvent* event)
{
    setHighlight(QPoint(-1, -1));
    QAbstractScrollArea::leaveEvent(event);
}

void HeatmapView::mouseMoveEvent(QMouseEvent* event)
{
    const QPoint c = cellAt(event->position().toPoint());
    setHighlight(c);
    const QString text = cellText(c.y(), c.x());
    setHover(text);
    if (!text.isEmpty())
        QToolTip::showText(event->globalPosition().toPoint(), text, viewport());
    else
        QToolTip::hideText();
}

void HeatmapView::wheelEvent(QWheelEvent* event)
{
    if (event->modifiers() & Qt::ControlModifier) {
        setCellSize(m_cell + (event->angleDelta().y() > 0 ? 2 : -2));
        event->accept();
        return;
    }
    QAbstractScrollArea::wheelEvent(event);
}

HeatmapColourBar::HeatmapColourBar(QWidget* parent) : QWidget(parent)
{
    setToolTip(tr("Cell colour: the share of the true label's connections predicted as the "
                  "column's label (each row sums to 1)."));
}

QSize HeatmapColourBar::sizeHint() const
{
    const QFontMetrics fm = fontMetrics();
    return {kBarWidth + 6 + fm.horizontalAdvance(QStringLiteral("0.75")) + 4 + fm.height() + 4,
            220};
}

QSize HeatmapColourBar::minimumSizeHint() const
{
    return {sizeHint().width(), 5 * fontMetrics().height()};
}

QString HeatmapColourBar::quantity()
{
    return tr("Share of the true label's connections");
}

void HeatmapColourBar::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), Qt::white);
    const QFontMetrics fm = fontMetrics();
    const int top = fm.height();
    const int bottom = height() - fm.height();
    const int h = std::max(1, bottom - top);
    // 1 at the top, 0 at the bottom, as heatColor() colours the cells.
    for (int y = 0; y < h; ++y)
        p.fillRect(QRect(2, top + y, kBarWidth, 1),
                   heatColor(1.0 - double(y) / (h - 1 ? h - 1 : 1)));
    p.setPen(Qt::black);
    p.drawRect(QRect(2, top, kBarWidth, h).adjusted(0, 0, -1, -1));
    for (int i = 0; i <= 4; ++i) {
        const double v = i / 4.0;
        const int y = bottom - qRound(v * (h - 1)) - 1;
        p.drawLine(2 + kBarWidth, y, 2 + kBarWidth + 3, y);
        p.drawText(QRect(2 + kBarWidth + 6, y - fm.height() / 2, width(), fm.height()),
                   Qt::AlignLeft | Qt::AlignVCenter, QString::number(v, 'g', 2));
    }
    // The quantity, read bottom to top beside the ticks.
    p.save();
    p.translate(width() - 2, top);
    p.rotate(90);
    p.drawText(QRect(0, 0, h, fm.height()), Qt::AlignCenter, quantity());
    p.restore();
}

} // namespace snilab::ui
