#include "models/OpNet.h"

#include "graft/weights/Safetensors.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

#include <c10/util/Exception.h>
#include <torch/nn/modules/linear.h>

#include <cmath>
#include <optional>
#include <set>

namespace graft::models {

namespace {

using core::ErrorCode;
using core::makeError;

QString shapeText(const std::vector<std::int64_t> &shape)
{
    QStringList parts;
    for (auto d : shape)
        parts << QString::number(d);
    return QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
}

QString nameList(const std::vector<std::string> &names)
{
    QStringList parts;
    for (size_t i = 0; i < names.size() && i < 5; ++i)
        parts << QString::fromStdString(names[i]);
    QString text = parts.join(QStringLiteral(", "));
    if (names.size() > 5)
        text += QStringLiteral(" and %1 more").arg(names.size() - 5);
    return text;
}

bool isFloatType(weights::DType t)
{
    return t == weights::DType::F32 || t == weights::DType::F16 || t == weights::DType::BF16 ||
           t == weights::DType::F64;
}

/// Copies the file's tensors into the network after checking names, shapes, types and values.
core::Status loadWeights(detail::OpNet &net, const weights::SafetensorsFile &file)
{
    const QString path = file.path();
    // DataParallel checkpoints prefix every name with "module.".
    std::string prefix;
    const auto &tensors = file.tensors();
    if (!tensors.empty() && std::all_of(tensors.begin(), tensors.end(), [](const auto &t) {
            return t.name.rfind("module.", 0) == 0;
        }))
        prefix = "module.";
    auto lookup = [&](const std::string &name) {
        return file.find(prefix + name);
    };

    const auto &classifier = net.classifierNames();
    if (!classifier.empty() && std::none_of(classifier.begin(), classifier.end(),
                                            [&](const std::string &n) { return lookup(n); }))
        net.dropClassifier();
    std::set<std::string> skip;
    if (!net.hasClassifier())
        skip.insert(classifier.begin(), classifier.end());

    std::vector<std::pair<std::string, torch::Tensor>> expected;
    for (const auto &item : net.named_parameters(true))
        if (!skip.count(item.key()))
            expected.emplace_back(item.key(), item.value());
    for (const auto &item : net.named_buffers(true)) {
        const std::string &key = item.key();
        if (key.size() >= 19 && key.compare(key.size() - 19, 19, "num_batches_tracked") == 0)
            continue;
        expected.emplace_back(key, item.value());
    }

    std::vector<std::string> missing;
    std::set<std::string> known;
    for (const auto &[name, tensor] : expected) {
        known.insert(prefix + name);
        const weights::TensorInfo *info = lookup(name);
        if (!info) {
            missing.push_back(prefix + name);
            continue;
        }
        if (info->shape != tensor.sizes().vec())
            return makeError(ErrorCode::WeightsInvalid,
                             QStringLiteral("tensor '%1' has shape %2 but the model expects %3")
                                 .arg(QString::fromStdString(info->name), shapeText(info->shape),
                                      shapeText(tensor.sizes().vec())),
                             path);
        if (!isFloatType(info->dtype))
            return makeError(ErrorCode::WeightsInvalid,
                             QStringLiteral("tensor '%1' has type %2, expected a float type")
                                 .arg(QString::fromStdString(info->name),
                                      QString::fromLatin1(weights::dtypeName(info->dtype))),
                             path);
    }
    if (!missing.empty())
        return makeError(ErrorCode::WeightsInvalid,
                         QStringLiteral("missing tensor(s): %1").arg(nameList(missing)), path);
    std::vector<std::string> unexpected;
    for (const auto &t : tensors) {
        const bool counter = t.name.size() >= 19 &&
                             t.name.compare(t.name.size() - 19, 19, "num_batches_tracked") == 0;
        if (!known.count(t.name) && !counter && !skip.count(t.name.substr(prefix.size())))
            unexpected.push_back(t.name);
    }
    if (!unexpected.empty())
        return makeError(ErrorCode::WeightsInvalid,
                         QStringLiteral("unexpected tensor(s): %1").arg(nameList(unexpected)),
                         path);

    torch::NoGradGuard noGrad;
    for (const auto &[name, tensor] : expected) {
        const weights::TensorInfo *info = lookup(name);
        std::vector<float> values = file.toFloat(*info);
        for (size_t i = 0; i < values.size(); ++i)
            if (!std::isfinite(values[i]))
                return makeError(ErrorCode::WeightsInvalid,
                                 QStringLiteral("tensor '%1' holds a non-finite value (%2) at "
                                                "element %3")
                                     .arg(QString::fromStdString(info->name))
                                     .arg(double(values[i]))
                                     .arg(i),
                                 path);
        auto src = torch::from_blob(values.data(), tensor.sizes(), torch::kFloat32);
        tensor.copy_(src);
    }
    return {};
}

int digitsIn(const QString &text)
{
    const auto m = QRegularExpression(QStringLiteral("(\\d+)")).match(text);
    return m.hasMatch() ? m.captured(1).toInt() : 0;
}

} // namespace

core::Result<std::shared_ptr<Backbone>>
createBackbone(const BackboneSpec &spec, const QString &weightsPath, bool pretrained)
{
    try {
        const QString arch = spec.architecture.toLower();
        const bool tfGraph = arch.contains(QLatin1String("tf")) ||
                             arch.contains(QLatin1String("coral")) ||
                             arch.contains(QLatin1String("tflite"));
        const bool keras = arch.contains(QLatin1String("keras"));
        std::optional<weights::SafetensorsFile> file;
        // The TFLite-derived and Keras models take their structure from the file.
        if (pretrained || tfGraph || keras) {
            if (weightsPath.isEmpty() || !QFileInfo::exists(weightsPath))
                return makeError(
                    ErrorCode::NotFound,
                    QStringLiteral("weights file not found for backbone '%1'").arg(spec.id),
                    weightsPath);
            auto opened = weights::SafetensorsFile::open(weightsPath);
            if (!opened)
                return opened.error();
            file = std::move(opened.value());
        }

        int depth = spec.options.value(QStringLiteral("depth")).toInt();
        if (depth == 0)
            depth = digitsIn(arch.contains(QLatin1String("resnet")) ? arch : QString());
        if (depth == 0)
            depth = digitsIn(spec.id.mid(spec.id.indexOf(QLatin1String("resnet"))));
        const int classes = spec.classifierClasses;

        std::shared_ptr<detail::OpNet> net;
        if (tfGraph) {
            std::vector<std::pair<std::string, std::vector<std::int64_t>>> shapes;
            for (const auto &t : file->tensors())
                shapes.emplace_back(t.name, t.shape);
            auto built = detail::makeTfGraphMobileNet(
                file->metadata().value(QStringLiteral("graph")).toString().toUtf8(), shapes,
                weightsPath);
            if (!built)
                return built.error();
            net = built.value();
        } else if (keras) {
            const auto *conv1 = file->find("conv1.weight");
            if (!conv1 || conv1->shape.size() != 4)
                return makeError(ErrorCode::WeightsInvalid,
                                 QStringLiteral("missing tensor 'conv1.weight'"), weightsPath);
            net = detail::makeKerasMobileNetV1(double(conv1->shape[0]) / 32.0);
        } else if (arch.contains(QLatin1String("cifar"))) {
            if (depth < 8 || (depth - 2) % 6 != 0)
                return makeError(ErrorCode::Unsupported,
                                 QStringLiteral("CIFAR ResNet depth %1 is not 6n+2").arg(depth));
            net = detail::makeResNetCifar(depth, classes > 0 ? classes : 10);
        } else if (arch.contains(QLatin1String("resnet"))) {
            if (depth != 18 && depth != 34 && depth != 50)
                return makeError(ErrorCode::Unsupported,
                                 QStringLiteral("ResNet depth %1 is not 18, 34 or 50").arg(depth));
            net = detail::makeTorchvisionResNet(depth, classes > 0 ? classes : 1000);
        } else if (arch.contains(QLatin1String("efficientnet"))) {
            net = detail::makeTorchvisionEfficientNetB0(classes > 0 ? classes : 1000);
        } else if (arch.contains(QLatin1String("mobilenet_v2"))) {
            net = detail::makeTorchvisionMobileNetV2(classes > 0 ? classes : 1000);
        } else {
            return makeError(
                ErrorCode::Unsupported,
                QStringLiteral("unknown backbone architecture '%1'").arg(spec.architecture));
        }

        if (pretrained) {
            if (auto st = loadWeights(*net, *file); !st)
                return st.error();
        }
        net->setSpec(spec);
        net->eval();
        return std::shared_ptr<Backbone>(net);
    } catch (const c10::Error &e) {
        return makeError(ErrorCode::Internal,
                         QStringLiteral("building backbone '%1': %2")
                             .arg(spec.id, QString::fromUtf8(e.what_without_backtrace())),
                         weightsPath);
    } catch (const std::exception &e) {
        return makeError(
            ErrorCode::Internal,
            QStringLiteral("building backbone '%1': %2").arg(spec.id, QString::fromUtf8(e.what())),
            weightsPath);
    }
}

core::Result<std::shared_ptr<Backbone>>
createBackbone(const QString &id, const QString &weightsDir, bool pretrained)
{
    const BackboneSpec *spec = BackboneCatalogue::builtin().find(id);
    if (!spec)
        return makeError(ErrorCode::NotFound, QStringLiteral("unknown backbone '%1'").arg(id));
    const QString path =
        spec->weightsFile.isEmpty() ? QString() : QDir(weightsDir).filePath(spec->weightsFile);
    return createBackbone(*spec, path, pretrained);
}

} // namespace graft::models
