#pragma once
// Internal: trained text classifiers (LibTorch).

#include "graft/learn/Model.h"
#include "graft/text/Tokenizer.h"
#include "graft/text/Vocabulary.h"

#include <torch/script.h>

#include <QJsonObject>

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace graft::text {

/// The classifier network as TorchScript: `tensors` registered as its parameters (shared, not
/// copied): "embedding" [vocab, dim]; "conv<i>_weight" and "conv<i>_bias" (CNN head);
/// "lstm_f_" and "lstm_b_" + kLstmParts (BiLSTM head, PyTorch gate order i, f, g, o); "fc_weight"
/// and "fc_bias". forward(ids, mask) -> logits, with dropout `dropout` before the linear layer
/// while training; predict_proba(ids). Training, scoring and the TorchScript export all run
/// this one forward.
torch::jit::Module textNetwork(learn::TextHead head,
                               const std::vector<std::pair<std::string, torch::Tensor>> &tensors,
                               double dropout);

/// A text classifier: tokenizer settings, vocabulary and the network as a TorchScript module
/// (the same code runs in Graft, in its exports and after loading them). Immutable.
class TextModel : public learn::Model
{
public:
    using Ids = std::vector<int64_t>;
    learn::TaskKind kind() const override { return learn::TaskKind::Text; }
    const QStringList &classes() const override { return m_classes; }
    QJsonObject describe() const override;
    core::Result<Scores> score(const std::vector<learn::SampleRef> &inputs,
                               const core::CancelToken &cancel,
                               learn::Observer *observer) const override;
    QStringList tokenize(const QString &text, int *unknown) const override;
    core::Result<learn::TokenContributions> explain(const QString &text,
                                                    int classIndex) const override;
    core::Status writeExport(const QString &path, const QString &format) const override;
    core::Status saveWeights(const QString &path) const override;

    /// Builds the model from a trained textNetwork (its tensors copied). `config` records how
    /// it was trained.
    static std::shared_ptr<TextModel> make(const torch::jit::Module &network,
                                           const Vocabulary &vocab,
                                           const Tokenizer::Options &tokenizer,
                                           const QStringList &classes,
                                           const learn::RunConfig &config);
    /// A TorchScript export read back (code: trusted files only): its module and the extra
    /// files writeExport stored (labels.json, vocab.txt, tokenizer.json, graft.json).
    static core::Result<learn::ModelPtr> fromTorchScript(torch::jit::Module module,
                                                         torch::jit::ExtraFilesMap &extra,
                                                         const QString &path);
    /// An ONNX export read back: the tokenizer, vocabulary, head and min_length from its
    /// model.json; `forward` gives the probabilities [1, classes] of one text's ids.
    static std::shared_ptr<TextModel> fromOnnx(const QJsonObject &modelJson,
                                               const QStringList &classes,
                                               std::function<torch::Tensor(const Ids &)> forward);
    /// A run folder's weights written by saveWeights.
    static core::Result<learn::ModelPtr> loadWeights(const QString &path);

private:
    /// Probabilities of each id sequence; nullopt when cancelled.
    std::optional<std::vector<std::vector<float>>> run(const std::vector<Ids> &seqs,
                                                       const core::CancelToken &cancel,
                                                       learn::Observer *observer) const;

    torch::jit::Module m_module; ///< forward(ids, mask) -> logits; predict_proba(ids)
    std::function<torch::Tensor(const Ids &)> m_onnx; ///< set when read back from ONNX
    Vocabulary m_vocab;
    Tokenizer::Options m_tokenizer; ///< maxTokens = the length cap used in training
    QStringList m_classes;
    learn::TextHead m_head = learn::TextHead::MeanMax;
    int m_minLength = 1; ///< texts are padded to this many ids (the widest CNN kernel)
    QJsonObject m_meta;  ///< graft.json
};

/// Names of the four tensors of an LSTM direction, in torch.lstm's order.
inline constexpr const char *kLstmParts[] = {"w_ih", "w_hh", "b_ih", "b_hh"};

} // namespace graft::text
