// Decode + resize + normalise throughput of Graft's batch pipeline over an image folder.
// Prints one JSON line: {"images": N, "seconds": S, "images_per_second": R, ...}.
#include "graft/core/Runtime.h"
#include "graft/vision/BatchPipeline.h"
#include "graft/vision/ImageScanner.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

using namespace graft;

int main(int argc, char *argv[])
{
    core::initRuntime();
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    if (args.size() < 2) {
        QTextStream(stderr) << "usage: graft-bench-decode DIR [EPOCHS] [WORKERS] [SIZE]\n";
        return 1;
    }
    const int epochs = args.size() > 2 ? args[2].toInt() : 3;
    const int workers = args.size() > 3 ? args[3].toInt() : 2;
    const int size = args.size() > 4 ? args[4].toInt() : 224;
    vision::ScanOptions so;
    so.verifyDecode = false;
    auto report = vision::scanImageFolder(args[1], so);
    if (!report) {
        QTextStream(stderr) << report.error().message() << "\n";
        return 2;
    }
    std::vector<vision::Sample> samples;
    for (auto s : {vision::Split::Train, vision::Split::Val, vision::Split::Test}) {
        auto v = report->samples(s);
        samples.insert(samples.end(), v.begin(), v.end());
    }
    vision::PipelineOptions o;
    o.preprocessing.inputSize = size;
    o.preprocessing.resize = vision::ResizePolicy::Squash;
    o.batchSize = 32;
    o.shuffle = true;
    o.workers = workers;
    vision::BatchPipeline pipe(samples, o);
    QElapsedTimer t;
    t.start();
    qint64 images = 0;
    double checksum = 0;
    for (int e = 0; e < epochs; ++e) {
        pipe.startEpoch(e);
        while (auto b = pipe.next()) {
            images += b->size;
            checksum += b->data.empty() ? 0.0 : double(b->data[0]);
        }
    }
    const double s = double(t.nsecsElapsed()) / 1e9;
    const QJsonObject out{{"tool", "graft"},       {"images", images},
                          {"seconds", s},          {"images_per_second", double(images) / s},
                          {"workers", workers},    {"size", size},
                          {"checksum", checksum}};
    QTextStream(stdout) << QJsonDocument(out).toJson(QJsonDocument::Compact) << "\n";
    return 0;
}
