#include "support/TestSupport.h"

#include "graft/learn/Session.h"
#include "graft/text/WordVectors.h"

#include <fasttext/fasttext.h>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>

using namespace graft::text;
using namespace Qt::Literals::StringLiterals;
using graft::test::writeFile;

class TstTextWordVectors : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void gloveText();
    void word2vecTextAndVec();
    void word2vecBinary();
    void malformed();
    void gzipped();
    void fastTextBinaryWithSubwords();
    void realGlove();
    void loadingReportsProgressAndCancels();
};

void TstTextWordVectors::gloveText()
{
    QTemporaryDir dir;
    QVERIFY(writeFile(dir.path() + "/g.txt", "the 0.1 0.2 -0.3\ncanción 1 2 3\n\n, 0 0 1e-2\n"_ba));
    auto v = WordVectors::load(dir.path() + "/g.txt");
    QVERIFY2(v.ok(), qPrintable(v ? QString() : v.error().message()));
    QCOMPARE(v->format(), WordVectors::Format::GloveText);
    QCOMPARE(v->dimension(), 3);
    QCOMPARE(v->size(), 3);
    QCOMPARE(v->vector(v->indexOf("the"))[2], -0.3f);
    QCOMPARE(v->vector(v->indexOf(","))[2], 0.01f);
    QCOMPARE(v->lookup("The"), v->indexOf("the"));
    QCOMPARE(v->lookup("cancion"), v->indexOf("canción")); // accent-folded fallback
    QCOMPARE(v->lookup("nope"), -1);
    auto first = WordVectors::load(dir.path() + "/g.txt", WordVectors::Format::Auto, 2);
    QVERIFY(first.ok());
    QCOMPARE(first->size(), 2);
}

void TstTextWordVectors::word2vecTextAndVec()
{
    QTemporaryDir dir;
    QVERIFY(writeFile(dir.path() + "/w.vec", "2 4\nhola 1 2 3 4\nadiós 5 6 7 8\n"_ba));
    auto v = WordVectors::load(dir.path() + "/w.vec");
    QVERIFY(v.ok());
    QCOMPARE(v->format(), WordVectors::Format::Word2VecText);
    QCOMPARE(v->dimension(), 4);
    QCOMPARE(v->size(), 2);
    QCOMPARE(v->vector(v->indexOf(QStringLiteral("adiós")))[3], 8.0f);
}

// fastText ships .vec.gz: read without unpacking to disk, only as far as the words kept;
// corrupt or truncated gzip data is an error naming the file.
void TstTextWordVectors::gzipped()
{
    QTemporaryDir dir;
    const QString plain = dir.filePath("cc.es.tiny.vec");
    QByteArray text = "3 2\nde 0.5 1\ncanción 2 3\nbueno -1 4\n"_ba;
    QVERIFY(writeFile(plain, text));
    QProcess gz;
    gz.start(QStringLiteral("gzip"), {QStringLiteral("-k"), plain});
    QVERIFY(gz.waitForFinished(10000));
    if (gz.exitCode() != 0)
        QSKIP("gzip is not available");
    const QString packed = plain + QStringLiteral(".gz");
    auto v = WordVectors::load(packed);
    QVERIFY2(v.ok(), qPrintable(v ? QString() : v.error().message()));
    QCOMPARE(v->format(), WordVectors::Format::Word2VecText);
    QCOMPARE(v->size(), 3);
    QCOMPARE(v->vector(v->indexOf(QStringLiteral("bueno")))[1], 4.0f);
    auto two = WordVectors::load(packed, WordVectors::Format::Auto, 2);
    QVERIFY(two.ok());
    QCOMPARE(two->size(), 2);

    QFile f(packed);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QByteArray bytes = f.readAll();
    f.close();
    QVERIFY(writeFile(dir.filePath("cut.vec.gz"), bytes.left(bytes.size() - 12)));
    auto cut = WordVectors::load(dir.filePath("cut.vec.gz"));
    QVERIFY(!cut.ok());
    QVERIFY(cut.error().message().contains("cut.vec.gz"));
    bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x5a);
    bytes[bytes.size() / 2 + 1] = char(bytes[bytes.size() / 2 + 1] ^ 0xa5);
    QVERIFY(writeFile(dir.filePath("bad.vec.gz"), bytes));
    auto bad = WordVectors::load(dir.filePath("bad.vec.gz"));
    QVERIFY(!bad.ok());
    QCOMPARE(bad.error().code, graft::core::ErrorCode::InvalidFormat);
}

