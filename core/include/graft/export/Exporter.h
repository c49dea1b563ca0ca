#pragma once

#include "graft/core/Cancellation.h"
#include "graft/core/Result.h"
#include "graft/learn/Model.h"

#include <QJsonObject>
#include <QString>

namespace graft::exports {

/// Exports `model` to `path` - ".onnx" writes ONNX (opset 13), anything else TorchScript - with
/// its model.json beside it, both atomically; then loads the written file with loadModel(),
/// the loader `predict` and `eval` use, and compares it with `model` on model.checkSamples:
/// top-1 agreement and the largest probability difference. Reports Phase::Export and
/// Phase::ExportCheck.
core::Result<learn::ExportCheck> exportModel(const learn::Model &model,
                                             const QString &path,
                                             const core::CancelToken &cancel = {},
                                             learn::Observer *observer = nullptr);

/// Loads a model for prediction and evaluation: a run folder, a TorchScript export (.pt,
/// image or text) or an ONNX export (.onnx, run by OpenCV DNN, with the NAME.onnx.json written
/// beside it). TorchScript files are code: load only files the user trusts.
core::Result<learn::ModelPtr> loadModel(const QString &path);

/// A backbone's own classifier (e.g. MobileNetV2's ImageNet classes), with the labels file
/// from the weights folder.
core::Result<learn::ModelPtr> loadBackboneClassifier(const QString &backboneId,
                                                     const QString &weightsDir);

/// The model.json written beside an export: "dir/ants.pt" -> "dir/ants.json",
/// "dir/ants.onnx" -> "dir/ants.onnx.json".
QString modelJsonPath(const QString &modelPath);

/// Writes model.json beside `modelPath`: the common fields (format, version, model file and
/// format, Graft version, labels) and the model's own `fields`.
core::Status writeModelJson(const QString &modelPath,
                            const QString &format,
                            const QStringList &labels,
                            const QJsonObject &fields);

} // namespace graft::exports
