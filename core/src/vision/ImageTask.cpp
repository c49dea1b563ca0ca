// The image classifier as a task of the one loop: its data (cached features or decoded
// images), its model (backbone + head, frozen as the recipe says) and its loss.
#include "vision/ImageTask.h"

#include "graft/core/Runtime.h"
#include "graft/io/Safetensors.h"
#include "vision/ImageModel.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>
#include <QStandardPaths>

#include <cstring>
#include <numeric>

namespace graft::vision {

using core::ErrorCode;
using core::makeError;
using learn::ParamGroup;

namespace {

/// On-disk store of pooled backbone features, keyed by image content hash (SHA-256) within one
/// "space" (backbone + weights + cut point + preprocessing + augmentation view). A space is one
/// safetensors file `<dir>/<space-hash>.safetensors` ("hashes" U8 [n, 32], "features" F32
/// [n, dim]); it is read whole, extended in memory and written atomically. A changed backbone,
/// cut, preprocessing or view is a different space, so stale features are never reused; a
/// changed image has a different content hash.
class FeatureCache
{
public:
    FeatureCache(const QString &dir, const QByteArray &spaceKey, int dim)
        : m_dir(dir)
        , m_path(QDir(dir).filePath(
              QString::fromLatin1(
                  QCryptographicHash::hash(spaceKey, QCryptographicHash::Sha256).toHex().left(32)) +
              QStringLiteral(".safetensors")))
        , m_dim(dim)
    {}

    /// Loads the space's file if present (a corrupt or mismatched file is ignored).
    void load()
    {
        const auto file = io::SafetensorsFile::open(m_path);
        const io::TensorInfo *h = file ? file->find("hashes") : nullptr;
        const io::TensorInfo *f = file ? file->find("features") : nullptr;
        if (!h || !f || h->dtype != io::DType::U8 || f->dtype != io::DType::F32 ||
            h->shape.size() != 2 || h->shape[1] != 32 ||
            f->shape != std::vector<std::int64_t>{h->shape[0], m_dim})
            return;
        m_values = file->toFloat(*f);
        for (std::int64_t i = 0; i < h->shape[0]; ++i) {
            const QByteArray hash(file->data(*h) + 32 * i, 32);
            m_index.insert(hash, qsizetype(i) * m_dim);
            m_order.push_back(hash);
        }
    }

    /// Pointer to `dim` floats, or nullptr.
    const float *find(const QByteArray &contentHash) const
    {
        const auto it = m_index.constFind(contentHash);
        return it == m_index.constEnd() ? nullptr : m_values.data() + *it;
    }

    void insert(const QByteArray &contentHash, const float *features)
    {
        if (m_index.contains(contentHash))
            return;
        m_index.insert(contentHash, qsizetype(m_values.size()));
        m_values.insert(m_values.end(), features, features + m_dim);
        m_order.push_back(contentHash);
        m_dirty = true;
    }

    /// Writes the space file atomically when something was added.
    core::Status save()
    {
        if (!m_dirty)
            return {};
        if (!QDir().mkpath(m_dir))
            return makeError(ErrorCode::WriteFailed,
                             QStringLiteral("cannot create the cache folder"), m_dir);
        QByteArray hashes;
        for (const auto &h : m_order)
            hashes += h;
        const auto n = std::int64_t(m_order.size());
        const core::Status written =
            io::writeSafetensors(m_path, {{"hashes", io::DType::U8, {n, 32}, hashes},
                                          io::floatBlob("features", {n, m_dim}, m_values)});
        if (written)
            m_dirty = false;
        return written;
    }

private:
    QString m_dir;
    QString m_path;
    int m_dim;
    QHash<QByteArray, qsizetype> m_index; ///< hash -> offset in m_values (in floats)
    std::vector<float> m_values;
    std::vector<QByteArray> m_order;
    bool m_dirty = false;
};

class ImageTask : public learn::TrainTask
{
public:
    ImageTask(const learn::RunConfig &config, learn::Observer *observer)
        : m_config(config), m_observer(observer)
    {}

