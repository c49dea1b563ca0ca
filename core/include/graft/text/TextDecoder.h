#pragma once
// Reading user text files: bytes to text, and delimited (CSV/TSV) tables.

#include "graft/core/Result.h"

#include <QByteArray>
#include <QChar>
#include <QString>
#include <QStringList>

#include <vector>

namespace graft::text {

/// Encodings Graft recognises in user text files.
enum class TextEncoding {
    Utf8,    ///< UTF-8 without BOM (or plain ASCII)
    Utf8Bom, ///< UTF-8 with a byte-order mark
    Utf16LE, ///< UTF-16 little-endian with BOM
    Utf16BE, ///< UTF-16 big-endian with BOM
    Latin1,  ///< fallback: ISO-8859-1, with Windows-1252 for bytes 0x80-0x9F
};

/// Stable name ("utf-8", "utf-8-bom", "utf-16le", "utf-16be", "latin-1").
const char *encodingName(TextEncoding encoding);

/// Decoded text and how it was decoded.
struct DecodedText
{
    QString text;
    TextEncoding encoding = TextEncoding::Utf8;
    bool fallback = false; ///< true when Latin-1 was guessed (report it as a warning)
};

/// Decodes bytes: BOM first (UTF-8, UTF-16 LE/BE), else strict UTF-8, else Latin-1.
/// Fails with InvalidFormat (never mangles) for bad UTF-16 (odd length, lone surrogates),
/// invalid UTF-8 after a UTF-8 BOM, and BOM-less data with NUL bytes (binary or UTF-16
/// without BOM). `file` only names the source in errors.
core::Result<DecodedText> decodeText(const QByteArray &bytes, const QString &file = {});

/// Reads and decodes a whole file (files over `maxBytes` fail with TooLarge).
core::Result<DecodedText> readTextFile(const QString &path, qint64 maxBytes = 64ll << 20);

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
