#include "vision/Backbone.h"

namespace graft::vision::detail {

namespace {

/// Shared helpers for torchvision's naming: Conv2dNormActivation is a Sequential of
/// "0" conv (no bias), "1" BatchNorm and an activation without parameters.
class TorchvisionNet : public Backbone
{
protected:
    void convBnAct(torch::nn::Module &parent,
                   const std::string &name,
                   std::int64_t in,
                   std::int64_t out,
                   std::int64_t kernel,
                   std::int64_t stride,
                   std::int64_t groups,
                   Act act)
    {
        convBn(*child(parent, name), "0", "1", in, out, kernel, stride, groups, act);
    }

    void linearClassifier(torch::nn::Module &parent,
                          const std::string &parentName,
                          const std::string &name,
                          std::int64_t in,
                          int classes)
    {
        auto linear = parent.register_module(name, torch::nn::Linear(in, classes));
        const std::string prefix = parentName.empty() ? name : parentName + "." + name;
        setClassifier(linear->weight, linear->bias, {prefix + ".weight", prefix + ".bias"});
    }
};

/// torchvision.models.resnet18/34/50; with `cifar`, He et al. 2016's CIFAR ResNet (6n+2 layers)
/// with option A shortcuts: identity, or the input subsampled by 2 and zero-padded in channels
/// (names follow akamaster/pytorch_resnet_cifar10).
class ResNet : public TorchvisionNet
{
public:
    ResNet(int depth, bool cifar, int classes)
    {
        const bool bottleneck = !cifar && depth >= 50;
        const std::vector<int> blocks = cifar         ? std::vector<int>(3, (depth - 2) / 6)
                                        : depth == 18 ? std::vector<int>{2, 2, 2, 2}
                                                      : std::vector<int>{3, 4, 6, 3};
        const std::int64_t base = cifar ? 16 : 64;
        int stride = cifar ? 1 : 4;
        beginGroup("stem");
        convBn(*this, "conv1", "bn1", 3, base, cifar ? 3 : 7, cifar ? 1 : 2, 1, Act::Relu);
        if (!cifar)
            addOp(Op{Op::Kind::MaxPool});
        endGroup(base, stride);

        std::int64_t in = base;
        for (size_t stage = 0; stage < blocks.size(); ++stage) {
            const std::int64_t planes = base << stage;
            const std::int64_t out = bottleneck ? planes * 4 : planes;
            const std::string name = "layer" + std::to_string(stage + 1);
            auto layer = child(*this, name);
            beginGroup(name);
            for (int b = 0; b < blocks[stage]; ++b) {
                const int s = (b == 0 && stage > 0) ? 2 : 1;
                auto block = child(*layer, std::to_string(b));
                addOp(Op{Op::Kind::Save});
                if (bottleneck) {
                    convBn(*block, "conv1", "bn1", in, planes, 1, 1, 1, Act::Relu);
                    convBn(*block, "conv2", "bn2", planes, planes, 3, s, 1, Act::Relu);
                    convBn(*block, "conv3", "bn3", planes, out, 1, 1, 1, Act::None);
                } else {
                    convBn(*block, "conv1", "bn1", in, planes, 3, s, 1, Act::Relu);
                    convBn(*block, "conv2", "bn2", planes, planes, 3, 1, 1, Act::None);
                }
                if ((s != 1 || in != out) && cifar) {
                    addOp({.kind = Op::Kind::SavedPadA, .padChannels = planes / 4});
                } else if (s != 1 || in != out) {
                    auto down = child(*block, "downsample");
                    auto options = torch::nn::Conv2dOptions(in, out, 1).stride(s).bias(false);
                    addOp({.kind = Op::Kind::SavedConvBn,
                           .conv = down->register_module("0", torch::nn::Conv2d(options)),
                           .bn = down->register_module("1", torch::nn::BatchNorm2d(out))});
                }
                addOp(Op{Op::Kind::AddSaved});
                addAct(Act::Relu);
                in = out;
                stride *= s;
            }
            endGroup(in, stride);
        }
        linearClassifier(*this, "", cifar ? "linear" : "fc", in, classes);
    }
};

/// torchvision.models.mobilenet_v2 (width 1.0).
class TorchvisionMobileNetV2 : public TorchvisionNet
{
public:
    explicit TorchvisionMobileNetV2(int classes)
    {
        auto features = child(*this, "features");
        beginGroup("stem");
        convBnAct(*features, "0", 3, 32, 3, 2, 1, Act::Relu6);
        std::int64_t in = 32;
        int index = 1;
        int stride = 2;
        int stage = 0;
        for (const InvertedResidual &st : kMobileNetV2Stages) {
            if (stage > 0)
                beginGroup("stage" + std::to_string(stage));
            for (int i = 0; i < st.n; ++i) {
                const int s = i == 0 ? st.s : 1;
                auto block = child(*features, std::to_string(index++));
                auto conv = child(*block, "conv");
                const std::int64_t hidden = in * st.t;
                const bool residual = s == 1 && in == st.c;
                if (residual)
                    addOp(Op{Op::Kind::Save});
                int k = 0;
                if (st.t != 1)
                    convBnAct(*conv, std::to_string(k++), in, hidden, 1, 1, 1, Act::Relu6);
                convBnAct(*conv, std::to_string(k++), hidden, hidden, 3, s, hidden, Act::Relu6);
                convBn(*conv, std::to_string(k), std::to_string(k + 1), hidden, st.c, 1, 1, 1,
                       Act::None);
                if (residual)
                    addOp(Op{Op::Kind::AddSaved});
                in = st.c;
                stride *= s;
            }
            endGroup(in, stride);
            ++stage;
        }
        beginGroup("head");
        convBnAct(*features, std::to_string(index), in, 1280, 1, 1, 1, Act::Relu6);
        endGroup(1280, stride);
        linearClassifier(*child(*this, "classifier"), "classifier", "1", 1280, classes);
    }
};

/// torchvision.models.efficientnet_b0 (stochastic depth 0.2, "row" mode, while training).
class TorchvisionEfficientNetB0 : public TorchvisionNet
{
public:
    explicit TorchvisionEfficientNetB0(int classes)
    {
        struct Setting
        {
            int expand, kernel, stride, in, out, layers;
        };
        const Setting settings[] = {{1, 3, 1, 32, 16, 1},  {6, 3, 2, 16, 24, 2},
                                    {6, 5, 2, 24, 40, 2},  {6, 3, 2, 40, 80, 3},
                                    {6, 5, 1, 80, 112, 3}, {6, 5, 2, 112, 192, 4},
                                    {6, 3, 1, 192, 320, 1}};
        int totalBlocks = 0;
        for (const Setting &st : settings)
            totalBlocks += st.layers;

        auto features = child(*this, "features");
        beginGroup("stem");
        convBnAct(*features, "0", 3, 32, 3, 2, 1, Act::Silu);
        int blockId = 0;
        int stride = 2;
        int stage = 0;
        for (const Setting &st : settings) {
            if (stage > 0)
                beginGroup("stage" + std::to_string(stage));
            auto seq = child(*features, std::to_string(stage + 1));
            for (int i = 0; i < st.layers; ++i) {
                const std::int64_t in = i == 0 ? st.in : st.out;
                const int s = i == 0 ? st.stride : 1;
                const std::int64_t expanded = in * st.expand;
                const std::int64_t squeeze = std::max<std::int64_t>(1, in / 4);
                const bool residual = s == 1 && in == st.out;
                auto block = child(*child(*seq, std::to_string(i)), "block");
                if (residual)
                    addOp(Op{Op::Kind::Save});
                int k = 0;
                if (st.expand != 1)
                    convBnAct(*block, std::to_string(k++), in, expanded, 1, 1, 1, Act::Silu);
                convBnAct(*block, std::to_string(k++), expanded, expanded, st.kernel, s, expanded,
                          Act::Silu);
                auto se = child(*block, std::to_string(k++));
                using torch::nn::Conv2d, torch::nn::Conv2dOptions;
                addOp({.kind = Op::Kind::SqueezeExcite,
                       .conv =
                           se->register_module("fc1", Conv2d(Conv2dOptions(expanded, squeeze, 1))),
                       .conv2 = se->register_module("fc2",
                                                    Conv2d(Conv2dOptions(squeeze, expanded, 1)))});
                convBnAct(*block, std::to_string(k++), expanded, st.out, 1, 1, 1, Act::None);
                if (residual)
                    addOp({.kind = Op::Kind::AddSaved,
                           .dropProb = 0.2 * double(blockId) / double(totalBlocks)});
                ++blockId;
                stride *= s;
            }
            endGroup(st.out, stride);
            ++stage;
        }
        beginGroup("head");
        convBnAct(*features, "8", 320, 1280, 1, 1, 1, Act::Silu);
        endGroup(1280, stride);
        linearClassifier(*child(*this, "classifier"), "classifier", "1", 1280, classes);
    }
};

} // namespace

std::shared_ptr<Backbone> makeResNet(int depth, bool cifar, int classes)
{
    return std::make_shared<ResNet>(depth, cifar, classes);
}

std::shared_ptr<Backbone> makeTorchvisionMobileNetV2(int classes)
{
    return std::make_shared<TorchvisionMobileNetV2>(classes);
}

std::shared_ptr<Backbone> makeTorchvisionEfficientNetB0(int classes)
{
    return std::make_shared<TorchvisionEfficientNetB0>(classes);
}

} // namespace graft::vision::detail