    core::Status setup(const ScanReport &data)
    {
        const learn::ImageSettings &s = m_config.image;
        const BackboneSpec *spec = BackboneCatalogue::builtin().find(m_config.backboneId);
        if (!spec)
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("unknown backbone '%1'").arg(m_config.backboneId));
        if (spec->task != QLatin1String("image"))
            return makeError(
                ErrorCode::InvalidArgument,
                QStringLiteral("backbone '%1' is not an image backbone").arg(spec->id));
        m_spec = *spec;
        m_weightsPath = weightsPath(m_spec, resolveWeightsDir(m_config.weightsDir));
        auto bb = createBackbone(m_spec, m_weightsPath, s.pretrained);
        if (!bb)
            return bb.error();
        m_backbone = *bb;
        {
            torch::NoGradGuard ng;
            for (auto &p : m_backbone->parameters())
                if (p.dim() == 4)
                    p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
        }
        const int groups = int(m_backbone->groups().size());
        m_cut = s.cutAt > 0 ? std::min(s.cutAt, groups) : groups;
        m_classes = data.classNames();
        m_train = data.samples(Split::Train);
        m_val = data.samples(Split::Val);
        for (const auto &e : data.entries)
            if (e.usable())
                m_hash.insert(e.path, e.sha256);
        m_head =
            Head(m_backbone->featureDim(m_cut), m_classes.size(), s.head, s.mlpHidden, s.dropout);
        auto device = learn::resolveDevice(m_config.device);
        if (!device)
            return device.error();
        m_device = *device;
        m_backbone->to(m_device);
        m_head->to(m_device);
        // Stages: the head on cached features first, then the backbone as the recipe says.
        const int epochs = m_config.epochs;
        int headEpochs = std::clamp(s.headEpochs, 0, epochs);
        if (s.recipe == learn::Recipe::FeatureExtractor)
            headEpochs = s.customPlan && !s.customPlan->allFrozen() ? 0 : epochs;
        m_headStage = headEpochs > 0;
        m_backboneTrains = headEpochs < epochs;
        if (m_headStage)
            m_stages.push_back({headEpochs, 1.0});
        // After a head on cached features, batches run through the backbone: another cost.
        if (m_backboneTrains)
            m_stages.push_back(
                {epochs - headEpochs, m_headStage ? s.unfrozenLrFactor : 1.0, m_headStage ? 1 : 0});
        applyFreezePlan(*m_backbone, FreezePlan::featureExtractor(m_cut));
        return {};
    }

    core::Status
    prepare(learn::Observer *obs, const core::CancelToken &cancel, QJsonObject &timings) override
    {
        if (!m_headStage)
            return {};
        QElapsedTimer timer;
        timer.start();
        const bool augment = m_config.image.augment;
        const int views = augment ? std::max(1, m_config.image.augmentViews) : 1;
        m_meter.emplace(learn::Phase::Features);
        m_featureTotal = qint64(m_train.size()) * views + qint64(m_val.size());
        m_featureDone = 0;
        for (int v = 0; v < views; ++v) {
            std::vector<int> kept;
            auto r = extractFeatures(m_train, v, augment, obs, cancel, &kept);
            if (!r)
                return r.error();
            if (v == 0) {
                std::vector<std::int64_t> labels;
                for (int i : kept)
                    labels.push_back(m_train[size_t(i)].label);
                m_trainLabels = torch::tensor(labels, torch::kLong);
            }
            if (r->size(0) != m_trainLabels.size(0))
                return makeError(
                    ErrorCode::Unreadable,
                    QStringLiteral("training files changed while features were computed"));
            m_trainFeatures.push_back(*r);
        }
        // The decoded validation images are kept for the export check when they fit.
        const int side = m_spec.preprocessing.inputSize;
        const bool keep = qint64(m_val.size()) * 3 * side * side * 4 <= (qint64(256) << 20);
        auto rv = extractFeatures(m_val, 0, false, obs, cancel, &m_valKept,
                                  keep ? &m_valBatches : nullptr);
        if (!rv)
            return rv.error();
        m_valFeatures = *rv;
        timings.insert("features", double(timer.nsecsElapsed()) / 1e9);
        return {};
    }

    std::vector<Stage> stages() const override { return m_stages; }

