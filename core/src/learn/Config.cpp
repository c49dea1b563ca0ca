#include "graft/learn/Config.h"

#include <QJsonArray>
#include <QStandardPaths>

#include <cmath>
#include <type_traits>
#include <utility>

namespace graft::learn {

namespace {

template<typename E> using Names = std::initializer_list<std::pair<E, const char *>>;

const Names<TaskKind> kTaskKinds = {{TaskKind::Image, "image"},
                                    {TaskKind::Text, "text"},
                                    {TaskKind::LanguageModel, "language-model"}};
const Names<Schedule> kSchedules = {{Schedule::OneCycle, "one-cycle"},
                                    {Schedule::Cosine, "cosine"},
                                    {Schedule::Constant, "constant"},
                                    {Schedule::Cosine, "cosine-warmup"}}; // old text name
const Names<Monitor> kMonitors = {{Monitor::ValAccuracy, "val_accuracy"},
                                  {Monitor::ValLoss, "val_loss"},
                                  {Monitor::ValAccuracy, "accuracy"},
                                  {Monitor::ValLoss, "loss"}};
const Names<OptimizerKind> kOptimizers = {{OptimizerKind::AdamW, "adamw"},
                                          {OptimizerKind::Sgd, "sgd"}};
const Names<Recipe> kRecipes = {{Recipe::FeatureExtractor, "feature-extractor"},
                                {Recipe::FineTune, "fine-tune"},
                                {Recipe::Full, "full"},
                                {Recipe::GradualUnfreeze, "gradual"}};
const Names<ImageHead> kImageHeads = {{ImageHead::Linear, "linear"}, {ImageHead::Mlp, "mlp"}};
const Names<TextHead> kTextHeads = {
    {TextHead::MeanMax, "mean-max"}, {TextHead::Cnn, "cnn"}, {TextHead::BiLstm, "bilstm"}};

template<typename E> const char *nameIn(const Names<E> &names, E value)
{
    for (const auto &[v, n] : names)
        if (v == value)
            return n;
    return names.begin()->second;
}

template<typename E> bool parseIn(const Names<E> &names, const QString &text, E *out)
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
    // The same folder for graft and graft-cli, whatever the application's name.
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
           QStringLiteral("/graft/runs");
}

QList<int> defaultCnnKernelSizes()
{
    return {3, 4, 5};
}

namespace {

/// Writes or reads one JSON object field by field: the field list below is written once for
/// both directions. Reading keeps the value already there when a key is missing.
struct JsonIo
{
    QJsonObject *json;
    bool writing;

