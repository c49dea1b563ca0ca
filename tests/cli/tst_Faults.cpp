// Fault injection on the real graft-cli (issue 8): writes that fail part-way (a file-size limit,
// as a full disk does: EFBIG/ENOSPC from write()), an unwritable output folder, and SIGKILL in
// the middle of an epoch followed by --resume. Each must give a clear error and leave the
// previous files intact.
#include "support/TestSupport.h"

#include "graft/io/Safetensors.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

namespace {

struct Run
{
    int code = -1;
    QByteArray out;
    QByteArray err;
};

QString quoted(const QStringList &args)
{
    QStringList q;
    for (const auto &a : args)
        q << QLatin1Char('\'') + QString(a).replace(QLatin1Char('\''), QStringLiteral("'\\''")) +
                 QLatin1Char('\'');
    return q.join(QLatin1Char(' '));
}

/// graft-cli with RLIMIT_FSIZE = `limitKiB` (0 = none) and SIGXFSZ ignored, so a write past
/// the limit fails with EFBIG, exactly where a full disk would fail with ENOSPC.
Run cli(const QStringList &args, int limitKiB = 0)
{
    QString script = QStringLiteral("trap '' XFSZ; ");
    if (limitKiB > 0)
        script += QStringLiteral("ulimit -f %1; ").arg(limitKiB);
    script += QStringLiteral("exec ") + quoted(QStringList{QStringLiteral(GRAFT_CLI_PATH)} + args);
    QProcess p;
    p.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), script});
    Run r;
    if (!p.waitForFinished(600000)) {
        p.kill();
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class tst_Faults : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void exportPastTheDiskLimitFailsAndKeepsThePreviousFile();
    void checkpointPastTheDiskLimitIsReportedAndKeepsThePreviousOne();
    void unwritableReportFolderIsAClearError();
    void killedMidEpochResumesFromTheLastCheckpoint();

private:
    QString m_hym, m_weights;
    QTemporaryDir m_tmp;
    QStringList trainArgs(const QString &tag, const QString &epochs) const
    {
        return {QStringLiteral("train"), QStringLiteral("--data"), m_hym,
                QStringLiteral("--backbone"), QStringLiteral("mobilenet_v1_025_128_imagenet"),
                QStringLiteral("--weights-dir"), m_weights, QStringLiteral("--epochs"), epochs,
                QStringLiteral("--cache-dir"), m_tmp.filePath(QStringLiteral("cache-") + tag),
                QStringLiteral("--quiet")};
    }
};

void tst_Faults::initTestCase()
{
    m_hym = graft::test::sharedData(QStringLiteral("images/hymenoptera"));
    m_weights = graft::test::sharedData(QStringLiteral("weights"));
    if (m_hym.isEmpty() || m_weights.isEmpty())
        QSKIP("shared data not found (images/hymenoptera, weights); set GRAFT_SHARED_DATA");
}

void tst_Faults::exportPastTheDiskLimitFailsAndKeepsThePreviousFile()
{
    const QString model = m_tmp.filePath(QStringLiteral("model.pt"));
    const Run first = cli(trainArgs(QStringLiteral("e"), QStringLiteral("1")) +
                          QStringList{QStringLiteral("--export"), model});
    QVERIFY2(first.code == 0, first.err.constData());
    const QByteArray before = readAll(model);
    QVERIFY(before.size() > 200 * 1024); // the limit below is smaller than the model
    // Same run, now with a 100 KiB file-size limit: the TorchScript write fails part-way.
    const Run full = cli(trainArgs(QStringLiteral("e"), QStringLiteral("2")) +
                             QStringList{QStringLiteral("--export"), model},
                         100);
    QCOMPARE(full.code, 1);
    QVERIFY2(full.err.contains("export failed") && full.err.contains(model.toUtf8()),
             full.err.constData());
    QCOMPARE(readAll(model), before); // the previous export is untouched
    const QStringList leftovers =
        QDir(m_tmp.path()).entryList({QStringLiteral("model.pt*")}, QDir::Files | QDir::Hidden);
    QCOMPARE(leftovers, QStringList{QStringLiteral("model.pt")}); // no partial temp file
}

