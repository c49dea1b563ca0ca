#pragma once

#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace graft::text {

/// Token <-> id map. Id 0 is "<pad>", id 1 is "<unk>"; the rest by descending frequency,
/// ties broken alphabetically, so the same corpus always gives the same ids.
class Vocabulary
{
public:
    static constexpr int kPad = 0;
    static constexpr int kUnk = 1;

    Vocabulary();

    /// Builds from tokenised documents, keeping tokens seen at least `minFrequency` times,
    /// at most `maxSize` entries in all (0 = no cap; specials count).
    static Vocabulary
    build(const std::vector<QStringList> &documents, int minFrequency = 1, int maxSize = 0);

    /// Builds from an explicit token list (after the two specials).
    static Vocabulary fromTokens(const QStringList &tokens);

    int size() const { return int(m_tokens.size()); }
    int id(const QString &token) const { return m_ids.value(token, kUnk); }
    bool contains(const QString &token) const { return m_ids.contains(token); }
    const QString &token(int id) const { return m_tokens.at(id); }
    const QStringList &tokens() const { return m_tokens; }

    /// Ids of `tokens`, padded with <pad> to `minLength`; with `minLength` > 0 an empty text is
    /// one <unk> (a model is never fed an empty text).
    std::vector<int64_t> encode(const QStringList &tokens, int minLength = 0) const;

    QJsonObject toJson() const;
    static Vocabulary fromJson(const QJsonObject &json);

private:
    QStringList m_tokens;
    QHash<QString, int> m_ids;
};

} // namespace graft::text
