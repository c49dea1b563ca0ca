#include "graft/learn/Config.h"

#include <QJsonArray>
#include <QStandardPaths>

#include <cmath>
#include <utility>

namespace graft::learn {

namespace {

template<typename E>
using Names = std::initializer_list<std::pair<E, const char *>>;

const Names<TaskKind> kTaskKinds = {
    {TaskKind::Image, "image"}, {TaskKind::Text, "text"}, {TaskKind::LanguageModel, "language-model"}};
const Names<Schedule> kSchedules = {{Schedule::OneCycle, "one-cycle"},
                                    {Schedule::Cosine, "cosine"},
                                    {Schedule::Constant, "constant"},
                                    {Schedule::Cosine, "cosine-warmup"}}; // old text name
const Names<Monitor> kMonitors = {{Monitor::ValAccuracy, "val_accuracy"},
                                  {Monitor::ValLoss, "val_loss"},
                                  {Monitor::ValAccuracy, "accuracy"},
                                  {Monitor::ValLoss, "loss"}};
const Names<OptimizerKind> kOptimizers = {{OptimizerKind::AdamW, "adamw"}, {OptimizerKind::Sgd, "sgd"}};
const Names<Recipe> kRecipes = {{Recipe::FeatureExtractor, "feature-extractor"},
                                {Recipe::FineTune, "fine-tune"},
                                {Recipe::Full, "full"},
                                {Recipe::GradualUnfreeze, "gradual"}};
const Names<ImageHead> kImageHeads = {{ImageHead::Linear, "linear"}, {ImageHead::Mlp, "mlp"}};
const Names<TextHead> kTextHeads = {
    {TextHead::MeanMax, "mean-max"}, {TextHead::Cnn, "cnn"}, {TextHead::BiLstm, "bilstm"}};

template<typename E>
const char *nameIn(const Names<E> &names, E value)
{
    for (const auto &[v, n] : names)
        if (v == value)
            return n;
    return names.begin()->second;
}

template<typename E>
bool parseIn(const Names<E> &names, const QString &text, E *out)
{
    for (const auto &[v, n] : names)
        if (text.compare(QLatin1String(n), Qt::CaseInsensitive) == 0) {
            *out = v;
            return true;
        }
    return false;
}

} // namespace

// clang-format off
const char *nameOf(TaskKind v) { return nameIn(kTaskKinds, v); }
const char *nameOf(Schedule v) { return nameIn(kSchedules, v); }
const char *nameOf(Monitor v) { return nameIn(kMonitors, v); }
const char *nameOf(OptimizerKind v) { return nameIn(kOptimizers, v); }
const char *nameOf(Recipe v) { return nameIn(kRecipes, v); }
const char *nameOf(ImageHead v) { return nameIn(kImageHeads, v); }
const char *nameOf(TextHead v) { return nameIn(kTextHeads, v); }
bool parse(const QString &t, TaskKind *o) { return parseIn(kTaskKinds, t, o); }
bool parse(const QString &t, Schedule *o) { return parseIn(kSchedules, t, o); }
bool parse(const QString &t, Monitor *o) { return parseIn(kMonitors, t, o); }
bool parse(const QString &t, OptimizerKind *o) { return parseIn(kOptimizers, t, o); }
bool parse(const QString &t, Recipe *o) { return parseIn(kRecipes, t, o); }
bool parse(const QString &t, ImageHead *o) { return parseIn(kImageHeads, t, o); }
bool parse(const QString &t, TextHead *o) { return parseIn(kTextHeads, t, o); }
// clang-format on

double scheduleFactor(Schedule schedule, double warmupFraction, qint64 step, qint64 total)
{
    if (schedule == Schedule::Constant || total <= 0)
        return 1.0;
    const double pos = std::clamp(double(step) / double(total), 0.0, 1.0);
    const double warm = std::clamp(warmupFraction, 0.0, 1.0);
    // fastai's SchedCos(start, end)(p) = start + (1 + cos(pi (1 - p))) (end - start) / 2.
    const auto cos = [](double start, double end, double p) {
        return start + (1.0 + std::cos(M_PI * (1.0 - p))) * (end - start) / 2.0;
    };
    if (schedule == Schedule::OneCycle) {
        if (pos < warm)
            return cos(1.0 / 25.0, 1.0, pos / warm);
        return cos(1.0, 1.0 / 1e5, warm < 1.0 ? (pos - warm) / (1.0 - warm) : 1.0);
    }
    if (pos < warm)
        return pos / warm;
    return cos(1.0, 0.0, warm < 1.0 ? (pos - warm) / (1.0 - warm) : 1.0);
}

RunConfig RunConfig::defaults(TaskKind kind)
{
    RunConfig c;
    c.kind = kind;
    if (kind == TaskKind::Text) {
        c.learningRate = 3e-3;
    } else if (kind == TaskKind::LanguageModel) {
        c.epochs = 4;
        c.learningRate = 3e-3;
        c.valFraction = 0.1;
        c.text.minFrequency = 2;
        c.text.maxVocabulary = 30000;
        c.text.dropout = 0.2;
    }
    return c;
}

QString defaultRunsDir()
{
    const QString env = qEnvironmentVariable("GRAFT_RUNS_DIR");
    if (!env.isEmpty())
        return env;
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) +
           QStringLiteral("/runs");
}

