// Scanning real and hostile image folders: every bad case is reported with the right kind,
// valid odd images decode with the right shape, orientation and colours.
#include "graft/vision/ImageDecoder.h"
#include "graft/vision/ImageScanner.h"
#include "support/TestSupport.h"

#include <QCryptographicHash>
#include <QDir>
#include <QJsonArray>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

using namespace graft::vision;
using graft::test::writeFile;

namespace {

/// BGR test image: red top-left quadrant, green top-right, blue bottom-left, white bottom-right.
cv::Mat quadrants(int w, int h)
{
    cv::Mat m(h, w, CV_8UC3, cv::Scalar(255, 255, 255));
    m(cv::Rect(0, 0, w / 2, h / 2)).setTo(cv::Scalar(0, 0, 255));
    m(cv::Rect(w / 2, 0, w - w / 2, h / 2)).setTo(cv::Scalar(0, 255, 0));
    m(cv::Rect(0, h / 2, w / 2, h - h / 2)).setTo(cv::Scalar(255, 0, 0));
    return m;
}

QByteArray encode(const cv::Mat &m, const char *ext, std::vector<int> params = {})
{
    std::vector<uchar> buf;
    cv::imencode(ext, m, buf, params);
    return QByteArray(reinterpret_cast<const char *>(buf.data()), qsizetype(buf.size()));
}

/// Inserts an EXIF APP1 segment with the given orientation right after SOI.
QByteArray withExifOrientation(const QByteArray &jpeg, int orientation)
{
    QByteArray tiff("II*\0\x08\0\0\0", 8);
    tiff += QByteArray("\x01\x00", 2);                               // one entry
    tiff += QByteArray("\x12\x01\x03\x00\x01\x00\x00\x00", 8);       // 0x0112 SHORT x1
    tiff += char(orientation);
    tiff += QByteArray("\0\0\0", 3);
    tiff += QByteArray("\0\0\0\0", 4);                               // no next IFD
    QByteArray payload = QByteArray("Exif\0\0", 6) + tiff;
    const int len = int(payload.size()) + 2;
    QByteArray seg("\xFF\xE1", 2);
    seg += char((len >> 8) & 0xFF);
    seg += char(len & 0xFF);
    seg += payload;
    return jpeg.left(2) + seg + jpeg.mid(2);
}

/// A valid PNG signature + IHDR declaring w x h, followed by IEND (no pixel data needed).
QByteArray pngHeaderOnly(quint32 w, quint32 h)
{
    QByteArray b("\x89PNG\r\n\x1A\n", 8);
    QByteArray ihdr("\0\0\0\x0DIHDR", 8);
    for (quint32 v : {w, h})
        for (int s = 24; s >= 0; s -= 8)
            ihdr += char((v >> s) & 0xFF);
    ihdr += QByteArray("\x08\x02\0\0\0", 5);
    ihdr += QByteArray("\0\0\0\0", 4); // CRC (not checked by the header parser)
    b += ihdr;
    b += QByteArray("\0\0\0\0IEND\xAE\x42\x60\x82", 12);
    return b;
}

bool haveConvert()
{
    return !QStandardPaths::findExecutable(QStringLiteral("convert")).isEmpty();
}

bool convert(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral("convert"), args);
    return p.waitForFinished(60000) && p.exitCode() == 0;
}

} // namespace

class tst_ImageScanner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void hostileFolder_data();
    void hostileFolder();
    void blockingProblems();
    void exifOrientationApplied();
    void oddFormatsDecodeToRgb();
    void splitIsDeterministicAndReusable();
    void splitLayoutsRecognised();
    void realDatasets();
    void userFolderUntouched();

private:
    QTemporaryDir m_dir;
    QString m_root;
    std::map<QString, FileStatus> statusByFile(const ScanReport &r)
    {
        std::map<QString, FileStatus> m;
        for (const auto &e : r.entries)
            m[e.relativePath] = e.status;
        return m;
    }
};

