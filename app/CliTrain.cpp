// graft-cli backbones | predict | train | eval
#include "CliCommands.h"
#include "CliCommon.h"

#include "graft/core/Runtime.h"
#include "graft/vision/ImageScanner.h"
#include "graft/vision/BackboneCatalogue.h"
#include "graft/text/LanguageModel.h"
#include "graft/text/TextClassifier.h"
#include "graft/text/TextDecoder.h"
#include "graft/text/TextTraining.h"
#include "graft/train/Inference.h"
#include "graft/train/Trainer.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <cmath>
#include <csignal>

namespace graft::cli {

namespace {

QString formatSeconds(double s)
{
    if (s < 0)
        return QStringLiteral("--:--");
    const int t = int(s + 0.5);
    return QStringLiteral("%1:%2").arg(t / 60).arg(t % 60, 2, 10, QLatin1Char('0'));
}

/// Prints progress: a redrawn bar on a terminal, a line per epoch otherwise.
class ConsoleObserver : public train::TrainingObserver
{
public:
    ConsoleObserver(int epochs, bool quiet)
        : m_epochs(epochs)
        , m_tty(stderrIsTerminal())
        , m_quiet(quiet)
    {
        m_throttle.start();
    }

    void batchFinished(const train::BatchEvent &e) override
    {
        if (!m_tty || m_quiet || (m_throttle.elapsed() < 100 && e.batch != e.batchesPerEpoch))
            return;
        m_throttle.restart();
        const int width = 24;
        const int filled = e.batchesPerEpoch ? width * e.batch / e.batchesPerEpoch : 0;
        err() << QStringLiteral("\repoch %1/%2 [%3%4] batch %5/%6 loss %7 %8 img/s ETA %9   ")
                     .arg(e.epoch)
                     .arg(m_epochs)
                     .arg(QString(filled, QLatin1Char('#')))
                     .arg(QString(width - filled, QLatin1Char('.')))
                     .arg(e.batch)
                     .arg(e.batchesPerEpoch)
                     .arg(e.loss, 0, 'f', 4)
                     .arg(e.imagesPerSecond, 0, 'f', 0)
                     .arg(formatSeconds(e.etaSeconds));
        err().flush();
    }

    void epochFinished(const train::EpochMetrics &m) override
    {
        if (m_quiet)
            return;
        if (m_tty)
            err() << "\r" << QString(100, QLatin1Char(' ')) << "\r";
        err() << QStringLiteral("epoch %1/%2  train loss %3  val loss %4  val acc %5 %  %6 s%7\n")
                     .arg(m.epoch)
                     .arg(m_epochs)
                     .arg(m.trainLoss, 0, 'f', 4)
                     .arg(m.valLoss, 0, 'f', 4)
                     .arg(m.valAccuracy * 100, 0, 'f', 1)
                     .arg(m.seconds, 0, 'f', 2)
                     .arg(m.best ? QStringLiteral("  *") : QString());
        err().flush();
    }

    void phaseProgress(const QString &phase, qint64 done, qint64 total) override
    {
        if (!m_tty || m_quiet || (m_throttle.elapsed() < 100 && done != total))
            return;
        m_throttle.restart();
        err() << QStringLiteral("\r%1: %2/%3   ").arg(phase).arg(done).arg(total);
        if (done == total)
            err() << "\n";
        err().flush();
    }

    void message(const QString &text) override
    {
        // Messages are warnings and notices (skipped files, unsaved checkpoints), not progress:
        // --quiet keeps them.
        err() << (m_tty && !m_quiet ? "\r" : "") << text << "\n";
    }

private:
    int m_epochs;
    bool m_tty;
    bool m_quiet;
    QElapsedTimer m_throttle;
};

core::CancelToken g_cancel;

extern "C" void onInterrupt(int)
{
    g_cancel.requestCancel();
}

QJsonArray predictionsJson(const std::vector<train::Prediction> &preds, const QStringList &labels)
{
    QJsonArray arr;
    for (const auto &p : preds) {
        QJsonObject o{{"file", p.file}};
        if (!p.error.isEmpty()) {
            o.insert("error", p.error);
        } else {
            QJsonArray top;
            for (const auto &[idx, prob] : p.top)
                top.append(QJsonObject{{"label", labels.value(idx)}, {"index", idx}, {"prob", prob}});
            o.insert("top", top);
        }
        arr.append(o);
    }
    return arr;
}

void printPredictions(const std::vector<train::Prediction> &preds, const QStringList &labels)
{
    for (const auto &p : preds) {
        out() << p.file << "\n";
        if (!p.error.isEmpty()) {
            out() << "  error: " << p.error << "\n";
            continue;
        }
        for (const auto &[idx, prob] : p.top)
            out() << QStringLiteral("  %1 %  %2\n").arg(prob * 100, 6, 'f', 2).arg(labels.value(idx));
    }
}

bool writeText(const QString &path, const QByteArray &bytes, QString *error)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit()) {
        *error = f.errorString();
        return false;
    }
    return true;
}

/// Writes `json` to --report FILE when given; false (after saying why) when it cannot.
bool writeReport(const QCommandLineParser &p, const char *command, const QJsonObject &json)
{
    if (!p.isSet(QStringLiteral("report")))
        return true;
    QString error;
    if (writeText(p.value(QStringLiteral("report")),
                  QJsonDocument(json).toJson(QJsonDocument::Indented), &error))
        return true;
    err() << "graft-cli " << command << ": cannot write report " << p.value(QStringLiteral("report"))
          << ": " << error << "\n";
    return false;
}

