#include "support/TestSupport.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QProcess>

namespace graft::test {

QString sharedDataDir()
{
    const QString dir = qEnvironmentVariable("GRAFT_SHARED_DATA");
    if (!dir.isEmpty() && QFileInfo(dir).isDir())
        return QDir(dir).absolutePath();
    return {};
}

QString sharedData(const QString &relative)
{
    const QString root = sharedDataDir();
    if (root.isEmpty())
        return {};
    const QString path = QDir(root).filePath(relative);
    return QFileInfo::exists(path) ? path : QString();
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return f.write(bytes) == bytes.size();
}

QString debianPython()
{
    return QFileInfo::exists(QStringLiteral("/usr/bin/python3")) ? QStringLiteral("/usr/bin/python3")
                                                                 : QString();
}

bool pythonHasModule(const QString &module)
{
    const QString py = debianPython();
    if (py.isEmpty())
        return false;
    QProcess p;
    p.start(py, {QStringLiteral("-c"), QStringLiteral("import ") + module});
    return p.waitForFinished(120000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

QJsonObject readJson(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

void Recorder::progress(const learn::Progress &p)
{
    if (p.phase != learn::Phase::Train) {
        progressOf.push_back(p);
        return;
    }
    ++batches;
    if (cancel.isCancelled())
        ++batchesAfterCancel;
    if (cancelAfterBatches > 0 && batches == cancelAfterBatches)
        cancel.requestCancel();
}

void Recorder::epochFinished(const learn::EpochMetrics &m)
{
    epochs.push_back(m);
    if (cancelAfterEpoch > 0 && m.epoch == cancelAfterEpoch)
        cancel.requestCancel();
}

QString Recorder::noticeText() const
{
    QStringList lines;
    for (const auto &n : notices)
        lines << learn::noticeText(n);
    return lines.join(QLatin1Char('\n'));
}

bool Recorder::sawPhase(learn::Phase phase) const
{
    for (const auto &p : progressOf)
        if (p.phase == phase)
            return true;
    return false;
}

} // namespace graft::test