void TstTextWordVectors::word2vecBinary()
{
    QByteArray bytes = "2 3\n";
    const float a[3] = {1.5f, -2.0f, 0.25f}, b[3] = {0.0f, 10.0f, -1.0f};
    bytes += "uno ";
    bytes += QByteArray(reinterpret_cast<const char *>(a), 12);
    bytes += "\ndos ";
    bytes += QByteArray(reinterpret_cast<const char *>(b), 12);
    bytes += "\n";
    QTemporaryDir dir;
    QVERIFY(writeFile(dir.path() + "/w.bin", bytes));
    auto v = WordVectors::load(dir.path() + "/w.bin");
    QVERIFY2(v.ok(), qPrintable(v ? QString() : v.error().message()));
    QCOMPARE(v->format(), WordVectors::Format::Word2VecBinary);
    QCOMPARE(v->size(), 2);
    QCOMPARE(v->vector(v->indexOf("uno"))[0], 1.5f);
    QCOMPARE(v->vector(v->indexOf("dos"))[1], 10.0f);
    // Content sniffing works without the .bin extension too.
    QVERIFY(writeFile(dir.path() + "/w.data", bytes));
    auto sniffed = WordVectors::load(dir.path() + "/w.data");
    QVERIFY(sniffed.ok());
    QCOMPARE(sniffed->format(), WordVectors::Format::Word2VecBinary);
    // Truncated: the header promises more than the file holds.
    QVERIFY(writeFile(dir.path() + "/short.bin", bytes.left(bytes.size() - 6)));
    auto t = WordVectors::load(dir.path() + "/short.bin");
    QVERIFY(!t.ok());
    QVERIFY(t.error().detail.contains("entry 2"));
    QVERIFY(t.error().file.endsWith("short.bin"));
}

void TstTextWordVectors::malformed()
{
    QTemporaryDir dir;
    QVERIFY(writeFile(dir.path() + "/dims.txt", "a 1 2 3\nb 1 2\n"_ba));
    auto v = WordVectors::load(dir.path() + "/dims.txt");
    QVERIFY(!v.ok());
    QCOMPARE(v.error().code, graft::core::ErrorCode::InvalidFormat);
    QVERIFY2(v.error().detail.contains("line 2"), qPrintable(v.error().detail));
    QVERIFY(v.error().file.endsWith("dims.txt"));

    QVERIFY(writeFile(dir.path() + "/nan.txt", "a 1 2\nb 1 x2\n"_ba));
    v = WordVectors::load(dir.path() + "/nan.txt");
    QVERIFY(!v.ok());
    QVERIFY(v.error().detail.contains("line 2"));
    QVERIFY(v.error().detail.contains("x2"));

    QVERIFY(writeFile(dir.path() + "/hdr.vec", "3 2\nuno 1 2\ndos 1 2 3\n"_ba));
    v = WordVectors::load(dir.path() + "/hdr.vec");
    QVERIFY(!v.ok());
    QVERIFY(v.error().detail.contains("line 3"));

    QByteArray ft(8, '\0');
    const int32_t magic = 793712314;
    std::memcpy(ft.data(), &magic, 4);
    QVERIFY(writeFile(dir.path() + "/model.bin", ft));
    v = WordVectors::load(dir.path() + "/model.bin");
    QVERIFY(!v.ok());
    QCOMPARE(v.error().code, graft::core::ErrorCode::InvalidFormat);
    QVERIFY(v.error().file.endsWith("model.bin"));

    QVERIFY(!WordVectors::load(dir.path() + "/missing.txt").ok());
}

