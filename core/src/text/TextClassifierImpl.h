#pragma once
// Internal: what a TextClassifier holds. Includes LibTorch; only text .cpp files use it.

#include "graft/text/TextClassifier.h"
#include "graft/text/Vocabulary.h"

#include <torch/script.h>

#include <QJsonObject>
#include <QList>

#include <cstdint>
#include <vector>

namespace graft::text {

/// The trained network's tensors, as TextNet holds them.
struct TextNetTensors
{
    torch::Tensor embedding; ///< [vocab, dim]
    std::vector<torch::Tensor> convWeights, convBiases;
    /// BiLSTM head: forward then backward direction, each {w_ih, w_hh, b_ih, b_hh}
    /// (PyTorch gate order i, f, g, o).
    std::vector<std::vector<torch::Tensor>> lstm;
    torch::Tensor fcWeight, fcBias;
};

struct TextClassifier::Impl
{
    torch::jit::Module module; ///< forward(ids, mask) -> logits; predict_proba(ids)
    Vocabulary vocab;
    Tokenizer::Options tokenizer; ///< maxTokens = the length cap used in training
    QStringList classes;
    TextHead head = TextHead::MeanMax;
    QList<int> kernelSizes;
    int lstmHidden = 0;
    int minLength = 1; ///< texts are padded to this many ids (the widest CNN kernel)
    QJsonObject meta;  ///< graft.json
    /// For export checks: validation texts as ids, and the trained network's probabilities.
    std::vector<std::vector<int64_t>> checkIds;
    std::vector<std::vector<float>> checkProbs;
};

/// Builds the classifier from trained tensors (copied). `config` records how it was trained.
TextClassifier makeTextClassifier(const TextNetTensors &tensors,
                                  const Vocabulary &vocab,
                                  const Tokenizer::Options &tokenizer,
                                  const QStringList &classes,
                                  const TextTrainingConfig &config,
                                  std::vector<std::vector<int64_t>> checkIds,
                                  std::vector<std::vector<float>> checkProbs);

} // namespace graft::text