    template<typename T> void operator()(const char *key, T &value)
    {
        const QLatin1String k(key);
        if constexpr (std::is_enum_v<T>) {
            if (writing)
                json->insert(k, QString::fromLatin1(nameOf(value)));
            else
                parse(json->value(k).toString(), &value);
        } else if constexpr (std::is_same_v<T, QStringList> || std::is_same_v<T, QList<int>>) {
            if (writing) {
                QJsonArray a;
                for (const auto &v : value)
                    a.append(v);
                json->insert(k, a);
            } else if (json->value(k).isArray()) {
                value.clear();
                for (const auto &v : json->value(k).toArray())
                    if constexpr (std::is_same_v<T, QStringList>)
                        value << v.toString();
                    else
                        value << v.toInt();
            }
        } else if (writing) {
            json->insert(k, value);
        } else if (json->contains(k)) {
            value = json->value(k).toVariant().value<T>();
        }
    }
    /// A nested object with its own toJson/fromJson.
    template<typename T> void object(const char *key, T &value)
    {
        if (writing)
            json->insert(QLatin1String(key), value.toJson());
        else if (json->value(QLatin1String(key)).isObject())
            value = T::fromJson(json->value(QLatin1String(key)).toObject());
    }
};

/// Every saved field of a configuration, in the flat layout projects have always used (the
/// loop and the image settings at the top, the text settings under "text").
void fields(RunConfig &c, JsonIo &io)
{
    io("data", c.dataPath);
    io("extra_sources", c.extraSources);
    io("backbone", c.backboneId);
    io("weights_dir", c.weightsDir);
    io("epochs", c.epochs);
    io("batch_size", c.batchSize);
    io("learning_rate", c.learningRate);
    io("weight_decay", c.weightDecay);
    io("optimizer", c.optimizer);
    io("momentum", c.momentum);
    io("schedule", c.schedule);
    io("warmup_fraction", c.warmupFraction);
    io("monitor", c.monitor);
    io("early_stopping_patience", c.patience);
    io("label_smoothing", c.labelSmoothing);
    io("balanced_class_weights", c.balancedClassWeights);
    io("val_fraction", c.valFraction);
    io("seed", c.seed);
    io("split_seed", c.splitSeed);
    io("threads", c.threads);
    io("device", c.device);
    io("checkpoint_dir", c.checkpointDir);
    io("resume", c.resume);
    io("runs_dir", c.runsDir);
    ImageSettings &i = c.image;
    io("pretrained", i.pretrained);
    io("recipe", i.recipe);
    io("cut", i.cutAt);
    io("fine_tune_groups", i.fineTuneGroups);
    io("head_epochs", i.headEpochs);
    io("head", i.head);
    io("mlp_hidden", i.mlpHidden);
    io("dropout", i.dropout);
    io("unfrozen_lr_factor", i.unfrozenLrFactor);
    io("backbone_lr_factor", i.backboneLrFactor);
    io("inference_batch_size", i.inferenceBatchSize);
    io("augment", i.augment);
    io("augment_views", i.augmentViews);
    io.object("augmentation", i.augmentation);
    io("feature_cache", i.useFeatureCache);
    io("cache_dir", i.cacheDir);
    if (io.writing)
        io.json->insert("freeze_plan",
                        i.customPlan ? QJsonValue(i.customPlan->toJson()) : QJsonValue());
    else if (io.json->value("freeze_plan").isObject())
        i.customPlan = vision::FreezePlan::fromJson(io.json->value("freeze_plan").toObject());

    QJsonObject textJson = io.writing ? QJsonObject() : io.json->value("text").toObject();
    JsonIo t{&textJson, io.writing};
    TextSettings &x = c.text;
    t("text_column", x.scan.textColumn);
    t("label_column", x.scan.labelColumn);
    t.object("tokenizer", x.tokenizer);
    t("vectors", x.vectorsPath);
    t("language_model", x.languageModelPath);
    t("max_vector_words", x.maxVectorWords);
    t("embedding_dim", x.embeddingDim);
    t("freeze_embeddings", x.freezeEmbeddings);
    t("embedding_lr_factor", x.embeddingLrFactor);
    t("head", x.head);
    t("cnn_filters", x.cnnFilters);
    t("cnn_kernel_sizes", x.cnnKernelSizes);
    t("lstm_hidden", x.lstmHidden);
    t("subword_vocab", x.subwordVocab);
    t("min_frequency", x.minFrequency);
    t("max_vocabulary", x.maxVocabulary);
    t("max_tokens", x.maxTokens);
    t("dropout", x.dropout);
    t("bptt", x.bptt);
    t("weight_drop", x.weightDrop);
    if (io.writing)
        io.json->insert("text", textJson);
    else
        x.scan.tokenizer = x.tokenizer;
}

} // namespace

QJsonObject RunConfig::toJson() const
{
    QJsonObject json{{"kind", nameOf(kind)}};
    JsonIo io{&json, true};
    fields(const_cast<RunConfig &>(*this), io); // writing leaves the configuration as it is
    return json;
}

RunConfig RunConfig::fromJson(const QJsonObject &j)
{
    TaskKind kind = TaskKind::Image;
    parse(j.value("kind").toString(), &kind);
    RunConfig c = defaults(kind);
    QJsonObject json = j;
    JsonIo io{&json, false};
    fields(c, io);
    return c;
}

} // namespace graft::learn
