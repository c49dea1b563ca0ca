#include "graft/vision/BackboneCatalogue.h"
#include "support/TestSupport.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace graft;
using vision::BackboneCatalogue;
using vision::BackboneSpec;
using vision::WeightsState;

namespace {

QByteArray catalogueWith(const QJsonObject &entry)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("backbones"), QJsonArray{entry}}}).toJson();
}

QJsonObject minimalEntry()
{
    return QJsonObject{
        {QStringLiteral("id"), QStringLiteral("tiny")},
        {QStringLiteral("task"), QStringLiteral("image")},
        {QStringLiteral("architecture"), QStringLiteral("resnet")},
        {QStringLiteral("weightsFile"), QStringLiteral("tiny.safetensors")},
        {QStringLiteral("preprocessing"),
         QJsonObject{{QStringLiteral("inputSize"), 64},
                     {QStringLiteral("scaling"), QStringLiteral("zero-to-one")}}},
    };
}

} // namespace

class tst_BackboneCatalogue : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void builtinIds();
    void builtinEntries();
    void builtinMatchesSharedFiles();
    void specJsonRoundTrip();
    void preprocessingJson();
    void rejects_data();
    void rejects();
    void rejectsDocument();
    void weightsDirResolution();
    void weightsStates();
};

void tst_BackboneCatalogue::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void tst_BackboneCatalogue::builtinIds()
{
    const BackboneCatalogue &cat = BackboneCatalogue::builtin();
    const QStringList expected = {
        QStringLiteral("mobilenet_v2_imagenet"),
        QStringLiteral("mobilenet_v1_imagenet"),
        QStringLiteral("mobilenet_v1_025_128_imagenet"),
        QStringLiteral("mobilenet_v1_025_imagenet_keras"),
        QStringLiteral("resnet20_cifar10"),
        QStringLiteral("resnet56_cifar10"),
        QStringLiteral("resnet18"),
        QStringLiteral("resnet34"),
        QStringLiteral("resnet50"),
        QStringLiteral("mobilenet_v2"),
        QStringLiteral("efficientnet_b0"),
        QStringLiteral("glove_6b_100d"),
        QStringLiteral("fasttext_cc_en_300"),
        QStringLiteral("fasttext_cc_es_300"),
        QStringLiteral("fasttext_wiki_news_300d_1m"),
    };
    QStringList ids;
    for (const BackboneSpec &s : cat.all())
        ids << s.id;
    QCOMPARE(ids, expected);
    QVERIFY(cat.find(QStringLiteral("resnet18")));
    QVERIFY(!cat.find(QStringLiteral("resnet19")));
    QCOMPARE(&BackboneCatalogue::builtin(), &cat); // parsed once
}