/// train --folds K: cross-validated accuracy of the configuration and of the BoW baseline.
int runTextCrossValidation(const QCommandLineParser &p, const text::TextTrainingConfig &c,
                           int folds, bool quiet, const QElapsedTimer &wall)
{
    if (folds < 2 || p.isSet(QStringLiteral("export")) || p.isSet(QStringLiteral("export-onnx"))) {
        err() << "graft-cli train: --folds needs K >= 2 and cannot be combined with --export\n";
        return kExitFailure;
    }
    text::TextTrainingObserver obs; // per-epoch lines of every fold would drown the summary
    const auto onFold = [&](const text::TextFoldResult &f) {
        if (!quiet)
            err() << QStringLiteral("fold %1/%2  train %3  val %4  model %5 %  bag-of-words %6 %  "
                                    "%7 s\n")
                         .arg(f.fold)
                         .arg(folds)
                         .arg(f.trainCount)
                         .arg(f.valCount)
                         .arg(f.accuracy * 100, 0, 'f', 2)
                         .arg(f.baselineAccuracy * 100, 0, 'f', 2)
                         .arg(f.seconds, 0, 'f', 1);
    };
    std::signal(SIGINT, onInterrupt);
    auto cv = text::crossValidateText(c, folds, obs, onFold, g_cancel);
    std::signal(SIGINT, SIG_DFL);
    if (!cv) {
        err() << "graft-cli train: " << cv.error().message() << "\n";
        return kExitBlocked;
    }
    QJsonObject json = cv->toJson();
    json.insert("wall_seconds", double(wall.nsecsElapsed()) / 1e9);
    if (!writeReport(p, "train", json))
        return kExitFailure;
    out() << QStringLiteral("%1-fold accuracy %2 % (sd %3)  bag-of-words baseline %4 % (sd %5)  "
                            "%6  wall %7 s\n")
                 .arg(folds)
                 .arg(cv->meanAccuracy * 100, 0, 'f', 2)
                 .arg(cv->stdAccuracy * 100, 0, 'f', 2)
                 .arg(cv->meanBaselineAccuracy * 100, 0, 'f', 2)
                 .arg(cv->stdBaselineAccuracy * 100, 0, 'f', 2)
                 .arg(cv->meanAccuracy > cv->meanBaselineAccuracy ? QStringLiteral("beats baseline")
                                                                  : QStringLiteral("below baseline"))
                 .arg(double(wall.nsecsElapsed()) / 1e9, 0, 'f', 2);
    return kExitOk;
}

/// Text classification: reviews in class folders or CSV/TSV, optional pretrained word vectors.
int runTextTrain(const QCommandLineParser &p)
{
    if (!p.isSet(QStringLiteral("data"))) {
        err() << "graft-cli train: --data is required\n";
        return kExitFailure;
    }
    QElapsedTimer wall;
    wall.start();
    text::TextTrainingConfig c;
    c.dataPath = p.value(QStringLiteral("data"));
    c.vectorsPath = p.value(QStringLiteral("vectors"));
    c.epochs = p.value(QStringLiteral("epochs")).toInt();
    c.batchSize = p.value(QStringLiteral("batch-size")).toInt();
    if (p.isSet(QStringLiteral("lr")))
        c.learningRate = p.value(QStringLiteral("lr")).toDouble();
    c.seed = p.value(QStringLiteral("seed")).toInt();
    c.threads = p.value(QStringLiteral("threads")).toInt();
    c.valFraction = p.value(QStringLiteral("val-fraction")).toDouble();
    c.earlyStoppingPatience = p.value(QStringLiteral("patience")).toInt();
    c.freezeEmbeddings = p.isSet(QStringLiteral("freeze-embeddings"));
    c.languageModelPath = p.value(QStringLiteral("lm"));
    c.subwordVocab = p.value(QStringLiteral("subwords")).toInt();
    const QString head = p.value(QStringLiteral("head"));
    if (head != QLatin1String("linear") && !text::parseTextHead(head, &c.head)) {
        err() << "graft-cli train: --head for text is mean-max, cnn or bilstm\n";
        return kExitFailure;
    }
    if (c.epochs < 1 || c.batchSize < 1 || c.learningRate <= 0) {
        err() << "graft-cli train: invalid number in options\n";
        return kExitFailure;
    }
    const bool quiet = p.isSet(QStringLiteral("quiet"));
    ConsoleObserver console(c.epochs, quiet);
    text::TextTrainingObserver obs;
    obs.onBatch = [&console](const train::BatchEvent &e) { console.batchFinished(e); };
    obs.onEpoch = [&console](const train::EpochMetrics &m) { console.epochFinished(m); };
    const int folds = p.value(QStringLiteral("folds")).toInt();
    if (folds != 0)
        return runTextCrossValidation(p, c, folds, quiet, wall);
    std::signal(SIGINT, onInterrupt);
    auto result = text::runTextTraining(c, obs, g_cancel);
    std::signal(SIGINT, SIG_DFL);
    if (!result) {
        err() << "graft-cli train: " << result.error().message() << "\n";
        return kExitBlocked;
    }
    QJsonObject json = result->toJson();
    const auto exportWith = [&](const char *option, const char *key, const char *checkedWith,
                                auto fn) {
        if (!p.isSet(QLatin1String(option)))
            return true;
        auto check = fn(p.value(QLatin1String(option)));
        if (!check) {
            err() << "graft-cli train: export failed: " << check.error().message() << "\n";
            return false;
        }
        json.insert(QLatin1String(key), QJsonObject{{"path", check->path},
                                                    {"samples", check->samples},
                                                    {"agreement", check->agreement},
                                                    {"max_abs_prob_diff", check->maxAbsProbabilityDiff},
                                                    {"checked_with", checkedWith}});
        if (!quiet)
            err() << QStringLiteral("exported %1: %2 agrees on %3 % of %4 validation texts "
                                    "(max |dp| %5)\n")
                         .arg(check->path, QLatin1String(checkedWith))
                         .arg(check->agreement * 100, 0, 'f', 1)
                         .arg(check->samples)
                         .arg(check->maxAbsProbabilityDiff, 0, 'g', 3);
        return true;
    };
    if (!exportWith("export", "export", "the re-loaded file",
                    [&](const QString &f) { return result->model->exportTorchScript(f); }) ||
        !exportWith("export-onnx", "export_onnx", "OpenCV DNN",
                    [&](const QString &f) { return result->model->exportOnnx(f); }))
        return kExitFailure;
    json.insert("wall_seconds", double(wall.nsecsElapsed()) / 1e9);
    if (!writeReport(p, "train", json))
        return kExitFailure;
    out() << QStringLiteral("val_accuracy %1 %  best_epoch %2  wall %3 s\n")
                 .arg(result->valAccuracy * 100, 0, 'f', 2)
                 .arg(result->bestEpoch)
                 .arg(double(wall.nsecsElapsed()) / 1e9, 0, 'f', 2);
    return kExitOk;
}

} // namespace

