// Peak memory of a streaming run over a large synthetic image folder: scan (headers, sizes,
// SHA-256 duplicates) and one decode + preprocess pass through Graft's batch pipeline.
// Makes the folder if it is missing (N small JPEGs in two classes, distinct content).
// Prints one JSON line with the resident set size sampled every 10% of the pass, so growth
// with the number of images processed shows directly.
// Usage: graft-bench-memory DIR [N] [SIZE]
#include "graft/core/Runtime.h"
#include "graft/vision/BatchPipeline.h"
#include "graft/vision/ImageScanner.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

#include <sys/resource.h>
#include <unistd.h>

using namespace graft;

namespace {

double rssMiB()
{
    QFile f(QStringLiteral("/proc/self/statm"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> parts = f.readAll().split(' ');
    return parts.size() > 1 ? double(parts[1].toLongLong()) * double(sysconf(_SC_PAGESIZE)) / 1048576.0
                            : -1;
}

double peakMiB()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_maxrss) / 1024.0;
}

bool makeFolder(const QString &dir, int n)
{
    const QString marker = QDir(dir).filePath(QStringLiteral(".complete-%1").arg(n));
    if (QFile::exists(marker))
        return true;
    QDir(dir).removeRecursively();
    for (const char *cls : {"a", "b"})
        if (!QDir().mkpath(QDir(dir).filePath(QString::fromLatin1(cls))))
            return false;
    cv::RNG rng(12345);
    std::vector<uchar> buf;
    for (int i = 0; i < n; ++i) {
        cv::Mat img(48, 64, CV_8UC3);
        rng.fill(img, cv::RNG::UNIFORM, 0, 256); // random pixels: every file is distinct
        cv::imencode(".jpg", img, buf, {cv::IMWRITE_JPEG_QUALITY, 80});
        const QString path =
            QDir(dir).filePath(QStringLiteral("%1/%2.jpg").arg(i % 2 ? "b" : "a").arg(i, 6, 10, QLatin1Char('0')));
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) ||
            f.write(reinterpret_cast<const char *>(buf.data()), qint64(buf.size())) != qint64(buf.size()))
            return false;
    }
    QFile m(marker);
    return m.open(QIODevice::WriteOnly);
}

} // namespace

int main(int argc, char *argv[])
{
    core::initRuntime();
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    if (args.size() < 2) {
        QTextStream(stderr) << "usage: graft-bench-memory DIR [N] [SIZE]\n";
        return 1;
    }
    const int n = args.size() > 2 ? args[2].toInt() : 100000;
    const int size = args.size() > 3 ? args[3].toInt() : 64;
    QElapsedTimer t;
    t.start();
    if (!makeFolder(args[1], n)) {
        QTextStream(stderr) << "cannot write " << args[1] << "\n";
        return 2;
    }
    const double makeSeconds = double(t.nsecsElapsed()) / 1e9;
    const double startRss = rssMiB();
    t.restart();
    vision::ScanOptions so;
    so.verifyDecode = false;
    auto report = vision::scanImageFolder(args[1], so);
    if (!report) {
        QTextStream(stderr) << report.error().message() << "\n";
        return 2;
    }
    const double scanSeconds = double(t.nsecsElapsed()) / 1e9;
    const double afterScanRss = rssMiB();
    std::vector<vision::Sample> samples;
    for (auto s : {vision::Split::Train, vision::Split::Val, vision::Split::Test}) {
        auto v = report->samples(s);
        samples.insert(samples.end(), v.begin(), v.end());
    }
    vision::PipelineOptions o;
    o.preprocessing.inputSize = size;
    o.batchSize = 32;
    o.shuffle = true;
    o.workers = 2;
    vision::BatchPipeline pipe(samples, o);
    t.restart();
    pipe.startEpoch(0);
    qint64 images = 0;
    const qint64 total = qint64(samples.size());
    qint64 nextSample = total / 10;
    QJsonArray curve;
    while (auto b = pipe.next()) {
        images += b->size;
        if (images >= nextSample) {
            curve.append(QJsonObject{{"images", images}, {"rss_mib", rssMiB()}});
            nextSample += total / 10;
        }
    }
    const double passSeconds = double(t.nsecsElapsed()) / 1e9;
    const double first = curve.isEmpty() ? 0 : curve.first().toObject().value("rss_mib").toDouble();
    const double last = curve.isEmpty() ? 0 : curve.last().toObject().value("rss_mib").toDouble();
    const QJsonObject out{{"tool", "graft"},
                          {"files", total},
                          {"images_decoded", images},
                          {"size", size},
                          {"make_seconds", makeSeconds},
                          {"scan_seconds", scanSeconds},
                          {"pass_seconds", passSeconds},
                          {"rss_start_mib", startRss},
                          {"rss_after_scan_mib", afterScanRss},
                          {"rss_curve", curve},
                          {"rss_growth_during_pass_mib", last - first},
                          {"peak_rss_mib", peakMiB()}};
    QTextStream(stdout) << QJsonDocument(out).toJson(QJsonDocument::Compact) << "\n";
    return images == total ? 0 : 3;
}
