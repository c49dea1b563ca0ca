// Backbone.h's free functions (building a catalogue backbone, loading and checking its weights,
// freezing) and the torch-free layer-group queries of BackboneCatalogue.h.
#include "vision/Backbone.h"

#include "graft/io/Safetensors.h"
#include "graft/vision/BackboneCatalogue.h"

#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <optional>
#include <set>

namespace graft::vision {

namespace {

using core::ErrorCode;
using core::makeError;
using io::shapeText;

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

bool isFloatType(io::DType t)
{
    return t == io::DType::F32 || t == io::DType::F16 || t == io::DType::BF16 ||
           t == io::DType::F64;
}

/// timm's names for MobileNetV2 / EfficientNet-B0 (the hub's safetensors) in torchvision's
/// naming; empty when the name is not one of timm's.
std::string timmToTorchvision(const std::string &name, bool efficientnet)
{
    const size_t dot = name.rfind('.');
    if (dot == std::string::npos)
        return {};
    const std::string module = name.substr(0, dot);
    const std::string suffix = name.substr(dot);
    const std::string head = efficientnet ? "features.8" : "features.18";
    const std::map<std::string, std::string> outer = {{"conv_stem", "features.0.0"},
                                                      {"bn1", "features.0.1"},
                                                      {"conv_head", head + ".0"},
                                                      {"bn2", head + ".1"},
                                                      {"classifier", "classifier.1"}};
    if (const auto it = outer.find(module); it != outer.end())
        return it->second + suffix;
    static const QRegularExpression block(QStringLiteral("^blocks\\.(\\d+)\\.(\\d+)\\.(.+)$"));
    const auto m = block.match(QString::fromStdString(module));
    if (!m.hasMatch())
        return {};
    const int stage = m.captured(1).toInt();
    const int index = m.captured(2).toInt();
    const std::string part = m.captured(3).toStdString();
    static const std::map<std::string, std::string> mnv2First = {
        {"conv_dw", "0.0"}, {"bn1", "0.1"}, {"conv_pw", "1"}, {"bn2", "2"}};
    static const std::map<std::string, std::string> mnv2 = {{"conv_pw", "0.0"}, {"bn1", "0.1"},
                                                            {"conv_dw", "1.0"}, {"bn2", "1.1"},
                                                            {"conv_pwl", "2"},  {"bn3", "3"}};
    static const std::map<std::string, std::string> effFirst = {
        {"conv_dw", "0.0"},          {"bn1", "0.1"},     {"se.conv_reduce", "1.fc1"},
        {"se.conv_expand", "1.fc2"}, {"conv_pw", "2.0"}, {"bn2", "2.1"}};
    static const std::map<std::string, std::string> eff = {
        {"conv_pw", "0.0"},          {"bn1", "0.1"},
        {"conv_dw", "1.0"},          {"bn2", "1.1"},
        {"se.conv_reduce", "2.fc1"}, {"se.conv_expand", "2.fc2"},
        {"conv_pwl", "3.0"},         {"bn3", "3.1"}};
    const auto &table =
        efficientnet ? (stage == 0 ? effFirst : eff) : (stage == 0 ? mnv2First : mnv2);
    const auto it = table.find(part);
    if (it == table.end())
        return {};
    if (efficientnet)
        return "features." + std::to_string(stage + 1) + "." + std::to_string(index) + ".block." +
               it->second + suffix;
    if (stage < 0 || stage > 6)
        return {};
    int feature = 1 + index; // features.0 is the stem
    for (int s = 0; s < stage; ++s)
        feature += detail::kMobileNetV2Stages[s].n;
    return "features." + std::to_string(feature) + ".conv." + it->second + suffix;
}

/// Copies the file's tensors into the network after checking names, shapes, types and values.
core::Status loadWeights(Backbone &net, const io::SafetensorsFile &file, const QString &arch)
{
    const QString path = file.path();
    // DataParallel checkpoints prefix every name with "module.".
    const auto &tensors = file.tensors();
    const bool wrapped = !tensors.empty() && std::ranges::all_of(tensors, [](const auto &t) {
        return t.name.starts_with("module.");
    });
    const std::string prefix = wrapped ? "module." : "";
    // timm checkpoints (the hub's MobileNetV2 / EfficientNet files) use their own names.
    std::map<std::string, std::string> alias; // our name -> file name
    if (file.find("conv_stem.weight") && (arch.contains(QLatin1String("mobilenet_v2")) ||
                                          arch.contains(QLatin1String("efficientnet")))) {
        const bool efficientnet = arch.contains(QLatin1String("efficientnet"));
        for (const auto &t : tensors) {
            const std::string ours = timmToTorchvision(t.name, efficientnet);
            if (!ours.empty())
                alias[ours] = t.name;
        }
    }
    auto fileName = [&](const std::string &name) {
        const auto it = alias.find(name);
        return it != alias.end() ? it->second : prefix + name;
    };
    auto lookup = [&](const std::string &name) {
        return file.find(fileName(name));
    };

    const auto &classifier = net.classifierNames();
    if (std::ranges::none_of(classifier, lookup))
        net.dropClassifier();
    std::set<std::string> skip;
    if (!net.hasClassifier())
        skip.insert(classifier.begin(), classifier.end());

    std::vector<std::pair<std::string, torch::Tensor>> expected;
    for (const auto &item : net.named_parameters(true))
        if (!skip.count(item.key()))
            expected.emplace_back(item.key(), item.value());
    for (const auto &item : net.named_buffers(true))
        if (!item.key().ends_with("num_batches_tracked"))
            expected.emplace_back(item.key(), item.value());

    std::vector<std::string> missing;
    std::set<std::string> known;
    for (const auto &[name, tensor] : expected) {
        known.insert(fileName(name));
        const io::TensorInfo *info = lookup(name);
        if (!info) {
            missing.push_back(fileName(name));
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
                                      QString::fromLatin1(io::dtypeName(info->dtype))),
                             path);
    }
    if (!missing.empty())
        return makeError(ErrorCode::WeightsInvalid,
                         QStringLiteral("missing tensor(s): %1").arg(nameList(missing)), path);
    std::vector<std::string> unexpected;
    for (const auto &t : tensors) {
        const bool counter = t.name.ends_with("num_batches_tracked");
        if (!known.count(t.name) && !counter && !skip.count(t.name.substr(prefix.size())))
            unexpected.push_back(t.name);
    }
    if (!unexpected.empty())
        return makeError(ErrorCode::WeightsInvalid,
                         QStringLiteral("unexpected tensor(s): %1").arg(nameList(unexpected)),
                         path);

