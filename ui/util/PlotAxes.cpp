#include "ui/util/PlotAxes.h"

#include <qcustomplot.h>

namespace graft::ui {

void fitClassAxis(QCPAxis *axis, const QStringList &names)
{
    const QFontMetrics metrics(axis->tickLabelFont());
    int needed = 0;
    for (const QString &name : names)
        needed += metrics.horizontalAdvance(name) + metrics.averageCharWidth() * 2;
    const int available = qMax(120, axis->parentPlot()->width() - 90);
    const bool upright = needed > available;
    axis->setTickLabelRotation(upright ? 90 : 0);
    if (auto ticker = axis->ticker().dynamicCast<QCPAxisTickerText>()) {
        QMap<double, QString> ticks = ticker->ticks();
        for (auto it = ticks.begin(); it != ticks.end(); ++it)
            if (upright && it.value().size() > 16)
                it.value() = it.value().left(15) + QChar(0x2026);
        ticker->setTicks(ticks);
    }
}

} // namespace graft::ui
