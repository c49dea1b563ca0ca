// Soak test (issue 8): 200 start/cancel cycles of a small training run, on a worker thread as
// the GUI does, must not crash and must not grow memory beyond a stated bound. Half of the
// cycles cancel after the first batch of the head phase, half cancel during the fine-tuning
// phase, which streams images through the decode pipeline (its threads must stop each time).
#include "support/TestSupport.h"

#include "graft/core/Runtime.h"
#include "graft/vision/ImageScanner.h"
#include "graft/learn/Session.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <thread>
#include <unistd.h>

using namespace graft;

namespace {

double rssMiB()
{
    QFile f(QStringLiteral("/proc/self/statm"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> parts = f.readAll().split(' ');
    return parts.size() > 1 ? double(parts[1].toLongLong()) * double(sysconf(_SC_PAGESIZE)) / 1048576.0
                            : 0;
}

} // namespace

class tst_Soak : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void startCancelCycles();
};

void tst_Soak::startCancelCycles()
{
    GRAFT_REQUIRE_SHARED(hym, "images/hymenoptera");
    GRAFT_REQUIRE_SHARED(weights, "weights");
    core::initRuntime();
    QTemporaryDir tmp;
    learn::RunConfig base;
    base.dataPath = hym;
    auto data = learn::Dataset::scan(base);
    QVERIFY(data.ok());
#if defined(__SANITIZE_ADDRESS__)
    // AddressSanitizer runs this ~7x slower and keeps freed memory in quarantine on purpose:
    // fewer cycles, no RSS bound; memory errors and crashes are what that build checks.
    const int cycles = 24, warmup = 4;
    constexpr bool checkRss = false;
#else
    const int cycles = 200, warmup = 20;
    constexpr bool checkRss = true;
#endif
    // Bound: the run itself needs ~100-200 MB; 48 MiB of growth over 180 cycles would be a
    // leak of ~270 KB per cycle, far above allocator noise.
    const double boundMiB = 48;
    double afterWarmup = 0;
    int cancelled = 0;
    for (int i = 0; i < cycles; ++i) {
        learn::RunConfig c = base;
        c.backboneId = QStringLiteral("mobilenet_v1_025_128_imagenet");
        c.weightsDir = weights;
        c.image.cacheDir = tmp.filePath(QStringLiteral("cache"));
        c.runsDir = tmp.filePath(QStringLiteral("runs"));
        c.epochs = 3;
        c.threads = 1;
        c.seed = i;
        c.splitSeed = 42;
        const bool fineTune = i % 2 == 1;
        if (fineTune) {
            c.image.recipe = learn::Recipe::FineTune;
            c.image.headEpochs = 1;
        }
        test::Recorder obs;
        // Head phase: 8 batches per epoch (245 images, batch 32); cancel in the fine-tuning
        // phase (batch 9 onwards) on odd cycles, at the first batch on even ones.
        obs.cancelAfterBatches = fineTune ? 9 + i % 3 : 1;
        bool ok = false, wasCancelled = false;
        QString error;
        std::thread worker([&] {
            auto r = learn::train(c, *data, &obs, obs.cancel);
            ok = r.ok();
            if (r)
                wasCancelled = r->cancelled;
            else
                error = r.error().message();
        });
        worker.join();
        QVERIFY2(ok, qPrintable(QStringLiteral("cycle %1: %2").arg(i).arg(error)));
        QVERIFY2(wasCancelled, qPrintable(QStringLiteral("cycle %1 was not cancelled").arg(i)));
        ++cancelled;
        if (i == warmup - 1)
            afterWarmup = rssMiB();
    }
    const double end = rssMiB();
    qInfo("%d start/cancel cycles: RSS %.1f MiB after %d, %.1f MiB at the end (growth %.1f MiB, bound %.0f)",
          cancelled, afterWarmup, warmup, end, end - afterWarmup, boundMiB);
    QCOMPARE(cancelled, cycles);
    if (checkRss)
        QVERIFY2(end - afterWarmup < boundMiB,
                 qPrintable(QStringLiteral("RSS grew %1 MiB").arg(end - afterWarmup)));
}

QTEST_GUILESS_MAIN(tst_Soak)
#include "tst_Soak.moc"
