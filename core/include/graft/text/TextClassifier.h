#pragma once

#include "graft/core/Cancellation.h"
#include "graft/core/Result.h"
#include "graft/text/TextTraining.h"
#include "graft/text/Tokenizer.h"
#include "graft/train/Trainer.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <utility>
#include <vector>

namespace graft::text {

/// How much one token of a text pushed a prediction: the drop of the class log-probability
/// when the token is left out (occlusion). Negative weights argue against the class.
struct TokenContribution
{
    QString token;
    double weight = 0;
};

/// Top classes of one text.
struct TextPrediction
{
    QString source;                         ///< file name, or the text itself
    std::vector<std::pair<int, float>> top; ///< class index and probability, best first
    int tokens = 0;                         ///< tokens fed to the model (after the length cap)
    int unknownTokens = 0;                  ///< of those, tokens outside the vocabulary
    QString error;                          ///< non-empty when the input could not be used
};

/// A trained text classifier: tokenizer settings, vocabulary and network, as produced by
/// trainTextClassifier() or read back from a TorchScript file it exported. Immutable and
/// cheap to copy (shared). Calls are synchronous; use one thread at a time.
class TextClassifier
{
public:
    TextClassifier();

    /// Reads a text model exported by exportTorchScript(). TorchScript is code: load only
    /// files the user chose to trust.
    static core::Result<TextClassifier> load(const QString &path);
    /// True when `path` is a TorchScript archive holding a Graft text model (reads only the
    /// archive's directory).
    static bool isTextModel(const QString &path);

    bool isValid() const;
    const QStringList &classes() const;
    const Tokenizer::Options &tokenizerOptions() const; ///< maxTokens included
    TextHead head() const;
    int vocabularySize() const;
    /// graft.json of the export: format, version, head, config.
    const QJsonObject &metadata() const;

    /// Tokens of `text` as the model sees them (tokenizer settings and length cap applied).
    QStringList tokenize(const QString &text) const;
    /// Class probabilities of each text, in the order of `texts`.
    core::Result<std::vector<std::vector<float>>>
    probabilities(const QStringList &texts, const core::CancelToken &cancel = {}) const;
    /// Top-k classes of each text; `sources` (same length or empty) names them in the result.
    core::Result<std::vector<TextPrediction>>
    predict(const QStringList &texts, int topK = 5, const QStringList &sources = {}) const;
    /// Occlusion: for each token, the drop of the log-probability of `classIndex` (-1 = the
    /// predicted class) when that token is removed. One entry per token, in text order.
    core::Result<std::vector<TokenContribution>> explain(const QString &text,
                                                         int classIndex = -1) const;
    /// Accuracy, loss, confusion and mistakes on `indices` of `data`; the data's classes are
    /// matched to the model's by name (an unknown class is an error).
    core::Result<TextEvaluation> evaluate(const TextDataset &data,
                                          const std::vector<int> &indices,
                                          const core::CancelToken &cancel = {}) const;

    /// Writes TorchScript (forward(ids int64 [B,T], mask float [B,T]) -> logits;
    /// predict_proba(ids)) with labels.json, vocab.txt, tokenizer.json and graft.json as extra
    /// files, atomically, plus model.json beside it; then reloads the file and compares its
    /// probabilities with the trained network's on the validation texts.
    core::Result<train::ExportCheck> exportTorchScript(const QString &path,
                                                       const core::CancelToken &cancel = {}) const;
    /// Writes ONNX (opset 13, one file): input "ids" float [T, 1] (token ids of one text),
    /// outputs "logits" and "probabilities" [1, classes]; verified with OpenCV DNN on the
    /// validation texts. The embedding lookup is a one-hot product (OpenCV 4.6 reads no
    /// Gather with run-time indices), so the cost grows with vocabulary x length.
    core::Result<train::ExportCheck> exportOnnx(const QString &path,
                                                const core::CancelToken &cancel = {}) const;

    struct Impl;
    explicit TextClassifier(std::shared_ptr<const Impl> impl);

private:
    std::shared_ptr<const Impl> d;
};

} // namespace graft::text
