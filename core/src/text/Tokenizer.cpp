#include "graft/text/Tokenizer.h"

#include <QRegularExpression>

namespace graft::text {

QJsonObject Tokenizer::Options::toJson() const
{
    return QJsonObject{{QStringLiteral("lowercase"), lowercase},
                       {QStringLiteral("fold_accents"), foldAccents},
                       {QStringLiteral("normalise_numbers"), normaliseNumbers},
                       {QStringLiteral("normalise_urls"), normaliseUrls},
                       {QStringLiteral("split_english_clitics"), splitEnglishClitics},
                       {QStringLiteral("keep_punctuation"), keepPunctuation},
                       {QStringLiteral("max_tokens"), maxTokens}};
}

Tokenizer::Options Tokenizer::Options::fromJson(const QJsonObject &json)
{
    Options o;
    o.lowercase = json.value(QStringLiteral("lowercase")).toBool(o.lowercase);
    o.foldAccents = json.value(QStringLiteral("fold_accents")).toBool(o.foldAccents);
    o.normaliseNumbers = json.value(QStringLiteral("normalise_numbers")).toBool(o.normaliseNumbers);
    o.normaliseUrls = json.value(QStringLiteral("normalise_urls")).toBool(o.normaliseUrls);
    o.splitEnglishClitics =
        json.value(QStringLiteral("split_english_clitics")).toBool(o.splitEnglishClitics);
    o.keepPunctuation = json.value(QStringLiteral("keep_punctuation")).toBool(o.keepPunctuation);
    o.maxTokens = json.value(QStringLiteral("max_tokens")).toInt(o.maxTokens);
    return o;
}

QString Tokenizer::foldAccents(const QString &text)
{
    const QString nfd = text.normalized(QString::NormalizationForm_D);
    QString out;
    out.reserve(nfd.size());
    for (const QChar c : nfd) {
        const auto cat = c.category();
        if (cat != QChar::Mark_NonSpacing && cat != QChar::Mark_SpacingCombining &&
            cat != QChar::Mark_Enclosing)
            out.append(c);
    }
    return out.normalized(QString::NormalizationForm_C);
}

namespace {

bool isWordChar(QChar c)
{
    return c.isLetterOrNumber() || c.isMark();
}

bool isApostrophe(QChar c)
{
    return c == QLatin1Char('\'') || c == QChar(0x2019) || c == QChar(0x02BC);
}

bool isAllDigits(const QString &s)
{
    if (s.isEmpty())
        return false;
    for (const QChar c : s)
        if (!c.isDigit() && c != QLatin1Char('.') && c != QLatin1Char(','))
            return false;
    return s.front().isDigit();
}

// English clitics, lower-case, after the apostrophe.
void appendWord(QStringList &out, const QString &word, const Tokenizer::Options &o)
{
    if (o.normaliseNumbers && isAllDigits(word)) {
        out.append(QStringLiteral("<num>"));
        return;
    }
    const qsizetype apos = word.indexOf(QLatin1Char('\''));
    if (!o.splitEnglishClitics || apos <= 0) {
        out.append(word);
        return;
    }
    const QString lower = word.toLower();
    if (lower.endsWith(QLatin1String("n't")) && word.size() > 3) {
        QString stem = word.left(word.size() - 3);
        const QString ls = stem.toLower();
        if (ls == QLatin1String("ca"))
            stem = stem.left(2) + QLatin1Char(stem.at(1).isUpper() ? 'N' : 'n'); // can't
        else if (ls == QLatin1String("wo"))
            stem = QStringLiteral("will"); // won't
        out.append(stem);
        out.append(QStringLiteral("not")); // "n't" is missing from many vector sets
        return;
    }
    static const QStringList suffixes = {QStringLiteral("'s"),  QStringLiteral("'re"),
                                         QStringLiteral("'ve"), QStringLiteral("'ll"),
                                         QStringLiteral("'d"),  QStringLiteral("'m")};
    for (const QString &s : suffixes) {
        if (lower.endsWith(s) && lower.size() > s.size() &&
            lower.indexOf(QLatin1Char('\'')) == lower.size() - s.size()) {
            out.append(word.left(word.size() - s.size()));
            out.append(word.right(s.size()));
            return;
        }
    }
    out.append(word);
}

} // namespace

QStringList Tokenizer::tokenize(const QString &input) const
{
    static const QRegularExpression url(
        QStringLiteral(R"((?:https?://|ftp://|www\.)[^\s<>"]+|[\w.+-]+@[\w-]+\.[\w.-]+)"),
        QRegularExpression::CaseInsensitiveOption | QRegularExpression::UseUnicodePropertiesOption);
    QString text = input;
    if (m_options.lowercase)
        text = text.toLower();
    if (m_options.foldAccents)
        text = foldAccents(text);

    QStringList out;
    auto full = [&] {
        return m_options.maxTokens > 0 && out.size() >= m_options.maxTokens;
    };

    auto tokenizeSpan = [&](qsizetype from, qsizetype to) {
        qsizetype i = from;
        while (i < to && !full()) {
            const QChar c = text.at(i);
            if (c.isSpace() || c.category() == QChar::Other_Control ||
                c.category() == QChar::Other_Format) {
                ++i;
                continue;
            }
            if (isWordChar(c)) {
                qsizetype j = i;
                QString word;
                while (j < to) {
                    const QChar d = text.at(j);
                    if (isWordChar(d)) {
                        word.append(d);
                        ++j;
                    } else if (j + 1 < to && isWordChar(text.at(j + 1)) &&
                               (isApostrophe(d) ||
                                ((d == QLatin1Char('.') || d == QLatin1Char(',')) &&
                                 text.at(j - 1).isDigit() && text.at(j + 1).isDigit()))) {
                        word.append(isApostrophe(d) ? QLatin1Char('\'') : d);
                        ++j;
                    } else if (d == QLatin1Char('-') && j + 1 < to && text.at(j + 1).isLetter() &&
                               text.at(j - 1).isLetter()) {
                        word.append(d); // hyphenated compounds stay one word
                        ++j;
                    } else {
                        break;
                    }
                }
                appendWord(out, word, m_options);
                i = j;
                continue;
            }
            if (m_options.keepPunctuation) {
                // Runs of the same mark ("!!!", "...") become one token.
                qsizetype j = i + 1;
                while (j < to && text.at(j) == c)
                    ++j;
                QString tok = text.mid(i, std::min<qsizetype>(j - i, 3));
                if (isApostrophe(c))
                    tok = QStringLiteral("'");
                out.append(tok);
                i = j;
            } else {
                ++i;
            }
        }
    };

    qsizetype pos = 0;
    if (m_options.normaliseUrls) {
        auto it = url.globalMatch(text);
        while (it.hasNext() && !full()) {
            const auto m = it.next();
            tokenizeSpan(pos, m.capturedStart());
            if (!full())
                out.append(QStringLiteral("<url>"));
            pos = m.capturedEnd();
        }
    }
    tokenizeSpan(pos, text.size());
    return out;
}

} // namespace graft::text
