#include "graft/text/Tokenizer.h"

#include <QJsonArray>
#include <QRegularExpression>

#include <cstdint>
#include <queue>
#include <unordered_map>
#include <unordered_set>

namespace graft::text {

QJsonObject Tokenizer::Options::toJson() const
{
    return QJsonObject{{QStringLiteral("lowercase"), lowercase},
                       {QStringLiteral("fold_accents"), foldAccents},
                       {QStringLiteral("normalise_numbers"), normaliseNumbers},
                       {QStringLiteral("normalise_urls"), normaliseUrls},
                       {QStringLiteral("split_english_clitics"), splitEnglishClitics},
                       {QStringLiteral("keep_punctuation"), keepPunctuation},
                       {QStringLiteral("max_tokens"), maxTokens},
                       {QStringLiteral("subword_merges"), QJsonArray::fromStringList(subwordMerges)}};
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
    for (const auto &m : json.value(QStringLiteral("subword_merges")).toArray())
        o.subwordMerges << m.toString();
    return o;
}

namespace {

const QChar kWordStart(0x2581); // SentencePiece's "▁"

bool isAtomic(const QString &token)
{
    return token.size() > 2 && token.front() == QLatin1Char('<') && token.back() == QLatin1Char('>');
}

/// A word's starting symbols: "▁" + its first character, then one per character.
QStringList initialSymbols(const QString &word)
{
    if (isAtomic(word))
        return {QString(kWordStart) + word};
    QStringList out;
    for (qsizetype i = 0; i < word.size(); ++i) {
        // Keep surrogate pairs together.
        qsizetype n = word.at(i).isHighSurrogate() && i + 1 < word.size() ? 2 : 1;
        out << (i == 0 ? QString(kWordStart) + word.mid(i, n) : word.mid(i, n));
        i += n - 1;
    }
    return out;
}

} // namespace

Tokenizer::Tokenizer(Options options)
    : m_options(std::move(options))
{
    if (m_options.subwordMerges.isEmpty())
        return;
    auto ranks = std::make_shared<QHash<QString, int>>();
    for (int i = 0; i < m_options.subwordMerges.size(); ++i) {
        const QStringList parts = m_options.subwordMerges[i].split(QLatin1Char(' '));
        if (parts.size() != 2 || parts[0].isEmpty() || parts[1].isEmpty())
            return; // malformed: whole words, isValid() false
        ranks->insert(m_options.subwordMerges[i], i);
    }
    m_ranks = std::move(ranks);
}

QStringList Tokenizer::pieces(const QString &word) const
{
    QStringList sym = initialSymbols(word);
    // Apply the earliest-learnt merge present, everywhere in the word, until none applies.
    while (sym.size() > 1) {
        int best = INT32_MAX;
        for (qsizetype i = 0; i + 1 < sym.size(); ++i)
            best = std::min(best, m_ranks->value(sym[i] + QLatin1Char(' ') + sym[i + 1], INT32_MAX));
        if (best == INT32_MAX)
            break;
        const QStringList pair = m_options.subwordMerges[best].split(QLatin1Char(' '));
        QStringList next;
        for (qsizetype i = 0; i < sym.size(); ++i) {
            if (i + 1 < sym.size() && sym[i] == pair[0] && sym[i + 1] == pair[1]) {
                next << sym[i] + sym[i + 1];
                ++i;
            } else {
                next << sym[i];
            }
        }
        sym = std::move(next);
    }
    return sym;
}

QStringList Tokenizer::tokenize(const QString &input) const
{
    if (!m_ranks)
        return words(input, m_options.maxTokens);
    QStringList out;
    for (const QString &w : words(input, 0)) {
        for (const QString &p : pieces(w)) {
            if (m_options.maxTokens > 0 && out.size() >= m_options.maxTokens)
                return out;
            out << p;
        }
    }
    return out;
}

core::Result<QStringList> Tokenizer::trainSubwords(const std::vector<QStringList> &texts,
                                                   int vocabSize)
{
    if (vocabSize < 8)
        return core::makeError(core::ErrorCode::InvalidArgument,
                               QStringLiteral("a subword vocabulary needs at least 8 pieces"));
    // Distinct words with their counts, as symbol-id sequences.
    QHash<QString, int> freqOf;
    QStringList order;
    for (const QStringList &t : texts)
        for (const QString &w : t)
            if (freqOf[w]++ == 0)
                order << w;
    std::vector<QString> names;
    QHash<QString, int> idOf;
    auto symbolId = [&](const QString &name) {
        auto it = idOf.find(name);
        if (it != idOf.end())
            return it.value();
        names.push_back(name);
        idOf.insert(name, int(names.size()) - 1);
        return int(names.size()) - 1;
    };
    std::vector<std::vector<int>> words;
    std::vector<int64_t> freq;
    for (const QString &w : order) {
        std::vector<int> ids;
        for (const QString &sym : initialSymbols(w))
            ids.push_back(symbolId(sym));
        words.push_back(std::move(ids));
        freq.push_back(freqOf.value(w));
    }
    auto key = [](int a, int b) { return (uint64_t(uint32_t(a)) << 32) | uint32_t(b); };
    std::unordered_map<uint64_t, int64_t> counts;
    std::unordered_map<uint64_t, std::unordered_set<int>> where;
    for (size_t w = 0; w < words.size(); ++w)
        for (size_t i = 0; i + 1 < words[w].size(); ++i) {
            const uint64_t k = key(words[w][i], words[w][i + 1]);
            counts[k] += freq[w];
            where[k].insert(int(w));
        }
    // Most frequent pair first; ties go to the pair seen first (smaller ids). Stale heap
    // entries (their count changed since) are skipped.
    using Entry = std::pair<int64_t, uint64_t>;
    auto worse = [](const Entry &x, const Entry &y) {
        return x.first != y.first ? x.first < y.first : x.second > y.second;
    };
    std::priority_queue<Entry, std::vector<Entry>, decltype(worse)> heap(worse);
    for (const auto &[k, c] : counts)
        heap.push({c, k});
    QStringList merges;
    int pieces = int(names.size());
    while (pieces < vocabSize && !heap.empty()) {
        const auto [count, k] = heap.top();
        heap.pop();
        auto current = counts.find(k);
        if (current == counts.end() || current->second != count)
            continue;
        if (count < 2)
            break;
        const int a = int(k >> 32), b = int(uint32_t(k));
        const int merged = symbolId(names[size_t(a)] + names[size_t(b)]);
        merges << names[size_t(a)] + QLatin1Char(' ') + names[size_t(b)];
        ++pieces;
        std::unordered_set<uint64_t> touched;
        const std::unordered_set<int> affected = where[k];
        for (int w : affected) {
            std::vector<int> &sym = words[size_t(w)];
            for (size_t i = 0; i + 1 < sym.size(); ++i) {
                const uint64_t p = key(sym[i], sym[i + 1]);
                counts[p] -= freq[size_t(w)];
                touched.insert(p);
            }
            std::vector<int> next;
            for (size_t i = 0; i < sym.size(); ++i) {
                if (i + 1 < sym.size() && sym[i] == a && sym[i + 1] == b) {
                    next.push_back(merged);
                    ++i;
                } else {
                    next.push_back(sym[i]);
                }
            }
            sym = std::move(next);
            for (size_t i = 0; i + 1 < sym.size(); ++i) {
                const uint64_t p = key(sym[i], sym[i + 1]);
                counts[p] += freq[size_t(w)];
                where[p].insert(w);
                touched.insert(p);
            }
        }
        for (uint64_t p : touched)
            if (counts[p] > 0)
                heap.push({counts[p], p});
    }
    return merges;
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

QStringList Tokenizer::words(const QString &input, int maxTokens) const
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
        return maxTokens > 0 && out.size() >= maxTokens;
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
