#include "graft/text/TextDataset.h"

#include "graft/text/TextDecoder.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <iterator>
#include <numeric>
#include <optional>

namespace graft::text {

using core::ErrorCode;
using core::makeError;

const char *layoutName(TextLayout layout)
{
    constexpr const char *names[] = {"class_folders", "delimited", "tab_lines"};
    static_assert(std::size(names) == size_t(TextLayout::TabLines) + 1, "one name per value");
    const auto i = size_t(layout);
    return i < std::size(names) ? names[i] : "unknown";
}

namespace {

/// "train", "val" or "test" for a folder (or file-name part) naming a split; else empty.
QString splitName(const QString &folder)
{
    static const QHash<QString, QString> splits{
        {"train", "train"},    {"training", "train"}, {"val", "val"},   {"valid", "val"},
        {"validation", "val"}, {"dev", "val"},        {"test", "test"}, {"testing", "test"}};
    return splits.value(folder.toLower());
}

QString splitFromFileName(const QString &path)
{
    const QString base = QFileInfo(path).completeBaseName().toLower();
    for (const QString &part : base.split(QRegularExpression(QStringLiteral("[_.\\-]"))))
        if (const QString s = splitName(part); !s.isEmpty())
            return s;
    return {};
}

QStringList subdirs(const QString &path)
{
    QStringList out = QDir(path).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    out.removeIf([](const QString &d) { return d.startsWith(QLatin1Char('.')); });
    return out;
}

struct Scanner
{
    const TextScanOptions &options;
    const core::ProgressFn &progress;
    const core::CancelToken &cancel;
    TextDataset ds;
    // Raw rows before labels become ids.
    struct Raw
    {
        QString text, label, split, file;
        int line = 0;
    };
    std::vector<Raw> raw;
    QSet<QString> classFolders; // names of class folders (even empty ones)

    void issue(const QString &file,
               const char *kind,
               const QString &message,
               int line = 0,
               const char *severity = "warning")
    {
        ds.issues.push_back(TextIssue{file, QString::fromLatin1(kind), message,
                                      QString::fromLatin1(severity), line});
    }

    /// An "error" issue; `blocking` (by default the message) is added to ds.blocking.
    void error(const QString &file,
               const char *kind,
               const QString &message,
               const QString &blocking = {})
    {
        issue(file, kind, message, 0, "error");
        ds.blocking.append(blocking.isEmpty() ? message : blocking);
    }

    std::optional<QString> decode(const QString &file)
    {
        ++ds.filesScanned;
        auto r = readTextFile(file, options.maxFileBytes);
        if (!r) {
            issue(file, "undecodable", r.error().detail);
            ds.encodings[QStringLiteral("undecodable")] += 1;
            return std::nullopt;
        }
        ds.encodings[QString::fromLatin1(encodingName(r->encoding))] += 1;
        if (r->fallback)
            issue(file, "latin1_fallback",
                  QStringLiteral("not valid UTF-8 and no byte-order mark: read as Latin-1 "
                                 "(Windows-1252); check accented letters"));
        return r->text;
    }

    bool scanClassFolders(const QString &root)
    {
        struct ClassDir
        {
            QString split, name;
            QStringList files; // sorted
        };
        std::vector<ClassDir> classDirs;
        qint64 total = 0;
        const auto addClassDir = [&](const QString &split, const QString &dir) {
            QStringList files; // name filters ignore case
            QDirIterator it(dir, {"*.txt", "*.text"}, QDir::Files, QDirIterator::Subdirectories);
            while (it.hasNext())
                files.append(it.next());
            files.sort();
            total += files.size();
            classDirs.push_back(ClassDir{split, QFileInfo(dir).fileName(), files});
        };
        const QStringList top = subdirs(root);
        const bool splitLevel = !top.isEmpty() && std::ranges::all_of(top, [](const QString &d) {
            return !splitName(d).isEmpty();
        });
        if (splitLevel) {
            // train, val, test: an earlier split's text is the original of a duplicate.
            for (const QString split : {"train", "val", "test"})
                for (const QString &s : top)
                    if (splitName(s) == split)
                        for (const QString &c : subdirs(root + QLatin1Char('/') + s))
                            addClassDir(split, root + QLatin1Char('/') + s + QLatin1Char('/') + c);
        } else {
            for (const QString &c : top)
                addClassDir(QString(), root + QLatin1Char('/') + c);
        }
        qint64 done = 0;
        for (const ClassDir &d : classDirs) {
            classFolders.insert(d.name);
            for (const QString &f : d.files) {
                if (cancel.isCancelled())
                    return false;
                if (const auto text = decode(f))
                    raw.push_back(Raw{text->trimmed(), d.name, d.split, f, 0});
                if (progress)
                    progress(++done, total);
            }
        }
        return true;
    }

