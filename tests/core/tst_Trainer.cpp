// The training engine on real data: accuracy, transfer beats random init, export round trip
// (also from Python), cancel within a batch, checkpoint resume, NaN detection, feature cache.
#include "graft/core/Runtime.h"
#include "graft/vision/BatchPipeline.h"
#include "graft/vision/ImageScanner.h"
#include "graft/train/Inference.h"
#include "graft/train/Trainer.h"
#include "support/TestSupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace graft;

namespace {

constexpr const char *kTiny = "mobilenet_v1_025_128_imagenet";

struct CountingObserver : train::TrainingObserver
{
    int batches = 0;
    int epochs = 0;
    int cancelAfter = -1;
    int batchesAfterCancel = 0;
    core::CancelToken token;
    QStringList messages;
    void batchFinished(const train::BatchEvent &) override
    {
        ++batches;
        if (token.isCancelled())
            ++batchesAfterCancel;
        if (cancelAfter >= 0 && batches == cancelAfter)
            token.requestCancel();
    }
    void epochFinished(const train::EpochMetrics &) override { ++epochs; }
    void message(const QString &t) override { messages << t; }
};

} // namespace

class tst_Trainer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void featureExtractorReachesTargetAndExports();
    void pretrainedBeatsRandomInit();
    void fineTuneRecipeTrains();
    void fineTuningTopBlocksReaches95();
    void cancelStopsWithinOneBatchAndResumes();
    void nanLossStopsWithClearError();
    void exportedModelWorksInPython();
    void exportToUnwritablePathFails();
    void deviceSettingResolves();
    void filesVanishingMidTrainingAreSkipped();

private:
    QString m_hym, m_weights;
    QTemporaryDir m_tmp;
    vision::ScanReport m_report;

    train::TrainingConfig baseConfig(const char *backbone = kTiny) const
    {
        train::TrainingConfig c;
        c.backboneId = QString::fromLatin1(backbone);
        c.weightsDir = m_weights;
        c.cacheDir = m_tmp.filePath(QStringLiteral("cache"));
        c.epochs = 5;
        c.learningRate = 1e-2;
        return c;
    }
};

void tst_Trainer::initTestCase()
{
    core::initRuntime();
    m_hym = test::sharedData(QStringLiteral("images/hymenoptera"));
    m_weights = test::sharedData(QStringLiteral("weights"));
    if (m_hym.isEmpty() || m_weights.isEmpty())
        QSKIP("shared data not found (images/hymenoptera, weights); set GRAFT_SHARED_DATA");
    auto r = vision::scanImageFolder(m_hym);
    QVERIFY(r.ok());
    m_report = *r;
}

void tst_Trainer::featureExtractorReachesTargetAndExports()
{
    train::Trainer trainer;
    auto c = baseConfig("mobilenet_v2_imagenet");
    c.epochs = 10;
    QVERIFY2(trainer.setup(c, m_report).ok(), "setup");
    CountingObserver obs;
    auto r = trainer.train(&obs, obs.token);
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message()));
    QCOMPARE(int(r->epochs.size()), 10);
    QCOMPARE(obs.epochs, 10);
    QVERIFY(obs.batches >= 10 * 8);
    QVERIFY2(r->valAccuracy >= 0.94, qPrintable(QString::number(r->valAccuracy)));
    QVERIFY(r->bestEpoch >= 1 && r->bestEpoch <= 10);
    const QJsonObject json = r->toJson();
    for (const char *key : {"val_accuracy", "best_epoch", "epochs", "confusion", "classes",
                            "misclassified"})
        QVERIFY2(json.contains(QLatin1String(key)), key);
    int total = 0;
    for (const auto &row : json.value("confusion").toArray())
        for (const auto &v : row.toArray())
            total += v.toInt();
    QCOMPARE(total, 153);
    // Misclassified list is worst first.
    const auto &mis = r->validation.misclassified;
    for (size_t i = 1; i < mis.size(); ++i)
        QVERIFY(mis[i - 1].loss >= mis[i].loss);
    QCOMPARE(int(mis.size()), 153 - int(std::lround(r->valAccuracy * 153)));

    // Second run: features come from the disk cache.
    train::Trainer again;
    QVERIFY(again.setup(c, m_report).ok());
    auto r2 = again.train(nullptr, {});
    QVERIFY(r2.ok());
    QVERIFY2(r2->featureSeconds < r->featureSeconds / 3,
             qPrintable(QStringLiteral("%1 vs %2").arg(r2->featureSeconds).arg(r->featureSeconds)));
    QCOMPARE(r2->valAccuracy, r->valAccuracy);

    // Export, re-load, agree on every validation image.
    const QString path = m_tmp.filePath(QStringLiteral("model.pt"));
    auto check = trainer.exportTorchScript(path);
    QVERIFY2(check.ok(), qPrintable(check.ok() ? QString() : check.error().message()));
    QCOMPARE(check->samples, 153);
    QCOMPARE(check->agreement, 1.0);
    QVERIFY(check->maxAbsProbabilityDiff < 1e-4);
    auto model = train::ExportedModel::load(path);
    QVERIFY(model.ok());
    QCOMPARE(model->classes(), QStringList({"ants", "bees"}));
    auto ev = model->evaluate(m_report.samples(vision::Split::Val), m_report.classNames());
    QVERIFY(ev.ok());
    QCOMPARE(ev->accuracy, r->valAccuracy);
}

