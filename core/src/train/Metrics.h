#pragma once

#include "graft/train/Trainer.h"

namespace graft::train {

/// Builds an Evaluation from per-sample class probabilities (rows sum to 1) and true labels.
Evaluation computeEvaluation(const std::vector<std::vector<float>> &probabilities,
                             const std::vector<int> &labels, const QStringList &files,
                             int classCount);

} // namespace graft::train
