// The training engine: one of the few translation units that include LibTorch.
#include "graft/train/Trainer.h"

#include "graft/core/Runtime.h"
#include "graft/vision/BatchPipeline.h"
#include "graft/vision/Backbone.h"
#include "graft/export/OnnxGraph.h"
#include "graft/io/Safetensors.h"
#include "vision/FeatureCache.h"
#include "train/Metrics.h"
#include "train/TensorBlob.h"

#include <torch/nn/functional/loss.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/adamw.h>
#include <torch/cuda.h>
#include <torch/optim/sgd.h>
#include <torch/script.h>

#include <opencv2/dnn.hpp>

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QStandardPaths>

#include <cmath>
#include <functional>
#include <numeric>
#include <optional>
#include <random>
#include <sstream>

namespace graft::train {

using core::ErrorCode;
using core::makeError;

namespace {

/// Classification head on pooled features: linear, or dropout-linear-ReLU-dropout-linear.
struct HeadImpl : torch::nn::Module
{
    HeadImpl(std::int64_t in, std::int64_t classes, HeadKind kind, int hidden, double dropout)
        : mlp(kind == HeadKind::Mlp)
    {
        if (mlp) {
            fc1 = register_module("fc1", torch::nn::Linear(in, hidden));
            fc2 = register_module("fc2", torch::nn::Linear(hidden, classes));
        } else {
            fc2 = register_module("fc", torch::nn::Linear(in, classes));
        }
        drop = register_module("drop", torch::nn::Dropout(dropout));
    }
    torch::Tensor forward(torch::Tensor x)
    {
        if (mlp)
            x = torch::relu(fc1->forward(drop->forward(x)));
        return fc2->forward(drop->forward(x));
    }
    bool mlp;
    torch::nn::Linear fc1{nullptr}, fc2{nullptr};
    torch::nn::Dropout drop{nullptr};
};
TORCH_MODULE(Head);

double scheduledLr(Schedule s, double maxLr, double warmup, qint64 step, qint64 total)
{
    if (total <= 1 || s == Schedule::Constant)
        return maxLr;
    const double t = double(step) / double(total - 1);
    auto cosine = [](double from, double to, double p) {
        return to + (from - to) * 0.5 * (1.0 + std::cos(M_PI * std::clamp(p, 0.0, 1.0)));
    };
    if (s == Schedule::OneCycle) { // fastai: div 25, final div 1e4, cosine both ways
        if (t < warmup)
            return cosine(maxLr / 25.0, maxLr, t / warmup);
        return cosine(maxLr, maxLr / 1e4, (t - warmup) / (1.0 - warmup));
    }
    const double w = std::min(warmup, 0.1);
    if (t < w)
        return maxLr * (t / w);
    return cosine(maxLr, 0.0, (t - w) / (1.0 - w));
}

QString cacheRoot(const TrainingConfig &c)
{
    if (!c.cacheDir.isEmpty())
        return c.cacheDir;
    return QStandardPaths::writableLocation(QStandardPaths::CacheLocation) +
           QStringLiteral("/features");
}

/// Copy of all parameters and buffers (for best-epoch and last-good restore).
using Snapshot = std::vector<std::pair<std::string, torch::Tensor>>;

Snapshot snapshot(torch::nn::Module &m)
{
    Snapshot s;
    torch::NoGradGuard ng;
    for (const auto &p : m.named_parameters())
        s.emplace_back(p.key(), p.value().detach().clone());
    for (const auto &b : m.named_buffers())
        s.emplace_back("buffer:" + b.key(), b.value().detach().clone());
    return s;
}

void restore(torch::nn::Module &m, const Snapshot &s)
{
    torch::NoGradGuard ng;
    auto params = m.named_parameters();
    auto buffers = m.named_buffers();
    for (const auto &[name, value] : s) {
        if (name.rfind("buffer:", 0) == 0) {
            if (auto *b = buffers.find(name.substr(7)))
                b->copy_(value);
        } else if (auto *p = params.find(name)) {
            p->copy_(value);
        }
    }
}

QString errorFromException(const std::exception &e)
{
    QString what = QString::fromUtf8(e.what());
    const int nl = int(what.indexOf(QLatin1Char('\n')));
    return nl > 0 ? what.left(nl) : what;
}

} // namespace

struct Trainer::Impl
{
    TrainingConfig config;
    vision::BackboneSpec spec;
    QString weightsPath;
    std::shared_ptr<vision::Backbone> backbone;
    Head head{nullptr};
    QStringList classes;
    std::vector<vision::Sample> train, val;
    QHash<QString, QByteArray> contentHash; ///< path -> SHA-256 from the scan
    int cutAt = 0;
    bool trained = false;
    vision::FreezePlan plan;
    torch::Device device{torch::kCPU}; ///< where the backbone and head run

    // Cached features (feature-extractor phase): per view for train, one for val.
    std::vector<torch::Tensor> trainFeatures; ///< per view: [Ntrain, D]
    torch::Tensor trainLabels;
    torch::Tensor valFeatures;
    torch::Tensor valLabels;
    std::vector<int> valKept; ///< indices into `val` that loaded
    bool backboneChanged = false; ///< backbone weights trained: cached features are stale
    /// Preprocessed validation batches kept from the feature pass (sample indices into `val`)
    /// so the export check does not decode them again; only when they fit kKeepValBytes.
    std::vector<vision::Batch> valBatches;
    static constexpr qint64 kKeepValBytes = qint64(256) << 20;
    double featureSeconds = 0;

    std::int64_t dim() const { return backbone->featureDim(cutAt); }

    vision::PipelineOptions pipelineOptions(bool augment, bool inference = false) const
    {
        vision::PipelineOptions o;
        o.preprocessing = spec.preprocessing;
        o.augmentation = config.augmentation;
        o.augmentation.enabled = augment;
        o.batchSize = inference ? std::max(1, config.inferenceBatchSize) : config.batchSize;
        o.seed = quint64(config.seed);
        o.workers = std::max(1, core::hardwareThreads());
        o.prefetchBatches = 4;
        return o;
    }

    /// Batch as NHWC-strided (channels_last) tensor: convolutions run 1.2-1.6x faster here.
    torch::Tensor toTensor(const vision::Batch &b) const
    {
        return torch::from_blob(const_cast<float *>(b.data.data()),
                                {b.size, 3, b.height, b.width}, torch::kFloat)
            .contiguous(torch::MemoryFormat::ChannelsLast)
            .to(device);
    }

    /// Moves backbone and head (and their optimizer-free state) to `d`.
    void moveTo(torch::Device d)
    {
        backbone->to(d);
        head->to(d);
    }

    QByteArray spaceKey(int view, bool augment) const
    {
        QByteArray k;
        k += spec.id.toUtf8() + '|' + QByteArray::number(config.pretrained) + '|';
        const QFileInfo wf(weightsPath);
        k += QByteArray::number(wf.size()) + '|' +
             QByteArray::number(wf.lastModified().toMSecsSinceEpoch()) + '|';
        k += QByteArray::number(cutAt) + '|' + spec.preprocessing.key().toUtf8() + '|';
        if (augment)
            k += "aug|" + QJsonDocument(config.augmentation.toJson()).toJson(QJsonDocument::Compact) +
                 '|' + QByteArray::number(config.seed) + '|' + QByteArray::number(view);
        else
            k += "clean";
        return k;
    }

