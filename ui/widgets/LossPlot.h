#pragma once

#include "graft/learn/Events.h"

#include <QList>
#include <QTimer>

#include <qcustomplot.h>

namespace graft::ui {

/// Live training curves: batch loss (raw and smoothed) against the global step, validation
/// loss and accuracy per epoch. Replots are coalesced (one per ~60 ms at most).
class LossPlot : public QCustomPlot
{
    Q_OBJECT
public:
    explicit LossPlot(QWidget *parent = nullptr);

    /// Clears the live curves and the comparisons.
    void clearCurves();
    /// Removes the comparison curves only.
    void clearComparisons();
    void addBatches(const QList<learn::Progress> &batches);
    void addEpoch(const learn::EpochMetrics &metrics);
    /// Adds a finished earlier run as a faint dashed comparison curve (smoothed batch loss),
    /// named in the legend ("Run 2: 95.4 %").
    void
    addComparison(const QVector<double> &steps, const QVector<double> &losses, const QString &name);
    int comparisonCount() const { return graphCount() - 4; }
    int batchPointCount() const;
    int epochPointCount() const;
    /// Smoothed batch-loss curve as (step, loss) pairs, for the run history.
    QVector<QPointF> smoothedCurve() const;
    void retranslate();

private:
    void scheduleReplot();

    QCPGraph *m_raw = nullptr;
    QCPGraph *m_smooth = nullptr;
    QCPGraph *m_valLoss = nullptr;
    QCPGraph *m_valAcc = nullptr;
    QTimer m_replotTimer;
    double m_ema = 0;
    int m_emaCount = 0;
    qint64 m_lastStep = 0;
};

} // namespace graft::ui