void tst_ImageScanner::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_root = m_dir.filePath(QStringLiteral("data"));
    const cv::Mat q = quadrants(64, 48);
    const QByteArray jpg = encode(q, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 95});
    // cats: valid, some odd
    QVERIFY(writeFile(m_root + "/cats/good1.jpg", jpg));
    QVERIFY(writeFile(m_root + "/cats/good2.png", encode(quadrants(40, 40), ".png")));
    QVERIFY(writeFile(m_root + QString::fromUtf8("/cats/ñandú_日本語.jpg"),
                      encode(quadrants(30, 20), ".jpg")));
    QVERIFY(writeFile(m_root + "/cats/exif6.jpg", withExifOrientation(jpg, 6)));
    cv::Mat g16(20, 30, CV_16UC1, cv::Scalar(0x8000));
    QVERIFY(writeFile(m_root + "/cats/gray16.png", encode(g16, ".png")));
    cv::Mat bgra(20, 20, CV_8UC4, cv::Scalar(10, 20, 30, 0));
    QVERIFY(writeFile(m_root + "/cats/alpha.png", encode(bgra, ".png")));
    QVERIFY(writeFile(m_root + "/cats/.hidden.jpg", QByteArray("ignored")));
    // dogs: the hostile cases, plus enough good images
    QVERIFY(writeFile(m_root + "/dogs/truncated.jpg", jpg.left(jpg.size() / 2)));
    QVERIFY(writeFile(m_root + "/dogs/zero.jpg", QByteArray()));
    QVERIFY(writeFile(m_root + "/dogs/text.jpg", QByteArray("this is not an image\n")));
    QVERIFY(writeFile(m_root + "/dogs/huge.png", pngHeaderOnly(60000, 60000)));
    QVERIFY(writeFile(m_root + "/dogs/jpeg_named.png", encode(quadrants(50, 50), ".jpg")));
    QVERIFY(writeFile(m_root + "/dogs/dup_of_cat.jpg", jpg));
    QVERIFY(writeFile(m_root + "/dogs/tiny.png", encode(quadrants(4, 4), ".png")));
    QVERIFY(writeFile(m_root + "/dogs/nested/deeper/good3.bmp", encode(quadrants(33, 17), ".bmp")));
    QVERIFY(writeFile(m_root + "/dogs/good4.jpg", encode(quadrants(64, 64), ".jpg")));
    QVERIFY(writeFile(m_root + "/dogs/corrupt.png",
                      encode(quadrants(40, 40), ".png").left(60) + QByteArray(200, 'x') +
                          QByteArray("\0\0\0\0IEND\xAE\x42\x60\x82", 12)));
    if (haveConvert()) {
        const QString src = m_dir.filePath(QStringLiteral("src.png"));
        QVERIFY(writeFile(src, encode(q, ".png")));
        QVERIFY(convert({src, QStringLiteral("-colorspace"), QStringLiteral("CMYK"),
                         m_root + "/cats/cmyk.jpg"}));
        QVERIFY(convert({src, m_root + "/cats/palette.gif"}));
        QVERIFY(convert({src, m_root + "/cats/lossless.webp"}));
        QVERIFY(convert({src, m_root + "/cats/plain.tiff"}));
    }
}

void tst_ImageScanner::hostileFolder_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("status");
    QTest::newRow("good jpeg") << "cats/good1.jpg" << int(FileStatus::Ok);
    QTest::newRow("good png") << "cats/good2.png" << int(FileStatus::Ok);
    QTest::newRow("unicode name") << QString::fromUtf8("cats/ñandú_日本語.jpg") << int(FileStatus::Ok);
    QTest::newRow("exif rotated") << "cats/exif6.jpg" << int(FileStatus::Ok);
    QTest::newRow("16-bit png") << "cats/gray16.png" << int(FileStatus::Ok);
    QTest::newRow("alpha png") << "cats/alpha.png" << int(FileStatus::Ok);
    QTest::newRow("truncated jpeg") << "dogs/truncated.jpg" << int(FileStatus::Truncated);
    QTest::newRow("zero bytes") << "dogs/zero.jpg" << int(FileStatus::ZeroBytes);
    QTest::newRow("text named jpg") << "dogs/text.jpg" << int(FileStatus::NotImage);
    QTest::newRow("60000x60000 png") << "dogs/huge.png" << int(FileStatus::TooLarge);
    QTest::newRow("jpeg named png") << "dogs/jpeg_named.png" << int(FileStatus::Ok);
    QTest::newRow("duplicate across classes") << "dogs/dup_of_cat.jpg" << int(FileStatus::Duplicate);
    QTest::newRow("4x4 png") << "dogs/tiny.png" << int(FileStatus::TooSmall);
    QTest::newRow("nested bmp") << "dogs/nested/deeper/good3.bmp" << int(FileStatus::Ok);
    QTest::newRow("corrupt png data") << "dogs/corrupt.png" << int(FileStatus::Corrupt);
    if (haveConvert()) {
        QTest::newRow("cmyk jpeg") << "cats/cmyk.jpg" << int(FileStatus::Ok);
        QTest::newRow("gif") << "cats/palette.gif" << int(FileStatus::Ok);
        QTest::newRow("webp") << "cats/lossless.webp" << int(FileStatus::Ok);
        QTest::newRow("tiff") << "cats/plain.tiff" << int(FileStatus::Ok);
    }
}

