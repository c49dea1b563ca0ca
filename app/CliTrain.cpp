// graft-cli train | lm | predict | eval | export | runs | backbones: one path for every task.
// The CLI only turns options into a learn::RunConfig and prints; core holds the rules.
#include "CliCommands.h"
#include "CliCommon.h"

#include "graft/export/Exporter.h"
#include "graft/io/AtomicFile.h"
#include "graft/learn/Session.h"
#include "graft/text/TextDecoder.h"
#include "graft/vision/BackboneCatalogue.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>
#include <csignal>
#include <functional>

namespace graft::cli {

namespace {

using learn::TaskKind;

QString formatSeconds(double s)
{
    if (s < 0)
        return QStringLiteral("--:--");
    const int t = int(s + 0.5);
    return QStringLiteral("%1:%2").arg(t / 60).arg(t % 60, 2, 10, QLatin1Char('0'));
}

/// Progress on stderr: a redrawn line on a terminal (10 Hz), a line per epoch, every notice.
class ConsoleObserver : public learn::Observer
{
public:
    explicit ConsoleObserver(bool quiet, bool perplexity = false)
        : m_tty(stderrIsTerminal())
        , m_quiet(quiet)
        , m_perplexity(perplexity)
    {
        m_throttle.start();
    }

    void progress(const learn::Progress &p) override
    {
        if (!m_tty || m_quiet || (m_throttle.elapsed() < 100 && p.done != p.total))
            return;
        m_throttle.restart();
        if (p.phase == learn::Phase::Train) {
            const int width = 24;
            const int filled = p.batchesPerEpoch ? width * p.batch / p.batchesPerEpoch : 0;
            err() << QStringLiteral("\repoch %1/%2 [%3%4] batch %5/%6 loss %7 %8/s ETA %9   ")
                         .arg(p.epoch)
                         .arg(p.epochs)
                         .arg(QString(filled, QLatin1Char('#')), QString(width - filled, QLatin1Char('.')))
                         .arg(p.batch)
                         .arg(p.batchesPerEpoch)
                         .arg(p.loss, 0, 'f', 4)
                         .arg(p.itemsPerSecond, 0, 'f', 0)
                         .arg(formatSeconds(p.etaSeconds));
        } else {
            err() << QStringLiteral("\r%1: %2/%3  %4/s  ETA %5   ")
                         .arg(QLatin1String(learn::nameOf(p.phase)))
                         .arg(p.done)
                         .arg(p.total)
                         .arg(p.itemsPerSecond, 0, 'f', 0)
                         .arg(formatSeconds(p.etaSeconds));
            if (p.done == p.total)
                err() << "\n";
        }
        err().flush();
    }

    void epochFinished(const learn::EpochMetrics &m) override
    {
        if (m_quiet)
            return;
        if (m_tty)
            err() << "\r" << QString(100, QLatin1Char(' ')) << "\r";
        const QString val = m_perplexity
                                ? QStringLiteral("val perplexity %1").arg(std::exp(m.valLoss), 0, 'f', 1)
                                : QStringLiteral("val acc %1 %").arg(m.valAccuracy * 100, 0, 'f', 1);
        err() << QStringLiteral("epoch %1  train loss %2  val loss %3  %4  %5 s%6\n")
                     .arg(m.epoch)
                     .arg(m.trainLoss, 0, 'f', 4)
                     .arg(m.valLoss, 0, 'f', 4)
                     .arg(val)
                     .arg(m.seconds, 0, 'f', 2)
                     .arg(m.best ? QStringLiteral("  *") : QString());
        err().flush();
    }