    int resolveColumn(const QString &spec, const QStringList &header, int ncols)
    {
        if (spec.isEmpty())
            return -1;
        bool ok = false;
        const int idx = spec.toInt(&ok);
        if (ok && idx >= 0 && idx < ncols)
            return idx;
        for (int i = 0; i < header.size(); ++i)
            if (header[i].trimmed().compare(spec, Qt::CaseInsensitive) == 0)
                return i;
        return -2;
    }

    void scanDelimited(const QString &file, const QString &text)
    {
        const QString suffix = QFileInfo(file).suffix().toLower();
        QChar delim = options.delimiter;
        if (delim.isNull())
            delim = (suffix == QLatin1String("tsv") || suffix == QLatin1String("tab"))
                        ? QLatin1Char('\t')
                        : detectDelimiter(text);
        const DelimitedTable table = parseDelimited(text, delim);
        if (table.unterminatedQuote)
            issue(file, "bad_row",
                  QStringLiteral("quoted field starting on line %1 is never closed")
                      .arg(table.unterminatedLine),
                  table.unterminatedLine);
        if (table.records.empty()) {
            issue(file, "empty_file", QStringLiteral("no rows"));
            return;
        }
        int ncols = 0;
        for (const auto &r : table.records)
            ncols = std::max(ncols, int(r.fields.size()));
        const QStringList &first = table.records.front().fields;
        // Guess columns: label = fewest distinct short values, text = longest on average.
        int textCol = resolveColumn(options.textColumn, first, ncols);
        int labelCol = resolveColumn(options.labelColumn, first, ncols);
        if (textCol == -2 || labelCol == -2) {
            error(file, "bad_column",
                  QStringLiteral("column \"%1\" not found")
                      .arg(textCol == -2 ? options.textColumn : options.labelColumn));
            return;
        }
        if (ncols < 2) {
            error(file, "bad_column",
                  QStringLiteral("only one column found (delimiter '%1')").arg(delim),
                  file + QStringLiteral(": only one column"));
            return;
        }
        if (textCol < 0 || labelCol < 0) {
            std::vector<double> avgLen(ncols, 0);
            std::vector<QSet<QString>> distinct(ncols);
            for (size_t r = 1; r < table.records.size(); ++r)
                for (int c = 0; c < ncols && c < table.records[r].fields.size(); ++c) {
                    avgLen[c] += table.records[r].fields[c].size();
                    distinct[c].insert(table.records[r].fields[c].trimmed());
                }
            if (textCol < 0) {
                textCol = int(std::max_element(avgLen.begin(), avgLen.end()) - avgLen.begin());
                if (textCol == labelCol)
                    textCol = labelCol == 0 ? 1 : 0;
            }
            if (labelCol < 0) {
                int best = -1;
                for (int c = 0; c < ncols; ++c)
                    if (c != textCol && !distinct[c].isEmpty() &&
                        (best < 0 || distinct[c].size() < distinct[best].size()))
                        best = c;
                labelCol = best < 0 ? (textCol == 0 ? 1 : 0) : best;
            }
        }
        // A text column given by name (not by index) means a header row.
        const bool hasHeader = options.header >= 0 ? options.header == 1
                                                   : (!options.textColumn.isEmpty() &&
                                                      !options.textColumn.front().isDigit()) ||
                                                         looksLikeHeader(table, labelCol);
        const QString split = splitFromFileName(file);
        const int needed = std::max(textCol, labelCol) + 1;
        for (size_t r = hasHeader ? 1 : 0; r < table.records.size(); ++r) {
            const auto &rec = table.records[r];
            if (rec.fields.size() < needed) {
                issue(file, "bad_row",
                      QStringLiteral("line %1: %2 fields, expected at least %3")
                          .arg(rec.line)
                          .arg(rec.fields.size())
                          .arg(needed),
                      rec.line);
                continue;
            }
            const QString label = rec.fields[labelCol].trimmed();
            if (label.isEmpty()) {
                issue(file, "missing_label", QStringLiteral("line %1: empty label").arg(rec.line),
                      rec.line);
                continue;
            }
            raw.push_back(Raw{rec.fields[textCol].trimmed(), label, split, file, rec.line});
        }
    }

