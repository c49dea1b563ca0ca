#pragma once

#include "graft/core/Cancellation.h"
#include "graft/core/Result.h"
#include "graft/learn/Results.h"

#include <QJsonObject>
#include <QStringList>

#include <memory>
#include <vector>

namespace graft::learn {

/// A trained classifier (image or text) or language model, as a run left it or as read back
/// from a run folder or an export. Immutable: share it as std::shared_ptr<const Model>; a new
/// run or a learning-rate sweep never changes it. Calls are synchronous; LibTorch models run
/// on the calling thread.
class Model
{
public:
    virtual ~Model() = default;

    virtual TaskKind kind() const = 0;
    virtual const QStringList &classes() const = 0;
    /// What it is (format, backbone or head, vocabulary, ...), for run folders and people.
    virtual QJsonObject describe() const = 0;

    /// Class probabilities per input, in order. An input that cannot be used (a file that does
    /// not decode, an empty text) gets an empty row and a message in `errors`.
    struct Scores
    {
        std::vector<std::vector<float>> probabilities;
        QStringList errors; ///< per input; empty string when it was scored
    };
    virtual core::Result<Scores> score(const std::vector<SampleRef> &inputs,
                                       const core::CancelToken &cancel = {},
                                       Observer *observer = nullptr) const = 0;

    /// Text models: the tokens of `text` as the model sees them, and how many of them it does
    /// not know. Others: empty.
    virtual QStringList tokenize(const QString &text, int *unknown = nullptr) const;
    /// Text models: occlusion of each token for `classIndex` (-1 = the predicted class).
    virtual core::Result<TokenContributions> explain(const QString &text, int classIndex) const;
    /// Image models trained in Graft: Grad-CAM for `classIndex` (-1 = the predicted class).
    virtual core::Result<GradCam> gradCam(const QString &file, int classIndex) const;

    /// Writes `format` ("torchscript" or "onnx") to `path` atomically, with model.json beside
    /// it. Only models trained in Graft export; the check is exports::exportModel's.
    virtual core::Status writeExport(const QString &path, const QString &format) const;
    /// Writes the weights of a run folder (safetensors) that loadModel() reads back.
    virtual core::Status saveWeights(const QString &path) const;

    /// The samples an export is checked on (its run's validation set) and this model's
    /// probabilities for them (empty: computed when needed).
    std::vector<SampleRef> checkSamples;
    std::vector<std::vector<float>> checkProbabilities;
};

using ModelPtr = std::shared_ptr<const Model>;

/// Top-k classes of each input.
core::Result<Predictions> predict(const Model &model,
                                  const std::vector<SampleRef> &inputs,
                                  int topK = 5,
                                  const core::CancelToken &cancel = {});

/// Scores labelled samples: `labels` index `sampleClasses`, matched to the model's classes by
/// name (a class the model does not know is an error). Unusable inputs are left out and
/// reported as Notice::Code::SkippedFile.
core::Result<Evaluation> evaluate(const Model &model,
                                  const std::vector<SampleRef> &samples,
                                  const std::vector<int> &labels,
                                  const QStringList &sampleClasses,
                                  const core::CancelToken &cancel = {},
                                  Observer *observer = nullptr);

} // namespace graft::learn
