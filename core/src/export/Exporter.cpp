// Exports and their check, and the one loader for models: run folders, TorchScript and ONNX.
#include "graft/export/Exporter.h"

#include "graft/io/AtomicFile.h"
#include "graft/learn/Session.h"
#include "graft/text/Tokenizer.h"
#include "graft/text/Vocabulary.h"
#include "text/TextModel.h"
#include "vision/ImageModel.h"

#include <opencv2/dnn.hpp>
#include <torch/script.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

namespace graft::exports {

using core::ErrorCode;
using core::makeError;

namespace {

/// A Graft image export read back from TorchScript.
class ScriptedImageModel : public learn::Model, public vision::BatchScoring
{
public:
    torch::jit::Module module;
    QStringList labels;
    vision::Preprocessing pre;
    QJsonObject meta;

    learn::TaskKind kind() const override { return learn::TaskKind::Image; }
    const QStringList &classes() const override { return labels; }
    QJsonObject describe() const override
    {
        return {{"kind", "image"}, {"format", "torchscript"}, {"backbone", meta.value("backbone")}};
    }
    torch::Tensor batchProbabilities(const vision::Batch &b) const override
    {
        torch::NoGradGuard noGrad;
        auto m = module;
        const torch::Tensor x = torch::from_blob(const_cast<float *>(b.data.data()), {b.size, 3, b.height, b.width});
        return torch::softmax(m.forward({x}).toTensor(), 1);
    }
    core::Result<Scores> score(const std::vector<learn::SampleRef> &inputs,
                               const core::CancelToken &cancel, learn::Observer *observer) const override
    {
        return core::guarded([&] {
            return vision::scoreImages(
                inputs, pre, 8, [&](const vision::Batch &b) { return batchProbabilities(b); }, cancel, observer);
        });
    }
};

/// A Graft export read back from ONNX by OpenCV DNN (an independent runtime), with the
/// preprocessing or tokenizer from the NAME.onnx.json beside it.
class OnnxModel : public learn::Model, public vision::BatchScoring
{
public:
    mutable cv::dnn::Net net; // forward() is not const in OpenCV
    learn::TaskKind task = learn::TaskKind::Image;
    QStringList labels;
    vision::Preprocessing pre;
    text::Tokenizer::Options tokenizer;
    text::Vocabulary vocab;
    int minLength = 1;

    learn::TaskKind kind() const override { return task; }
    const QStringList &classes() const override { return labels; }
    QJsonObject describe() const override { return {{"kind", learn::nameOf(task)}, {"format", "onnx"}}; }

    QStringList tokenize(const QString &text, int *unknown) const override
    {
        const QStringList tokens = text::Tokenizer(tokenizer).tokenize(text);
        if (unknown) {
            *unknown = 0;
            for (const QString &t : tokens)
                *unknown += vocab.contains(t) ? 0 : 1;
        }
        return tokens;
    }

    torch::Tensor forward(const cv::Mat &blob, const char *input) const
    {
        net.setInput(blob, input);
        const cv::Mat out = net.forward("probabilities").clone();
        return torch::from_blob(const_cast<float *>(out.ptr<float>()), {out.size[0], out.size[1]},
                                torch::kFloat)
            .clone();
    }

    torch::Tensor batchProbabilities(const vision::Batch &b) const override
    {
        const int dims[4] = {b.size, 3, b.height, b.width};
        return forward(cv::Mat(4, dims, CV_32F, const_cast<float *>(b.data.data())), "input");
    }

