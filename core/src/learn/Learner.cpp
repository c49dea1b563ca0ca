// The one training loop and the callbacks written once for every task.
#include "learn/Learner.h"

#include <torch/cuda.h>
#include <torch/nn/functional/loss.h>
#include <torch/nn/module.h>
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>

#include <ATen/CPUGeneratorImpl.h>

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>
#include <cstring>
#include <numeric>

namespace graft::learn {

using core::ErrorCode;
using core::makeError;

// ---- tensors ---------------------------------------------------------------------------------

NamedTensors cloneTensors(const NamedTensors &tensors)
{
    torch::NoGradGuard noGrad;
    NamedTensors out;
    out.reserve(tensors.size());
    for (const auto &[name, t] : tensors)
        out.emplace_back(name, t.detach().clone());
    return out;
}

void copyTensors(const NamedTensors &into, const NamedTensors &from)
{
    torch::NoGradGuard noGrad;
    for (size_t i = 0, j = 0; i < into.size(); ++i) {
        // Same order in practice; search only when it differs.
        if (j >= from.size() || from[j].first != into[i].first) {
            j = 0;
            while (j < from.size() && from[j].first != into[i].first)
                ++j;
            if (j == from.size())
                continue;
        }
        into[i].second.copy_(from[j++].second);
    }
}

NamedTensors moduleState(torch::nn::Module &module, const std::string &prefix)
{
    NamedTensors out;
    for (const auto &p : module.named_parameters())
        out.emplace_back(prefix + p.key(), p.value());
    for (const auto &b : module.named_buffers())
        out.emplace_back(prefix + "buffer:" + b.key(), b.value());
    return out;
}

io::TensorBlob tensorBlob(std::string name, const torch::Tensor &tensor)
{
    torch::Tensor t = tensor.detach().to(torch::kCPU).contiguous();
    io::DType dtype = io::DType::F32;
    if (t.scalar_type() == torch::kLong)
        dtype = io::DType::I64;
    else if (t.scalar_type() == torch::kByte)
        dtype = io::DType::U8;
    else
        t = t.to(torch::kFloat);
    return {std::move(name), dtype, std::vector<std::int64_t>(t.sizes().begin(), t.sizes().end()),
            QByteArray(static_cast<const char *>(t.data_ptr()), qsizetype(t.nbytes()))};
}

torch::Tensor tensorFromFile(const io::SafetensorsFile &file, const io::TensorInfo &info)
{
    if (info.dtype != io::DType::I64 && info.dtype != io::DType::U8)
        return torch::tensor(file.toFloat(info)).reshape(info.shape);
    torch::Tensor t =
        torch::empty(info.shape, info.dtype == io::DType::I64 ? torch::kLong : torch::kByte);
    std::memcpy(t.data_ptr(), file.data(info), size_t(info.end - info.begin));
    return t;
}

core::Status
loadTensors(const io::SafetensorsFile &file, const std::string &prefix, const NamedTensors &into)
{
    torch::NoGradGuard noGrad;
    for (const auto &[name, dst] : into) {
        const io::TensorInfo *t = file.find(prefix + name);
        const QString quoted = QStringLiteral("'%1'").arg(QString::fromStdString(prefix + name));
        if (!t)
            return makeError(ErrorCode::InvalidFormat,
                             QStringLiteral("tensor %1 is missing").arg(quoted), file.path());
        if (t->shape != std::vector<std::int64_t>(dst.sizes().begin(), dst.sizes().end()))
            return makeError(ErrorCode::InvalidFormat,
                             QStringLiteral("tensor %1 has the wrong shape").arg(quoted),
                             file.path());
        dst.copy_(tensorFromFile(file, *t).to(dst.dtype()));
    }
    return {};
}

torch::Tensor classificationLoss(const torch::Tensor &logits,
                                 const torch::Tensor &labels,
                                 const RunConfig &config,
                                 const std::vector<int> &classCounts)
{
    namespace F = torch::nn::functional;
    auto opts = F::CrossEntropyFuncOptions().label_smoothing(config.labelSmoothing);
    if (config.balancedClassWeights) {
        const double total = std::accumulate(classCounts.begin(), classCounts.end(), 0.0);
        std::vector<float> w;
        for (int c : classCounts)
            w.push_back(c > 0 ? float(total / (double(classCounts.size()) * c)) : 0.f);
        opts = opts.weight(torch::tensor(w).to(logits.device()));
    }
    return F::cross_entropy(logits, labels, opts);
}

void noticeSkipped(Observer *observer, const QString &fileAndProblem)
{
    if (observer)
        observer->notice({Notice::Code::SkippedFile,
                          {fileAndProblem.section(QStringLiteral(": "), 0, 0),
                           fileAndProblem.section(QStringLiteral(": "), 1)}});
}

QString checkpointFile(const QString &checkpointDir)
{
    return QDir(checkpointDir).filePath(QStringLiteral("checkpoint.safetensors"));
}

core::Result<torch::Device> resolveDevice(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n.isEmpty() || n == QLatin1String("auto"))
        return torch::Device(torch::cuda::is_available() ? torch::kCUDA : torch::kCPU);
    if (n == QLatin1String("cpu"))
        return torch::Device(torch::kCPU);
    if (n == QLatin1String("cuda") || n.startsWith(QLatin1String("cuda:"))) {
        if (!torch::cuda::is_available())
            return makeError(
                ErrorCode::Unsupported,
                QStringLiteral("device '%1' was requested, but this LibTorch build has "
                               "no CUDA support or no GPU is visible; use 'cpu' or "
                               "'auto'")
                    .arg(name));
        bool ok = true;
        const int index = n.size() > 4 ? n.mid(5).toInt(&ok) : 0;
        if (!ok || index < 0 || index >= int(torch::cuda::device_count()))
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("no CUDA device '%1' (%2 visible)")
                                 .arg(name)
                                 .arg(torch::cuda::device_count()));
        return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
    }
    return makeError(
        ErrorCode::InvalidArgument,
        QStringLiteral("unknown device '%1' (use auto, cpu, cuda or cuda:N)").arg(name));
}