QJsonObject RunConfig::toJson() const
{
    QJsonArray kernels;
    for (int k : text.cnnKernelSizes)
        kernels.append(k);
    const QJsonObject t{
        {"text_column", text.scan.textColumn},
        {"label_column", text.scan.labelColumn},
        {"tokenizer", text.tokenizer.toJson()},
        {"vectors", text.vectorsPath},
        {"language_model", text.languageModelPath},
        {"max_vector_words", text.maxVectorWords},
        {"embedding_dim", text.embeddingDim},
        {"freeze_embeddings", text.freezeEmbeddings},
        {"embedding_lr_factor", text.embeddingLrFactor},
        {"head", nameOf(text.head)},
        {"cnn_filters", text.cnnFilters},
        {"cnn_kernel_sizes", kernels},
        {"lstm_hidden", text.lstmHidden},
        {"subword_vocab", text.subwordVocab},
        {"min_frequency", text.minFrequency},
        {"max_vocabulary", text.maxVocabulary},
        {"max_tokens", text.maxTokens},
        {"dropout", text.dropout},
        {"bptt", text.bptt},
        {"weight_drop", text.weightDrop},
    };
    const ImageSettings &i = image;
    return QJsonObject{
        {"kind", nameOf(kind)},
        {"data", dataPath},
        {"extra_sources", QJsonArray::fromStringList(extraSources)},
        {"backbone", backboneId},
        {"weights_dir", weightsDir},
        {"epochs", epochs},
        {"batch_size", batchSize},
        {"learning_rate", learningRate},
        {"weight_decay", weightDecay},
        {"optimizer", nameOf(optimizer)},
        {"momentum", momentum},
        {"schedule", nameOf(schedule)},
        {"warmup_fraction", warmupFraction},
        {"monitor", nameOf(monitor)},
        {"early_stopping_patience", patience},
        {"label_smoothing", labelSmoothing},
        {"balanced_class_weights", balancedClassWeights},
        {"val_fraction", valFraction},
        {"seed", seed},
        {"split_seed", splitSeed},
        {"threads", threads},
        {"device", device},
        {"checkpoint_dir", checkpointDir},
        {"resume", resume},
        {"runs_dir", runsDir},
        {"pretrained", i.pretrained},
        {"recipe", nameOf(i.recipe)},
        {"cut", i.cutAt},
        {"fine_tune_groups", i.fineTuneGroups},
        {"head_epochs", i.headEpochs},
        {"head", nameOf(i.head)},
        {"mlp_hidden", i.mlpHidden},
        {"dropout", i.dropout},
        {"unfrozen_lr_factor", i.unfrozenLrFactor},
        {"backbone_lr_factor", i.backboneLrFactor},
        {"inference_batch_size", i.inferenceBatchSize},
        {"augment", i.augment},
        {"augment_views", i.augmentViews},
        {"augmentation", i.augmentation.toJson()},
        {"feature_cache", i.useFeatureCache},
        {"cache_dir", i.cacheDir},
        {"freeze_plan", i.customPlan ? QJsonValue(i.customPlan->toJson()) : QJsonValue()},
        {"text", t},
    };
}

