#include "graft/vision/ImageScanner.h"

#include "vision/CvDecode.h"
#include "graft/io/AtomicFile.h"
#include "vision/ParallelFor.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <atomic>
#include <random>

namespace graft::vision {

using core::ErrorCode;
using core::makeError;

const char *splitName(Split split)
{
    switch (split) {
    case Split::Train: return "train";
    case Split::Val: return "val";
    case Split::Test: return "test";
    }
    return "train";
}

const char *fileStatusName(FileStatus status)
{
    switch (status) {
    case FileStatus::Ok: return "ok";
    case FileStatus::Unreadable: return "unreadable";
    case FileStatus::ZeroBytes: return "zero_bytes";
    case FileStatus::NotImage: return "not_image";
    case FileStatus::Truncated: return "truncated";
    case FileStatus::Corrupt: return "corrupt";
    case FileStatus::TooSmall: return "too_small";
    case FileStatus::TooLarge: return "too_large";
    case FileStatus::Duplicate: return "duplicate";
    }
    return "corrupt";
}

QStringList ScanReport::classNames() const
{
    QStringList names;
    for (const auto &c : classes)
        names << c.name;
    return names;
}

std::vector<Sample> ScanReport::samples(Split split) const
{
    std::vector<Sample> out;
    for (const auto &e : entries)
        if (e.split == split && e.usable())
            out.push_back({e.path, e.classIndex});
    return out;
}

int ScanReport::count(Split split) const
{
    int n = 0;
    for (const auto &c : classes)
        n += c.usable[size_t(split)];
    return n;
}

std::vector<const ImageEntry *> ScanReport::problems() const
{
    std::vector<const ImageEntry *> out;
    for (const auto &e : entries)
        if (!e.usable())
            out.push_back(&e);
    return out;
}

QJsonObject ScanReport::toJson() const
{
    QJsonArray cls;
    for (const auto &c : classes)
        cls.append(QJsonObject{{"name", c.name},
                               {"count", c.total()},
                               {"train", c.usable[0]},
                               {"val", c.usable[1]},
                               {"test", c.usable[2]},
                               {"files", c.files}});
    QJsonArray issues;
    for (const auto *e : problems())
        issues.append(QJsonObject{{"file", e->relativePath},
                                  {"path", e->path},
                                  {"kind", QString::fromLatin1(fileStatusName(e->status))},
                                  {"message", e->message}});
    QJsonArray block;
    for (const auto &b : blocking)
        block.append(QJsonObject{{"code", b.code}, {"message", b.message}});
    return QJsonObject{
        {"kind", "image"},
        {"root", root},
        {"split_source", predefinedSplit ? "folders" : (splitFromFile ? "file" : "random")},
        {"seed", seed},
        {"val_fraction", valFraction},
        {"classes", cls},
        {"splits",
         QJsonObject{{"train", count(Split::Train)},
                     {"val", count(Split::Val)},
                     {"test", count(Split::Test)}}},
        {"files", int(entries.size())},
        {"issues", issues},
        {"blocking", block},
        {"warnings", QJsonArray::fromStringList(warnings)},
        {"can_train", canTrain()},
    };
}

core::Status ScanReport::saveSplit(const QString &path) const
{
    QJsonObject files;
    for (const auto &e : entries)
        if (e.split != Split::Test)
            files.insert(e.relativePath, QString::fromLatin1(splitName(e.split)));
    const QJsonObject doc{{"format", "graft-split"}, {"version", 1}, {"seed", seed},
                          {"val_fraction", valFraction}, {"files", files}};
    return io::writeFileAtomically(path, QJsonDocument(doc).toJson(QJsonDocument::Indented));
}

namespace {

bool isHidden(const QString &name)
{
    return name.startsWith(QLatin1Char('.')) || name.compare(QLatin1String("Thumbs.db"), Qt::CaseInsensitive) == 0 ||
           name.compare(QLatin1String("desktop.ini"), Qt::CaseInsensitive) == 0;
}

QStringList subdirs(const QString &dir)
{
    QStringList out;
    const auto infos = QDir(dir).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (const auto &fi : infos)
        if (!isHidden(fi.fileName()))
            out << fi.fileName();
    return out;
}

/// Recognises split folder names; returns false for anything else.
bool splitOf(const QString &name, Split *split)
{
    const QString n = name.toLower();
    if (n == QLatin1String("train") || n == QLatin1String("training")) {
        *split = Split::Train;
        return true;
    }
    if (n == QLatin1String("val") || n == QLatin1String("valid") ||
        n == QLatin1String("validation")) {
        *split = Split::Val;
        return true;
    }
    if (n == QLatin1String("test") || n == QLatin1String("testing")) {
        *split = Split::Test;
        return true;
    }
    return false;
}

void listFiles(const QString &classDir, std::vector<QString> *out)
{
    QDirIterator it(classDir, QDir::Files | QDir::NoDotAndDotDot | QDir::Hidden,
                    QDirIterator::Subdirectories);
    std::vector<QString> files;
    while (it.hasNext()) {
        const QString path = it.next();
        // Skip hidden files and anything under a hidden folder.
        const QString rel = QDir(classDir).relativeFilePath(path);
        bool hidden = false;
        for (const auto &part : rel.split(QLatin1Char('/')))
            hidden = hidden || isHidden(part);
        if (!hidden)
            files.push_back(path);
    }
    std::sort(files.begin(), files.end());
    out->insert(out->end(), files.begin(), files.end());
}

void checkFile(ImageEntry &e, const ScanOptions &opt)
{
    QFile f(e.path);
    if (!f.open(QIODevice::ReadOnly)) {
        e.status = FileStatus::Unreadable;
        e.message = QStringLiteral("cannot be opened: %1").arg(f.errorString());
        return;
    }
    e.bytes = f.size();
    if (e.bytes == 0) {
        e.status = FileStatus::ZeroBytes;
        e.message = QStringLiteral("file is empty (0 bytes)");
        return;
    }
    const QByteArray bytes = f.readAll();
    if (bytes.size() != e.bytes) {
        e.status = FileStatus::Unreadable;
        e.message = QStringLiteral("read error: %1").arg(f.errorString());
        return;
    }
    e.sha256 = QCryptographicHash::hash(bytes, QCryptographicHash::Sha256);
    e.format = sniffImageFormat(bytes.constData(), bytes.size());
    if (e.format == ImageFormat::Unknown) {
        e.status = FileStatus::NotImage;
        e.message = QStringLiteral("not an image: no JPEG, PNG, BMP, WebP, TIFF or GIF signature");
        return;
    }
    auto header = parseImageHeader(bytes);
    if (!header) {
        e.status = header.error().detail.contains(QLatin1String("truncated")) ? FileStatus::Truncated
                                                                               : FileStatus::Corrupt;
        e.message = header.error().detail;
        return;
    }
    e.width = header->displayWidth();
    e.height = header->displayHeight();
    if (header->pixelCount() > opt.maxPixels) {
        e.status = FileStatus::TooLarge;
        e.message = QStringLiteral("%1x%2 pixels (%3 megapixels) exceeds the %4 megapixel limit")
                        .arg(header->width)
                        .arg(header->height)
                        .arg(double(header->pixelCount()) / 1e6, 0, 'f', 1)
                        .arg(double(opt.maxPixels) / 1e6, 0, 'f', 0);
        return;
    }
    if (header->width < opt.minSide || header->height < opt.minSide) {
        e.status = FileStatus::TooSmall;
        e.message = QStringLiteral("%1x%2 pixels is below the %3-pixel minimum side")
                        .arg(header->width)
                        .arg(header->height)
                        .arg(opt.minSide);
        return;
    }
    if (!header->complete) {
        e.status = FileStatus::Truncated;
        e.message = QStringLiteral("%1 data is truncated (end marker missing)")
                        .arg(QString::fromLatin1(imageFormatName(e.format)).toUpper());
        return;
    }
    if (opt.verifyDecode) {
        DecodeOptions d;
        d.maxPixels = opt.maxPixels;
        d.reduceToAtLeast = 16; // still parses every entropy-coded byte
        auto mat = decodeToMat(bytes, d);
        if (!mat) {
            e.status = mat.error().code == ErrorCode::TooLarge ? FileStatus::TooLarge
                                                                : FileStatus::Corrupt;
            e.message = mat.error().detail;
            return;
        }
    }
}

} // namespace

core::Result<ScanReport> scanImageFolder(const QString &rootIn, const ScanOptions &opt,
                                         const core::ProgressFn &progress,
                                         const core::CancelToken &cancel)
{
    const QFileInfo rootInfo(rootIn);
    if (!rootInfo.exists())
        return makeError(ErrorCode::NotFound, QStringLiteral("folder not found"), rootIn);
    if (!rootInfo.isDir())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("not a folder"), rootIn);
    if (!rootInfo.isReadable() || !QDir(rootIn).isReadable())
        return makeError(ErrorCode::Unreadable, QStringLiteral("folder cannot be read"), rootIn);

