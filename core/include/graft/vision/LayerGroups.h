#pragma once

#include "graft/core/Result.h"
#include "graft/vision/BackboneCatalogue.h"

#include <QString>

#include <vector>

namespace graft::vision {

/// A backbone layer group as the freeze picker shows it (torch-free mirror of LayerGroup).
struct LayerGroupInfo
{
    QString name;
    qint64 outChannels = 0;
    qint64 parameterCount = 0;
    int outStride = 1;
};

/// The layer groups of a catalogue backbone, computed once per id (builds the architecture
/// with random weights; no weights file is needed). Errors for text or unknown architectures.
core::Result<std::vector<LayerGroupInfo>> layerGroups(const BackboneSpec &spec);

/// Loads `weightsPath` into the backbone `spec` describes, with every check the loader makes
/// (format, names, shapes, NaN/Inf), and discards the result. For "check before use" tools.
core::Status validateWeightsFor(const BackboneSpec &spec, const QString &weightsPath);

} // namespace graft::vision