void tst_BackboneCatalogue::builtinEntries()
{
    const BackboneCatalogue &cat = BackboneCatalogue::builtin();
    const BackboneSpec *v2 = cat.find(QStringLiteral("mobilenet_v2_imagenet"));
    QVERIFY(v2);
    QCOMPARE(v2->task, QStringLiteral("image"));
    QCOMPARE(v2->weightsFile, QStringLiteral("mobilenet_v2_1.0_224_imagenet.coral.safetensors"));
    QCOMPARE(v2->preprocessing.scaling, vision::Scaling::MinusOneToOne);
    QCOMPARE(v2->preprocessing.resize, vision::ResizePolicy::Squash);
    QCOMPARE(v2->preprocessing.inputSize, 224);
    QCOMPARE(v2->classifierClasses, 1001);
    QCOMPARE(v2->labelsFile, QStringLiteral("imagenet_labels.coral.txt"));

    const BackboneSpec *small = cat.find(QStringLiteral("mobilenet_v1_025_128_imagenet"));
    QCOMPARE(small->preprocessing.inputSize, 128);
    QCOMPARE(small->classifierClasses, 1001);
    QCOMPARE(cat.find(QStringLiteral("mobilenet_v1_imagenet"))->classifierClasses, 0);

    const BackboneSpec *cifar = cat.find(QStringLiteral("resnet20_cifar10"));
    QCOMPARE(cifar->preprocessing.inputSize, 32);
    QCOMPARE(cifar->preprocessing.scaling, vision::Scaling::MeanStd);
    QCOMPARE(cifar->preprocessing.mean[0], 0.485f);
    QCOMPARE(cifar->options.value(QStringLiteral("depth")).toInt(), 20);
    QCOMPARE(cifar->options.value(QStringLiteral("labels")).toArray().size(), 10);

    for (const char *id : {"resnet18", "resnet34", "resnet50", "mobilenet_v2", "efficientnet_b0"}) {
        const BackboneSpec *s = cat.find(QLatin1String(id));
        QVERIFY2(s, id);
        QVERIFY2(s->url.startsWith(QStringLiteral("https://huggingface.co/timm/")), id);
        QCOMPARE(s->preprocessing.resize, vision::ResizePolicy::CenterCrop);
        QCOMPARE(s->preprocessing.std[2], 0.225f);
        QCOMPARE(s->classifierClasses, 1000);
        // Where the hash is unknown the description says so.
        if (s->sha256.isEmpty())
            QVERIFY2(s->description.contains(QStringLiteral("SHA-256")), id);
    }
    QCOMPARE(cat.find(QStringLiteral("resnet18"))->sha256,
             QStringLiteral("694f673df6520a3158624e8a89af086f59923ee4cd7436fe5bc3bc71d295ad81"));

    int text = 0;
    for (const BackboneSpec &s : cat.all()) {
        QVERIFY(!s.displayName.isEmpty());
        QVERIFY(!s.licence.isEmpty());
        QVERIFY(!s.pretrainedOn.isEmpty());
        QVERIFY(!s.description.isEmpty());
        if (s.task == QLatin1String("text")) {
            ++text;
            QCOMPARE(s.architecture, QStringLiteral("word_vectors"));
        }
    }
    QCOMPARE(text, 4);
    QCOMPARE(cat.find(QStringLiteral("glove_6b_100d"))->weightsFile,
             QStringLiteral("glove.6B.100d.txt"));
    QVERIFY(cat.find(QStringLiteral("fasttext_cc_es_300"))
                ->url.startsWith(QStringLiteral("https://dl.fbaipublicfiles.com/fasttext/")));
}

void tst_BackboneCatalogue::builtinMatchesSharedFiles()
{
    GRAFT_REQUIRE_SHARED(dir, "weights");
    int checked = 0;
    for (const BackboneSpec &s : BackboneCatalogue::builtin().all()) {
        const QString path = vision::weightsPath(s, dir);
        if (!QFileInfo::exists(path))
            continue;
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCryptographicHash hash(QCryptographicHash::Sha256);
        QVERIFY(hash.addData(&f));
        QCOMPARE(f.size(), s.sizeBytes);
        QCOMPARE(QString::fromLatin1(hash.result().toHex()), s.sha256);
        QCOMPARE(vision::weightsState(s, dir), WeightsState::Available);
        if (!s.labelsFile.isEmpty())
            QVERIFY(QFileInfo::exists(QDir(dir).filePath(s.labelsFile)));
        ++checked;
    }
    QCOMPARE(checked, 6);
}

void tst_BackboneCatalogue::specJsonRoundTrip()
{
    for (const BackboneSpec &s : BackboneCatalogue::builtin().all()) {
        const auto back = BackboneSpec::fromJson(s.toJson());
        QVERIFY2(back.ok(), qPrintable(back.ok() ? QString() : back.error().message()));
        QCOMPARE(back->toJson(), s.toJson());
        QCOMPARE(back->preprocessing.key(), s.preprocessing.key());
    }
}