void tst_ImageScanner::hostileFolder()
{
    QFETCH(QString, file);
    QFETCH(int, status);
    auto report = scanImageFolder(m_root);
    QVERIFY2(report.ok(), qPrintable(report.ok() ? QString() : report.error().message()));
    const auto statuses = statusByFile(*report);
    QVERIFY2(statuses.count(file) == 1, qPrintable(file + " missing from the report"));
    QCOMPARE(fileStatusName(statuses.at(file)), fileStatusName(FileStatus(status)));
    QVERIFY(!statuses.count(QStringLiteral("cats/.hidden.jpg")));
    for (const auto &e : report->entries)
        if (!e.usable())
            QVERIFY2(!e.message.isEmpty(), qPrintable(e.relativePath));
    // The duplicate names the original and the label conflict.
    for (const auto &e : report->entries)
        if (e.status == FileStatus::Duplicate) {
            QVERIFY(e.message.contains(QStringLiteral("cats/good1.jpg")));
            QVERIFY(e.message.contains(QStringLiteral("conflicting labels")));
        }
    const QJsonObject json = report->toJson();
    QCOMPARE(json.value("kind").toString(), QStringLiteral("image"));
    QCOMPARE(json.value("classes").toArray().size(), 2);
    QVERIFY(json.value("issues").toArray().size() >= 7);
}

void tst_ImageScanner::blockingProblems()
{
    QTemporaryDir d;
    // One class only.
    QVERIFY(writeFile(d.filePath("one/a/x.png"), encode(quadrants(16, 16), ".png")));
    QVERIFY(writeFile(d.filePath("one/a/y.png"), encode(quadrants(18, 16), ".png")));
    auto r1 = scanImageFolder(d.filePath("one"));
    QVERIFY(r1.ok());
    QVERIFY(!r1->canTrain());
    QCOMPARE(r1->blocking.front().code, QStringLiteral("one_class"));
    // Empty class folder.
    QVERIFY(QDir().mkpath(d.filePath("two/b")));
    QVERIFY(writeFile(d.filePath("two/a/x.png"), encode(quadrants(16, 16), ".png")));
    QVERIFY(writeFile(d.filePath("two/a/y.png"), encode(quadrants(18, 16), ".png")));
    auto r2 = scanImageFolder(d.filePath("two"));
    QVERIFY(r2.ok());
    QVERIFY(!r2->canTrain());
    QCOMPARE(r2->blocking.front().code, QStringLiteral("empty_class"));
    QVERIFY(r2->blocking.front().message.contains(QStringLiteral("'b'")));
    // No class folders at all.
    QVERIFY(writeFile(d.filePath("flat/x.png"), encode(quadrants(16, 16), ".png")));
    auto r3 = scanImageFolder(d.filePath("flat"));
    QVERIFY(r3.ok());
    QCOMPARE(r3->blocking.front().code, QStringLiteral("no_classes"));
    // Too few images per class (configurable).
    ScanOptions opt;
    opt.minImagesPerClass = 3;
    QVERIFY(writeFile(d.filePath("two/b/z.png"), encode(quadrants(20, 16), ".png")));
    auto r4 = scanImageFolder(d.filePath("two"), opt);
    QVERIFY(r4.ok());
    QCOMPARE(r4->blocking.front().code, QStringLiteral("too_few_images"));
    // Missing root.
    auto r5 = scanImageFolder(d.filePath("nope"));
    QVERIFY(!r5.ok());
    QCOMPARE(r5.error().code, graft::core::ErrorCode::NotFound);
    QVERIFY(r5.error().message().contains(QStringLiteral("nope")));
}