    /// Pooled features of `samples` for one view, from the disk cache where possible.
    /// Returns [N', D] and the kept sample indices (files that failed to load are skipped).
    core::Result<std::pair<torch::Tensor, std::vector<int>>>
    extractFeatures(const std::vector<vision::Sample> &samples, int view, bool augment,
                    TrainingObserver *obs, const core::CancelToken &cancel, const QString &phase,
                    std::vector<vision::Batch> *keep = nullptr)
    {
        const std::int64_t D = dim();
        FeatureCache cache(cacheRoot(config), spaceKey(view, augment), int(D));
        if (config.useFeatureCache)
            cache.load();
        torch::Tensor out = torch::empty({std::int64_t(samples.size()), D});
        std::vector<bool> have(samples.size(), false);
        std::vector<vision::Sample> todo;
        std::vector<int> todoIndex;
        for (size_t i = 0; i < samples.size(); ++i) {
            const QByteArray h = contentHash.value(samples[i].path);
            const float *f = h.isEmpty() ? nullptr : cache.find(h);
            if (f) {
                std::memcpy(out[std::int64_t(i)].data_ptr<float>(), f, size_t(D) * 4);
                have[i] = true;
            } else {
                todo.push_back(samples[i]);
                todoIndex.push_back(int(i));
            }
        }
        if (!todo.empty()) {
            auto opts = pipelineOptions(augment, true);
            vision::BatchPipeline pipe(todo, opts);
            pipe.startEpoch(0, view);
            backbone->eval();
            torch::NoGradGuard ng;
            qint64 done = 0;
            while (auto batch = pipe.next()) {
                if (cancel.isCancelled()) {
                    pipe.cancel();
                    return makeError(ErrorCode::Cancelled, QStringLiteral("cancelled"));
                }
                for (const auto &e : batch->errors)
                    if (obs)
                        obs->message(QStringLiteral("skipped %1").arg(e));
                if (batch->size > 0) {
                    const torch::Tensor f =
                        backbone->features(toTensor(*batch), cutAt).to(torch::kCPU).contiguous();
                    for (int k = 0; k < batch->size; ++k) {
                        const int i = todoIndex[size_t(batch->sampleIndices[size_t(k)])];
                        out[i].copy_(f[k]);
                        have[size_t(i)] = true;
                        const QByteArray h = contentHash.value(samples[size_t(i)].path);
                        if (!h.isEmpty())
                            cache.insert(h, f[k].data_ptr<float>());
                    }
                }
                done += batch->size + qint64(batch->errors.size());
                if (obs)
                    obs->phaseProgress(phase, done, qint64(todo.size()));
                if (keep && batch->size > 0) {
                    for (int &k : batch->sampleIndices)
                        k = todoIndex[size_t(k)];
                    batch->errors.clear();
                    keep->push_back(std::move(*batch));
                }
            }
            if (config.useFeatureCache) {
                const auto saved = cache.save();
                if (!saved && obs)
                    obs->message(QStringLiteral("feature cache not saved: %1")
                                     .arg(saved.error().message()));
            }
        } else if (obs) {
            obs->phaseProgress(phase, qint64(samples.size()), qint64(samples.size()));
        }
        std::vector<int> kept;
        for (size_t i = 0; i < samples.size(); ++i)
            if (have[i])
                kept.push_back(int(i));
        if (kept.size() != samples.size()) {
            auto idx = torch::tensor(std::vector<std::int64_t>(kept.begin(), kept.end()));
            out = out.index_select(0, idx);
        }
        return std::make_pair(out, kept);
    }

    torch::Tensor labelsOf(const std::vector<vision::Sample> &s, const std::vector<int> &kept)
    {
        std::vector<std::int64_t> l;
        for (int i : kept)
            l.push_back(s[size_t(i)].label);
        return torch::tensor(l, torch::kLong);
    }

    torch::Tensor classWeights() const
    {
        if (!config.balancedClassWeights)
            return {};
        std::vector<double> counts(size_t(classes.size()), 0);
        for (const auto &s : train)
            counts[size_t(s.label)] += 1;
        std::vector<float> w;
        for (double c : counts)
            w.push_back(c > 0 ? float(double(train.size()) / (double(classes.size()) * c)) : 0.f);
        return torch::tensor(w);
    }

    torch::Tensor lossOf(const torch::Tensor &logits, const torch::Tensor &labels) const
    {
        namespace F = torch::nn::functional;
        auto opts = F::CrossEntropyFuncOptions().label_smoothing(config.labelSmoothing);
        const torch::Tensor w = classWeights();
        if (w.defined())
            opts = opts.weight(w.to(logits.device()));
        return F::cross_entropy(logits, labels, opts);
    }

    /// Optimizer over the head and the trainable backbone groups, weight decay only on
    /// weights with more than one dimension. Returns base LRs per param group.
    std::unique_ptr<torch::optim::Optimizer> makeOptimizer(double lr, std::vector<double> *baseLrs)
    {
        std::vector<torch::optim::OptimizerParamGroup> groups;
        auto addGroup = [&](const std::vector<torch::Tensor> &params, double groupLr) {
            std::vector<torch::Tensor> decay, noDecay;
            for (const auto &p : params)
                (p.dim() > 1 ? decay : noDecay).push_back(p);
            for (int k = 0; k < 2; ++k) {
                auto &ps = k == 0 ? decay : noDecay;
                if (ps.empty())
                    continue;
                const double wd = k == 0 ? config.weightDecay : 0.0;
                if (config.optimizer == OptimizerKind::Sgd)
                    groups.emplace_back(ps, std::make_unique<torch::optim::SGDOptions>(
                                                torch::optim::SGDOptions(groupLr)
                                                    .momentum(config.momentum)
                                                    .weight_decay(wd)));
                else
                    groups.emplace_back(ps, std::make_unique<torch::optim::AdamWOptions>(
                                                torch::optim::AdamWOptions(groupLr).weight_decay(wd)));
                baseLrs->push_back(groupLr);
            }
        };
        addGroup(head->parameters(), lr);
        for (int g = 0; g < cutAt; ++g) {
            if (!plan.trainable[size_t(g)])
                continue;
            addGroup(vision::trainableParameters(*backbone, g),
                     lr * config.backboneLrFactor * plan.lrMultiplier[size_t(g)]);
        }
        if (config.optimizer == OptimizerKind::Sgd)
            return std::make_unique<torch::optim::SGD>(std::move(groups),
                                                       torch::optim::SGDOptions(lr));
        return std::make_unique<torch::optim::AdamW>(std::move(groups),
                                                     torch::optim::AdamWOptions(lr));
    }

    static void setLr(torch::optim::Optimizer &opt, const std::vector<double> &base, double factor)
    {
        auto &groups = opt.param_groups();
        for (size_t i = 0; i < groups.size(); ++i)
            groups[i].options().set_lr(base[i] * factor);
    }

    torch::Tensor forwardImages(const torch::Tensor &x)
    {
        const int first = plan.firstTrainable();
        torch::Tensor f;
        if (first >= cutAt) {
            torch::NoGradGuard ng;
            f = backbone->features(x, cutAt);
        } else if (first == 0) {
            f = backbone->features(x, cutAt);
        } else {
            torch::Tensor map;
            {
                torch::NoGradGuard ng;
                map = backbone->featureMap(x, first);
            }
            f = backbone->featuresFrom(map, first, cutAt);
        }
        return head->forward(f);
    }