    void notice(const learn::Notice &n) override
    {
        // Notices are warnings and facts (skipped files, unsaved checkpoints, the run folder),
        // not progress: --quiet keeps them, but for the coverage line.
        if (m_quiet && n.code == learn::Notice::Code::VectorCoverage)
            return;
        err() << (m_tty && !m_quiet ? "\r" : "") << learn::noticeText(n) << "\n";
    }

private:
    bool m_tty, m_quiet, m_perplexity;
    QElapsedTimer m_throttle;
};

core::CancelToken g_cancel;

extern "C" void onInterrupt(int)
{
    g_cancel.requestCancel();
}

/// Ctrl-C cancels the running job (within one batch) instead of killing the process.
struct InterruptScope
{
    InterruptScope() { std::signal(SIGINT, onInterrupt); }
    ~InterruptScope() { std::signal(SIGINT, SIG_DFL); }
};

/// Writes `json` to --report FILE when given; false (after saying why) when it cannot.
bool writeReport(const QCommandLineParser &p, const QString &command, const QJsonObject &json)
{
    if (!p.isSet(QStringLiteral("report")))
        return true;
    const auto s = io::writeFileAtomically(p.value(QStringLiteral("report")),
                                           QJsonDocument(json).toJson(QJsonDocument::Indented));
    if (!s)
        err() << "graft-cli " << command << ": cannot write report " << s.error().message() << "\n";
    return s.ok();
}

int fail(const QString &command, const core::Error &e, int code = kExitBlocked)
{
    err() << "graft-cli " << command << ": " << e.message() << "\n";
    return code;
}

// ---- train: the options and which tasks they apply to ---------------------------------------

enum Applies { Image = 1, Text = 2, Lm = 4, Any = 7 };

struct Option
{
    QCommandLineOption option;
    int applies;
};

QCommandLineOption opt(const char *name, const char *help, const char *value = nullptr,
                       const char *def = nullptr)
{
    QCommandLineOption o(QString::fromLatin1(name), QString::fromLatin1(help));
    if (value)
        o.setValueName(QString::fromLatin1(value));
    if (def)
        o.setDefaultValue(QString::fromLatin1(def));
    return o;
}

const std::vector<Option> &trainOptions()
{
    static const std::vector<Option> options = {
        {opt("data", "dataset folder (class folders of images or reviews) or a CSV/TSV file", "PATH"), Any},
        {opt("kind", "auto | image | text (default auto: text for a file, or a folder of .txt/.csv/.tsv files without images)", "K", "auto"), Any},
        {opt("backbone", "images: backbone id; text: a word-vectors id (see 'graft-cli backbones')", "ID"), Any},
        {opt("weights-dir", "where catalogue weights and vectors are (default $GRAFT_WEIGHTS_DIR or the user cache)", "DIR"), Any},
        {opt("epochs", "epochs (default 10)", "N"), Any},
        {opt("batch-size", "batch size (default 32)", "B"), Any},
        {opt("lr", "maximum learning rate, or 'auto' for the learning-rate finder (default 0.01 images, 0.003 text)", "LR"), Any},
        {opt("schedule", "one-cycle | cosine | constant (default one-cycle)", "S"), Any},
        {opt("warmup", "warm-up share of one-cycle and cosine (default 0.25)", "F"), Any},
        {opt("optimizer", "adamw | sgd (default adamw)", "O"), Any},
        {opt("weight-decay", "weight decay (default 0.01)", "W"), Any},
        {opt("label-smoothing", "label smoothing (default 0)", "E"), Image | Text},
        {opt("balanced", "weight classes by inverse frequency"), Image | Text},
        {opt("patience", "early stopping: epochs without improvement of --monitor (0 = off)", "N"), Any},
        {opt("monitor", "accuracy | loss: what picks the kept epoch and drives early stopping (default accuracy)", "M"), Any},
        {opt("val-fraction", "validation share when the data has no split (default 0.2)", "F"), Any},
        {opt("seed", "seed of the split, shuffles and initial weights (default 42)", "S"), Any},
        {opt("threads", "CPU threads (default: all cores)", "T"), Any},
        {opt("device", "auto | cpu | cuda | cuda:N (default auto: CUDA when this build has it)", "D"), Any},
        {opt("checkpoint-dir", "write a checkpoint after each epoch here", "DIR"), Any},
        {opt("resume", "continue the run whose checkpoint is in --checkpoint-dir"), Any},
        {opt("runs-dir", "where the run folder is written (default $GRAFT_RUNS_DIR or the user data folder)", "DIR"), Any},
        {opt("export", "export the model as TorchScript to FILE, checked by re-loading it", "FILE"), Image | Text},
        {opt("export-onnx", "export the model as ONNX (opset 13) to FILE, checked with OpenCV DNN", "FILE"), Image | Text},
        {opt("report", "write the JSON report to FILE", "FILE"), Any},
        {opt("quiet", "no progress output"), Any},
        {opt("head", "images: linear | mlp (default linear); text: mean-max | cnn | bilstm (default mean-max)", "H"), Image | Text},
        {opt("random-init", "images: start from random weights (for comparison)"), Image},
        {opt("recipe", "images: feature-extractor | fine-tune | full | gradual (default feature-extractor)", "R"), Image},
        {opt("cut", "images: use layer groups 1..N (default all)", "N"), Image},
        {opt("fine-tune-groups", "images: groups trained by fine-tune (default 2)", "N"), Image},
        {opt("head-epochs", "images: head-only epochs before fine-tuning (default 4)", "N"), Image},
        {opt("backbone-lr-factor", "images: backbone groups train at this fraction of --lr (default 0.1)", "F"), Image},
        {opt("augment", "images: on | off | auto (default auto: on when the recipe trains backbone layers)", "A"), Image},
        {opt("augment-views", "images: cached augmented views per image (default 2)", "K"), Image},
        {opt("cache-dir", "images: feature cache folder", "DIR"), Image},
        {opt("no-cache", "images: do not read or write the feature cache"), Image},
        {opt("vectors", "text: pretrained word vectors (GloVe, word2vec, fastText .vec or .bin; .bin gives unseen words vectors from their character n-grams)", "FILE"), Text | Lm},
        {opt("freeze-embeddings", "text: keep the pretrained word vectors fixed"), Text},
        {opt("subwords", "text: split words into byte-pair pieces (at most N) learnt from the training texts", "N"), Text},
        {opt("lm", "text: start from a language model ('graft-cli lm' file or run folder): its vocabulary, embedding and LSTM, BiLSTM head, gradual unfreezing", "FILE"), Text},
        {opt("max-tokens", "text: longer texts are cut to N tokens (default 400)", "N"), Text},
        {opt("folds", "text: K-fold cross-validation against a bag-of-words logistic regression on the same folds (no export)", "K"), Text},
    };
    return options;
}

const char *kindWords(TaskKind k)
{
    return k == TaskKind::Image ? "image data" : k == TaskKind::Text ? "text data" : "a language model";
}

/// Reads the options into `c`; false (message printed, `code` set) when one is invalid or does
/// not apply to the task.
bool buildConfig(const QCommandLineParser &p, const QString &command, TaskKind kind,
                 learn::RunConfig *out, int *code)
{
    const int mask = kind == TaskKind::Image ? Image : kind == TaskKind::Text ? Text : Lm;
    for (const Option &o : trainOptions()) {
        const QString name = o.option.names().first();
        if (p.isSet(name) && !(o.applies & mask) && command == QLatin1String("train")) {
            err() << "graft-cli train: --" << name << " does not apply to " << kindWords(kind)
                  << "\n";
            *code = kExitBlocked;
            return false;
        }
    }
    learn::RunConfig c = learn::RunConfig::defaults(kind);
    bool ok = true;
    QString bad;
    const auto has = [&](const char *n) { return p.isSet(QLatin1String(n)); };
    const auto str = [&](const char *n) { return p.value(QLatin1String(n)); };
    const auto integer = [&](const char *n, int *v, int min = 0) {
        if (!has(n))
            return;
        bool k = false;
        *v = str(n).toInt(&k);
        if (!k || *v < min)
            ok = false, bad = QLatin1String(n);
    };
    const auto number = [&](const char *n, double *v, double min = 0, double max = 1e9) {
        if (!has(n))
            return;
        bool k = false;
        *v = str(n).toDouble(&k);
        if (!k || !(*v >= min) || !(*v <= max))
            ok = false, bad = QLatin1String(n);
    };
    const auto choice = [&](const char *n, auto *v) {
        if (has(n) && !learn::parse(str(n), v))
            ok = false, bad = QLatin1String(n);
    };
    c.dataPath = str("data");
    c.backboneId = str("backbone");
    c.weightsDir = str("weights-dir");
    integer("epochs", &c.epochs, 1);
    integer("batch-size", &c.batchSize, 1);
    if (has("lr"))
        c.learningRate = str("lr") == QLatin1String("auto") ? 0.0 : (number("lr", &c.learningRate, 1e-12), c.learningRate);
    choice("schedule", &c.schedule);
    number("warmup", &c.warmupFraction, 0, 1);
    choice("optimizer", &c.optimizer);
    number("weight-decay", &c.weightDecay);
    number("label-smoothing", &c.labelSmoothing, 0, 0.99);
    c.balancedClassWeights = has("balanced");
    integer("patience", &c.patience);
    choice("monitor", &c.monitor);
    number("val-fraction", &c.valFraction, 0, 0.95);
    integer("seed", &c.seed);
    integer("threads", &c.threads);
    if (has("device"))
        c.device = str("device");
    c.checkpointDir = str("checkpoint-dir");
    c.resume = has("resume");
    c.runsDir = str("runs-dir");
    if (has("head")) {
        // A head of the other task's kind is refused as not applying, like a wrong option.
        learn::ImageHead ih;
        learn::TextHead th;
        const bool image = learn::parse(str("head"), &ih), text = learn::parse(str("head"), &th);
        if ((kind == TaskKind::Image && !image && text) || (kind != TaskKind::Image && !text && image)) {
            err() << "graft-cli " << command << ": --head " << str("head") << " does not apply to "
                  << kindWords(kind) << "\n";
            *code = kExitBlocked;
            return false;
        }
    }
    if (kind == TaskKind::Image) {
        c.image.pretrained = !has("random-init");
        choice("recipe", &c.image.recipe);
        choice("head", &c.image.head);
        integer("cut", &c.image.cutAt);
        integer("fine-tune-groups", &c.image.fineTuneGroups, 1);
        integer("head-epochs", &c.image.headEpochs);
        number("backbone-lr-factor", &c.image.backboneLrFactor);
        const QString augment = has("augment") ? str("augment") : QStringLiteral("auto");
        if (augment != QLatin1String("on") && augment != QLatin1String("off") && augment != QLatin1String("auto"))
            ok = false, bad = QStringLiteral("augment");
        c.image.augment = augment == QLatin1String("on") ||
                          (augment == QLatin1String("auto") && c.image.recipe != learn::Recipe::FeatureExtractor);
        integer("augment-views", &c.image.augmentViews, 1);
        c.image.cacheDir = str("cache-dir");
        c.image.useFeatureCache = !has("no-cache");
    } else {
        choice("head", &c.text.head);
        c.text.vectorsPath = str("vectors");
        c.text.freezeEmbeddings = has("freeze-embeddings");
        integer("subwords", &c.text.subwordVocab);
        c.text.languageModelPath = str("lm");
        integer("max-tokens", &c.text.maxTokens, 1);
    }
    if (!ok) {
        err() << "graft-cli " << command << ": invalid value for --" << bad << ": '"
              << p.value(bad) << "'\n";
        *code = kExitFailure;
        return false;
    }
    if (c.resume && c.checkpointDir.isEmpty()) {
        err() << "graft-cli " << command << ": --resume needs --checkpoint-dir\n";
        *code = kExitFailure;
        return false;
    }
    if (auto d = learn::checkDevice(c.device); !d) {
        *code = fail(command, d.error());
        return false;
    }
    *out = c;
    return true;
}

QJsonObject exportJson(const learn::ExportCheck &check)
{
    return check.toJson();
}

/// --export / --export-onnx: writes, re-loads and checks; false after saying why.
bool runExports(const QCommandLineParser &p, const learn::Model &model, ConsoleObserver &obs,
                bool quiet, QJsonObject &json, const char *unit)
{
    for (const auto &[option, key] : {std::pair{"export", "export"}, std::pair{"export-onnx", "export_onnx"}}) {
        if (!p.isSet(QLatin1String(option)))
            continue;
        QElapsedTimer clock;
        clock.start();
        auto check = exports::exportModel(model, p.value(QLatin1String(option)), g_cancel, &obs);
        QJsonObject timings = json.value("timings").toObject();
        timings.insert(QLatin1String(key), double(clock.nsecsElapsed()) / 1e9);
        json.insert("timings", timings);
        if (!check) {
            err() << "graft-cli train: export failed: " << check.error().message() << "\n";
            return false;
        }
        json.insert(QLatin1String(key), exportJson(*check));
        if (!quiet)
            err() << QStringLiteral("exported %1: %2 agrees on %3 % of %4 validation %5 (max |dp| %6)\n")
                         .arg(check->path, check->checkedWith)
                         .arg(check->agreement * 100, 0, 'f', 1)
                         .arg(check->samples)
                         .arg(QLatin1String(unit))
                         .arg(check->maxAbsProbabilityDiff, 0, 'g', 3);
    }
    return true;
}

int runCrossValidation(const QCommandLineParser &p, const learn::RunConfig &c, const learn::Dataset &data,
                       int folds, bool quiet, const QElapsedTimer &wall)
{
    if (folds < 2 || p.isSet(QStringLiteral("export")) || p.isSet(QStringLiteral("export-onnx"))) {
        err() << "graft-cli train: --folds needs K >= 2 and cannot be combined with --export\n";
        return kExitFailure;
    }
    ConsoleObserver obs(quiet);
    InterruptScope interrupt;
    auto cv = learn::crossValidate(c, data, folds, &obs, g_cancel);
    if (!cv)
        return fail(QStringLiteral("train"), cv.error());
    QJsonObject json = cv->toJson();
    json.insert("wall_seconds", double(wall.nsecsElapsed()) / 1e9);
    if (!writeReport(p, QStringLiteral("train"), json))
        return kExitFailure;
    out() << QStringLiteral("%1-fold accuracy %2 % (sd %3)  bag-of-words baseline %4 % (sd %5)  %6  wall %7 s\n")
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

/// "--model FILE" or a run folder.
core::Result<learn::ModelPtr> modelOption(const QCommandLineParser &p)
{
    return exports::loadModel(p.value(QStringLiteral("model")));
}

} // namespace

int runTrain(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Trains a classifier on images or texts. Every option applies to the task of the data "
        "or is refused (exit 2); options marked 'images:' or 'text:' apply to that task only."));
    for (const Option &o : trainOptions())
        p.addOption(o.option);
    int code = kExitOk;
    if (!parseArgs(p, QStringLiteral("train"), args, &code))
        return code;
    if (!p.isSet(QStringLiteral("data"))) {
        err() << "graft-cli train: --data is required\n";
        return kExitFailure;
    }
    QElapsedTimer wall;
    wall.start();
    const QString kindName = p.value(QStringLiteral("kind"));
    TaskKind kind = learn::detectKind(p.value(QStringLiteral("data")));
    if (kindName != QLatin1String("auto") &&
        (!learn::parse(kindName, &kind) || kind == TaskKind::LanguageModel)) {
        err() << "graft-cli train: --kind is auto, image or text\n";
        return kExitFailure;
    }
    learn::RunConfig c;
    if (!buildConfig(p, QStringLiteral("train"), kind, &c, &code))
        return code;
    if (kind == TaskKind::Image && c.backboneId.isEmpty()) {
        err() << "graft-cli train: --backbone is required for image data\n";
        return kExitFailure;
    }
    const bool quiet = p.isSet(QStringLiteral("quiet"));
    ConsoleObserver obs(quiet);
    QElapsedTimer scanClock;
    scanClock.start();
    auto data = learn::Dataset::scan(c, &obs, g_cancel);
    if (!data)
        return fail(QStringLiteral("train"), data.error());
    const double scanSeconds = double(scanClock.nsecsElapsed()) / 1e9;
    if (!quiet) {
        std::vector<learn::SampleRef> refs;
        std::vector<int> labels;
        data->samples(QStringLiteral("train"), c, &refs, &labels);
        const size_t trainCount = refs.size();
        refs.clear();
        data->samples(QStringLiteral("val"), c, &refs, &labels);
        err() << QStringLiteral("%1 classes, %2 training / %3 validation %4\n")
                     .arg(data->classes().size())
                     .arg(trainCount)
                     .arg(refs.size())
                     .arg(kind == TaskKind::Image ? QStringLiteral("images") : QStringLiteral("texts"));
    }
    if (p.isSet(QStringLiteral("folds")))
        return runCrossValidation(p, c, *data, p.value(QStringLiteral("folds")).toInt(), quiet, wall);
    if (!c.resume && !c.checkpointDir.isEmpty() &&
        QFileInfo::exists(QDir(c.checkpointDir).filePath(QStringLiteral("checkpoint.safetensors"))))
        err() << "graft-cli train: " << c.checkpointDir
              << " holds an earlier run's checkpoint; add --resume to continue it (this run starts "
                 "over and replaces it)\n";
    InterruptScope interrupt;
    auto result = learn::train(c, *data, &obs, g_cancel);
    if (!result)
        return fail(QStringLiteral("train"), result.error(),
                    result.error().code == core::ErrorCode::NumericalError ||
                            result.error().code != core::ErrorCode::Internal
                        ? kExitBlocked
                        : kExitFailure);
    QJsonObject json = result->toJson();
    QJsonObject timings = json.value("timings").toObject();
    timings.insert("scan", scanSeconds);
    json.insert("timings", timings);
    json.insert("dataset", c.dataPath);
    json.insert("run_dir", result->runDir);
    if (data->images())
        json.insert("split", data->images()->toJson().value("splits"));
    if (result->model && !result->cancelled &&
        !runExports(p, *result->model, obs, quiet, json, kind == TaskKind::Image ? "images" : "texts"))
        return kExitFailure;
    json.insert("wall_seconds", double(wall.nsecsElapsed()) / 1e9);
    if (!writeReport(p, QStringLiteral("train"), json))
        return kExitFailure;
    out() << QStringLiteral("val_accuracy %1 %  best_epoch %2 (%3)  wall %4 s%5\n")
                 .arg(result->valAccuracy() * 100, 0, 'f', 2)
                 .arg(result->bestEpoch)
                 .arg(QLatin1String(learn::nameOf(result->monitor)))
                 .arg(double(wall.nsecsElapsed()) / 1e9, 0, 'f', 2)
                 .arg(result->cancelled ? QStringLiteral("  (cancelled)") : QString());
    return result->cancelled ? kExitFailure : kExitOk;
}

