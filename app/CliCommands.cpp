#include "CliCommands.h"

#include "graft/data/ImageScanner.h"

#include <QCommandLineParser>
#include <QJsonDocument>
#include <QTextStream>

namespace graft::cli {

namespace {

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}
QTextStream &err()
{
    static QTextStream s(stderr);
    return s;
}

/// Parses `args` (without the command name); prints errors/help. Returns false to exit.
bool parse(QCommandLineParser &parser, const QString &command, const QStringList &args, int *exitCode)
{
    parser.addHelpOption();
    QStringList full = args;
    full.prepend(QStringLiteral("graft-cli ") + command);
    if (!parser.parse(full)) {
        err() << "graft-cli " << command << ": " << parser.errorText() << "\n";
        *exitCode = kExitFailure;
        return false;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        *exitCode = kExitOk;
        return false;
    }
    return true;
}

void printJson(const QJsonObject &obj)
{
    out() << QJsonDocument(obj).toJson(QJsonDocument::Indented);
}

void printScanTable(const data::ScanReport &r)
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
             .arg(r.count(data::Split::Train), 7)
             .arg(r.count(data::Split::Val), 7)
             .arg(r.count(data::Split::Test), 7)
             .arg(r.count(data::Split::Train) + r.count(data::Split::Val) +
                      r.count(data::Split::Test),
                  7);
    const auto problems = r.problems();
    o << "\n" << problems.size() << " file issue(s)\n";
    for (const auto *e : problems)
        o << "  [" << data::fileStatusName(e->status) << "] " << e->relativePath << ": "
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
    p.addOption({QStringLiteral("min-images"),
                 QStringLiteral("fewest usable images per class (default 2)"), QStringLiteral("N"),
                 QStringLiteral("2")});
    int code = kExitOk;
    if (!parse(p, QStringLiteral("scan"), args, &code))
        return code;
    if (p.positionalArguments().size() != 1) {
        err() << "graft-cli scan: expected one folder\n";
        return kExitFailure;
    }
    data::ScanOptions opt;
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
    auto report = data::scanImageFolder(p.positionalArguments().first(), opt);
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

} // namespace graft::cli