    /// Probabilities of the whole model for `samples` (eval mode, no augmentation).
    core::Result<std::pair<std::vector<std::vector<float>>, std::vector<int>>>
    probabilities(const std::vector<vision::Sample> &samples, const core::CancelToken &cancel)
    {
        std::vector<std::vector<float>> probs(samples.size());
        std::vector<bool> ok(samples.size(), false);
        backbone->eval();
        head->eval();
        torch::NoGradGuard ng;
        vision::BatchPipeline pipe(samples, pipelineOptions(false, true));
        pipe.startEpoch(0);
        while (auto b = pipe.next()) {
            if (cancel.isCancelled())
                return makeError(ErrorCode::Cancelled, QStringLiteral("cancelled"));
            if (b->size == 0)
                continue;
            const torch::Tensor p =
                torch::softmax(head->forward(backbone->features(toTensor(*b), cutAt)), 1)
                    .to(torch::kCPU)
                    .contiguous();
            for (int k = 0; k < b->size; ++k) {
                const int i = b->sampleIndices[size_t(k)];
                const float *row = p[k].data_ptr<float>();
                probs[size_t(i)].assign(row, row + p.size(1));
                ok[size_t(i)] = true;
            }
        }
        std::vector<std::vector<float>> outP;
        std::vector<int> kept;
        for (size_t i = 0; i < samples.size(); ++i)
            if (ok[i]) {
                outP.push_back(std::move(probs[i]));
                kept.push_back(int(i));
            }
        return std::make_pair(outP, kept);
    }

    Evaluation evaluationFrom(const std::vector<std::vector<float>> &probs,
                              const std::vector<vision::Sample> &samples, const std::vector<int> &kept)
    {
        std::vector<int> labels;
        QStringList files;
        for (int i : kept) {
            labels.push_back(samples[size_t(i)].label);
            files << samples[size_t(i)].path;
        }
        return computeEvaluation(probs, labels, files, int(classes.size()));
    }

    std::vector<std::vector<float>> headProbabilities(const torch::Tensor &features)
    {
        head->eval();
        torch::NoGradGuard ng;
        const torch::Tensor p =
            torch::softmax(head->forward(features.to(device)), 1).to(torch::kCPU).contiguous();
        std::vector<std::vector<float>> out(size_t(p.size(0)));
        for (std::int64_t i = 0; i < p.size(0); ++i) {
            const float *row = p[i].data_ptr<float>();
            out[size_t(i)].assign(row, row + p.size(1));
        }
        return out;
    }

    core::Status saveCheckpoint(int epoch, const std::vector<EpochMetrics> &epochs)
    {
        if (config.checkpointDir.isEmpty())
            return {};
        std::vector<io::TensorBlob> blobs;
        auto add = [&](const std::string &prefix, torch::nn::Module &m) {
            for (const auto &p : m.named_parameters())
                blobs.push_back(tensorBlob(prefix + p.key(), p.value()));
            for (const auto &b : m.named_buffers())
                blobs.push_back(tensorBlob(prefix + "buffer:" + b.key(), b.value()));
        };
        add("head.", *head);
        if (!plan.allFrozen())
            add("backbone.", *backbone);
        QJsonArray eps;
        for (const auto &e : epochs)
            eps.append(e.toJson());
        std::map<QString, QString> meta{
            {QStringLiteral("format"), QStringLiteral("graft-checkpoint")},
            {QStringLiteral("epoch"), QString::number(epoch)},
            {QStringLiteral("config"),
             QString::fromUtf8(QJsonDocument(config.toJson()).toJson(QJsonDocument::Compact))},
            {QStringLiteral("epochs"),
             QString::fromUtf8(QJsonDocument(eps).toJson(QJsonDocument::Compact))},
            {QStringLiteral("classes"), classes.join(QLatin1Char('\n'))}};
        if (!QDir().mkpath(config.checkpointDir))
            return makeError(ErrorCode::WriteFailed, QStringLiteral("cannot create folder"),
                             config.checkpointDir);
        return io::writeSafetensors(checkpointPath(), blobs, meta);
    }

    QString checkpointPath() const
    {
        return QDir(config.checkpointDir).filePath(QStringLiteral("checkpoint.safetensors"));
    }

    /// Loads the checkpoint into head (and backbone); returns the epoch it was written after.
    core::Result<int> loadCheckpoint(std::vector<EpochMetrics> *epochs)
    {
        auto file = io::SafetensorsFile::open(checkpointPath());
        if (!file)
            return file.error();
        const QJsonObject meta = file->metadata();
        if (meta.value("format").toString() != QLatin1String("graft-checkpoint"))
            return makeError(ErrorCode::InvalidFormat, QStringLiteral("not a Graft checkpoint"),
                             checkpointPath());
        if (meta.value("classes").toString() != classes.join(QLatin1Char('\n')))
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("checkpoint was trained on other classes"),
                             checkpointPath());
        torch::NoGradGuard ng;
        auto load = [&](const std::string &prefix, torch::nn::Module &m) -> core::Status {
            auto params = m.named_parameters();
            auto buffers = m.named_buffers();
            for (const auto &t : file->tensors()) {
                if (t.name.rfind(prefix, 0) != 0)
                    continue;
                std::string key = t.name.substr(prefix.size());
                torch::Tensor *dst = nullptr;
                if (key.rfind("buffer:", 0) == 0)
                    dst = buffers.find(key.substr(7));
                else
                    dst = params.find(key);
                if (!dst)
                    return makeError(ErrorCode::InvalidFormat,
                                     QStringLiteral("unexpected tensor %1")
                                         .arg(QString::fromStdString(t.name)),
                                     checkpointPath());
                const auto values = file->toFloat(t);
                if (std::int64_t(values.size()) != dst->numel())
                    return makeError(ErrorCode::InvalidFormat,
                                     QStringLiteral("tensor %1 has the wrong size")
                                         .arg(QString::fromStdString(t.name)),
                                     checkpointPath());
                dst->copy_(torch::from_blob(const_cast<float *>(values.data()), dst->sizes())
                               .to(dst->dtype()));
            }
            return {};
        };
        if (auto s = load("head.", *head); !s)
            return s.error();
        if (auto s = load("backbone.", *backbone); !s)
            return s.error();
        epochs->clear();
        const QJsonArray eps =
            QJsonDocument::fromJson(meta.value("epochs").toString().toUtf8()).array();
        for (const auto &v : eps)
            epochs->push_back(EpochMetrics::fromJson(v.toObject()));
        return meta.value("epoch").toString().toInt();
    }


    /// Writes an exported model atomically (nothing at `path` changes unless the whole file
    /// is written), then model.json beside it.
    core::Status writeExport(const QString &path, const std::string &bytes, const QString &format) const
    {
        QSaveFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return makeError(ErrorCode::WriteFailed, f.errorString(), path);
        if (f.write(bytes.data(), qint64(bytes.size())) != qint64(bytes.size())) {
            f.cancelWriting();
            return makeError(ErrorCode::WriteFailed, f.errorString(), path);
        }
        if (!f.commit())
            return makeError(ErrorCode::WriteFailed, f.errorString(), path);
        return writeModelJson(path, format);
    }

    /// model.json beside an exported file: what a program needs to feed the model without Graft.
    core::Status writeModelJson(const QString &path, const QString &format) const
    {
        const QString sidecar = modelJsonPath(path);
        const QJsonObject modelJson{
            {"format", "graft-model"},
            {"format_version", 1},
            {"model_file", QFileInfo(path).fileName()},
            {"model_format", format},
            {"graft_version", QStringLiteral(GRAFT_VERSION)},
            {"backbone", spec.id},
            {"labels", QJsonArray::fromStringList(classes)},
            {"input",
             QJsonObject{{"layout", "NCHW"},
                         {"dtype", "float32"},
                         {"channels", spec.preprocessing.bgr ? "BGR" : "RGB"},
                         {"size", spec.preprocessing.inputSize},
                         {"name", "input"}}},
            {"preprocessing", spec.preprocessing.toJson()},
            {"preprocessing_steps",
             QJsonArray{QStringLiteral("decode to 8-bit RGB, applying EXIF orientation"),
                        QStringLiteral("resize: 'squash' = both sides to size; 'center-crop' = "
                                       "shorter side to size / cropFraction, then the central "
                                       "size x size; 'pad' = longer side to size, rest padded "
                                       "with the mean colour (area filter when shrinking, "
                                       "bilinear when enlarging)"),
                        QStringLiteral("scaling: 'mean-std' = (v/255 - mean)/std; "
                                       "'minus-one-to-one' = v/127.5 - 1; 'zero-to-one' = v/255")}},
            {"output", format == QLatin1String("onnx")
                           ? "outputs 'logits' and 'probabilities' (softmax)"
                           : "logits (forward); softmax probabilities (predict_proba)"},
        };
        QSaveFile mj(sidecar);
        const QByteArray bytes = QJsonDocument(modelJson).toJson(QJsonDocument::Indented);
        if (!mj.open(QIODevice::WriteOnly) || mj.write(bytes) != bytes.size() || !mj.commit())
            return makeError(ErrorCode::WriteFailed, mj.errorString(), sidecar);
        return {};
    }


