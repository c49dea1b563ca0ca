// Image classifiers: scoring, Grad-CAM, export emitters, run-folder weights.
#include "vision/ImageModel.h"

#include "graft/export/Exporter.h"
#include "graft/export/OnnxGraph.h"
#include "graft/io/AtomicFile.h"
#include "graft/io/Safetensors.h"
#include "learn/Learner.h"

#include <torch/script.h>

#include <QJsonArray>
#include <QJsonDocument>

#include <sstream>

namespace graft::vision {

using core::ErrorCode;
using core::makeError;

using io::compactJson;
using io::parseJson;

namespace {
constexpr const char *kWeightsFormat = "graft-image-model";
} // namespace

HeadImpl::HeadImpl(
    std::int64_t in, std::int64_t classes, learn::ImageHead kind, int hidden, double dropout)
    : mlp(kind == learn::ImageHead::Mlp)
{
    if (mlp) {
        fc1 = register_module("fc1", torch::nn::Linear(in, hidden));
        fc2 = register_module("fc2", torch::nn::Linear(hidden, classes));
    } else {
        fc2 = register_module("fc", torch::nn::Linear(in, classes));
    }
    drop = register_module("drop", torch::nn::Dropout(dropout));
}

torch::Tensor HeadImpl::forward(torch::Tensor x)
{
    if (mlp)
        x = torch::relu(fc1->forward(drop->forward(x)));
    return fc2->forward(drop->forward(x));
}

torch::Tensor batchTensor(const Batch &b, torch::Device device)
{
    return torch::from_blob(const_cast<float *>(b.data.data()), {b.size, 3, b.height, b.width},
                            torch::kFloat)
        .contiguous(torch::MemoryFormat::ChannelsLast)
        .to(device);
}

core::Result<learn::Model::Scores>
scoreImages(const std::vector<learn::SampleRef> &inputs,
            const Preprocessing &pre,
            int batchSize,
            const std::function<torch::Tensor(const Batch &)> &forward,
            const core::CancelToken &cancel,
            learn::Observer *observer)
{
    learn::Model::Scores out;
    out.probabilities.resize(inputs.size());
    std::vector<Sample> samples;
    for (const auto &r : inputs)
        samples.push_back(Sample{r.file, 0});
    PipelineOptions o;
    o.preprocessing = pre;
    o.batchSize = std::max(1, batchSize);
    BatchPipeline pipe(samples, o);
    pipe.startEpoch(0);
    QStringList errors;
    const learn::ProgressMeter meter(learn::Phase::Validate);
    qint64 done = 0;
    torch::NoGradGuard noGrad;
    while (auto b = pipe.next()) {
        if (cancel.isCancelled()) {
            pipe.cancel();
            return makeError(ErrorCode::Cancelled, QStringLiteral("cancelled"));
        }
        errors += b->errors;
        done += b->size + b->errors.size();
        if (b->size > 0) {
            const torch::Tensor p = forward(*b).to(torch::kCPU, torch::kFloat).contiguous();
            for (int k = 0; k < b->size; ++k) {
                const float *row = p[k].data_ptr<float>();
                out.probabilities[size_t(b->sampleIndices[size_t(k)])].assign(row, row + p.size(1));
            }
        }
        if (observer)
            observer->progress(meter.at(done, qint64(inputs.size())));
    }
    for (size_t i = 0; i < inputs.size(); ++i) {
        QString error;
        if (out.probabilities[i].empty()) {
            error = QStringLiteral("the image could not be read");
            for (const QString &e : errors)
                if (e.startsWith(inputs[i].file))
                    error = e.mid(inputs[i].file.size()).section(QLatin1Char(':'), 1).trimmed();
        }
        out.errors << error;
    }
    return out;
}

ImageModel::ImageModel(std::shared_ptr<Backbone> backbone,
                       Head head,
                       int cutAt,
                       QStringList classes,
                       learn::RunConfig config,
                       torch::Device device)
    : m_backbone(std::move(backbone))
    , m_head(std::move(head))
    , m_cutAt(cutAt)
    , m_classes(std::move(classes))
    , m_config(std::move(config))
    , m_device(device)
{
    applyFreezePlan(*m_backbone, FreezePlan::featureExtractor(m_cutAt));
    m_backbone->eval();
    m_head->eval();
}

QJsonObject ImageModel::describe() const
{
    return QJsonObject{{"kind", "image"},
                       {"backbone", m_backbone->spec().id},
                       {"cut", m_cutAt},
                       {"head", m_head->mlp ? "mlp" : "linear"},
                       {"classes", QJsonArray::fromStringList(m_classes)},
                       {"input_size", preprocessing().inputSize},
                       {"device", QString::fromStdString(m_device.str())}};
}

torch::Tensor ImageModel::batchProbabilities(const Batch &batch) const
{
    torch::NoGradGuard noGrad;
    const torch::Tensor features = m_backbone->features(batchTensor(batch, m_device), m_cutAt);
    return torch::softmax(m_head->forward(features), 1).to(torch::kCPU);
}

core::Result<learn::Model::Scores> ImageModel::score(const std::vector<learn::SampleRef> &inputs,
                                                     const core::CancelToken &cancel,
                                                     learn::Observer *observer) const
{
    return core::guarded([&] {
        return scoreImages(
            inputs, preprocessing(), m_config.image.inferenceBatchSize,
            [&](const Batch &b) { return batchProbabilities(b); }, cancel, observer);
    });
}

core::Result<learn::GradCam> ImageModel::gradCam(const QString &file, int classIndex) const
{
    return core::guarded(
        [&]() -> core::Result<learn::GradCam> {
            const Preprocessing &pre = preprocessing();
            auto decoded = decodeImageFile(file);
            if (!decoded)
                return decoded.error();
            std::vector<float> x = preprocessRgb(*decoded, pre);
            const int s = pre.inputSize;
            torch::Tensor in = torch::from_blob(x.data(), {1, 3, s, s}, torch::kFloat).to(m_device);
            torch::Tensor map;
            {
                torch::NoGradGuard ng;
                map = m_backbone->featureMap(in, m_cutAt);
            }
            map = map.detach().requires_grad_(true);
            const torch::Tensor logits = m_head->forward(map.mean({2, 3}));
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
            // The preprocessed input back to 8-bit RGB for display.
            RgbImage shown{s, s, std::vector<std::uint8_t>(size_t(s) * s * 3)};
            const size_t plane = size_t(s) * s;
            for (size_t i = 0; i < plane; ++i)
                for (size_t c = 0; c < 3; ++c) {
                    const float v = x[c * plane + i];
                    const float u = pre.scaling == Scaling::MeanStd
                                        ? (v * pre.std[c] + pre.mean[c]) * 255.f
                                    : pre.scaling == Scaling::MinusOneToOne ? (v + 1.f) * 127.5f
                                                                            : v * 255.f;
                    shown.pixels[i * 3 + c] = std::uint8_t(std::clamp(u, 0.f, 255.f));
                }
            const float *heat = cam.data_ptr<float>();
            return learn::GradCam{.image = std::move(shown),
                                  .mapWidth = int(map.size(3)),
                                  .mapHeight = int(map.size(2)),
                                  .heat = std::vector<float>(heat, heat + cam.numel()),
                                  .classIndex = cls};
        },
        file);
}

core::Status ImageModel::writeExport(const QString &path, const QString &format) const
{
    const bool onnx = format == QLatin1String("onnx");
    if (m_device != torch::Device(torch::kCPU))
        return makeError(ErrorCode::Unsupported,
                         QStringLiteral("exports are written from a model on the CPU; this one "
                                        "is on %1")
                             .arg(QString::fromStdString(m_device.str())),
                         path);
    return core::guarded(
        [&]() -> core::Status {
            torch::NoGradGuard ng;
            const Preprocessing &pre = preprocessing();
            const QByteArray labels =
                QJsonDocument(QJsonArray::fromStringList(m_classes)).toJson(QJsonDocument::Compact);
            const QByteArray preJson = QJsonDocument(pre.toJson()).toJson(QJsonDocument::Compact);
            std::string bytes;
            if (!onnx) {
                torch::jit::Module m("GraftClassifier");
                m_backbone->emitTorchScript(m, m_cutAt);
                // "torch.linear(in, self.<name>_weight, self.<name>_bias)", registering both.
                const auto linear = [&](const std::string &name, const torch::nn::Linear &l,
                                        const std::string &in) {
                    m.register_parameter(name + "_weight", l->weight.detach().clone(), false);
                    m.register_parameter(name + "_bias", l->bias.detach().clone(), false);
                    return "torch.linear(" + in + ", self." + name + "_weight, self." + name +
                           "_bias)";
                };
                std::string headSrc;
                if (m_head->mlp)
                    headSrc =
                        "        h = torch.relu(" + linear("head_fc1", m_head->fc1, "f") + ")\n";
                headSrc += "        return " +
                           linear(m_head->mlp ? "head_fc2" : "head", m_head->fc2,
                                  m_head->mlp ? "h" : "f") +
                           "\n";
                m.define("def forward(self, x):\n"
                         "        f = self.features(x)\n" +
                         headSrc +
                         "\n"
                         "def predict_proba(self, x):\n"
                         "        return torch.softmax(self.forward(x), 1)\n");
                const QJsonObject meta{
                    {"format", "graft-torchscript"},
                    {"graft_version", QStringLiteral(GRAFT_VERSION)},
                    {"backbone", m_backbone->spec().id},
                    {"cut", m_cutAt},
                    {"input_size", pre.inputSize},
                    {"input_layout", "NCHW float32, RGB, normalised as in preprocessing.json"},
                    {"output", "logits; predict_proba() gives softmax probabilities"},
                    {"config", m_config.toJson()}};
                torch::jit::ExtraFilesMap extra{
                    {"labels.json", labels.toStdString()},
                    {"preprocessing.json", preJson.toStdString()},
                    {"graft.json", QJsonDocument(meta).toJson().toStdString()}};
                std::ostringstream buffer;
                m.save(buffer, extra);
                bytes = buffer.str();
            } else {
                const int s = pre.inputSize;
                const auto classes = std::int64_t(m_classes.size());
                exports::OnnxGraph g;
                g.addInput("input", {-1, 3, s, s});
                std::string x = m_backbone->emitOnnx(g, "input", s, m_cutAt);
                using A = exports::OnnxGraph;
                if (m_head->mlp) {
                    x = g.node("Gemm",
                               {x, onnxTensor(g, m_head->fc1->weight, "head_fc1_w"),
                                onnxTensor(g, m_head->fc1->bias, "head_fc1_b")},
                               {A::attr("transB", 1)});
                    x = g.node("Relu", {x});
                }
                const std::string logits = g.node("Gemm",
                                                  {x, onnxTensor(g, m_head->fc2->weight, "head_w"),
                                                   onnxTensor(g, m_head->fc2->bias, "head_b")},
                                                  {A::attr("transB", 1)}, "logits");
                g.node("Softmax", {logits}, {A::attr("axis", 1)}, "probabilities");
                g.addOutput("logits", {-1, classes});
                g.addOutput("probabilities", {-1, classes});
                g.addMetadata("labels", labels.toStdString());
                g.addMetadata("preprocessing", preJson.toStdString());
                g.addMetadata("backbone", m_backbone->spec().id.toStdString());
                bytes = g.serialize("GraftClassifier", GRAFT_VERSION);
            }
            if (auto w = io::writeFileAtomically(path, QByteArray::fromStdString(bytes)); !w)
                return w;
            const QJsonObject fields{
                {"kind", "image"},
                {"backbone", m_backbone->spec().id},
                {"input", QJsonObject{{"layout", "NCHW"},
                                      {"dtype", "float32"},
                                      {"channels", pre.bgr ? "BGR" : "RGB"},
                                      {"size", pre.inputSize},
                                      {"name", "input"}}},
                {"preprocessing", pre.toJson()},
                {"preprocessing_steps",
                 QJsonArray{
                     QStringLiteral("decode to 8-bit RGB, applying EXIF orientation"),
                     QStringLiteral("resize: 'squash' = both sides to size; 'center-crop' = "
                                    "shorter side to size / cropFraction, then the central "
                                    "size x size; 'pad' = longer side to size, rest padded "
                                    "with the mean colour (area filter when shrinking, "
                                    "bilinear when enlarging)"),
                     QStringLiteral("scaling: 'mean-std' = (v/255 - mean)/std; "
                                    "'minus-one-to-one' = v/127.5 - 1; 'zero-to-one' = v/255")}},
                {"output", onnx ? "outputs 'logits' and 'probabilities' (softmax)"
                                : "logits (forward); softmax probabilities (predict_proba)"}};
            return exports::writeModelJson(path, format, m_classes, fields);
        },
        path);
}

core::Status ImageModel::saveWeights(const QString &path) const
{
    return core::guarded(
        [&]() -> core::Status {
            std::vector<io::TensorBlob> blobs;
            for (const auto &[name, t] : learn::moduleState(*m_head, "head."))
                blobs.push_back(learn::tensorBlob(name, t));
            for (const auto &[name, t] : learn::moduleState(*m_backbone, "backbone."))
                blobs.push_back(learn::tensorBlob(name, t));
            const std::map<QString, QString> meta{
                {"format", kWeightsFormat},
                {"graft_version", QStringLiteral(GRAFT_VERSION)},
                {"backbone", m_backbone->spec().id},
                {"spec", compactJson(m_backbone->spec().toJson())},
                {"cut", QString::number(m_cutAt)},
                {"classes", compactJson(QJsonArray::fromStringList(m_classes))},
                {"config", compactJson(m_config.toJson())}};
            return io::writeSafetensors(path, blobs, meta);
        },
        path);
}

core::Result<learn::ModelPtr> loadImageModel(const QString &path)
{
    auto file = io::SafetensorsFile::open(path);
    if (!file)
        return file.error();
    const QJsonObject meta = file->metadata();
    if (meta.value("format").toString() != QLatin1String(kWeightsFormat))
        return makeError(ErrorCode::InvalidFormat, QStringLiteral("not a Graft image model"), path);
    if (auto finite = file->checkFinite(); !finite)
        return finite.error();
    auto spec = BackboneSpec::fromJson(parseJson(meta.value("spec").toString()).toObject());
    if (!spec)
        return makeError(ErrorCode::InvalidFormat, spec.error().detail, path);
    const QStringList classes =
        parseJson(meta.value("classes").toString()).toVariant().toStringList();
    const learn::RunConfig config =
        learn::RunConfig::fromJson(parseJson(meta.value("config").toString()).toObject());
    return core::guarded(
        [&]() -> core::Result<learn::ModelPtr> {
            auto bb = createBackbone(*spec, QString(), false);
            if (!bb)
                return bb.error();
            const int groups = int((*bb)->groups().size());
            const int cut = meta.value("cut").toString().toInt();
            if (classes.size() < 2 || cut < 1 || cut > groups)
                return makeError(
                    ErrorCode::InvalidFormat,
                    QStringLiteral("the classes or the cut in the metadata are invalid"), path);
            Head head((*bb)->featureDim(cut), classes.size(), config.image.head,
                      config.image.mlpHidden, config.image.dropout);
            if (auto s = learn::loadTensors(*file, "", learn::moduleState(*head, "head.")); !s)
                return s.error();
            if (auto s = learn::loadTensors(*file, "", learn::moduleState(**bb, "backbone.")); !s)
                return s.error();
            return learn::ModelPtr(std::make_shared<ImageModel>(*bb, head, cut, classes, config,
                                                                torch::Device(torch::kCPU)));
        },
        path);
}

} // namespace graft::vision
