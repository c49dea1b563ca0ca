#pragma once

// Torch-facing module header: include only from the few .cpp files that do tensor work.

#include "graft/core/Result.h"
#include "graft/vision/BackboneCatalogue.h"
#include "graft/vision/FreezePlan.h"

#include <torch/nn/module.h>
#include <torch/script.h>

#include <memory>
#include <string>
#include <vector>

namespace graft::exports {
class OnnxGraph;
}

namespace graft::vision {

using exports::OnnxGraph;

/// A pretrained image backbone implemented natively in LibTorch.
/// Input: NCHW float32 in the layout its Preprocessing describes.
class Backbone : public torch::nn::Module
{
public:
    /// Feature groups in forward order (the classifier, if any, is not a group).
    virtual const std::vector<LayerGroupInfo> &groups() const = 0;
    /// The submodule holding group `i` (for freezing and BatchNorm mode).
    virtual torch::nn::Module &group(int i) = 0;
    /// Runs groups [0, cutAt) and global-average-pools: returns [N, featureDim(cutAt)].
    virtual torch::Tensor features(const torch::Tensor &x, int cutAt) = 0;
    /// Runs groups [from, cutAt) on an unpooled activation map (from the output of group from-1)
    /// and pools. `x` of groups [0, from) is what featureMap(x, from) returned.
    virtual torch::Tensor featuresFrom(const torch::Tensor &map, int from, int cutAt) = 0;
    /// Unpooled activation map after group cutAt-1: [N, C, H, W] (used by Grad-CAM and caching).
    virtual torch::Tensor featureMap(const torch::Tensor &x, int cutAt) = 0;
    std::int64_t featureDim(int cutAt) const { return groups().at(size_t(cutAt - 1)).outChannels; }

    /// Classifier that came with the weights (e.g. ImageNet 1001-way); logits [N, classes].
    virtual bool hasClassifier() const { return false; }
    virtual torch::Tensor classify(const torch::Tensor &x) = 0;

    /// Adds this backbone's groups [0, cutAt) to `module` as TorchScript: registers parameters
    /// and buffers under `prefix` and defines a method `features(self, x) -> Tensor` returning
    /// the pooled [N, D] features, numerically identical to features(x, cutAt) in eval mode.
    virtual void emitTorchScript(torch::jit::Module &module, int cutAt) const = 0;

    /// Adds groups [0, cutAt) to an ONNX graph (eval mode) for a square input of `inputSize`,
    /// reading `input` (NCHW); returns the name of the pooled [N, D] features.
    virtual std::string
    emitOnnx(OnnxGraph &graph, const std::string &input, int inputSize, int cutAt) const = 0;

    const BackboneSpec &spec() const { return m_spec; }
    void setSpec(BackboneSpec spec) { m_spec = std::move(spec); }

private:
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

} // namespace graft::vision