    core::Result<Scores> score(const std::vector<learn::SampleRef> &inputs,
                               const core::CancelToken &cancel, learn::Observer *observer) const override
    {
        return core::guarded([&]() -> core::Result<Scores> {
            if (task == learn::TaskKind::Image)
                return vision::scoreImages(
                    inputs, pre, 8, [&](const vision::Batch &b) { return batchProbabilities(b); }, cancel,
                    observer);
            Scores out;
            const learn::ProgressMeter meter(learn::Phase::Validate);
            for (size_t i = 0; i < inputs.size(); ++i) {
                if (cancel.isCancelled())
                    return makeError(ErrorCode::Cancelled, QStringLiteral("cancelled"));
                if (inputs[i].text.trimmed().isEmpty()) {
                    out.probabilities.emplace_back();
                    out.errors << QStringLiteral("the text is empty");
                    continue;
                }
                std::vector<int64_t> ids = vocab.encode(tokenize(inputs[i].text, nullptr));
                if (ids.empty())
                    ids.push_back(text::Vocabulary::kUnk);
                while (int(ids.size()) < minLength)
                    ids.push_back(text::Vocabulary::kPad);
                const int dims[2] = {int(ids.size()), 1};
                cv::Mat blob(2, dims, CV_32F);
                for (size_t t = 0; t < ids.size(); ++t)
                    blob.ptr<float>()[t] = float(ids[t]);
                const torch::Tensor p = forward(blob, "ids");
                out.probabilities.emplace_back(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
                out.errors << QString();
                if (observer && (i % 64 == 0 || i + 1 == inputs.size()))
                    observer->progress(meter.at(qint64(i) + 1, qint64(inputs.size())));
            }
            return out;
        });
    }
};

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
        return makeError(ErrorCode::InvalidFormat, QStringLiteral("not a Graft model.json"), sidecar);
    auto m = std::make_shared<OnnxModel>();
    for (const auto &l : json.value("labels").toArray())
        m->labels << l.toString();
    if (m->labels.size() < 2)
        return makeError(ErrorCode::InvalidFormat, QStringLiteral("model.json names fewer than two labels"), sidecar);
    if (json.value("kind").toString() == QLatin1String("text")) {
        m->task = learn::TaskKind::Text;
        QStringList words;
        for (const auto &w : json.value("vocabulary").toArray())
            words << w.toString();
        if (words.size() < 2)
            return makeError(ErrorCode::InvalidFormat, QStringLiteral("model.json holds no vocabulary"), sidecar);
        m->vocab = text::Vocabulary::fromTokens(words.mid(2));
        m->tokenizer = text::Tokenizer::Options::fromJson(json.value("tokenizer").toObject());
        m->minLength = std::max(1, json.value("min_length").toInt(1));
    } else {
        m->pre = vision::Preprocessing::fromJson(json.value("preprocessing").toObject());
    }
    try {
        m->net = cv::dnn::readNetFromONNX(path.toStdString());
        m->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    } catch (const std::exception &e) {
        return makeError(ErrorCode::InvalidFormat,
                         QStringLiteral("OpenCV DNN cannot read the model: %1").arg(core::exceptionText(e)),
                         path);
    }
    return learn::ModelPtr(m);
}

core::Result<learn::ModelPtr> loadTorchScript(const QString &path)
{
    if (text::TextModel::isTextTorchScript(path))
        return text::TextModel::loadTorchScript(path);
    try {
        torch::jit::ExtraFilesMap extra{{"labels.json", ""}, {"preprocessing.json", ""}, {"graft.json", ""}};
        auto m = std::make_shared<ScriptedImageModel>();
        m->module = torch::jit::load(path.toStdString(), c10::nullopt, extra);
        m->module.eval();
        for (const auto &l : QJsonDocument::fromJson(QByteArray::fromStdString(extra["labels.json"])).array())
            m->labels << l.toString();
        if (m->labels.isEmpty())
            return makeError(ErrorCode::InvalidFormat, QStringLiteral("not a Graft model: labels.json is missing"), path);
        m->pre = vision::Preprocessing::fromJson(
            QJsonDocument::fromJson(QByteArray::fromStdString(extra["preprocessing.json"])).object());
        m->meta = QJsonDocument::fromJson(QByteArray::fromStdString(extra["graft.json"])).object();
        return learn::ModelPtr(m);
    } catch (const std::exception &e) {
        return makeError(ErrorCode::InvalidFormat,
                         QStringLiteral("cannot be loaded as TorchScript: %1").arg(core::exceptionText(e)),
                         path);
    }
}

/// Progress of a model's scoring reported as the export check's.
class CheckProgress : public learn::Observer
{
public:
    explicit CheckProgress(learn::Observer *to)
        : m_to(to)
    {}
    void progress(const learn::Progress &p) override
    {
        learn::Progress q = p;
        q.phase = learn::Phase::ExportCheck;
        if (m_to)
            m_to->progress(q);
    }

private:
    learn::Observer *m_to;
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

core::Status writeModelJson(const QString &modelPath, const QString &format,
                            const QStringList &labels, const QJsonObject &fields)
{
    QJsonObject json{{"format", "graft-model"},
                     {"format_version", 1},
                     {"model_file", QFileInfo(modelPath).fileName()},
                     {"model_format", format},
                     {"graft_version", QStringLiteral(GRAFT_VERSION)},
                     {"labels", QJsonArray::fromStringList(labels)}};
    for (auto it = fields.begin(); it != fields.end(); ++it)
        json.insert(it.key(), it.value());
    return io::writeFileAtomically(modelJsonPath(modelPath), QJsonDocument(json).toJson(QJsonDocument::Indented));
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
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("this run kept no model"), path);
        return run->model;
    }
    if (info.suffix().compare(QLatin1String("onnx"), Qt::CaseInsensitive) == 0)
        return loadOnnx(path);
    return loadTorchScript(path);
}

core::Result<learn::ExportCheck> exportModel(const learn::Model &model, const QString &path,
                                             const core::CancelToken &cancel, learn::Observer *observer)
{
    learn::ExportCheck check;
    check.path = path;
    check.format = path.endsWith(QLatin1String(".onnx"), Qt::CaseInsensitive) ? QStringLiteral("onnx")
                                                                                : QStringLiteral("torchscript");
    check.checkedWith = check.format == QLatin1String("onnx") ? QStringLiteral("OpenCV DNN")
                                                              : QStringLiteral("LibTorch (the re-loaded file)");
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
        return makeError(ErrorCode::Internal, QStringLiteral("the exported file names other classes"), path);
    CheckProgress progress(observer);
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
                             QStringLiteral("the exported model gives %1 classes, expected %2").arg(b.size()).arg(a.size()),
                             path);
        for (size_t c = 0; c < a.size(); ++c)
            check.maxAbsProbabilityDiff = std::max(check.maxAbsProbabilityDiff, std::fabs(double(a[c]) - b[c]));
        agree += std::max_element(a.begin(), a.end()) - a.begin() == std::max_element(b.begin(), b.end()) - b.begin();
        ++check.samples;
    }
    check.agreement = check.samples ? double(agree) / check.samples : 1.0;
    return check;
}

core::Result<learn::ModelPtr> loadBackboneClassifier(const QString &backboneId, const QString &weightsDir)
{
    return core::guarded([&] { return vision::loadBackboneClassifier(backboneId, weightsDir); });
}

} // namespace graft::exports
