// graft-cli end to end: exit codes, JSON fields, predictions on real photos, training/export.
#include "support/TestSupport.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

struct Run
{
    int code = -1;
    QByteArray out;
    QByteArray err;
    QJsonDocument json() const { return QJsonDocument::fromJson(out); }
};

Run cli(const QStringList &args, int timeoutMs = 300000)
{
    QProcess p;
    p.start(QStringLiteral(GRAFT_CLI_PATH), args);
    Run r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

/// The independent check of an ONNX export: onnx.checker plus tests/tools/onnx_reference.py
/// (torch.nn.functional) against the TorchScript export of the same model.
void checkWithReferenceInterpreter(const QString &onnx, const QString &pt)
{
    if (!graft::test::pythonHasModule(QStringLiteral("onnx")) ||
        !graft::test::pythonHasModule(QStringLiteral("torch"))) {
        qInfo("python3-onnx or python3-torch missing: the independent check was not run");
        return;
    }
    QProcess py;
    py.start(graft::test::debianPython(),
             {qEnvironmentVariable("GRAFT_SOURCE_DIR") + QStringLiteral("/tests/tools/onnx_reference.py"),
              onnx, pt});
    QVERIFY(py.waitForFinished(300000));
    const QByteArray out = py.readAllStandardOutput();
    qInfo("%s", out.trimmed().constData());
    QVERIFY2(py.exitCode() == 0, (out + py.readAllStandardError()).constData());
}

} // namespace

class tst_Cli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void usage();
    void scanHymenoptera();
    void scanBlockingExitsTwo();
    void backbonesJson();
    void predictWithImageNetClassifier();
    void checkWeightsRejectsMalformed();
    void trainExportEvalPredict();
    void textScanAndTrain();
    void textCrossValidationAgainstBaseline();
    void onnxExportIsCheckedByTwoRuntimes();
    void textExportPredictEval();

private:
    QTemporaryDir m_runs;
};

void tst_Cli::initTestCase()
{
    // Every training run writes a run folder: these go to a folder of this test.
    qputenv("GRAFT_RUNS_DIR", m_runs.path().toUtf8());
}

void tst_Cli::usage()
{
    const Run r = cli({});
    QCOMPARE(r.code, 1);
    QVERIFY(r.out.contains("Usage: graft-cli"));
    QCOMPARE(cli({QStringLiteral("nonsense")}).code, 1);
    const Run h = cli({QStringLiteral("train"), QStringLiteral("--help")});
    QCOMPARE(h.code, 0);
    QVERIFY(h.out.contains("--backbone"));
}

void tst_Cli::scanHymenoptera()
{
    GRAFT_REQUIRE_SHARED(hym, "images/hymenoptera");
    const Run r = cli({QStringLiteral("scan"), hym, QStringLiteral("--json")});
    QCOMPARE(r.code, 0);
    const QJsonObject o = r.json().object();
    QCOMPARE(o.value("kind").toString(), QStringLiteral("image"));
    const QJsonArray classes = o.value("classes").toArray();
    QCOMPARE(classes.size(), 2);
    QCOMPARE(classes[0].toObject().value("name").toString(), QStringLiteral("ants"));
    QCOMPARE(o.value("splits").toObject().value("train").toInt(), 245);
    QCOMPARE(o.value("splits").toObject().value("val").toInt(), 153);
    QVERIFY(o.value("issues").toArray().isEmpty());
    const Run table = cli({QStringLiteral("scan"), hym});
    QCOMPARE(table.code, 0);
    QVERIFY(table.out.contains("ants"));
    QVERIFY(table.out.contains("Ready to train"));
}

void tst_Cli::scanBlockingExitsTwo()
{
    QTemporaryDir d;
    QVERIFY(graft::test::writeFile(d.filePath("only/a.jpg"), QByteArray("not an image")));
    const Run r = cli({QStringLiteral("scan"), d.path(), QStringLiteral("--json")});
    QCOMPARE(r.code, 2);
    const QJsonObject o = r.json().object();
    QVERIFY(!o.value("blocking").toArray().isEmpty());
    QCOMPARE(o.value("issues").toArray()[0].toObject().value("kind").toString(),
             QStringLiteral("not_image"));
    QCOMPARE(cli({QStringLiteral("scan"), d.filePath("missing")}).code, 2);
}