void tst_ImageScanner::exifOrientationApplied()
{
    auto img = decodeImageFile(m_root + "/cats/exif6.jpg");
    QVERIFY(img.ok());
    // Stored 64x48 landscape; orientation 6 = rotate 90 degrees clockwise for display.
    QCOMPARE(img->width, 48);
    QCOMPARE(img->height, 64);
    // The stored top-left red quadrant is now at the top-right.
    auto px = [&](int x, int y) {
        const auto *p = &img->pixels[size_t(y * img->width + x) * 3];
        return std::array<int, 3>{p[0], p[1], p[2]};
    };
    const auto tr = px(img->width - 5, 5);
    QVERIFY2(tr[0] > 200 && tr[1] < 60 && tr[2] < 60, "top-right should be red");
    const auto tl = px(5, 5);
    QVERIFY2(tl[2] > 200 && tl[0] < 60, "top-left should be blue (was bottom-left)");
}

void tst_ImageScanner::oddFormatsDecodeToRgb()
{
    auto g = decodeImageFile(m_root + "/cats/gray16.png");
    QVERIFY(g.ok());
    QCOMPARE(g->width, 30);
    QCOMPARE(g->height, 20);
    QCOMPARE(int(g->pixels[0]), 128); // 0x8000 >> 8, replicated to R, G, B
    QCOMPARE(int(g->pixels[1]), 128);
    QCOMPARE(int(g->pixels[2]), 128);
    auto a = decodeImageFile(m_root + "/cats/alpha.png");
    QVERIFY(a.ok());
    QCOMPARE(int(a->pixels[0]), 30); // RGB order, alpha dropped, colour kept
    QCOMPARE(int(a->pixels[2]), 10);
    auto j = decodeImageFile(m_root + "/dogs/jpeg_named.png");
    QVERIFY(j.ok());
    QCOMPARE(j->width, 50);
    auto t = decodeImageFile(m_root + "/dogs/truncated.jpg");
    QVERIFY(!t.ok());
    QVERIFY(t.error().message().contains(QStringLiteral("truncated")));
    QVERIFY(t.error().message().contains(QStringLiteral("truncated.jpg")));
    DecodeOptions small;
    small.maxPixels = 1000;
    auto big = decodeImageFile(m_root + "/cats/good1.jpg", small);
    QVERIFY(!big.ok());
    QCOMPARE(big.error().code, graft::core::ErrorCode::TooLarge);
    if (!haveConvert())
        QSKIP("ImageMagick 'convert' not installed: CMYK, GIF, WebP, TIFF cases skipped");
    for (const char *name : {"cmyk.jpg", "palette.gif", "lossless.webp", "plain.tiff"}) {
        auto img = decodeImageFile(m_root + "/cats/" + name);
        QVERIFY2(img.ok(), name);
        QCOMPARE(img->width, 64);
        QCOMPARE(img->height, 48);
        const auto *p = &img->pixels[size_t(5 * 64 + 5) * 3]; // top-left: red
        QVERIFY2(p[0] > 190 && p[1] < 70 && p[2] < 70,
                 qPrintable(QStringLiteral("%1: %2 %3 %4").arg(name).arg(p[0]).arg(p[1]).arg(p[2])));
        const auto *q = &img->pixels[size_t(40 * 64 + 10) * 3]; // bottom-left: blue
        QVERIFY2(q[2] > 190 && q[0] < 70, name);
    }
}