int runLanguageModel(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Trains a word-level LSTM language model (ULMFiT's first step) on "
                       "unlabelled text and saves it for 'graft-cli train --lm'."));
    p.addOptions({
        {QStringLiteral("data"),
         QStringLiteral("text to learn from: a labelled dataset (labels are ignored), a folder "
                        "of .txt files or a CSV/TSV file; repeat for more"),
         QStringLiteral("PATH")},
        {QStringLiteral("out"), QStringLiteral("the language model file to write"),
         QStringLiteral("FILE")},
        {QStringLiteral("vectors"), QStringLiteral("pretrained word vectors to start from"),
         QStringLiteral("FILE")},
        {QStringLiteral("hidden"), QStringLiteral("LSTM units (default 100)"), QStringLiteral("N"),
         QStringLiteral("100")},
        {QStringLiteral("embedding-dim"), QStringLiteral("embedding size without --vectors (100)"),
         QStringLiteral("N"), QStringLiteral("100")},
        {QStringLiteral("epochs"), QStringLiteral("epochs (default 4)"), QStringLiteral("N"),
         QStringLiteral("4")},
        {QStringLiteral("lr"), QStringLiteral("max learning rate (default 0.003)"),
         QStringLiteral("LR"), QStringLiteral("0.003")},
        {QStringLiteral("bptt"), QStringLiteral("tokens per back-propagation window (50)"),
         QStringLiteral("N"), QStringLiteral("50")},
        {QStringLiteral("min-frequency"), QStringLiteral("keep words seen this often (2)"),
         QStringLiteral("N"), QStringLiteral("2")},
        {QStringLiteral("max-vocabulary"), QStringLiteral("vocabulary cap (30000)"),
         QStringLiteral("N"), QStringLiteral("30000")},
        {QStringLiteral("seed"), QStringLiteral("seed (default 42)"), QStringLiteral("S"),
         QStringLiteral("42")},
        {QStringLiteral("threads"), QStringLiteral("CPU threads (default: all cores)"),
         QStringLiteral("T"), QStringLiteral("0")},
        {QStringLiteral("report"), QStringLiteral("write the JSON report to FILE"),
         QStringLiteral("FILE")},
        {QStringLiteral("quiet"), QStringLiteral("no progress output")},
    });
    int code = kExitOk;
    if (!parseArgs(p, QStringLiteral("lm"), args, &code))
        return code;
    if (!p.isSet(QStringLiteral("data")) || !p.isSet(QStringLiteral("out"))) {
        err() << "graft-cli lm: --data and --out are required\n";
        return kExitFailure;
    }
    text::LanguageModelConfig c;
    c.sources = p.values(QStringLiteral("data"));
    c.vectorsPath = p.value(QStringLiteral("vectors"));
    c.hidden = p.value(QStringLiteral("hidden")).toInt();
    c.embeddingDim = p.value(QStringLiteral("embedding-dim")).toInt();
    c.epochs = p.value(QStringLiteral("epochs")).toInt();
    c.learningRate = p.value(QStringLiteral("lr")).toDouble();
    c.bptt = p.value(QStringLiteral("bptt")).toInt();
    c.minFrequency = p.value(QStringLiteral("min-frequency")).toInt();
    c.maxVocabulary = p.value(QStringLiteral("max-vocabulary")).toInt();
    c.seed = p.value(QStringLiteral("seed")).toInt();
    c.threads = p.value(QStringLiteral("threads")).toInt();
    const bool quiet = p.isSet(QStringLiteral("quiet"));
    ConsoleObserver console(c.epochs, quiet);
    text::LanguageModelObserver obs;
    obs.onBatch = [&console](const train::BatchEvent &e) { console.batchFinished(e); };
    obs.onEpoch = [&](const text::LanguageModelEpoch &m) {
        if (!quiet)
            err() << QStringLiteral("\repoch %1/%2  train loss %3  val loss %4  val perplexity %5"
                                    "  %6 s\n")
                         .arg(m.epoch)
                         .arg(c.epochs)
                         .arg(m.trainLoss, 0, 'f', 4)
                         .arg(m.valLoss, 0, 'f', 4)
                         .arg(m.valPerplexity, 0, 'f', 1)
                         .arg(m.seconds, 0, 'f', 1);
        err().flush();
    };
    std::signal(SIGINT, onInterrupt);
    auto r = text::trainLanguageModel(c, p.value(QStringLiteral("out")), obs, g_cancel);
    std::signal(SIGINT, SIG_DFL);
    if (!r) {
        err() << "graft-cli lm: " << r.error().message() << "\n";
        return kExitBlocked;
    }
    for (const QString &w : r->warnings)
        err() << "graft-cli lm: skipped " << w << "\n";
    if (!writeReport(p, "lm", r->toJson()))
        return kExitFailure;
    out() << QStringLiteral("saved %1: %2 texts, %3 training words, vocabulary %4, val "
                            "perplexity %5 (word frequencies alone: %6)  %7 s\n")
                 .arg(r->path)
                 .arg(r->texts)
                 .arg(r->trainTokens)
                 .arg(r->vocabularySize)
                 .arg(r->epochs.back().valPerplexity, 0, 'f', 1)
                 .arg(r->unigramPerplexity, 0, 'f', 1)
                 .arg(r->seconds, 0, 'f', 1);
    return kExitOk;
}