void tst_Cli::backbonesJson()
{
    GRAFT_REQUIRE_SHARED(weights, "weights");
    const Run r = cli({QStringLiteral("backbones"), QStringLiteral("--json"),
                       QStringLiteral("--weights-dir"), weights});
    QCOMPARE(r.code, 0);
    QMap<QString, QJsonObject> byId;
    for (const auto &v : r.json().array())
        byId.insert(v.toObject().value("id").toString(), v.toObject());
    for (const char *id : {"mobilenet_v2_imagenet", "resnet20_cifar10", "resnet18"})
        QVERIFY2(byId.contains(QLatin1String(id)), id);
    QCOMPARE(byId["mobilenet_v2_imagenet"].value("weights").toString(), QStringLiteral("available"));
    QCOMPARE(byId["resnet18"].value("weights").toString(), QStringLiteral("downloadable"));
    for (const auto &o : byId)
        for (const char *key : {"id", "task", "architecture", "pretrained_on", "weights"})
            QVERIFY2(o.contains(QLatin1String(key)), key);
}

void tst_Cli::predictWithImageNetClassifier()
{
    GRAFT_REQUIRE_SHARED(weights, "weights");
    GRAFT_REQUIRE_SHARED(samples, "images/samples");
    const QDir s(samples);
    const Run r = cli({QStringLiteral("predict"), QStringLiteral("--backbone"),
                       QStringLiteral("mobilenet_v2_imagenet"), QStringLiteral("--weights-dir"),
                       weights, QStringLiteral("--json"), QStringLiteral("--topk"),
                       QStringLiteral("3"), s.filePath("cat.bmp"), s.filePath("parrot.jpg"),
                       s.filePath("hot_dog.jpg")});
    QVERIFY2(r.code == 0, r.err.constData());
    const QJsonArray arr = r.json().array();
    QCOMPARE(arr.size(), 3);
    auto top1 = [&](int i) {
        return arr[i].toObject().value("top").toArray()[0].toObject().value("label").toString();
    };
    QVERIFY2(top1(0).contains(QStringLiteral("cat"), Qt::CaseInsensitive), qPrintable(top1(0)));
    QVERIFY2(top1(1).contains(QStringLiteral("macaw"), Qt::CaseInsensitive), qPrintable(top1(1)));
    QVERIFY2(top1(2).contains(QStringLiteral("hotdog"), Qt::CaseInsensitive) ||
                 top1(2).contains(QStringLiteral("hot dog"), Qt::CaseInsensitive),
             qPrintable(top1(2)));
    QCOMPARE(arr[0].toObject().value("top").toArray().size(), 3);
}

void tst_Cli::checkWeightsRejectsMalformed()
{
    QTemporaryDir d;
    // 3-byte file, header length beyond the file, non-JSON header.
    QVERIFY(graft::test::writeFile(d.filePath("three.safetensors"), QByteArray("abc")));
    QByteArray beyond(8, '\0');
    beyond[0] = char(0xFF);
    beyond[1] = char(0xFF);
    QVERIFY(graft::test::writeFile(d.filePath("beyond.safetensors"), beyond + "{}"));
    QByteArray notJson(8, '\0');
    notJson[0] = 4;
    QVERIFY(graft::test::writeFile(d.filePath("notjson.safetensors"), notJson + "nope"));
    for (const char *name : {"three", "beyond", "notjson"}) {
        const QString f = d.filePath(QStringLiteral("%1.safetensors").arg(QLatin1String(name)));
        const Run r = cli({QStringLiteral("check-weights"), f});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(f.toUtf8()), r.err.constData());
    }
    GRAFT_REQUIRE_SHARED(good, "weights/resnet20_cifar10.akamaster.safetensors");
    const Run ok = cli({QStringLiteral("check-weights"), good, QStringLiteral("--backbone"),
                        QStringLiteral("resnet20_cifar10")});
    QVERIFY2(ok.code == 0, ok.err.constData());
    // Right format, wrong backbone: names/shapes do not fit.
    const Run wrong = cli({QStringLiteral("check-weights"), good, QStringLiteral("--backbone"),
                           QStringLiteral("mobilenet_v1_025_128_imagenet")});
    QCOMPARE(wrong.code, 2);
}

