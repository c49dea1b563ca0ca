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

} // namespace

const char *resizePolicyName(ResizePolicy policy)
{
    switch (policy) {
    case ResizePolicy::Squash:
        return "squash";
    case ResizePolicy::CenterCrop:
        return "center-crop";
    case ResizePolicy::Pad:
        return "pad";
    }
    return "squash";
}

const char *scalingName(Scaling scaling)
{
    switch (scaling) {
    case Scaling::MeanStd:
        return "mean-std";
    case Scaling::MinusOneToOne:
        return "minus-one-to-one";
    case Scaling::ZeroToOne:
        return "zero-to-one";
    }
    return "mean-std";
}

std::optional<ResizePolicy> resizePolicyFromName(const QString &name)
{
    for (ResizePolicy p : {ResizePolicy::Squash, ResizePolicy::CenterCrop, ResizePolicy::Pad})
        if (name == QLatin1String(resizePolicyName(p)))
            return p;
    return std::nullopt;
}

std::optional<Scaling> scalingFromName(const QString &name)
{
    for (Scaling s : {Scaling::MeanStd, Scaling::MinusOneToOne, Scaling::ZeroToOne})
        if (name == QLatin1String(scalingName(s)))
            return s;
    return std::nullopt;
}

QJsonObject Preprocessing::toJson() const
{
    return QJsonObject{
        {QStringLiteral("inputSize"), inputSize},
        {QStringLiteral("resize"), QLatin1String(resizePolicyName(resize))},
        {QStringLiteral("cropFraction"), double(cropFraction)},
        {QStringLiteral("scaling"), QLatin1String(scalingName(scaling))},
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
    QStringList parts{QString::number(inputSize), QLatin1String(resizePolicyName(resize))};
    if (resize == ResizePolicy::CenterCrop)
        parts.back() += QLatin1Char('@') + QString::number(double(cropFraction));
    parts << QLatin1String(scalingName(scaling)) << numbers(mean) << numbers(std);
    if (bgr)
        parts << QStringLiteral("bgr");
    return parts.join(QLatin1Char('/'));
}

QJsonObject Augmentation::toJson() const
{
    return QJsonObject{
        {QStringLiteral("enabled"), enabled},
        {QStringLiteral("minScale"), double(minScale)},
        {QStringLiteral("maxAspect"), double(maxAspect)},
        {QStringLiteral("horizontalFlip"), horizontalFlip},
        {QStringLiteral("maxRotationDegrees"), double(maxRotationDegrees)},
        {QStringLiteral("brightness"), double(brightness)},
        {QStringLiteral("contrast"), double(contrast)},
        {QStringLiteral("saturation"), double(saturation)},
    };
}

Augmentation Augmentation::fromJson(const QJsonObject &json)
{
    Augmentation a;
    const auto number = [&json](const char *key, float fallback) {
        return float(json.value(QLatin1String(key)).toDouble(fallback));
    };
    a.enabled = json.value(QStringLiteral("enabled")).toBool(a.enabled);
    a.minScale = number("minScale", a.minScale);
    a.maxAspect = number("maxAspect", a.maxAspect);
    a.horizontalFlip = json.value(QStringLiteral("horizontalFlip")).toBool(a.horizontalFlip);
    a.maxRotationDegrees = number("maxRotationDegrees", a.maxRotationDegrees);
    a.brightness = number("brightness", a.brightness);
    a.contrast = number("contrast", a.contrast);
    a.saturation = number("saturation", a.saturation);
    return a;
}

} // namespace graft::vision