RunConfig RunConfig::fromJson(const QJsonObject &j)
{
    TaskKind kind = TaskKind::Image;
    parse(j.value("kind").toString(), &kind);
    RunConfig c = defaults(kind);
    const auto str = [](const QJsonObject &o, const char *k, QString &v) { v = o.value(k).toString(v); };
    const auto num = [](const QJsonObject &o, const char *k, double &v) { v = o.value(k).toDouble(v); };
    const auto integer = [](const QJsonObject &o, const char *k, int &v) { v = o.value(k).toInt(v); };
    const auto flag = [](const QJsonObject &o, const char *k, bool &v) { v = o.value(k).toBool(v); };
    str(j, "data", c.dataPath);
    for (const auto &s : j.value("extra_sources").toArray())
        c.extraSources << s.toString();
    str(j, "backbone", c.backboneId);
    str(j, "weights_dir", c.weightsDir);
    integer(j, "epochs", c.epochs);
    integer(j, "batch_size", c.batchSize);
    num(j, "learning_rate", c.learningRate);
    num(j, "weight_decay", c.weightDecay);
    parse(j.value("optimizer").toString(), &c.optimizer);
    num(j, "momentum", c.momentum);
    parse(j.value("schedule").toString(), &c.schedule);
    num(j, "warmup_fraction", c.warmupFraction);
    parse(j.value("monitor").toString(), &c.monitor);
    integer(j, "early_stopping_patience", c.patience);
    num(j, "label_smoothing", c.labelSmoothing);
    flag(j, "balanced_class_weights", c.balancedClassWeights);
    num(j, "val_fraction", c.valFraction);
    integer(j, "seed", c.seed);
    integer(j, "split_seed", c.splitSeed);
    integer(j, "threads", c.threads);
    str(j, "device", c.device);
    str(j, "checkpoint_dir", c.checkpointDir);
    flag(j, "resume", c.resume);
    str(j, "runs_dir", c.runsDir);
    ImageSettings &i = c.image;
    flag(j, "pretrained", i.pretrained);
    parse(j.value("recipe").toString(), &i.recipe);
    integer(j, "cut", i.cutAt);
    integer(j, "fine_tune_groups", i.fineTuneGroups);
    integer(j, "head_epochs", i.headEpochs);
    parse(j.value("head").toString(), &i.head);
    integer(j, "mlp_hidden", i.mlpHidden);
    num(j, "dropout", i.dropout);
    num(j, "unfrozen_lr_factor", i.unfrozenLrFactor);
    num(j, "backbone_lr_factor", i.backboneLrFactor);
    integer(j, "inference_batch_size", i.inferenceBatchSize);
    flag(j, "augment", i.augment);
    integer(j, "augment_views", i.augmentViews);
    if (j.value("augmentation").isObject())
        i.augmentation = vision::Augmentation::fromJson(j.value("augmentation").toObject());
    flag(j, "feature_cache", i.useFeatureCache);
    str(j, "cache_dir", i.cacheDir);
    if (j.value("freeze_plan").isObject())
        i.customPlan = vision::FreezePlan::fromJson(j.value("freeze_plan").toObject());
    const QJsonObject t = j.value("text").toObject();
    TextSettings &x = c.text;
    str(t, "text_column", x.scan.textColumn);
    str(t, "label_column", x.scan.labelColumn);
    if (t.value("tokenizer").isObject())
        x.tokenizer = text::Tokenizer::Options::fromJson(t.value("tokenizer").toObject());
    str(t, "vectors", x.vectorsPath);
    str(t, "language_model", x.languageModelPath);
    integer(t, "max_vector_words", x.maxVectorWords);
    integer(t, "embedding_dim", x.embeddingDim);
    flag(t, "freeze_embeddings", x.freezeEmbeddings);
    num(t, "embedding_lr_factor", x.embeddingLrFactor);
    parse(t.value("head").toString(), &x.head);
    integer(t, "cnn_filters", x.cnnFilters);
    if (t.value("cnn_kernel_sizes").isArray()) {
        x.cnnKernelSizes.clear();
        for (const auto &k : t.value("cnn_kernel_sizes").toArray())
            x.cnnKernelSizes.append(k.toInt());
    }
    integer(t, "lstm_hidden", x.lstmHidden);
    integer(t, "subword_vocab", x.subwordVocab);
    integer(t, "min_frequency", x.minFrequency);
    integer(t, "max_vocabulary", x.maxVocabulary);
    integer(t, "max_tokens", x.maxTokens);
    num(t, "dropout", x.dropout);
    integer(t, "bptt", x.bptt);
    num(t, "weight_drop", x.weightDrop);
    x.scan.tokenizer = x.tokenizer;
    return c;
}

} // namespace graft::learn
