#pragma once
// Internal: the text tasks of the one loop.

#include "graft/text/TextDataset.h"
#include "graft/text/WordVectors.h"
#include "learn/Learner.h"

#include <memory>
#include <vector>

namespace graft::text {

/// The text classifier on `trainIdx`, validated on `valIdx` (indices into data->samples).
/// `vectors` may be given already loaded (cross-validation loads them once).
std::unique_ptr<learn::TrainTask> makeTextTask(const learn::RunConfig &config,
                                               std::shared_ptr<const TextDataset> data,
                                               std::vector<int> trainIdx,
                                               std::vector<int> valIdx,
                                               learn::Observer *observer,
                                               std::shared_ptr<const WordVectors> vectors = {});

/// The language model on config.dataPath and config.extraSources (labels ignored).
std::unique_ptr<learn::TrainTask> makeLanguageModelTask(const learn::RunConfig &config,
                                                        learn::Observer *observer);

/// k folds of `config` against the bag-of-words baseline (learn::crossValidate).
core::Result<learn::CrossValidation> crossValidateTexts(const learn::RunConfig &config,
                                                        std::shared_ptr<const TextDataset> data,
                                                        int folds,
                                                        learn::Observer *observer,
                                                        const core::CancelToken &cancel);

} // namespace graft::text
