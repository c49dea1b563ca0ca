// Exports and their check, and the one loader for models: run folders, TorchScript and ONNX.
#include "graft/export/Exporter.h"

#include "graft/io/AtomicFile.h"
#include "graft/learn/Session.h"
#include "text/TextModel.h"
#include "vision/ImageModel.h"

#include <opencv2/dnn.hpp>
#include <torch/script.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>
#include <functional>

namespace graft::exports {

using core::ErrorCode;
using core::makeError;

namespace {

/// An image export read back (text ones are text::TextModel's): TorchScript, or ONNX run by
/// OpenCV DNN (an independent runtime) with the preprocessing from the NAME.onnx.json beside it.
struct ExportedModel : learn::Model, vision::BatchScoring
{
    QJsonObject description;
    QStringList labels;
    vision::Preprocessing pre;
    std::function<torch::Tensor(const vision::Batch &)> forwardImages; ///< probabilities [n, c]

    learn::TaskKind kind() const override { return learn::TaskKind::Image; }
    const QStringList &classes() const override { return labels; }
    QJsonObject describe() const override { return description; }

    torch::Tensor batchProbabilities(const vision::Batch &b) const override
    {
        return forwardImages(b);
    }

    core::Result<Scores> score(const std::vector<learn::SampleRef> &inputs,
                               const core::CancelToken &cancel,
                               learn::Observer *observer) const override
    {
        return core::guarded(
            [&] { return vision::scoreImages(inputs, pre, 8, forwardImages, cancel, observer); });
    }
};

/// The "probabilities" output of an ONNX export for `blob` fed to `input` (copies of a
/// cv::dnn::Net share one network; its forward() is not const).
torch::Tensor onnxForward(cv::dnn::Net net, const cv::Mat &blob, const char *input)
{
    net.setInput(blob, input);
    const cv::Mat out = net.forward("probabilities").clone();
    return torch::from_blob(const_cast<float *>(out.ptr<float>()), {out.size[0], out.size[1]},
                            torch::kFloat)
        .clone();
}

core::Result<learn::ModelPtr> loadOnnx(const QString &path)
{
    const QString sidecar = modelJsonPath(path);
    QFile f(sidecar);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("the %1 written beside the ONNX file is missing; it holds "
                                        "the labels and the preprocessing")
                             .arg(QFileInfo(sidecar).fileName()),
                         path);
    const QJsonObject json = QJsonDocument::fromJson(f.read(64 << 20)).object();
    if (json.value("format").toString() != QLatin1String("graft-model"))
        return makeError(ErrorCode::InvalidFormat, QStringLiteral("not a Graft model.json"),
                         sidecar);
    auto m = std::make_shared<ExportedModel>();
    m->labels = json.value("labels").toVariant().toStringList();
    if (m->labels.size() < 2)
        return makeError(ErrorCode::InvalidFormat,
                         QStringLiteral("model.json names fewer than two labels"), sidecar);
    const bool text = json.value("kind").toString() == QLatin1String("text");
    if (text && json.value("vocabulary").toArray().size() < 2)
        return makeError(ErrorCode::InvalidFormat, QStringLiteral("model.json holds no vocabulary"),
                         sidecar);
    m->pre = vision::Preprocessing::fromJson(json.value("preprocessing").toObject());
    m->description = {{"kind", "image"}, {"format", "onnx"}};
    cv::dnn::Net net;
    try {
        net = cv::dnn::readNetFromONNX(path.toStdString());
        net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    } catch (const std::exception &e) {
        return makeError(
            ErrorCode::InvalidFormat,
            QStringLiteral("OpenCV DNN cannot read the model: %1").arg(core::exceptionText(e)),
            path);
    }
    m->forwardImages = [net](const vision::Batch &b) {
        const int dims[4] = {b.size, 3, b.height, b.width};
        return onnxForward(net, cv::Mat(4, dims, CV_32F, const_cast<float *>(b.data.data())),
                           "input");
    };
    if (text)
        return learn::ModelPtr(text::TextModel::fromOnnx(json, m->labels, [net](const auto &ids) {
            std::vector<float> values(ids.begin(), ids.end());
            const int dims[2] = {int(ids.size()), 1};
            return onnxForward(net, cv::Mat(2, dims, CV_32F, values.data()), "ids");
        }));
    return learn::ModelPtr(m);
}

core::Result<learn::ModelPtr> loadTorchScript(const QString &path)
{
    try {
        torch::jit::ExtraFilesMap extra{{"labels.json", ""},
                                        {"preprocessing.json", ""},
                                        {"graft.json", ""},
                                        {"vocab.txt", ""},
                                        {"tokenizer.json", ""}};
        torch::jit::Module module = torch::jit::load(path.toStdString(), c10::nullopt, extra);
        module.eval();
        if (!extra["tokenizer.json"].empty()) // a text model
            return text::TextModel::fromTorchScript(module, extra, path);
        const auto json = [&](const char *name) {
            return QJsonDocument::fromJson(QByteArray::fromStdString(extra[name]));
        };
        auto m = std::make_shared<ExportedModel>();
        m->labels = QVariant(json("labels.json").array().toVariantList()).toStringList();
        if (m->labels.isEmpty())
            return makeError(ErrorCode::InvalidFormat,
                             QStringLiteral("not a Graft model: labels.json is missing"), path);
        m->pre = vision::Preprocessing::fromJson(json("preprocessing.json").object());
        m->description = {{"kind", "image"},
                          {"format", "torchscript"},
                          {"backbone", json("graft.json").object().value("backbone")}};
        m->forwardImages = [module](const vision::Batch &b) {
            torch::NoGradGuard noGrad;
            auto copy = module; // forward() is not const
            const torch::Tensor x = torch::from_blob(const_cast<float *>(b.data.data()),
                                                     {b.size, 3, b.height, b.width});
            return torch::softmax(copy.forward({x}).toTensor(), 1);
        };
        return learn::ModelPtr(m);
    } catch (const std::exception &e) {
        return makeError(
            ErrorCode::InvalidFormat,
            QStringLiteral("cannot be loaded as TorchScript: %1").arg(core::exceptionText(e)),
            path);
    }
}

/// Progress of a model's scoring reported as the export check's.
struct CheckProgress : learn::Observer
{
    learn::Observer *to = nullptr;
    void progress(const learn::Progress &p) override
    {
        learn::Progress q = p;
        q.phase = learn::Phase::ExportCheck;
        if (to)
            to->progress(q);
    }
};

} // namespace

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