bool isBetter(const EpochMetrics &a, const EpochMetrics &b, Monitor monitor)
{
    constexpr double kAccEps = 1e-9, kLossEps = 1e-6;
    if (monitor == Monitor::ValLoss)
        return a.valLoss < b.valLoss - kLossEps || (std::abs(a.valLoss - b.valLoss) <= kLossEps &&
                                                    a.valAccuracy > b.valAccuracy + kAccEps);
    return a.valAccuracy > b.valAccuracy + kAccEps ||
           (std::abs(a.valAccuracy - b.valAccuracy) <= kAccEps && a.valLoss < b.valLoss - kLossEps);
}

// ---- the loop --------------------------------------------------------------------------------

Learner::Learner(TrainTask &t, const RunConfig &c, Observer *o, core::CancelToken k)
    : task(t), config(c), observer(o), cancel(std::move(k))
{}

Learner &Learner::add(std::unique_ptr<Callback> callback)
{
    m_callbacks.push_back(std::move(callback));
    return *this;
}

double Learner::learningRate() const
{
    return m_baseLrs.empty() ? 0.0 : m_baseLrs.front() * lrFactor;
}

void Learner::buildOptimizer(const std::vector<ParamGroup> &groups, double lr)
{
    using namespace torch::optim;
    const bool sgd = config.optimizer == OptimizerKind::Sgd;
    std::vector<OptimizerParamGroup> out;
    m_baseLrs.clear();
    for (const ParamGroup &g : groups) {
        std::vector<torch::Tensor> decay, noDecay;
        for (const auto &p : g.params)
            (g.decay && p.dim() > 1 ? decay : noDecay).push_back(p);
        for (const auto *ps : {&decay, &noDecay}) {
            if (ps->empty())
                continue;
            const double groupLr = lr * g.lrFactor;
            const double wd = ps == &decay ? config.weightDecay : 0.0;
            if (sgd)
                out.emplace_back(
                    *ps, std::make_unique<SGDOptions>(
                             SGDOptions(groupLr).momentum(config.momentum).weight_decay(wd)));
            else
                out.emplace_back(
                    *ps, std::make_unique<AdamWOptions>(
                             AdamWOptions(groupLr).betas(task.adamBetas()).weight_decay(wd)));
            m_baseLrs.push_back(groupLr);
        }
    }
    if (sgd)
        m_optimizer = std::make_unique<SGD>(std::move(out), SGDOptions(lr));
    else
        m_optimizer = std::make_unique<AdamW>(std::move(out), AdamWOptions(lr));
}

