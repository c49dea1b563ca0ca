// graft-cli train has one path for every task: each option reaches the engine (the run's
// report shows it in the configuration core used, or in what the run did) or is refused with
// exit 2 and a message naming it. Small synthetic data, one epoch, so every row is quick.
#include "support/TestSupport.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <random>

namespace {

struct Run
{
    int code = -1;
    QByteArray out, err;
};

Run cli(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral(GRAFT_CLI_PATH), args);
    Run r;
    if (!p.waitForFinished(300000)) {
        p.kill();
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

/// 32 x 32 24-bit BMP images, two classes told apart by colour.
void writeImages(const QString &root)
{
    std::mt19937 rng(11);
    const auto le = [](QByteArray &b, quint32 v, int bytes) {
        for (int k = 0; k < bytes; ++k)
            b += char((v >> (8 * k)) & 0xff);
    };
    for (int c = 0; c < 2; ++c)
        for (int i = 0; i < 14; ++i) {
            QByteArray bmp = "BM";
            le(bmp, 54 + 32 * 32 * 3, 4);
            le(bmp, 0, 4);
            le(bmp, 54, 4);
            le(bmp, 40, 4);
            le(bmp, 32, 4);
            le(bmp, 32, 4);
            le(bmp, 1, 2);
            le(bmp, 24, 2);
            for (int k = 0; k < 6; ++k)
                le(bmp, 0, 4);
            for (int p = 0; p < 32 * 32; ++p) { // BGR
                const int noise = int(rng() % 60);
                bmp += char(c ? 190 + noise / 2 : 40 + noise);
                bmp += char(90 + noise);
                bmp += char(c ? 40 + noise : 190 + noise / 2);
            }
            graft::test::writeFile(QStringLiteral("%1/%2/%3.bmp").arg(root, c ? "blue" : "red").arg(i), bmp);
        }
}

/// Reviews in class folders, one decisive word each.
void writeReviews(const QString &root)
{
    const char *good[] = {"great", "excellent", "loved", "superb"};
    const char *bad[] = {"awful", "broken", "hated", "poor"};
    for (int i = 0; i < 24; ++i) {
        graft::test::writeFile(QStringLiteral("%1/pos/%2.txt").arg(root).arg(i),
                               QByteArray("the phone was ") + good[i % 4] + " really");
        graft::test::writeFile(QStringLiteral("%1/neg/%2.txt").arg(root).arg(i),
                               QByteArray("the phone was ") + bad[i % 4] + " really");
    }
}

/// A value at a dotted path ("config.text.head") of a JSON object.
QJsonValue at(const QJsonObject &root, const QString &path)
{
    QJsonValue v = root;
    for (const QString &key : path.split(QLatin1Char('.')))
        v = v.toObject().value(key);
    return v;
}

} // namespace

class tst_CliOptions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void optionReachesTheEngine_data();
    void optionReachesTheEngine();
    void optionIsRefused_data();
    void optionIsRefused();
    void catalogueVectorsLoadLikeAFile();

private:
    QTemporaryDir m_tmp;
    QString m_images, m_reviews, m_vectors;
    int m_runs = 0;

    QStringList base(const QString &task) const
    {
        QStringList a{QStringLiteral("train"), QStringLiteral("--epochs"), QStringLiteral("1"),
                      QStringLiteral("--quiet"), QStringLiteral("--threads"), QStringLiteral("1")};
        if (task == QLatin1String("image"))
            a << QStringLiteral("--data") << m_images << QStringLiteral("--backbone")
              << QStringLiteral("resnet20_cifar10") << QStringLiteral("--random-init")
              << QStringLiteral("--cache-dir") << m_tmp.filePath(QStringLiteral("cache"));
        else
            a << QStringLiteral("--data") << m_reviews;
        return a;
    }
};

void tst_CliOptions::initTestCase()
{
    m_images = m_tmp.filePath(QStringLiteral("images"));
    m_reviews = m_tmp.filePath(QStringLiteral("reviews"));
    writeImages(m_images);
    writeReviews(m_reviews);
    m_vectors = m_tmp.filePath(QStringLiteral("vectors/glove.6B.100d.txt"));
    QByteArray vectors;
    int k = 0;
    for (const char *w : {"the", "phone", "was", "great", "excellent", "loved", "superb", "awful",
                          "broken", "hated", "poor", "really"}) {
        vectors += w;
        for (int d = 0; d < 100; ++d)
            vectors += ' ' + QByteArray::number(((k * 37 + d * 11) % 19 - 9) / 10.0);
        vectors += '\n';
        ++k;
    }
    QVERIFY(graft::test::writeFile(m_vectors, vectors));
    qputenv("GRAFT_RUNS_DIR", m_tmp.filePath(QStringLiteral("runs")).toUtf8());
}

