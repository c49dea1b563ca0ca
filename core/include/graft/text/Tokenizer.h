#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace graft::text {

/// Word tokeniser for Spanish and English reviews.
/// Lower-cases with Unicode rules, splits punctuation (including ¿ ¡ « » and dashes) into
/// tokens, maps numbers to "<num>" and URLs/e-mails to "<url>", splits English clitics
/// ("don't" -> "do" "not", "it's" -> "it" "'s"; PTB-style, with "n't" written "not"
/// because common vector sets lack "n't") and keeps Spanish
/// contractions ("del", "al") and enclitic verbs ("dámelo") as single words.
class Tokenizer
{
public:
    struct Options
    {
        bool lowercase = true;
        bool foldAccents = false; ///< NFD and drop combining marks ("canción" -> "cancion")
        bool normaliseNumbers = true;
        bool normaliseUrls = true;
        bool splitEnglishClitics = true;
        bool keepPunctuation = true;
        int maxTokens = 0; ///< 0 = no limit

        QJsonObject toJson() const;
        static Options fromJson(const QJsonObject &json);
    };

    Tokenizer() = default;
    explicit Tokenizer(Options options) : m_options(options) {}

    const Options &options() const { return m_options; }

    /// Tokens of `text` (never empty strings).
    QStringList tokenize(const QString &text) const;

    /// NFD + removal of combining marks.
    static QString foldAccents(const QString &text);

private:
    Options m_options;
};

} // namespace graft::text
