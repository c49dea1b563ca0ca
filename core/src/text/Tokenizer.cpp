#include "graft/text/Tokenizer.h"

#include <QJsonArray>
#include <QRegularExpression>

#include <algorithm>
#include <cstdint>
#include <queue>
#include <unordered_map>
#include <unordered_set>

namespace graft::text {

namespace {

const QChar kWordStart(0x2581); // SentencePiece's "▁"

/// A word's starting symbols: "▁" + its first character, then one per character; a token
/// written <like-this> stays whole.
QStringList initialSymbols(const QString &word)
{
    if (word.size() > 2 && word.front() == QLatin1Char('<') && word.back() == QLatin1Char('>'))
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

/// `sym` with each non-overlapping (a, b), left to right, replaced by `merged`.
template<typename Seq, typename T>
Seq mergePair(const Seq &sym, const T &a, const T &b, const T &merged)
{
    Seq next;
    for (auto it = sym.begin(); it != sym.end(); ++it) {
        if (it + 1 != sym.end() && *it == a && *(it + 1) == b) {
            next.push_back(merged);
            ++it;
        } else {
            next.push_back(*it);
        }
    }
    return next;
}

constexpr std::pair<const char *, bool Tokenizer::Options::*> kFlags[] = {
    {"lowercase", &Tokenizer::Options::lowercase},
    {"fold_accents", &Tokenizer::Options::foldAccents},
    {"normalise_numbers", &Tokenizer::Options::normaliseNumbers},
    {"normalise_urls", &Tokenizer::Options::normaliseUrls},
    {"split_english_clitics", &Tokenizer::Options::splitEnglishClitics},
    {"keep_punctuation", &Tokenizer::Options::keepPunctuation}};

bool isWordChar(QChar c)
{
    return c.isLetterOrNumber() || c.isMark();
}

bool isApostrophe(QChar c)
{
    return c == QLatin1Char('\'') || c == QChar(0x2019) || c == QChar(0x02BC);
}

/// Appends a word: numbers (digits with '.' and ',') as <num>, English clitics split off.
void appendWord(QStringList &out, const QString &word, const Tokenizer::Options &o)
{
    if (o.normaliseNumbers && !word.isEmpty() && word.front().isDigit() &&
        std::ranges::all_of(word, [](QChar c) {
            return c.isDigit() || c == QLatin1Char('.') || c == QLatin1Char(',');
        })) {
        out.append(QStringLiteral("<num>"));
        return;
    }
    if (!o.splitEnglishClitics || word.indexOf(QLatin1Char('\'')) <= 0) {
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
    static const QStringList suffixes = {"'s", "'re", "'ve", "'ll", "'d", "'m"};
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

QJsonObject Tokenizer::Options::toJson() const
{
    QJsonObject json{{"max_tokens", maxTokens},
                     {"subword_merges", QJsonArray::fromStringList(subwordMerges)}};
    for (const auto &[key, flag] : kFlags)
        json.insert(QLatin1String(key), this->*flag);
    return json;
}

Tokenizer::Options Tokenizer::Options::fromJson(const QJsonObject &json)
{
    Options o;
    for (const auto &[key, flag] : kFlags)
        o.*flag = json.value(QLatin1String(key)).toBool(o.*flag);
    o.maxTokens = json.value("max_tokens").toInt(o.maxTokens);
    o.subwordMerges = json.value("subword_merges").toVariant().toStringList();
    return o;
}

Tokenizer::Tokenizer(Options options) : m_options(std::move(options))
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

QStringList Tokenizer::tokenize(const QString &input) const
{
    if (!m_ranks)
        return words(input, m_options.maxTokens);
    QStringList out;
    for (const QString &w : words(input, 0)) {
        QStringList sym = initialSymbols(w);
        // Apply the earliest-learnt merge present, everywhere in the word, until none applies.
        while (sym.size() > 1) {
            int best = INT32_MAX;
            for (qsizetype i = 0; i + 1 < sym.size(); ++i)
                best = std::min(best,
                                m_ranks->value(sym[i] + QLatin1Char(' ') + sym[i + 1], INT32_MAX));
            if (best == INT32_MAX)
                break;
            const QStringList pair = m_options.subwordMerges[best].split(QLatin1Char(' '));
            sym = mergePair(sym, pair[0], pair[1], pair[0] + pair[1]);
        }
        for (const QString &p : sym) {
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
        auto it = idOf.constFind(name);
        if (it == idOf.cend()) {
            it = idOf.insert(name, int(names.size()));
            names.push_back(name);
        }
        return it.value();
    };
    std::vector<std::vector<int>> words;
    std::vector<int64_t> freq;
    for (const QString &w : order) {
        std::vector<int> &ids = words.emplace_back();
        for (const QString &sym : initialSymbols(w))
            ids.push_back(symbolId(sym));
        freq.push_back(freqOf.value(w));
    }
    auto key = [](int a, int b) {
        return (uint64_t(uint32_t(a)) << 32) | uint32_t(b);
    };
    std::unordered_map<uint64_t, int64_t> counts;
    std::unordered_map<uint64_t, std::unordered_set<int>> where; // pair -> words that had it
    std::unordered_set<uint64_t> touched; // pairs whose count changed in the current merge
    // Adds `sign` times word w's frequency to the count of each of its adjacent pairs.
    auto countPairs = [&](int w, int64_t sign) {
        const std::vector<int> &sym = words[size_t(w)];
        for (size_t i = 0; i + 1 < sym.size(); ++i) {
            const uint64_t p = key(sym[i], sym[i + 1]);
            counts[p] += sign * freq[size_t(w)];
            where[p].insert(w);
            touched.insert(p);
        }
    };
    for (size_t w = 0; w < words.size(); ++w)
        countPairs(int(w), 1);
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
        touched = {};
        const std::unordered_set<int> affected = where[k];
        for (int w : affected) {
            countPairs(w, -1);
            words[size_t(w)] = mergePair(words[size_t(w)], a, b, merged);
            countPairs(w, 1);
        }
        for (uint64_t p : touched)
            if (counts[p] > 0)
                heap.push({counts[p], p});
    }
    return merges;
}

QString Tokenizer::foldAccents(const QString &text)
{
    QString out = text.normalized(QString::NormalizationForm_D);
    out.removeIf([](QChar c) { return c.isMark(); }); // Mn, Mc and Me
    return out.normalized(QString::NormalizationForm_C);
}

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
                // Kept inside a word: an apostrophe before a word character, '.' and ','
                // between digits, '-' between letters (hyphenated compounds).
                QString word;
                for (; i < to; ++i) {
                    const QChar d = text.at(i);
                    const QChar next = i + 1 < to ? text.at(i + 1) : QChar();
                    if (isWordChar(d))
                        word.append(d);
                    else if (isApostrophe(d) && isWordChar(next))
                        word.append(QLatin1Char('\''));
                    else if ((d == QLatin1Char('.') || d == QLatin1Char(',')) &&
                             text.at(i - 1).isDigit() && next.isDigit())
                        word.append(d);
                    else if (d == QLatin1Char('-') && text.at(i - 1).isLetter() && next.isLetter())
                        word.append(d);
                    else
                        break;
                }
                appendWord(out, word, m_options);
                continue;
            }
            // Runs of the same mark ("!!!", "...") become one token of at most three.
            const qsizetype start = i;
            while (i < to && text.at(i) == c)
                ++i;
            if (m_options.keepPunctuation)
                out.append(isApostrophe(c) ? QStringLiteral("'")
                                           : text.mid(start, std::min<qsizetype>(i - start, 3)));
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
