#include "vision/OpNet.h"

namespace graft::vision::detail {

namespace {

/// He et al. 2016 CIFAR ResNet (6n+2 layers) with option A shortcuts: identity, or the input
/// subsampled by 2 and zero-padded in channels. Names follow akamaster/pytorch_resnet_cifar10.
class ResNetCifar : public OpNet
{
public:
    ResNetCifar(int depth, int classes)
    {
        const int n = (depth - 2) / 6;
        beginGroup("stem");
        addConv(*this, "conv1", 3, 16, 3, 1, 1, false);
        addBn(*this, "bn1", 16);
        addAct(Act::Relu);
        endGroup(16, 1);

        std::int64_t in = 16;
        int stride = 1;
        for (int stage = 1; stage <= 3; ++stage) {
            const std::int64_t planes = std::int64_t(16) << (stage - 1);
            const std::string name = "layer" + std::to_string(stage);
            auto layer = child(*this, name);
            beginGroup(name);
            for (int b = 0; b < n; ++b) {
                const int s = (b == 0 && stage > 1) ? 2 : 1;
                auto block = child(*layer, std::to_string(b));
                addOp(Op{Op::Kind::Save});
                addConv(*block, "conv1", in, planes, 3, s, 1, false);
                addBn(*block, "bn1", planes);
                addAct(Act::Relu);
                addConv(*block, "conv2", planes, planes, 3, 1, 1, false);
                addBn(*block, "bn2", planes);
                if (s != 1 || in != planes)
                    addOp({.kind = Op::Kind::SavedPadA, .padChannels = planes / 4});
                addOp(Op{Op::Kind::AddSaved});
                addAct(Act::Relu);
                in = planes;
                stride *= s;
            }
            endGroup(planes, stride);
        }
        auto linear = register_module("linear", torch::nn::Linear(64, classes));
        setClassifier(linear->weight, linear->bias, {"linear.weight", "linear.bias"});
    }
};

} // namespace

std::shared_ptr<OpNet> makeResNetCifar(int depth, int classes)
{
    return std::make_shared<ResNetCifar>(depth, classes);
}

} // namespace graft::vision::detail
