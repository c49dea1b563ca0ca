#include "graft/text/TextDecoder.h"

#include <QFile>
#include <QSet>
#include <QStringDecoder>

#include <algorithm>
#include <iterator>
#include <map>

namespace graft::text {

using core::ErrorCode;
using core::makeError;

const char *encodingName(TextEncoding encoding)
{
    constexpr const char *names[] = {"utf-8", "utf-8-bom", "utf-16le", "utf-16be", "latin-1"};
    static_assert(std::size(names) == size_t(TextEncoding::Latin1) + 1, "one name per value");
    const auto i = size_t(encoding);
    return i < std::size(names) ? names[i] : "unknown";
}

namespace {

// Windows-1252 code points for bytes 0x80-0x9F (0 = undefined there: keep the Latin-1 C1 code).
constexpr char16_t kCp1252High[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

core::Result<DecodedText> decodeUtf16(const QByteArray &bytes, bool bigEndian, const QString &file)
{
    const qsizetype n = bytes.size() - 2;
    if (n % 2 != 0)
        return makeError(ErrorCode::InvalidFormat,
                         QStringLiteral("UTF-16 file has an odd number of bytes"), file);
    // Code units as they are (a second BOM stays a character); surrogates are checked below.
    QStringDecoder decoder(bigEndian ? QStringConverter::Utf16BE : QStringConverter::Utf16LE,
                           QStringConverter::Flag::ConvertInitialBom);
    const QString text = decoder.decode(QByteArrayView(bytes).sliced(2));
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text.at(i).isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate())
            ++i;
        else if (text.at(i).isSurrogate())
            return makeError(ErrorCode::InvalidFormat,
                             QStringLiteral("invalid UTF-16: unpaired surrogate at unit %1").arg(i),
                             file);
    }
    return DecodedText{text, bigEndian ? TextEncoding::Utf16BE : TextEncoding::Utf16LE, false};
}

bool strictUtf8(QByteArrayView bytes, QString *out)
{
    QStringDecoder decoder(QStringConverter::Utf8, QStringConverter::Flag::Stateless);
    *out = decoder.decode(bytes);
    return !decoder.hasError();
}

} // namespace

core::Result<DecodedText> decodeText(const QByteArray &bytes, const QString &file)
{
    if (bytes.startsWith("\xEF\xBB\xBF")) {
        QString text;
        if (!strictUtf8(QByteArrayView(bytes).sliced(3), &text))
            return makeError(ErrorCode::InvalidFormat,
                             QStringLiteral("invalid UTF-8 after a UTF-8 byte-order mark"), file);
        return DecodedText{text, TextEncoding::Utf8Bom, false};
    }
    if (bytes.startsWith("\xFF\xFE"))
        return decodeUtf16(bytes, false, file);
    if (bytes.startsWith("\xFE\xFF"))
        return decodeUtf16(bytes, true, file);
    if (bytes.contains('\0'))
        return makeError(ErrorCode::InvalidFormat,
                         QStringLiteral("binary data or UTF-16 without a byte-order mark "
                                        "(NUL bytes found); save the file as UTF-8"),
                         file);
    QString text;
    if (strictUtf8(bytes, &text))
        return DecodedText{text, TextEncoding::Utf8, false};
    text = QString::fromLatin1(bytes);
    for (QChar &c : text)
        if (c.unicode() >= 0x80 && c.unicode() < 0xA0 && kCp1252High[c.unicode() - 0x80] != 0)
            c = QChar(kCp1252High[c.unicode() - 0x80]);
    return DecodedText{text, TextEncoding::Latin1, true};
}

core::Result<DecodedText> readTextFile(const QString &path, qint64 maxBytes)
{
    QFile f(path);
    if (!f.exists())
        return makeError(ErrorCode::NotFound, QStringLiteral("file not found"), path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::Unreadable, f.errorString(), path);
    if (f.size() > maxBytes)
        return makeError(ErrorCode::TooLarge,
                         QStringLiteral("file is larger than %1 bytes").arg(maxBytes), path);
    const QByteArray bytes = f.readAll();
    if (f.error() != QFileDevice::NoError)
        return makeError(ErrorCode::Unreadable, f.errorString(), path);
    return decodeText(bytes, path);
}

