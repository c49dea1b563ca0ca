#pragma once

#include <QJsonObject>
#include <QString>

#include <array>
#include <optional>

namespace graft::vision {

/// How an image is brought to the model's square input size.
enum class ResizePolicy {
    Squash,     ///< resize both sides to the input size, ignoring aspect ratio
    CenterCrop, ///< resize the shorter side to inputSize / cropFraction, crop the centre
    Pad,        ///< resize the longer side to the input size, pad the rest with the mean colour
};

/// How 8-bit RGB values become model inputs.
enum class Scaling {
    MeanStd,       ///< (v/255 - mean) / std per channel
    MinusOneToOne, ///< v/127.5 - 1
    ZeroToOne,     ///< v/255
};

/// A backbone's input contract. Tensors are NCHW float32 in RGB order unless `bgr`.
struct Preprocessing
{
    int inputSize = 224;
    ResizePolicy resize = ResizePolicy::Squash;
    float cropFraction = 0.875f;
    Scaling scaling = Scaling::MeanStd;
    std::array<float, 3> mean{0.485f, 0.456f, 0.406f};
    std::array<float, 3> std{0.229f, 0.224f, 0.225f};
    bool bgr = false;

    QJsonObject toJson() const;
    static Preprocessing fromJson(const QJsonObject &json);
    /// A short stable text used in cache keys: "224/squash/meanstd/0.485,...".
    QString key() const;
};

/// By name ("squash", "center-crop", "pad"); nullopt when unknown.
std::optional<ResizePolicy> resizePolicyFromName(const QString &name);
/// By name ("mean-std", "minus-one-to-one", "zero-to-one"); nullopt when unknown.
std::optional<Scaling> scalingFromName(const QString &name);

/// Random augmentation for training images; all off for validation.
struct Augmentation
{
    bool enabled = false;
    float minScale = 0.35f;      ///< random resized crop: area fraction range [minScale, 1]
    float maxAspect = 4.f / 3.f; ///< aspect ratio range [1/maxAspect, maxAspect]
    bool horizontalFlip = true;
    float maxRotationDegrees = 10.f;
    float brightness = 0.2f; ///< colour jitter: factors in [1-x, 1+x]
    float contrast = 0.2f;
    float saturation = 0.2f;

    QJsonObject toJson() const;
    static Augmentation fromJson(const QJsonObject &json);
};

} // namespace graft::vision
