#include "graft/vision/LayerGroups.h"

#include "vision/Backbone.h"

#include <QHash>

#include <mutex>

namespace graft::vision {

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
    std::vector<LayerGroupInfo> out;
    for (const auto &g : (*bb)->groups())
        out.push_back(
            {QString::fromStdString(g.name), g.outChannels, g.parameterCount, g.outStride});
    std::lock_guard lock(mutex);
    cache.insert(spec.id, out);
    return out;
}

core::Status validateWeightsFor(const BackboneSpec &spec, const QString &weightsPath)
{
    if (auto bb = createBackbone(spec, weightsPath, true); !bb)
        return bb.error();
    return {};
}

} // namespace graft::vision
