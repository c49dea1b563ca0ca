#pragma once

#include <QJsonObject>

#include <vector>

namespace graft::vision {

/// Which backbone layer groups are used, frozen and how fast each trains. Torch-free.
/// Groups [0, cutAt) are used; pooled features are taken after group cutAt-1. Groups at or after
/// the cut are dropped. A group that is not trainable keeps requires_grad=false and its
/// BatchNorm layers stay in inference mode while the rest trains.
struct FreezePlan
{
    int cutAt = 0;                    ///< number of groups used (1..groupCount)
    std::vector<bool> trainable;      ///< per group, size cutAt
    std::vector<double> lrMultiplier; ///< per group, size cutAt; head is 1.0

    /// Frozen backbone up to the cut: features can be cached.
    static FreezePlan featureExtractor(int cutAt) { return fineTuneTop(cutAt, 0); }
    /// The top `n` groups below the cut train, with rates shrinking by `decay` per group downwards.
    static FreezePlan fineTuneTop(int cutAt, int n, double decay = 0.5);
    /// All groups train (discriminative rates: each group `decay` times the one above).
    static FreezePlan full(int cutAt, double decay = 0.5)
    {
        return fineTuneTop(cutAt, cutAt, decay);
    }

    bool allFrozen() const { return trainableCount() == 0; }
    int trainableCount() const;
    /// The first group that trains, or cutAt when none does.
    int firstTrainable() const;
    bool valid(int groupCount) const;

    QJsonObject toJson() const;
    static FreezePlan fromJson(const QJsonObject &json);
};

} // namespace graft::vision
