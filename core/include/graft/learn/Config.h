#pragma once

#include "graft/text/TextDataset.h"
#include "graft/text/Tokenizer.h"
#include "graft/vision/FreezePlan.h"
#include "graft/vision/Preprocessing.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace graft::learn {

/// What a run learns: an image classifier, a text classifier, or a language model on
/// unlabelled text (ULMFiT's first step).
enum class TaskKind { Image, Text, LanguageModel };
enum class Schedule { OneCycle, Cosine, Constant };
/// What picks the kept epoch and drives early stopping, the same rule for every task.
enum class Monitor { ValAccuracy, ValLoss };
enum class OptimizerKind { AdamW, Sgd };
enum class Recipe {
    FeatureExtractor, ///< frozen backbone, head only (features cached)
    FineTune,         ///< head first, then the top `fineTuneGroups` groups (fastai fine_tune)
    Full,             ///< head first, then everything with discriminative rates
    GradualUnfreeze,  ///< ULMFiT: unfreeze one more group per epoch
};
enum class ImageHead { Linear, Mlp };
enum class TextHead {
    MeanMax, ///< masked mean and max pooling, concatenated, then dropout + linear
    Cnn,     ///< Kim (2014): 1-d convolutions of several widths, ReLU, max over time, linear
    BiLstm,  ///< bidirectional LSTM, masked mean and max of its states, dropout + linear
};

/// Stable names ("image", "one-cycle", "val_accuracy", "fine-tune", "mlp", "bilstm", ...) and
/// their parsers (false for an unknown name; old names such as "cosine-warmup" are accepted).
const char *nameOf(TaskKind value);
const char *nameOf(Schedule value);
const char *nameOf(Monitor value);
const char *nameOf(OptimizerKind value);
const char *nameOf(Recipe value);
const char *nameOf(ImageHead value);
const char *nameOf(TextHead value);
bool parse(const QString &name, TaskKind *out);
bool parse(const QString &name, Schedule *out);
bool parse(const QString &name, Monitor *out);
bool parse(const QString &name, OptimizerKind *out);
bool parse(const QString &name, Recipe *out);
bool parse(const QString &name, ImageHead *out);
bool parse(const QString &name, TextHead *out);

/// The learning-rate factor (of the maximum rate) at 0-based `step` of `total`, as fastai's
/// ParamScheduler computes it from pos = step / total:
/// one-cycle = combined_cos(warmup, 1/25, 1, 1/1e5); cosine = linear warm-up from 0 to 1 over
/// the warm-up share, then cosine to 0; constant = 1.
double scheduleFactor(Schedule schedule, double warmupFraction, qint64 step, qint64 total);

/// Image-classifier settings (backbone and head).
struct ImageSettings
{
    bool pretrained = true;
    Recipe recipe = Recipe::FeatureExtractor;
    int cutAt = 0;          ///< 0 = all groups
    int fineTuneGroups = 2; ///< for Recipe::FineTune
    int headEpochs = 4;     ///< fine-tune, full, gradual: head-only epochs first
    ImageHead head = ImageHead::Linear;
    int mlpHidden = 256;
    double dropout = 0.2;
    double unfrozenLrFactor = 0.5; ///< rate of the unfrozen stage after a head-only stage
    double backboneLrFactor = 0.1; ///< backbone groups train at lr * factor * group multiplier
    /// Batch size of passes without gradients (features, evaluation, export checks): on 2 cores
    /// MobileNetV2 features ran 1.35x faster at 8 than at 32, with a third of the page faults.
    int inferenceBatchSize = 8;
    bool augment = false;
    int augmentViews = 2; ///< cached augmented views per image (feature extractor)
    vision::Augmentation augmentation;
    bool useFeatureCache = true;
    QString cacheDir; ///< empty = QStandardPaths cache
    /// A plan edited by hand; replaces the recipe's plan for the epochs that train the backbone.
    std::optional<vision::FreezePlan> customPlan;
};

/// The CNN head's default filter widths (out of line: GCC 12 warns on the inline list).
QList<int> defaultCnnKernelSizes();