void tst_CliOptions::optionReachesTheEngine_data()
{
    QTest::addColumn<QString>("task");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("path");   // in the JSON report
    QTest::addColumn<QJsonValue>("expected");
    const auto row = [](const char *task, const char *name, QStringList args, const char *path, QJsonValue v) {
        QTest::newRow(qPrintable(QStringLiteral("%1 %2").arg(QLatin1String(task), QLatin1String(name))))
            << QString::fromLatin1(task) << args << QString::fromLatin1(path) << v;
    };
    for (const char *t : {"image", "text"}) {
        row(t, "--epochs", {"--epochs", "2"}, "config.epochs", 2);
        row(t, "--batch-size", {"--batch-size", "8"}, "config.batch_size", 8);
        row(t, "--lr", {"--lr", "0.004"}, "config.learning_rate", 0.004);
        row(t, "--schedule", {"--schedule", "cosine"}, "config.schedule", "cosine");
        row(t, "--warmup", {"--warmup", "0.1"}, "config.warmup_fraction", 0.1);
        row(t, "--optimizer", {"--optimizer", "sgd"}, "config.optimizer", "sgd");
        row(t, "--weight-decay", {"--weight-decay", "0.05"}, "config.weight_decay", 0.05);
        row(t, "--label-smoothing", {"--label-smoothing", "0.1"}, "config.label_smoothing", 0.1);
        row(t, "--balanced", {"--balanced"}, "config.balanced_class_weights", true);
        row(t, "--patience", {"--patience", "3"}, "config.early_stopping_patience", 3);
        row(t, "--monitor", {"--monitor", "loss"}, "monitor", "val_loss");
        row(t, "--val-fraction", {"--val-fraction", "0.25"}, "config.val_fraction", 0.25);
        row(t, "--seed", {"--seed", "7"}, "config.seed", 7);
        row(t, "--threads", {"--threads", "1"}, "config.threads", 1);
        row(t, "--device", {"--device", "cpu"}, "details.device", "cpu");
        row(t, "--kind", {"--kind", t}, "kind", t);
    }
    row("image", "--head", {"--head", "mlp"}, "model.head", "mlp");
    row("image", "--recipe", {"--recipe", "full", "--head-epochs", "0"}, "config.recipe", "full");
    row("image", "--cut", {"--cut", "2"}, "model.cut", 2);
    row("image", "--fine-tune-groups", {"--recipe", "fine-tune", "--fine-tune-groups", "1"}, "config.fine_tune_groups", 1);
    row("image", "--head-epochs", {"--recipe", "fine-tune", "--head-epochs", "1", "--epochs", "2"}, "config.head_epochs", 1);
    row("image", "--backbone-lr-factor", {"--backbone-lr-factor", "0.2"}, "config.backbone_lr_factor", 0.2);
    row("image", "--augment", {"--augment", "on"}, "config.augment", true);
    row("image", "--augment-views", {"--augment", "on", "--augment-views", "3"}, "config.augment_views", 3);
    row("image", "--no-cache", {"--no-cache"}, "config.feature_cache", false);
    row("image", "--random-init", {}, "config.pretrained", false);
    row("image", "--backbone", {}, "model.backbone", "resnet20_cifar10");
    row("text", "--head", {"--head", "cnn"}, "model.head", "cnn");
    row("text", "--vectors", {"--vectors", "VECTORS"}, "details.vector_coverage", 1.0);
    row("text", "--freeze-embeddings", {"--freeze-embeddings"}, "config.text.freeze_embeddings", true);
    row("text", "--subwords", {"--subwords", "200"}, "model.subword_pieces", true);
    row("text", "--max-tokens", {"--max-tokens", "3"}, "config.text.max_tokens", 3);
}

void tst_CliOptions::optionReachesTheEngine()
{
    QFETCH(QString, task);
    QFETCH(QStringList, args);
    QFETCH(QString, path);
    QFETCH(QJsonValue, expected);
    for (QString &a : args)
        if (a == QLatin1String("VECTORS"))
            a = m_vectors;
    const QString report = m_tmp.filePath(QStringLiteral("r%1.json").arg(++m_runs));
    const Run r = cli(base(task) + args + QStringList{QStringLiteral("--report"), report});
    QVERIFY2(r.code == 0, r.err.constData());
    const QJsonObject json = graft::test::readJson(report);
    const QJsonValue got = at(json, path);
    QVERIFY2(got == expected, qPrintable(QStringLiteral("%1 = %2").arg(path, QString::fromUtf8(
                                                                               QJsonDocument(QJsonArray{got}).toJson(QJsonDocument::Compact)))));
}