int runBackbones(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Lists the backbone catalogue."));
    p.addOption({QStringLiteral("json"), QStringLiteral("print JSON")});
    p.addOption({QStringLiteral("weights-dir"), QStringLiteral("weights folder"),
                 QStringLiteral("DIR")});
    int code = kExitOk;
    if (!parseArgs(p, QStringLiteral("backbones"), args, &code))
        return code;
    const QString dir = vision::resolveWeightsDir(p.value(QStringLiteral("weights-dir")));
    QJsonArray arr;
    for (const auto &s : vision::BackboneCatalogue::builtin().all()) {
        const auto state = vision::weightsState(s, dir);
        arr.append(QJsonObject{{"id", s.id},
                               {"name", s.displayName},
                               {"task", s.task},
                               {"architecture", s.architecture},
                               {"pretrained_on", s.pretrainedOn},
                               {"input_size", s.preprocessing.inputSize},
                               {"licence", s.licence},
                               {"weights", QString::fromLatin1(vision::weightsStateName(state))},
                               {"weights_file", s.weightsFile},
                               {"url", s.url}});
    }
    if (p.isSet(QStringLiteral("json"))) {
        out() << QJsonDocument(arr).toJson(QJsonDocument::Indented);
        return kExitOk;
    }
    out() << "Weights folder: " << dir << "\n\n";
    for (const auto &v : arr) {
        const QJsonObject o = v.toObject();
        out() << QStringLiteral("%1 %2 %3 %4\n")
                     .arg(o.value("id").toString(), -34)
                     .arg(o.value("task").toString(), -6)
                     .arg(o.value("pretrained_on").toString(), -22)
                     .arg(o.value("weights").toString());
    }
    return kExitOk;
}

namespace {

/// The plain-text summary of `eval`: accuracy, loss and per-class precision/recall/F1.
void printEvaluation(double accuracy, int samples, const char *unit, double loss,
                     const QStringList &classes, const std::vector<train::ClassMetrics> &perClass)
{
    out() << QStringLiteral("accuracy %1 % on %2 %3 (loss %4)\n")
                 .arg(accuracy * 100, 0, 'f', 2)
                 .arg(samples)
                 .arg(QLatin1String(unit))
                 .arg(loss, 0, 'f', 4);
    for (int c = 0; c < classes.size() && c < int(perClass.size()); ++c)
        out() << QStringLiteral("  %1 precision %2 recall %3 f1 %4\n")
                     .arg(classes[c], -16)
                     .arg(perClass[size_t(c)].precision, 0, 'f', 3)
                     .arg(perClass[size_t(c)].recall, 0, 'f', 3)
                     .arg(perClass[size_t(c)].f1, 0, 'f', 3);
}

/// predict with a text model: --text strings and/or text files.
int runTextPredict(const QCommandLineParser &p, const QStringList &files, int topK)
{
    auto model = text::TextClassifier::load(p.value(QStringLiteral("model")));
    if (!model) {
        err() << "graft-cli predict: " << model.error().message() << "\n";
        return kExitBlocked;
    }
    QStringList texts = p.values(QStringLiteral("text"));
    QStringList sources = texts;
    bool anyError = false;
    for (const QString &f : files) {
        auto t = text::readTextFile(f);
        if (!t) {
            err() << "graft-cli predict: " << t.error().message() << "\n";
            anyError = true;
            continue;
        }
        texts << t->text;
        sources << f;
    }
    if (texts.isEmpty() || topK < 1) {
        err() << "graft-cli predict: give --text TEXT or text files to classify\n";
        return kExitFailure;
    }
    auto preds = model->predict(texts, topK, sources);
    if (!preds) {
        err() << "graft-cli predict: " << preds.error().message() << "\n";
        return kExitFailure;
    }
    const QStringList labels = model->classes();
    const bool explain = p.isSet(QStringLiteral("explain"));
    QJsonArray arr;
    for (size_t i = 0; i < preds->size(); ++i) {
        const auto &pr = (*preds)[i];
        anyError = anyError || !pr.error.isEmpty();
        QJsonArray top;
        for (const auto &[idx, prob] : pr.top)
            top.append(QJsonObject{{"label", labels.value(idx)}, {"prob", double(prob)}});
        QJsonObject o{{"source", pr.source},
                      {"tokens", pr.tokens},
                      {"unknown_tokens", pr.unknownTokens},
                      {"top", top}};
        if (!pr.error.isEmpty())
            o.insert("error", pr.error);
        std::vector<text::TokenContribution> words;
        if (explain && pr.error.isEmpty()) {
            auto ex = model->explain(texts[int(i)]);
            if (ex) {
                words = *ex;
                std::stable_sort(words.begin(), words.end(), [](const auto &a, const auto &b) {
                    return std::fabs(a.weight) > std::fabs(b.weight);
                });
                words.resize(std::min<size_t>(words.size(), 10));
                QJsonArray w;
                for (const auto &c : words)
                    w.append(QJsonObject{{"token", c.token}, {"weight", c.weight}});
                o.insert("words", w);
            }
        }
        arr.append(o);
        if (!p.isSet(QStringLiteral("json"))) {
            QString shown = pr.source.simplified();
            if (shown.size() > 70)
                shown = shown.left(67) + QStringLiteral("...");
            out() << shown << "\n";
            if (!pr.error.isEmpty())
                out() << "  error: " << pr.error << "\n";
            for (const auto &[idx, prob] : pr.top)
                out() << QStringLiteral("  %1 %  %2\n").arg(prob * 100, 6, 'f', 2).arg(labels.value(idx));
            if (!words.empty()) {
                QStringList w;
                for (const auto &c : words)
                    w << QStringLiteral("%1 (%2%3)")
                             .arg(c.token, c.weight >= 0 ? QStringLiteral("+") : QString())
                             .arg(c.weight, 0, 'f', 3);
                out() << "  words: " << w.join(QStringLiteral(", ")) << "\n";
            }
        }
    }
    if (p.isSet(QStringLiteral("json")))
        out() << QJsonDocument(arr).toJson(QJsonDocument::Indented);
    return anyError ? kExitBlocked : kExitOk;
}

/// eval with a text model on a text dataset.
int runTextEval(const QCommandLineParser &p)
{
    auto model = text::TextClassifier::load(p.value(QStringLiteral("model")));
    if (!model) {
        err() << "graft-cli eval: " << model.error().message() << "\n";
        return kExitBlocked;
    }
    text::TextScanOptions so;
    so.tokenizer = model->tokenizerOptions();
    auto ds = text::scanTextDataset(p.value(QStringLiteral("data")), so);
    if (!ds) {
        err() << "graft-cli eval: " << ds.error().message() << "\n";
        return kExitBlocked;
    }
    const QString split = p.value(QStringLiteral("split"));
    std::vector<int> idx;
    if (split == QLatin1String("all")) {
        for (size_t i = 0; i < ds->samples.size(); ++i)
            idx.push_back(int(i));
    } else if (split == QLatin1String("test")) {
        idx = ds->indicesOf(QStringLiteral("test"));
    } else {
        const auto s = text::splitTextDataset(ds.value(), p.value(QStringLiteral("val-fraction")).toDouble(),
                                              p.value(QStringLiteral("seed")).toInt());
        idx = split == QLatin1String("train") ? s.train : s.val;
    }
    if (idx.empty()) {
        err() << "graft-cli eval: no texts in the " << split << " split\n";
        return kExitBlocked;
    }
    auto ev = model->evaluate(ds.value(), idx);
    if (!ev) {
        err() << "graft-cli eval: " << ev.error().message() << "\n";
        return kExitBlocked;
    }
    QJsonObject json = ev->toJson(model->classes());
    json.insert("kind", "text");
    json.insert("classes", QJsonArray::fromStringList(model->classes()));
    json.insert("split", split);
    json.insert("samples", int(idx.size()));
    if (p.isSet(QStringLiteral("json"))) {
        printJson(json);
    } else {
        printEvaluation(ev->accuracy, int(idx.size()), "texts", ev->loss, model->classes(),
                        ev->perClass);
    }
    return kExitOk;
}

} // namespace