    std::vector<ParamGroup> beginStage(int s) override
    {
        m_cached = cachedStage(s);
        m_stageFirst = 1;
        for (int i = 0; i < s; ++i)
            m_stageFirst += m_stages[size_t(i)].epochs;
        const learn::ImageSettings &is = m_config.image;
        if (m_cached)
            m_plan = FreezePlan::featureExtractor(m_cut);
        else if (is.recipe == learn::Recipe::GradualUnfreeze)
            m_plan = FreezePlan::fineTuneTop(m_cut, 1);
        else if (is.customPlan && is.customPlan->valid(m_cut))
            m_plan = *is.customPlan;
        else if (is.recipe == learn::Recipe::Full)
            m_plan = FreezePlan::full(m_cut);
        else
            m_plan = FreezePlan::fineTuneTop(m_cut, std::max(1, is.fineTuneGroups));
        applyFreezePlan(*m_backbone, m_plan);
        if (!m_cached && !m_pipe) {
            PipelineOptions o = pipelineOptions(is.augment, false);
            o.shuffle = true;
            m_pipe = std::make_unique<BatchPipeline>(m_train, o);
        }
        return paramGroups();
    }

    std::optional<std::vector<ParamGroup>> beginEpoch(int epoch) override
    {
        std::optional<std::vector<ParamGroup>> out;
        if (!m_cached && m_config.image.recipe == learn::Recipe::GradualUnfreeze) {
            m_plan = FreezePlan::fineTuneTop(m_cut, std::min(m_cut, epoch - m_stageFirst + 1));
            applyFreezePlan(*m_backbone, m_plan);
            out = paramGroups();
        }
        m_head->train();
        setTrainingMode(*m_backbone, m_plan, !m_cached);
        m_epoch = 0; // the next batch starts the epoch's data
        return out;
    }

    qint64 batchesPerEpoch(int s) const override
    {
        const qint64 n = cachedStage(s) && !m_trainFeatures.empty()
                             ? m_trainFeatures.front().size(0)
                             : qint64(m_train.size());
        return (n + m_config.batchSize - 1) / m_config.batchSize;
    }

    std::optional<learn::StepOutput> nextBatch(int epoch) override
    {
        const bool fresh = m_epoch != epoch;
        m_epoch = epoch;
        torch::Tensor logits, labels;
        if (m_cached) {
            const torch::Tensor &feats =
                m_trainFeatures[size_t((epoch - 1) % int(m_trainFeatures.size()))];
            if (fresh) {
                std::vector<std::int64_t> rows(size_t(feats.size(0)));
                std::iota(rows.begin(), rows.end(), 0);
                m_order = learn::epochOrder(std::move(rows), m_config.seed, epoch);
                m_pos = 0;
            }
            if (m_pos >= std::int64_t(m_order.size()))
                return std::nullopt;
            const std::int64_t end =
                std::min<std::int64_t>(std::int64_t(m_order.size()), m_pos + m_config.batchSize);
            const torch::Tensor idx = torch::tensor(
                std::vector<std::int64_t>(m_order.begin() + m_pos, m_order.begin() + end));
            m_pos = end;
            logits = m_head->forward(feats.index_select(0, idx).to(m_device));
            labels = m_trainLabels.index_select(0, idx).to(m_device);
        } else {
            if (fresh)
                m_pipe->startEpoch(epoch);
            std::optional<Batch> batch;
            while ((batch = m_pipe->next())) {
                for (const auto &e : batch->errors)
                    learn::noticeSkipped(m_observer, e);
                if (batch->size > 0)
                    break;
            }
            if (!batch)
                return std::nullopt;
            labels = torch::tensor(batch->labels, torch::kLong).to(m_device);
            logits = forwardImages(batchTensor(*batch, m_device));
        }
        return learn::StepOutput{loss(logits, labels), logits.size(0),
                                 logits.argmax(1).eq(labels).sum().item<std::int64_t>()};
    }

    bool hasValidation() const override { return !m_val.empty(); }

    core::Result<learn::Validation> validate(const core::CancelToken &cancel) override
    {
        auto ev = evaluation(m_cached, cancel);
        if (!ev)
            return ev.error();
        return learn::Validation{ev->loss, ev->accuracy};
    }