void Learner::applyLearningRate()
{
    auto &groups = m_optimizer->param_groups();
    for (size_t i = 0; i < groups.size(); ++i)
        groups[i].options().set_lr(m_baseLrs[i] * lrFactor);
}

void Learner::saveOptimizerState(CheckpointData &data) const
{
    using namespace torch::optim;
    if (!m_optimizer)
        return;
    const auto &state = m_optimizer->state();
    int i = 0;
    for (const auto &group : m_optimizer->param_groups())
        for (const auto &p : group.params()) {
            const std::string key = "optimizer." + std::to_string(i++) + ".";
            const auto it = state.find(c10::guts::to_string(p.unsafeGetTensorImpl()));
            if (it == state.end())
                continue;
            if (const auto *a = dynamic_cast<const AdamWParamState *>(it->second.get())) {
                data.blobs.push_back(
                    tensorBlob(key + "step", torch::tensor({a->step()}, torch::kLong)));
                data.blobs.push_back(tensorBlob(key + "exp_avg", a->exp_avg()));
                data.blobs.push_back(tensorBlob(key + "exp_avg_sq", a->exp_avg_sq()));
            } else if (const auto *m = dynamic_cast<const SGDParamState *>(it->second.get());
                       m && m->momentum_buffer().defined()) {
                data.blobs.push_back(tensorBlob(key + "momentum", m->momentum_buffer()));
            }
        }
}

void Learner::applyPendingOptimizerState()
{
    using namespace torch::optim;
    // The moments saved after the previous epoch, which was in this stage.
    const io::SafetensorsFile &f = *m_pending.data.file;
    auto &state = m_optimizer->state();
    int i = 0;
    for (auto &group : m_optimizer->param_groups())
        for (auto &p : group.params()) {
            const std::string key = "optimizer." + std::to_string(i++) + ".";
            const std::string id = c10::guts::to_string(p.unsafeGetTensorImpl());
            auto load = [&](const char *name) {
                const io::TensorInfo *t = f.find(key + name);
                return t ? tensorFromFile(f, *t).view(p.sizes()).to(p.device()) : torch::Tensor();
            };
            if (const io::TensorInfo *step = f.find(key + "step")) {
                auto a = std::make_unique<AdamWParamState>();
                a->step(tensorFromFile(f, *step).item<int64_t>());
                a->exp_avg(load("exp_avg"));
                a->exp_avg_sq(load("exp_avg_sq"));
                state[id] = std::move(a);
            } else if (f.find(key + "momentum")) {
                auto m = std::make_unique<SGDParamState>();
                m->momentum_buffer(load("momentum"));
                state[id] = std::move(m);
            }
        }
}

