#pragma once

#include "graft/core/Cancellation.h"
#include "graft/core/Result.h"
#include "graft/vision/Preprocessing.h"
#include "graft/vision/ScanReport.h"
#include "graft/train/Trainer.h"

#include <QJsonObject>
#include <QStringList>

#include <memory>
#include <vector>

namespace graft::train {

/// Predictions with the label names they refer to.
struct LabelledPredictions
{
    QStringList labels;
    std::vector<Prediction> predictions;
};

/// A classifier exported by Graft as TorchScript (labels and preprocessing ride along as extra
/// files). TorchScript is code: load only files the user explicitly chose to trust.
class ExportedModel
{
public:
    static core::Result<ExportedModel> load(const QString &path);

    const QStringList &classes() const;
    const vision::Preprocessing &preprocessing() const;
    const QJsonObject &metadata() const;

    core::Result<std::vector<Prediction>> predict(const QStringList &files, int topK = 5) const;
    /// Evaluates labelled samples whose labels index `sampleClasses`; classes are matched to
    /// the model's by name (a class the model does not know is an error).
    core::Result<Evaluation> evaluate(const std::vector<vision::Sample> &samples,
                                      const QStringList &sampleClasses,
                                      const core::CancelToken &cancel = {}) const;

private:
    struct Impl;
    std::shared_ptr<Impl> d;
};

/// ImageNet-style predictions from a backbone's own classifier (e.g. the 1001-way MobileNetV2).
core::Result<LabelledPredictions> predictWithBackbone(const QString &backboneId,
                                                      const QString &weightsDir,
                                                      const QStringList &files, int topK = 5);

} // namespace graft::train
