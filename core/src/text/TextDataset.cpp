#include "graft/text/TextDataset.h"

#include "graft/text/DelimitedText.h"
#include "graft/text/TextDecoder.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>

namespace graft::text {

using core::ErrorCode;
using core::makeError;

const char *layoutName(TextLayout layout)
{
    switch (layout) {
    case TextLayout::ClassFolders:
        return "class_folders";
    case TextLayout::Delimited:
        return "delimited";
    case TextLayout::TabLines:
        return "tab_lines";
    }
    return "unknown";
}

namespace {

const QStringList kTextSuffixes = {QStringLiteral("txt"), QStringLiteral("text")};
const QStringList kTableSuffixes = {QStringLiteral("csv"), QStringLiteral("tsv"),
                                    QStringLiteral("tab"), QStringLiteral("txt")};

QString splitName(const QString &folder)
{
    const QString f = folder.toLower();
    if (f == QLatin1String("train") || f == QLatin1String("training"))
        return QStringLiteral("train");
    if (f == QLatin1String("val") || f == QLatin1String("valid") ||
        f == QLatin1String("validation") || f == QLatin1String("dev"))
        return QStringLiteral("val");
    if (f == QLatin1String("test") || f == QLatin1String("testing"))
        return QStringLiteral("test");
    return {};
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
    out.erase(std::remove_if(out.begin(), out.end(),
                             [](const QString &d) { return d.startsWith(QLatin1Char('.')); }),
              out.end());
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
    QMap<QString, int> classFolderCounts; // class folders (even empty ones)

    void issue(const QString &file,
               const QString &kind,
               const QString &message,
               const QString &severity = QStringLiteral("warning"),
               int line = 0)
    {
        ds.issues.push_back(TextIssue{file, kind, message, severity, line});
    }

    bool decode(const QString &file, QString *text)
    {
        ++ds.filesScanned;
        auto r = readTextFile(file, options.maxFileBytes);
        if (!r) {
            issue(file, QStringLiteral("undecodable"), r.error().detail, QStringLiteral("warning"));
            ds.encodings[QStringLiteral("undecodable")] += 1;
            return false;
        }
        ds.encodings[QString::fromLatin1(encodingName(r->encoding))] += 1;
        if (r->fallback)
            issue(file, QStringLiteral("latin1_fallback"),
                  QStringLiteral("not valid UTF-8 and no byte-order mark: read as Latin-1 "
                                 "(Windows-1252); check accented letters"));
        *text = r->text;
        return true;
    }

    bool scanClassFolders(const QString &root)
    {
        QStringList top = subdirs(root);
        std::vector<std::pair<QString, QString>> classDirs; // (split, dir)
        const bool splitLevel =
            !top.isEmpty() && std::all_of(top.begin(), top.end(),
                                          [](const QString &d) { return !splitName(d).isEmpty(); });
        if (splitLevel) {
            // train, val, test: an earlier split's text is the original of a duplicate.
            std::stable_sort(top.begin(), top.end(), [](const QString &a, const QString &b) {
                static const QStringList order = {QStringLiteral("train"), QStringLiteral("val"),
                                                  QStringLiteral("test")};
                return order.indexOf(splitName(a)) < order.indexOf(splitName(b));
            });
            for (const QString &s : top)
                for (const QString &c : subdirs(root + QLatin1Char('/') + s))
                    classDirs.emplace_back(splitName(s), s + QLatin1Char('/') + c);
        } else {
            for (const QString &c : top)
                classDirs.emplace_back(QString(), c);
        }
        std::vector<std::pair<int, QStringList>> files;
        qint64 total = 0;
        for (const auto &[split, dir] : classDirs) {
            QStringList list;
            QDirIterator it(root + QLatin1Char('/') + dir, QDir::Files,
                            QDirIterator::Subdirectories);
            while (it.hasNext()) {
                const QString f = it.next();
                if (kTextSuffixes.contains(QFileInfo(f).suffix().toLower()))
                    list.append(f);
            }
            list.sort();
            total += list.size();
            files.emplace_back(0, list);
        }
        qint64 done = 0;
        for (size_t d = 0; d < classDirs.size(); ++d) {
            const QString className = QFileInfo(classDirs[d].second).fileName();
            classFolderCounts[className] += 0;
            for (const QString &f : files[d].second) {
                if (cancel.isCancelled())
                    return false;
                QString text;
                if (decode(f, &text)) {
                    raw.push_back(Raw{text.trimmed(), className, classDirs[d].first, f, 0});
                    classFolderCounts[className] += 1;
                }
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
            issue(file, QStringLiteral("bad_row"),
                  QStringLiteral("quoted field starting on line %1 is never closed")
                      .arg(table.unterminatedLine),
                  QStringLiteral("warning"), table.unterminatedLine);
        if (table.records.empty()) {
            issue(file, QStringLiteral("empty_file"), QStringLiteral("no rows"));
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
            issue(file, QStringLiteral("bad_column"),
                  QStringLiteral("column \"%1\" not found")
                      .arg(textCol == -2 ? options.textColumn : options.labelColumn),
                  QStringLiteral("error"));
            ds.blocking.append(ds.issues.back().message);
            return;
        }
        if (ncols < 2) {
            issue(file, QStringLiteral("bad_column"),
                  QStringLiteral("only one column found (delimiter '%1')").arg(delim),
                  QStringLiteral("error"));
            ds.blocking.append(file + QStringLiteral(": only one column"));
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
                for (int c = 0; c < ncols; ++c) {
                    if (c == textCol || distinct[c].size() < 1)
                        continue;
                    if (best < 0 || distinct[c].size() < distinct[best].size())
                        best = c;
                }
                labelCol = best < 0 ? (textCol == 0 ? 1 : 0) : best;
            }
        }
        const bool hasHeader = options.header >= 0
                                   ? options.header == 1
                                   : (!options.textColumn.isEmpty() &&
                                      resolveColumn(options.textColumn, first, ncols) >= 0 &&
                                      !options.textColumn.front().isDigit()) ||
                                         looksLikeHeader(table, labelCol);
        const QString split = splitFromFileName(file);
        for (size_t r = hasHeader ? 1 : 0; r < table.records.size(); ++r) {
            const auto &rec = table.records[r];
            if (rec.fields.size() <= std::max(textCol, labelCol)) {
                issue(file, QStringLiteral("bad_row"),
                      QStringLiteral("line %1: %2 fields, expected at least %3")
                          .arg(rec.line)
                          .arg(rec.fields.size())
                          .arg(std::max(textCol, labelCol) + 1),
                      QStringLiteral("warning"), rec.line);
                continue;
            }
            const QString label = rec.fields[labelCol].trimmed();
            if (label.isEmpty()) {
                issue(file, QStringLiteral("missing_label"),
                      QStringLiteral("line %1: empty label").arg(rec.line),
                      QStringLiteral("warning"), rec.line);
                continue;
            }
            raw.push_back(Raw{rec.fields[textCol].trimmed(), label, split, file, rec.line});
        }
    }

    // `sentence<TAB>label` per line. Returns false when the file is not in that format.
    bool scanTabLines(const QString &file, const QString &text)
    {
        const QStringList lines = text.split(QRegularExpression(QStringLiteral("\r\n|\n|\r")));
        int nonBlank = 0, withTab = 0;
        for (const QString &l : lines) {
            if (l.trimmed().isEmpty())
                continue;
            ++nonBlank;
            const qsizetype t = l.lastIndexOf(QLatin1Char('\t'));
            if (t > 0 && !l.mid(t + 1).trimmed().isEmpty() && l.mid(t + 1).trimmed().size() <= 40)
                ++withTab;
        }
        if (nonBlank == 0 || withTab * 2 < nonBlank)
            return false;
        const QString split = splitFromFileName(file);
        for (int i = 0; i < lines.size(); ++i) {
            const QString &l = lines[i];
            if (l.trimmed().isEmpty())
                continue;
            const qsizetype t = l.lastIndexOf(QLatin1Char('\t'));
            const QString label = t > 0 ? l.mid(t + 1).trimmed() : QString();
            if (t <= 0 || label.isEmpty()) {
                issue(file, QStringLiteral("bad_row"),
                      QStringLiteral("line %1: no <TAB>label at the end").arg(i + 1),
                      QStringLiteral("warning"), i + 1);
                continue;
            }
            raw.push_back(Raw{l.left(t).trimmed(), label, split, file, i + 1});
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
            QString text;
            if (decode(f, &text)) {
                const QString suffix = QFileInfo(f).suffix().toLower();
                if (suffix == QLatin1String("txt")) {
                    if (scanTabLines(f, text))
                        anyTab = true;
                    else
                        issue(f, QStringLiteral("skipped_file"),
                              QStringLiteral("not a sentence<TAB>label file; ignored"),
                              QStringLiteral("info"));
                } else {
                    scanDelimited(f, text);
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
        QSet<QString> names;
        for (const Raw &r : raw)
            names.insert(r.label);
        for (auto it = classFolderCounts.cbegin(); it != classFolderCounts.cend(); ++it)
            names.insert(it.key());
        ds.classes = QStringList(names.begin(), names.end());
        std::sort(ds.classes.begin(), ds.classes.end());
        QHash<QString, int> classId;
        for (int i = 0; i < ds.classes.size(); ++i)
            classId.insert(ds.classes[i], i);

        struct Seen
        {
            int sample;
            QString split;
            int label;
        };
        QHash<QString, Seen> seen;
        std::vector<int> lengths;
        for (const Raw &r : raw) {
            const QString where = r.line > 0 ? QStringLiteral(" (line %1)").arg(r.line) : QString();
            if (r.text.isEmpty()) {
                ++ds.emptyTexts;
                issue(r.file, QStringLiteral("empty_text"),
                      QStringLiteral("empty text%1; skipped").arg(where), QStringLiteral("warning"),
                      r.line);
                continue;
            }
            const int label = classId.value(r.label);
            const int index = int(ds.samples.size());
            auto it = seen.constFind(r.text);
            if (it != seen.constEnd()) {
                const TextSample &other = ds.samples[it->sample];
                const QString otherWhere =
                    other.line > 0 ? QStringLiteral(":%1").arg(other.line) : QString();
                if (it->label != label) {
                    ++ds.conflictingDuplicates;
                    issue(r.file, QStringLiteral("conflicting_duplicate"),
                          QStringLiteral("same text as %1%2 but labelled \"%3\" there, \"%4\" "
                                         "here%5")
                              .arg(other.file, otherWhere, ds.classes[it->label], r.label, where),
                          QStringLiteral("warning"), r.line);
                } else if (it->split != r.split) {
                    ++ds.crossSplitDuplicates;
                    issue(r.file, QStringLiteral("duplicate_across_splits"),
                          QStringLiteral("same text as %1%2 in split \"%3\"%4")
                              .arg(other.file, otherWhere, it->split, where),
                          QStringLiteral("warning"), r.line);
                } else {
                    ++ds.duplicates;
                    issue(r.file, QStringLiteral("duplicate"),
                          QStringLiteral("same text as %1%2%3").arg(other.file, otherWhere, where),
                          QStringLiteral("warning"), r.line);
                }
            } else {
                seen.insert(r.text, Seen{index, r.split, label});
            }
            ds.samples.push_back(TextSample{r.text, label, r.split, r.file, r.line});
            lengths.push_back(int(tok.tokenize(r.text).size()));
        }
        if (!lengths.empty()) {
            std::vector<int> sorted = lengths;
            std::sort(sorted.begin(), sorted.end());
            ds.minTokens = sorted.front();
            ds.maxTokens = sorted.back();
            ds.medianTokens = sorted[sorted.size() / 2];
            double sum = 0;
            for (int n : sorted)
                sum += n;
            ds.meanTokens = sum / double(sorted.size());
        }
        for (int c = 0; c < ds.classes.size(); ++c) {
            if (ds.count(c) == 0) {
                const QString msg =
                    QStringLiteral("class \"%1\" has no usable texts").arg(ds.classes[c]);
                issue(ds.root + QLatin1Char('/') + ds.classes[c], QStringLiteral("empty_class"),
                      msg, QStringLiteral("error"));
                ds.blocking.append(msg);
            }
        }
        int usable = 0;
        for (int c = 0; c < ds.classes.size(); ++c)
            usable += ds.count(c) > 0 ? 1 : 0;
        if (usable < 2) {
            const QString msg =
                QStringLiteral("at least two classes with texts are needed; found %1").arg(usable);
            issue(ds.root, QStringLiteral("too_few_classes"), msg, QStringLiteral("error"));
            ds.blocking.append(msg);
        }
    }
};

} // namespace

QStringList TextDataset::splits() const
{
    QSet<QString> present;
    for (const auto &s : samples)
        present.insert(s.split);
    QStringList out;
    for (const QString &s :
         {QStringLiteral("train"), QStringLiteral("val"), QStringLiteral("test"), QString()})
        if (present.contains(s))
            out.append(s);
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
    QJsonArray cls;
    for (int c = 0; c < classes.size(); ++c) {
        QJsonObject perSplit;
        for (const QString &s : splits())
            perSplit.insert(s.isEmpty() ? QStringLiteral("unsplit") : s, count(c, s));
        cls.append(QJsonObject{{QStringLiteral("name"), classes[c]},
                               {QStringLiteral("count"), count(c)},
                               {QStringLiteral("splits"), perSplit}});
    }
    QJsonObject spl;
    for (const QString &s : splits())
        spl.insert(s.isEmpty() ? QStringLiteral("unsplit") : s, int(indicesOf(s).size()));
    QJsonArray iss;
    for (const TextIssue &i : issues) {
        QJsonObject o{{QStringLiteral("file"), i.file},
                      {QStringLiteral("kind"), i.kind},
                      {QStringLiteral("message"), i.message},
                      {QStringLiteral("severity"), i.severity}};
        if (i.line > 0)
            o.insert(QStringLiteral("line"), i.line);
        iss.append(o);
    }
    QJsonObject enc;
    for (auto it = encodings.cbegin(); it != encodings.cend(); ++it)
        enc.insert(it.key(), it.value());
    return QJsonObject{
        {QStringLiteral("kind"), QStringLiteral("text")},
        {QStringLiteral("root"), root},
        {QStringLiteral("layout"), QString::fromLatin1(layoutName(layout))},
        {QStringLiteral("classes"), cls},
        {QStringLiteral("splits"), spl},
        {QStringLiteral("total"), int(samples.size())},
        {QStringLiteral("files_scanned"), filesScanned},
        {QStringLiteral("encodings"), enc},
        {QStringLiteral("empty_texts"), emptyTexts},
        {QStringLiteral("duplicates"), duplicates},
        {QStringLiteral("duplicates_across_splits"), crossSplitDuplicates},
        {QStringLiteral("conflicting_duplicates"), conflictingDuplicates},
        {QStringLiteral("length_tokens"), QJsonObject{{QStringLiteral("min"), minTokens},
                                                      {QStringLiteral("median"), medianTokens},
                                                      {QStringLiteral("max"), maxTokens},
                                                      {QStringLiteral("mean"), meanTokens}}},
        {QStringLiteral("issues"), iss},
        {QStringLiteral("blocking"), QJsonArray::fromStringList(blocking)},
        {QStringLiteral("blocked"), isBlocked()},
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
    Scanner s{options, progress, cancel, {}, {}, {}};
    s.ds.root = info.absoluteFilePath();
    bool completed = true;
    if (info.isFile()) {
        completed = s.scanTableFiles({info.absoluteFilePath()});
    } else if (!info.isReadable()) {
        return makeError(ErrorCode::Unreadable, QStringLiteral("folder cannot be read"), path);
    } else {
        const QDir dir(info.absoluteFilePath());
        QStringList tables;
        for (const QString &f : dir.entryList(QDir::Files, QDir::Name))
            if (kTableSuffixes.contains(QFileInfo(f).suffix().toLower()))
                tables.append(dir.filePath(f));
        if (!subdirs(dir.path()).isEmpty()) {
            s.ds.layout = TextLayout::ClassFolders;
            completed = s.scanClassFolders(dir.path());
        } else {
            completed = s.scanTableFiles(tables);
        }
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
    static const QStringList textSuffixes{QStringLiteral("txt"), QStringLiteral("csv"),
                                          QStringLiteral("tsv")};
    static const QStringList imageSuffixes{
        QStringLiteral("jpg"), QStringLiteral("jpeg"), QStringLiteral("png"), QStringLiteral("bmp"),
        QStringLiteral("gif"), QStringLiteral("webp"), QStringLiteral("tif"), QStringLiteral("tiff"),
        QStringLiteral("ppm"), QStringLiteral("pgm")};
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
