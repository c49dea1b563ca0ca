#pragma once

#include "graft/core/Result.h"

#include <QByteArray>
#include <QHash>
#include <QString>

#include <vector>

namespace graft::vision {

/// On-disk store of pooled backbone features, keyed by image content hash (SHA-256) within one
/// "space" (backbone + weights + cut point + preprocessing + augmentation view). A space is one
/// file `<dir>/<space-hash>.gfc`; it is read whole, extended in memory and written atomically.
/// A changed backbone, cut, preprocessing or view is a different space, so stale features are
/// never reused; a changed image has a different content hash.
class FeatureCache
{
public:
    FeatureCache(QString dir, QByteArray spaceKey, int dim);

    /// Loads the space's file if present (a corrupt or mismatched file is ignored).
    void load();
    /// Pointer to `dim` floats, or nullptr.
    const float *find(const QByteArray &contentHash) const
    {
        const auto it = m_index.constFind(contentHash);
        return it == m_index.constEnd() ? nullptr : m_values.data() + *it;
    }
    void insert(const QByteArray &contentHash, const float *features);
    /// Writes the space file atomically when something was added.
    core::Status save();
    QString filePath() const;

private:
    QString m_dir;
    QByteArray m_space;
    int m_dim;
    QHash<QByteArray, qsizetype> m_index; ///< hash -> offset in m_values (in floats)
    std::vector<float> m_values;
    std::vector<QByteArray> m_order;
    bool m_dirty = false;
};

} // namespace graft::vision