    /// Runs the validation images through `theirs` (probabilities [n, classes] for a batch) and
    /// compares with this model: agreement of top-1 and the largest probability difference.
    /// Uses the images decoded for the feature pass when they were kept, and the cached
    /// validation features for this model when the backbone did not change.
    core::Status compareOnValidation(
        const std::function<torch::Tensor(const torch::Tensor &, const vision::Batch &)> &theirs,
        ExportCheck *check, const core::CancelToken &cancel)
    {
        std::vector<std::int64_t> cachedRows;
        if (valFeatures.defined() && !backboneChanged) {
            cachedRows.assign(val.size(), -1);
            for (size_t r = 0; r < valKept.size(); ++r)
                cachedRows[size_t(valKept[r])] = std::int64_t(r);
        }
        size_t keptImages = 0;
        for (const auto &b : valBatches)
            keptImages += size_t(b.size);
        const bool reuse = !valBatches.empty() && keptImages == valKept.size();
        std::optional<vision::BatchPipeline> pipe;
        if (!reuse) {
            pipe.emplace(val, pipelineOptions(false, true));
            pipe->startEpoch(0);
        }
        size_t reuseAt = 0;
        std::optional<vision::Batch> decoded;
        auto nextBatch = [&]() -> const vision::Batch * {
            if (reuse)
                return reuseAt < valBatches.size() ? &valBatches[reuseAt++] : nullptr;
            decoded = pipe->next();
            return decoded ? &*decoded : nullptr;
        };
        torch::NoGradGuard ng;
        int agree = 0;
        while (const vision::Batch *b = nextBatch()) {
            if (cancel.isCancelled())
                return makeError(ErrorCode::Cancelled, QStringLiteral("cancelled"));
            if (b->size == 0)
                continue;
            const torch::Tensor x = toTensor(*b);
            torch::Tensor feats;
            if (cachedRows.size() == val.size()) {
                std::vector<std::int64_t> rows;
                for (int i : b->sampleIndices)
                    rows.push_back(cachedRows[size_t(i)]);
                if (std::find(rows.begin(), rows.end(), -1) == rows.end())
                    feats = valFeatures.index_select(0, torch::tensor(rows, torch::kLong));
            }
            if (!feats.defined())
                feats = backbone->features(x, cutAt);
            const torch::Tensor ours = torch::softmax(head->forward(feats), 1);
            const torch::Tensor other = theirs(x, *b);
            check->maxAbsProbabilityDiff =
                std::max(check->maxAbsProbabilityDiff, (ours - other).abs().max().item<double>());
            agree += int(ours.argmax(1).eq(other.argmax(1)).sum().item<std::int64_t>());
            check->samples += b->size;
        }
        check->agreement = check->samples ? double(agree) / check->samples : 1.0;
        return {};
    }

    core::Result<TrainingReport> runTraining(TrainingObserver *obs, const core::CancelToken &cancel);
    core::Result<LrFinderResult> runFinder(TrainingObserver *obs, const core::CancelToken &cancel);
    core::Status prepareFeatures(TrainingObserver *obs, const core::CancelToken &cancel);
};

Trainer::Trainer()
    : d(std::make_unique<Impl>())
{}

static core::Result<torch::Device> resolveDevice(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n.isEmpty() || n == QLatin1String("auto"))
        return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
    if (n == QLatin1String("cpu"))
        return torch::Device(torch::kCPU);
    if (n == QLatin1String("cuda") || n.startsWith(QLatin1String("cuda:"))) {
        if (!torch::cuda::is_available())
            return makeError(ErrorCode::Unsupported,
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
    return makeError(ErrorCode::InvalidArgument,
                     QStringLiteral("unknown device '%1' (use auto, cpu, cuda or cuda:N)").arg(name));
}

QString modelJsonPath(const QString &modelPath)
{
    const QFileInfo fi(modelPath);
    // ONNX keeps its suffix ("ants.onnx.json") so that a TorchScript and an ONNX export of the
    // same name ("ants.pt", "ants.onnx") do not share one model.json.
    if (fi.suffix().compare(QLatin1String("onnx"), Qt::CaseInsensitive) == 0)
        return modelPath + QStringLiteral(".json");
    const QString p = fi.dir().filePath(fi.completeBaseName() + QStringLiteral(".json"));
    return QFileInfo(p) == fi ? modelPath + QStringLiteral(".model.json") : p;
}

core::Result<QString> checkDevice(const QString &name)
{
    auto d = resolveDevice(name);
    if (!d)
        return d.error();
    return QString::fromStdString(d->str());
}

QString Trainer::deviceInUse() const
{
    return QString::fromStdString(d->device.str());
}

Trainer::~Trainer() = default;

QStringList Trainer::classes() const
{
    return d->classes;
}

const TrainingConfig &Trainer::config() const
{
    return d->config;
}

bool Trainer::isTrained() const
{
    return d->trained;
}

core::Status Trainer::setup(const TrainingConfig &config, const vision::ScanReport &dataset)
{
    try {
        if (!dataset.canTrain())
            return makeError(ErrorCode::DatasetInvalid,
                             dataset.blocking.empty() ? QString() : dataset.blocking.front().message,
                             dataset.root);
        const auto *spec = vision::BackboneCatalogue::builtin().find(config.backboneId);
        if (!spec)
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("unknown backbone '%1'").arg(config.backboneId));
        if (spec->task != QLatin1String("image"))
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("backbone '%1' is not an image backbone")
                                 .arg(config.backboneId));
        if (config.epochs < 1 || config.batchSize < 1)
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("epochs and batch size must be at least 1"));
        d = std::make_unique<Impl>();
        d->config = config;
        d->spec = *spec;
        core::setComputeThreads(config.threads);
        torch::manual_seed(std::uint64_t(config.seed));
        d->weightsPath = QDir(vision::resolveWeightsDir(config.weightsDir)).filePath(spec->weightsFile);
        auto bb = vision::createBackbone(*spec, d->weightsPath, config.pretrained);
        if (!bb)
            return bb.error();
        d->backbone = *bb;
        {
            torch::NoGradGuard ng;
            for (auto &p : d->backbone->parameters())
                if (p.dim() == 4)
                    p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
        }
        const int groups = int(d->backbone->groups().size());
        d->cutAt = config.cutAt > 0 ? std::min(config.cutAt, groups) : groups;
        d->classes = dataset.classNames();
        d->train = dataset.samples(vision::Split::Train);
        d->val = dataset.samples(vision::Split::Val);
        for (const auto &e : dataset.entries)
            if (e.usable())
                d->contentHash.insert(e.path, e.sha256);
        d->head = Head(d->dim(), std::int64_t(d->classes.size()), config.head, config.mlpHidden,
                       config.dropout);
        d->plan = vision::FreezePlan::featureExtractor(d->cutAt);
        vision::applyFreezePlan(*d->backbone, d->plan);
        auto device = resolveDevice(config.device);
        if (!device)
            return device.error();
        d->device = *device;
        d->moveTo(d->device);
        return {};
    } catch (const std::exception &e) {
        return makeError(ErrorCode::Internal, errorFromException(e));
    }
}