void tst_Trainer::pretrainedBeatsRandomInit()
{
    auto c = baseConfig();
    train::Trainer pre, rnd;
    QVERIFY(pre.setup(c, m_report).ok());
    c.pretrained = false;
    QVERIFY(rnd.setup(c, m_report).ok());
    auto a = pre.train(nullptr, {});
    auto b = rnd.train(nullptr, {});
    QVERIFY(a.ok() && b.ok());
    qInfo("pretrained %.3f, random init %.3f", a->valAccuracy, b->valAccuracy);
    QVERIFY(a->valAccuracy >= 0.8);
    QVERIFY(a->valAccuracy > b->valAccuracy + 0.15);
}

void tst_Trainer::fineTuneRecipeTrains()
{
    auto c = baseConfig();
    c.recipe = train::Recipe::FineTune;
    c.epochs = 3;
    c.headEpochs = 1;
    c.fineTuneGroups = 2;
    c.augment = true;
    train::Trainer t;
    QVERIFY(t.setup(c, m_report).ok());
    CountingObserver obs;
    auto r = t.train(&obs, obs.token);
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message()));
    QCOMPARE(int(r->epochs.size()), 3);
    QVERIFY(r->valAccuracy >= 0.75);
    auto preds = t.predict({m_report.samples(vision::Split::Val).front().path,
                            m_tmp.filePath(QStringLiteral("missing.jpg"))},
                           2);
    QVERIFY(preds.ok());
    QCOMPARE(int(preds->size()), 2);
    QCOMPARE(int((*preds)[0].top.size()), 2);
    QVERIFY(!(*preds)[1].error.isEmpty());
    auto cam = t.gradCam(m_report.samples(vision::Split::Val).front().path, 0);
    QVERIFY(cam.ok());
    QCOMPARE(int(cam->heat.size()), 128 * 128);
    QVERIFY(*std::max_element(cam->heat.begin(), cam->heat.end()) <= 1.0f + 1e-6f);
}

void tst_Trainer::fineTuningTopBlocksReaches95()
{
    // Issue 4's bar: MobileNetV2 (ImageNet) with the top two groups fine-tuned after a
    // head-only phase reaches >= 95 % on hymenoptera, and the best epoch is a fine-tuned one
    // (the feature extractor alone peaks at 95.4 %; seeds 1, 2, 3, 42 gave 96.1-96.7 %).
    auto c = baseConfig("mobilenet_v2_imagenet");
    c.recipe = train::Recipe::FineTune;
    c.epochs = 8;
    c.headEpochs = 4;
    c.fineTuneGroups = 2;
    c.augment = true;
    c.seed = 42;
    train::Trainer t;
    QVERIFY(t.setup(c, m_report).ok());
    auto r = t.train(nullptr, {});
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message()));
    QString curve;
    for (const auto &e : r->epochs)
        curve += QStringLiteral(" %1").arg(e.valAccuracy * 100, 0, 'f', 1);
    QVERIFY2(r->valAccuracy >= 0.95, qPrintable(QStringLiteral("val accuracy per epoch:") + curve));
    QVERIFY2(r->bestEpoch > c.headEpochs, qPrintable(QStringLiteral("best epoch %1:%2")
                                                         .arg(r->bestEpoch)
                                                         .arg(curve)));
    // The exported weights are the best epoch's: evaluating again gives the same accuracy.
    auto ev = t.evaluate(m_report.samples(vision::Split::Val));
    QVERIFY(ev.ok());
    QCOMPARE(ev->accuracy, r->valAccuracy);
}