    learn::NamedTensors state() override
    {
        learn::NamedTensors s = learn::moduleState(*m_head, "head.");
        if (m_backboneTrains)
            for (auto &t : learn::moduleState(*m_backbone, "backbone."))
                s.push_back(std::move(t));
        return s;
    }

    QString fingerprint() const override
    {
        return QStringLiteral("image|%1|%2|%3|%4|%5|%6")
            .arg(m_classes.join(QLatin1Char(',')), m_spec.id)
            .arg(m_cut)
            .arg(QLatin1String(learn::nameOf(m_config.image.recipe)))
            .arg(m_train.size())
            .arg(m_val.size());
    }

    core::Status
    finish(learn::RunReport &report, learn::Observer *, const core::CancelToken &) override
    {
        applyFreezePlan(*m_backbone, FreezePlan::featureExtractor(m_cut));
        m_backbone->eval();
        m_head->eval();
        report.details.insert("train_count", int(m_train.size()));
        report.details.insert("val_count", int(m_val.size()));
        report.details.insert("device", QString::fromStdString(m_device.str()));
        report.details.insert("cut", m_cut);
        if (report.epochs.empty())
            return {};
        if (!m_val.empty()) {
            // Features of an unchanged backbone are still right for the kept weights.
            const bool cached = m_valFeatures.defined() && !m_backboneTrains;
            auto ev = evaluation(cached, {});
            if (!ev)
                return ev.error();
            report.validation = std::move(ev.value());
        }
        auto model =
            std::make_shared<ImageModel>(m_backbone, m_head, m_cut, m_classes, m_config, m_device);
        model->checkSamples = report.validation.samples;
        model->checkProbabilities = report.validation.probabilities;
        if (!m_valBatches.empty()) {
            // Batch rows: indices into m_val, renumbered as indices into checkSamples.
            QHash<QString, int> row;
            for (size_t i = 0; i < model->checkSamples.size(); ++i)
                row.insert(model->checkSamples[i].file, int(i));
            bool complete = true;
            for (Batch &b : m_valBatches)
                for (int &k : b.sampleIndices) {
                    k = row.value(m_val[size_t(k)].path, -1);
                    complete = complete && k >= 0;
                }
            if (complete)
                model->checkBatches =
                    std::make_shared<const std::vector<Batch>>(std::move(m_valBatches));
            m_valBatches.clear();
        }
        report.model = model;
        return {};
    }

private:
    /// The first stage, when there is a head stage, trains the head on cached features.
    bool cachedStage(int s) const { return s == 0 && m_headStage; }

    PipelineOptions pipelineOptions(bool augment, bool inference) const
    {
        PipelineOptions o;
        o.preprocessing = m_spec.preprocessing;
        o.augmentation = m_config.image.augmentation;
        o.augmentation.enabled = augment;
        o.batchSize =
            inference ? std::max(1, m_config.image.inferenceBatchSize) : m_config.batchSize;
        o.seed = quint64(m_config.seed);
        o.workers = std::max(1, core::hardwareThreads());
        return o;
    }

    std::vector<ParamGroup> paramGroups()
    {
        std::vector<ParamGroup> groups{{m_head->parameters(), 1.0, true}};
        for (int g = 0; g < m_cut; ++g)
            if (m_plan.trainable[size_t(g)])
                groups.push_back({trainableParameters(*m_backbone, g),
                                  m_config.image.backboneLrFactor * m_plan.lrMultiplier[size_t(g)],
                                  true});
        return groups;
    }

    torch::Tensor loss(const torch::Tensor &logits, const torch::Tensor &labels) const
    {
        std::vector<int> counts(size_t(m_classes.size()), 0);
        for (const auto &s : m_train)
            ++counts[size_t(s.label)];
        return learn::classificationLoss(logits, labels, m_config, counts);
    }

    /// Head on the backbone's features; the frozen groups below the first trainable one run
    /// without autograd.
    torch::Tensor forwardImages(const torch::Tensor &x)
    {
        const int first = std::min(m_plan.firstTrainable(), m_cut);
        torch::Tensor map = x;
        if (first > 0) {
            torch::NoGradGuard ng;
            map = m_backbone->featureMap(x, first);
        }
        return m_head->forward(m_backbone->featuresFrom(map, first, m_cut));
    }