core::Status Learner::fit()
{
    clock.start();
    stages = task.stages();
    epochs = 0;
    for (const auto &s : stages)
        epochs += s.epochs;
    for (auto &cb : m_callbacks)
        if (auto s = cb->beforeFit(*this); !s)
            return s;
    // Steps before a resumed run's first epoch count in globalStep; the rest are planned.
    globalStep = 0;
    for (int s = 0, first = 1; s < int(stages.size()); first += stages[size_t(s)].epochs, ++s)
        for (int e = first; e < first + stages[size_t(s)].epochs; ++e)
            (e < startEpoch ? globalStep : stepsPlanned) += task.batchesPerEpoch(s);
    for (int s = 0, first = 1; s < int(stages.size()); first += stages[size_t(s)].epochs, ++s) {
        const int last = first + stages[size_t(s)].epochs - 1;
        if (last < startEpoch || cancelled || stopRequested)
            continue;
        stage = s;
        stageFirstEpoch = first;
        buildOptimizer(task.beginStage(s), config.learningRate * stages[size_t(s)].lrFactor);
        batchesPerEpoch = task.batchesPerEpoch(s);
        stageSteps = qint64(stages[size_t(s)].epochs) * batchesPerEpoch;
        for (epoch = std::max(first, startEpoch); epoch <= last; ++epoch) {
            if (auto groups = task.beginEpoch(epoch))
                buildOptimizer(*groups, config.learningRate * stages[size_t(s)].lrFactor);
            else if (m_pending.stage == s && m_pending.epoch == epoch)
                applyPendingOptimizerState();
            m_pending = Pending{};
            if (auto st = runEpoch(); !st)
                return st;
            if (cancelled || stopRequested)
                break;
        }
    }
    for (auto &cb : m_callbacks)
        cb->afterFit(*this);
    return {};
}

core::Status Learner::runEpoch()
{
    epochClock.start();
    metrics = EpochMetrics{};
    metrics.epoch = epoch;
    stageStep = qint64(epoch - stageFirstEpoch) * batchesPerEpoch;
    for (auto &cb : m_callbacks)
        cb->beforeEpoch(*this);
    double lossSum = 0;
    qint64 seen = 0, correct = 0;
    batch = 0;
    while (true) {
        if (cancel.isCancelled()) {
            cancelled = true;
            return {};
        }
        for (auto &cb : m_callbacks)
            cb->beforeBatch(*this);
        applyLearningRate();
        std::optional<StepOutput> out = task.nextBatch(epoch);
        if (!out)
            break;
        ++batch;
        torch::Tensor loss = out->loss;
        if (config.injectNanAtStep >= 0 && globalStep == config.injectNanAtStep)
            loss = loss * std::numeric_limits<float>::quiet_NaN();
        batchLoss = loss.item<double>();
        for (auto &cb : m_callbacks)
            if (auto s = cb->afterLoss(*this); !s)
                return s;
        if (stopRequested) // the learning-rate finder saw the loss diverge
            return {};
        m_optimizer->zero_grad();
        loss.backward();
        task.beforeStep();
        m_optimizer->step();
        lossSum += batchLoss * double(out->items);
        seen += out->items;
        epochItems = seen;
        correct += out->correct;
        ++stageStep;
        ++globalStep;
        ++stepsDone;
        metrics.learningRate = learningRate();
        for (auto &cb : m_callbacks)
            cb->afterBatch(*this);
        if (stopRequested)
            return {};
    }
    metrics.trainLoss = seen ? lossSum / double(seen) : 0;
    metrics.trainAccuracy = seen ? double(correct) / double(seen) : 0;
    if (!skipValidation && task.hasValidation()) {
        auto v = task.validate(cancel);
        if (!v) {
            if (v.error().code != ErrorCode::Cancelled)
                return v.error();
            cancelled = true;
            return {};
        }
        metrics.valLoss = v->loss;
        metrics.valAccuracy = v->accuracy;
    }
    metrics.seconds = double(epochClock.nsecsElapsed()) / 1e9;
    metrics.step = globalStep;
    history.push_back(metrics);
    for (auto &cb : m_callbacks)
        cb->afterEpoch(*this);
    return {};
}

// ---- callbacks -------------------------------------------------------------------------------