    ScanReport report;
    report.root = rootInfo.absoluteFilePath();
    report.seed = opt.seed;
    report.valFraction = opt.valFraction;
    const QDir root(report.root);

    // Layout: split folders at the top level, or class folders directly.
    struct ClassDir
    {
        QString dir;
        QString name;
        Split split;
    };
    std::vector<ClassDir> classDirs;
    const QStringList top = subdirs(report.root);
    bool anySplit = false;
    for (const auto &d : top) {
        Split s;
        anySplit = anySplit || splitOf(d, &s);
    }
    if (anySplit) {
        for (const auto &d : top) {
            Split s;
            if (!splitOf(d, &s)) {
                report.warnings << QStringLiteral("folder '%1' ignored: next to split folders, only "
                                                  "train/val/test are used")
                                       .arg(d);
                continue;
            }
            for (const auto &c : subdirs(root.filePath(d)))
                classDirs.push_back({root.filePath(d + QLatin1Char('/') + c), c, s});
        }
    } else {
        for (const auto &c : top)
            classDirs.push_back({root.filePath(c), c, Split::Train});
    }
    bool hasVal = false;
    for (const auto &cd : classDirs)
        hasVal = hasVal || cd.split == Split::Val;
    report.predefinedSplit = anySplit && hasVal;

