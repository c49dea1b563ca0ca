#include "ui/widgets/LossPlot.h"

#include <cmath>

namespace graft::ui {

namespace {
constexpr double kSmoothing = 0.95;
}

LossPlot::LossPlot(QWidget *parent) : QCustomPlot(parent)
{
    setObjectName(QStringLiteral("lossPlot"));
    setMinimumHeight(240);
    // The legend sits under the axes, in rows, so that it never covers a curve (the
    // validation accuracy runs along the top right, where an inset legend would be).
    legend->setVisible(true);
    legend->setFont(QFont(font().family(), 8));
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    legend->setWrap(3);
    legend->setBorderPen(Qt::NoPen);
    axisRect()->insetLayout()->take(legend);
    plotLayout()->addElement(1, 0, legend);
    plotLayout()->setRowStretchFactor(1, 0.001);
    m_raw = addGraph(xAxis, yAxis);
    m_raw->setPen(QPen(QColor(70, 130, 180, 90), 1));
    m_smooth = addGraph(xAxis, yAxis);
    m_smooth->setPen(QPen(QColor(25, 80, 160), 2));
    m_valLoss = addGraph(xAxis, yAxis);
    m_valLoss->setPen(QPen(QColor(200, 80, 20), 2));
    m_valLoss->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
    m_valAcc = addGraph(xAxis, yAxis2);
    m_valAcc->setPen(QPen(QColor(40, 150, 60), 2));
    m_valAcc->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, 7));
    yAxis2->setVisible(true);
    yAxis2->setRange(0, 1);
    m_replotTimer.setSingleShot(true);
    m_replotTimer.setInterval(60);
    connect(&m_replotTimer, &QTimer::timeout, this, [this] {
        xAxis->rescale();
        yAxis->rescale();
        QCPRange y = yAxis->range();
        yAxis->setRange(qMin(0.0, y.lower), y.upper * 1.05 + 1e-6);
        replot(QCustomPlot::rpQueuedReplot);
    });
    retranslate();
}

void LossPlot::retranslate()
{
    xAxis->setLabel(tr("Step (batches)"));
    yAxis->setLabel(tr("Loss"));
    yAxis2->setLabel(tr("Validation accuracy"));
    m_raw->setName(tr("Batch loss"));
    m_smooth->setName(tr("Batch loss (smoothed)"));
    m_valLoss->setName(tr("Validation loss"));
    m_valAcc->setName(tr("Validation accuracy"));
    scheduleReplot();
}

void LossPlot::clearCurves()
{
    for (QCPGraph *g : {m_raw, m_smooth, m_valLoss, m_valAcc})
        g->data()->clear();
    clearComparisons();
    m_ema = 0;
    m_emaCount = 0;
    m_lastStep = 0;
    scheduleReplot();
}

void LossPlot::clearComparisons()
{
    while (graphCount() > 4)
        removeGraph(graphCount() - 1);
    scheduleReplot();
}

void LossPlot::addBatches(const QList<learn::Progress> &batches)
{
    for (const learn::Progress &e : batches) {
        if (e.phase != learn::Phase::Train || !std::isfinite(e.loss))
            continue;
        const double x = double(e.step);
        m_lastStep = qMax(m_lastStep, e.step);
        m_raw->addData(x, e.loss);
        ++m_emaCount;
        m_ema = kSmoothing * m_ema + (1 - kSmoothing) * e.loss;
        // Bias-corrected exponential moving average (as fastai / TensorBoard show it).
        m_smooth->addData(x, m_ema / (1 - std::pow(kSmoothing, m_emaCount)));
    }
    scheduleReplot();
}

void LossPlot::addEpoch(const learn::EpochMetrics &metrics)
{
    // A resumed run's earlier epochs come with their step and no batches.
    const double x = double(metrics.step > 0 ? metrics.step
                            : m_lastStep > 0 ? m_lastStep
                                             : metrics.epoch);
    if (std::isfinite(metrics.valLoss))
        m_valLoss->addData(x, metrics.valLoss);
    m_valAcc->addData(x, metrics.valAccuracy);
    scheduleReplot();
}

void LossPlot::addComparison(const QVector<double> &steps,
                             const QVector<double> &losses,
                             const QString &name)
{
    // Muted colours, one per run, so that runs can be told apart in the legend.
    static const QColor colours[] = {QColor(120, 120, 120), QColor(150, 90, 170),
                                     QColor(190, 140, 40), QColor(60, 150, 150),
                                     QColor(170, 80, 100)};
    QColor c = colours[comparisonCount() % 5];
    c.setAlpha(170);
    QCPGraph *g = addGraph(xAxis, yAxis);
    g->setPen(QPen(c, 1.5, Qt::DashLine));
    g->setName(name);
    g->setData(steps, losses, true);
    scheduleReplot();
}

int LossPlot::batchPointCount() const
{
    return m_raw->dataCount();
}

int LossPlot::epochPointCount() const
{
    return m_valAcc->dataCount();
}

QVector<QPointF> LossPlot::smoothedCurve() const
{
    QVector<QPointF> points;
    for (auto it = m_smooth->data()->constBegin(); it != m_smooth->data()->constEnd(); ++it)
        points.append(QPointF(it->key, it->value));
    return points;
}

void LossPlot::scheduleReplot()
{
    if (!m_replotTimer.isActive())
        m_replotTimer.start();
}

} // namespace graft::ui