core::Status Trainer::Impl::prepareFeatures(TrainingObserver *obs, const core::CancelToken &cancel)
{
    if (!trainFeatures.empty())
        return {};
    QElapsedTimer timer;
    timer.start();
    const bool augment = config.augment;
    const int views = augment ? std::max(1, config.augmentViews) : 1;
    for (int v = 0; v < views; ++v) {
        auto r = extractFeatures(train, v, augment, obs, cancel,
                                 QStringLiteral("features"));
        if (!r)
            return r.error();
        if (v == 0)
            trainLabels = labelsOf(train, r->second);
        if (r->first.size(0) != trainLabels.size(0))
            return makeError(ErrorCode::Unreadable,
                             QStringLiteral("training files changed while features were computed"));
        trainFeatures.push_back(r->first);
    }
    const int s = spec.preprocessing.inputSize;
    const bool keepVal = qint64(val.size()) * 3 * s * s * qint64(sizeof(float)) <= kKeepValBytes;
    valBatches.clear();
    auto rv = extractFeatures(val, 0, false, obs, cancel, QStringLiteral("features"),
                              keepVal ? &valBatches : nullptr);
    if (!rv)
        return rv.error();
    valFeatures = rv->first;
    valKept = rv->second;
    valLabels = labelsOf(val, valKept);
    featureSeconds += double(timer.nsecsElapsed()) / 1e9;
    return {};
}