void tst_Trainer::cancelStopsWithinOneBatchAndResumes()
{
    auto c = baseConfig();
    c.recipe = train::Recipe::Full;
    c.headEpochs = 0;
    c.epochs = 3;
    c.checkpointDir = m_tmp.filePath(QStringLiteral("ckpt"));
    train::Trainer t;
    QVERIFY(t.setup(c, m_report).ok());
    CountingObserver obs;
    obs.cancelAfter = 8 + 3; // epoch 1 (8 batches) completes, then cancel in epoch 2
    auto r = t.train(&obs, obs.token);
    QVERIFY(r.ok());
    QVERIFY(r->cancelled);
    QCOMPARE(obs.batchesAfterCancel, 0);
    QCOMPARE(int(r->epochs.size()), 1);
    const QString ckpt = c.checkpointDir + QStringLiteral("/checkpoint.safetensors");
    QVERIFY(QFile::exists(ckpt));
    QFile f(ckpt);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray before = f.readAll();
    f.close();

    c.resume = true;
    train::Trainer resumed;
    QVERIFY(resumed.setup(c, m_report).ok());
    CountingObserver obs2;
    auto r2 = resumed.train(&obs2, obs2.token);
    QVERIFY2(r2.ok(), qPrintable(r2.ok() ? QString() : r2.error().message()));
    QVERIFY(!r2->cancelled);
    QCOMPARE(int(r2->epochs.size()), 3);   // epoch 1 from the checkpoint + 2 new
    QCOMPARE(obs2.epochs, 2);
    QVERIFY(obs2.messages.join(' ').contains(QStringLiteral("resumed after epoch 1")));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.readAll() != before); // rewritten after epochs 2 and 3
}

void tst_Trainer::nanLossStopsWithClearError()
{
    auto c = baseConfig();
    c.injectNanAtStep = 5;
    train::Trainer t;
    QVERIFY(t.setup(c, m_report).ok());
    auto r = t.train(nullptr, {});
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, core::ErrorCode::NumericalError);
    QVERIFY(r.error().message().contains(QStringLiteral("NaN")));
    QVERIFY(r.error().message().contains(QStringLiteral("epoch 1")));
}

void tst_Trainer::exportedModelWorksInPython()
{
    if (!test::pythonHasModule(QStringLiteral("torch")))
        QSKIP("Debian's python3-torch is not installed");
    auto c = baseConfig();
    train::Trainer t;
    QVERIFY(t.setup(c, m_report).ok());
    QVERIFY(t.train(nullptr, {}).ok());
    const QString path = m_tmp.filePath(QStringLiteral("py_model.pt"));
    QVERIFY(t.exportTorchScript(path).ok());
    // Graft's own top-1 for the validation images, to compare with Python's.
    const auto samples = m_report.samples(vision::Split::Val);
    QStringList files;
    for (const auto &s : samples)
        files << s.path;
    auto preds = t.predict(files, 1);
    QVERIFY(preds.ok());
    // Python gets the same preprocessed tensors (raw float32) and uses torch.jit.load alone.
    auto model = train::ExportedModel::load(path);
    QVERIFY(model.ok());
    QByteArray raw;
    for (const auto &f : files) {
        auto x = vision::loadPreprocessed(f, model->preprocessing());
        QVERIFY(x.ok());
        raw.append(reinterpret_cast<const char *>(x->data()), qsizetype(x->size() * 4));
    }
    const QString rawPath = m_tmp.filePath(QStringLiteral("val.f32"));
    QVERIFY(test::writeFile(rawPath, raw));
    const QString script = QStringLiteral(
        "import json, sys, torch\n"
        "extra = {'labels.json': '', 'preprocessing.json': ''}\n"
        "m = torch.jit.load(sys.argv[1], _extra_files=extra)\n"
        "labels = json.loads(extra['labels.json'])\n"
        "size = json.loads(extra['preprocessing.json'])['inputSize']\n"
        "x = torch.frombuffer(bytearray(open(sys.argv[2], 'rb').read()), dtype=torch.float32)\n"
        "x = x.reshape(-1, 3, size, size)\n"
        "with torch.no_grad():\n"
        "    p = m.predict_proba(x)\n"
        "print(json.dumps([labels[i] for i in p.argmax(1).tolist()]))\n");
    QProcess py;
    py.start(test::debianPython(), {QStringLiteral("-c"), script, path, rawPath});
    QVERIFY(py.waitForFinished(180000));
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
    const QJsonArray got = QJsonDocument::fromJson(py.readAllStandardOutput()).array();
    QCOMPARE(got.size(), qsizetype(files.size()));
    const QStringList classes = t.classes();
    for (int i = 0; i < files.size(); ++i)
        QCOMPARE(got[i].toString(), classes[(*preds)[size_t(i)].top[0].first]);
}

void tst_Trainer::exportToUnwritablePathFails()
{
    auto c = baseConfig();
    c.epochs = 1;
    train::Trainer t;
    QVERIFY(t.setup(c, m_report).ok());
    QVERIFY(t.train(nullptr, {}).ok());
    const QString dir = m_tmp.filePath(QStringLiteral("readonly"));
    QVERIFY(QDir().mkpath(dir));
    QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::ExeOwner);
    // As root, permissions do not bind: use a folder that does not exist instead.
    const QString path = QFileInfo(dir).isWritable()
                             ? m_tmp.filePath(QStringLiteral("no/such/dir/model.pt"))
                             : dir + QStringLiteral("/model.pt");
    auto r = t.exportTorchScript(path);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, core::ErrorCode::WriteFailed);
    QVERIFY(!r.error().message().isEmpty());
    QVERIFY(QDir(dir).entryList(QDir::Files | QDir::Hidden).isEmpty()); // no partial file
    QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
}

