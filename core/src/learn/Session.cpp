// The entry points the CLI and the GUI share: scan, train, find the rate, cross-validate,
// and runs as folders.
#include "graft/learn/Session.h"

#include "graft/core/Runtime.h"
#include "graft/io/AtomicFile.h"
#include "graft/text/TextSplits.h"
#include "graft/vision/ImageScanner.h"
#include "learn/Learner.h"
#include "text/TextModel.h"
#include "text/TextTasks.h"
#include "vision/ImageModel.h"
#include "vision/ImageTask.h"

#include <torch/utils.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRandomGenerator>

#include <algorithm>
#include <numeric>

namespace graft::learn {

using core::ErrorCode;
using core::makeError;

Dataset::Dataset(vision::ScanReport images)
    : m_images(std::make_shared<const vision::ScanReport>(std::move(images)))
{}

Dataset::Dataset(std::shared_ptr<const text::TextDataset> texts) : m_texts(std::move(texts)) {}

QStringList Dataset::classes() const
{
    return m_texts ? m_texts->classes : m_images ? m_images->classNames() : QStringList{};
}

core::Result<Dataset>
Dataset::scan(const RunConfig &config, Observer *observer, const core::CancelToken &cancel)
{
    const ProgressMeter meter(Phase::Scan);
    const auto progress = [&](qint64 done, qint64 total) {
        if (observer)
            observer->progress(meter.at(done, total));
    };
    if (config.kind == TaskKind::Text) {
        text::TextScanOptions o = config.text.scan;
        o.tokenizer = config.text.tokenizer;
        auto data = text::scanTextDataset(config.dataPath, o, progress, cancel);
        if (!data)
            return data.error();
        if (data->isBlocked())
            return makeError(ErrorCode::DatasetInvalid, data->blocking.join(QStringLiteral("; ")),
                             config.dataPath);
        return Dataset(std::make_shared<const text::TextDataset>(std::move(data.value())));
    }
    if (config.kind == TaskKind::LanguageModel)
        return Dataset(); // the language model reads its sources itself
    vision::ScanOptions o;
    o.seed = config.effectiveSplitSeed();
    o.valFraction = config.valFraction;
    // Headers, sizes, truncation and duplicates are checked here; pixels are decoded once,
    // during training, where a file that fails is reported and skipped.
    o.verifyDecode = false;
    auto report = vision::scanImageFolder(config.dataPath, o, progress, cancel);
    if (!report)
        return report.error();
    if (!report->canTrain())
        return makeError(ErrorCode::DatasetInvalid,
                         report->blocking.empty() ? QStringLiteral("cannot train on this folder")
                                                  : report->blocking.front().message,
                         config.dataPath);
    return Dataset(std::move(report.value()));
}

void Dataset::samples(const QString &split,
                      const RunConfig &config,
                      std::vector<SampleRef> *refs,
                      std::vector<int> *labels) const
{
    if (m_images) {
        for (auto s : {vision::Split::Train, vision::Split::Val, vision::Split::Test})
            if (split == QLatin1String("all") || split == QLatin1String(vision::splitName(s)))
                for (const vision::Sample &sample : m_images->samples(s)) {
                    refs->push_back(SampleRef::image(sample.path));
                    labels->push_back(sample.label);
                }
        return;
    }
    if (!m_texts)
        return;
    std::vector<int> idx;
    if (split == QLatin1String("all")) {
        idx.resize(m_texts->samples.size());
        std::iota(idx.begin(), idx.end(), 0);
    } else if (split == QLatin1String("test")) {
        idx = m_texts->indicesOf(QStringLiteral("test"));
    } else {
        const auto s =
            text::splitTextDataset(*m_texts, config.valFraction, config.effectiveSplitSeed());
        idx = split == QLatin1String("train") ? s.train : s.val;
    }
    for (int i : idx) {
        const text::TextSample &s = m_texts->samples[size_t(i)];
        refs->push_back(SampleRef::ofText(s.text, s.file, s.line));
        labels->push_back(s.label);
    }
}

TaskKind detectKind(const QString &path)
{
    return text::looksLikeTextDataset(path) ? TaskKind::Text : TaskKind::Image;
}

namespace {

core::Result<QJsonObject> checkpointMetadata(const QString &checkpointDir)
{
    const QString path = checkpointFile(checkpointDir);
    if (checkpointDir.isEmpty() || !QFileInfo::exists(path))
        return makeError(ErrorCode::NotFound, QStringLiteral("no checkpoint"), path);
    auto file = io::SafetensorsFile::open(path);
    if (!file)
        return file.error();
    const QJsonObject &meta = file->metadata();
    bool ok = false;
    meta.value("epoch").toString().toInt(&ok);
    if (!ok || meta.value("format").toString() != QLatin1String("graft-checkpoint"))
        return makeError(ErrorCode::InvalidFormat, QStringLiteral("not a Graft checkpoint"), path);
    return meta;
}

} // namespace

core::Result<int> checkpointEpoch(const QString &checkpointDir)
{
    auto meta = checkpointMetadata(checkpointDir);
    if (!meta)
        return meta.error();
    return meta->value("epoch").toString().toInt();
}

core::Result<RunConfig> checkpointConfig(const QString &checkpointDir)
{
    auto meta = checkpointMetadata(checkpointDir);
    if (!meta)
        return meta.error();
    const QJsonDocument doc = QJsonDocument::fromJson(meta->value("config").toString().toUtf8());
    if (!doc.isObject())
        return makeError(ErrorCode::InvalidFormat, QStringLiteral("the checkpoint has no settings"),
                         checkpointFile(checkpointDir));
    return RunConfig::fromJson(doc.object());
}

void removeCheckpoint(const QString &checkpointDir)
{
    if (!checkpointDir.isEmpty())
        QFile::remove(checkpointFile(checkpointDir));
}

core::Result<QString> checkDevice(const QString &name)
{
    auto d = resolveDevice(name);
    if (!d)
        return d.error();
    return QString::fromStdString(d->str());
}

namespace {

core::Result<std::unique_ptr<TrainTask>>
makeTask(const RunConfig &config, const Dataset &data, Observer *observer)
{
    if (config.epochs < 1 || config.batchSize < 1)
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("epochs and batch size must be at least 1"));
    switch (config.kind) {
    case TaskKind::Image:
        if (!data.images())
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("an image run needs an image folder"));
        return vision::makeImageTask(config, *data.images(), observer);
    case TaskKind::Text: {
        if (!data.texts())
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("a text run needs texts"));
        const auto split =
            text::splitTextDataset(*data.texts(), config.valFraction, config.effectiveSplitSeed());
        return text::makeTextTask(config, data.texts(), split.train, split.val, observer);
    }
    case TaskKind::LanguageModel:
        return text::makeLanguageModelTask(config, observer);
    }
    return makeError(ErrorCode::Internal, QStringLiteral("unknown task"));
}