    torch::NoGradGuard noGrad;
    for (const auto &[name, tensor] : expected) {
        const io::TensorInfo *info = lookup(name);
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
        tensor.copy_(torch::from_blob(values.data(), tensor.sizes(), torch::kFloat32));
    }
    return {};
}

bool groupTrains(const FreezePlan &plan, int i)
{
    return i < plan.cutAt && size_t(i) < plan.trainable.size() && plan.trainable[size_t(i)];
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
        const bool tfGraph =
            arch.contains(QLatin1String("tf")) || arch.contains(QLatin1String("coral"));
        const bool keras = arch.contains(QLatin1String("keras"));
        std::optional<io::SafetensorsFile> file;
        if (pretrained) {
            if (weightsPath.isEmpty() || !QFileInfo::exists(weightsPath))
                return makeError(
                    ErrorCode::NotFound,
                    QStringLiteral("weights file not found for backbone '%1'").arg(spec.id),
                    weightsPath);
            auto opened = io::SafetensorsFile::open(weightsPath);
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

        std::shared_ptr<Backbone> net;
        if (tfGraph && !file) {
            // Same structure as the Coral files, from the catalogue options.
            const double width =
                spec.options.value(QStringLiteral("widthMultiplier")).toDouble(1.0);
            net =
                detail::makeTfMobileNet(arch.contains(QLatin1String("v1")) ? 1 : 2, width, classes);
        } else if (tfGraph) {
            auto built = detail::makeTfGraphMobileNet(*file);
            if (!built)
                return built.error();
            net = built.value();
        } else if (keras && !file) {
            net = detail::makeKerasMobileNetV1(
                spec.options.value(QStringLiteral("alpha")).toDouble(1.0));
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
            net = detail::makeResNet(depth, true, classes > 0 ? classes : 10);
        } else if (arch.contains(QLatin1String("resnet"))) {
            if (depth != 18 && depth != 34 && depth != 50)
                return makeError(ErrorCode::Unsupported,
                                 QStringLiteral("ResNet depth %1 is not 18, 34 or 50").arg(depth));
            net = detail::makeResNet(depth, false, classes > 0 ? classes : 1000);
        } else if (arch.contains(QLatin1String("efficientnet"))) {
            net = detail::makeTorchvisionEfficientNetB0(classes > 0 ? classes : 1000);
        } else if (arch.contains(QLatin1String("mobilenet_v2"))) {
            net = detail::makeTorchvisionMobileNetV2(classes > 0 ? classes : 1000);
        } else {
            return makeError(
                ErrorCode::Unsupported,
                QStringLiteral("unknown backbone architecture '%1'").arg(spec.architecture));
        }

        if (file) {
            if (auto st = loadWeights(*net, *file, arch); !st)
                return st.error();
        }
        net->setSpec(spec);
        net->eval();
        return net;
    } catch (const std::exception &e) {
        return makeError(
            ErrorCode::Internal,
            QStringLiteral("building backbone '%1': %2").arg(spec.id, core::exceptionText(e)),
            weightsPath);
    }
}

core::Result<std::shared_ptr<Backbone>>
createBackbone(const QString &id, const QString &weightsDir, bool pretrained)
{
    const BackboneSpec *spec = BackboneCatalogue::builtin().find(id);
    if (!spec)
        return makeError(ErrorCode::NotFound, QStringLiteral("unknown backbone '%1'").arg(id));
    return createBackbone(*spec, weightsPath(*spec, weightsDir), pretrained);
}

core::Result<std::vector<LayerGroupInfo>> layerGroups(const BackboneSpec &spec)
{
    static std::mutex mutex;
    static QHash<QString, std::vector<LayerGroupInfo>> cache;
    {
        std::lock_guard lock(mutex);
        auto it = cache.constFind(spec.id);
        if (it != cache.constEnd())
            return *it;
    }
    auto bb = createBackbone(spec, QString(), false);
    if (!bb)
        return bb.error();
    std::lock_guard lock(mutex);
    cache.insert(spec.id, (*bb)->groups());
    return (*bb)->groups();
}

core::Status validateWeightsFor(const BackboneSpec &spec, const QString &weightsPath)
{
    if (auto bb = createBackbone(spec, weightsPath, true); !bb)
        return bb.error();
    return {};
}

void applyFreezePlan(Backbone &backbone, const FreezePlan &plan)
{
    for (int i = 0; i < int(backbone.groups().size()); ++i) {
        const bool trains = groupTrains(plan, i);
        for (auto &p : backbone.group(i).parameters(true))
            p.set_requires_grad(trains);
    }
}

void setTrainingMode(Backbone &backbone, const FreezePlan &plan, bool training)
{
    backbone.train(training);
    if (!training)
        return;
    for (int i = 0; i < int(backbone.groups().size()); ++i)
        if (!groupTrains(plan, i))
            backbone.group(i).eval(); // recursive: BatchNorm and stochastic depth of the group
}

std::vector<torch::Tensor> trainableParameters(Backbone &backbone, int group)
{
    std::vector<torch::Tensor> out;
    for (auto &p : backbone.group(group).parameters(true))
        if (p.requires_grad())
            out.push_back(p);
    return out;
}

} // namespace graft::vision
