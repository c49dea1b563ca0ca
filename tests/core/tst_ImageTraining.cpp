// The image task on the one loop, on real data (hymenoptera, a tiny MobileNet): cache reuse,
// exports read back by the loader predict/eval use (also from Python), cancel within a batch,
// resume, NaN, devices, files vanishing mid-run, and a learning-rate sweep that leaves the
// trained model alone.
#include "graft/core/Runtime.h"
#include "graft/export/Exporter.h"
#include "graft/learn/Session.h"
#include "graft/vision/BatchPipeline.h"
#include "graft/vision/ImageScanner.h"
#include "support/TestSupport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace graft;

namespace {
constexpr const char *kTiny = "mobilenet_v1_025_128_imagenet";
} // namespace

class tst_ImageTraining : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void featureExtractorCachesExportsAndReloads();
    void pretrainedBeatsRandomInit();
    void fineTuneRecipeTrains();
    void cancelStopsWithinOneBatchAndResumes();
    void nanLossStopsWithClearError();
    void learningRateFinderLeavesTheTrainedModelAlone();
    void exportedModelWorksInPython();
    void exportToUnwritablePathFails();
    void deviceSettingResolves();
    void filesVanishingMidTrainingAreSkipped();

private:
    QString m_hym, m_weights;
    QTemporaryDir m_tmp;
    learn::Dataset m_data;

    learn::RunConfig baseConfig(const char *backbone = kTiny) const
    {
        learn::RunConfig c;
        c.dataPath = m_hym;
        c.backboneId = QString::fromLatin1(backbone);
        c.weightsDir = m_weights;
        c.image.cacheDir = m_tmp.filePath(QStringLiteral("cache"));
        c.runsDir = m_tmp.filePath(QStringLiteral("runs"));
        c.epochs = 5;
        c.learningRate = 1e-2;
        return c;
    }
    std::vector<learn::SampleRef> valRefs() const
    {
        std::vector<learn::SampleRef> refs;
        std::vector<int> labels;
        m_data.samples(QStringLiteral("val"), baseConfig(), &refs, &labels);
        return refs;
    }
};

void tst_ImageTraining::initTestCase()
{
    core::initRuntime();
    m_hym = test::sharedData(QStringLiteral("images/hymenoptera"));
    m_weights = test::sharedData(QStringLiteral("weights"));
    if (m_hym.isEmpty() || m_weights.isEmpty())
        QSKIP("shared data not found (images/hymenoptera, weights); set GRAFT_SHARED_DATA");
    auto d = learn::Dataset::scan(baseConfig());
    QVERIFY(d.ok());
    m_data = *d;
}

