#pragma once
// Internal: image classifiers (LibTorch). Only vision/ and export/ sources include it.

#include "graft/learn/Model.h"
#include "graft/vision/BatchPipeline.h"
#include "vision/Backbone.h"

#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include <functional>
#include <memory>

namespace graft::vision {

/// Classification head on pooled features: linear, or dropout-linear-ReLU-dropout-linear.
struct HeadImpl : torch::nn::Module
{
    HeadImpl(
        std::int64_t in, std::int64_t classes, learn::ImageHead kind, int hidden, double dropout);
    torch::Tensor forward(torch::Tensor x);
    bool mlp;
    torch::nn::Linear fc1{nullptr}, fc2{nullptr};
    torch::nn::Dropout drop{nullptr};
};
TORCH_MODULE(Head);

/// Runs image files through `forward` (a batch of preprocessed NCHW images -> probabilities
/// [n, classes] on the CPU) in batches of `batchSize`; files that do not decode get an error.
core::Result<learn::Model::Scores>
scoreImages(const std::vector<learn::SampleRef> &inputs,
            const Preprocessing &pre,
            int batchSize,
            const std::function<torch::Tensor(const Batch &)> &forward,
            const core::CancelToken &cancel,
            learn::Observer *observer);

/// Models that score a preprocessed batch directly (the export check reuses the validation
/// images decoded for the feature pass instead of decoding them again).
class BatchScoring
{
public:
    virtual ~BatchScoring() = default;
    /// Probabilities [n, classes] on the CPU for the batch's images.
    virtual torch::Tensor batchProbabilities(const Batch &batch) const = 0;
};

/// An image classifier trained in Graft: backbone groups [0, cutAt) and a head, in eval mode.
/// Holds its modules; nothing changes them after construction.
class ImageModel : public learn::Model, public BatchScoring
{
public:
    ImageModel(std::shared_ptr<Backbone> backbone,
               Head head,
               int cutAt,
               QStringList classes,
               learn::RunConfig config,
               torch::Device device);

    learn::TaskKind kind() const override { return learn::TaskKind::Image; }
    const QStringList &classes() const override { return m_classes; }
    QJsonObject describe() const override;
    core::Result<Scores> score(const std::vector<learn::SampleRef> &inputs,
                               const core::CancelToken &cancel,
                               learn::Observer *observer) const override;
    core::Result<learn::GradCam> gradCam(const QString &file, int classIndex) const override;
    core::Status writeExport(const QString &path, const QString &format) const override;
    core::Status saveWeights(const QString &path) const override;

    torch::Tensor batchProbabilities(const Batch &batch) const override;
    /// The validation images as the feature pass decoded them (sampleIndices index
    /// checkSamples); null when they were not kept (cached features, or too large).
    std::shared_ptr<const std::vector<Batch>> checkBatches;
    const Preprocessing &preprocessing() const { return m_backbone->spec().preprocessing; }

private:
    std::shared_ptr<Backbone> m_backbone;
    mutable Head m_head; // forward() is not const in LibTorch
    int m_cutAt;
    QStringList m_classes;
    learn::RunConfig m_config;
    torch::Device m_device;
};

/// An image model saved by ImageModel::saveWeights (a run folder's model.safetensors).
core::Result<learn::ModelPtr> loadImageModel(const QString &path);

/// NHWC-strided (channels_last) tensor of a batch on `device`: convolutions run 1.2-1.6x
/// faster here.
torch::Tensor batchTensor(const Batch &batch, torch::Device device);

} // namespace graft::vision