void tst_BackboneCatalogue::preprocessingJson()
{
    vision::Preprocessing p;
    p.inputSize = 299;
    p.resize = vision::ResizePolicy::Pad;
    p.scaling = vision::Scaling::ZeroToOne;
    p.mean = {0.1f, 0.2f, 0.3f};
    p.bgr = true;
    const vision::Preprocessing back = vision::Preprocessing::fromJson(p.toJson());
    QCOMPARE(back.inputSize, 299);
    QCOMPARE(back.resize, vision::ResizePolicy::Pad);
    QCOMPARE(back.scaling, vision::Scaling::ZeroToOne);
    QCOMPARE(back.mean[2], 0.3f);
    QVERIFY(back.bgr);
    QCOMPARE(back.key(), p.key());
    QCOMPARE(vision::Preprocessing{}.key(),
             QStringLiteral("224/squash/mean-std/0.485,0.456,0.406/0.229,0.224,0.225"));
    vision::Preprocessing crop;
    crop.resize = vision::ResizePolicy::CenterCrop;
    QVERIFY(crop.key().contains(QStringLiteral("center-crop@0.875")));
    QVERIFY(crop.key() != vision::Preprocessing{}.key());

    vision::Augmentation a;
    a.enabled = true;
    a.maxRotationDegrees = 25.f;
    const vision::Augmentation aBack = vision::Augmentation::fromJson(a.toJson());
    QVERIFY(aBack.enabled);
    QCOMPARE(aBack.maxRotationDegrees, 25.f);
    QCOMPARE(aBack.minScale, a.minScale);
}

void tst_BackboneCatalogue::rejects_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("expected");

    QTest::newRow("bad id") << "id" << QJsonValue("Tiny Net") << "id must be a non-empty string";
    QTest::newRow("bad task") << "task" << QJsonValue("audio")
                              << "task must be \"image\" or \"text\"";
    QTest::newRow("no architecture")
        << "architecture" << QJsonValue("") << "architecture is missing";
    QTest::newRow("path escape") << "weightsFile" << QJsonValue("../../etc/passwd")
                                 << "weightsFile must be a plain file name";
    QTest::newRow("hidden file") << "weightsFile" << QJsonValue(".x") << "plain file name";
    QTest::newRow("labels escape")
        << "labelsFile" << QJsonValue("/etc/passwd") << "labelsFile must be a plain file name";
    QTest::newRow("bad url") << "url" << QJsonValue("ftp://example.org/x")
                             << "url must be an http(s)";
    QTest::newRow("bad sha") << "sha256" << QJsonValue("abc123") << "sha256 must be 64 hexadecimal";
    QTest::newRow("negative size") << "sizeBytes" << QJsonValue(-5) << "sizeBytes must be";
    QTest::newRow("fractional classes")
        << "classifierClasses" << QJsonValue(2.5) << "classifierClasses must be";
    QTest::newRow("options not object")
        << "options" << QJsonValue(3) << "options must be an object";
    QTest::newRow("name not string")
        << "displayName" << QJsonValue(7) << "displayName must be a string";
    QTest::newRow("typo field") << "sha265" << QJsonValue("x") << "unknown field \"sha265\"";
    QTest::newRow("no preprocessing")
        << "preprocessing" << QJsonValue(1) << "preprocessing must be an object";
    QTest::newRow("bad scaling") << "preprocessing"
                                 << QJsonValue(QJsonObject{{"inputSize", 64}, {"scaling", "unit"}})
                                 << "preprocessing.scaling must be";
    QTest::newRow("bad size") << "preprocessing"
                              << QJsonValue(QJsonObject{{"inputSize", 0}, {"scaling", "mean-std"}})
                              << "preprocessing.inputSize must be";
    QTest::newRow("zero std") << "preprocessing"
                              << QJsonValue(QJsonObject{{"inputSize", 64},
                                                        {"scaling", "mean-std"},
                                                        {"std", QJsonArray{0.2, 0, 0.2}}})
                              << "preprocessing.std must be three positive numbers";
    QTest::newRow("bad resize") << "preprocessing"
                                << QJsonValue(QJsonObject{{"inputSize", 64},
                                                          {"scaling", "mean-std"},
                                                          {"resize", "crop"}})
                                << "preprocessing.resize must be";
}

