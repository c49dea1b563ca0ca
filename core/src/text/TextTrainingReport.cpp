#include "graft/text/TextTraining.h"

#include "train/Metrics.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace graft::text {

namespace {

// Local names: the train module's scheduleName() lives in another engineer's file.
const char *scheduleText(train::Schedule s)
{
    switch (s) {
    case train::Schedule::OneCycle:
        return "one-cycle";
    case train::Schedule::CosineWarmup:
        return "cosine-warmup";
    case train::Schedule::Constant:
        return "constant";
    }
    return "one-cycle";
}

void parseScheduleText(const QString &text, train::Schedule *out)
{
    for (auto s :
         {train::Schedule::OneCycle, train::Schedule::CosineWarmup, train::Schedule::Constant})
        if (text == QLatin1String(scheduleText(s)))
            *out = s;
}

} // namespace

const char *textHeadName(TextHead head)
{
    switch (head) {
    case TextHead::MeanMax:
        return "mean-max";
    case TextHead::Cnn:
        return "cnn";
    case TextHead::BiLstm:
        return "bilstm";
    }
    return "unknown";
}

bool parseTextHead(const QString &text, TextHead *out)
{
    for (TextHead h : {TextHead::MeanMax, TextHead::Cnn, TextHead::BiLstm}) {
        if (text.compare(QLatin1String(textHeadName(h)), Qt::CaseInsensitive) == 0) {
            *out = h;
            return true;
        }
    }
    return false;
}

QJsonObject TextTrainingConfig::toJson() const
{
    QJsonArray kernels;
    for (int k : cnnKernelSizes)
        kernels.append(k);
    return QJsonObject{
        {QStringLiteral("kind"), QStringLiteral("text")},
        {QStringLiteral("data"), dataPath},
        {QStringLiteral("text_column"), scan.textColumn},
        {QStringLiteral("label_column"), scan.labelColumn},
        {QStringLiteral("tokenizer"), tokenizer.toJson()},
        {QStringLiteral("vectors"), vectorsPath},
        {QStringLiteral("language_model"), languageModelPath},
        {QStringLiteral("max_vector_words"), maxVectorWords},
        {QStringLiteral("embedding_dim"), embeddingDim},
        {QStringLiteral("freeze_embeddings"), freezeEmbeddings},
        {QStringLiteral("embedding_lr_factor"), embeddingLrFactor},
        {QStringLiteral("head"), QString::fromLatin1(textHeadName(head))},
        {QStringLiteral("cnn_filters"), cnnFilters},
        {QStringLiteral("cnn_kernel_sizes"), kernels},
        {QStringLiteral("lstm_hidden"), lstmHidden},
        {QStringLiteral("subword_vocab"), subwordVocab},
        {QStringLiteral("min_frequency"), minFrequency},
        {QStringLiteral("max_vocabulary"), maxVocabulary},
        {QStringLiteral("max_tokens"), maxTokens},
        {QStringLiteral("epochs"), epochs},
        {QStringLiteral("batch_size"), batchSize},
        {QStringLiteral("learning_rate"), learningRate},
        {QStringLiteral("weight_decay"), weightDecay},
        {QStringLiteral("dropout"), dropout},
        {QStringLiteral("schedule"), QString::fromLatin1(scheduleText(schedule))},
        {QStringLiteral("warmup_fraction"), warmupFraction},
        {QStringLiteral("val_fraction"), valFraction},
        {QStringLiteral("early_stopping_patience"), earlyStoppingPatience},
        {QStringLiteral("restore_best"), restoreBest},
        {QStringLiteral("seed"), seed},
        {QStringLiteral("threads"), threads},
    };
}

TextTrainingConfig TextTrainingConfig::fromJson(const QJsonObject &json)
{
    TextTrainingConfig c;
    auto str = [&](const char *k, QString &v) {
        v = json.value(QLatin1String(k)).toString(v);
    };
    auto num = [&](const char *k, double &v) {
        v = json.value(QLatin1String(k)).toDouble(v);
    };
    auto integer = [&](const char *k, int &v) {
        v = json.value(QLatin1String(k)).toInt(v);
    };
    auto boolean = [&](const char *k, bool &v) {
        v = json.value(QLatin1String(k)).toBool(v);
    };
    str("data", c.dataPath);
    str("text_column", c.scan.textColumn);
    str("label_column", c.scan.labelColumn);
    if (json.contains(QLatin1String("tokenizer")))
        c.tokenizer =
            Tokenizer::Options::fromJson(json.value(QLatin1String("tokenizer")).toObject());
    str("vectors", c.vectorsPath);
    str("language_model", c.languageModelPath);
    integer("max_vector_words", c.maxVectorWords);
    integer("embedding_dim", c.embeddingDim);
    boolean("freeze_embeddings", c.freezeEmbeddings);
    num("embedding_lr_factor", c.embeddingLrFactor);
    parseTextHead(json.value(QLatin1String("head")).toString(), &c.head);
    integer("cnn_filters", c.cnnFilters);
    if (json.contains(QLatin1String("cnn_kernel_sizes"))) {
        c.cnnKernelSizes.clear();
        for (const auto &v : json.value(QLatin1String("cnn_kernel_sizes")).toArray())
            c.cnnKernelSizes.append(v.toInt());
    }
    integer("lstm_hidden", c.lstmHidden);
    integer("subword_vocab", c.subwordVocab);
    integer("min_frequency", c.minFrequency);
    integer("max_vocabulary", c.maxVocabulary);
    integer("max_tokens", c.maxTokens);
    integer("epochs", c.epochs);
    integer("batch_size", c.batchSize);
    num("learning_rate", c.learningRate);
    num("weight_decay", c.weightDecay);
    num("dropout", c.dropout);
    parseScheduleText(json.value(QLatin1String("schedule")).toString(), &c.schedule);
    num("warmup_fraction", c.warmupFraction);
    num("val_fraction", c.valFraction);
    integer("early_stopping_patience", c.earlyStoppingPatience);
    boolean("restore_best", c.restoreBest);
    integer("seed", c.seed);
    integer("threads", c.threads);
    c.scan.tokenizer = c.tokenizer;
    return c;
}

