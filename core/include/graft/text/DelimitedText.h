#pragma once

#include <QChar>
#include <QString>
#include <QStringList>

#include <vector>

namespace graft::text {

/// One record of a delimited file and the 1-based line on which it starts.
struct DelimitedRecord
{
    QStringList fields;
    int line = 0;
};

/// Parsed delimited text (RFC 4180: quoted fields, "" escapes, delimiters and newlines
/// inside quotes, CRLF or LF).
struct DelimitedTable
{
    std::vector<DelimitedRecord> records;
    QChar delimiter;
    bool unterminatedQuote = false; ///< file ended inside a quoted field
    int unterminatedLine = 0;       ///< line where that quoted field began
};

/// Parses `text` with `delimiter`. Blank lines are skipped.
DelimitedTable parseDelimited(const QString &text, QChar delimiter);

/// Picks the delimiter among , ; TAB | whose field count is most consistent (and > 1) over
/// the first records; `fallback` when none splits the lines.
QChar detectDelimiter(const QString &text, QChar fallback = QLatin1Char(','));

/// True when the first record looks like column names: no numeric cells and either a known
/// name (text, label, sentence, review, class, ...) or a label-column value that never repeats
/// in the following rows while other labels do.
bool looksLikeHeader(const DelimitedTable &table, int labelColumn);

} // namespace graft::text