int runPredict(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Predicts classes of images with an exported model (--model) or with a "
                       "backbone's own ImageNet classifier (--backbone)."));
    p.addPositionalArgument(QStringLiteral("FILES"), QStringLiteral("images"), QStringLiteral("FILES..."));
    p.addOption({QStringLiteral("model"), QStringLiteral("exported Graft model (TorchScript; trusted)"),
                 QStringLiteral("FILE")});
    p.addOption({QStringLiteral("backbone"), QStringLiteral("backbone id"), QStringLiteral("ID")});
    p.addOption({QStringLiteral("weights-dir"), QStringLiteral("weights folder"), QStringLiteral("DIR")});
    p.addOption({QStringLiteral("topk"), QStringLiteral("classes per image (default 5)"),
                 QStringLiteral("K"), QStringLiteral("5")});
    p.addOption({QStringLiteral("text"),
                 QStringLiteral("text model: classify this text (repeatable; FILES are then "
                                "optional and read as text files)"),
                 QStringLiteral("TEXT")});
    p.addOption({QStringLiteral("explain"),
                 QStringLiteral("text model: also list the words that pushed each prediction")});
    p.addOption({QStringLiteral("json"), QStringLiteral("print JSON")});
    int code = kExitOk;
    if (!parseArgs(p, QStringLiteral("predict"), args, &code))
        return code;
    const QStringList files = p.positionalArguments();
    const int topK = p.value(QStringLiteral("topk")).toInt();
    if (p.isSet(QStringLiteral("model")) &&
        (p.isSet(QStringLiteral("text")) ||
         text::TextClassifier::isTextModel(p.value(QStringLiteral("model")))))
        return runTextPredict(p, files, topK);
    if (files.isEmpty() || topK < 1 ||
        p.isSet(QStringLiteral("model")) == p.isSet(QStringLiteral("backbone"))) {
        err() << "graft-cli predict: give --model FILE or --backbone ID, and at least one image\n";
        return kExitFailure;
    }
    std::vector<train::Prediction> preds;
    QStringList labels;
    if (p.isSet(QStringLiteral("model"))) {
        auto model = train::ExportedModel::load(p.value(QStringLiteral("model")));
        if (!model) {
            err() << "graft-cli predict: " << model.error().message() << "\n";
            return kExitBlocked;
        }
        auto r = model->predict(files, topK);
        if (!r) {
            err() << "graft-cli predict: " << r.error().message() << "\n";
            return kExitFailure;
        }
        preds = *r;
        labels = model->classes();
    } else {
        auto r = train::predictWithBackbone(p.value(QStringLiteral("backbone")),
                                            p.value(QStringLiteral("weights-dir")), files, topK);
        if (!r) {
            err() << "graft-cli predict: " << r.error().message() << "\n";
            return kExitBlocked;
        }
        preds = r->predictions;
        labels = r->labels;
    }
    if (p.isSet(QStringLiteral("json")))
        out() << QJsonDocument(predictionsJson(preds, labels)).toJson(QJsonDocument::Indented);
    else
        printPredictions(preds, labels);
    bool anyError = false;
    for (const auto &pr : preds)
        anyError = anyError || !pr.error.isEmpty();
    return anyError ? kExitBlocked : kExitOk;
}

