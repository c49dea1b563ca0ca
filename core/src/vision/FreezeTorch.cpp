#include "vision/Backbone.h"

namespace graft::vision {

namespace {

bool groupTrains(const FreezePlan &plan, int i)
{
    return i < plan.cutAt && size_t(i) < plan.trainable.size() && plan.trainable[size_t(i)];
}

} // namespace

void applyFreezePlan(Backbone &backbone, const FreezePlan &plan)
{
    for (int i = 0; i < int(backbone.groups().size()); ++i) {
        const bool trains = groupTrains(plan, i);
        for (auto &p : backbone.group(i).parameters(true))
            p.set_requires_grad(trains);
    }
}

void setTrainingMode(Backbone &backbone, const FreezePlan &plan, bool training)
{
    backbone.train(training);
    if (!training)
        return;
    for (int i = 0; i < int(backbone.groups().size()); ++i)
        if (!groupTrains(plan, i))
            backbone.group(i).eval(); // recursive: BatchNorm and stochastic depth of the group
}

std::vector<torch::Tensor> trainableParameters(Backbone &backbone, int group)
{
    std::vector<torch::Tensor> out;
    for (auto &p : backbone.group(group).parameters(true))
        if (p.requires_grad())
            out.push_back(p);
    return out;
}

} // namespace graft::vision
