#include "graft/text/Vocabulary.h"

#include <QJsonArray>

#include <algorithm>

namespace graft::text {

Vocabulary::Vocabulary()
    : m_tokens{QStringLiteral("<pad>"), QStringLiteral("<unk>")}
    , m_ids{{m_tokens[0], kPad}, {m_tokens[1], kUnk}}
{}

Vocabulary
Vocabulary::build(const std::vector<QStringList> &documents, int minFrequency, int maxSize)
{
    QHash<QString, qint64> counts;
    for (const QStringList &doc : documents)
        for (const QString &t : doc)
            ++counts[t];
    std::vector<std::pair<qint64, QString>> items; // (-count, token): most frequent first
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        if (it.value() >= std::max(1, minFrequency) && it.key() != QLatin1String("<pad>") &&
            it.key() != QLatin1String("<unk>"))
            items.emplace_back(-it.value(), it.key());
    std::sort(items.begin(), items.end());
    if (maxSize > 0)
        items.resize(std::min(items.size(), size_t(std::max(0, maxSize - 2))));
    QStringList tokens;
    for (const auto &item : items)
        tokens.append(item.second);
    return fromTokens(tokens);
}

Vocabulary Vocabulary::fromTokens(const QStringList &tokens)
{
    Vocabulary v;
    for (const QString &t : tokens)
        if (!v.m_ids.contains(t)) {
            v.m_ids.insert(t, v.size());
            v.m_tokens.append(t);
        }
    return v;
}

std::vector<int64_t> Vocabulary::encode(const QStringList &tokens, int minLength) const
{
    std::vector<int64_t> ids;
    ids.reserve(tokens.size());
    for (const QString &t : tokens)
        ids.push_back(id(t));
    if (ids.empty() && minLength > 0)
        ids.push_back(kUnk);
    while (int(ids.size()) < minLength)
        ids.push_back(kPad);
    return ids;
}

QJsonObject Vocabulary::toJson() const
{
    return QJsonObject{
        {"tokens", QJsonArray::fromStringList(m_tokens.mid(2))}, {"pad", kPad}, {"unk", kUnk}};
}

Vocabulary Vocabulary::fromJson(const QJsonObject &json)
{
    QStringList tokens;
    for (const auto &v : json.value("tokens").toArray())
        tokens.append(v.toString());
    return fromTokens(tokens);
}

} // namespace graft::text