void tst_ImageTraining::featureExtractorCachesExportsAndReloads()
{
    auto c = baseConfig();
    test::Recorder obs;
    auto r = learn::train(c, m_data, &obs);
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message()));
    QCOMPARE(int(r->epochs.size()), 5);
    QCOMPARE(int(obs.epochs.size()), 5);
    QCOMPARE(obs.batches, 5 * 8);
    QVERIFY2(r->valAccuracy() >= 0.8, qPrintable(QString::number(r->valAccuracy())));
    // Feature extraction reported its progress to the end, with a rate.
    QVERIFY(obs.sawPhase(learn::Phase::Features));
    const learn::Progress &last = obs.progressOf.back();
    QCOMPARE(last.phase, learn::Phase::Features);
    QCOMPARE(last.done, last.total);
    QCOMPARE(last.total, qint64(245 + 153));
    QVERIFY(last.itemsPerSecond > 0);
    const QJsonObject json = r->toJson();
    for (const char *key : {"val_accuracy", "best_epoch", "epochs", "confusion", "classes",
                            "misclassified", "monitor", "timings"})
        QVERIFY2(json.contains(QLatin1String(key)), key);
    int total = 0;
    for (const auto &row : json.value("confusion").toArray())
        for (const auto &v : row.toArray())
            total += v.toInt();
    QCOMPARE(total, 153);
    const auto &mis = r->validation.mistakes;
    for (size_t i = 1; i < mis.size(); ++i)
        QVERIFY(mis[i - 1].loss >= mis[i].loss); // worst first
    QCOMPARE(int(mis.size()), 153 - int(std::lround(r->valAccuracy() * 153)));

    // Second run: features come from the disk cache.
    auto r2 = learn::train(c, m_data);
    QVERIFY(r2.ok());
    const double t1 = r->timings.value("features").toDouble(), t2 = r2->timings.value("features").toDouble();
    QVERIFY2(t2 < t1 / 3, qPrintable(QStringLiteral("%1 vs %2").arg(t2).arg(t1)));
    QCOMPARE(r2->valAccuracy(), r->valAccuracy());

    // Export both formats; each is read back by the loader predict/eval use and agrees on every
    // validation image; the ONNX file gives the same top-1 as the TorchScript file.
    const QString pt = m_tmp.filePath(QStringLiteral("model.pt"));
    const QString onnx = m_tmp.filePath(QStringLiteral("model.onnx"));
    test::Recorder exportObs;
    auto check = exports::exportModel(*r->model, pt, {}, &exportObs);
    QVERIFY2(check.ok(), qPrintable(check.ok() ? QString() : check.error().message()));
    QCOMPARE(check->samples, 153);
    QCOMPARE(check->agreement, 1.0);
    QVERIFY(check->maxAbsProbabilityDiff < 1e-4);
    QVERIFY(exportObs.sawPhase(learn::Phase::Export) && exportObs.sawPhase(learn::Phase::ExportCheck));
    auto checkOnnx = exports::exportModel(*r->model, onnx);
    QVERIFY2(checkOnnx.ok(), qPrintable(checkOnnx.ok() ? QString() : checkOnnx.error().message()));
    QCOMPARE(checkOnnx->agreement, 1.0);
    QCOMPARE(checkOnnx->checkedWith, QStringLiteral("OpenCV DNN"));
    const auto refs = valRefs();
    auto fromPt = exports::loadModel(pt), fromOnnx = exports::loadModel(onnx);
    QVERIFY(fromPt.ok() && fromOnnx.ok());
    QCOMPARE((*fromPt)->classes(), QStringList({"ants", "bees"}));
    auto a = learn::predict(**fromPt, refs, 1), b = learn::predict(**fromOnnx, refs, 1);
    QVERIFY(a.ok() && b.ok());
    for (size_t i = 0; i < refs.size(); ++i)
        QCOMPARE((*b)[i].top.front().first, (*a)[i].top.front().first);
    std::vector<learn::SampleRef> allRefs;
    std::vector<int> labels;
    m_data.samples(QStringLiteral("val"), c, &allRefs, &labels);
    for (const auto *m : {&*fromPt, &*fromOnnx}) {
        auto ev = learn::evaluate(**m, allRefs, labels, m_data.classes());
        QVERIFY(ev.ok());
        QCOMPARE(ev->accuracy, r->valAccuracy());
    }

    // The run folder reloads to the same model, and exports from there too.
    auto run = learn::loadRun(r->runDir);
    QVERIFY2(run.ok(), qPrintable(run.ok() ? QString() : run.error().message()));
    QCOMPARE(run->validation.accuracy, r->valAccuracy());
    auto again = learn::evaluate(*run->model, allRefs, labels, m_data.classes());
    QVERIFY(again.ok());
    QCOMPARE(again->accuracy, r->valAccuracy());
    auto fromRun = exports::exportModel(*run->model, m_tmp.filePath(QStringLiteral("run.pt")));
    QVERIFY(fromRun.ok());
    QCOMPARE(fromRun->agreement, 1.0);
    QVERIFY(learn::listRuns(c.runsDir).size() >= 2);
}