/// Seeds, threads and the task, prepared (features, tokens, vectors).
core::Result<std::unique_ptr<TrainTask>> preparedTask(const RunConfig &config,
                                                      const Dataset &data,
                                                      Observer *observer,
                                                      const core::CancelToken &cancel,
                                                      QJsonObject &timings)
{
    core::setComputeThreads(config.threads);
    torch::manual_seed(std::uint64_t(config.seed));
    QElapsedTimer clock;
    clock.start();
    auto task = makeTask(config, data, observer);
    if (!task)
        return task.error();
    timings.insert("setup", double(clock.nsecsElapsed()) / 1e9);
    if (auto s = (*task)->prepare(observer, cancel, timings); !s)
        return s.error();
    return task;
}

core::Result<LrFinderResult>
sweep(TrainTask &task, const RunConfig &config, Observer *observer, const core::CancelToken &cancel)
{
    RunConfig c = config;
    c.learningRate = 1.0; // the sweep sets the rate itself, relative to this
    c.checkpointDir.clear();
    LrFinderResult result;
    Learner learner(task, c, observer, cancel);
    learner.add(lrFinderCallback(&result));
    if (auto s = learner.fit(); !s)
        return s.error();
    if (learner.cancelled)
        return makeError(ErrorCode::Cancelled, QStringLiteral("cancelled"));
    return result;
}

