#pragma once
// Internal: trained text classifiers (LibTorch).

#include "graft/learn/Model.h"
#include "graft/text/Tokenizer.h"
#include "graft/text/Vocabulary.h"

#include <torch/script.h>

#include <QJsonObject>
#include <QList>

#include <cstdint>
#include <optional>
#include <vector>

namespace graft::text {

/// A trained network's tensors, as the classifier network holds them.
struct TextNetTensors
{
    torch::Tensor embedding; ///< [vocab, dim]
    std::vector<torch::Tensor> convWeights, convBiases;
    /// BiLSTM head: forward then backward direction, each {w_ih, w_hh, b_ih, b_hh}
    /// (PyTorch gate order i, f, g, o).
    std::vector<std::vector<torch::Tensor>> lstm;
    torch::Tensor fcWeight, fcBias;
};

/// A text classifier: tokenizer settings, vocabulary and the network as a TorchScript module
/// (the same code runs in Graft, in its exports and after loading them). Immutable.
class TextModel : public learn::Model
{
public:
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

    /// Builds the model from trained tensors (copied). `config` records how it was trained.
    static std::shared_ptr<TextModel> make(const TextNetTensors &tensors,
                                           const Vocabulary &vocab,
                                           const Tokenizer::Options &tokenizer,
                                           const QStringList &classes,
                                           const learn::RunConfig &config);
    /// A TorchScript file written by writeExport (code: trusted files only).
    static core::Result<learn::ModelPtr> loadTorchScript(const QString &path);
    /// A run folder's weights written by saveWeights.
    static core::Result<learn::ModelPtr> loadWeights(const QString &path);
    /// True when `path` is a TorchScript archive holding a Graft text model (reads its
    /// directory only).
    static bool isTextTorchScript(const QString &path);

private:
    std::vector<int64_t> encode(const QStringList &tokens) const;
    /// Probabilities of each id sequence; nullopt when cancelled.
    std::optional<std::vector<std::vector<float>>>
    run(const std::vector<std::vector<int64_t>> &seqs, const core::CancelToken &cancel) const;

    torch::jit::Module m_module; ///< forward(ids, mask) -> logits; predict_proba(ids)
    Vocabulary m_vocab;
    Tokenizer::Options m_tokenizer; ///< maxTokens = the length cap used in training
    QStringList m_classes;
    learn::TextHead m_head = learn::TextHead::MeanMax;
    QList<int> m_kernelSizes;
    int m_minLength = 1; ///< texts are padded to this many ids (the widest CNN kernel)
    QJsonObject m_meta;  ///< graft.json
};

/// Names of the four tensors of an LSTM direction (TextNetTensors::lstm order).
inline constexpr const char *kLstmParts[] = {"w_ih", "w_hh", "b_ih", "b_hh"};

/// Compact JSON text of an object or array, as model-file metadata stores it.
QString compactJson(const QJsonValue &v);
/// The object or array that compactJson wrote.
QJsonValue parseJson(const QString &text);

} // namespace graft::text