void tst_ImageTraining::pretrainedBeatsRandomInit()
{
    auto c = baseConfig();
    auto a = learn::train(c, m_data);
    c.image.pretrained = false;
    auto b = learn::train(c, m_data);
    QVERIFY(a.ok() && b.ok());
    qInfo("pretrained %.3f, random init %.3f", a->valAccuracy(), b->valAccuracy());
    QVERIFY(a->valAccuracy() >= 0.8);
    QVERIFY(a->valAccuracy() > b->valAccuracy() + 0.15);
}

void tst_ImageTraining::fineTuneRecipeTrains()
{
    auto c = baseConfig();
    c.image.recipe = learn::Recipe::FineTune;
    c.epochs = 3;
    c.image.headEpochs = 1;
    c.image.fineTuneGroups = 2;
    c.image.augment = true;
    auto r = learn::train(c, m_data);
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message()));
    QCOMPARE(int(r->epochs.size()), 3);
    QVERIFY(r->valAccuracy() >= 0.75);
    auto preds = learn::predict(*r->model,
                                {valRefs().front(), learn::SampleRef::image(m_tmp.filePath(QStringLiteral("missing.jpg")))},
                                2);
    QVERIFY(preds.ok());
    QCOMPARE(int(preds->size()), 2);
    QCOMPARE(int((*preds)[0].top.size()), 2);
    QVERIFY(!(*preds)[1].error.isEmpty());
    auto cam = r->model->gradCam(valRefs().front().file, 0);
    QVERIFY(cam.ok());
    QCOMPARE(int(cam->heat.size()), 128 * 128);
    QVERIFY(*std::max_element(cam->heat.begin(), cam->heat.end()) <= 1.0f + 1e-6f);
    // The kept weights are the model: evaluating again gives the report's accuracy.
    std::vector<learn::SampleRef> refs;
    std::vector<int> labels;
    m_data.samples(QStringLiteral("val"), c, &refs, &labels);
    auto ev = learn::evaluate(*r->model, refs, labels, m_data.classes());
    QVERIFY(ev.ok());
    QCOMPARE(ev->accuracy, r->valAccuracy());
}

void tst_ImageTraining::cancelStopsWithinOneBatchAndResumes()
{
    auto c = baseConfig();
    c.image.recipe = learn::Recipe::Full;
    c.image.headEpochs = 0;
    c.epochs = 3;
    c.checkpointDir = m_tmp.filePath(QStringLiteral("ckpt"));
    test::Recorder obs;
    obs.cancelAfterBatches = 8 + 3; // epoch 1 (8 batches) completes, then cancel in epoch 2
    auto r = learn::train(c, m_data, &obs, obs.cancel);
    QVERIFY(r.ok());
    QVERIFY(r->cancelled);
    QCOMPARE(obs.batchesAfterCancel, 0);
    QCOMPARE(int(r->epochs.size()), 1);
    QCOMPARE(*learn::checkpointEpoch(c.checkpointDir), 1);

    c.resume = true;
    test::Recorder obs2;
    auto r2 = learn::train(c, m_data, &obs2, obs2.cancel);
    QVERIFY2(r2.ok(), qPrintable(r2.ok() ? QString() : r2.error().message()));
    QVERIFY(!r2->cancelled);
    QCOMPARE(int(r2->epochs.size()), 3); // epoch 1 from the checkpoint + 2 new
    QCOMPARE(int(obs2.epochs.size()), 2);
    QVERIFY(obs2.noticeText().contains(QStringLiteral("resumed after epoch 1")));
    QCOMPARE(*learn::checkpointEpoch(c.checkpointDir), 3);
}

void tst_ImageTraining::nanLossStopsWithClearError()
{
    auto c = baseConfig();
    c.injectNanAtStep = 5;
    auto r = learn::train(c, m_data);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, core::ErrorCode::NumericalError);
    QVERIFY(r.error().message().contains(QStringLiteral("NaN")));
    QVERIFY(r.error().message().contains(QStringLiteral("epoch 1")));
}