void tst_Trainer::deviceSettingResolves()
{
    // "cpu" is always there; "auto" picks CUDA only when this LibTorch build has it.
    QCOMPARE(*train::checkDevice(QStringLiteral("cpu")), QStringLiteral("cpu"));
    auto a = train::checkDevice(QStringLiteral("auto"));
    QVERIFY(a.ok());
    QVERIFY(*a == QLatin1String("cpu") || a->startsWith(QLatin1String("cuda")));
    auto bad = train::checkDevice(QStringLiteral("tpu"));
    QVERIFY(!bad.ok());
    QCOMPARE(bad.error().code, core::ErrorCode::InvalidArgument);
    QVERIFY(bad.error().message().contains(QLatin1String("tpu")));
    auto cuda = train::checkDevice(QStringLiteral("cuda"));
    if (*a == QLatin1String("cpu")) {
        // CPU-only build: asking for CUDA is a clear error, and setup refuses it.
        QVERIFY(!cuda.ok());
        QCOMPARE(cuda.error().code, core::ErrorCode::Unsupported);
        QVERIFY(cuda.error().message().contains(QLatin1String("CUDA")));
        auto c = baseConfig();
        c.device = QStringLiteral("cuda");
        train::Trainer t;
        auto s = t.setup(c, m_report);
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, core::ErrorCode::Unsupported);
    } else {
        QVERIFY(cuda.ok());
    }
    auto c = baseConfig();
    c.device = QStringLiteral("auto");
    train::Trainer t;
    QVERIFY(t.setup(c, m_report).ok());
    QCOMPARE(t.deviceInUse(), *a);
}

void tst_Trainer::filesVanishingMidTrainingAreSkipped()
{
    // Issue 8: training images deleted or corrupted while a run streams them are reported and
    // skipped; the run goes on. A small copy of hymenoptera, fine-tuning (images are decoded
    // every epoch), files removed and overwritten after epoch 1.
    QTemporaryDir data;
    int copied = 0;
    for (const char *split : {"train", "val"})
        for (const char *cls : {"ants", "bees"}) {
            const QString from = QDir(m_hym).filePath(QStringLiteral("%1/%2").arg(split, cls));
            const QString to = data.filePath(QStringLiteral("%1/%2").arg(split, cls));
            QVERIFY(QDir().mkpath(to));
            const QStringList files = QDir(from).entryList(QDir::Files, QDir::Name).mid(0, 12);
            for (const auto &f : files)
                copied += QFile::copy(QDir(from).filePath(f), QDir(to).filePath(f)) ? 1 : 0;
        }
    QCOMPARE(copied, 48);
    auto scanned = vision::scanImageFolder(data.path());
    QVERIFY(scanned.ok());
    auto c = baseConfig();
    c.recipe = train::Recipe::FineTune;
    c.headEpochs = 0;
    c.epochs = 3;
    c.batchSize = 8;
    c.augment = false;
    c.cacheDir = data.filePath(QStringLiteral("cache"));
    const QString gone = data.filePath(QStringLiteral("train/ants/") +
                                       QDir(data.filePath(QStringLiteral("train/ants"))).entryList(QDir::Files).first());
    const QString garbled = data.filePath(QStringLiteral("train/bees/") +
                                          QDir(data.filePath(QStringLiteral("train/bees"))).entryList(QDir::Files).first());
    struct Saboteur : CountingObserver
    {
        QString gone, garbled;
        void epochFinished(const train::EpochMetrics &m) override
        {
            CountingObserver::epochFinished(m);
            if (m.epoch == 1) {
                QFile::remove(gone);
                QFile f(garbled);
                if (f.open(QIODevice::WriteOnly | QIODevice::Truncate))
                    f.write("not an image any more");
            }
        }
    } obs;
    obs.gone = gone;
    obs.garbled = garbled;
    train::Trainer t;
    QVERIFY(t.setup(c, *scanned).ok());
    auto r = t.train(&obs, obs.token);
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message()));
    QCOMPARE(int(r->epochs.size()), 3); // training went on
    const QString all = obs.messages.join(QLatin1Char('\n'));
    QVERIFY2(all.contains(QFileInfo(gone).fileName()), qPrintable(all));
    QVERIFY2(all.contains(QFileInfo(garbled).fileName()), qPrintable(all));
    QVERIFY(all.contains(QLatin1String("skipped")));
}

QTEST_GUILESS_MAIN(tst_Trainer)
#include "tst_Trainer.moc"
