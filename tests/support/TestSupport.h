#pragma once

#include "graft/core/Cancellation.h"
#include "graft/learn/Events.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <vector>

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

/// Records what a run reports; cancels `cancel` after `cancelAfterBatches` training batches
/// or after epoch `cancelAfterEpoch` (0 = never).
struct Recorder : learn::Observer
{
    core::CancelToken cancel;
    int cancelAfterBatches = 0;
    int cancelAfterEpoch = 0;
    int batches = 0;
    int batchesAfterCancel = 0;
    std::vector<learn::Progress> progressOf;  ///< every progress report but training batches
    std::vector<learn::EpochMetrics> epochs;
    std::vector<learn::Notice> notices;

    void progress(const learn::Progress &p) override;
    void epochFinished(const learn::EpochMetrics &m) override;
    void notice(const learn::Notice &n) override { notices.push_back(n); }
    /// The notices as English text, one per line.
    QString noticeText() const;
    bool sawPhase(learn::Phase phase) const;
};

} // namespace graft::test

/// Skips the current test when ../shared/data (or the given path inside it) is missing.
#define GRAFT_REQUIRE_SHARED(var, relative)                                                     \
    const QString var = graft::test::sharedData(relative);                                      \
    if (var.isEmpty())                                                                          \
        QSKIP(qPrintable(QStringLiteral("shared data not found (%1); set GRAFT_SHARED_DATA")   \
                             .arg(relative)));