void tst_Cli::trainExportEvalPredict()
{
    GRAFT_REQUIRE_SHARED(weights, "weights");
    GRAFT_REQUIRE_SHARED(hym, "images/hymenoptera");
    QTemporaryDir d;
    const QString model = d.filePath("m.pt"), onnx = d.filePath("m.onnx"), report = d.filePath("r.json");
    const Run t = cli({QStringLiteral("train"), QStringLiteral("--data"), hym,
                       QStringLiteral("--backbone"), QStringLiteral("mobilenet_v1_025_128_imagenet"),
                       QStringLiteral("--weights-dir"), weights, QStringLiteral("--epochs"),
                       QStringLiteral("3"), QStringLiteral("--cache-dir"), d.filePath("cache"),
                       QStringLiteral("--export"), model, QStringLiteral("--export-onnx"), onnx,
                       QStringLiteral("--runs-dir"), d.filePath("runs"), QStringLiteral("--report"), report});
    QVERIFY2(t.code == 0, t.err.constData());
    QFile rf(report);
    QVERIFY(rf.open(QIODevice::ReadOnly));
    const QJsonObject o = QJsonDocument::fromJson(rf.readAll()).object();
    for (const char *key : {"val_accuracy", "best_epoch", "epochs", "confusion", "classes",
                            "misclassified", "export"})
        QVERIFY2(o.contains(QLatin1String(key)), key);
    QCOMPARE(o.value("epochs").toArray().size(), 3);
    for (const char *key : {"epoch", "train_loss", "val_loss", "val_accuracy", "seconds"})
        QVERIFY(o.value("epochs").toArray()[0].toObject().contains(QLatin1String(key)));
    QCOMPARE(o.value("export").toObject().value("agreement").toDouble(), 1.0);
    const double acc = o.value("val_accuracy").toDouble();
    QVERIFY(acc > 0.75);

    // The run folder, the TorchScript and the ONNX export evaluate alike (ONNX through OpenCV
    // DNN and its .onnx.json).
    const QString runDir = o.value("run_dir").toString();
    QVERIFY(QFileInfo(runDir + "/run.json").exists());
    for (const QString &m : {model, onnx, runDir}) {
        const Run e = cli({QStringLiteral("eval"), QStringLiteral("--model"), m,
                           QStringLiteral("--data"), hym, QStringLiteral("--json")});
        QVERIFY2(e.code == 0, e.err.constData());
        QCOMPARE(e.json().object().value("accuracy").toDouble(), acc);
    }
    const Run runs = cli({QStringLiteral("runs"), QStringLiteral("--runs-dir"), d.filePath("runs"),
                          QStringLiteral("--json")});
    QCOMPARE(runs.code, 0);
    QCOMPARE(runs.json().array().size(), 1);
    QCOMPARE(runs.json().array()[0].toObject().value("dir").toString(), runDir);
    QCOMPARE(runs.json().array()[0].toObject().value("val_accuracy").toDouble(), acc);
    const Run exported = cli({QStringLiteral("export"), QStringLiteral("--model"), runDir,
                              QStringLiteral("--out"), d.filePath("again.onnx"), QStringLiteral("--json")});
    QVERIFY2(exported.code == 0, exported.err.constData());
    QCOMPARE(exported.json().object().value("agreement").toDouble(), 1.0);
    QCOMPARE(exported.json().object().value("samples").toInt(), 153);

    const QString img = QDir(hym).filePath("val/bees/" +
                                           QDir(hym + "/val/bees").entryList(QDir::Files).first());
    const Run p = cli({QStringLiteral("predict"), QStringLiteral("--model"), model,
                       QStringLiteral("--json"), img});
    QCOMPARE(p.code, 0);
    const QJsonArray top = p.json().array()[0].toObject().value("top").toArray();
    QCOMPARE(top.size(), 2);
    QVERIFY(std::abs(top[0].toObject().value("prob").toDouble() +
                     top[1].toObject().value("prob").toDouble() - 1.0) < 1e-4);
    // The ONNX export predicts the same top-1 for every validation image as the .pt.
    QStringList images;
    for (const char *cls : {"ants", "bees"})
        for (const QString &f : QDir(hym + "/val/" + cls).entryList(QDir::Files))
            images << QDir(hym).filePath(QStringLiteral("val/%1/%2").arg(QLatin1String(cls), f));
    const Run fromPt = cli(QStringList{QStringLiteral("predict"), QStringLiteral("--model"), model,
                                       QStringLiteral("--topk"), QStringLiteral("1"), QStringLiteral("--json")} + images);
    const Run fromOnnx = cli(QStringList{QStringLiteral("predict"), QStringLiteral("--model"), onnx,
                                         QStringLiteral("--topk"), QStringLiteral("1"), QStringLiteral("--json")} + images);
    QVERIFY2(fromPt.code == 0 && fromOnnx.code == 0, fromOnnx.err.constData());
    const QJsonArray a = fromPt.json().array(), b = fromOnnx.json().array();
    QCOMPARE(a.size(), qsizetype(153));
    QCOMPARE(b.size(), a.size());
    for (qsizetype i = 0; i < a.size(); ++i)
        QCOMPARE(b[i].toObject().value("top").toArray()[0].toObject().value("label"),
                 a[i].toObject().value("top").toArray()[0].toObject().value("label"));
    // A file that is not a model.
    const Run bad = cli({QStringLiteral("predict"), QStringLiteral("--model"), report, img});
    QCOMPARE(bad.code, 2);
}