int runTrain(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Trains an image classifier on a dataset folder."));
    const QList<QCommandLineOption> opts = {
        {QStringLiteral("data"), QStringLiteral("dataset folder"), QStringLiteral("DIR")},
        {QStringLiteral("backbone"), QStringLiteral("backbone id (see 'graft-cli backbones')"),
         QStringLiteral("ID")},
        {QStringLiteral("weights-dir"), QStringLiteral("weights folder"), QStringLiteral("DIR")},
        {QStringLiteral("random-init"), QStringLiteral("start from random weights (for comparison)")},
        {QStringLiteral("recipe"),
         QStringLiteral("feature-extractor | fine-tune | full | gradual (default feature-extractor)"),
         QStringLiteral("R"), QStringLiteral("feature-extractor")},
        {QStringLiteral("cut"), QStringLiteral("use layer groups 1..N (default all)"),
         QStringLiteral("N"), QStringLiteral("0")},
        {QStringLiteral("fine-tune-groups"), QStringLiteral("groups trained by fine-tune (default 2)"),
         QStringLiteral("N"), QStringLiteral("2")},
        {QStringLiteral("head-epochs"), QStringLiteral("head-only epochs before fine-tuning (default 4)"),
         QStringLiteral("N"), QStringLiteral("4")},
        {QStringLiteral("backbone-lr-factor"),
         QStringLiteral("backbone groups train at this fraction of --lr (default 0.1)"),
         QStringLiteral("F"), QStringLiteral("0.1")},
        {QStringLiteral("head"),
         QStringLiteral("linear | mlp (default linear); text: mean-max | cnn | bilstm (default mean-max)"),
         QStringLiteral("H"), QStringLiteral("linear")},
        {QStringLiteral("epochs"), QStringLiteral("epochs (default 10)"), QStringLiteral("N"),
         QStringLiteral("10")},
        {QStringLiteral("batch-size"), QStringLiteral("batch size (default 32)"), QStringLiteral("B"),
         QStringLiteral("32")},
        {QStringLiteral("lr"), QStringLiteral("max learning rate of the head, or 'auto' (default 0.01)"),
         QStringLiteral("LR"), QStringLiteral("0.01")},
        {QStringLiteral("schedule"), QStringLiteral("one-cycle | cosine | constant"),
         QStringLiteral("S"), QStringLiteral("one-cycle")},
        {QStringLiteral("optimizer"), QStringLiteral("adamw | sgd"), QStringLiteral("O"),
         QStringLiteral("adamw")},
        {QStringLiteral("weight-decay"), QStringLiteral("weight decay (default 0.01)"),
         QStringLiteral("W"), QStringLiteral("0.01")},
        {QStringLiteral("label-smoothing"), QStringLiteral("label smoothing (default 0)"),
         QStringLiteral("E"), QStringLiteral("0")},
        {QStringLiteral("balanced"), QStringLiteral("weight classes by inverse frequency")},
        {QStringLiteral("augment"),
         QStringLiteral("on | off | auto (default auto: on when the recipe trains backbone layers)"),
         QStringLiteral("A"), QStringLiteral("auto")},
        {QStringLiteral("augment-views"), QStringLiteral("cached augmented views (default 2)"),
         QStringLiteral("K"), QStringLiteral("2")},
        {QStringLiteral("patience"), QStringLiteral("early stopping patience in epochs (0 = off)"),
         QStringLiteral("N"), QStringLiteral("0")},
        {QStringLiteral("monitor"),
         QStringLiteral("accuracy | loss: what picks the best epoch (default accuracy)"),
         QStringLiteral("M"), QStringLiteral("accuracy")},
        {QStringLiteral("val-fraction"), QStringLiteral("validation share without a split (0.2)"),
         QStringLiteral("F"), QStringLiteral("0.2")},
        {QStringLiteral("seed"), QStringLiteral("seed (default 42)"), QStringLiteral("S"),
         QStringLiteral("42")},
        {QStringLiteral("threads"), QStringLiteral("CPU threads (default: all cores)"),
         QStringLiteral("T"), QStringLiteral("0")},
        {QStringLiteral("device"),
         QStringLiteral("auto | cpu | cuda | cuda:N (default auto: CUDA when this build has it)"),
         QStringLiteral("D"), QStringLiteral("auto")},
        {QStringLiteral("cache-dir"), QStringLiteral("feature cache folder"), QStringLiteral("DIR")},
        {QStringLiteral("no-cache"), QStringLiteral("do not read or write the feature cache")},
        {QStringLiteral("checkpoint-dir"), QStringLiteral("write a checkpoint each epoch here"),
         QStringLiteral("DIR")},
        {QStringLiteral("resume"), QStringLiteral("resume from the checkpoint in --checkpoint-dir")},
        {QStringLiteral("export"), QStringLiteral("export the model (TorchScript) to FILE"),
         QStringLiteral("FILE")},
        {QStringLiteral("export-onnx"),
         QStringLiteral("export the model as ONNX (opset 13) to FILE, checked with OpenCV DNN"),
         QStringLiteral("FILE")},
        {QStringLiteral("report"), QStringLiteral("write the JSON report to FILE"),
         QStringLiteral("FILE")},
        {QStringLiteral("quiet"), QStringLiteral("no progress output")},
        {QStringLiteral("kind"),
         QStringLiteral("auto | image | text (default auto: text when --vectors is given, the "
                        "data is a file, or a folder of .txt/.csv/.tsv files without images)"),
         QStringLiteral("K"), QStringLiteral("auto")},
        {QStringLiteral("vectors"),
         QStringLiteral("text: pretrained word vectors (GloVe, word2vec, fastText .vec or .bin; .bin gives unseen words vectors from their character n-grams)"),
         QStringLiteral("FILE")},
        {QStringLiteral("freeze-embeddings"),
         QStringLiteral("text: keep the pretrained word vectors fixed (train the head only)")},
        {QStringLiteral("subwords"),
         QStringLiteral("text: split words into subword pieces (byte-pair encoding, at most N "
                        "pieces) learnt from the training texts (0 = whole words)"),
         QStringLiteral("N"), QStringLiteral("0")},
        {QStringLiteral("lm"),
         QStringLiteral("text: start from a language model made by 'graft-cli lm' (its "
                        "vocabulary, embedding and LSTM; BiLSTM head, gradual unfreezing)"),
         QStringLiteral("FILE")},
        {QStringLiteral("folds"),
         QStringLiteral("text: K-fold cross-validation of this configuration against a "
                        "bag-of-words logistic regression on the same folds (no export)"),
         QStringLiteral("K"), QStringLiteral("0")},
    };
    p.addOptions(opts);
    int code = kExitOk;
    if (!parseArgs(p, QStringLiteral("train"), args, &code))
        return code;
    const QString kind = p.value(QStringLiteral("kind"));
    const bool text = kind == QLatin1String("text") ||
                      (kind == QLatin1String("auto") &&
                       (p.isSet(QStringLiteral("vectors")) ||
                        text::looksLikeTextDataset(p.value(QStringLiteral("data")))));
    if (text)
        return runTextTrain(p);
    if (p.isSet(QStringLiteral("folds"))) {
        err() << "graft-cli train: --folds is available for text data\n";
        return kExitFailure;
    }
    if (!p.isSet(QStringLiteral("data")) || !p.isSet(QStringLiteral("backbone"))) {
        err() << "graft-cli train: --data and --backbone are required\n";
        return kExitFailure;
    }
    QElapsedTimer wall;
    wall.start();
    train::TrainingConfig c;
    c.backboneId = p.value(QStringLiteral("backbone"));
    c.weightsDir = p.value(QStringLiteral("weights-dir"));
    c.pretrained = !p.isSet(QStringLiteral("random-init"));
    if (!train::parseRecipe(p.value(QStringLiteral("recipe")), &c.recipe) ||
        !train::parseSchedule(p.value(QStringLiteral("schedule")), &c.schedule)) {
        err() << "graft-cli train: unknown --recipe or --schedule\n";
        return kExitFailure;
    }
    bool ok = true;
    auto toInt = [&](const char *name) {
        bool k = false;
        const int v = p.value(QString::fromLatin1(name)).toInt(&k);
        ok = ok && k;
        return v;
    };
    auto toDouble = [&](const char *name) {
        bool k = false;
        const double v = p.value(QString::fromLatin1(name)).toDouble(&k);
        ok = ok && k;
        return v;
    };
    c.cutAt = toInt("cut");
    c.fineTuneGroups = toInt("fine-tune-groups");
    c.headEpochs = toInt("head-epochs");
    c.backboneLrFactor = toDouble("backbone-lr-factor");
    c.head = p.value(QStringLiteral("head")) == QLatin1String("mlp") ? train::HeadKind::Mlp
                                                                      : train::HeadKind::Linear;
    c.epochs = toInt("epochs");
    c.batchSize = toInt("batch-size");
    c.learningRate = p.value(QStringLiteral("lr")) == QLatin1String("auto") ? 0.0 : toDouble("lr");
    c.optimizer = p.value(QStringLiteral("optimizer")) == QLatin1String("sgd")
                      ? train::OptimizerKind::Sgd
                      : train::OptimizerKind::AdamW;
    c.weightDecay = toDouble("weight-decay");
    c.labelSmoothing = toDouble("label-smoothing");
    c.balancedClassWeights = p.isSet(QStringLiteral("balanced"));
    const QString augment = p.value(QStringLiteral("augment"));
    c.augment = augment == QLatin1String("on") ||
                (augment == QLatin1String("auto") && c.recipe != train::Recipe::FeatureExtractor);
    c.augmentViews = toInt("augment-views");
    c.earlyStoppingPatience = toInt("patience");
    c.monitorLoss = p.value(QStringLiteral("monitor")) == QLatin1String("loss");
    c.seed = toInt("seed");
    c.threads = toInt("threads");
    c.device = p.value(QStringLiteral("device"));
    c.cacheDir = p.value(QStringLiteral("cache-dir"));
    c.useFeatureCache = !p.isSet(QStringLiteral("no-cache"));
    c.checkpointDir = p.value(QStringLiteral("checkpoint-dir"));
    c.resume = p.isSet(QStringLiteral("resume"));
    const double valFraction = toDouble("val-fraction");
    if (!ok || c.epochs < 1 || c.batchSize < 1) {
        err() << "graft-cli train: invalid number in options\n";
        return kExitFailure;
    }
    core::setComputeThreads(c.threads);

    vision::ScanOptions so;
    so.seed = c.seed;
    so.valFraction = valFraction;
    // Headers, sizes, truncation and duplicates are checked here; pixel data is decoded once,
    // during training, where a file that fails is reported and skipped.
    so.verifyDecode = false;
    QJsonObject timings;
    QElapsedTimer phase;
    phase.start();
    auto lap = [&](const char *name) {
        timings.insert(QLatin1String(name), double(phase.nsecsElapsed()) / 1e9);
        phase.restart();
    };
    auto report = vision::scanImageFolder(p.value(QStringLiteral("data")), so);
    lap("scan");
    if (!report) {
        err() << "graft-cli train: " << report.error().message() << "\n";
        return kExitBlocked;
    }
    if (!report->canTrain()) {
        for (const auto &b : report->blocking)
            err() << "graft-cli train: " << b.message << "\n";
        return kExitBlocked;
    }
    const bool quiet = p.isSet(QStringLiteral("quiet"));
    if (!quiet)
        err() << QStringLiteral("%1 classes, %2 training / %3 validation images\n")
                     .arg(report->classes.size())
                     .arg(report->count(vision::Split::Train))
                     .arg(report->count(vision::Split::Val));

    if (!c.resume && !c.checkpointDir.isEmpty()) {
        const QString ckpt = QDir(c.checkpointDir).filePath(QStringLiteral("checkpoint.safetensors"));
        if (QFileInfo::exists(ckpt))
            err() << "graft-cli train: " << ckpt
                  << " holds an earlier run; add --resume to continue it (this run starts over "
                     "and replaces it)\n";
    }
    train::Trainer trainer;
    if (auto s = trainer.setup(c, *report); !s) {
        err() << "graft-cli train: " << s.error().message() << "\n";
        return kExitBlocked;
    }
    lap("setup");
    std::signal(SIGINT, onInterrupt);
    ConsoleObserver observer(c.epochs, quiet);
    auto result = trainer.train(&observer, g_cancel);
    std::signal(SIGINT, SIG_DFL);
    lap("train");
    if (!result) {
        err() << "graft-cli train: " << result.error().message() << "\n";
        return result.error().code == core::ErrorCode::NumericalError ? kExitBlocked : kExitFailure;
    }
    QJsonObject json = result->toJson();
    json.insert("dataset", report->root);
    json.insert("split", report->toJson().value("splits"));
    json.insert("device", trainer.deviceInUse());
    if (p.isSet(QStringLiteral("export")) && !result->cancelled) {
        auto check = trainer.exportTorchScript(p.value(QStringLiteral("export")));
        if (!check) {
            err() << "graft-cli train: export failed: " << check.error().message() << "\n";
            return kExitFailure;
        }
        json.insert("export", QJsonObject{{"path", check->path},
                                          {"samples", check->samples},
                                          {"agreement", check->agreement},
                                          {"max_abs_prob_diff", check->maxAbsProbabilityDiff}});
        lap("export");
        if (!quiet)
            err() << QStringLiteral("exported %1: re-loaded file agrees on %2 % of %3 validation "
                                    "images (max |dp| %4)\n")
                         .arg(check->path)
                         .arg(check->agreement * 100, 0, 'f', 1)
                         .arg(check->samples)
                         .arg(check->maxAbsProbabilityDiff, 0, 'g', 3);
    }
    if (p.isSet(QStringLiteral("export-onnx")) && !result->cancelled) {
        auto check = trainer.exportOnnx(p.value(QStringLiteral("export-onnx")));
        if (!check) {
            err() << "graft-cli train: ONNX export failed: " << check.error().message() << "\n";
            return kExitFailure;
        }
        json.insert("export_onnx", QJsonObject{{"path", check->path},
                                               {"samples", check->samples},
                                               {"agreement", check->agreement},
                                               {"max_abs_prob_diff", check->maxAbsProbabilityDiff},
                                               {"checked_with", "OpenCV DNN"}});
        lap("export_onnx");
        if (!quiet)
            err() << QStringLiteral("exported %1: OpenCV DNN agrees on %2 % of %3 validation images "
                                    "(max |dp| %4)\n")
                         .arg(check->path)
                         .arg(check->agreement * 100, 0, 'f', 1)
                         .arg(check->samples)
                         .arg(check->maxAbsProbabilityDiff, 0, 'g', 3);
    }
    json.insert("wall_seconds", double(wall.nsecsElapsed()) / 1e9);
    json.insert("timings", timings);
    if (!writeReport(p, "train", json))
        return kExitFailure;
    out() << QStringLiteral("val_accuracy %1 %  best_epoch %2  wall %3 s%4\n")
                 .arg(result->valAccuracy * 100, 0, 'f', 2)
                 .arg(result->bestEpoch)
                 .arg(double(wall.nsecsElapsed()) / 1e9, 0, 'f', 2)
                 .arg(result->cancelled ? QStringLiteral("  (cancelled)") : QString());
    return result->cancelled ? kExitFailure : kExitOk;
}

