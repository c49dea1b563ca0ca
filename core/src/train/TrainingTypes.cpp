#include "graft/train/TrainingTypes.h"

namespace graft::train {

const char *recipeName(Recipe recipe)
{
    switch (recipe) {
    case Recipe::FeatureExtractor: return "feature-extractor";
    case Recipe::FineTune: return "fine-tune";
    case Recipe::Full: return "full";
    case Recipe::GradualUnfreeze: return "gradual";
    }
    return "feature-extractor";
}

bool parseRecipe(const QString &text, Recipe *out)
{
    for (Recipe r : {Recipe::FeatureExtractor, Recipe::FineTune, Recipe::Full,
                     Recipe::GradualUnfreeze}) {
        if (text == QLatin1String(recipeName(r))) {
            *out = r;
            return true;
        }
    }
    return false;
}

const char *scheduleName(Schedule schedule)
{
    switch (schedule) {
    case Schedule::OneCycle: return "one-cycle";
    case Schedule::CosineWarmup: return "cosine";
    case Schedule::Constant: return "constant";
    }
    return "one-cycle";
}

bool parseSchedule(const QString &text, Schedule *out)
{
    for (Schedule s : {Schedule::OneCycle, Schedule::CosineWarmup, Schedule::Constant}) {
        if (text == QLatin1String(scheduleName(s))) {
            *out = s;
            return true;
        }
    }
    return false;
}

QJsonObject TrainingConfig::toJson() const
{
    return QJsonObject{
        {"backbone", backboneId},
        {"pretrained", pretrained},
        {"recipe", QString::fromLatin1(recipeName(recipe))},
        {"cut", cutAt},
        {"fine_tune_groups", fineTuneGroups},
        {"head_epochs", headEpochs},
        {"head", head == HeadKind::Mlp ? "mlp" : "linear"},
        {"mlp_hidden", mlpHidden},
        {"dropout", dropout},
        {"epochs", epochs},
        {"batch_size", batchSize},
        {"inference_batch_size", inferenceBatchSize},
        {"learning_rate", learningRate},
        {"backbone_lr_factor", backboneLrFactor},
        {"unfrozen_lr_factor", unfrozenLrFactor},
        {"weight_decay", weightDecay},
        {"label_smoothing", labelSmoothing},
        {"balanced_class_weights", balancedClassWeights},
        {"optimizer", optimizer == OptimizerKind::Sgd ? "sgd" : "adamw"},
        {"momentum", momentum},
        {"schedule", QString::fromLatin1(scheduleName(schedule))},
        {"warmup_fraction", warmupFraction},
        {"augment", augment},
        {"augment_views", augmentViews},
        {"augmentation", augmentation.toJson()},
        {"early_stopping_patience", earlyStoppingPatience},
        {"monitor", monitorLoss ? "val_loss" : "val_accuracy"},
        {"seed", seed},
        {"threads", threads},
        {"device", device},
        {"feature_cache", useFeatureCache},
        {"weights_dir", weightsDir},
        {"cache_dir", cacheDir},
        {"checkpoint_dir", checkpointDir},
        {"resume", resume},
        {"freeze_plan", customPlan ? QJsonValue(customPlan->toJson()) : QJsonValue()},
    };
}

TrainingConfig TrainingConfig::fromJson(const QJsonObject &j)
{
    TrainingConfig c;
    c.backboneId = j.value("backbone").toString(c.backboneId);
    c.pretrained = j.value("pretrained").toBool(c.pretrained);
    parseRecipe(j.value("recipe").toString(), &c.recipe);
    c.cutAt = j.value("cut").toInt(c.cutAt);
    c.fineTuneGroups = j.value("fine_tune_groups").toInt(c.fineTuneGroups);
    c.headEpochs = j.value("head_epochs").toInt(c.headEpochs);
    c.head = j.value("head").toString() == QLatin1String("mlp") ? HeadKind::Mlp : HeadKind::Linear;
    c.mlpHidden = j.value("mlp_hidden").toInt(c.mlpHidden);
    c.dropout = j.value("dropout").toDouble(c.dropout);
    c.epochs = j.value("epochs").toInt(c.epochs);
    c.batchSize = j.value("batch_size").toInt(c.batchSize);
    c.inferenceBatchSize = j.value("inference_batch_size").toInt(c.inferenceBatchSize);
    c.learningRate = j.value("learning_rate").toDouble(c.learningRate);
    c.backboneLrFactor = j.value("backbone_lr_factor").toDouble(c.backboneLrFactor);
    c.unfrozenLrFactor = j.value("unfrozen_lr_factor").toDouble(c.unfrozenLrFactor);
    c.weightDecay = j.value("weight_decay").toDouble(c.weightDecay);
    c.labelSmoothing = j.value("label_smoothing").toDouble(c.labelSmoothing);
    c.balancedClassWeights = j.value("balanced_class_weights").toBool(c.balancedClassWeights);
    c.optimizer = j.value("optimizer").toString() == QLatin1String("sgd") ? OptimizerKind::Sgd
                                                                          : OptimizerKind::AdamW;
    c.momentum = j.value("momentum").toDouble(c.momentum);
    parseSchedule(j.value("schedule").toString(), &c.schedule);
    c.warmupFraction = j.value("warmup_fraction").toDouble(c.warmupFraction);
    c.augment = j.value("augment").toBool(c.augment);
    c.augmentViews = j.value("augment_views").toInt(c.augmentViews);
    if (j.contains("augmentation"))
        c.augmentation = vision::Augmentation::fromJson(j.value("augmentation").toObject());
    c.earlyStoppingPatience = j.value("early_stopping_patience").toInt(c.earlyStoppingPatience);
    if (j.contains("monitor"))
        c.monitorLoss = j.value("monitor").toString() == QLatin1String("val_loss");
    c.seed = j.value("seed").toInt(c.seed);
    c.threads = j.value("threads").toInt(c.threads);
    c.device = j.value("device").toString(c.device);
    c.useFeatureCache = j.value("feature_cache").toBool(c.useFeatureCache);
    c.weightsDir = j.value("weights_dir").toString(c.weightsDir);
    c.cacheDir = j.value("cache_dir").toString(c.cacheDir);
    c.checkpointDir = j.value("checkpoint_dir").toString(c.checkpointDir);
    c.resume = j.value("resume").toBool(c.resume);
    if (j.value("freeze_plan").isObject())
        c.customPlan = vision::FreezePlan::fromJson(j.value("freeze_plan").toObject());
    return c;
}

QJsonObject EpochMetrics::toJson() const
{
    return QJsonObject{{"epoch", epoch},
                       {"train_loss", trainLoss},
                       {"train_accuracy", trainAccuracy},
                       {"val_loss", valLoss},
                       {"val_accuracy", valAccuracy},
                       {"seconds", seconds},
                       {"learning_rate", learningRate},
                       {"best", best}};
}

EpochMetrics EpochMetrics::fromJson(const QJsonObject &o)
{
    EpochMetrics m;
    m.epoch = o.value("epoch").toInt();
    m.trainLoss = o.value("train_loss").toDouble();
    m.trainAccuracy = o.value("train_accuracy").toDouble();
    m.valLoss = o.value("val_loss").toDouble();
    m.valAccuracy = o.value("val_accuracy").toDouble();
    m.seconds = o.value("seconds").toDouble();
    m.learningRate = o.value("learning_rate").toDouble();
    m.best = o.value("best").toBool();
    return m;
}

} // namespace graft::train
