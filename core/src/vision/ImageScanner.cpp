#include "graft/vision/ImageScanner.h"

#include "graft/core/Runtime.h"
#include "graft/io/AtomicFile.h"
#include "vision/CvDecode.h"

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
#include <thread>
#include <unordered_map>

namespace graft::vision {

using core::ErrorCode;
using core::makeError;

// The name tables follow the order of their enum.
const char *splitName(Split split)
{
    static const char *const kNames[] = {"train", "val", "test"};
    return kNames[size_t(split)];
}

const char *fileStatusName(FileStatus status)
{
    static const char *const kNames[] = {"ok",        "unreadable", "zero_bytes",
                                         "not_image", "truncated",  "corrupt",
                                         "too_small", "too_large",  "duplicate"};
    return kNames[size_t(status)];
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
        {"splits", QJsonObject{{"train", count(Split::Train)},
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
    const QJsonObject doc{{"format", "graft-split"},
                          {"version", 1},
                          {"seed", seed},
                          {"val_fraction", valFraction},
                          {"files", files}};
    return io::writeFileAtomically(path, QJsonDocument(doc).toJson(QJsonDocument::Indented));
}

namespace {

bool isHidden(const QString &name)
{
    return name.startsWith(QLatin1Char('.')) ||
           name.compare(QLatin1String("Thumbs.db"), Qt::CaseInsensitive) == 0 ||
           name.compare(QLatin1String("desktop.ini"), Qt::CaseInsensitive) == 0;
}

QStringList subdirs(const QString &dir)
{
    QStringList names = QDir(dir).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    names.removeIf(isHidden);
    return names;
}

/// Recognises split folder names (in any case).
std::optional<Split> splitOf(const QString &name)
{
    static const QHash<QString, Split> kSplits{
        {QStringLiteral("train"), Split::Train},    {QStringLiteral("training"), Split::Train},
        {QStringLiteral("val"), Split::Val},        {QStringLiteral("valid"), Split::Val},
        {QStringLiteral("validation"), Split::Val}, {QStringLiteral("test"), Split::Test},
        {QStringLiteral("testing"), Split::Test}};
    const auto it = kSplits.constFind(name.toLower());
    return it == kSplits.constEnd() ? std::nullopt : std::optional(*it);
}

/// Files below `classDir`, sorted, leaving out hidden files and anything under a hidden folder.
std::vector<QString> listFiles(const QString &classDir)
{
    QDirIterator it(classDir, QDir::Files | QDir::NoDotAndDotDot | QDir::Hidden,
                    QDirIterator::Subdirectories);
    std::vector<QString> files;
    while (it.hasNext()) {
        const QString path = it.next();
        const QStringList parts = QDir(classDir).relativeFilePath(path).split(QLatin1Char('/'));
        if (std::none_of(parts.begin(), parts.end(), isHidden))
            files.push_back(path);
    }
    std::sort(files.begin(), files.end());
    return files;
}

/// Runs fn(i) for i in [0, n) on `threads` threads (0 = all cores). Indices are handed out
/// dynamically; fn must be thread-safe and must not throw.
template<typename Fn> void parallelFor(int n, int threads, Fn &&fn)
{
    const int t = std::clamp(threads > 0 ? threads : core::hardwareThreads(), 1, std::max(1, n));
    if (t <= 1) {
        for (int i = 0; i < n; ++i)
            fn(i);
        return;
    }
    std::atomic<int> next{0};
    std::vector<std::thread> pool;
    pool.reserve(size_t(t));
    for (int k = 0; k < t; ++k)
        pool.emplace_back([&] {
            for (int i = next++; i < n; i = next++)
                fn(i);
        });
    for (auto &th : pool)
        th.join();
}

void reject(ImageEntry &e, FileStatus status, const QString &message)
{
    e.status = status;
    e.message = message;
}

void checkFile(ImageEntry &e, const ScanOptions &opt)
{
    QFile f(e.path);
    if (!f.open(QIODevice::ReadOnly))
        return reject(e, FileStatus::Unreadable,
                      QStringLiteral("cannot be opened: %1").arg(f.errorString()));
    e.bytes = f.size();
    if (e.bytes == 0)
        return reject(e, FileStatus::ZeroBytes, QStringLiteral("file is empty (0 bytes)"));
    const QByteArray bytes = f.readAll();
    if (bytes.size() != e.bytes)
        return reject(e, FileStatus::Unreadable,
                      QStringLiteral("read error: %1").arg(f.errorString()));
    e.sha256 = QCryptographicHash::hash(bytes, QCryptographicHash::Sha256);
    e.format = sniffImageFormat(bytes.constData(), bytes.size());
    if (e.format == ImageFormat::Unknown)
        return reject(e, FileStatus::NotImage,
                      QStringLiteral("not an image: no JPEG, PNG, BMP, WebP, TIFF or GIF "
                                     "signature"));
    auto header = parseImageHeader(bytes);
    if (!header)
        return reject(e,
                      header.error().detail.contains(QLatin1String("truncated"))
                          ? FileStatus::Truncated
                          : FileStatus::Corrupt,
                      header.error().detail);
    e.width = header->displayWidth();
    e.height = header->displayHeight();
    if (header->pixelCount() > opt.maxPixels)
        return reject(e, FileStatus::TooLarge,
                      QStringLiteral("%1x%2 pixels (%3 megapixels) exceeds the %4 megapixel limit")
                          .arg(header->width)
                          .arg(header->height)
                          .arg(double(header->pixelCount()) / 1e6, 0, 'f', 1)
                          .arg(double(opt.maxPixels) / 1e6, 0, 'f', 0));
    if (header->width < opt.minSide || header->height < opt.minSide)
        return reject(e, FileStatus::TooSmall,
                      QStringLiteral("%1x%2 pixels is below the %3-pixel minimum side")
                          .arg(header->width)
                          .arg(header->height)
                          .arg(opt.minSide));
    if (!header->complete)
        return reject(e, FileStatus::Truncated,
                      QStringLiteral("%1 data is truncated (end marker missing)")
                          .arg(QString::fromLatin1(imageFormatName(e.format)).toUpper()));
    if (opt.verifyDecode) {
        DecodeOptions d;
        d.maxPixels = opt.maxPixels;
        d.reduceToAtLeast = 16; // still parses every entropy-coded byte
        auto mat = decodeToMat(bytes, d);
        if (!mat)
            reject(e,
                   mat.error().code == ErrorCode::TooLarge ? FileStatus::TooLarge
                                                           : FileStatus::Corrupt,
                   mat.error().detail);
    }
}

} // namespace

core::Result<ScanReport> scanImageFolder(const QString &rootIn,
                                         const ScanOptions &opt,
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
    const bool anySplit =
        std::any_of(top.begin(), top.end(), [](const QString &d) { return bool(splitOf(d)); });
    if (anySplit) {
        for (const auto &d : top) {
            const auto s = splitOf(d);
            if (!s) {
                report.warnings << QStringLiteral(
                                       "folder '%1' ignored: next to split folders, only "
                                       "train/val/test are used")
                                       .arg(d);
                continue;
            }
            for (const auto &c : subdirs(root.filePath(d)))
                classDirs.push_back({root.filePath(d + QLatin1Char('/') + c), c, *s});
        }
    } else {
        for (const auto &c : top)
            classDirs.push_back({root.filePath(c), c, Split::Train});
    }
    report.predefinedSplit =
        anySplit && std::any_of(classDirs.begin(), classDirs.end(),
                                [](const ClassDir &cd) { return cd.split == Split::Val; });

    // Classes are the union of names over splits, sorted.
    QStringList names;
    for (const auto &cd : classDirs)
        names << cd.name;
    names.removeDuplicates();
    names.sort(Qt::CaseSensitive);
    for (const auto &n : names)
        report.classes.push_back({n, {0, 0, 0}, 0});

    std::sort(classDirs.begin(), classDirs.end(), [&](const ClassDir &a, const ClassDir &b) {
        return std::pair(a.split, names.indexOf(a.name)) <
               std::pair(b.split, names.indexOf(b.name));
    });
    for (const auto &cd : classDirs) {
        const int ci = int(names.indexOf(cd.name));
        for (const QString &f : listFiles(cd.dir)) {
            ImageEntry &e = report.entries.emplace_back();
            e.path = f;
            e.relativePath = root.relativeFilePath(f);
            e.classIndex = ci;
            e.split = cd.split;
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
    std::unordered_map<QByteArray, size_t> firstSeen;
    for (size_t i = 0; i < report.entries.size(); ++i) {
        auto &e = report.entries[i];
        if (!e.usable())
            continue;
        const auto [it, first] = firstSeen.try_emplace(e.sha256, i);
        if (first)
            continue;
        const auto &orig = report.entries[it->second];
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
            const int n = int(idx.size());
            const int nVal =
                n < 2 ? 0 : std::clamp(int(std::lround(n * opt.valFraction)), 1, n - 1);
            for (int k = 0; k < nVal; ++k)
                report.entries[idx[size_t(k)]].split = Split::Val;
        }
        std::stable_sort(
            report.entries.begin(), report.entries.end(),
            [](const ImageEntry &a, const ImageEntry &b) { return int(a.split) < int(b.split); });
    }

    for (const auto &e : report.entries) {
        auto &c = report.classes[size_t(e.classIndex)];
        ++c.files;
        if (e.usable())
            ++c.usable[size_t(e.split)];
    }

    // Blocking problems and warnings.
    const auto block = [&report](const char *code, const QString &message) {
        report.blocking.push_back({QLatin1String(code), message});
    };
    if (report.classes.empty())
        block("no_classes", QStringLiteral("no class folders found in %1: put each class's images "
                                           "in a subfolder named after the class")
                                .arg(report.root));
    else if (report.classes.size() < 2)
        block("one_class",
              QStringLiteral("only one class ('%1'): at least two class folders are needed")
                  .arg(report.classes[0].name));
    int minCount = INT_MAX, maxCount = 0;
    for (const auto &c : report.classes) {
        const int trainable = c.usable[0] + c.usable[1];
        if (c.files == 0)
            block("empty_class", QStringLiteral("class folder '%1' is empty").arg(c.name));
        else if (trainable == 0)
            block("empty_class",
                  QStringLiteral("class '%1' has no usable images (%2 files, all with problems)")
                      .arg(c.name)
                      .arg(c.files));
        else if (trainable < opt.minImagesPerClass)
            block("too_few_images",
                  QStringLiteral("class '%1' has %2 usable images; at least %3 are needed")
                      .arg(c.name)
                      .arg(trainable)
                      .arg(opt.minImagesPerClass));
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