/// Text-classifier and language-model settings.
struct TextSettings
{
    text::TextScanOptions scan; ///< columns of CSV/TSV data
    text::Tokenizer::Options tokenizer;
    QString
        vectorsPath; ///< GloVe/word2vec/fastText vectors; empty = random (or RunConfig::backboneId)
    /// A language model (TaskKind::LanguageModel's output): the classifier starts from its
    /// tokenizer, embedding and LSTM (BiLSTM head, forward direction), unfrozen gradually.
    QString languageModelPath;
    int maxVectorWords = 0; ///< 0 = all words of the vector file
    int embeddingDim = 100; ///< used when there are no vectors
    bool freezeEmbeddings = false;
    double embeddingLrFactor = 1.0;
    TextHead head = TextHead::MeanMax;
    int cnnFilters = 100;
    QList<int> cnnKernelSizes = defaultCnnKernelSizes(); ///< {3, 4, 5}
    int lstmHidden = 100; ///< units per direction (BiLSTM head), or of the language model
    int subwordVocab = 0; ///< > 0: byte-pair pieces learnt from the training texts
    int minFrequency = 1;
    int maxVocabulary = 50000;
    int maxTokens = 400; ///< longer texts are cut
    double dropout = 0.3;
    int bptt = 50;           ///< language model: tokens per truncated back-propagation window
    double weightDrop = 0.3; ///< language model: DropConnect on the hidden-to-hidden weights
};

/// Everything that defines a run, for every task. The loop's settings mean the same for all
/// tasks; `image` and `text` hold what only one task reads. The CLI and the GUI both build this.
struct RunConfig
{
    TaskKind kind = TaskKind::Image;
    QString dataPath;         ///< dataset folder or file (language model: first text source)
    QStringList extraSources; ///< language model: more text sources
    /// Image: backbone id. Text: a catalogue word-vectors id, loaded as vectorsPath would be.
    QString backboneId;
    QString weightsDir; ///< where catalogue files are looked up (empty = the default folder)

    int epochs = 10;
    int batchSize = 32;
    double learningRate = 1e-2; ///< maximum rate; <= 0 = run the learning-rate finder first
    double weightDecay = 1e-2;  ///< on weights with more than one dimension
    OptimizerKind optimizer = OptimizerKind::AdamW;
    double momentum = 0.9;
    Schedule schedule = Schedule::OneCycle;
    double warmupFraction = 0.25;
    Monitor monitor = Monitor::ValAccuracy;
    int patience = 0; ///< early stopping: epochs without improvement of `monitor`; 0 = off
    double labelSmoothing = 0;
    bool balancedClassWeights = false;
    double valFraction = 0.2; ///< when the data has no validation split of its own
    int seed = 42; ///< initial weights, shuffles, augmentation (and the split, unless splitSeed)
    int splitSeed = -1; ///< seed of that split; -1 = seed
    int effectiveSplitSeed() const { return splitSeed >= 0 ? splitSeed : seed; }
    int threads = 0; ///< 0 = all cores
    /// "auto" (CUDA when this LibTorch has it and a GPU is visible), "cpu", "cuda", "cuda:N".
    QString device = QStringLiteral("auto");
    QString checkpointDir;       ///< empty = no checkpoints
    bool resume = false;         ///< continue after the epoch the checkpoint holds
    QString runsDir;             ///< where the run folder goes; empty = defaultRunsDir()
    qint64 injectNanAtStep = -1; ///< testing aid: poison the loss at this global step

    ImageSettings image;
    TextSettings text;

    /// The defaults for `kind` (text: lr 3e-3; language model: 4 epochs, min frequency 2, ...).
    static RunConfig defaults(TaskKind kind);

    /// Flat keys for the loop and image settings (as projects always stored them), "text": {...}.
    QJsonObject toJson() const;
    /// Missing keys keep the defaults of the kind in the JSON.
    static RunConfig fromJson(const QJsonObject &json);
};

/// $GRAFT_RUNS_DIR, else ~/.local/share/graft/runs (the same for the GUI and the CLI).
QString defaultRunsDir();

} // namespace graft::learn