int runLanguageModel(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Trains a word-level LSTM language model (ULMFiT's first step) on "
                       "unlabelled text and saves it for 'graft-cli train --lm'."));
    p.addOptions({
        opt("data", "text to learn from: a labelled dataset (labels are ignored), a folder of .txt files or a CSV/TSV file; repeat for more", "PATH"),
        opt("out", "the language model file to write", "FILE"),
        opt("vectors", "pretrained word vectors to start from", "FILE"),
        opt("hidden", "LSTM units (default 100)", "N", "100"),
        opt("embedding-dim", "embedding size without --vectors (100)", "N", "100"),
        opt("epochs", "epochs (default 4)", "N", "4"),
        opt("lr", "max learning rate (default 0.003)", "LR", "0.003"),
        opt("bptt", "tokens per back-propagation window (50)", "N", "50"),
        opt("min-frequency", "keep words seen this often (2)", "N", "2"),
        opt("max-vocabulary", "vocabulary cap (30000)", "N", "30000"),
        opt("seed", "seed (default 42)", "S", "42"),
        opt("threads", "CPU threads (default: all cores)", "T", "0"),
        opt("device", "auto | cpu | cuda | cuda:N (default auto)", "D", "auto"),
        opt("runs-dir", "where the run folder is written", "DIR"),
        opt("report", "write the JSON report to FILE", "FILE"),
        opt("quiet", "no progress output"),
    });
    int code = kExitOk;
    if (!parseArgs(p, QStringLiteral("lm"), args, &code))
        return code;
    if (!p.isSet(QStringLiteral("data")) || !p.isSet(QStringLiteral("out"))) {
        err() << "graft-cli lm: --data and --out are required\n";
        return kExitFailure;
    }
    learn::RunConfig c = learn::RunConfig::defaults(TaskKind::LanguageModel);
    QStringList sources = p.values(QStringLiteral("data"));
    c.dataPath = sources.takeFirst();
    c.extraSources = sources;
    c.text.vectorsPath = p.value(QStringLiteral("vectors"));
    bool ok = true;
    const auto integer = [&](const char *n, int min) {
        bool k = false;
        const int v = p.value(QLatin1String(n)).toInt(&k);
        ok = ok && k && v >= min;
        return v;
    };
    c.text.lstmHidden = integer("hidden", 1);
    c.text.embeddingDim = integer("embedding-dim", 1);
    c.epochs = integer("epochs", 1);
    c.text.bptt = integer("bptt", 2);
    c.text.minFrequency = integer("min-frequency", 1);
    c.text.maxVocabulary = integer("max-vocabulary", 3);
    c.seed = integer("seed", 0);
    c.threads = integer("threads", 0);
    bool lrOk = false;
    c.learningRate = p.value(QStringLiteral("lr")).toDouble(&lrOk);
    ok = ok && lrOk;
    c.device = p.value(QStringLiteral("device"));
    c.runsDir = p.value(QStringLiteral("runs-dir"));
    if (!ok || c.learningRate <= 0) {
        err() << "graft-cli lm: invalid number in options\n";
        return kExitFailure;
    }
    const bool quiet = p.isSet(QStringLiteral("quiet"));
    ConsoleObserver obs(quiet, true);
    InterruptScope interrupt;
    auto r = learn::train(c, learn::Dataset(), &obs, g_cancel);
    if (!r)
        return fail(QStringLiteral("lm"), r.error());
    if (r->cancelled || !r->model) {
        err() << "graft-cli lm: cancelled; nothing written\n";
        return kExitFailure;
    }
    const QString outPath = p.value(QStringLiteral("out"));
    if (auto s = r->model->saveWeights(outPath); !s)
        return fail(QStringLiteral("lm"), s.error(), kExitFailure);
    QJsonObject json = r->toJson();
    json.insert("path", outPath);
    if (!writeReport(p, QStringLiteral("lm"), json))
        return kExitFailure;
    const QJsonObject d = r->details;
    out() << QStringLiteral("saved %1: %2 texts, %3 training words, vocabulary %4, val perplexity %5 "
                            "(word frequencies alone: %6)  %7 s\n")
                 .arg(outPath)
                 .arg(d.value("texts").toInt())
                 .arg(qint64(d.value("train_tokens").toDouble()))
                 .arg(d.value("vocabulary_size").toInt())
                 .arg(d.value("val_perplexity").toDouble(), 0, 'f', 1)
                 .arg(d.value("unigram_perplexity").toDouble(), 0, 'f', 1)
                 .arg(r->timings.value("total").toDouble(), 0, 'f', 1);
    return kExitOk;
}