void tst_ImageScanner::splitIsDeterministicAndReusable()
{
    QTemporaryDir d;
    for (int c = 0; c < 2; ++c)
        for (int i = 0; i < 20; ++i)
            QVERIFY(writeFile(d.filePath(QStringLiteral("c%1/%2.png").arg(c).arg(i)),
                              encode(quadrants(10 + i, 12 + c), ".png")));
    ScanOptions opt;
    opt.seed = 7;
    opt.valFraction = 0.25;
    auto a = scanImageFolder(d.path(), opt);
    auto b = scanImageFolder(d.path(), opt);
    QVERIFY(a.ok() && b.ok());
    QCOMPARE(a->count(Split::Val), 10);
    QCOMPARE(a->classes[0].usable[1], 5); // stratified
    QCOMPARE(a->classes[1].usable[1], 5);
    auto valSet = [](const ScanReport &r) {
        QStringList s;
        for (const auto &e : r.entries)
            if (e.split == Split::Val)
                s << e.relativePath;
        s.sort();
        return s;
    };
    QCOMPARE(valSet(*a), valSet(*b));
    opt.seed = 8;
    auto c = scanImageFolder(d.path(), opt);
    QVERIFY(valSet(*c) != valSet(*a));
    // Save and reuse: seed no longer matters.
    QTemporaryDir out;
    const QString splitPath = out.filePath("split.json");
    QVERIFY(a->saveSplit(splitPath).ok());
    opt.splitFile = splitPath;
    auto reused = scanImageFolder(d.path(), opt);
    QVERIFY(reused.ok());
    QVERIFY(reused->splitFromFile);
    QCOMPARE(valSet(*reused), valSet(*a));
}

void tst_ImageScanner::splitLayoutsRecognised()
{
    QTemporaryDir d;
    for (const char *split : {"train", "valid", "test"})
        for (const char *cls : {"x", "y"})
            for (int i = 0; i < 3; ++i)
                QVERIFY(writeFile(d.filePath(QStringLiteral("%1/%2/%3.png").arg(split, cls).arg(i)),
                                  encode(quadrants(10 + i, 10 + int(split[1]) + 3 * int(cls[0])), ".png")));
    auto r = scanImageFolder(d.path());
    QVERIFY(r.ok());
    QVERIFY(r->predefinedSplit);
    QCOMPARE(r->classNames(), QStringList({"x", "y"}));
    QCOMPARE(r->count(Split::Train), 6);
    QCOMPARE(r->count(Split::Val), 6);
    QCOMPARE(r->count(Split::Test), 6);
    QVERIFY(r->canTrain());
}

void tst_ImageScanner::realDatasets()
{
    GRAFT_REQUIRE_SHARED(hym, "images/hymenoptera");
    auto h = scanImageFolder(hym);
    QVERIFY(h.ok());
    QCOMPARE(h->classNames(), QStringList({"ants", "bees"}));
    QCOMPARE(h->count(Split::Train), 245);
    QCOMPARE(h->count(Split::Val), 153);
    QVERIFY(h->problems().empty());
    QVERIFY(h->canTrain());
    for (const char *name : {"images/fashion_mnist_subset", "images/cifar10_jpg"}) {
        GRAFT_REQUIRE_SHARED(dir, name);
        auto r = scanImageFolder(dir);
        QVERIFY(r.ok());
        QCOMPARE(int(r->classes.size()), 10);
        const bool fashion = QString::fromLatin1(name).contains(QStringLiteral("fashion"));
        for (const auto &c : r->classes) {
            QCOMPARE(c.usable[0] + c.usable[1], 200);
            QCOMPARE(c.usable[2], fashion ? 100 : 300);
        }
        QVERIFY(r->canTrain());
    }
}

void tst_ImageScanner::userFolderUntouched()
{
    auto listing = [&]() {
        QStringList files;
        QDirIterator it(m_root, QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString p = it.next();
            QFile f(p);
            QByteArray h;
            if (QFileInfo(p).isFile() && f.open(QIODevice::ReadOnly))
                h = QCryptographicHash::hash(f.readAll(), QCryptographicHash::Md5).toHex();
            files << p + QLatin1Char(' ') + QString::fromLatin1(h);
        }
        files.sort();
        return files;
    };
    const QStringList before = listing();
    QVERIFY(scanImageFolder(m_root).ok());
    QCOMPARE(listing(), before);
}

QTEST_APPLESS_MAIN(tst_ImageScanner)
#include "tst_ImageScanner.moc"