    QByteArray spaceKey(int view, bool augment) const
    {
        QByteArray k =
            m_spec.id.toUtf8() + '|' + QByteArray::number(m_config.image.pretrained) + '|';
        const QFileInfo wf(m_weightsPath);
        k += QByteArray::number(wf.size()) + '|' +
             QByteArray::number(wf.lastModified().toMSecsSinceEpoch()) + '|';
        k += QByteArray::number(m_cut) + '|' + m_spec.preprocessing.key().toUtf8() + '|';
        if (augment)
            k +=
                "aug|" +
                QJsonDocument(m_config.image.augmentation.toJson()).toJson(QJsonDocument::Compact) +
                '|' + QByteArray::number(m_config.seed) + '|' + QByteArray::number(view);
        else
            k += "clean";
        return k;
    }

    /// Pooled features [N', D] of `samples` for one view, from the disk cache where possible;
    /// `kept` gets the indices of the samples that loaded.
    core::Result<torch::Tensor> extractFeatures(const std::vector<Sample> &samples,
                                                int view,
                                                bool augment,
                                                learn::Observer *obs,
                                                const core::CancelToken &cancel,
                                                std::vector<int> *kept,
                                                std::vector<Batch> *keep = nullptr)
    {
        const std::int64_t dim = m_backbone->featureDim(m_cut);
        const QString root = m_config.image.cacheDir.isEmpty()
                                 ? QStandardPaths::writableLocation(QStandardPaths::CacheLocation) +
                                       QStringLiteral("/features")
                                 : m_config.image.cacheDir;
        FeatureCache cache(root, spaceKey(view, augment), int(dim));
        if (m_config.image.useFeatureCache)
            cache.load();
        torch::Tensor out = torch::empty({std::int64_t(samples.size()), dim});
        std::vector<bool> have(samples.size(), false);
        std::vector<Sample> todo;
        std::vector<int> todoIndex;
        for (size_t i = 0; i < samples.size(); ++i) {
            const QByteArray h = m_hash.value(samples[i].path);
            if (const float *f = h.isEmpty() ? nullptr : cache.find(h)) {
                std::memcpy(out[std::int64_t(i)].data_ptr<float>(), f, size_t(dim) * 4);
                have[i] = true;
            } else {
                todo.push_back(samples[i]);
                todoIndex.push_back(int(i));
            }
        }
        m_featureDone += qint64(samples.size() - todo.size());
        if (obs)
            obs->progress(m_meter->at(m_featureDone, m_featureTotal));
        if (!todo.empty()) {
            BatchPipeline pipe(todo, pipelineOptions(augment, true));
            pipe.startEpoch(0, view);
            m_backbone->eval();
            torch::NoGradGuard ng;
            while (auto batch = pipe.next()) {
                if (cancel.isCancelled()) {
                    pipe.cancel();
                    return makeError(ErrorCode::Cancelled, QStringLiteral("cancelled"));
                }
                for (const auto &e : batch->errors)
                    learn::noticeSkipped(m_observer, e);
                if (batch->size > 0) {
                    const torch::Tensor f =
                        m_backbone->features(batchTensor(*batch, m_device), m_cut)
                            .to(torch::kCPU)
                            .contiguous();
                    for (int k = 0; k < batch->size; ++k) {
                        const int i = todoIndex[size_t(batch->sampleIndices[size_t(k)])];
                        out[i].copy_(f[k]);
                        have[size_t(i)] = true;
                        const QByteArray h = m_hash.value(samples[size_t(i)].path);
                        if (!h.isEmpty())
                            cache.insert(h, f[k].data_ptr<float>());
                    }
                }
                m_featureDone += batch->size + qint64(batch->errors.size());
                if (obs)
                    obs->progress(m_meter->at(m_featureDone, m_featureTotal));
                if (keep && batch->size > 0) {
                    for (int &k : batch->sampleIndices)
                        k = todoIndex[size_t(k)];
                    batch->errors.clear();
                    keep->push_back(std::move(*batch));
                }
            }
            if (m_config.image.useFeatureCache)
                if (auto saved = cache.save(); !saved && m_observer)
                    m_observer->notice(
                        {learn::Notice::Code::FeatureCacheNotSaved, {saved.error().message()}});
        }
        for (size_t i = 0; i < samples.size(); ++i)
            if (have[i])
                kept->push_back(int(i));
        if (kept->size() != samples.size())
            out = out.index_select(
                0, torch::tensor(std::vector<std::int64_t>(kept->begin(), kept->end())));
        return out;
    }