DelimitedTable parseDelimited(const QString &text, QChar delimiter)
{
    DelimitedTable table;
    table.delimiter = delimiter;
    DelimitedRecord record{{}, 1};
    QString field;
    bool inQuotes = false;
    bool fieldQuoted = false;
    bool recordHasContent = false;
    int line = 1;
    int quoteLine = 0;

    auto endField = [&] {
        record.fields.append(field);
        field.clear();
        fieldQuoted = false;
    };
    auto endRecord = [&](int nextLine) {
        endField();
        const bool blank = !recordHasContent && record.fields.size() == 1 &&
                           record.fields.first().trimmed().isEmpty();
        if (!blank)
            table.records.push_back(std::move(record));
        record = DelimitedRecord{{}, nextLine};
        recordHasContent = false;
    };

    const qsizetype n = text.size();
    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = text.at(i);
        if (inQuotes) {
            if (c != QLatin1Char('"')) {
                if (c == QLatin1Char('\n'))
                    ++line;
                field.append(c);
            } else if (i + 1 < n && text.at(i + 1) == QLatin1Char('"')) {
                field.append(c); // "" inside quotes
                ++i;
            } else {
                inQuotes = false;
            }
            continue;
        }
        if (c == QLatin1Char('"') && field.trimmed().isEmpty() && !fieldQuoted) {
            field.clear();
            inQuotes = true;
            fieldQuoted = true;
            recordHasContent = true;
            quoteLine = line;
        } else if (c == delimiter) {
            endField();
            recordHasContent = true;
        } else if (c == QLatin1Char('\r') || c == QLatin1Char('\n')) {
            if (c == QLatin1Char('\r') && i + 1 < n && text.at(i + 1) == QLatin1Char('\n'))
                ++i;
            ++line;
            endRecord(line);
        } else {
            field.append(c);
        }
    }
    table.unterminatedQuote = inQuotes;
    table.unterminatedLine = inQuotes ? quoteLine : 0;
    if (!field.isEmpty() || recordHasContent || !record.fields.isEmpty())
        endRecord(line);
    return table;
}

QChar detectDelimiter(const QString &text, QChar fallback)
{
    const QString head = text.left(64 * 1024);
    QChar best = fallback;
    double bestScore = 0;
    for (const QChar d :
         {QLatin1Char('\t'), QLatin1Char(','), QLatin1Char(';'), QLatin1Char('|')}) {
        DelimitedTable t = parseDelimited(head, d);
        const size_t rows = std::min<size_t>(t.records.size(), 50);
        if (rows == 0)
            continue;
        std::map<int, int> counts;
        for (size_t r = 0; r < rows; ++r)
            ++counts[int(t.records[r].fields.size())];
        const auto mode = std::ranges::max_element(counts, {}, [](auto &c) { return c.second; });
        if (mode->first < 2)
            continue;
        // Consistency first, then fewer columns (a comma inside free text adds columns).
        const double score = double(mode->second) / double(rows) - 0.001 * mode->first;
        if (score > bestScore) {
            bestScore = score;
            best = d;
        }
    }
    return best;
}

bool looksLikeHeader(const DelimitedTable &table, int labelColumn)
{
    if (table.records.empty())
        return false;
    const QStringList &first = table.records.front().fields;
    const auto isNumber = [](const QString &s) {
        bool ok = false;
        s.trimmed().toDouble(&ok);
        return ok;
    };
    if (std::ranges::any_of(first, isNumber))
        return false;
    static const QSet<QString> known = {"text",     "label",    "labels",    "sentence", "review",
                                        "class",    "category", "sentiment", "target",   "texto",
                                        "etiqueta", "clase",    "content",   "body",     "polarity",
                                        "id",       "y",        "comment"};
    if (std::ranges::any_of(first,
                            [](const QString &c) { return known.contains(c.trimmed().toLower()); }))
        return true;
    if (labelColumn < 0 || labelColumn >= first.size() || table.records.size() < 3)
        return false;
    QSet<QString> rest;
    int repeated = 0;
    for (size_t r = 1; r < table.records.size(); ++r) {
        const QStringList &f = table.records[r].fields;
        if (labelColumn >= f.size())
            continue;
        const QString v = f.at(labelColumn).trimmed();
        if (rest.contains(v))
            ++repeated;
        rest.insert(v);
    }
    return repeated > 0 && !rest.contains(first.at(labelColumn).trimmed());
}

} // namespace graft::text
