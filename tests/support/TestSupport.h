#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace graft::test {

/// Root of ../shared/data (from GRAFT_SHARED_DATA), or empty when it is not there.
QString sharedDataDir();

/// Path under the shared data folder; empty when the folder or the path is absent.
QString sharedData(const QString &relative);

/// Writes bytes to a file, creating parent folders. Returns false on failure.
bool writeFile(const QString &path, const QByteArray &bytes);

/// The JSON object in a file (empty when missing or not an object).
QJsonObject readJson(const QString &path);

/// Python interpreter that sees Debian's python3-torch (/usr/bin/python3), or empty.
QString debianPython();

/// True when `module` imports in debianPython().
bool pythonHasModule(const QString &module);

} // namespace graft::test

/// Skips the current test when ../shared/data (or the given path inside it) is missing.
#define GRAFT_REQUIRE_SHARED(var, relative)                                                     \
    const QString var = graft::test::sharedData(relative);                                      \
    if (var.isEmpty())                                                                          \
        QSKIP(qPrintable(QStringLiteral("shared data not found (%1); set GRAFT_SHARED_DATA")   \
                             .arg(relative)));