void tst_CliOptions::optionIsRefused_data()
{
    QTest::addColumn<QString>("task");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("named");
    for (const char *o : {"--random-init", "--no-cache"})
        QTest::newRow(o) << "text" << QStringList{o} << QString::fromLatin1(o);
    const QList<QPair<const char *, const char *>> withValue = {
        {"--recipe", "full"}, {"--cut", "2"}, {"--fine-tune-groups", "1"}, {"--head-epochs", "1"},
        {"--backbone-lr-factor", "0.2"}, {"--augment", "on"}, {"--augment-views", "2"},
        {"--cache-dir", "/tmp/x"}};
    for (const auto &[o, v] : withValue)
        QTest::newRow(o) << "text" << QStringList{o, v} << QString::fromLatin1(o);
    const QList<QPair<const char *, const char *>> textOnly = {
        {"--vectors", "v.txt"}, {"--subwords", "10"}, {"--lm", "x.lm"}, {"--folds", "3"},
        {"--max-tokens", "5"}};
    for (const auto &[o, v] : textOnly)
        QTest::newRow(o) << "image" << QStringList{o, v} << QString::fromLatin1(o);
    QTest::newRow("--freeze-embeddings") << "image" << QStringList{"--freeze-embeddings"}
                                         << QStringLiteral("--freeze-embeddings");
    // Values that do not fit the task are refused too, naming the option.
    QTest::newRow("image --head bilstm") << "image" << QStringList{"--head", "bilstm"} << QStringLiteral("--head");
    QTest::newRow("text --head mlp") << "text" << QStringList{"--head", "mlp"} << QStringLiteral("--head");
    QTest::newRow("--device cuda") << "text" << QStringList{"--device", "cuda"} << QStringLiteral("cuda");
    QTest::newRow("--backbone image id for text") << "text" << QStringList{"--backbone", "resnet20_cifar10"}
                                                  << QStringLiteral("resnet20_cifar10");
}

void tst_CliOptions::optionIsRefused()
{
    QFETCH(QString, task);
    QFETCH(QStringList, args);
    QFETCH(QString, named);
    const Run r = cli(base(task) + args);
    QVERIFY2(r.code == 2, r.err.constData());
    QVERIFY2(r.err.contains(named.toUtf8()), r.err.constData());
    QVERIFY2(r.out.isEmpty(), r.out.constData()); // nothing trained
}

// --backbone <catalogue word-vectors id> finds and loads the vectors exactly as --vectors does.
void tst_CliOptions::catalogueVectorsLoadLikeAFile()
{
    const QString a = m_tmp.filePath(QStringLiteral("file.json")), b = m_tmp.filePath(QStringLiteral("id.json"));
    const Run byFile = cli(base(QStringLiteral("text")) +
                           QStringList{QStringLiteral("--vectors"), m_vectors, QStringLiteral("--report"), a});
    QVERIFY2(byFile.code == 0, byFile.err.constData());
    const Run byId = cli(base(QStringLiteral("text")) +
                         QStringList{QStringLiteral("--backbone"), QStringLiteral("glove_6b_100d"),
                                     QStringLiteral("--weights-dir"), QFileInfo(m_vectors).absolutePath(),
                                     QStringLiteral("--report"), b});
    QVERIFY2(byId.code == 0, byId.err.constData());
    const QJsonObject ja = graft::test::readJson(a), jb = graft::test::readJson(b);
    QCOMPARE(at(jb, QStringLiteral("details.vector_coverage")).toDouble(), 1.0);
    QCOMPARE(at(jb, QStringLiteral("val_accuracy")), at(ja, QStringLiteral("val_accuracy")));
    QCOMPARE(at(jb, QStringLiteral("validation.probabilities")), at(ja, QStringLiteral("validation.probabilities")));
    // Both at once, or an id whose file is not there: clear errors.
    const Run both = cli(base(QStringLiteral("text")) +
                         QStringList{QStringLiteral("--backbone"), QStringLiteral("glove_6b_100d"),
                                     QStringLiteral("--vectors"), m_vectors});
    QCOMPARE(both.code, 2);
    QVERIFY2(both.err.contains("not both"), both.err.constData());
    const Run missing = cli(base(QStringLiteral("text")) +
                            QStringList{QStringLiteral("--backbone"), QStringLiteral("glove_6b_100d"),
                                        QStringLiteral("--weights-dir"), m_tmp.filePath(QStringLiteral("none"))});
    QCOMPARE(missing.code, 2);
    QVERIFY2(missing.err.contains("glove_6b_100d") && missing.err.contains("glove.6B.100d.txt"),
             missing.err.constData());
}

QTEST_GUILESS_MAIN(tst_CliOptions)
#include "tst_CliOptions.moc"