    // `sentence<TAB>label` per line. Returns false when the file is not in that format.
    bool scanTabLines(const QString &file, const QString &text)
    {
        const QStringList lines = text.split(QRegularExpression(QStringLiteral("\r\n|\n|\r")));
        const QString split = splitFromFileName(file);
        const size_t rawBefore = raw.size(), issuesBefore = ds.issues.size();
        int nonBlank = 0, shortLabels = 0;
        for (int i = 0; i < lines.size(); ++i) {
            const QString &l = lines[i];
            if (l.trimmed().isEmpty())
                continue;
            ++nonBlank;
            const qsizetype t = l.lastIndexOf(QLatin1Char('\t'));
            const QString label = t > 0 ? l.mid(t + 1).trimmed() : QString();
            if (label.isEmpty()) {
                issue(file, "bad_row",
                      QStringLiteral("line %1: no <TAB>label at the end").arg(i + 1), i + 1);
                continue;
            }
            shortLabels += label.size() <= 40 ? 1 : 0;
            raw.push_back(Raw{l.left(t).trimmed(), label, split, file, i + 1});
        }
        if (nonBlank == 0 || shortLabels * 2 < nonBlank) {
            // Not in that format: take back its rows and issues.
            raw.resize(rawBefore);
            ds.issues.resize(issuesBefore);
            return false;
        }
        return true;
    }

    bool scanTableFiles(const QStringList &files)
    {
        qint64 done = 0;
        bool anyDelimited = false, anyTab = false;
        for (const QString &f : files) {
            if (cancel.isCancelled())
                return false;
            if (const auto text = decode(f)) {
                if (QFileInfo(f).suffix().toLower() == QLatin1String("txt")) {
                    if (scanTabLines(f, *text))
                        anyTab = true;
                    else
                        issue(f, "skipped_file",
                              QStringLiteral("not a sentence<TAB>label file; ignored"), 0, "info");
                } else {
                    scanDelimited(f, *text);
                    anyDelimited = true;
                }
            }
            if (progress)
                progress(++done, files.size());
        }
        ds.layout = anyDelimited || !anyTab ? TextLayout::Delimited : TextLayout::TabLines;
        return true;
    }

