#pragma once

// Private: a backbone described as a flat list of ops over a few tensor slots. The same list
// drives the native forward pass and the TorchScript source that emitTorchScript() writes, so
// both compute the same thing with the same ATen calls.

#include "vision/Backbone.h"

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <memory>
#include <string>
#include <vector>

namespace graft::vision::detail {

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

/// Backbone built from an op list. Subclasses only describe the architecture.
class OpNet : public Backbone
{
public:
    const std::vector<LayerGroup> &groups() const override { return m_groups; }
    torch::nn::Module &group(int i) override { return *m_groupModules.at(size_t(i)); }
    torch::Tensor features(const torch::Tensor &x, int cutAt) override;
    torch::Tensor featuresFrom(const torch::Tensor &map, int from, int cutAt) override;
    torch::Tensor featureMap(const torch::Tensor &x, int cutAt) override;
    bool hasClassifier() const override { return m_classifierWeight.defined(); }
    torch::Tensor classify(const torch::Tensor &x) override;
    void emitTorchScript(torch::jit::Module &module, int cutAt) const override;
    std::string emitOnnx(OnnxGraph &graph, const std::string &input, int inputSize,
                         int cutAt) const override;
    /// Also switches the group holders (they are not children: parameters are not duplicated).
    void train(bool on = true) override;

    /// Removes the classifier (when the weights file has none).
    void dropClassifier();
    /// Names of the classifier's tensors (as in named_parameters()).
    const std::vector<std::string> &classifierNames() const { return m_classifierNames; }

protected:
    /// Registers `child` under `parent` and records it for the group being built.
    torch::nn::Conv2d addConv(torch::nn::Module &parent,
                              const std::string &name,
                              std::int64_t in,
                              std::int64_t out,
                              std::int64_t kernel,
                              std::int64_t stride,
                              std::int64_t groups,
                              bool bias,
                              Pad pad = Pad::Symmetric);
    torch::nn::BatchNorm2d addBn(torch::nn::Module &parent,
                                 const std::string &name,
                                 std::int64_t channels,
                                 double eps = 1e-5,
                                 double momentum = 0.1);
    void addAct(Act act);
    void addOp(Op op);
    /// Adds an SE block (fc1/fc2 1x1 convs with bias) under `parent`.
    void addSqueezeExcite(torch::nn::Module &parent, std::int64_t channels, std::int64_t squeeze);
    void beginGroup(const std::string &name);
    /// Closes the open group with its output channels and stride.
    void endGroup(std::int64_t outChannels, int outStride);
    /// Classifier on the pooled features: weight [classes, dim] (or [classes, dim, 1, 1]).
    void setClassifier(torch::Tensor weight, torch::Tensor bias, std::vector<std::string> names);

    static std::shared_ptr<torch::nn::Module> child(torch::nn::Module &parent,
                                                    const std::string &name);

private:
    torch::Tensor run(torch::Tensor x, size_t begin, size_t end);
    size_t opBegin(int group) const;

    std::vector<Op> m_ops;
    std::vector<size_t> m_groupEnd; ///< op index one past each group's last op
    std::vector<LayerGroup> m_groups;
    std::vector<std::shared_ptr<torch::nn::Module>> m_groupModules;
    int m_memberCount = 0;
    torch::Tensor m_classifierWeight;
    torch::Tensor m_classifierBias;
    std::vector<std::string> m_classifierNames;
};

/// Architectures (each in the file that knows its weights).
std::shared_ptr<OpNet> makeResNetCifar(int depth, int classes);
std::shared_ptr<OpNet> makeTorchvisionResNet(int depth, int classes);
std::shared_ptr<OpNet> makeTorchvisionMobileNetV2(int classes);
std::shared_ptr<OpNet> makeTorchvisionEfficientNetB0(int classes);
/// Coral TFLite-derived MobileNet from the `__metadata__.graph` op list (JSON text) and the
/// tensor shapes of the file (name -> shape). Errors name `file`.
core::Result<std::shared_ptr<OpNet>>
makeTfGraphMobileNet(const QByteArray &graphJson,
                     const std::vector<std::pair<std::string, std::vector<std::int64_t>>> &shapes,
                     const QString &file);
/// The same TF-slim MobileNet (version 1 or 2) built without a file, randomly initialised;
/// `classes` > 0 adds a classifier.
std::shared_ptr<OpNet> makeTfMobileNet(int version, double width, int classes);
/// Keras applications MobileNetV1 with width multiplier `alpha` (BatchNorm eps 1e-3).
std::shared_ptr<OpNet> makeKerasMobileNetV1(double alpha);

} // namespace graft::vision::detail
