#include "graft/text/Vocabulary.h"

#include <QJsonArray>

#include <algorithm>

namespace graft::text {

Vocabulary::Vocabulary()
    : m_tokens{QStringLiteral("<pad>"), QStringLiteral("<unk>")}
    , m_ids{{m_tokens[0], kPad}, {m_tokens[1], kUnk}}
    , m_frequencies{0, 0}
{
}

Vocabulary
Vocabulary::build(const std::vector<QStringList> &documents, int minFrequency, int maxSize)
{
    QHash<QString, qint64> counts;
    for (const QStringList &doc : documents)
        for (const QString &t : doc)
            ++counts[t];
    std::vector<std::pair<QString, qint64>> items;
    items.reserve(counts.size());
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        if (it.value() >= std::max(1, minFrequency) && it.key() != QLatin1String("<pad>") &&
            it.key() != QLatin1String("<unk>"))
            items.emplace_back(it.key(), it.value());
    std::sort(items.begin(), items.end(), [](const auto &a, const auto &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    Vocabulary v;
    for (const auto &[tok, n] : items) {
        if (maxSize > 0 && v.size() >= maxSize)
            break;
        v.m_ids.insert(tok, v.size());
        v.m_tokens.append(tok);
        v.m_frequencies.push_back(n);
    }
    return v;
}

Vocabulary Vocabulary::fromTokens(const QStringList &tokens)
{
    Vocabulary v;
    for (const QString &t : tokens) {
        if (v.m_ids.contains(t))
            continue;
        v.m_ids.insert(t, v.size());
        v.m_tokens.append(t);
        v.m_frequencies.push_back(0);
    }
    return v;
}

std::vector<int64_t> Vocabulary::encode(const QStringList &tokens) const
{
    std::vector<int64_t> ids;
    ids.reserve(tokens.size());
    for (const QString &t : tokens)
        ids.push_back(id(t));
    return ids;
}

QJsonObject Vocabulary::toJson() const
{
    return QJsonObject{{QStringLiteral("tokens"), QJsonArray::fromStringList(m_tokens.mid(2))},
                       {QStringLiteral("pad"), kPad},
                       {QStringLiteral("unk"), kUnk}};
}

Vocabulary Vocabulary::fromJson(const QJsonObject &json)
{
    QStringList tokens;
    for (const auto &v : json.value(QStringLiteral("tokens")).toArray())
        tokens.append(v.toString());
    return fromTokens(tokens);
}

} // namespace graft::text