void tst_Cli::onnxExportIsCheckedByTwoRuntimes()
{
    // Issue 7: a MobileNetV2 classifier exported as ONNX agrees with the in-app model on 100 %
    // of the validation images in OpenCV DNN (inside graft-cli), passes onnx.checker and gives
    // the same probabilities as the TorchScript export in an independent interpreter.
    GRAFT_REQUIRE_SHARED(weights, "weights");
    GRAFT_REQUIRE_SHARED(hym, "images/hymenoptera");
    QTemporaryDir d;
    const QString onnx = d.filePath("ants.onnx"), pt = d.filePath("ants.pt"),
                  report = d.filePath("r.json");
    const Run t = cli({QStringLiteral("train"), QStringLiteral("--data"), hym,
                       QStringLiteral("--backbone"), QStringLiteral("mobilenet_v2_imagenet"),
                       QStringLiteral("--weights-dir"), weights, QStringLiteral("--epochs"),
                       QStringLiteral("2"), QStringLiteral("--cache-dir"), d.filePath("cache"),
                       QStringLiteral("--export"), pt, QStringLiteral("--export-onnx"), onnx,
                       QStringLiteral("--report"), report, QStringLiteral("--quiet")});
    QVERIFY2(t.code == 0, t.err.constData());
    QFile rf(report);
    QVERIFY(rf.open(QIODevice::ReadOnly));
    const QJsonObject o = QJsonDocument::fromJson(rf.readAll()).object().value("export_onnx").toObject();
    QCOMPARE(o.value("samples").toInt(), 153);
    QCOMPARE(o.value("agreement").toDouble(), 1.0);
    QVERIFY2(o.value("max_abs_prob_diff").toDouble() < 1e-4,
             qPrintable(QString::number(o.value("max_abs_prob_diff").toDouble())));
    QFile mj(d.filePath("ants.onnx.json"));
    QVERIFY(mj.open(QIODevice::ReadOnly));
    const QJsonObject meta = QJsonDocument::fromJson(mj.readAll()).object();
    QCOMPARE(meta.value("model_format").toString(), QStringLiteral("onnx"));
    QCOMPARE(graft::test::readJson(d.filePath("ants.json")).value("model_format").toString(),
             QStringLiteral("torchscript"));
    QCOMPARE(meta.value("labels").toArray().size(), 2);
    checkWithReferenceInterpreter(onnx, pt);
}