// A fastText .bin model, made here with libfasttext: its words load with fastText's own
// vectors, unseen words get vectors from their character n-grams, and damaged or truncated
// files are refused before libfasttext reads them.
void TstTextWordVectors::fastTextBinaryWithSubwords()
{
    QTemporaryDir dir;
    QByteArray corpus;
    const char *lines[] = {"la habitación era excelente y el desayuno excelente",
                           "el coche consume poco y es muy cómodo",
                           "la lavadora hace un ruido horrible , pésimo servicio",
                           "excelente atención , habitación limpia y cómoda"};
    for (int i = 0; i < 60; ++i)
        corpus += QByteArray(lines[i % 4]) + "\n";
    QVERIFY(writeFile(dir.filePath("corpus.txt"), corpus));
    const QString bin = dir.filePath("tiny.bin");
    {
        fasttext::Args a;
        a.input = dir.filePath("corpus.txt").toStdString();
        a.model = fasttext::model_name::sg;
        a.dim = 8;
        a.epoch = 3;
        a.minCount = 1;
        a.minn = 2;
        a.maxn = 4;
        a.bucket = 2000;
        a.thread = 1;
        a.verbose = 0;
        fasttext::FastText ft;
        ft.train(a);
        ft.saveModel(bin.toStdString());
    }
    auto v = WordVectors::load(bin);
    QVERIFY2(v.ok(), qPrintable(v ? QString() : v.error().message()));
    QCOMPARE(v->format(), WordVectors::Format::FastTextBinary);
    QCOMPARE(v->dimension(), 8);
    QVERIFY(v->hasSubwords());
    QVERIFY(v->indexOf(QStringLiteral("habitación")) >= 0);
    QVERIFY(v->indexOf(QStringLiteral("excelentes")) < 0);

    fasttext::FastText reference;
    reference.loadModel(bin.toStdString());
    fasttext::Vector expected(8);
    reference.getWordVector(expected, "habitación");
    const float *row = v->vector(v->indexOf(QStringLiteral("habitación")));
    for (int k = 0; k < 8; ++k)
        QCOMPARE(row[k], expected[k]);
    // An unseen word shares n-grams with "excelente": fastText's subword vector.
    float unseen[8];
    QVERIFY(v->subwordVector(QStringLiteral("excelentes"), unseen));
    reference.getWordVector(expected, "excelentes");
    for (int k = 0; k < 8; ++k)
        QCOMPARE(unseen[k], expected[k]);
    // A classifier on top: words the model never saw still start from pretrained vectors.
    for (int i = 0; i < 6; ++i) {
        QVERIFY(writeFile(dir.filePath(QStringLiteral("reviews/pos/%1.txt").arg(i)),
                          "habitaciones excelentes y comodísimas"));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("reviews/neg/%1.txt").arg(i)),
                          "ruidos horribles , pésimos servicios"));
    }
    graft::learn::RunConfig config = graft::learn::RunConfig::defaults(graft::learn::TaskKind::Text);
    config.dataPath = dir.filePath("reviews");
    config.text.vectorsPath = bin;
    config.epochs = 1;
    config.threads = 1;
    config.runsDir = dir.filePath("runs");
    auto data = graft::learn::Dataset::scan(config);
    QVERIFY(data.ok());
    auto trained = graft::learn::train(config, *data);
    QVERIFY2(trained.ok(), qPrintable(trained ? QString() : trained.error().message()));
    QCOMPARE(trained->details.value("vector_coverage").toDouble(), 1.0);

    // maxWords keeps the most frequent words only.
    auto few = WordVectors::load(bin, WordVectors::Format::Auto, 3);
    QVERIFY(few.ok());
    QCOMPARE(few->size(), 3);

    // Truncated: the header promises a matrix the file does not hold.
    QFile f(bin);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray bytes = f.readAll();
    for (qint64 cut : {qint64(40), qint64(200), bytes.size() - 100}) {
        QVERIFY(writeFile(dir.filePath("cut.bin"), bytes.left(cut)));
        auto t = WordVectors::load(dir.filePath("cut.bin"));
        QVERIFY2(!t.ok(), qPrintable(QString::number(cut)));
        QCOMPARE(t.error().code, graft::core::ErrorCode::InvalidFormat);
        QVERIFY(t.error().file.endsWith("cut.bin"));
    }
    // A damaged header (an absurd dimension).
    QByteArray bad = bytes;
    const int32_t dim = 1 << 30;
    std::memcpy(bad.data() + 8, &dim, 4);
    QVERIFY(writeFile(dir.filePath("bad.bin"), bad));
    auto b = WordVectors::load(dir.filePath("bad.bin"));
    QVERIFY(!b.ok());
    QVERIFY2(b.error().message().contains("damaged fastText header"), qPrintable(b.error().message()));
}

void TstTextWordVectors::realGlove()
{
    GRAFT_REQUIRE_SHARED(glove, "embeddings/glove.6B.100d.txt");
    auto v = WordVectors::load(glove);
    QVERIFY(v.ok());
    QCOMPARE(v->dimension(), 100);
    QCOMPARE(v->size(), 30000);
    QVERIFY(v->indexOf("not") >= 0);
    // Related words are closer than unrelated ones.
    auto cosine = [&](const char *a, const char *b) {
        const float *x = v->vector(v->indexOf(a)), *y = v->vector(v->indexOf(b));
        double d = 0, nx = 0, ny = 0;
        for (int i = 0; i < 100; ++i) {
            d += x[i] * y[i];
            nx += x[i] * x[i];
            ny += y[i] * y[i];
        }
        return d / std::sqrt(nx * ny);
    };
    QVERIFY(cosine("good", "great") > cosine("good", "table"));
}

// Large vector files take seconds: loading reports bytes done and stops when asked.
void TstTextWordVectors::loadingReportsProgressAndCancels()
{
    QTemporaryDir dir;
    QByteArray lines;
    for (int i = 0; i < 20000; ++i)
        lines += "word" + QByteArray::number(i) + " 0.1 0.2 0.3 0.4\n";
    const QString path = dir.filePath(QStringLiteral("many.txt"));
    QVERIFY(writeFile(path, lines));
    qint64 lastDone = -1, lastTotal = 0;
    int calls = 0;
    auto all = WordVectors::load(path, WordVectors::Format::Auto, 0, {}, [&](qint64 done, qint64 total) {
        QVERIFY(done >= lastDone);
        lastDone = done;
        lastTotal = total;
        ++calls;
    });
    QVERIFY(all.ok());
    QCOMPARE(all->size(), 20000);
    QVERIFY(calls >= 4);
    QCOMPARE(lastDone, lastTotal); // ends at 100 %
    graft::core::CancelToken cancel;
    cancel.requestCancel();
    auto stopped = WordVectors::load(path, WordVectors::Format::Auto, 0, cancel);
    QVERIFY(!stopped.ok());
    QCOMPARE(stopped.error().code, graft::core::ErrorCode::Cancelled);
}

QTEST_APPLESS_MAIN(TstTextWordVectors)
#include "tst_TextWordVectors.moc"
