#pragma once

#include "graft/core/Result.h"
#include "graft/vision/Preprocessing.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <vector>

namespace graft::vision {

/// One entry of resources/backbones.json (compiled into graft_core as :/graft/backbones.json).
struct BackboneSpec
{
    QString id;           ///< "mobilenet_v2_imagenet"
    QString displayName;  ///< "MobileNetV2 1.0 (ImageNet, Coral)"
    QString task;         ///< "image" or "text"
    QString architecture; ///< "mobilenet_v2_tf", "resnet_cifar", "resnet", "efficientnet", ...
    QString pretrainedOn; ///< "ImageNet-1k", "CIFAR-10", ...
    QString licence;
    QString description;
    vision::Preprocessing preprocessing;
    QString weightsFile;       ///< file name looked for in the weights directory
    QString url;               ///< download URL, empty when none
    qint64 sizeBytes = 0;      ///< download size
    QString sha256;            ///< lower-case hex of the weights file
    int classifierClasses = 0; ///< >0 when the weights include a classifier (e.g. 1001)
    QString labelsFile;        ///< labels for that classifier, in the weights directory
    QJsonObject options;       ///< architecture-specific (depth, width multiplier, ...)

    /// The entry as in backbones.json (camelCase keys, empty fields left out).
    QJsonObject toJson() const;
    /// One entry, validated: InvalidFormat with a detail naming the entry and the field.
    static core::Result<BackboneSpec> fromJson(const QJsonObject &json);
};

/// Where a backbone's weights stand on this machine.
enum class WeightsState { Available, Downloadable, Missing };
const char *weightsStateName(WeightsState state); ///< "available", "downloadable", "missing"

/// The backbone catalogue.
class BackboneCatalogue
{
public:
    /// The catalogue shipped in the binary.
    static const BackboneCatalogue &builtin();
    /// Parses `{"backbones": [...]}`; errors name `nameForErrors` as the file.
    static core::Result<BackboneCatalogue> fromJson(const QByteArray &json,
                                                    const QString &nameForErrors = {});

    const std::vector<BackboneSpec> &all() const { return m_specs; }
    const BackboneSpec *find(const QString &id) const;

private:
    std::vector<BackboneSpec> m_specs;
};

/// The weights directory: `explicitDir` if given, else $GRAFT_WEIGHTS_DIR, else
/// QStandardPaths::CacheLocation + "/weights".
QString resolveWeightsDir(const QString &explicitDir = {});

/// Available when weightsFile exists in `weightsDir`, else Downloadable when a URL is known.
WeightsState weightsState(const BackboneSpec &spec, const QString &weightsDir);

/// `weightsDir`/`spec.weightsFile` (empty when the spec names no file).
QString weightsPath(const BackboneSpec &spec, const QString &weightsDir);

/// One layer group of a backbone, as the freeze picker shows it.
struct LayerGroupInfo
{
    QString name;           ///< stable id: "stem", "layer3", "stage2", ...
    qint64 outChannels = 0; ///< channels after the group (= pooled feature dim at this cut)
    qint64 parameterCount = 0;
    int outStride = 1; ///< spatial downsampling after the group (input / output size)
};

/// The layer groups of a catalogue backbone, computed once per id (builds the architecture
/// with random weights; no weights file is needed). Errors for text or unknown architectures.
core::Result<std::vector<LayerGroupInfo>> layerGroups(const BackboneSpec &spec);

/// Loads `weightsPath` into the backbone `spec` describes, with every check the loader makes
/// (format, names, shapes, NaN/Inf), and discards the result. For "check before use" tools.
core::Status validateWeightsFor(const BackboneSpec &spec, const QString &weightsPath);

} // namespace graft::vision
