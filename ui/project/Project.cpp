#include "ui/project/Project.h"

#include "graft/io/AtomicFile.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonParseError>

namespace graft::ui {

using core::ErrorCode;
using core::makeError;

namespace {
constexpr int kFormatVersion = 1;
}

QJsonObject Project::toJson() const
{
    QJsonObject json;
    json[QStringLiteral("format")] = QStringLiteral("graft-project");
    json[QStringLiteral("version")] = kFormatVersion;
    json[QStringLiteral("dataset")] = datasetPath;
    json[QStringLiteral("split_seed")] = splitSeed;
    json[QStringLiteral("val_fraction")] = valFraction;
    json[QStringLiteral("backbone")] = backboneId;
    json[QStringLiteral("freeze_plan")] = freezePlan.toJson();
    json[QStringLiteral("training")] = config.toJson();
    json[QStringLiteral("text")] = text;
    json[QStringLiteral("runs")] = runs;
    if (!modelPath.isEmpty())
        json[QStringLiteral("model")] = modelPath;
    return json;
}

Project Project::fromJson(const QJsonObject &json)
{
    Project p;
    p.datasetPath = json.value(QStringLiteral("dataset")).toString();
    p.splitSeed = json.value(QStringLiteral("split_seed")).toInt(42);
    p.valFraction = json.value(QStringLiteral("val_fraction")).toDouble(0.2);
    p.backboneId = json.value(QStringLiteral("backbone")).toString();
    p.freezePlan =
        vision::FreezePlan::fromJson(json.value(QStringLiteral("freeze_plan")).toObject());
    p.config = learn::RunConfig::fromJson(json.value(QStringLiteral("training")).toObject());
    p.text = json.value(QStringLiteral("text")).toObject();
    p.runs = json.value(QStringLiteral("runs")).toArray();
    p.modelPath = json.value(QStringLiteral("model")).toString();
    return p;
}

core::Status Project::save(const QString &path) const
{
    return io::writeFileAtomically(path, QJsonDocument(toJson()).toJson(QJsonDocument::Indented));
}

core::Result<Project> Project::load(const QString &path)
{
    QFile file(path);
    if (!file.exists())
        return makeError(ErrorCode::NotFound, QStringLiteral("no such file"), path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::Unreadable, file.errorString(), path);
    if (file.size() > 256 * 1024 * 1024)
        return makeError(ErrorCode::TooLarge, QStringLiteral("project file over 256 MiB"), path);
    return fromBytes(file.readAll(), path);
}

core::Result<Project> Project::fromBytes(const QByteArray &bytes, const QString &path)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &parseError);
    if (doc.isNull() || !doc.isObject())
        return makeError(ErrorCode::InvalidFormat, parseError.errorString(), path);
    const QJsonObject json = doc.object();
    if (json.value(QStringLiteral("format")).toString() != QLatin1String("graft-project"))
        return makeError(ErrorCode::InvalidFormat, QStringLiteral("not a Graft project"), path);
    if (json.value(QStringLiteral("version")).toInt() > kFormatVersion)
        return makeError(ErrorCode::Unsupported,
                         QStringLiteral("written by a newer Graft (format %1)")
                             .arg(json.value(QStringLiteral("version")).toInt()),
                         path);
    return fromJson(json);
}

} // namespace graft::ui
