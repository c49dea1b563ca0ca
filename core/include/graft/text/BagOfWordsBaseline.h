#pragma once

#include "graft/core/Cancellation.h"
#include "graft/core/Result.h"
#include "graft/learn/Results.h"
#include "graft/text/TextDataset.h"
#include "graft/text/Tokenizer.h"

#include <vector>

namespace graft::text {

/// Options of the bag-of-words logistic-regression baseline.
struct BagOfWordsOptions
{
    Tokenizer::Options tokenizer;
    bool tfidf = true; ///< smooth idf, sublinear tf, L2-normalised rows; else counts
    bool bigrams = false;
    int minFrequency = 1; ///< in training documents
    /// Two classes only: scale each feature by its naive-Bayes log-count ratio (NBSVM-style,
    /// Wang & Manning 2012) before the L2 row normalisation.
    bool naiveBayesWeighting = false;
    double c = 1.0;       ///< inverse L2 strength, as scikit-learn's C
    int iterations = 300; ///< full-batch accelerated gradient steps
};

/// Multinomial logistic regression on word counts or TF-IDF, L2-regularised, trained in
/// plain C++ (convex: accelerated gradient descent to near the optimum). Trains on
/// `trainIdx`, evaluates on `valIdx`.
core::Result<learn::Evaluation> evaluateBagOfWords(const TextDataset &data,
                                                   const std::vector<int> &trainIdx,
                                                   const std::vector<int> &valIdx,
                                                   const BagOfWordsOptions &options = {},
                                                   const core::CancelToken &cancel = {});

} // namespace graft::text
