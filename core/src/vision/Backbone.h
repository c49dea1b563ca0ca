#pragma once

// Torch-facing module header: include only from the few .cpp files that do tensor work.
// A backbone is a flat list of ops over a few tensor slots. The same list drives the native
// forward pass and the TorchScript and ONNX that the emitters write, so all compute the same
// thing with the same ATen calls; each architecture only describes its ops.

#include "graft/core/Result.h"
#include "graft/vision/BackboneCatalogue.h"
#include "graft/vision/FreezePlan.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/script.h>

#include <memory>
#include <string>
#include <vector>

namespace graft::exports {
class OnnxGraph;
}
namespace graft::io {
class SafetensorsFile;
}

namespace graft::vision {

using exports::OnnxGraph;

namespace detail {

enum class Act { None, Relu, Relu6, Silu };

/// How a convolution pads its input.
enum class Pad {
    Symmetric, ///< PyTorch: (k - 1) / 2 on every side
    TfSame, ///< TensorFlow "SAME": total from input size, stride and kernel; extra at bottom/right
};

struct Op
{
    enum class Kind {
        Conv,          ///< x = conv(x)
        BatchNorm,     ///< x = bn(x)
        Activation,    ///< x = act(x)
        Save,          ///< saved = x
        AddSaved,      ///< x = x + saved (after stochastic depth on x when dropProb > 0)
        SavedConvBn,   ///< saved = bn(conv(saved)) (ResNet projection shortcut)
        SavedPadA,     ///< saved = zero-pad channels of saved[:, :, ::2, ::2] (ResNet option A)
        MaxPool,       ///< 3x3, stride 2, padding 1
        SqueezeExcite, ///< x = x * sigmoid(fc2(silu(fc1(mean(x)))))
    };
    Kind kind = Kind::Conv;
    torch::nn::Conv2d conv{nullptr};
    torch::nn::Conv2d conv2{nullptr}; ///< SE fc2
    torch::nn::BatchNorm2d bn{nullptr};
    Pad pad = Pad::Symmetric;
    Act act = Act::None;
    std::int64_t padChannels = 0; ///< SavedPadA: zeros added on each side of the channel axis
    double dropProb = 0.0;        ///< AddSaved: stochastic depth ("row" mode) while training
};

/// MobileNetV2's inverted residual stages (torchvision and TF-slim): expansion t, output
/// channels c, blocks n, stride s of the first block.
struct InvertedResidual
{
    int t, c, n, s;
};
inline constexpr InvertedResidual kMobileNetV2Stages[] = {
    {1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
    {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};

} // namespace detail

/// A pretrained image backbone implemented natively in LibTorch. Input: NCHW float32 in the
/// layout its Preprocessing describes. Architectures subclass it and only describe the ops.
class Backbone : public torch::nn::Module
{
public:
    /// Feature groups in forward order (the classifier, if any, is not a group).
    const std::vector<LayerGroupInfo> &groups() const { return m_groups; }
    /// The submodule holding group `i` (for freezing and BatchNorm mode).
    torch::nn::Module &group(int i) { return *m_groupModules.at(size_t(i)); }
    /// Runs groups [0, cutAt) and global-average-pools: returns [N, featureDim(cutAt)].
    torch::Tensor features(const torch::Tensor &x, int cutAt) { return featuresFrom(x, 0, cutAt); }
    /// Runs groups [from, cutAt) on an unpooled activation map (from the output of group from-1)
    /// and pools. `x` of groups [0, from) is what featureMap(x, from) returned.
    torch::Tensor featuresFrom(const torch::Tensor &map, int from, int cutAt);
    /// Unpooled activation map after group cutAt-1: [N, C, H, W] (used by Grad-CAM and caching).
    torch::Tensor featureMap(const torch::Tensor &x, int cutAt);
    std::int64_t featureDim(int cutAt) const { return groups().at(size_t(cutAt - 1)).outChannels; }

    /// Classifier that came with the weights (e.g. ImageNet 1001-way); logits [N, classes].
    bool hasClassifier() const { return m_classifierWeight.defined(); }
    torch::Tensor classify(const torch::Tensor &x);
    /// That classifier's weight [classes, dim] and bias [classes].
    torch::Tensor classifierWeight() const { return m_classifierWeight.flatten(1); }
    const torch::Tensor &classifierBias() const { return m_classifierBias; }
    /// Removes the classifier (when the weights file has none).
    void dropClassifier() { m_classifierWeight = m_classifierBias = torch::Tensor(); }
    /// Names of the classifier's tensors (as in named_parameters()).
    const std::vector<std::string> &classifierNames() const { return m_classifierNames; }

    /// Adds this backbone's groups [0, cutAt) to `module` as TorchScript: registers parameters
    /// and buffers named "bb_..." and defines a method `features(self, x) -> Tensor` returning
    /// the pooled [N, D] features, numerically identical to features(x, cutAt) in eval mode.
    void emitTorchScript(torch::jit::Module &module, int cutAt) const;

    /// Adds groups [0, cutAt) to an ONNX graph (eval mode) for a square input of `inputSize`,
    /// reading `input` (NCHW); returns the name of the pooled [N, D] features.
    std::string
    emitOnnx(OnnxGraph &graph, const std::string &input, int inputSize, int cutAt) const;

    /// Also switches the group holders (they are not children: parameters are not duplicated).
    void train(bool on = true) override;

    const BackboneSpec &spec() const { return m_spec; }
    void setSpec(BackboneSpec spec) { m_spec = std::move(spec); }

protected:
    /// Registers a convolution under `parent` and adds it as an op of the group being built.
    void addConv(torch::nn::Module &parent,
                 const std::string &name,
                 std::int64_t in,
                 std::int64_t out,
                 std::int64_t kernel,
                 std::int64_t stride,
                 std::int64_t groups,
                 bool bias,
                 detail::Pad pad = detail::Pad::Symmetric)
    {
        const auto options =
            torch::nn::Conv2dOptions(in, out, kernel).stride(stride).groups(groups).bias(bias);
        addOp({.conv = parent.register_module(name, torch::nn::Conv2d(options)), .pad = pad});
    }
    void addBn(torch::nn::Module &parent,
               const std::string &name,
               std::int64_t channels,
               double eps = 1e-5,
               double momentum = 0.1)
    {
        const auto options = torch::nn::BatchNorm2dOptions(channels).eps(eps).momentum(momentum);
        addOp({.kind = detail::Op::Kind::BatchNorm,
               .bn = parent.register_module(name, torch::nn::BatchNorm2d(options))});
    }
    /// addConv (no bias), addBn, addAct.
    void convBn(torch::nn::Module &parent,
                const std::string &conv,
                const std::string &bn,
                std::int64_t in,
                std::int64_t out,
                std::int64_t kernel,
                std::int64_t stride,
                std::int64_t groups,
                detail::Act act)
    {
        addConv(parent, conv, in, out, kernel, stride, groups, false);
        addBn(parent, bn, out);
        addAct(act);
    }
    void addAct(detail::Act act)
    {
        if (act != detail::Act::None)
            addOp({.kind = detail::Op::Kind::Activation, .act = act});
    }
    void addOp(detail::Op op);
    void beginGroup(const std::string &name);
    /// Closes the open group with its output channels and stride.
    void endGroup(std::int64_t outChannels, int outStride);
    /// Classifier on the pooled features: weight [classes, dim] (or [classes, dim, 1, 1]).
    void setClassifier(torch::Tensor weight, torch::Tensor bias, std::vector<std::string> names)
    {
        m_classifierWeight = std::move(weight);
        m_classifierBias = std::move(bias);
        m_classifierNames = std::move(names);
    }

    static std::shared_ptr<torch::nn::Module> child(torch::nn::Module &parent,
                                                    const std::string &name)
    {
        return parent.register_module(name, std::make_shared<torch::nn::Module>());
    }

private:
    torch::Tensor run(torch::Tensor x, size_t begin, size_t end);
    size_t opBegin(int group) const { return group == 0 ? 0 : m_groupEnd.at(size_t(group - 1)); }

    std::vector<detail::Op> m_ops;
    std::vector<size_t> m_groupEnd; ///< op index one past each group's last op
    std::vector<LayerGroupInfo> m_groups;
    std::vector<std::shared_ptr<torch::nn::Module>> m_groupModules;
    int m_memberCount = 0;
    torch::Tensor m_classifierWeight;
    torch::Tensor m_classifierBias;
    std::vector<std::string> m_classifierNames;
    BackboneSpec m_spec;
};

/// Builds the backbone for a catalogue entry. With `pretrained`, loads `weightsPath` through the
/// validating safetensors reader, checking names and shapes (missing/unexpected/mismatched
/// tensors and NaN/Inf are WeightsInvalid errors naming the file and tensor). Without, the
/// weights are randomly initialised (seeded by the caller via torch::manual_seed).
core::Result<std::shared_ptr<Backbone>>
createBackbone(const BackboneSpec &spec, const QString &weightsPath, bool pretrained = true);

/// Convenience: looks the id up in the built-in catalogue and the file in `weightsDir`.
core::Result<std::shared_ptr<Backbone>>
createBackbone(const QString &id, const QString &weightsDir, bool pretrained = true);

/// Applies a plan: requires_grad=false on frozen groups' parameters, true on trainable ones.
void applyFreezePlan(Backbone &backbone, const FreezePlan &plan);

/// train(training) on the whole backbone, then puts BatchNorm layers of frozen groups (and all
/// groups at or after the cut) back into eval mode.
void setTrainingMode(Backbone &backbone, const FreezePlan &plan, bool training);

/// Parameters of group `i` that require grad (for per-group optimizer parameter groups).
std::vector<torch::Tensor> trainableParameters(Backbone &backbone, int group);

/// Adds `t` to an ONNX graph as a contiguous NCHW float32 initializer (the trainer keeps
/// convolution weights channels_last); returns its name.
std::string onnxTensor(OnnxGraph &graph, const torch::Tensor &t, const char *hint);

namespace detail {

/// Architectures (each in the file that knows its weights).
/// torchvision's resnet18/34/50, or with `cifar` He et al.'s CIFAR ResNet (6n+2 layers).
std::shared_ptr<Backbone> makeResNet(int depth, bool cifar, int classes);
std::shared_ptr<Backbone> makeTorchvisionMobileNetV2(int classes);
std::shared_ptr<Backbone> makeTorchvisionEfficientNetB0(int classes);
/// Coral TFLite-derived MobileNet from the file's `__metadata__.graph` op list and its tensor
/// shapes (the weights are not loaded). Errors name the file.
core::Result<std::shared_ptr<Backbone>> makeTfGraphMobileNet(const io::SafetensorsFile &file);
/// The same TF-slim MobileNet (version 1 or 2) built without a file, randomly initialised;
/// `classes` > 0 adds a classifier.
std::shared_ptr<Backbone> makeTfMobileNet(int version, double width, int classes);
/// Keras applications MobileNetV1 with width multiplier `alpha` (BatchNorm eps 1e-3).
std::shared_ptr<Backbone> makeKerasMobileNetV1(double alpha);

} // namespace detail

} // namespace graft::vision