core::Status writeModelJson(const QString &modelPath,
                            const QString &format,
                            const QStringList &labels,
                            const QJsonObject &fields)
{
    QJsonObject json{{"format", "graft-model"},
                     {"format_version", 1},
                     {"model_file", QFileInfo(modelPath).fileName()},
                     {"model_format", format},
                     {"graft_version", QStringLiteral(GRAFT_VERSION)},
                     {"labels", QJsonArray::fromStringList(labels)}};
    for (auto it = fields.begin(); it != fields.end(); ++it)
        json.insert(it.key(), it.value());
    return io::writeFileAtomically(modelJsonPath(modelPath),
                                   QJsonDocument(json).toJson(QJsonDocument::Indented));
}

core::Result<learn::ModelPtr> loadModel(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return makeError(ErrorCode::NotFound, QStringLiteral("model file not found"), path);
    if (info.isDir()) {
        auto run = learn::loadRun(path);
        if (!run)
            return run.error();
        if (!run->model)
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("this run kept no model"),
                             path);
        return run->model;
    }
    if (info.suffix().compare(QLatin1String("onnx"), Qt::CaseInsensitive) == 0)
        return loadOnnx(path);
    return loadTorchScript(path);
}

core::Result<learn::ExportCheck> exportModel(const learn::Model &model,
                                             const QString &path,
                                             const core::CancelToken &cancel,
                                             learn::Observer *observer)
{
    const bool onnx = path.endsWith(QLatin1String(".onnx"), Qt::CaseInsensitive);
    learn::ExportCheck check;
    check.path = path;
    check.format = onnx ? QStringLiteral("onnx") : QStringLiteral("torchscript");
    check.checkedWith =
        onnx ? QStringLiteral("OpenCV DNN") : QStringLiteral("LibTorch (the re-loaded file)");
    const learn::ProgressMeter meter(learn::Phase::Export);
    if (observer)
        observer->progress(meter.at(0, 1));
    if (auto w = model.writeExport(path, check.format); !w)
        return w.error();
    if (observer)
        observer->progress(meter.at(1, 1));
    auto loaded = loadModel(path);
    if (!loaded)
        return loaded.error();
    if ((*loaded)->classes() != model.classes())
        return makeError(ErrorCode::Internal,
                         QStringLiteral("the exported file names other classes"), path);
    CheckProgress progress;
    progress.to = observer;
    std::vector<std::vector<float>> ours = model.checkProbabilities;
    if (ours.size() != model.checkSamples.size()) {
        auto s = model.score(model.checkSamples, cancel, nullptr);
        if (!s)
            return s.error();
        ours = std::move(s->probabilities);
    }
    core::Result<learn::Model::Scores> theirs = learn::Model::Scores{};
    const auto *image = dynamic_cast<const vision::ImageModel *>(&model);
    const auto *batchScoring = dynamic_cast<const vision::BatchScoring *>(loaded->get());
    if (image && image->checkBatches && batchScoring) {
        // The validation images as the feature pass decoded them: no second decode.
        const learn::ProgressMeter checkMeter(learn::Phase::ExportCheck);
        qint64 done = 0;
        theirs = core::guarded([&]() -> core::Result<learn::Model::Scores> {
            learn::Model::Scores out;
            out.probabilities.resize(model.checkSamples.size());
            for (const vision::Batch &b : *image->checkBatches) {
                if (cancel.isCancelled())
                    return makeError(ErrorCode::Cancelled, QStringLiteral("cancelled"));
                const torch::Tensor p = batchScoring->batchProbabilities(b).contiguous();
                for (int k = 0; k < b.size; ++k)
                    out.probabilities[size_t(b.sampleIndices[size_t(k)])].assign(
                        p[k].data_ptr<float>(), p[k].data_ptr<float>() + p.size(1));
                done += b.size;
                if (observer)
                    observer->progress(checkMeter.at(done, qint64(model.checkSamples.size())));
            }
            return out;
        });
    } else {
        theirs = (*loaded)->score(model.checkSamples, cancel, &progress);
    }
    if (!theirs)
        return theirs.error();
    int agree = 0;
    for (size_t i = 0; i < ours.size(); ++i) {
        const auto &a = ours[i], &b = theirs->probabilities[i];
        if (a.empty() || b.empty())
            continue; // a file that no longer decodes
        if (a.size() != b.size())
            return makeError(ErrorCode::Internal,
                             QStringLiteral("the exported model gives %1 classes, expected %2")
                                 .arg(b.size())
                                 .arg(a.size()),
                             path);
        for (size_t c = 0; c < a.size(); ++c)
            check.maxAbsProbabilityDiff =
                std::max(check.maxAbsProbabilityDiff, std::fabs(double(a[c]) - b[c]));
        agree += std::max_element(a.begin(), a.end()) - a.begin() ==
                 std::max_element(b.begin(), b.end()) - b.begin();
        ++check.samples;
    }
    check.agreement = check.samples ? double(agree) / check.samples : 1.0;
    return check;
}