    // Classes are the union of names over splits, sorted.
    QStringList names;
    for (const auto &cd : classDirs)
        if (!names.contains(cd.name))
            names << cd.name;
    names.sort(Qt::CaseSensitive);
    for (const auto &n : names)
        report.classes.push_back({n, {0, 0, 0}, 0});

    std::sort(classDirs.begin(), classDirs.end(), [&](const ClassDir &a, const ClassDir &b) {
        if (a.split != b.split)
            return int(a.split) < int(b.split);
        return names.indexOf(a.name) < names.indexOf(b.name);
    });
    for (const auto &cd : classDirs) {
        std::vector<QString> files;
        listFiles(cd.dir, &files);
        const int ci = int(names.indexOf(cd.name));
        for (const auto &f : files) {
            ImageEntry e;
            e.path = f;
            e.relativePath = root.relativeFilePath(f);
            e.classIndex = ci;
            e.split = cd.split;
            report.entries.push_back(std::move(e));
        }
    }

    // Check every file in parallel; order of results is the entry order.
    const qint64 total = qint64(report.entries.size());
    std::atomic<qint64> done{0};
    parallelFor(int(total), opt.threads, [&](int i) {
        if (cancel.isCancelled())
            return;
        checkFile(report.entries[size_t(i)], opt);
        const qint64 d = ++done;
        if (progress)
            progress(d, total);
    });
    if (cancel.isCancelled())
        return makeError(ErrorCode::Cancelled, QStringLiteral("scan cancelled"), report.root);

    // Exact duplicates: the first occurrence (train before val, then path order) is kept.
    QHash<QByteArray, size_t> firstSeen;
    for (size_t i = 0; i < report.entries.size(); ++i) {
        auto &e = report.entries[i];
        if (!e.usable())
            continue;
        auto it = firstSeen.constFind(e.sha256);
        if (it == firstSeen.constEnd()) {
            firstSeen.insert(e.sha256, i);
            continue;
        }
        const auto &orig = report.entries[*it];
        e.status = FileStatus::Duplicate;
        QString where;
        if (orig.classIndex != e.classIndex)
            where = QStringLiteral(" (in class '%1': conflicting labels)")
                        .arg(report.classes[size_t(orig.classIndex)].name);
        else if (orig.split != e.split)
            where = QStringLiteral(" (in the %1 split: leaks into evaluation)")
                        .arg(QString::fromLatin1(splitName(orig.split)));
        e.message = QStringLiteral("same content as %1%2").arg(orig.relativePath, where);
    }