void tst_ImageTraining::learningRateFinderLeavesTheTrainedModelAlone()
{
    // Issue 14: pressing Find learning rate after training replaced the trained model. Now the
    // sweep trains its own model: the trained one predicts exactly as before.
    auto c = baseConfig();
    c.epochs = 2;
    auto r = learn::train(c, m_data);
    QVERIFY(r.ok());
    const auto refs = valRefs();
    auto before = learn::predict(*r->model, refs, 2);
    QVERIFY(before.ok());
    auto sweep = learn::findLearningRate(c, m_data);
    QVERIFY2(sweep.ok(), qPrintable(sweep.ok() ? QString() : sweep.error().message()));
    QVERIFY(sweep->learningRates.size() >= 20);
    auto after = learn::predict(*r->model, refs, 2);
    QVERIFY(after.ok());
    for (size_t i = 0; i < refs.size(); ++i)
        QCOMPARE((*after)[i].top, (*before)[i].top);
    // "auto" runs the sweep first, then trains with its suggestion.
    c.learningRate = 0;
    test::Recorder obs;
    auto autoLr = learn::train(c, m_data, &obs);
    QVERIFY(autoLr.ok());
    QVERIFY(autoLr->config.learningRate > 0);
    QVERIFY(obs.noticeText().contains(QStringLiteral("learning rate from the finder")));
}

void tst_ImageTraining::exportedModelWorksInPython()
{
    if (!test::pythonHasModule(QStringLiteral("torch")))
        QSKIP("Debian's python3-torch is not installed");
    auto r = learn::train(baseConfig(), m_data);
    QVERIFY(r.ok());
    const QString path = m_tmp.filePath(QStringLiteral("py_model.pt"));
    QVERIFY(exports::exportModel(*r->model, path).ok());
    const auto refs = valRefs();
    auto preds = learn::predict(*r->model, refs, 1);
    QVERIFY(preds.ok());
    // Python gets the same preprocessed tensors (raw float32) and uses torch.jit.load alone.
    const QJsonObject sidecar = test::readJson(exports::modelJsonPath(path));
    const auto pre = vision::Preprocessing::fromJson(sidecar.value("preprocessing").toObject());
    QByteArray raw;
    for (const auto &ref : refs) {
        auto x = vision::loadPreprocessed(ref.file, pre);
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
    QCOMPARE(got.size(), qsizetype(refs.size()));
    for (size_t i = 0; i < refs.size(); ++i)
        QCOMPARE(got[qsizetype(i)].toString(), r->classes[(*preds)[i].top[0].first]);
}

void tst_ImageTraining::exportToUnwritablePathFails()
{
    auto c = baseConfig();
    c.epochs = 1;
    auto r = learn::train(c, m_data);
    QVERIFY(r.ok());
    const QString dir = m_tmp.filePath(QStringLiteral("readonly"));
    QVERIFY(QDir().mkpath(dir));
    QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::ExeOwner);
    // As root, permissions do not bind: use a folder that does not exist instead.
    const QString path = QFileInfo(dir).isWritable() ? m_tmp.filePath(QStringLiteral("no/such/dir/model.pt"))
                                                     : dir + QStringLiteral("/model.pt");
    auto e = exports::exportModel(*r->model, path);
    QVERIFY(!e.ok());
    QCOMPARE(e.error().code, core::ErrorCode::WriteFailed);
    QVERIFY(!e.error().message().isEmpty());
    QVERIFY(QDir(dir).entryList(QDir::Files | QDir::Hidden).isEmpty()); // no partial file
    QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
}