core::Result<TrainingReport> Trainer::Impl::runTraining(TrainingObserver *obs,
                                                       const core::CancelToken &cancel)
{
    QElapsedTimer total;
    total.start();
    torch::manual_seed(std::uint64_t(config.seed));
    TrainingReport report;
    report.classes = classes;
    report.config = config;

    const int epochs = config.epochs;
    int headEpochs = epochs;
    switch (config.recipe) {
    case Recipe::FeatureExtractor:
        headEpochs = config.customPlan && !config.customPlan->allFrozen() ? 0 : epochs;
        break;
    case Recipe::FineTune:
    case Recipe::Full:
    case Recipe::GradualUnfreeze: headEpochs = std::clamp(config.headEpochs, 0, epochs); break;
    }
    if (headEpochs > 0 || config.recipe == Recipe::FeatureExtractor) {
        if (auto s = prepareFeatures(obs, cancel); !s) {
            if (s.error().code == ErrorCode::Cancelled) {
                report.cancelled = true;
                return report;
            }
            return s.error();
        }
    }
    report.featureSeconds = featureSeconds;

    int startEpoch = 1;
    if (config.resume && !config.checkpointDir.isEmpty() && QFileInfo::exists(checkpointPath())) {
        auto loaded = loadCheckpoint(&report.epochs);
        if (!loaded)
            return loaded.error();
        startEpoch = *loaded + 1;
        if (obs)
            obs->message(QStringLiteral("resumed after epoch %1").arg(*loaded));
    }

    // Batches per epoch for each phase, to compute the schedule and ETA.
    const qint64 headBatches =
        trainFeatures.empty() ? 0 : (trainFeatures[0].size(0) + config.batchSize - 1) / config.batchSize;
    const qint64 imageBatches = (qint64(train.size()) + config.batchSize - 1) / config.batchSize;

    double bestValLoss = std::numeric_limits<double>::infinity();
    double bestValAcc = -1;
    Snapshot bestHead, bestBackbone;
    int sinceBest = 0;
    qint64 globalStep = 0;
    for (const auto &e : report.epochs) {
        if (e.best) {
            bestValLoss = e.valLoss;
            bestValAcc = e.valAccuracy;
            report.bestEpoch = e.epoch;
        }
    }

    // Phases: head on cached features for epochs [1, headEpochs], then images end to end.
    struct Phase
    {
        int firstEpoch, lastEpoch;
        bool cached;
    };
    std::vector<Phase> phases;
    if (headEpochs > 0)
        phases.push_back({1, headEpochs, true});
    if (headEpochs < epochs)
        phases.push_back({headEpochs + 1, epochs, false});

    const double lr = config.learningRate > 0 ? config.learningRate : 1e-3;
    // Backbone weights before any fine-tuning: restored when the best epoch is a head-only one
    // but later epochs changed the backbone.
    const Snapshot initialBackbone =
        headEpochs < epochs && headEpochs > 0 ? snapshot(*backbone) : Snapshot{};
    QElapsedTimer runTimer;
    runTimer.start();
    qint64 stepsDoneThisRun = 0;
    qint64 stepsTotalRun = 0;
    for (const auto &ph : phases)
        stepsTotalRun += qint64(ph.lastEpoch - std::max(ph.firstEpoch, startEpoch) + 1) *
                         (ph.cached ? headBatches : imageBatches);

    for (const auto &ph : phases) {
        if (ph.lastEpoch < startEpoch)
            continue;
        // Freeze plan for the phase.
        if (ph.cached) {
            plan = vision::FreezePlan::featureExtractor(cutAt);
        } else if (config.recipe == Recipe::FineTune) {
            plan = vision::FreezePlan::fineTuneTop(cutAt, std::max(1, config.fineTuneGroups));
        } else if (config.recipe == Recipe::Full) {
            plan = vision::FreezePlan::full(cutAt);
        } else { // gradual: starts with the top group, one more each epoch
            plan = vision::FreezePlan::fineTuneTop(cutAt, 1);
        }
        if (!ph.cached && config.customPlan && config.customPlan->valid(cutAt) &&
            config.recipe != Recipe::GradualUnfreeze)
            plan = *config.customPlan;
        vision::applyFreezePlan(*backbone, plan);
        std::vector<double> baseLrs;
        // After the head-only phase the head is already trained: as fastai's fine_tune, the
        // unfrozen phase restarts its cycle at half the rate, so the warm-up does not undo
        // the head (a full-rate restart cost 5-10 points of accuracy for an epoch here).
        const double phaseLr = !ph.cached && headEpochs > 0 ? lr * config.unfrozenLrFactor : lr;
        auto optimizer = makeOptimizer(phaseLr, &baseLrs);
        const qint64 perEpoch = ph.cached ? headBatches : imageBatches;
        const qint64 phaseSteps = qint64(ph.lastEpoch - ph.firstEpoch + 1) * perEpoch;
        qint64 phaseStep = qint64(std::max(0, startEpoch - ph.firstEpoch)) * perEpoch;
        std::unique_ptr<vision::BatchPipeline> pipe;
        if (!ph.cached) {
            auto o = pipelineOptions(config.augment);
            o.shuffle = true;
            pipe = std::make_unique<vision::BatchPipeline>(train, o);
        }

        for (int epoch = std::max(ph.firstEpoch, startEpoch); epoch <= ph.lastEpoch; ++epoch) {
            QElapsedTimer epochTimer;
            epochTimer.start();
            if (!ph.cached && config.recipe == Recipe::GradualUnfreeze) {
                const int n = std::min(cutAt, epoch - ph.firstEpoch + 1);
                plan = vision::FreezePlan::fineTuneTop(cutAt, n);
                vision::applyFreezePlan(*backbone, plan);
                baseLrs.clear();
                optimizer = makeOptimizer(phaseLr, &baseLrs);
            }
            const Snapshot lastGoodHead = snapshot(*head);
            const Snapshot lastGoodBackbone = ph.cached ? Snapshot{} : snapshot(*backbone);
            head->train();
            vision::setTrainingMode(*backbone, plan, !ph.cached);
            double lossSum = 0;
            qint64 seen = 0, correct = 0;
            int batchNo = 0;

            auto step = [&](const torch::Tensor &logits, const torch::Tensor &labels,
                            qint64 images) -> core::Status {
                torch::Tensor loss = lossOf(logits, labels);
                if (config.injectNanAtStep >= 0 && globalStep == config.injectNanAtStep)
                    loss = loss * std::numeric_limits<float>::quiet_NaN();
                const double lv = loss.item<double>();
                if (!std::isfinite(lv)) {
                    restore(*head, lastGoodHead);
                    if (!lastGoodBackbone.empty())
                        restore(*backbone, lastGoodBackbone);
                    return makeError(ErrorCode::NumericalError,
                                     QStringLiteral("the loss became %1 at epoch %2, batch %3; "
                                                    "weights were restored to the start of the "
                                                    "epoch. Try a lower learning rate.")
                                         .arg(std::isnan(lv) ? QStringLiteral("NaN")
                                                             : QStringLiteral("infinite"))
                                         .arg(epoch)
                                         .arg(batchNo + 1));
                }
                const double factor =
                    scheduledLr(config.schedule, 1.0, config.warmupFraction, phaseStep, phaseSteps);
                setLr(*optimizer, baseLrs, factor);
                optimizer->zero_grad();
                loss.backward();
                optimizer->step();
                ++phaseStep;
                ++globalStep;
                ++stepsDoneThisRun;
                ++batchNo;
                lossSum += lv * double(images);
                seen += images;
                correct += logits.argmax(1).eq(labels).sum().item<std::int64_t>();
                if (obs) {
                    BatchEvent ev;
                    ev.epoch = epoch;
                    ev.batch = batchNo;
                    ev.batchesPerEpoch = int(perEpoch);
                    ev.globalStep = globalStep;
                    ev.loss = lv;
                    ev.learningRate = phaseLr * factor;
                    const double el = double(runTimer.nsecsElapsed()) / 1e9;
                    ev.elapsedSeconds = el;
                    ev.imagesPerSecond = double(seen) / std::max(1e-9, double(epochTimer.nsecsElapsed()) / 1e9);
                    ev.etaSeconds = stepsDoneThisRun > 0
                                        ? el / double(stepsDoneThisRun) *
                                              double(stepsTotalRun - stepsDoneThisRun)
                                        : -1;
                    ev.phase = QStringLiteral("train");
                    obs->batchFinished(ev);
                }
                return {};
            };

            if (ph.cached) {
                const torch::Tensor feats = trainFeatures[size_t((epoch - 1) % int(trainFeatures.size()))];
                const std::int64_t n = feats.size(0);
                torch::Tensor perm = torch::randperm(n, torch::kLong);
                for (std::int64_t b = 0; b < n; b += config.batchSize) {
                    if (cancel.isCancelled())
                        break;
                    const auto idx = perm.slice(0, b, std::min(n, b + config.batchSize));
                    const torch::Tensor x = feats.index_select(0, idx).to(device);
                    const torch::Tensor y = trainLabels.index_select(0, idx).to(device);
                    if (auto s = step(head->forward(x), y, x.size(0)); !s)
                        return s.error();
                }
            } else {
                pipe->startEpoch(epoch);
                while (auto batch = pipe->next()) {
                    if (cancel.isCancelled()) {
                        pipe->cancel();
                        break;
                    }
                    for (const auto &e : batch->errors)
                        if (obs)
                            obs->message(QStringLiteral("skipped %1").arg(e));
                    if (batch->size == 0)
                        continue;
                    const torch::Tensor y = torch::tensor(batch->labels, torch::kLong).to(device);
                    if (auto s = step(forwardImages(toTensor(*batch)), y, batch->size); !s)
                        return s.error();
                }
            }
            if (cancel.isCancelled()) {
                restore(*head, lastGoodHead);
                if (!lastGoodBackbone.empty())
                    restore(*backbone, lastGoodBackbone);
                report.cancelled = true;
                break;
            }

            // Validation.
            EpochMetrics m;
            m.epoch = epoch;
            m.trainLoss = seen ? lossSum / double(seen) : 0;
            m.trainAccuracy = seen ? double(correct) / double(seen) : 0;
            m.learningRate = phaseLr * scheduledLr(config.schedule, 1.0, config.warmupFraction,
                                              std::max<qint64>(0, phaseStep - 1), phaseSteps);
            if (!val.empty()) {
                Evaluation ev;
                if (ph.cached) {
                    ev = evaluationFrom(headProbabilities(valFeatures), val, valKept);
                } else {
                    auto pr = probabilities(val, cancel);
                    if (!pr) {
                        report.cancelled = pr.error().code == ErrorCode::Cancelled;
                        if (report.cancelled)
                            break;
                        return pr.error();
                    }
                    ev = evaluationFrom(pr->first, val, pr->second);
                }
                m.valLoss = ev.loss;
                m.valAccuracy = ev.accuracy;
            }
            m.seconds = double(epochTimer.nsecsElapsed()) / 1e9;
            const bool better =
                config.monitorLoss
                    ? m.valLoss < bestValLoss - 1e-6 ||
                          (std::abs(m.valLoss - bestValLoss) <= 1e-6 && m.valAccuracy > bestValAcc)
                    : m.valAccuracy > bestValAcc + 1e-9 ||
                          (std::abs(m.valAccuracy - bestValAcc) <= 1e-9 && m.valLoss < bestValLoss - 1e-6);
            if (better || val.empty()) {
                bestValLoss = m.valLoss;
                bestValAcc = m.valAccuracy;
                m.best = true;
                report.bestEpoch = epoch;
                bestHead = snapshot(*head);
                // A head-only epoch goes with the backbone as it was before any fine-tuning.
                bestBackbone = ph.cached ? initialBackbone : snapshot(*backbone);
                sinceBest = 0;
                for (auto &e : report.epochs)
                    e.best = false;
            } else {
                ++sinceBest;
            }
            report.epochs.push_back(m);
            if (obs)
                obs->epochFinished(m);
            if (auto s = saveCheckpoint(epoch, report.epochs); !s && obs)
                obs->message(QStringLiteral("checkpoint not saved: %1").arg(s.error().message()));
            if (config.earlyStoppingPatience > 0 && sinceBest >= config.earlyStoppingPatience) {
                report.earlyStopped = true;
                if (obs)
                    obs->message(QStringLiteral("early stopping after epoch %1 (best epoch %2)")
                                     .arg(epoch)
                                     .arg(report.bestEpoch));
                break;
            }
        }
        if (report.cancelled || report.earlyStopped)
            break;
    }

    // The best epoch's weights are the model.
    if (!bestHead.empty())
        restore(*head, bestHead);
    if (!bestBackbone.empty())
        restore(*backbone, bestBackbone);
    plan = vision::FreezePlan::featureExtractor(cutAt);
    vision::applyFreezePlan(*backbone, plan);
    backbone->eval();
    head->eval();
    trained = !report.epochs.empty();

    backboneChanged = backboneChanged || headEpochs < epochs;
    if (!val.empty() && trained) {
        if (!backboneChanged && valFeatures.defined()) {
            report.validation = evaluationFrom(headProbabilities(valFeatures), val, valKept);
        } else {
            auto pr = probabilities(val, {});
            if (!pr)
                return pr.error();
            report.validation = evaluationFrom(pr->first, val, pr->second);
        }
        report.valAccuracy = report.validation.accuracy;
    }
    report.totalSeconds = double(total.nsecsElapsed()) / 1e9;
    return report;
}

