#pragma once

#include "graft/core/Cancellation.h"
#include "graft/core/Result.h"
#include "graft/text/Tokenizer.h"
#include "graft/train/TrainingTypes.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

namespace graft::text {

/// ULMFiT's first step: a word-level LSTM language model (AWD-LSTM style: DropConnect on the
/// hidden-to-hidden weights, embedding and output dropout, decoder tied to the embedding)
/// trained on unlabelled text. It is saved to a file and reused by any number of classifiers
/// (TextTrainingConfig::languageModelPath), which start from its embedding and LSTM.
struct LanguageModelConfig
{
    /// Where the text comes from: labelled datasets (folders of class folders, CSV/TSV: labels
    /// are ignored) and folders or files of unlabelled text (.txt files, read recursively).
    QStringList sources;
    Tokenizer::Options tokenizer;
    QString vectorsPath;    ///< optional pretrained word vectors to start the embedding from
    int maxVectorWords = 0; ///< 0 = all words of the vector file
    int embeddingDim = 100; ///< without vectors
    int hidden = 100;       ///< LSTM units (the classifier's BiLSTM uses the same)
    int minFrequency = 2;
    int maxVocabulary = 30000;
    int bptt = 50; ///< tokens per truncated back-propagation window
    int batchSize = 32;
    int epochs = 4;
    double learningRate = 3e-3;
    double weightDecay = 1e-2;
    double dropout = 0.2;    ///< on embeddings and LSTM outputs
    double weightDrop = 0.3; ///< DropConnect on the hidden-to-hidden weights
    double valFraction = 0.1; ///< texts held out for perplexity
    int seed = 42;
    int threads = 0;

    QJsonObject toJson() const;
};

struct LanguageModelEpoch
{
    int epoch = 0;
    double trainLoss = 0;     ///< mean next-word cross-entropy (nats)
    double valLoss = 0;
    double valPerplexity = 0; ///< exp(valLoss)
    double seconds = 0;
};

struct LanguageModelReport
{
    QString path; ///< the saved model
    std::vector<LanguageModelEpoch> epochs;
    int texts = 0;
    qint64 trainTokens = 0;
    qint64 valTokens = 0;
    int vocabularySize = 0;
    double vectorCoverage = 0;
    /// Perplexity of the held-out words under training word frequencies alone (add-one
    /// smoothed): what a model that ignores context scores. The LSTM must do better.
    double unigramPerplexity = 0;
    QStringList warnings; ///< files that could not be read (named), skipped
    double seconds = 0;
    LanguageModelConfig config;

    /// kind "language-model", path, texts, train_tokens, val_tokens, vocabulary_size,
    /// unigram_perplexity, epochs [{epoch, train_loss, val_loss, val_perplexity, seconds}].
    QJsonObject toJson() const;
};

struct LanguageModelObserver
{
    std::function<void(const train::BatchEvent &)> onBatch;
    std::function<void(const LanguageModelEpoch &)> onEpoch;
};

/// Trains the language model and writes it atomically to `outPath` (safetensors with the
/// vocabulary and tokenizer settings in its metadata). Checks `cancel` between batches; a
/// cancelled run writes nothing.
core::Result<LanguageModelReport> trainLanguageModel(const LanguageModelConfig &config,
                                                     const QString &outPath,
                                                     const LanguageModelObserver &observer = {},
                                                     const core::CancelToken &cancel = {});

/// What a saved language model says about itself (metadata only; checks the file's format).
struct LanguageModelInfo
{
    int vocabularySize = 0;
    int embeddingDim = 0;
    int hidden = 0;
    Tokenizer::Options tokenizer;
    QJsonObject metadata;
};
core::Result<LanguageModelInfo> readLanguageModelInfo(const QString &path);

} // namespace graft::text
