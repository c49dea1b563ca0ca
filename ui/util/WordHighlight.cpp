#include "ui/util/WordHighlight.h"

#include <QColor>
#include <QStringList>

#include <algorithm>
#include <cmath>

namespace graft::ui {

QString highlightedWordsHtml(const learn::TokenContributions &words)
{
    double scale = 1e-9;
    for (const auto &w : words)
        scale = std::max(scale, std::fabs(w.weight));
    QStringList parts;
    for (const auto &w : words) {
        const double a = std::min(1.0, std::fabs(w.weight) / scale);
        const QString escaped = w.token.toHtmlEscaped();
        if (a < 0.08) {
            parts << escaped;
            continue;
        }
        const QColor c = w.weight > 0 ? QColor(40, 160, 60) : QColor(210, 50, 50);
        parts << QStringLiteral("<span style=\"background-color: rgba(%1,%2,%3,%4)\">%5</span>")
                     .arg(c.red())
                     .arg(c.green())
                     .arg(c.blue())
                     .arg(0.15 + 0.6 * a, 0, 'f', 2)
                     .arg(escaped);
    }
    return parts.join(QLatin1Char(' '));
}

} // namespace graft::ui
