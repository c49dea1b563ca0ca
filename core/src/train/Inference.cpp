// Inference with exported TorchScript models and with backbones' own classifiers.
#include "graft/train/Inference.h"

#include "graft/vision/BatchPipeline.h"
#include "graft/vision/Backbone.h"
#include "train/Metrics.h"

#include <torch/script.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

namespace graft::train {

using core::ErrorCode;
using core::makeError;

namespace {

QString firstLine(const std::exception &e)
{
    const QString what = QString::fromUtf8(e.what());
    const int nl = int(what.indexOf(QLatin1Char('\n')));
    return nl > 0 ? what.left(nl) : what;
}

/// Runs `forward` over files one at a time; files that fail get Prediction::error.
template<typename Forward>
std::vector<Prediction> predictFiles(const QStringList &files, const vision::Preprocessing &pre,
                                     int topK, Forward &&forward)
{
    std::vector<Prediction> out;
    torch::NoGradGuard ng;
    const int s = pre.inputSize;
    for (const auto &f : files) {
        Prediction p;
        p.file = f;
        auto x = vision::loadPreprocessed(f, pre);
        if (!x) {
            p.error = x.error().message();
            out.push_back(p);
            continue;
        }
        const torch::Tensor in = torch::from_blob(x->data(), {1, 3, s, s}, torch::kFloat);
        const torch::Tensor prob = torch::softmax(forward(in), 1)[0];
        const int k = std::min<int>(std::max(1, topK), int(prob.size(0)));
        const auto top = prob.topk(k);
        for (int i = 0; i < k; ++i)
            p.top.emplace_back(int(std::get<1>(top)[i].item<std::int64_t>()),
                               std::get<0>(top)[i].item<float>());
        out.push_back(p);
    }
    return out;
}

} // namespace

struct ExportedModel::Impl
{
    torch::jit::Module module;
    QStringList classes;
    vision::Preprocessing pre;
    QJsonObject meta;
};

core::Result<ExportedModel> ExportedModel::load(const QString &path)
{
    if (!QFileInfo::exists(path))
        return makeError(ErrorCode::NotFound, QStringLiteral("model file not found"), path);
    try {
        torch::jit::ExtraFilesMap extra{{"labels.json", ""},
                                        {"preprocessing.json", ""},
                                        {"graft.json", ""}};
        auto impl = std::make_shared<Impl>();
        impl->module = torch::jit::load(path.toStdString(), c10::nullopt, extra);
        impl->module.eval();
        const QJsonArray labels =
            QJsonDocument::fromJson(QByteArray::fromStdString(extra["labels.json"])).array();
        for (const auto &l : labels)
            impl->classes << l.toString();
        if (impl->classes.isEmpty())
            return makeError(ErrorCode::InvalidFormat,
                             QStringLiteral("not a Graft model: labels.json is missing"), path);
        impl->pre = vision::Preprocessing::fromJson(
            QJsonDocument::fromJson(QByteArray::fromStdString(extra["preprocessing.json"])).object());
        impl->meta = QJsonDocument::fromJson(QByteArray::fromStdString(extra["graft.json"])).object();
        ExportedModel m;
        m.d = impl;
        return m;
    } catch (const std::exception &e) {
        return makeError(ErrorCode::InvalidFormat,
                         QStringLiteral("cannot be loaded as TorchScript: %1").arg(firstLine(e)),
                         path);
    }
}

const QStringList &ExportedModel::classes() const
{
    return d->classes;
}

const vision::Preprocessing &ExportedModel::preprocessing() const
{
    return d->pre;
}

const QJsonObject &ExportedModel::metadata() const
{
    return d->meta;
}

core::Result<std::vector<Prediction>> ExportedModel::predict(const QStringList &files,
                                                             int topK) const
{
    try {
        auto mod = d->module;
        return predictFiles(files, d->pre, topK, [&](const torch::Tensor &x) {
            return mod.forward({x}).toTensor();
        });
    } catch (const std::exception &e) {
        return makeError(ErrorCode::Internal, firstLine(e));
    }
}

core::Result<Evaluation> ExportedModel::evaluate(const std::vector<vision::Sample> &samples,
                                                 const QStringList &sampleClasses,
                                                 const core::CancelToken &cancel) const
{
    std::vector<int> map;
    for (const auto &c : sampleClasses) {
        const int i = int(d->classes.indexOf(c));
        if (i < 0)
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("class '%1' is not one of the model's classes (%2)")
                                 .arg(c, d->classes.join(QStringLiteral(", "))));
        map.push_back(i);
    }
    try {
        vision::PipelineOptions o;
        o.preprocessing = d->pre;
        o.batchSize = 32;
        vision::BatchPipeline pipe(samples, o);
        pipe.startEpoch(0);
        std::vector<std::vector<float>> probs;
        std::vector<int> labels;
        QStringList files;
        torch::NoGradGuard ng;
        auto mod = d->module;
        while (auto b = pipe.next()) {
            if (cancel.isCancelled())
                return makeError(ErrorCode::Cancelled, QStringLiteral("cancelled"));
            if (b->size == 0)
                continue;
            const torch::Tensor x = torch::from_blob(b->data.data(), {b->size, 3, b->height, b->width});
            const torch::Tensor p = torch::softmax(mod.forward({x}).toTensor(), 1).contiguous();
            for (int k = 0; k < b->size; ++k) {
                const float *row = p[k].data_ptr<float>();
                probs.emplace_back(row, row + p.size(1));
                const auto &s = samples[size_t(b->sampleIndices[size_t(k)])];
                labels.push_back(map[size_t(s.label)]);
                files << s.path;
            }
        }
        return computeEvaluation(probs, labels, files, int(d->classes.size()));
    } catch (const std::exception &e) {
        return makeError(ErrorCode::Internal, firstLine(e));
    }
}

core::Result<LabelledPredictions> predictWithBackbone(const QString &backboneId,
                                                      const QString &weightsDir,
                                                      const QStringList &files, int topK)
{
    const auto *spec = vision::BackboneCatalogue::builtin().find(backboneId);
    if (!spec)
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("unknown backbone '%1'").arg(backboneId));
    if (spec->classifierClasses <= 0)
        return makeError(ErrorCode::Unsupported,
                         QStringLiteral("backbone '%1' has no classifier of its own").arg(backboneId));
    const QString dir = vision::resolveWeightsDir(weightsDir);
    LabelledPredictions out;
    if (!spec->labelsFile.isEmpty()) {
        QFile lf(QDir(dir).filePath(spec->labelsFile));
        if (!lf.open(QIODevice::ReadOnly | QIODevice::Text))
            return makeError(ErrorCode::NotFound, QStringLiteral("labels file not found"),
                             lf.fileName());
        for (const auto &line : QString::fromUtf8(lf.readAll()).split(QLatin1Char('\n')))
            if (!line.trimmed().isEmpty())
                out.labels << line.trimmed();
    }
    while (out.labels.size() < spec->classifierClasses)
        out.labels << QStringLiteral("class %1").arg(out.labels.size());
    auto bb = vision::createBackbone(*spec, QDir(dir).filePath(spec->weightsFile), true);
    if (!bb)
        return bb.error();
    try {
        auto backbone = *bb;
        backbone->eval();
        out.predictions = predictFiles(files, spec->preprocessing, topK,
                                       [&](const torch::Tensor &x) { return backbone->classify(x); });
        return out;
    } catch (const std::exception &e) {
        return makeError(ErrorCode::Internal, firstLine(e));
    }
}

} // namespace graft::train