    // Split: reuse a saved one, else stratified random split of train when no val folder.
    if (!opt.splitFile.isEmpty()) {
        QFile f(opt.splitFile);
        if (!f.open(QIODevice::ReadOnly))
            return makeError(ErrorCode::Unreadable, f.errorString(), opt.splitFile);
        const QJsonObject doc = QJsonDocument::fromJson(f.readAll()).object();
        if (doc.value(QStringLiteral("format")).toString() != QLatin1String("graft-split"))
            return makeError(ErrorCode::InvalidFormat, QStringLiteral("not a Graft split file"),
                             opt.splitFile);
        const QJsonObject files = doc.value(QStringLiteral("files")).toObject();
        for (auto &e : report.entries) {
            if (e.split == Split::Test)
                continue;
            const QString s = files.value(e.relativePath).toString();
            e.split = s == QLatin1String("val") ? Split::Val : Split::Train;
        }
        report.seed = doc.value(QStringLiteral("seed")).toInt(opt.seed);
        report.valFraction = doc.value(QStringLiteral("val_fraction")).toDouble(opt.valFraction);
        report.splitFromFile = true;
    } else if (!report.predefinedSplit && opt.valFraction > 0) {
        std::mt19937_64 rng(quint64(opt.seed));
        for (int c = 0; c < int(report.classes.size()); ++c) {
            std::vector<size_t> idx;
            for (size_t i = 0; i < report.entries.size(); ++i) {
                const auto &e = report.entries[i];
                if (e.classIndex == c && e.split == Split::Train && e.usable())
                    idx.push_back(i);
            }
            std::shuffle(idx.begin(), idx.end(), rng);
            int nVal = int(std::lround(double(idx.size()) * opt.valFraction));
            if (idx.size() >= 2)
                nVal = std::clamp(nVal, 1, int(idx.size()) - 1);
            else
                nVal = 0;
            for (int k = 0; k < nVal; ++k)
                report.entries[idx[size_t(k)]].split = Split::Val;
        }
        std::stable_sort(report.entries.begin(), report.entries.end(),
                         [](const ImageEntry &a, const ImageEntry &b) {
                             return int(a.split) < int(b.split);
                         });
    }

    for (const auto &e : report.entries) {
        auto &c = report.classes[size_t(e.classIndex)];
        ++c.files;
        if (e.usable())
            ++c.usable[size_t(e.split)];
    }

    // Blocking problems and warnings.
    if (report.classes.empty()) {
        report.blocking.push_back(
            {QStringLiteral("no_classes"),
             QStringLiteral("no class folders found in %1: put each class's images in a subfolder "
                            "named after the class")
                 .arg(report.root)});
    } else if (report.classes.size() < 2) {
        report.blocking.push_back(
            {QStringLiteral("one_class"),
             QStringLiteral("only one class ('%1'): at least two class folders are needed")
                 .arg(report.classes[0].name)});
    }
    int minCount = INT_MAX, maxCount = 0;
    for (const auto &c : report.classes) {
        const int trainable = c.usable[0] + c.usable[1];
        if (c.files == 0) {
            report.blocking.push_back({QStringLiteral("empty_class"),
                                       QStringLiteral("class folder '%1' is empty").arg(c.name)});
        } else if (trainable == 0) {
            report.blocking.push_back(
                {QStringLiteral("empty_class"),
                 QStringLiteral("class '%1' has no usable images (%2 files, all with problems)")
                     .arg(c.name)
                     .arg(c.files)});
        } else if (trainable < opt.minImagesPerClass) {
            report.blocking.push_back(
                {QStringLiteral("too_few_images"),
                 QStringLiteral("class '%1' has %2 usable images; at least %3 are needed")
                     .arg(c.name)
                     .arg(trainable)
                     .arg(opt.minImagesPerClass)});
        }
        minCount = std::min(minCount, trainable);
        maxCount = std::max(maxCount, trainable);
    }
    if (report.classes.size() >= 2 && minCount > 0 &&
        double(maxCount) / double(minCount) >= opt.imbalanceRatio)
        report.warnings << QStringLiteral("classes are imbalanced: largest has %1 images, smallest "
                                          "%2 (consider balanced class weights)")
                               .arg(maxCount)
                               .arg(minCount);
    if (report.canTrain() && report.count(Split::Val) == 0)
        report.warnings << QStringLiteral("no validation images: accuracy cannot be measured");
    return report;
}

} // namespace graft::vision