core::Result<TrainingReport> Trainer::train(TrainingObserver *observer,
                                            const core::CancelToken &cancel)
{
    if (!d->backbone)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("setup() was not called"));
    try {
        if (d->config.learningRate <= 0) {
            auto f = d->runFinder(observer, cancel);
            if (!f)
                return f.error();
            d->config.learningRate = f->suggested;
            if (observer)
                observer->message(QStringLiteral("learning rate from the finder: %1")
                                      .arg(f->suggested, 0, 'g', 3));
        }
        return d->runTraining(observer, cancel);
    } catch (const std::exception &e) {
        return makeError(ErrorCode::Internal, errorFromException(e));
    }
}

core::Result<LrFinderResult> Trainer::Impl::runFinder(TrainingObserver *obs,
                                                     const core::CancelToken &cancel)
{
    if (auto s = prepareFeatures(obs, cancel); !s)
        return s.error();
    // Sweep on the head with cached features, from a copy of the head so training starts fresh.
    const Snapshot start = snapshot(*head);
    std::vector<double> base;
    auto opt = makeOptimizer(LrFinderResult::sweepRate(0), &base);
    LrFinderResult r;
    head->train();
    const torch::Tensor feats = trainFeatures[0];
    const std::int64_t n = feats.size(0);
    torch::Tensor perm = torch::randperm(n, torch::kLong);
    std::int64_t pos = 0;
    for (int i = 0; i < LrFinderResult::kSweepSteps; ++i) {
        if (cancel.isCancelled())
            break;
        const double lr = LrFinderResult::sweepRate(i);
        for (auto &g : opt->param_groups())
            g.options().set_lr(lr);
        if (pos + config.batchSize > n) {
            perm = torch::randperm(n, torch::kLong);
            pos = 0;
        }
        const auto idx = perm.slice(0, pos, std::min(n, pos + config.batchSize));
        pos += config.batchSize;
        const torch::Tensor loss =
            lossOf(head->forward(feats.index_select(0, idx).to(device)),
                   trainLabels.index_select(0, idx).to(device));
        const bool goOn = r.record(lr, loss.item<double>());
        if (obs)
            obs->phaseProgress(QStringLiteral("lr-finder"), i + 1, LrFinderResult::kSweepSteps);
        if (!goOn)
            break;
        opt->zero_grad();
        loss.backward();
        opt->step();
    }
    restore(*head, start);
    r.suggest();
    return r;
}

double LrFinderResult::sweepRate(int step)
{
    const double lo = 1e-6, hi = 1.0;
    return lo * std::pow(hi / lo, double(step) / (kSweepSteps - 1));
}

bool LrFinderResult::record(double learningRate, double loss)
{
    m_average = 0.9 * m_average + 0.1 * loss;
    const double smooth = m_average / (1.0 - std::pow(0.9, double(losses.size() + 1)));
    learningRates.push_back(learningRate);
    losses.push_back(smooth);
    if (!std::isfinite(loss) || smooth > 4 * m_best)
        return false;
    m_best = std::min(m_best, smooth);
    return true;
}

void LrFinderResult::suggest()
{
    // Steepest descent of the smoothed loss over log(lr), before the minimum.
    const size_t m = losses.size();
    size_t minAt = 0;
    for (size_t i = 0; i < m; ++i)
        if (losses[i] < losses[minAt])
            minAt = i;
    double steepest = 0;
    suggested = m ? learningRates[minAt] / 10.0 : 1e-3;
    for (size_t i = 2; i + 2 < m && i <= minAt; ++i) {
        const double g = (losses[i + 2] - losses[i - 2]) /
                         (std::log(learningRates[i + 2]) - std::log(learningRates[i - 2]));
        if (g < steepest) {
            steepest = g;
            suggested = learningRates[i];
        }
    }
    suggested = std::clamp(suggested, 1e-5, 0.1);
}

core::Result<LrFinderResult> Trainer::findLearningRate(TrainingObserver *observer,
                                                       const core::CancelToken &cancel)
{
    if (!d->backbone)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("setup() was not called"));
    try {
        return d->runFinder(observer, cancel);
    } catch (const std::exception &e) {
        return makeError(ErrorCode::Internal, errorFromException(e));
    }
}

core::Result<Evaluation> Trainer::evaluate(const std::vector<vision::Sample> &samples,
                                           const core::CancelToken &cancel)
{
    if (!d->backbone)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("setup() was not called"));
    try {
        auto pr = d->probabilities(samples, cancel);
        if (!pr)
            return pr.error();
        return d->evaluationFrom(pr->first, samples, pr->second);
    } catch (const std::exception &e) {
        return makeError(ErrorCode::Internal, errorFromException(e));
    }
}

core::Result<std::vector<Prediction>> Trainer::predict(const QStringList &files, int topK)
{
    if (!d->backbone)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("setup() was not called"));
    try {
        std::vector<Prediction> out;
        d->backbone->eval();
        d->head->eval();
        torch::NoGradGuard ng;
        const int s = d->spec.preprocessing.inputSize;
        for (const auto &f : files) {
            Prediction p;
            p.file = f;
            auto x = vision::loadPreprocessed(f, d->spec.preprocessing);
            if (!x) {
                p.error = x.error().message();
                out.push_back(p);
                continue;
            }
            const torch::Tensor in =
                torch::from_blob(x->data(), {1, 3, s, s}, torch::kFloat).to(d->device);
            const torch::Tensor prob =
                torch::softmax(d->head->forward(d->backbone->features(in, d->cutAt)), 1)[0].to(
                    torch::kCPU);
            const int k = std::min<int>(std::max(1, topK), int(prob.size(0)));
            const auto top = prob.topk(k);
            for (int i = 0; i < k; ++i)
                p.top.emplace_back(int(std::get<1>(top)[i].item<std::int64_t>()),
                                   std::get<0>(top)[i].item<float>());
            out.push_back(p);
        }
        return out;
    } catch (const std::exception &e) {
        return makeError(ErrorCode::Internal, errorFromException(e));
    }
}

core::Result<GradCam> Trainer::gradCam(const QString &file, int classIndex)
{
    if (!d->backbone)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("setup() was not called"));
    try {
        const auto &pre = d->spec.preprocessing;
        auto decoded = vision::decodeImageFile(file);
        if (!decoded)
            return decoded.error();
        std::vector<float> x = vision::preprocessRgb(*decoded, pre);
        const int s = pre.inputSize;
        d->backbone->eval();
        d->head->eval();
        torch::Tensor in = torch::from_blob(x.data(), {1, 3, s, s}, torch::kFloat).to(d->device);
        torch::Tensor map;
        {
            torch::NoGradGuard ng;
            map = d->backbone->featureMap(in, d->cutAt);
        }
        map = map.detach().requires_grad_(true);
        const torch::Tensor logits = d->head->forward(map.mean({2, 3}));
        const int cls = classIndex >= 0 && classIndex < logits.size(1)
                            ? classIndex
                            : int(logits.argmax(1).item<std::int64_t>());
        logits[0][cls].backward();
        const torch::Tensor w = map.grad().mean({2, 3}, true);
        torch::Tensor cam = torch::relu((w * map.detach()).sum(1, true));
        cam = torch::upsample_bilinear2d(cam, {s, s}, false)[0][0];
        const double mx = cam.max().item<double>();
        if (mx > 0)
            cam = cam / mx;
        cam = cam.to(torch::kCPU).contiguous();
        GradCam g;
        g.classIndex = cls;
        g.mapWidth = int(map.size(3));
        g.mapHeight = int(map.size(2));
        g.heat.assign(cam.data_ptr<float>(), cam.data_ptr<float>() + cam.numel());
        // The preprocessed input back to RGB 8-bit for display.
        vision::RgbImage shown;
        shown.width = s;
        shown.height = s;
        shown.pixels.resize(size_t(s) * s * 3);
        const size_t plane = size_t(s) * s;
        for (size_t i = 0; i < plane; ++i)
            for (int c = 0; c < 3; ++c) {
                float v = x[size_t(c) * plane + i];
                switch (pre.scaling) {
                case vision::Scaling::MeanStd: v = (v * pre.std[size_t(c)] + pre.mean[size_t(c)]) * 255.f; break;
                case vision::Scaling::MinusOneToOne: v = (v + 1.f) * 127.5f; break;
                case vision::Scaling::ZeroToOne: v = v * 255.f; break;
                }
                shown.pixels[i * 3 + size_t(c)] = std::uint8_t(std::clamp(v, 0.f, 255.f));
            }
        g.image = std::move(shown);
        return g;
    } catch (const std::exception &e) {
        return makeError(ErrorCode::Internal, errorFromException(e));
    }
}