/// The sweep's configuration: enough epochs of the first stage for every step, head only.
RunConfig finderConfig(RunConfig c)
{
    c.epochs = 1000;
    c.image.recipe = Recipe::FeatureExtractor;
    c.image.customPlan.reset();
    return c;
}

} // namespace

core::Result<RunReport> train(const RunConfig &config,
                              const Dataset &data,
                              Observer *observer,
                              const core::CancelToken &cancel)
{
    return core::guarded([&]() -> core::Result<RunReport> {
        QElapsedTimer clock;
        clock.start();
        RunReport report;
        report.kind = config.kind;
        report.config = config;
        report.classes = data.classes();
        report.monitor = config.monitor;
        auto task = preparedTask(config, data, observer, cancel, report.timings);
        if (!task) {
            if (task.error().code != ErrorCode::Cancelled)
                return task.error();
            report.cancelled = true;
            return report;
        }
        RunConfig &c = report.config;
        if (c.learningRate <= 0) {
            // The sweep trains a model of its own, thrown away: this run starts fresh.
            auto finderTask = preparedTask(finderConfig(c), data, nullptr, cancel, report.timings);
            if (!finderTask)
                return finderTask.error();
            auto found = sweep(**finderTask, finderConfig(c), observer, cancel);
            if (!found)
                return found.error();
            c.learningRate = found->suggested;
            if (observer)
                observer->notice(
                    {Notice::Code::LearningRateFound, {QString::number(c.learningRate, 'g', 3)}});
            torch::manual_seed(std::uint64_t(c.seed));
        }
        QElapsedTimer trainClock;
        trainClock.start();
        Learner learner(**task, c, observer, cancel);
        learner.addStandardCallbacks();
        if (auto s = learner.fit(); !s)
            return s.error();
        report.timings.insert("train", double(trainClock.nsecsElapsed()) / 1e9);
        report.epochs = learner.history;
        report.bestEpoch = learner.bestEpoch;
        report.cancelled = learner.cancelled;
        report.earlyStopped = learner.earlyStopped;
        if (auto s = (*task)->finish(report, observer, cancel); !s)
            return s.error();
        if (auto device = resolveDevice(c.device))
            report.details.insert("device", QString::fromStdString(device->str()));
        report.timings.insert("total", double(clock.nsecsElapsed()) / 1e9);
        if (report.cancelled && observer)
            observer->notice({Notice::Code::Cancelled, {QString::number(report.epochs.size())}});
        if (report.model) {
            QElapsedTimer saveClock;
            saveClock.start();
            auto dir = saveRun(report, c.runsDir.isEmpty() ? defaultRunsDir() : c.runsDir);
            report.timings.insert("run_folder", double(saveClock.nsecsElapsed()) / 1e9);
            if (dir)
                report.runDir = *dir;
            if (observer)
                observer->notice(dir ? Notice{Notice::Code::RunSaved, {*dir}}
                                     : Notice{Notice::Code::RunNotSaved, {dir.error().message()}});
        }
        return report;
    });
}

core::Result<LrFinderResult> findLearningRate(const RunConfig &config,
                                              const Dataset &data,
                                              Observer *observer,
                                              const core::CancelToken &cancel)
{
    return core::guarded([&]() -> core::Result<LrFinderResult> {
        QJsonObject timings;
        const RunConfig c = finderConfig(config);
        auto task = preparedTask(c, data, observer, cancel, timings);
        if (!task)
            return task.error();
        return sweep(**task, c, observer, cancel);
    });
}