TextEvaluation buildTextEvaluation(const TextDataset &data,
                                   const std::vector<int> &rows,
                                   const std::vector<int> &labels,
                                   const std::vector<std::vector<float>> &probs)
{
    const int classes = probs.empty() ? int(data.classes.size()) : int(probs.front().size());
    // The image side's metrics (confusion, loss, per-class precision/recall/F1), with row
    // numbers standing in for file names so that mistakes can be traced back to texts.
    QStringList ids;
    for (size_t i = 0; i < rows.size(); ++i)
        ids << QString::number(i);
    const train::Evaluation base = train::computeEvaluation(probs, labels, ids, classes);
    TextEvaluation ev;
    ev.accuracy = base.accuracy;
    ev.loss = base.loss;
    ev.confusion = base.confusion;
    ev.perClass = base.perClass;
    for (const train::Misclassified &m : base.misclassified) {
        const TextSample &s = data.samples[size_t(rows[size_t(m.file.toInt())])];
        ev.misclassified.push_back(MisclassifiedText{s.file, s.line, s.text, m.trueLabel,
                                                     m.predicted, double(m.probability),
                                                     double(m.loss)});
    }
    return ev;
}

QJsonObject TextEvaluation::toJson(const QStringList &classes) const
{
    QJsonArray conf;
    for (const auto &row : confusion) {
        QJsonArray r;
        for (int v : row)
            r.append(v);
        conf.append(r);
    }
    QJsonArray mis;
    for (const MisclassifiedText &m : misclassified) {
        QJsonObject o{{QStringLiteral("file"), m.file},
                      {QStringLiteral("text"), m.text.left(500)},
                      {QStringLiteral("true"), classes.value(m.trueLabel)},
                      {QStringLiteral("predicted"), classes.value(m.predicted)},
                      {QStringLiteral("prob"), m.probability},
                      {QStringLiteral("loss"), m.loss}};
        if (m.line > 0)
            o.insert(QStringLiteral("line"), m.line);
        mis.append(o);
    }
    QJsonArray per;
    for (size_t c = 0; c < perClass.size(); ++c)
        per.append(QJsonObject{{QStringLiteral("class"), classes.value(int(c))},
                               {QStringLiteral("precision"), perClass[c].precision},
                               {QStringLiteral("recall"), perClass[c].recall},
                               {QStringLiteral("f1"), perClass[c].f1},
                               {QStringLiteral("support"), perClass[c].support}});
    return QJsonObject{{QStringLiteral("accuracy"), accuracy},
                       {QStringLiteral("loss"), loss},
                       {QStringLiteral("confusion"), conf},
                       {QStringLiteral("per_class"), per},
                       {QStringLiteral("misclassified"), mis}};
}

QJsonObject TextTrainingReport::toJson() const
{
    QJsonArray ep;
    for (const auto &e : epochs)
        ep.append(QJsonObject{{QStringLiteral("epoch"), e.epoch},
                              {QStringLiteral("train_loss"), e.trainLoss},
                              {QStringLiteral("train_accuracy"), e.trainAccuracy},
                              {QStringLiteral("val_loss"), e.valLoss},
                              {QStringLiteral("val_accuracy"), e.valAccuracy},
                              {QStringLiteral("learning_rate"), e.learningRate},
                              {QStringLiteral("seconds"), e.seconds}});
    const QJsonObject ev = evaluation.toJson(classes);
    return QJsonObject{{QStringLiteral("kind"), QStringLiteral("text")},
                       {QStringLiteral("classes"), QJsonArray::fromStringList(classes)},
                       {QStringLiteral("val_accuracy"), valAccuracy},
                       {QStringLiteral("val_loss"), evaluation.loss},
                       {QStringLiteral("best_epoch"), bestEpoch},
                       {QStringLiteral("epochs"), ep},
                       {QStringLiteral("confusion"), ev.value(QStringLiteral("confusion"))},
                       {QStringLiteral("misclassified"), ev.value(QStringLiteral("misclassified"))},
                       {QStringLiteral("train_count"), trainCount},
                       {QStringLiteral("val_count"), valCount},
                       {QStringLiteral("vocabulary_size"), vocabularySize},
                       {QStringLiteral("vector_coverage"), vectorCoverage},
                       {QStringLiteral("seconds"), seconds},
                       {QStringLiteral("config"), config.toJson()}};
}

} // namespace graft::text
