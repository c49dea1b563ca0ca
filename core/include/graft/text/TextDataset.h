#pragma once

#include "graft/core/Cancellation.h"
#include "graft/core/Result.h"
#include "graft/text/Tokenizer.h"

#include <QChar>
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

#include <vector>

namespace graft::text {

/// One labelled text. `split` is "train", "val", "test" or empty (not pre-split).
struct TextSample
{
    QString text;
    int label = -1;
    QString split;
    QString file;
    int line = 0; ///< 1-based line (record start) for delimited files; 0 for one-file texts
};

/// A problem found while scanning. `severity` is "error" (blocking), "warning" or "info".
struct TextIssue
{
    QString file;
    QString kind; ///< undecodable, latin1_fallback, empty_text, duplicate, bad_row, ...
    QString message;
    QString severity = QStringLiteral("warning");
    int line = 0;
};

/// How a text dataset is laid out on disk.
enum class TextLayout {
    ClassFolders, ///< root/<class>/*.txt, optionally root/<split>/<class>/*.txt
    Delimited,    ///< CSV/TSV with a text column and a label column
    TabLines,     ///< `sentence<TAB>label` lines in .txt files
};
const char *layoutName(TextLayout layout); ///< "class_folders", "delimited", "tab_lines"

/// What to read from a delimited file, and how to measure lengths.
struct TextScanOptions
{
    QString textColumn;  ///< header name or 0-based index; empty = guess
    QString labelColumn; ///< header name or 0-based index; empty = guess
    QChar delimiter;     ///< null = detect
    int header = -1;     ///< -1 detect, 0 no header row, 1 header row
    Tokenizer::Options tokenizer;
    qint64 maxFileBytes = 256ll << 20;
};

/// A scanned text dataset: the samples plus the scan report (counts, issues, lengths).
class TextDataset
{
public:
    QString root;
    TextLayout layout = TextLayout::ClassFolders;
    QStringList classes;             ///< sorted; label i is classes[i]
    std::vector<TextSample> samples; ///< decodable, non-empty texts with a label
    std::vector<TextIssue> issues;
    QStringList blocking;         ///< messages of errors that prevent training
    QMap<QString, int> encodings; ///< files (or tables) per encoding name
    int filesScanned = 0;
    int emptyTexts = 0;
    int duplicates = 0;            ///< texts equal to an earlier text (same split)
    int crossSplitDuplicates = 0;  ///< texts equal to a text in another split
    int conflictingDuplicates = 0; ///< equal texts with different labels
    int minTokens = 0;
    int medianTokens = 0;
    int maxTokens = 0;
    double meanTokens = 0;

    bool isBlocked() const { return !blocking.isEmpty(); }
    /// Splits present among samples, in the order train, val, test, "" (unsplit).
    QStringList splits() const;
    int count(int label, const QString &split = QStringLiteral("*")) const;
    /// Indices of samples in `split` ("" = unsplit).
    std::vector<int> indicesOf(const QString &split) const;

    /// Report in the image scan report's shape: kind "text", classes [{name,count}], splits,
    /// issues [{file,kind,message}], blocking, plus text-specific fields.
    QJsonObject toJson() const;
};

/// Scans a folder (class folders, or delimited/tab files) or a single CSV/TSV/txt file.
/// Fails only when the path is missing/unreadable or on cancellation; data problems are
/// issues in the returned dataset (blocking ones in `blocking`).
core::Result<TextDataset> scanTextDataset(const QString &path,
                                          const TextScanOptions &options = {},
                                          const core::ProgressFn &progress = {},
                                          const core::CancelToken &cancel = {});

/// True when `path` looks like text data rather than images: a file, or a folder whose first
/// few thousand files include .txt/.csv/.tsv files and no image files.
bool looksLikeTextDataset(const QString &path);

} // namespace graft::text