namespace {

/// fastai's ParamScheduler: the stage's schedule at its step.
struct ScheduleCallback : Callback
{
    void beforeBatch(Learner &l) override
    {
        l.lrFactor =
            scheduleFactor(l.config.schedule, l.config.warmupFraction, l.stageStep, l.stageSteps);
    }
};

/// fastai's LRFinder: exponential sweep over the batches of as many epochs as needed.
struct LrFinderCallback : Callback
{
    explicit LrFinderCallback(LrFinderResult *result) : m_result(result) {}
    core::Status beforeFit(Learner &l) override
    {
        l.skipValidation = true;
        m_start = l.snapshot();
        return {};
    }
    void beforeBatch(Learner &l) override
    {
        // The factor multiplies the stage's base rate (config.learningRate x stage factor).
        const double base = l.config.learningRate * l.stages[size_t(l.stage)].lrFactor;
        l.lrFactor = LrFinderResult::sweepRate(int(l.stepsDone)) / base;
    }
    core::Status afterLoss(Learner &l) override
    {
        if (!m_result->record(LrFinderResult::sweepRate(int(l.stepsDone)), l.batchLoss))
            l.stopRequested = true;
        return {};
    }
    void afterBatch(Learner &l) override
    {
        if (l.observer) {
            Progress p =
                ProgressMeter::make(Phase::LrFinder, l.stepsDone, LrFinderResult::kSweepSteps,
                                    double(l.clock.nsecsElapsed()) / 1e9);
            p.loss = l.batchLoss;
            p.learningRate = LrFinderResult::sweepRate(int(l.stepsDone) - 1);
            l.observer->progress(p);
        }
        if (l.stepsDone >= LrFinderResult::kSweepSteps)
            l.stopRequested = true;
    }
    void afterFit(Learner &l) override
    {
        l.restore(m_start);
        m_result->suggest();
    }

private:
    LrFinderResult *m_result;
    NamedTensors m_start;
};

/// Stops the run at a NaN or infinite loss, with the weights of the epoch's start.
struct NanGuardCallback : Callback
{
    void beforeEpoch(Learner &l) override { m_lastGood = l.snapshot(); }
    core::Status afterLoss(Learner &l) override
    {
        if (std::isfinite(l.batchLoss))
            return {};
        l.restore(m_lastGood);
        return makeError(
            ErrorCode::NumericalError,
            QStringLiteral("the loss became %1 at epoch %2, batch %3; the weights "
                           "were restored to the start of the epoch. Try a lower "
                           "learning rate.")
                .arg(std::isnan(l.batchLoss) ? QStringLiteral("NaN") : QStringLiteral("infinite"))
                .arg(l.epoch)
                .arg(l.batch));
    }

private:
    NamedTensors m_lastGood;
};

/// Keeps the weights of the best epoch under config.monitor and restores them at the end
/// (every epoch counts as best when there is no validation data).
struct KeepBestCallback : Callback
{
    void afterEpoch(Learner &l) override
    {
        EpochMetrics &m = l.history.back();
        if (l.bestEpoch > 0 && l.task.hasValidation() &&
            !isBetter(m, l.history[size_t(l.bestEpoch - 1)], l.config.monitor))
            return;
        for (auto &e : l.history)
            e.best = false;
        m.best = true;
        l.metrics.best = true;
        l.bestEpoch = m.epoch;
        m_best = l.snapshot();
    }
    void afterFit(Learner &l) override
    {
        if (!m_best.empty())
            l.restore(m_best);
    }
    void saveState(const Learner &, CheckpointData &data) const override
    {
        for (const auto &[name, t] : m_best)
            data.blobs.push_back(tensorBlob("best." + name, t));
    }
    core::Status loadState(Learner &l, const CheckpointData &data) override
    {
        if (l.bestEpoch <= 0)
            return {};
        m_best = cloneTensors(l.task.state());
        return loadTensors(*data.file, "best.", m_best);
    }

private:
    NamedTensors m_best;
};

/// Stops after config.patience epochs without a better one under config.monitor.
struct EarlyStoppingCallback : Callback
{
    void afterEpoch(Learner &l) override
    {
        if (l.config.patience <= 0 || l.bestEpoch <= 0 || !l.task.hasValidation())
            return;
        if (l.epoch - l.bestEpoch >= l.config.patience) {
            l.stopRequested = true;
            l.earlyStopped = true;
            if (l.observer)
                l.observer->notice({Notice::Code::EarlyStopped,
                                    {QString::number(l.epoch), QString::number(l.bestEpoch),
                                     QString::fromLatin1(nameOf(l.config.monitor))}});
        }
    }
};

/// After every epoch: the weights, the optimizer's moments, the random state and the callbacks'
/// state in config.checkpointDir; with config.resume, continues from there.
struct CheckpointCallback : Callback
{
    core::Status beforeFit(Learner &l) override
    {
        if (l.config.checkpointDir.isEmpty() || !l.config.resume)
            return {};
        const QString path = checkpointFile(l.config.checkpointDir);
        if (!QFileInfo::exists(path))
            return {};
        auto file = io::SafetensorsFile::open(path);
        if (!file)
            return file.error();
        m_file = std::make_unique<io::SafetensorsFile>(std::move(file.value()));
        const QJsonObject meta = m_file->metadata();
        if (meta.value("format").toString() != QLatin1String("graft-checkpoint") ||
            meta.value("version").toString() != QLatin1String("2"))
            return makeError(ErrorCode::InvalidFormat,
                             QStringLiteral("not a checkpoint of this Graft version; start afresh"),
                             path);
        if (meta.value("fingerprint").toString() != l.task.fingerprint())
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("the checkpoint was written for other data or settings "
                                            "(task, classes, model or split differ)"),
                             path);
        const int done = meta.value("epoch").toString().toInt();
        const QJsonArray eps =
            QJsonDocument::fromJson(meta.value("epochs").toString().toUtf8()).array();
        if (done < 1 || eps.size() != done)
            return makeError(ErrorCode::InvalidFormat,
                             QStringLiteral("the checkpoint's epoch count is inconsistent"), path);
        if (done > l.epochs)
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("the checkpoint holds %1 epochs, more than the %2 "
                                            "asked for; ask for more epochs or start afresh")
                                 .arg(done)
                                 .arg(l.epochs),
                             path);
        if (auto s = loadTensors(*m_file, "model.", l.task.state()); !s)
            return s;
        l.history.clear();
        for (const auto &e : eps)
            l.history.push_back(EpochMetrics::fromJson(e.toObject()));
        for (const auto &e : l.history)
            if (e.best)
                l.bestEpoch = e.epoch;
        l.startEpoch = done + 1;
        if (const auto *rng = m_file->find("rng")) {
            at::Generator gen = at::detail::getDefaultCPUGenerator();
            gen.set_state(tensorFromFile(*m_file, *rng));
        }
        CheckpointData data;
        data.file = m_file.get();
        data.meta = meta;
        for (const auto &cb : l.callbacks())
            if (auto s = cb->loadState(l, data); !s)
                return s;
        l.setPendingOptimizerState(meta.value("stage").toString().toInt(), done + 1, data);
        if (l.observer)
            l.observer->notice({Notice::Code::Resumed, {QString::number(done)}});
        return {};
    }
    void afterEpoch(Learner &l) override
    {
        if (l.config.checkpointDir.isEmpty())
            return;
        CheckpointData data;
        for (const auto &[name, t] : l.task.state())
            data.blobs.push_back(tensorBlob("model." + name, t));
        l.saveOptimizerState(data);
        data.blobs.push_back(tensorBlob("rng", at::detail::getDefaultCPUGenerator().get_state()));
        for (const auto &cb : l.callbacks())
            cb->saveState(l, data);
        QJsonArray eps;
        for (const auto &e : l.history)
            eps.append(e.toJson());
        const auto compact = [](const auto &json) {
            return QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact));
        };
        const std::map<QString, QString> meta{
            {QStringLiteral("format"), QStringLiteral("graft-checkpoint")},
            {QStringLiteral("version"), QStringLiteral("2")},
            {QStringLiteral("kind"), QString::fromLatin1(nameOf(l.config.kind))},
            {QStringLiteral("epoch"), QString::number(l.epoch)},
            {QStringLiteral("stage"), QString::number(l.stage)},
            {QStringLiteral("fingerprint"), l.task.fingerprint()},
            {QStringLiteral("epochs"), compact(eps)},
            {QStringLiteral("config"), compact(l.config.toJson())}};
        core::Status s =
            QDir().mkpath(l.config.checkpointDir)
                ? io::writeSafetensors(checkpointFile(l.config.checkpointDir), data.blobs, meta)
                : core::Status(makeError(ErrorCode::WriteFailed,
                                         QStringLiteral("cannot create folder"),
                                         l.config.checkpointDir));
        if (!s && l.observer)
            l.observer->notice({Notice::Code::CheckpointNotSaved, {s.error().message()}});
    }

