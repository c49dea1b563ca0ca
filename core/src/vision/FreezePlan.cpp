#include "graft/vision/FreezePlan.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace graft::vision {

// Frozen groups carry a multiplier of 0; trainable group k places below the head (k = 1 for
// the group right under it) carries decay^k, so backbone layers always learn slower than the
// new head (1.0) and lower layers slower still.

FreezePlan FreezePlan::fineTuneTop(int cutAt, int n, double decay)
{
    FreezePlan plan;
    plan.cutAt = std::max(0, cutAt);
    plan.trainable.assign(size_t(plan.cutAt), false);
    plan.lrMultiplier.assign(size_t(plan.cutAt), 0.0);
    n = std::clamp(n, 0, plan.cutAt);
    double rate = 1.0;
    for (int k = 1; k <= n; ++k) {
        rate *= decay;
        const auto g = size_t(plan.cutAt - k);
        plan.trainable[g] = true;
        plan.lrMultiplier[g] = rate;
    }
    return plan;
}

int FreezePlan::trainableCount() const
{
    return int(std::count(trainable.begin(), trainable.end(), true));
}

int FreezePlan::firstTrainable() const
{
    const auto it = std::find(trainable.begin(), trainable.end(), true);
    return it == trainable.end() ? cutAt : int(it - trainable.begin());
}

bool FreezePlan::valid(int groupCount) const
{
    if (cutAt < 1 || cutAt > groupCount || trainable.size() != size_t(cutAt) ||
        lrMultiplier.size() != size_t(cutAt))
        return false;
    for (size_t g = 0; g < trainable.size(); ++g) {
        const double m = lrMultiplier[g];
        if (!std::isfinite(m) || m < 0 || (trainable[g] && m <= 0))
            return false;
    }
    return true;
}

QJsonObject FreezePlan::toJson() const
{
    QJsonArray flags;
    for (bool t : trainable)
        flags.append(t);
    QJsonArray rates;
    for (double m : lrMultiplier)
        rates.append(m);
    return QJsonObject{{QStringLiteral("cutAt"), cutAt},
                       {QStringLiteral("trainable"), flags},
                       {QStringLiteral("lrMultiplier"), rates}};
}

FreezePlan FreezePlan::fromJson(const QJsonObject &json)
{
    FreezePlan plan;
    plan.cutAt = json.value(QStringLiteral("cutAt")).toInt(0);
    for (const QJsonValue &v : json.value(QStringLiteral("trainable")).toArray())
        plan.trainable.push_back(v.toBool());
    for (const QJsonValue &v : json.value(QStringLiteral("lrMultiplier")).toArray())
        plan.lrMultiplier.push_back(v.toDouble(-1.0)); // non-numbers make the plan invalid
    return plan;
}

} // namespace graft::vision