void tst_Cli::textScanAndTrain()
{
    QTemporaryDir d;
    QVERIFY(graft::test::writeFile(d.filePath("reviews.tsv"),
                                   QByteArray("great phone\tpositive\nawful service\tnegative\n"
                                              "loved it\tpositive\nbroke in a day\tnegative\n")));
    const Run s = cli({QStringLiteral("scan"), d.filePath("reviews.tsv"), QStringLiteral("--json")});
    QVERIFY2(s.code == 0, s.err.constData());
    QCOMPARE(s.json().object().value("kind").toString(), QStringLiteral("text"));
    QCOMPARE(s.json().object().value("classes").toArray().size(), 2);
    GRAFT_REQUIRE_SHARED(en, "text/uci_sentiment_en");
    GRAFT_REQUIRE_SHARED(glove, "embeddings/glove.6B.100d.txt");
    const Run folder = cli({QStringLiteral("scan"), en});
    QCOMPARE(folder.code, 0);
    QVERIFY(folder.out.contains("Text dataset"));
    const QString report = d.filePath("r.json");
    const Run t = cli({QStringLiteral("train"), QStringLiteral("--data"), en,
                       QStringLiteral("--vectors"), glove, QStringLiteral("--epochs"),
                       QStringLiteral("3"), QStringLiteral("--report"), report,
                       QStringLiteral("--quiet")});
    QVERIFY2(t.code == 0, t.err.constData());
    QFile f(report);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
    QCOMPARE(o.value("kind").toString(), QStringLiteral("text"));
    for (const char *key : {"val_accuracy", "best_epoch", "epochs", "confusion", "classes",
                            "misclassified"})
        QVERIFY2(o.contains(QLatin1String(key)), key);
    QVERIFY(o.value("val_accuracy").toDouble() > 0.75);
}

// train --folds K: per-fold accuracy of the model and of the bag-of-words baseline, computed
// in the same run on the same folds, with means in the JSON report.
void tst_Cli::textCrossValidationAgainstBaseline()
{
    QTemporaryDir d;
    QByteArray tsv;
    const char *good[] = {"great", "excellent", "loved", "superb", "perfect"};
    const char *bad[] = {"awful", "broken", "hated", "poor", "terrible"};
    for (int i = 0; i < 40; ++i)
        tsv += QByteArray("the phone was ") + good[i % 5] + " really\tpositive\n" +
               "the phone was " + bad[i % 5] + " really\tnegative\n";
    QVERIFY(graft::test::writeFile(d.filePath("reviews.tsv"), tsv));
    const QString report = d.filePath("cv.json");
    const Run r = cli({QStringLiteral("train"), QStringLiteral("--data"), d.filePath("reviews.tsv"),
                       QStringLiteral("--folds"), QStringLiteral("4"), QStringLiteral("--epochs"),
                       QStringLiteral("8"), QStringLiteral("--lr"), QStringLiteral("0.03"),
                       QStringLiteral("--report"), report});
    QVERIFY2(r.code == 0, r.err.constData());
    QCOMPARE(r.err.count("fold "), 4);
    QVERIFY2(r.out.contains("4-fold accuracy"), r.out.constData());
    const QJsonObject cv = graft::test::readJson(report).value("cross_validation").toObject();
    QCOMPARE(cv.value("folds").toInt(), 4);
    QCOMPARE(cv.value("samples").toInt(), 80);
    const QJsonArray folds = cv.value("per_fold").toArray();
    QCOMPARE(folds.size(), 4);
    double sum = 0;
    for (const auto &f : folds) {
        QCOMPARE(f.toObject().value("val").toInt(), 20);
        sum += f.toObject().value("accuracy").toDouble();
    }
    QVERIFY(std::fabs(cv.value("accuracy_mean").toDouble() - sum / 4) < 1e-9);
    // One decisive word per review: both methods learn it.
    QVERIFY2(cv.value("accuracy_mean").toDouble() >= 0.9, report.toUtf8().constData());
    QVERIFY(cv.value("baseline").toObject().value("accuracy_mean").toDouble() >= 0.9);

    // Misuse is refused: one fold, --export with --folds, --folds for images.
    QCOMPARE(cli({QStringLiteral("train"), QStringLiteral("--data"), d.filePath("reviews.tsv"),
                  QStringLiteral("--folds"), QStringLiteral("1")}).code, 1);
    QCOMPARE(cli({QStringLiteral("train"), QStringLiteral("--data"), d.filePath("reviews.tsv"),
                  QStringLiteral("--folds"), QStringLiteral("3"), QStringLiteral("--export"),
                  d.filePath("m.pt")}).code, 1);
    QVERIFY(!QFileInfo::exists(d.filePath("m.pt")));
    // More folds than a class has texts: a clear error naming the class.
    const Run tooMany = cli({QStringLiteral("train"), QStringLiteral("--data"),
                             d.filePath("reviews.tsv"), QStringLiteral("--folds"),
                             QStringLiteral("50")});
    QCOMPARE(tooMany.code, 2);
    QVERIFY2(tooMany.err.contains("fewer than the 50 folds"), tooMany.err.constData());
}