core::Result<learn::ModelPtr> loadBackboneClassifier(const QString &backboneId,
                                                     const QString &weightsDir)
{
    return core::guarded([&]() -> core::Result<learn::ModelPtr> {
        const vision::BackboneSpec *spec = vision::BackboneCatalogue::builtin().find(backboneId);
        if (!spec)
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("unknown backbone '%1'").arg(backboneId));
        if (spec->classifierClasses <= 0)
            return makeError(
                ErrorCode::Unsupported,
                QStringLiteral("backbone '%1' has no classifier of its own").arg(backboneId));
        const QString dir = vision::resolveWeightsDir(weightsDir);
        QStringList labels;
        if (!spec->labelsFile.isEmpty()) {
            QFile lf(QDir(dir).filePath(spec->labelsFile));
            if (!lf.open(QIODevice::ReadOnly | QIODevice::Text))
                return makeError(ErrorCode::NotFound, QStringLiteral("labels file not found"),
                                 lf.fileName());
            for (const auto &line : QString::fromUtf8(lf.readAll()).split(QLatin1Char('\n')))
                if (!line.trimmed().isEmpty())
                    labels << line.trimmed();
        }
        while (labels.size() < spec->classifierClasses)
            labels << QStringLiteral("class %1").arg(labels.size());
        auto bb = vision::createBackbone(*spec, QDir(dir).filePath(spec->weightsFile), true);
        if (!bb)
            return bb.error();
        // The classifier becomes the head of a model on all of the backbone's groups.
        const int cut = int((*bb)->groups().size());
        const torch::Tensor weight = (*bb)->classifierWeight();
        vision::Head head(weight.size(1), weight.size(0), learn::ImageHead::Linear, 0, 0.0);
        {
            torch::NoGradGuard noGrad;
            head->fc2->weight.copy_(weight);
            head->fc2->bias.copy_((*bb)->classifierBias());
        }
        return learn::ModelPtr(std::make_shared<vision::ImageModel>(
            *bb, head, cut, labels, learn::RunConfig(), torch::Device(torch::kCPU)));
    });
}

} // namespace graft::exports