void tst_Faults::checkpointPastTheDiskLimitIsReportedAndKeepsThePreviousOne()
{
    const QString dir = m_tmp.filePath(QStringLiteral("ckpt"));
    // Fine-tuning checkpoints hold backbone weights too (~1.9 MB for this backbone).
    QStringList args = trainArgs(QStringLiteral("c"), QStringLiteral("2"));
    // No head-only epoch: every checkpoint includes the fine-tuned backbone groups.
    args << QStringLiteral("--recipe") << QStringLiteral("fine-tune") << QStringLiteral("--head-epochs")
         << QStringLiteral("0") << QStringLiteral("--checkpoint-dir") << dir;
    const Run first = cli(args);
    QVERIFY2(first.code == 0, first.err.constData());
    const QString ckpt = QDir(dir).filePath(QStringLiteral("checkpoint.safetensors"));
    const QByteArray before = readAll(ckpt);
    QVERIFY(before.size() > 1024 * 1024);
    // Again under a 1 MiB limit: every checkpoint write fails, training still finishes and says so.
    const Run limited = cli(args, 1024);
    QVERIFY2(limited.code == 0, limited.err.constData());
    QVERIFY2(limited.err.contains("checkpoint not saved"), limited.err.constData());
    QCOMPARE(readAll(ckpt), before);
    QVERIFY(graft::io::SafetensorsFile::open(ckpt).ok()); // still a valid file
}

void tst_Faults::unwritableReportFolderIsAClearError()
{
    const QString report = m_tmp.filePath(QStringLiteral("no/such/folder/report.json"));
    const Run r = cli(trainArgs(QStringLiteral("u"), QStringLiteral("1")) +
                      QStringList{QStringLiteral("--report"), report});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("cannot write report") && r.err.contains(report.toUtf8()),
             r.err.constData());
}

void tst_Faults::killedMidEpochResumesFromTheLastCheckpoint()
{
    const QString dir = m_tmp.filePath(QStringLiteral("kill"));
    const QString ckpt = QDir(dir).filePath(QStringLiteral("checkpoint.safetensors"));
    // Fine-tuning streams images every epoch (~seconds each), so there is time to kill it
    // after the first checkpoint and before the run ends.
    QStringList args = trainArgs(QStringLiteral("k"), QStringLiteral("6"));
    args << QStringLiteral("--recipe") << QStringLiteral("fine-tune") << QStringLiteral("--head-epochs")
         << QStringLiteral("1") << QStringLiteral("--checkpoint-dir") << dir
         << QStringLiteral("--threads") << QStringLiteral("1");
    QProcess p;
    p.start(QStringLiteral(GRAFT_CLI_PATH), args);
    QVERIFY(p.waitForStarted());
    QElapsedTimer t;
    t.start();
    // Wait for the checkpoint after epoch 2 (a fine-tuned one), then SIGKILL mid-epoch 3.
    int epoch = 0;
    while (t.elapsed() < 300000 && p.state() == QProcess::Running) {
        QTest::qWait(100);
        auto f = graft::io::SafetensorsFile::open(ckpt);
        if (f.ok())
            epoch = f->metadata().value(QStringLiteral("epoch")).toString().toInt();
        if (epoch >= 2)
            break;
    }
    QVERIFY2(epoch >= 2 && p.state() == QProcess::Running, "run ended before the kill");
    QTest::qWait(300);
    ::kill(pid_t(p.processId()), SIGKILL);
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitStatus(), QProcess::CrashExit);
    // The checkpoint on disk is whole and says which epoch it follows.
    auto f = graft::io::SafetensorsFile::open(ckpt);
    QVERIFY2(f.ok(), qPrintable(f.ok() ? QString() : f.error().message()));
    const int saved = f->metadata().value(QStringLiteral("epoch")).toString().toInt();
    QVERIFY(saved >= 2 && saved < 6);
    // --resume continues from it.
    const QString report = m_tmp.filePath(QStringLiteral("resumed.json"));
    const Run resumed = cli(args + QStringList{QStringLiteral("--resume"), QStringLiteral("--report"), report});
    QVERIFY2(resumed.code == 0, resumed.err.constData());
    const QJsonObject o = QJsonDocument::fromJson(readAll(report)).object();
    const QJsonArray epochs = o.value(QStringLiteral("epochs")).toArray();
    QCOMPARE(epochs.size(), 6); // the saved epochs plus the ones run now
    QCOMPARE(epochs.last().toObject().value(QStringLiteral("epoch")).toInt(), 6);
    QVERIFY(o.value(QStringLiteral("val_accuracy")).toDouble() > 0.6);
}

QTEST_GUILESS_MAIN(tst_Faults)
#include "tst_Faults.moc"
