#include "graft/vision/Backbone.h"

#include <torch/nn/modules/batchnorm.h>

namespace graft::vision {

namespace {

bool groupTrains(const FreezePlan &plan, int i)
{
    return i < plan.cutAt && size_t(i) < plan.trainable.size() && plan.trainable[size_t(i)];
}

void setBatchNormEval(torch::nn::Module &module)
{
    for (const auto &m : module.modules(true))
        if (dynamic_cast<torch::nn::BatchNorm2dImpl *>(m.get()))
            m->eval();
}

} // namespace

void applyFreezePlan(Backbone &backbone, const FreezePlan &plan)
{
    const int n = int(backbone.groups().size());
    for (int i = 0; i < n; ++i) {
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
    const int n = int(backbone.groups().size());
    for (int i = 0; i < n; ++i) {
        if (groupTrains(plan, i))
            continue;
        auto &g = backbone.group(i);
        g.eval(); // also stops stochastic depth in frozen groups
        setBatchNormEval(g);
    }
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
