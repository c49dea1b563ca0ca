#include "graft/text/DelimitedText.h"

#include <QSet>

#include <algorithm>
#include <map>

namespace graft::text {

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
        const auto mode = std::max_element(counts.begin(), counts.end(),
                                           [](auto &a, auto &b) { return a.second < b.second; });
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
    if (std::any_of(first.begin(), first.end(), isNumber))
        return false;
    static const QSet<QString> known = {
        QStringLiteral("text"),     QStringLiteral("label"),     QStringLiteral("labels"),
        QStringLiteral("sentence"), QStringLiteral("review"),    QStringLiteral("class"),
        QStringLiteral("category"), QStringLiteral("sentiment"), QStringLiteral("target"),
        QStringLiteral("texto"),    QStringLiteral("etiqueta"),  QStringLiteral("clase"),
        QStringLiteral("content"),  QStringLiteral("body"),      QStringLiteral("polarity"),
        QStringLiteral("id"),       QStringLiteral("y"),         QStringLiteral("comment")};
    if (std::any_of(first.begin(), first.end(),
                    [](const QString &cell) { return known.contains(cell.trimmed().toLower()); }))
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