core::Result<CrossValidation> crossValidate(const RunConfig &config,
                                            const Dataset &data,
                                            int folds,
                                            Observer *observer,
                                            const core::CancelToken &cancel)
{
    if (config.kind != TaskKind::Text || !data.texts())
        return makeError(ErrorCode::Unsupported,
                         QStringLiteral("cross-validation is available for text data"));
    return core::guarded([&] {
        core::setComputeThreads(config.threads);
        torch::manual_seed(std::uint64_t(config.seed));
        return text::crossValidateTexts(config, data.texts(), folds, observer, cancel);
    });
}

// ---- runs as folders -------------------------------------------------------------------------

namespace {
const QString kRunJson = QStringLiteral("run.json");
const QString kModelFile = QStringLiteral("model.safetensors");
} // namespace

core::Result<QString> saveRun(const RunReport &report, const QString &runsDir)
{
    RunReport r = report;
    r.created = QDateTime::currentDateTime();
    r.id = QStringLiteral("%1-%2-%3")
               .arg(r.created.toString(QStringLiteral("yyyyMMdd-HHmmss")),
                    QLatin1String(nameOf(r.kind)))
               .arg(QRandomGenerator::global()->bounded(0x10000), 4, 16, QLatin1Char('0'));
    const QString partial =
        QDir(runsDir).filePath(QLatin1Char('.') + r.id + QStringLiteral(".partial"));
    const QString final = QDir(runsDir).filePath(r.id);
    if (!QDir().mkpath(partial))
        return makeError(ErrorCode::WriteFailed, QStringLiteral("cannot create the run folder"),
                         partial);
    core::Status s = report.model ? report.model->saveWeights(QDir(partial).filePath(kModelFile))
                                  : core::Status();
    if (s)
        s = io::writeFileAtomically(QDir(partial).filePath(kRunJson),
                                    QJsonDocument(r.toJson()).toJson(QJsonDocument::Indented));
    if (s && !QDir().rename(partial, final))
        s = makeError(ErrorCode::WriteFailed,
                      QStringLiteral("cannot rename the run folder into place"), final);
    if (!s) {
        QDir(partial).removeRecursively();
        return s.error();
    }
    return final;
}

core::Result<RunReport> loadRun(const QString &dir, bool withModel)
{
    QFile f(QDir(dir).filePath(kRunJson));
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::NotFound, QStringLiteral("not a run folder (no run.json)"),
                         dir);
    if (f.size() > (qint64(256) << 20))
        return makeError(ErrorCode::TooLarge, QStringLiteral("run.json over 256 MiB"),
                         f.fileName());
    const QJsonObject j = QJsonDocument::fromJson(f.readAll()).object();
    if (j.value("format").toString() != QLatin1String("graft-run"))
        return makeError(ErrorCode::InvalidFormat, QStringLiteral("not a Graft run"), f.fileName());
    RunReport report = RunReport::fromJson(j);
    report.runDir = QFileInfo(dir).absoluteFilePath();
    const QString weights = QDir(dir).filePath(kModelFile);
    if (!withModel || !QFileInfo::exists(weights) || report.kind == TaskKind::LanguageModel)
        return report;
    auto model = core::guarded(
        [&]() -> core::Result<ModelPtr> {
            if (report.kind == TaskKind::Text)
                return text::TextModel::loadWeights(weights);
            return vision::loadImageModel(weights);
        },
        weights);
    if (!model)
        return model.error();
    auto m = std::const_pointer_cast<Model>(*model); // just made: not shared yet
    m->checkSamples = report.validation.samples;
    report.model = m;
    return report;
}

std::vector<RunReport> listRuns(const QString &runsDir)
{
    std::vector<RunReport> out;
    for (const QFileInfo &d : QDir(runsDir).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot))
        if (auto r = loadRun(d.absoluteFilePath(), false))
            out.push_back(std::move(r.value()));
    std::sort(out.begin(), out.end(), [](const RunReport &a, const RunReport &b) {
        return a.created != b.created ? a.created > b.created : a.id > b.id;
    });
    return out;
}

} // namespace graft::learn