int runEval(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Evaluates an exported model on a dataset folder "
                                               "(its validation split, else its test split)."));
    p.addOption({QStringLiteral("model"), QStringLiteral("exported Graft model"), QStringLiteral("FILE")});
    p.addOption({QStringLiteral("data"), QStringLiteral("dataset folder"), QStringLiteral("DIR")});
    p.addOption({QStringLiteral("split"), QStringLiteral("val | test | train | all (default val)"),
                 QStringLiteral("S"), QStringLiteral("val")});
    p.addOption({QStringLiteral("seed"), QStringLiteral("split seed (default 42)"),
                 QStringLiteral("S"), QStringLiteral("42")});
    p.addOption({QStringLiteral("val-fraction"),
                 QStringLiteral("text data without a split: validation share, as in training (0.2)"),
                 QStringLiteral("F"), QStringLiteral("0.2")});
    p.addOption({QStringLiteral("json"), QStringLiteral("print JSON")});
    int code = kExitOk;
    if (!parseArgs(p, QStringLiteral("eval"), args, &code))
        return code;
    if (!p.isSet(QStringLiteral("model")) || !p.isSet(QStringLiteral("data"))) {
        err() << "graft-cli eval: --model and --data are required\n";
        return kExitFailure;
    }
    if (text::TextClassifier::isTextModel(p.value(QStringLiteral("model"))))
        return runTextEval(p);
    auto model = train::ExportedModel::load(p.value(QStringLiteral("model")));
    if (!model) {
        err() << "graft-cli eval: " << model.error().message() << "\n";
        return kExitBlocked;
    }
    vision::ScanOptions so;
    so.seed = p.value(QStringLiteral("seed")).toInt();
    auto report = vision::scanImageFolder(p.value(QStringLiteral("data")), so);
    if (!report) {
        err() << "graft-cli eval: " << report.error().message() << "\n";
        return kExitBlocked;
    }
    const QString split = p.value(QStringLiteral("split"));
    std::vector<vision::Sample> samples;
    if (split == QLatin1String("all")) {
        for (auto s : {vision::Split::Train, vision::Split::Val, vision::Split::Test}) {
            auto v = report->samples(s);
            samples.insert(samples.end(), v.begin(), v.end());
        }
    } else {
        samples = report->samples(split == QLatin1String("test")    ? vision::Split::Test
                                  : split == QLatin1String("train") ? vision::Split::Train
                                                                    : vision::Split::Val);
    }
    if (samples.empty()) {
        err() << "graft-cli eval: no images in the " << split << " split\n";
        return kExitBlocked;
    }
    auto ev = model->evaluate(samples, report->classNames());
    if (!ev) {
        err() << "graft-cli eval: " << ev.error().message() << "\n";
        return kExitBlocked;
    }
    QJsonObject json = ev->toJson(model->classes());
    json.insert("classes", QJsonArray::fromStringList(model->classes()));
    json.insert("split", split);
    if (p.isSet(QStringLiteral("json"))) {
        printJson(json);
    } else {
        printEvaluation(ev->accuracy, ev->samples, "images", ev->loss, model->classes(),
                        ev->perClass);
    }
    return kExitOk;
}

} // namespace graft::cli