void tst_ImageTraining::deviceSettingResolves()
{
    // "cpu" is always there; "auto" picks CUDA only when this LibTorch build has it.
    QCOMPARE(*learn::checkDevice(QStringLiteral("cpu")), QStringLiteral("cpu"));
    auto a = learn::checkDevice(QStringLiteral("auto"));
    QVERIFY(a.ok());
    QVERIFY(*a == QLatin1String("cpu") || a->startsWith(QLatin1String("cuda")));
    auto bad = learn::checkDevice(QStringLiteral("tpu"));
    QVERIFY(!bad.ok());
    QCOMPARE(bad.error().code, core::ErrorCode::InvalidArgument);
    QVERIFY(bad.error().message().contains(QLatin1String("tpu")));
    auto cuda = learn::checkDevice(QStringLiteral("cuda"));
    auto c = baseConfig();
    c.epochs = 1;
    if (*a == QLatin1String("cpu")) {
        // CPU-only build: asking for CUDA is a clear error, and a run refuses it.
        QVERIFY(!cuda.ok());
        QCOMPARE(cuda.error().code, core::ErrorCode::Unsupported);
        QVERIFY(cuda.error().message().contains(QLatin1String("CUDA")));
        c.device = QStringLiteral("cuda");
        auto s = learn::train(c, m_data);
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, core::ErrorCode::Unsupported);
    } else {
        QVERIFY(cuda.ok());
    }
    c.device = QStringLiteral("auto");
    auto r = learn::train(c, m_data);
    QVERIFY(r.ok());
    QCOMPARE(r->details.value("device").toString(), *a);
}

void tst_ImageTraining::filesVanishingMidTrainingAreSkipped()
{
    // Training images deleted or corrupted while a run streams them are reported and skipped;
    // the run goes on. A small copy of hymenoptera, fine-tuning (images are decoded every
    // epoch), files removed and overwritten after epoch 1.
    QTemporaryDir data;
    int copied = 0;
    for (const char *split : {"train", "val"})
        for (const char *cls : {"ants", "bees"}) {
            const QString from = QDir(m_hym).filePath(QStringLiteral("%1/%2").arg(split, cls));
            const QString to = data.filePath(QStringLiteral("%1/%2").arg(split, cls));
            QVERIFY(QDir().mkpath(to));
            for (const auto &f : QDir(from).entryList(QDir::Files, QDir::Name).mid(0, 12))
                copied += QFile::copy(QDir(from).filePath(f), QDir(to).filePath(f)) ? 1 : 0;
        }
    QCOMPARE(copied, 48);
    auto c = baseConfig();
    c.dataPath = data.path();
    c.image.recipe = learn::Recipe::FineTune;
    c.image.headEpochs = 0;
    c.epochs = 3;
    c.batchSize = 8;
    c.image.augment = false;
    c.image.cacheDir = data.filePath(QStringLiteral("cache"));
    auto scanned = learn::Dataset::scan(c);
    QVERIFY(scanned.ok());
    const QString gone = data.filePath(QStringLiteral("train/ants/") +
                                       QDir(data.filePath(QStringLiteral("train/ants"))).entryList(QDir::Files).first());
    const QString garbled = data.filePath(QStringLiteral("train/bees/") +
                                          QDir(data.filePath(QStringLiteral("train/bees"))).entryList(QDir::Files).first());
    struct Saboteur : test::Recorder
    {
        QString gone, garbled;
        void epochFinished(const learn::EpochMetrics &m) override
        {
            Recorder::epochFinished(m);
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
    auto r = learn::train(c, *scanned, &obs);
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message()));
    QCOMPARE(int(r->epochs.size()), 3); // training went on
    const QString all = obs.noticeText();
    QVERIFY2(all.contains(QFileInfo(gone).fileName()), qPrintable(all));
    QVERIFY2(all.contains(QFileInfo(garbled).fileName()), qPrintable(all));
    QVERIFY(all.contains(QLatin1String("skipped")));
}

QTEST_GUILESS_MAIN(tst_ImageTraining)
#include "tst_ImageTraining.moc"
