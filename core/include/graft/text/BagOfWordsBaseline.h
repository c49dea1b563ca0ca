#pragma once

#include "graft/core/Cancellation.h"
#include "graft/core/Result.h"
#include "graft/learn/Results.h"
#include "graft/text/TextDataset.h"
#include "graft/text/Tokenizer.h"

#include <vector>

namespace graft::text {

/// Multinomial logistic regression on TF-IDF of the words `tokenizer` gives (smooth idf,
/// sublinear tf, L2-normalised rows), L2-regularised as scikit-learn's C = 1, trained in plain
/// C++ (convex: 300 full-batch accelerated gradient steps, to near the optimum). Trains on
/// `trainIdx`, evaluates on `valIdx`.
core::Result<learn::Evaluation> evaluateBagOfWords(const TextDataset &data,
                                                   const std::vector<int> &trainIdx,
                                                   const std::vector<int> &valIdx,
                                                   const Tokenizer::Options &tokenizer,
                                                   const core::CancelToken &cancel = {});

} // namespace graft::text
