// Reading a checkpoint's header without LibTorch (kept apart from TrainingTypes.cpp, which the
// project-file fuzzer links without the safetensors reader).
#include "graft/train/TrainingTypes.h"

#include "graft/io/Safetensors.h"

#include <QDir>
#include <QFileInfo>

namespace graft::train {

core::Result<int> checkpointEpoch(const QString &checkpointDir)
{
    const QString path = QDir(checkpointDir).filePath(QStringLiteral("checkpoint.safetensors"));
    if (checkpointDir.isEmpty() || !QFileInfo::exists(path))
        return core::makeError(core::ErrorCode::NotFound, QStringLiteral("no checkpoint"), path);
    auto file = io::SafetensorsFile::open(path);
    if (!file)
        return file.error();
    const QJsonObject meta = file->metadata();
    bool ok = false;
    const int epoch = meta.value(QStringLiteral("epoch")).toString().toInt(&ok);
    if (meta.value(QStringLiteral("format")).toString() != QLatin1String("graft-checkpoint") || !ok)
        return core::makeError(core::ErrorCode::InvalidFormat,
                               QStringLiteral("not a Graft checkpoint"), path);
    return epoch;
}

} // namespace graft::train