private:
    std::unique_ptr<io::SafetensorsFile> m_file;
};

/// Batch progress and finished epochs. The time left is timed per stage: the rest of this
/// stage at its own rate, later stages of the same cost class at that rate too; a later
/// stage of another class (fine-tuning through the backbone after a head on cached features,
/// often 100 times slower per batch) is left out and the estimate marked partial.
struct ProgressCallback : Callback
{
    core::Status beforeFit(Learner &l) override
    {
        m_stage = -1;
        // A resumed run shows the epochs it continues from.
        if (l.observer && !l.history.empty())
            l.observer->epochsRestored(l.history);
        return {};
    }
    void beforeEpoch(Learner &l) override
    {
        if (l.stage != m_stage) { // a stage starts: its batches are timed from here
            m_stage = l.stage;
            m_stageStart = double(l.clock.nsecsElapsed()) / 1e9;
            m_stageStepsBefore = l.stepsDone;
        }
    }
    void afterBatch(Learner &l) override
    {
        if (!l.observer)
            return;
        const double elapsed = double(l.clock.nsecsElapsed()) / 1e9;
        Progress p = ProgressMeter::make(Phase::Train, l.stepsDone, l.stepsPlanned, elapsed);
        const qint64 stageDone = l.stepsDone - m_stageStepsBefore;
        const double perStep = (elapsed - m_stageStart) / double(std::max<qint64>(1, stageDone));
        qint64 left = l.stageSteps - l.stageStep;
        for (size_t s = size_t(l.stage) + 1; s < l.stages.size(); ++s) {
            if (l.stages[s].costClass == l.stages[size_t(l.stage)].costClass)
                left += qint64(l.stages[s].epochs) * l.task.batchesPerEpoch(int(s));
            else
                p.etaPartial = true;
        }
        p.etaSeconds = perStep * double(std::max<qint64>(0, left));
        // Items (images, texts, windows) per second over this epoch's batches.
        const double epochSeconds = double(l.epochClock.nsecsElapsed()) / 1e9;
        p.itemsPerSecond = epochSeconds > 0 ? double(l.epochItems) / epochSeconds : 0;
        p.epoch = l.epoch;
        p.epochs = l.epochs;
        p.batch = int(l.batch);
        p.batchesPerEpoch = int(l.batchesPerEpoch);
        p.step = l.globalStep;
        p.loss = l.batchLoss;
        p.learningRate = l.learningRate();
        l.observer->progress(p);
    }
    void afterEpoch(Learner &l) override
    {
        if (l.observer)
            l.observer->epochFinished(l.history.back());
    }

private:
    int m_stage = -1;
    double m_stageStart = 0;
    qint64 m_stageStepsBefore = 0;
};

} // namespace

std::unique_ptr<Callback> lrFinderCallback(LrFinderResult *r)
{
    return std::make_unique<LrFinderCallback>(r);
}

Learner &Learner::addStandardCallbacks(bool keepLast)
{
    add(std::make_unique<ScheduleCallback>());
    add(std::make_unique<NanGuardCallback>());
    if (!keepLast) {
        add(std::make_unique<KeepBestCallback>());
        add(std::make_unique<EarlyStoppingCallback>());
    }
    add(std::make_unique<CheckpointCallback>());
    return add(std::make_unique<ProgressCallback>());
}

} // namespace graft::learn
