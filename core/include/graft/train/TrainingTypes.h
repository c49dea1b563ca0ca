#pragma once

#include "graft/core/Result.h"
#include "graft/vision/Preprocessing.h"
#include "graft/vision/FreezePlan.h"

#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace graft::train {

enum class Recipe {
    FeatureExtractor, ///< frozen backbone, head only (features cached)
    FineTune,         ///< head first, then the top `fineTuneGroups` groups (fastai fine_tune)
    Full,             ///< head first, then everything with discriminative rates
    GradualUnfreeze,  ///< ULMFiT: unfreeze one more group per epoch
};
const char *recipeName(Recipe recipe); ///< "feature-extractor", "fine-tune", "full", "gradual"
bool parseRecipe(const QString &text, Recipe *out);

enum class Schedule { OneCycle, CosineWarmup, Constant };
const char *scheduleName(Schedule schedule);
bool parseSchedule(const QString &text, Schedule *out);

enum class OptimizerKind { AdamW, Sgd };

enum class HeadKind { Linear, Mlp };

/// Everything that defines a training run (JSON round-trips into projects and reports).
struct TrainingConfig
{
    QString backboneId;
    QString weightsDir;
    bool pretrained = true;
    Recipe recipe = Recipe::FeatureExtractor;
    int cutAt = 0;              ///< 0 = all groups
    int fineTuneGroups = 2;     ///< for Recipe::FineTune
    int headEpochs = 4;         ///< FineTune/Full: epochs with the backbone frozen first
    HeadKind head = HeadKind::Linear;
    int mlpHidden = 256;
    double dropout = 0.2;
    int epochs = 10;
    int batchSize = 32;
    /// Batch size for passes without gradients (feature extraction, evaluation, export
    /// check). Small batches keep activations in cache and RSS low: on 2 cores MobileNetV2
    /// features ran 1.35x faster at 8 than at 32, with a third of the page faults.
    int inferenceBatchSize = 8;
    double learningRate = 1e-2; ///< max LR for one-cycle; <= 0 means "find it" (lr finder)
    double unfrozenLrFactor = 0.5; ///< head LR of the unfrozen phase after a head-only phase
    double backboneLrFactor = 0.1; ///< backbone groups train at lr * factor * group multiplier
    double weightDecay = 1e-2;
    double labelSmoothing = 0.0;
    bool balancedClassWeights = false;
    OptimizerKind optimizer = OptimizerKind::AdamW;
    double momentum = 0.9;
    Schedule schedule = Schedule::OneCycle;
    double warmupFraction = 0.25;
    bool augment = false;
    int augmentViews = 2;       ///< cached augmented views per image (feature extractor)
    vision::Augmentation augmentation;
    int earlyStoppingPatience = 0; ///< 0 = off; else epochs without improvement of `monitor`
    /// What "best epoch" means, for the exported weights and for early stopping: validation
    /// accuracy (ties broken by lower loss), or validation loss. Accuracy is the default: on
    /// small validation sets the loss favours under-trained, less confident epochs (on
    /// hymenoptera fine-tuning it picked a 94.1 % head-only epoch over a 96.1 % fine-tuned one).
    bool monitorLoss = false;
    int seed = 42;
    int threads = 0;            ///< 0 = all cores
    /// "auto" (CUDA when this LibTorch build has it and a GPU is visible, else CPU), "cpu",
    /// "cuda" or "cuda:N". Exports are always written for the CPU.
    QString device = QStringLiteral("auto");
    bool useFeatureCache = true;
    QString cacheDir;           ///< empty = QStandardPaths cache
    QString checkpointDir;      ///< empty = no checkpoints
    bool resume = false;
    qint64 injectNanAtStep = -1; ///< testing aid: poison the loss at this global step
    /// A plan edited by hand (per-group trainable flags and rate multipliers). When set, it
    /// replaces the recipe's plan for the epochs that train the backbone.
    std::optional<vision::FreezePlan> customPlan;


    QJsonObject toJson() const;
    static TrainingConfig fromJson(const QJsonObject &json);
};

/// Observer events. Value types: they cross threads in queued signals.
struct BatchEvent
{
    int epoch = 0;          ///< 1-based
    int batch = 0;          ///< 1-based within the epoch
    int batchesPerEpoch = 0;
    qint64 globalStep = 0;
    double loss = 0;
    double learningRate = 0;
    double imagesPerSecond = 0;
    double elapsedSeconds = 0;
    double etaSeconds = -1; ///< -1 when unknown
    QString phase;          ///< "features", "train", "validate"
};

struct EpochMetrics
{
    int epoch = 0;
    double trainLoss = 0;
    double trainAccuracy = 0;
    double valLoss = 0;
    double valAccuracy = 0;
    double seconds = 0;
    double learningRate = 0;
    bool best = false;

    QJsonObject toJson() const;
    static EpochMetrics fromJson(const QJsonObject &json);
};

/// The epoch after which the checkpoint in `checkpointDir` (checkpoint.safetensors, written
/// each epoch when TrainingConfig::checkpointDir is set) was saved; NotFound when there is none.
core::Result<int> checkpointEpoch(const QString &checkpointDir);

} // namespace graft::train

Q_DECLARE_METATYPE(graft::train::BatchEvent)
Q_DECLARE_METATYPE(graft::train::EpochMetrics)
