#include "vision/FeatureCache.h"

#include "graft/io/AtomicFile.h"
#include <QCryptographicHash>
#include <QDataStream>
#include <QDir>
#include <QFile>

namespace graft::vision {

namespace {
constexpr quint32 kMagic = 0x47464331; // "GFC1"
}

FeatureCache::FeatureCache(QString dir, QByteArray spaceKey, int dim)
    : m_dir(std::move(dir))
    , m_space(QCryptographicHash::hash(spaceKey, QCryptographicHash::Sha256).toHex().left(32))
    , m_dim(dim)
{}

QString FeatureCache::filePath() const
{
    return QDir(m_dir).filePath(QString::fromLatin1(m_space) + QStringLiteral(".gfc"));
}

void FeatureCache::load()
{
    QFile f(filePath());
    if (!f.open(QIODevice::ReadOnly))
        return;
    QDataStream in(&f);
    in.setByteOrder(QDataStream::LittleEndian);
    quint32 magic = 0, dim = 0, count = 0;
    in >> magic >> dim >> count;
    if (magic != kMagic || int(dim) != m_dim || count > 50'000'000u)
        return;
    const qint64 expected = 12 + qint64(count) * (32 + qint64(dim) * 4);
    if (f.size() != expected)
        return;
    std::vector<float> values(size_t(count) * dim);
    std::vector<QByteArray> order;
    QHash<QByteArray, qsizetype> index;
    for (quint32 i = 0; i < count; ++i) {
        QByteArray h(32, Qt::Uninitialized);
        if (in.readRawData(h.data(), 32) != 32)
            return;
        if (in.readRawData(reinterpret_cast<char *>(values.data() + size_t(i) * dim),
                           int(dim * 4)) != int(dim * 4))
            return;
        index.insert(h, qsizetype(i) * dim);
        order.push_back(h);
    }
    m_values = std::move(values);
    m_order = std::move(order);
    m_index = std::move(index);
}

void FeatureCache::insert(const QByteArray &contentHash, const float *features)
{
    if (m_index.contains(contentHash))
        return;
    m_index.insert(contentHash, qsizetype(m_values.size()));
    m_values.insert(m_values.end(), features, features + m_dim);
    m_order.push_back(contentHash);
    m_dirty = true;
}

core::Status FeatureCache::save()
{
    if (!m_dirty)
        return {};
    if (!QDir().mkpath(m_dir))
        return core::makeError(core::ErrorCode::WriteFailed,
                               QStringLiteral("cannot create the cache folder"), m_dir);
    const core::Status written = io::writeFileAtomically(filePath(), [&](QIODevice &f) {
        QDataStream out(&f);
        out.setByteOrder(QDataStream::LittleEndian);
        out << kMagic << quint32(m_dim) << quint32(m_order.size());
        for (const auto &h : m_order) {
            out.writeRawData(h.constData(), 32);
            out.writeRawData(reinterpret_cast<const char *>(find(h)), m_dim * 4);
        }
        return out.status() == QDataStream::Ok;
    });
    if (written)
        m_dirty = false;
    return written;
}

} // namespace graft::vision