    void finish()
    {
        Tokenizer tok(options.tokenizer);
        QSet<QString> names = classFolders;
        for (const Raw &r : raw)
            names.insert(r.label);
        ds.classes = QStringList(names.begin(), names.end());
        std::sort(ds.classes.begin(), ds.classes.end());
        QHash<QString, int> classId;
        for (int i = 0; i < ds.classes.size(); ++i)
            classId.insert(ds.classes[i], i);
        QHash<QString, int> firstWithText; // text -> index of the sample that had it first
        std::vector<int> lengths;
        for (const Raw &r : raw) {
            const QString where = r.line > 0 ? QStringLiteral(" (line %1)").arg(r.line) : QString();
            if (r.text.isEmpty()) {
                ++ds.emptyTexts;
                issue(r.file, "empty_text", QStringLiteral("empty text%1; skipped").arg(where),
                      r.line);
                continue;
            }
            const int label = classId.value(r.label);
            auto it = firstWithText.constFind(r.text);
            if (it == firstWithText.constEnd()) {
                firstWithText.insert(r.text, int(ds.samples.size()));
            } else {
                const TextSample &other = ds.samples[*it];
                const QString otherAt =
                    other.line > 0 ? QStringLiteral(":%1").arg(other.line) : QString();
                // Built in pieces: a file name containing "%1" must not be substituted again.
                const QString same = QStringLiteral("same text as %1%2").arg(other.file, otherAt);
                if (other.label != label) {
                    ++ds.conflictingDuplicates;
                    issue(r.file, "conflicting_duplicate",
                          same + QStringLiteral(" but labelled \"%1\" there, \"%2\" here%3")
                                     .arg(ds.classes[other.label], r.label, where),
                          r.line);
                } else if (other.split != r.split) {
                    ++ds.crossSplitDuplicates;
                    issue(r.file, "duplicate_across_splits",
                          same + QStringLiteral(" in split \"%1\"%2").arg(other.split, where),
                          r.line);
                } else {
                    ++ds.duplicates;
                    issue(r.file, "duplicate", same + where, r.line);
                }
            }
            ds.samples.push_back(TextSample{r.text, label, r.split, r.file, r.line});
            lengths.push_back(int(tok.tokenize(r.text).size()));
        }
        if (!lengths.empty()) {
            std::sort(lengths.begin(), lengths.end());
            ds.minTokens = lengths.front();
            ds.maxTokens = lengths.back();
            ds.medianTokens = lengths[lengths.size() / 2];
            ds.meanTokens =
                std::accumulate(lengths.begin(), lengths.end(), 0.0) / double(lengths.size());
        }
        int usable = 0;
        for (int c = 0; c < ds.classes.size(); ++c) {
            if (ds.count(c) > 0)
                ++usable;
            else
                error(ds.root + QLatin1Char('/') + ds.classes[c], "empty_class",
                      QStringLiteral("class \"%1\" has no usable texts").arg(ds.classes[c]));
        }
        if (usable < 2)
            error(
                ds.root, "too_few_classes",
                QStringLiteral("at least two classes with texts are needed; found %1").arg(usable));
    }
};

} // namespace

QStringList TextDataset::splits() const
{
    QSet<QString> present;
    for (const auto &s : samples)
        present.insert(s.split);
    QStringList out = {QStringLiteral("train"), QStringLiteral("val"), QStringLiteral("test"), {}};
    out.removeIf([&](const QString &s) { return !present.contains(s); });
    return out;
}

int TextDataset::count(int label, const QString &split) const
{
    const bool any = split == QLatin1String("*");
    return int(std::count_if(samples.begin(), samples.end(), [&](const TextSample &s) {
        return s.label == label && (any || s.split == split);
    }));
}

std::vector<int> TextDataset::indicesOf(const QString &split) const
{
    std::vector<int> out;
    for (int i = 0; i < int(samples.size()); ++i)
        if (samples[i].split == split)
            out.push_back(i);
    return out;
}

QJsonObject TextDataset::toJson() const
{
    const auto key = [](const QString &split) {
        return split.isEmpty() ? QStringLiteral("unsplit") : split;
    };
    QJsonArray cls;
    for (int c = 0; c < classes.size(); ++c) {
        QJsonObject perSplit;
        for (const QString &s : splits())
            perSplit.insert(key(s), count(c, s));
        cls.append(QJsonObject{{"name", classes[c]}, {"count", count(c)}, {"splits", perSplit}});
    }
    QJsonObject spl;
    for (const QString &s : splits())
        spl.insert(key(s), int(indicesOf(s).size()));
    QJsonArray iss;
    for (const TextIssue &i : issues) {
        QJsonObject o{
            {"file", i.file}, {"kind", i.kind}, {"message", i.message}, {"severity", i.severity}};
        if (i.line > 0)
            o.insert("line", i.line);
        iss.append(o);
    }
    QJsonObject enc;
    for (auto it = encodings.cbegin(); it != encodings.cend(); ++it)
        enc.insert(it.key(), it.value());
    return QJsonObject{
        {"kind", "text"},
        {"root", root},
        {"layout", QString::fromLatin1(layoutName(layout))},
        {"classes", cls},
        {"splits", spl},
        {"total", int(samples.size())},
        {"files_scanned", filesScanned},
        {"encodings", enc},
        {"empty_texts", emptyTexts},
        {"duplicates", duplicates},
        {"duplicates_across_splits", crossSplitDuplicates},
        {"conflicting_duplicates", conflictingDuplicates},
        {"length_tokens", QJsonObject{{"min", minTokens},
                                      {"median", medianTokens},
                                      {"max", maxTokens},
                                      {"mean", meanTokens}}},
        {"issues", iss},
        {"blocking", QJsonArray::fromStringList(blocking)},
        {"blocked", isBlocked()},
    };
}

core::Result<TextDataset> scanTextDataset(const QString &path,
                                          const TextScanOptions &options,
                                          const core::ProgressFn &progress,
                                          const core::CancelToken &cancel)
{
    const QFileInfo info(path);
    if (!info.exists())
        return makeError(ErrorCode::NotFound, QStringLiteral("dataset not found"), path);
    if (!info.isFile() && !info.isReadable())
        return makeError(ErrorCode::Unreadable, QStringLiteral("folder cannot be read"), path);
    Scanner s{options, progress, cancel, {}, {}, {}};
    s.ds.root = info.absoluteFilePath();
    const QDir dir(s.ds.root);
    bool completed = true;
    if (info.isFile()) {
        completed = s.scanTableFiles({s.ds.root});
    } else if (!subdirs(dir.path()).isEmpty()) {
        s.ds.layout = TextLayout::ClassFolders;
        completed = s.scanClassFolders(dir.path());
    } else {
        QStringList tables;
        for (const QString &f :
             dir.entryList({"*.csv", "*.tsv", "*.tab", "*.txt"}, QDir::Files, QDir::Name))
            tables.append(dir.filePath(f));
        completed = s.scanTableFiles(tables);
    }
    if (!completed)
        return makeError(ErrorCode::Cancelled, QStringLiteral("scan cancelled"), path);
    s.finish();
    return std::move(s.ds);
}

bool looksLikeTextDataset(const QString &path)
{
    const QFileInfo info(path);
    if (info.isFile())
        return true;
    if (!info.isDir())
        return false;
    static const QStringList textSuffixes{"txt", "csv", "tsv"};
    static const QStringList imageSuffixes{"jpg",  "jpeg", "png",  "bmp", "gif",
                                           "webp", "tif",  "tiff", "ppm", "pgm"};
    QDirIterator it(path, QDir::Files | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    bool text = false;
    for (int seen = 0; it.hasNext() && seen < 5000; ++seen) {
        const QString suffix = QFileInfo(it.next()).suffix().toLower();
        if (imageSuffixes.contains(suffix))
            return false;
        text = text || textSuffixes.contains(suffix);
    }
    return text;
}

} // namespace graft::text