void tst_BackboneCatalogue::rejects()
{
    QFETCH(QString, key);
    QFETCH(QJsonValue, value);
    QFETCH(QString, expected);

    QVERIFY(BackboneCatalogue::fromJson(catalogueWith(minimalEntry())).ok());
    QJsonObject entry = minimalEntry();
    entry.insert(key, value);
    const auto result =
        BackboneCatalogue::fromJson(catalogueWith(entry), QStringLiteral("custom.json"));
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, core::ErrorCode::InvalidFormat);
    QCOMPARE(result.error().file, QStringLiteral("custom.json"));
    QVERIFY2(result.error().detail.startsWith(QStringLiteral("entry 1, backbone")),
             qPrintable(result.error().detail));
    QVERIFY2(result.error().detail.contains(expected), qPrintable(result.error().detail));
}

void tst_BackboneCatalogue::rejectsDocument()
{
    auto r = BackboneCatalogue::fromJson("{\"backbones\": [", QStringLiteral("c.json"));
    QVERIFY(!r.ok());
    QVERIFY(r.error().message().startsWith(QStringLiteral("c.json: not valid JSON")));
    r = BackboneCatalogue::fromJson("[]");
    QVERIFY(!r.ok());
    QVERIFY(r.error().detail.contains(QStringLiteral("\"backbones\" array")));
    r = BackboneCatalogue::fromJson("{\"backbones\": [3]}");
    QVERIFY(r.error().detail.contains(QStringLiteral("entry 1 is not an object")));

    const QJsonObject e = minimalEntry();
    r = BackboneCatalogue::fromJson(
        QJsonDocument(QJsonObject{{QStringLiteral("backbones"), QJsonArray{e, e}}}).toJson());
    QVERIFY(!r.ok());
    QVERIFY(r.error().detail.contains(QStringLiteral("entry 2: duplicate id 'tiny'")));

    // A text entry needs no preprocessing.
    QJsonObject text = minimalEntry();
    text.remove(QStringLiteral("preprocessing"));
    text.insert(QStringLiteral("task"), QStringLiteral("text"));
    QVERIFY(BackboneCatalogue::fromJson(catalogueWith(text)).ok());
}

void tst_BackboneCatalogue::weightsDirResolution()
{
    qunsetenv("GRAFT_WEIGHTS_DIR");
    const QString fallback = vision::resolveWeightsDir();
    QVERIFY2(fallback.endsWith(QStringLiteral("/weights")), qPrintable(fallback));
    QVERIFY(QDir::isAbsolutePath(fallback));

    qputenv("GRAFT_WEIGHTS_DIR", "/tmp/graft-env-weights/");
    QCOMPARE(vision::resolveWeightsDir(), QStringLiteral("/tmp/graft-env-weights"));
    QCOMPARE(vision::resolveWeightsDir(QStringLiteral("/opt/w/../weights")),
             QStringLiteral("/opt/weights"));
    qunsetenv("GRAFT_WEIGHTS_DIR");
}

void tst_BackboneCatalogue::weightsStates()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    BackboneSpec spec = BackboneSpec::fromJson(minimalEntry()).value();
    QCOMPARE(vision::weightsState(spec, dir.path()), WeightsState::Missing);
    spec.url = QStringLiteral("https://example.org/tiny.safetensors");
    QCOMPARE(vision::weightsState(spec, dir.path()), WeightsState::Downloadable);
    QVERIFY(test::writeFile(dir.filePath(QStringLiteral("tiny.safetensors")), "x"));
    QCOMPARE(vision::weightsState(spec, dir.path()), WeightsState::Available);
    QCOMPARE(vision::weightsPath(spec, dir.path()),
             dir.filePath(QStringLiteral("tiny.safetensors")));
    QCOMPARE(QString::fromLatin1(vision::weightsStateName(WeightsState::Downloadable)),
             QStringLiteral("downloadable"));
}

QTEST_APPLESS_MAIN(tst_BackboneCatalogue)
#include "tst_BackboneCatalogue.moc"