int runBackbones(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Lists the backbone catalogue."));
    p.addOption(opt("json", "print JSON"));
    p.addOption(opt("weights-dir", "weights folder", "DIR"));
    int code = kExitOk;
    if (!parseArgs(p, QStringLiteral("backbones"), args, &code))
        return code;
    const QString dir = vision::resolveWeightsDir(p.value(QStringLiteral("weights-dir")));
    QJsonArray arr;
    for (const auto &s : vision::BackboneCatalogue::builtin().all())
        arr.append(QJsonObject{{"id", s.id},
                               {"name", s.displayName},
                               {"task", s.task},
                               {"architecture", s.architecture},
                               {"pretrained_on", s.pretrainedOn},
                               {"input_size", s.preprocessing.inputSize},
                               {"licence", s.licence},
                               {"weights", QString::fromLatin1(vision::weightsStateName(vision::weightsState(s, dir)))},
                               {"weights_file", s.weightsFile},
                               {"url", s.url}});
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

int runPredict(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Predicts the classes of images or texts with a trained model (--model: a "
                       "run folder, or an exported .pt or .onnx) or with a backbone's own ImageNet "
                       "classifier (--backbone)."));
    p.addPositionalArgument(QStringLiteral("FILES"), QStringLiteral("images, or text files for a text model"),
                            QStringLiteral("FILES..."));
    p.addOptions({
        opt("model", "a run folder, or a Graft export: TorchScript (.pt; trusted files only) or ONNX (.onnx, with its .onnx.json)", "PATH"),
        opt("backbone", "backbone id", "ID"),
        opt("weights-dir", "weights folder", "DIR"),
        opt("topk", "classes per input (default 5)", "K", "5"),
        opt("text", "text model: classify this text (repeatable; FILES are then optional and read as text files)", "TEXT"),
        opt("explain", "text model: also list the words that pushed each prediction"),
        opt("json", "print JSON"),
    });
    int code = kExitOk;
    if (!parseArgs(p, QStringLiteral("predict"), args, &code))
        return code;
    const QStringList files = p.positionalArguments();
    const int topK = p.value(QStringLiteral("topk")).toInt();
    if (topK < 1 || p.isSet(QStringLiteral("model")) == p.isSet(QStringLiteral("backbone"))) {
        err() << "graft-cli predict: give --model PATH or --backbone ID, and inputs\n";
        return kExitFailure;
    }
    auto model = p.isSet(QStringLiteral("model"))
                     ? modelOption(p)
                     : exports::loadBackboneClassifier(p.value(QStringLiteral("backbone")),
                                                       p.value(QStringLiteral("weights-dir")));
    if (!model)
        return fail(QStringLiteral("predict"), model.error());
    const bool text = (*model)->kind() == TaskKind::Text;
    if (!text && (p.isSet(QStringLiteral("text")) || p.isSet(QStringLiteral("explain")))) {
        err() << "graft-cli predict: --text and --explain need a text model\n";
        return kExitBlocked;
    }
    std::vector<learn::SampleRef> inputs;
    bool anyError = false;
    for (const QString &t : p.values(QStringLiteral("text")))
        inputs.push_back(learn::SampleRef::ofText(t));
    for (const QString &f : files) {
        if (!text) {
            inputs.push_back(learn::SampleRef::image(f));
            continue;
        }
        auto t = text::readTextFile(f);
        if (!t) {
            err() << "graft-cli predict: " << t.error().message() << "\n";
            anyError = true;
            continue;
        }
        inputs.push_back(learn::SampleRef::ofText(t->text, f));
    }
    if (inputs.empty()) {
        err() << "graft-cli predict: nothing to predict: give " << (text ? "--text TEXT or text files" : "images") << "\n";
        return kExitFailure;
    }
    auto preds = learn::predict(**model, inputs, topK);
    if (!preds)
        return fail(QStringLiteral("predict"), preds.error(), kExitFailure);
    const QStringList labels = (*model)->classes();
    QJsonArray arr;
    for (const learn::Prediction &pr : *preds) {
        anyError = anyError || !pr.error.isEmpty();
        QJsonArray top;
        for (const auto &[idx, prob] : pr.top)
            top.append(QJsonObject{{"label", labels.value(idx)}, {"index", idx}, {"prob", double(prob)}});
        QJsonObject o = pr.input.toJson();
        if (!pr.input.file.isEmpty() || !text)
            o.insert("file", pr.input.file);
        if (pr.error.isEmpty())
            o.insert("top", top);
        else
            o.insert("error", pr.error);
        if (text) {
            o.insert("source", pr.input.file.isEmpty() ? pr.input.text : pr.input.file);
            o.insert("tokens", pr.tokens);
            o.insert("unknown_tokens", pr.unknownTokens);
        }
        learn::TokenContributions words;
        if (p.isSet(QStringLiteral("explain")) && pr.error.isEmpty()) {
            if (auto ex = (*model)->explain(pr.input.text, -1)) {
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
        if (p.isSet(QStringLiteral("json")))
            continue;
        out() << pr.input.label() << "\n";
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
    if (p.isSet(QStringLiteral("json")))
        out() << QJsonDocument(arr).toJson(QJsonDocument::Indented);
    return anyError ? kExitBlocked : kExitOk;
}

int runEval(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Evaluates a trained model (a run folder, or an exported .pt or .onnx) on a dataset: its "
        "validation split as training made it, or another split."));
    p.addOptions({
        opt("model", "a run folder, or a Graft export (.pt or .onnx)", "PATH"),
        opt("data", "dataset folder or file", "PATH"),
        opt("split", "val | test | train | all (default val)", "S", "val"),
        opt("seed", "split seed, as in training (default 42)", "S", "42"),
        opt("val-fraction", "validation share when the data has no split, as in training (0.2)", "F", "0.2"),
        opt("json", "print JSON"),
    });
    int code = kExitOk;
    if (!parseArgs(p, QStringLiteral("eval"), args, &code))
        return code;
    if (!p.isSet(QStringLiteral("model")) || !p.isSet(QStringLiteral("data"))) {
        err() << "graft-cli eval: --model and --data are required\n";
        return kExitFailure;
    }
    const QString split = p.value(QStringLiteral("split"));
    if (!QStringList{"val", "test", "train", "all"}.contains(split)) {
        err() << "graft-cli eval: --split is val, test, train or all\n";
        return kExitFailure;
    }
    auto model = modelOption(p);
    if (!model)
        return fail(QStringLiteral("eval"), model.error());
    learn::RunConfig c = learn::RunConfig::defaults((*model)->kind());
    c.dataPath = p.value(QStringLiteral("data"));
    c.seed = p.value(QStringLiteral("seed")).toInt();
    c.valFraction = p.value(QStringLiteral("val-fraction")).toDouble();
    auto data = learn::Dataset::scan(c);
    if (!data)
        return fail(QStringLiteral("eval"), data.error());
    std::vector<learn::SampleRef> refs;
    std::vector<int> labels;
    data->samples(split, c, &refs, &labels);
    if (refs.empty()) {
        err() << "graft-cli eval: no samples in the " << split << " split\n";
        return kExitBlocked;
    }
    ConsoleObserver obs(true);
    auto ev = learn::evaluate(**model, refs, labels, data->classes(), {}, &obs);
    if (!ev)
        return fail(QStringLiteral("eval"), ev.error());
    const QStringList classes = (*model)->classes();
    QJsonObject json = ev->toJson(classes);
    json.insert("kind", learn::nameOf((*model)->kind()));
    json.insert("classes", QJsonArray::fromStringList(classes));
    json.insert("split", split);
    if (p.isSet(QStringLiteral("json"))) {
        printJson(json);
        return kExitOk;
    }
    out() << QStringLiteral("accuracy %1 % on %2 %3 (loss %4)\n")
                 .arg(ev->accuracy * 100, 0, 'f', 2)
                 .arg(ev->count())
                 .arg((*model)->kind() == TaskKind::Text ? QStringLiteral("texts") : QStringLiteral("images"))
                 .arg(ev->loss, 0, 'f', 4);
    for (int k = 0; k < classes.size() && k < int(ev->perClass.size()); ++k)
        out() << QStringLiteral("  %1 precision %2 recall %3 f1 %4\n")
                     .arg(classes[k], -16)
                     .arg(ev->perClass[size_t(k)].precision, 0, 'f', 3)
                     .arg(ev->perClass[size_t(k)].recall, 0, 'f', 3)
                     .arg(ev->perClass[size_t(k)].f1, 0, 'f', 3);
    return kExitOk;
}

int runExport(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Exports the model of a run folder to TorchScript (.pt) or ONNX (.onnx), then re-loads "
        "the file and checks it against the run's model on its validation samples."));
    p.addOptions({opt("model", "a run folder", "DIR"), opt("out", "the file to write (.pt or .onnx)", "FILE"),
                  opt("json", "print the check as JSON")});
    int code = kExitOk;
    if (!parseArgs(p, QStringLiteral("export"), args, &code))
        return code;
    if (!p.isSet(QStringLiteral("model")) || !p.isSet(QStringLiteral("out"))) {
        err() << "graft-cli export: --model and --out are required\n";
        return kExitFailure;
    }
    auto model = modelOption(p);
    if (!model)
        return fail(QStringLiteral("export"), model.error());
    ConsoleObserver obs(true);
    InterruptScope interrupt;
    auto check = exports::exportModel(**model, p.value(QStringLiteral("out")), g_cancel, &obs);
    if (!check)
        return fail(QStringLiteral("export"), check.error(), kExitFailure);
    if (p.isSet(QStringLiteral("json")))
        printJson(check->toJson());
    else
        out() << QStringLiteral("exported %1: %2 agrees on %3 % of %4 validation samples (max |dp| %5)\n")
                     .arg(check->path, check->checkedWith)
                     .arg(check->agreement * 100, 0, 'f', 1)
                     .arg(check->samples)
                     .arg(check->maxAbsProbabilityDiff, 0, 'g', 3);
    return kExitOk;
}

