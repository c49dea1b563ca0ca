#pragma once

#include "graft/core/Cancellation.h"
#include "graft/core/Result.h"
#include "graft/text/TextDataset.h"
#include "graft/text/Tokenizer.h"
#include "graft/train/Trainer.h"
#include "graft/train/TrainingTypes.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <vector>

namespace graft::text {

class TextClassifier;
class WordVectors;

/// Classifier head on top of the word embeddings.
enum class TextHead {
    MeanMax, ///< masked mean and max pooling, concatenated, then dropout + linear
    Cnn,     ///< Kim (2014): 1-d convolutions of several widths, ReLU, max over time, linear
    BiLstm,  ///< bidirectional LSTM, masked mean and max of its states, dropout + linear
};
const char *textHeadName(TextHead head); ///< "mean-max", "cnn", "bilstm"
bool parseTextHead(const QString &text, TextHead *out);

/// Everything that defines a text training run.
struct TextTrainingConfig
{
    QString dataPath; ///< folder or file for scanTextDataset()
    TextScanOptions scan;
    Tokenizer::Options tokenizer;
    QString vectorsPath;    ///< GloVe/word2vec/fastText vectors; empty = random init
    /// A language model from trainLanguageModel(): the classifier starts from its tokenizer,
    /// embedding and LSTM (BiLSTM head, forward direction), unfreezing them gradually.
    QString languageModelPath;
    int maxVectorWords = 0; ///< 0 = all words of the vector file
    int embeddingDim = 100; ///< used when there are no vectors
    bool freezeEmbeddings = false;
    double embeddingLrFactor = 1.0; ///< embeddings train at lr * factor (when not frozen)
    TextHead head = TextHead::MeanMax;
    int cnnFilters = 100;
    QList<int> cnnKernelSizes = {3, 4, 5};
    int lstmHidden = 100; ///< units per direction of the BiLSTM head
    /// > 0: learn byte-pair-encoding merges (at most this many pieces) from the training
    /// texts and classify subword pieces instead of words (exported with the model).
    int subwordVocab = 0;
    int minFrequency = 1;
    int maxVocabulary = 50000;
    int maxTokens = 400; ///< longer texts are cut
    int epochs = 10;
    int batchSize = 32;
    double learningRate = 3e-3;
    double weightDecay = 1e-2;
    double dropout = 0.3;
    train::Schedule schedule = train::Schedule::OneCycle;
    double warmupFraction = 0.25;
    double valFraction = 0.2;      ///< when the data has no val split
    int earlyStoppingPatience = 0; ///< 0 = off; epochs without val-loss improvement
    bool restoreBest = true;       ///< keep the weights of the epoch with the lowest val loss
    int seed = 42;
    int threads = 0; ///< 0 = all cores
    /// When set, checkpoint.safetensors is written here after every epoch; with `resume`, a
    /// run continues after the epoch the checkpoint holds (same data and settings only).
    QString checkpointDir;
    bool resume = false;

    QJsonObject toJson() const;
    static TextTrainingConfig fromJson(const QJsonObject &json);
};

/// Callbacks, called on the training thread. Either may be empty.
struct TextTrainingObserver
{
    std::function<void(const train::BatchEvent &)> onBatch;
    std::function<void(const train::EpochMetrics &)> onEpoch;
    std::function<void(const QString &)> onMessage; ///< notices: resumed, checkpoint not saved
};

/// A validation text the model got wrong.
struct MisclassifiedText
{
    QString file;
    int line = 0;
    QString text;
    int trueLabel = 0;
    int predicted = 0;
    double probability = 0; ///< of the predicted class
    double loss = 0;        ///< cross-entropy of the true class
};

/// Accuracy, loss, confusion matrix (rows true, columns predicted) and mistakes by loss.
struct TextEvaluation
{
    double accuracy = 0;
    double loss = 0;
    std::vector<std::vector<int>> confusion;
    std::vector<train::ClassMetrics> perClass;    ///< precision, recall, F1, support
    std::vector<MisclassifiedText> misclassified; ///< highest loss first

    QJsonObject toJson(const QStringList &classes) const;
};

/// Outcome of one training run.
struct TextTrainingReport
{
    QStringList classes;
    std::vector<train::EpochMetrics> epochs;
    int bestEpoch = 0;
    double valAccuracy = 0; ///< of the weights kept (best epoch or last)
    TextEvaluation evaluation;
    int trainCount = 0;
    int valCount = 0;
    int vocabularySize = 0;
    double vectorCoverage = 0; ///< fraction of vocabulary tokens found in the vectors
    double seconds = 0;
    TextTrainingConfig config;
    /// The trained classifier (the kept weights): predict, explain, export. Null on failure.
    std::shared_ptr<const TextClassifier> model;

