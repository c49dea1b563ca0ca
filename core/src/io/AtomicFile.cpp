#include "graft/io/AtomicFile.h"

#include <QSaveFile>

namespace graft::io {

core::Status writeFileAtomically(const QString &path,
                                 const std::function<bool(QIODevice &out)> &write)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return core::makeError(core::ErrorCode::WriteFailed, file.errorString(), path);
    if (!write(file)) {
        const QString why = file.errorString();
        file.cancelWriting();
        return core::makeError(core::ErrorCode::WriteFailed, why, path);
    }
    if (!file.commit())
        return core::makeError(core::ErrorCode::WriteFailed, file.errorString(), path);
    return {};
}

core::Status writeFileAtomically(const QString &path, const QByteArray &bytes)
{
    return writeFileAtomically(path,
                               [&](QIODevice &out) { return out.write(bytes) == bytes.size(); });
}

} // namespace graft::io
