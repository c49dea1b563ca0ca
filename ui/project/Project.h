#pragma once

#include "graft/core/Result.h"
#include "graft/learn/Config.h"
#include "graft/vision/FreezePlan.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

namespace graft::ui {

/// Everything a `.graft` project file holds. Plain value; widgets fill it and read it back.
struct Project
{
    QString datasetPath;
    int splitSeed = 42;
    double valFraction = 0.2;
    QString backboneId;
    vision::FreezePlan freezePlan;
    learn::RunConfig config;
    /// Text model settings: {"vectors": path, "language_model": path, "head": "mean-max" | "cnn"
    /// | "bilstm", "freeze_embeddings"}.
    QJsonObject text;
    QJsonArray runs; ///< one object per finished run: config, epochs, curve, accuracy
    /// The current model: the run folder it was trained into, or the export it was opened from.
    QString modelPath;

    QJsonObject toJson() const;
    static Project fromJson(const QJsonObject &json);

    /// Writes the project as indented JSON atomically (QSaveFile).
    core::Status save(const QString &path) const;
    static core::Result<Project> load(const QString &path);
    /// Parses the bytes of a project file; `path` only names it in errors.
    static core::Result<Project> fromBytes(const QByteArray &bytes, const QString &path);
};

} // namespace graft::ui
