#include "graft/vision/Preprocessing.h"

#include <QJsonArray>
#include <QStringList>

namespace graft::vision {

namespace {

QJsonArray toArray(const std::array<float, 3> &v)
{
    return QJsonArray{double(v[0]), double(v[1]), double(v[2])};
}

/// Reads a 3-number array; keeps `fallback` when the value is not one.
std::array<float, 3> fromArray(const QJsonValue &value, const std::array<float, 3> &fallback)
{
    const QJsonArray a = value.toArray();
    if (a.size() != 3 || !a[0].isDouble() || !a[1].isDouble() || !a[2].isDouble())
        return fallback;
    return {float(a[0].toDouble()), float(a[1].toDouble()), float(a[2].toDouble())};
}

QString numbers(const std::array<float, 3> &v)
{
    return QStringLiteral("%1,%2,%3").arg(double(v[0])).arg(double(v[1])).arg(double(v[2]));
}

// Names in the order of the enums.
constexpr const char *kResizePolicyNames[] = {"squash", "center-crop", "pad"};
constexpr const char *kScalingNames[] = {"mean-std", "minus-one-to-one", "zero-to-one"};

/// The number fields of Augmentation and their JSON keys.
constexpr std::pair<const char *, float Augmentation::*> kAugmentationNumbers[] = {
    {"minScale", &Augmentation::minScale},
    {"maxAspect", &Augmentation::maxAspect},
    {"maxRotationDegrees", &Augmentation::maxRotationDegrees},
    {"brightness", &Augmentation::brightness},
    {"contrast", &Augmentation::contrast},
    {"saturation", &Augmentation::saturation}};

/// The enum value whose name is `name`.
template<typename Enum, size_t N>
std::optional<Enum> fromName(const char *const (&names)[N], const QString &name)
{
    for (size_t i = 0; i < N; ++i)
        if (name == QLatin1String(names[i]))
            return Enum(i);
    return std::nullopt;
}

} // namespace

std::optional<ResizePolicy> resizePolicyFromName(const QString &name)
{
    return fromName<ResizePolicy>(kResizePolicyNames, name);
}

std::optional<Scaling> scalingFromName(const QString &name)
{
    return fromName<Scaling>(kScalingNames, name);
}

QJsonObject Preprocessing::toJson() const
{
    return QJsonObject{
        {QStringLiteral("inputSize"), inputSize},
        {QStringLiteral("resize"), QLatin1String(kResizePolicyNames[size_t(resize)])},
        {QStringLiteral("cropFraction"), double(cropFraction)},
        {QStringLiteral("scaling"), QLatin1String(kScalingNames[size_t(scaling)])},
        {QStringLiteral("mean"), toArray(mean)},
        {QStringLiteral("std"), toArray(std)},
        {QStringLiteral("bgr"), bgr},
    };
}

Preprocessing Preprocessing::fromJson(const QJsonObject &json)
{
    Preprocessing p;
    p.inputSize = json.value(QStringLiteral("inputSize")).toInt(p.inputSize);
    p.resize =
        resizePolicyFromName(json.value(QStringLiteral("resize")).toString()).value_or(p.resize);
    p.cropFraction = float(json.value(QStringLiteral("cropFraction")).toDouble(p.cropFraction));
    p.scaling =
        scalingFromName(json.value(QStringLiteral("scaling")).toString()).value_or(p.scaling);
    p.mean = fromArray(json.value(QStringLiteral("mean")), p.mean);
    p.std = fromArray(json.value(QStringLiteral("std")), p.std);
    p.bgr = json.value(QStringLiteral("bgr")).toBool(p.bgr);
    return p;
}

QString Preprocessing::key() const
{
    QStringList parts{QString::number(inputSize),
                      QLatin1String(kResizePolicyNames[size_t(resize)])};
    if (resize == ResizePolicy::CenterCrop)
        parts.back() += QLatin1Char('@') + QString::number(double(cropFraction));
    parts << QLatin1String(kScalingNames[size_t(scaling)]) << numbers(mean) << numbers(std);
    if (bgr)
        parts << QStringLiteral("bgr");
    return parts.join(QLatin1Char('/'));
}

QJsonObject Augmentation::toJson() const
{
    QJsonObject json{{QStringLiteral("enabled"), enabled},
                     {QStringLiteral("horizontalFlip"), horizontalFlip}};
    for (const auto &[key, field] : kAugmentationNumbers)
        json.insert(QLatin1String(key), double(this->*field));
    return json;
}

Augmentation Augmentation::fromJson(const QJsonObject &json)
{
    Augmentation a;
    a.enabled = json.value(QStringLiteral("enabled")).toBool(a.enabled);
    a.horizontalFlip = json.value(QStringLiteral("horizontalFlip")).toBool(a.horizontalFlip);
    for (const auto &[key, field] : kAugmentationNumbers)
        a.*field = float(json.value(QLatin1String(key)).toDouble(a.*field));
    return a;
}

} // namespace graft::vision