    /// kind "text", val_accuracy, best_epoch, epochs [{epoch,train_loss,val_loss,
    /// val_accuracy,seconds}], confusion, classes, misclassified [{file,true,predicted,prob}].
    QJsonObject toJson() const;
};

/// Builds an evaluation from per-text class probabilities: `rows[i]` indexes `data.samples`,
/// `labels[i]` is its class in the model's numbering and `probs[i]` the model's output.
TextEvaluation buildTextEvaluation(const TextDataset &data,
                                   const std::vector<int> &rows,
                                   const std::vector<int> &labels,
                                   const std::vector<std::vector<float>> &probs);

/// Training and validation indices of a dataset: its own train/val split when it has both,
/// else a seeded stratified split of the train and unsplit texts (`valFraction` to val).
struct TextSplit
{
    std::vector<int> train, val;
};
TextSplit splitTextDataset(const TextDataset &data, double valFraction, int seed);

/// Trains on `trainIdx` and evaluates on `valIdx` (indices into `data.samples`).
/// `vectors` may be null (random embeddings). Checks `cancel` between batches.
core::Result<TextTrainingReport> trainTextClassifier(const TextDataset &data,
                                                     const std::vector<int> &trainIdx,
                                                     const std::vector<int> &valIdx,
                                                     const TextTrainingConfig &config,
                                                     const WordVectors *vectors,
                                                     const TextTrainingObserver &observer = {},
                                                     const core::CancelToken &cancel = {});

/// Learning-rate finder for a text configuration (fastai's lr_find): trains a fresh network
/// on `trainIdx` for up to 100 batches while the rate grows from 1e-6 to 1, and returns the
/// smoothed loss curve and a suggested rate. Batches are reported with phase "lr-finder".
core::Result<train::LrFinderResult> findTextLearningRate(const TextDataset &data,
                                                         const std::vector<int> &trainIdx,
                                                         const TextTrainingConfig &config,
                                                         const WordVectors *vectors,
                                                         const TextTrainingObserver &observer = {},
                                                         const core::CancelToken &cancel = {});

/// Scans config.dataPath, loads config.vectorsPath, splits (the data's own train/val split
/// when present, else a seeded stratified valFraction split) and trains.
core::Result<TextTrainingReport> runTextTraining(const TextTrainingConfig &config,
                                                 const TextTrainingObserver &observer = {},
                                                 const core::CancelToken &cancel = {});

/// One fold of a cross-validation: the model and the bag-of-words baseline on the same texts.
struct TextFoldResult
{
    int fold = 0; ///< 1-based
    int trainCount = 0;
    int valCount = 0;
    double accuracy = 0;         ///< the configured model, last epoch (no selection on the fold)
    double baselineAccuracy = 0; ///< bag-of-words TF-IDF logistic regression
    double seconds = 0;
};

/// k-fold cross-validation of a text configuration against the bag-of-words baseline.
struct TextCrossValidation
{
    int folds = 0;
    std::vector<TextFoldResult> results;
    double meanAccuracy = 0, stdAccuracy = 0;         ///< over folds (population std)
    double meanBaselineAccuracy = 0, stdBaselineAccuracy = 0;
    int samples = 0;
    double vectorCoverage = 0; ///< of the first fold's vocabulary
    TextTrainingConfig config;

    /// kind "text", cross_validation {folds, accuracy_mean, accuracy_std, baseline {...},
    /// per_fold [{fold, train, val, accuracy, baseline_accuracy, seconds}]}, config.
    QJsonObject toJson() const;
};

/// Scans config.dataPath, loads config.vectorsPath once, pools every text (ignoring any
/// train/val folders), makes `folds` seeded stratified folds and, per fold, trains the
/// configured model (all epochs; the held-out fold is not used to pick an epoch) and the
/// bag-of-words logistic regression. `onFold` is called after each fold.
core::Result<TextCrossValidation>
crossValidateText(const TextTrainingConfig &config, int folds,
                  const TextTrainingObserver &observer = {},
                  const std::function<void(const TextFoldResult &)> &onFold = {},
                  const core::CancelToken &cancel = {});

} // namespace graft::text
