#pragma once

#include "graft/core/Result.h"

#include <QByteArray>
#include <QIODevice>
#include <QString>

#include <functional>

namespace graft::io {

/// Writes a file atomically: `write` fills a temporary file beside `path`, which replaces
/// `path` only when everything was written (QSaveFile). A full disk, a missing folder or a
/// failing `write` leaves the old file as it was; the error names the file.
core::Status writeFileAtomically(const QString &path,
                                 const std::function<bool(QIODevice &out)> &write);
core::Status writeFileAtomically(const QString &path, const QByteArray &bytes);

} // namespace graft::io