    /// The validation evaluation of the current weights: from the cached features, or from
    /// the images through the whole model.
    core::Result<learn::Evaluation> evaluation(bool cached, const core::CancelToken &cancel)
    {
        m_head->eval();
        m_backbone->eval();
        std::vector<learn::SampleRef> refs;
        std::vector<int> labels;
        std::vector<std::vector<float>> probs;
        torch::NoGradGuard ng;
        if (cached) {
            const torch::Tensor p = torch::softmax(m_head->forward(m_valFeatures.to(m_device)), 1)
                                        .to(torch::kCPU)
                                        .contiguous();
            for (size_t r = 0; r < m_valKept.size(); ++r) {
                const Sample &s = m_val[size_t(m_valKept[r])];
                refs.push_back(learn::SampleRef::image(s.path));
                labels.push_back(s.label);
                const float *row = p[std::int64_t(r)].data_ptr<float>();
                probs.emplace_back(row, row + p.size(1));
            }
        } else {
            std::vector<learn::SampleRef> all;
            for (const Sample &s : m_val)
                all.push_back(learn::SampleRef::image(s.path));
            auto scores = scoreImages(
                all, m_spec.preprocessing, m_config.image.inferenceBatchSize,
                [&](const Batch &b) {
                    return torch::softmax(
                        m_head->forward(m_backbone->features(batchTensor(b, m_device), m_cut)), 1);
                },
                // The validation pass through the backbone shows its own progress (it was
                // the silent wait at 100 % after a fine-tune's last batch).
                cancel, m_observer);
            if (!scores)
                return scores.error();
            for (size_t i = 0; i < all.size(); ++i)
                if (!scores->probabilities[i].empty()) {
                    refs.push_back(all[i]);
                    labels.push_back(m_val[i].label);
                    probs.push_back(std::move(scores->probabilities[i]));
                }
        }
        return learn::Evaluation::compute(std::move(refs), std::move(labels), std::move(probs),
                                          int(m_classes.size()));
    }

    learn::RunConfig m_config;
    BackboneSpec m_spec;
    QString m_weightsPath;
    std::shared_ptr<Backbone> m_backbone;
    Head m_head{nullptr};
    int m_cut = 0;
    QStringList m_classes;
    std::vector<Sample> m_train, m_val;
    QHash<QString, QByteArray> m_hash; ///< path -> SHA-256 from the scan
    torch::Device m_device{torch::kCPU};
    std::vector<Stage> m_stages;
    bool m_headStage = false, m_backboneTrains = false;
    bool m_cached = false; ///< the current stage trains the head on cached features
    FreezePlan m_plan;
    int m_stageFirst = 1;
    std::unique_ptr<BatchPipeline> m_pipe;
    int m_epoch = 0;
    std::vector<std::int64_t> m_order;
    std::int64_t m_pos = 0;
    std::vector<torch::Tensor> m_trainFeatures; ///< per view: [Ntrain, D]
    torch::Tensor m_trainLabels, m_valFeatures;
    std::vector<int> m_valKept;      ///< indices into m_val that loaded
    std::vector<Batch> m_valBatches; ///< the decoded validation images (sampleIndices into m_val)
    std::optional<learn::ProgressMeter> m_meter;
    qint64 m_featureDone = 0, m_featureTotal = 0;
    learn::Observer *m_observer = nullptr;
};

} // namespace

core::Result<std::unique_ptr<learn::TrainTask>>
makeImageTask(const learn::RunConfig &config, const ScanReport &data, learn::Observer *observer)
{
    if (!data.canTrain())
        return makeError(ErrorCode::DatasetInvalid,
                         data.blocking.empty() ? QString() : data.blocking.front().message,
                         data.root);
    auto task = std::make_unique<ImageTask>(config, observer);
    if (auto s = task->setup(data); !s)
        return s.error();
    return std::unique_ptr<learn::TrainTask>(std::move(task));
}

} // namespace graft::vision