void tst_Cli::textExportPredictEval()
{
    // Issue 6/7: a text classifier trained from the CLI is exported as TorchScript and ONNX
    // (each checked against the trained network on every validation text: 100 % agreement,
    // ONNX in OpenCV DNN), then predicts typed text and evaluates like the report said.
    GRAFT_REQUIRE_SHARED(en, "text/uci_sentiment_en");
    GRAFT_REQUIRE_SHARED(glove, "embeddings/glove.6B.100d.txt");
    QTemporaryDir d;
    const QString pt = d.filePath("reviews.pt"), onnx = d.filePath("reviews.onnx"),
                  report = d.filePath("r.json");
    const Run t = cli({QStringLiteral("train"), QStringLiteral("--data"), en,
                       QStringLiteral("--vectors"), glove, QStringLiteral("--epochs"),
                       QStringLiteral("3"), QStringLiteral("--export"), pt,
                       QStringLiteral("--export-onnx"), onnx, QStringLiteral("--report"), report,
                       QStringLiteral("--quiet")});
    QVERIFY2(t.code == 0, t.err.constData());
    const QJsonObject o = graft::test::readJson(report);
    for (const char *key : {"export", "export_onnx"}) {
        const QJsonObject e = o.value(QLatin1String(key)).toObject();
        QCOMPARE(e.value("samples").toInt(), 600);
        QCOMPARE(e.value("agreement").toDouble(), 1.0);
        QVERIFY2(e.value("max_abs_prob_diff").toDouble() < 1e-4, key);
    }
    QCOMPARE(graft::test::readJson(d.filePath("reviews.onnx.json")).value("kind").toString(),
             QStringLiteral("text"));

    const Run p = cli({QStringLiteral("predict"), QStringLiteral("--model"), pt,
                       QStringLiteral("--text"), QStringLiteral("Great food and a lovely staff"),
                       QStringLiteral("--text"), QStringLiteral("Terrible, it broke after a day"),
                       QStringLiteral("--explain"), QStringLiteral("--json")});
    QVERIFY2(p.code == 0, p.err.constData());
    const QJsonArray preds = p.json().array();
    QCOMPARE(preds.size(), 2);
    QCOMPARE(preds[0].toObject().value("top").toArray()[0].toObject().value("label").toString(),
             QStringLiteral("positive"));
    QCOMPARE(preds[1].toObject().value("top").toArray()[0].toObject().value("label").toString(),
             QStringLiteral("negative"));
    QVERIFY(!preds[0].toObject().value("words").toArray().isEmpty());

    for (const QString &m : {pt, onnx}) {
        const Run e = cli({QStringLiteral("eval"), QStringLiteral("--model"), m, QStringLiteral("--data"),
                           en, QStringLiteral("--json")});
        QVERIFY2(e.code == 0, e.err.constData());
        QCOMPARE(e.json().object().value("samples").toInt(), 600);
        QVERIFY(std::abs(e.json().object().value("accuracy").toDouble() -
                         o.value("val_accuracy").toDouble()) < 1e-9);
    }
    const Run po = cli({QStringLiteral("predict"), QStringLiteral("--model"), onnx,
                        QStringLiteral("--text"), QStringLiteral("Great food and a lovely staff"),
                        QStringLiteral("--text"), QStringLiteral("Terrible, it broke after a day"),
                        QStringLiteral("--json")});
    QVERIFY2(po.code == 0, po.err.constData());
    for (int i = 0; i < 2; ++i)
        QCOMPARE(po.json().array()[i].toObject().value("top").toArray()[0].toObject().value("label"),
                 preds[i].toObject().value("top").toArray()[0].toObject().value("label"));

    checkWithReferenceInterpreter(onnx, pt);
}

QTEST_GUILESS_MAIN(tst_Cli)
#include "tst_Cli.moc"
