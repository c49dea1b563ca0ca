#include "CliCommands.h"

#include "CliCommon.h"
#include "graft/vision/ImageScanner.h"
#include "graft/vision/BackboneCatalogue.h"
#include "graft/learn/Session.h"
#include "graft/text/TextDataset.h"
#include "graft/io/Safetensors.h"

#include <QFileInfo>
#include <QJsonArray>


#include <QCommandLineParser>
#include <QJsonDocument>
#include <QTextStream>

namespace graft::cli {

namespace {

void printScanTable(const vision::ScanReport &r)
{
    auto &o = out();
    o << "Dataset: " << r.root << "\n";
    o << "Split:   "
      << (r.predefinedSplit ? QStringLiteral("from folders")
                            : (r.splitFromFile ? QStringLiteral("from split file")
                                               : QStringLiteral("random, seed %1, %2 % validation")
                                                     .arg(r.seed)
                                                     .arg(r.valFraction * 100)))
      << "\n\n";
    int w = 5;
    for (const auto &c : r.classes)
        w = std::max(w, int(c.name.size()));
    o << QStringLiteral("%1 %2 %3 %4 %5\n")
             .arg(QStringLiteral("class"), -w)
             .arg(QStringLiteral("train"), 7)
             .arg(QStringLiteral("val"), 7)
             .arg(QStringLiteral("test"), 7)
             .arg(QStringLiteral("total"), 7);
    for (const auto &c : r.classes)
        o << QStringLiteral("%1 %2 %3 %4 %5\n")
                 .arg(c.name, -w)
                 .arg(c.usable[0], 7)
                 .arg(c.usable[1], 7)
                 .arg(c.usable[2], 7)
                 .arg(c.total(), 7);
    o << QStringLiteral("%1 %2 %3 %4 %5\n")
             .arg(QStringLiteral("all"), -w)
             .arg(r.count(vision::Split::Train), 7)
             .arg(r.count(vision::Split::Val), 7)
             .arg(r.count(vision::Split::Test), 7)
             .arg(r.count(vision::Split::Train) + r.count(vision::Split::Val) +
                      r.count(vision::Split::Test),
                  7);
    const auto problems = r.problems();
    o << "\n" << problems.size() << " file issue(s)\n";
    for (const auto *e : problems)
        o << "  [" << vision::fileStatusName(e->status) << "] " << e->relativePath << ": "
          << e->message << "\n";
    for (const auto &wmsg : r.warnings)
        o << "warning: " << wmsg << "\n";
    for (const auto &b : r.blocking)
        o << "error: " << b.message << "\n";
    o << (r.canTrain() ? "\nReady to train.\n" : "\nCannot train on this folder yet.\n");
}

} // namespace

int runScan(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Checks a dataset folder and prints its report."));
    p.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("dataset folder"));
    p.addOption({QStringLiteral("json"), QStringLiteral("print the report as JSON")});
    p.addOption({QStringLiteral("val-fraction"),
                 QStringLiteral("validation share when the folder has no split (default 0.2)"),
                 QStringLiteral("F"), QStringLiteral("0.2")});
    p.addOption({QStringLiteral("seed"), QStringLiteral("split seed (default 42)"),
                 QStringLiteral("S"), QStringLiteral("42")});
    p.addOption({QStringLiteral("split-file"), QStringLiteral("reuse a saved split"),
                 QStringLiteral("FILE")});
    p.addOption({QStringLiteral("save-split"), QStringLiteral("save the split to FILE"),
                 QStringLiteral("FILE")});
    p.addOption({QStringLiteral("max-megapixels"),
                 QStringLiteral("largest image accepted (default 100)"), QStringLiteral("N"),
                 QStringLiteral("100")});
    p.addOption({QStringLiteral("kind"),
                 QStringLiteral("auto | image | text (default auto: text when no image is found)"),
                 QStringLiteral("K"), QStringLiteral("auto")});
    p.addOption({QStringLiteral("min-images"),
                 QStringLiteral("fewest usable images per class (default 2)"), QStringLiteral("N"),
                 QStringLiteral("2")});
    int code = kExitOk;
    if (!parseArgs(p, QStringLiteral("scan"), args, &code))
        return code;
    if (p.positionalArguments().size() != 1) {
        err() << "graft-cli scan: expected one folder\n";
        return kExitFailure;
    }
    vision::ScanOptions opt;
    bool okF = true, okS = true, okM = true, okN = true;
    opt.valFraction = p.value(QStringLiteral("val-fraction")).toDouble(&okF);
    opt.seed = p.value(QStringLiteral("seed")).toInt(&okS);
    opt.maxPixels = qint64(p.value(QStringLiteral("max-megapixels")).toDouble(&okM) * 1e6);
    opt.minImagesPerClass = p.value(QStringLiteral("min-images")).toInt(&okN);
    opt.splitFile = p.value(QStringLiteral("split-file"));
    if (!okF || !okS || !okM || !okN || opt.valFraction < 0 || opt.valFraction >= 1) {
        err() << "graft-cli scan: invalid number in options\n";
        return kExitFailure;
    }
    const QString path = p.positionalArguments().first();
    const QString kind = p.value(QStringLiteral("kind"));
    const bool text = kind == QLatin1String("text") ||
                      (kind == QLatin1String("auto") && learn::detectKind(path) == learn::TaskKind::Text);
    if (text) {
        auto ds = text::scanTextDataset(path);
        if (!ds) {
            err() << "graft-cli scan: " << ds.error().message() << "\n";
            return kExitBlocked;
        }
        const QJsonObject json = ds->toJson();
        if (p.isSet(QStringLiteral("json"))) {
            printJson(json);
        } else {
            out() << "Text dataset: " << ds->root << " (" << text::layoutName(ds->layout) << ")\n";
            for (int c = 0; c < ds->classes.size(); ++c)
                out() << QStringLiteral("  %1 %2\n").arg(ds->classes[c], -20).arg(ds->count(c));
            out() << QStringLiteral("tokens per text: min %1, median %2, max %3\n")
                         .arg(ds->minTokens)
                         .arg(ds->medianTokens)
                         .arg(ds->maxTokens);
            for (const auto &v : json.value("issues").toArray())
                out() << "  [" << v.toObject().value("kind").toString() << "] "
                      << v.toObject().value("file").toString() << ": "
                      << v.toObject().value("message").toString() << "\n";
            for (const auto &b : ds->blocking)
                out() << "error: " << b << "\n";
            out() << (ds->isBlocked() ? "\nCannot train on this data yet.\n" : "\nReady to train.\n");
        }
        return ds->isBlocked() ? kExitBlocked : kExitOk;
    }
    auto report = vision::scanImageFolder(path, opt);
    if (!report) {
        err() << "graft-cli scan: " << report.error().message() << "\n";
        return kExitBlocked;
    }
    if (p.isSet(QStringLiteral("save-split"))) {
        const auto saved = report->saveSplit(p.value(QStringLiteral("save-split")));
        if (!saved) {
            err() << "graft-cli scan: " << saved.error().message() << "\n";
            return kExitFailure;
        }
    }
    if (p.isSet(QStringLiteral("json")))
        printJson(report->toJson());
    else
        printScanTable(*report);
    return report->canTrain() ? kExitOk : kExitBlocked;
}

