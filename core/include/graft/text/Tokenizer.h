#pragma once

#include "graft/core/Result.h"

#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace graft::text {

/// Word tokeniser for Spanish and English reviews.
/// Lower-cases with Unicode rules, splits punctuation (including ¿ ¡ « » and dashes) into
/// tokens, maps numbers to "<num>" and URLs/e-mails to "<url>", splits English clitics
/// ("don't" -> "do" "not", "it's" -> "it" "'s"; PTB-style, with "n't" written "not"
/// because common vector sets lack "n't") and keeps Spanish
/// contractions ("del", "al") and enclitic verbs ("dámelo") as single words.
/// With subword merges (Options::subwordMerges, learnt by trainSubwords()) those words are
/// then cut into byte-pair-encoding pieces as SentencePiece's BPE mode writes them ("▁excel"
/// "ente": U+2581 marks a word's first piece), so rare, inflected and misspelt words share
/// pieces with known ones.
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
        /// BPE merges in the order learnt, each "left right"; empty = whole words. JSON:
        /// "subword_merges".
        QStringList subwordMerges;

        QJsonObject toJson() const;
        static Options fromJson(const QJsonObject &json);
    };

    Tokenizer() = default;
    /// Malformed merges leave the tokenizer on whole words (isValid() says so).
    explicit Tokenizer(Options options);

    bool isValid() const { return m_options.subwordMerges.isEmpty() || m_ranks != nullptr; }

    const Options &options() const { return m_options; }

    /// Tokens of `text` (never empty strings).
    QStringList tokenize(const QString &text) const;

    /// NFD + removal of combining marks.
    static QString foldAccents(const QString &text);

    /// Learns byte-pair-encoding merges (Sennrich et al. 2016) from already tokenised texts
    /// until there are `vocabSize` distinct pieces or no pair occurs twice. Tokens written
    /// <like-this> stay whole. Returns the merges for Options::subwordMerges.
    static core::Result<QStringList> trainSubwords(const std::vector<QStringList> &texts,
                                                   int vocabSize);

private:
    QStringList words(const QString &text, int maxTokens) const;

    Options m_options;
    std::shared_ptr<const QHash<QString, int>> m_ranks; ///< "left right" -> merge order
};

} // namespace graft::text