int runRuns(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Lists earlier runs, newest first."));
    p.addOptions({opt("runs-dir", "runs folder (default $GRAFT_RUNS_DIR or the user data folder)", "DIR"),
                  opt("json", "print JSON")});
    int code = kExitOk;
    if (!parseArgs(p, QStringLiteral("runs"), args, &code))
        return code;
    const QString dir = p.isSet(QStringLiteral("runs-dir")) ? p.value(QStringLiteral("runs-dir"))
                                                            : learn::defaultRunsDir();
    QJsonArray arr;
    for (const learn::RunReport &r : learn::listRuns(dir))
        arr.append(QJsonObject{{"id", r.id},
                               {"dir", r.runDir},
                               {"kind", learn::nameOf(r.kind)},
                               {"created", r.created.toString(Qt::ISODate)},
                               {"status", r.status()},
                               {"val_accuracy", r.valAccuracy()},
                               {"best_epoch", r.bestEpoch},
                               {"epochs", int(r.epochs.size())},
                               {"data", r.config.dataPath},
                               {"backbone", r.config.backboneId}});
    if (p.isSet(QStringLiteral("json"))) {
        out() << QJsonDocument(arr).toJson(QJsonDocument::Indented);
        return kExitOk;
    }
    out() << "Runs in " << dir << "\n";
    for (const auto &v : arr) {
        const QJsonObject o = v.toObject();
        out() << QStringLiteral("%1  %2  %3 %  %4\n")
                     .arg(o.value("id").toString(), -40)
                     .arg(o.value("status").toString(), -13)
                     .arg(o.value("val_accuracy").toDouble() * 100, 6, 'f', 2)
                     .arg(o.value("data").toString());
    }
    return kExitOk;
}

} // namespace graft::cli