int runCheckWeights(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Validates safetensors weight files (structure, bounds, NaN/Inf) and, with "
                       "--backbone, that names and shapes fit that backbone."));
    p.addPositionalArgument(QStringLiteral("FILES"), QStringLiteral("weight files"),
                            QStringLiteral("FILES..."));
    p.addOption({QStringLiteral("backbone"), QStringLiteral("backbone id to check against"),
                 QStringLiteral("ID")});
    p.addOption({QStringLiteral("json"), QStringLiteral("print JSON")});
    int code = kExitOk;
    if (!parseArgs(p, QStringLiteral("check-weights"), args, &code))
        return code;
    const QStringList files = p.positionalArguments();
    if (files.isEmpty()) {
        err() << "graft-cli check-weights: expected at least one file\n";
        return kExitFailure;
    }
    const vision::BackboneSpec *spec = nullptr;
    if (p.isSet(QStringLiteral("backbone"))) {
        spec = vision::BackboneCatalogue::builtin().find(p.value(QStringLiteral("backbone")));
        if (!spec) {
            err() << "graft-cli check-weights: unknown backbone '" << p.value(QStringLiteral("backbone"))
                  << "'\n";
            return kExitFailure;
        }
    }
    QJsonArray results;
    bool allOk = true;
    for (const auto &f : files) {
        QJsonObject r{{"file", f}};
        core::Status status;
        auto st = io::SafetensorsFile::open(f);
        if (!st) {
            status = st.error();
        } else {
            r.insert("tensors", int(st->tensors().size()));
            status = st->checkFinite();
            if (status && spec)
                status = vision::validateWeightsFor(*spec, f);
        }
        r.insert("ok", status.ok());
        if (!status) {
            allOk = false;
            r.insert("error", status.error().message());
            r.insert("code", QString::fromLatin1(core::errorCodeName(status.error().code)));
        }
        results.append(r);
        if (!p.isSet(QStringLiteral("json"))) {
            if (status)
                out() << f << ": ok (" << r.value("tensors").toInt() << " tensors)\n";
            else
                err() << "graft-cli check-weights: " << status.error().message() << "\n";
        }
    }
    if (p.isSet(QStringLiteral("json")))
        printJson(QJsonObject{{"results", results}});
    return allOk ? kExitOk : kExitBlocked;
}

} // namespace graft::cli