core::Result<ExportCheck> Trainer::exportTorchScript(const QString &path,
                                                     const core::CancelToken &cancel)
{
    if (!d->backbone || !d->trained)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("no trained model to export"));
    // Exports run on the CPU wherever the model trained; it goes back afterwards.
    const torch::Device trainedOn = d->device;
    struct DeviceRestore
    {
        Impl *impl;
        torch::Device to;
        ~DeviceRestore()
        {
            if (impl->device != to) {
                impl->device = to;
                impl->moveTo(to);
            }
        }
    } restoreDevice{d.get(), trainedOn};
    try {
        if (d->device != torch::Device(torch::kCPU)) {
            d->device = torch::Device(torch::kCPU);
            d->moveTo(d->device);
        }
        d->backbone->eval();
        d->head->eval();
        torch::jit::Module m("GraftClassifier");
        d->backbone->emitTorchScript(m, d->cutAt);
        torch::NoGradGuard ng;
        std::string headSrc;
        auto reg = [&](const std::string &name, const torch::Tensor &t) {
            m.register_parameter(name, t.detach().clone(), false);
        };
        if (d->head->mlp) {
            reg("head_fc1_weight", d->head->fc1->weight);
            reg("head_fc1_bias", d->head->fc1->bias);
            reg("head_fc2_weight", d->head->fc2->weight);
            reg("head_fc2_bias", d->head->fc2->bias);
            headSrc = "        h = torch.relu(torch.linear(f, self.head_fc1_weight, self.head_fc1_bias))\n"
                      "        return torch.linear(h, self.head_fc2_weight, self.head_fc2_bias)\n";
        } else {
            reg("head_weight", d->head->fc2->weight);
            reg("head_bias", d->head->fc2->bias);
            headSrc = "        return torch.linear(f, self.head_weight, self.head_bias)\n";
        }
        m.define("def forward(self, x):\n"
                 "        f = self.features(x)\n" + headSrc +
                 "\n"
                 "def predict_proba(self, x):\n"
                 "        return torch.softmax(self.forward(x), 1)\n");
        const QJsonObject meta{
            {"format", "graft-torchscript"},
            {"graft_version", QStringLiteral(GRAFT_VERSION)},
            {"backbone", d->spec.id},
            {"cut", d->cutAt},
            {"input_size", d->spec.preprocessing.inputSize},
            {"input_layout", "NCHW float32, RGB, normalised as in preprocessing.json"},
            {"output", "logits; predict_proba() gives softmax probabilities"},
            {"config", d->config.toJson()},
        };
        torch::jit::ExtraFilesMap extra;
        extra["labels.json"] =
            QJsonDocument(QJsonArray::fromStringList(d->classes)).toJson().toStdString();
        extra["preprocessing.json"] =
            QJsonDocument(d->spec.preprocessing.toJson()).toJson().toStdString();
        extra["graft.json"] = QJsonDocument(meta).toJson().toStdString();
        std::ostringstream buffer;
        m.save(buffer, extra);
        const std::string bytes = buffer.str();

        if (auto w = d->writeExport(path, bytes, QStringLiteral("torchscript")); !w)
            return w.error();

        // Verify: reload and compare with the in-app model on the validation set.
        ExportCheck check;
        check.path = path;
        torch::jit::Module loaded = torch::jit::load(path.toStdString());
        loaded.eval();
        auto compared = d->compareOnValidation(
            [&](const torch::Tensor &x, const vision::Batch &) {
                return torch::softmax(loaded.forward({x}).toTensor(), 1);
            },
            &check, cancel);
        if (!compared)
            return compared.error();
        return check;
    } catch (const std::exception &e) {
        return makeError(ErrorCode::Internal, errorFromException(e), path);
    }
}

core::Result<ExportCheck> Trainer::exportOnnx(const QString &path, const core::CancelToken &cancel)
{
    if (!d->backbone || !d->trained)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("no trained model to export"));
    try {
        d->backbone->eval();
        d->head->eval();
        torch::NoGradGuard ng;
        const int s = d->spec.preprocessing.inputSize;
        const auto classes = std::int64_t(d->classes.size());
        exports::OnnxGraph g;
        g.addInput("input", {-1, 3, s, s});
        std::string x = d->backbone->emitOnnx(g, "input", s, d->cutAt);
        auto tensor = [&](const torch::Tensor &t, const char *hint) {
            const torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat).contiguous();
            return g.addFloat(hint, std::vector<std::int64_t>(c.sizes().begin(), c.sizes().end()),
                              c.data_ptr<float>());
        };
        using A = exports::OnnxGraph;
        if (d->head->mlp) {
            x = g.node("Gemm", {x, tensor(d->head->fc1->weight, "head_fc1_w"), tensor(d->head->fc1->bias, "head_fc1_b")},
                       {A::attr("transB", 1)});
            x = g.node("Relu", {x});
        }
        const std::string logits =
            g.node("Gemm", {x, tensor(d->head->fc2->weight, "head_w"), tensor(d->head->fc2->bias, "head_b")},
                   {A::attr("transB", 1)}, "logits");
        g.node("Softmax", {logits}, {A::attr("axis", 1)}, "probabilities");
        g.addOutput("logits", {-1, classes});
        g.addOutput("probabilities", {-1, classes});
        g.addMetadata("labels", QJsonDocument(QJsonArray::fromStringList(d->classes))
                                    .toJson(QJsonDocument::Compact)
                                    .toStdString());
        g.addMetadata("preprocessing",
                      QJsonDocument(d->spec.preprocessing.toJson()).toJson(QJsonDocument::Compact).toStdString());
        g.addMetadata("backbone", d->spec.id.toStdString());
        const std::string bytes = g.serialize("GraftClassifier", GRAFT_VERSION);

        if (auto w = d->writeExport(path, bytes, QStringLiteral("onnx")); !w)
            return w.error();

        // Verify with an independent runtime: OpenCV's DNN module reads the file back.
        ExportCheck check;
        check.path = path;
        cv::dnn::Net net;
        try {
            net = cv::dnn::readNetFromONNX(path.toStdString());
        } catch (const cv::Exception &e) {
            return makeError(ErrorCode::Internal,
                             QStringLiteral("OpenCV DNN cannot read the exported model: %1")
                                 .arg(QString::fromStdString(e.what()).trimmed()),
                             path);
        }
        net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        auto compared = d->compareOnValidation(
            [&](const torch::Tensor &, const vision::Batch &b) {
                const int dims[4] = {b.size, 3, b.height, b.width};
                const cv::Mat blob(4, dims, CV_32F, const_cast<float *>(b.data.data()));
                net.setInput(blob, "input");
                const cv::Mat out = net.forward("probabilities").clone();
                return torch::from_blob(const_cast<float *>(out.ptr<float>()), {b.size, classes},
                                        torch::kFloat)
                    .clone()
                    .to(d->device);
            },
            &check, cancel);
        if (!compared)
            return compared.error();
        return check;
    } catch (const std::exception &e) {
        return makeError(ErrorCode::Internal, errorFromException(e), path);
    }
}

} // namespace graft::train

