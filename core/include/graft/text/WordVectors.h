#pragma once

#include "graft/core/Cancellation.h"
#include "graft/core/Result.h"

#include <QHash>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace fasttext {
class FastText;
}

namespace graft::text {

/// Pretrained word vectors kept in one row-major float matrix.
class WordVectors
{
public:
    enum class Format {
        Auto,           ///< by extension and content
        GloveText,      ///< "word v1 ... vD" per line, no header
        Word2VecText,   ///< header "N D", then GloVe-like lines (also fastText .vec)
        Word2VecBinary, ///< header "N D\n", then "word " + D little-endian float32 per entry
        FastTextBinary, ///< fastText .bin model (via libfasttext): words plus subword n-grams
    };

    /// Words kept from a gzip-compressed file when no `maxWords` is given (fastText's 2M-word
    /// .vec.gz files are 4-7 GB unpacked; their most frequent words come first).
    static constexpr int kDefaultGzipWords = 500000;

    /// Loads a vector file, plain or gzip-compressed (.vec.gz, .txt.gz). `maxWords` > 0 keeps
    /// only the first (most frequent) words. Errors name the file and the line (or entry)
    /// that is wrong. fastText .bin models are read with libfasttext after their header and
    /// dictionary are checked against the file size; they also give vectors to unseen words
    /// from their character n-grams (subwordVector). Quantized .ftz models are Unsupported.
    /// Checks `cancel` every few thousand lines; `progress` gets bytes done of total.
    static core::Result<WordVectors> load(const QString &path,
                                          Format format = Format::Auto,
                                          int maxWords = 0,
                                          const core::CancelToken &cancel = {},
                                          const core::ProgressFn &progress = {});

    int dimension() const { return m_dim; }
    int size() const { return int(m_words.size()); }
    const QStringList &words() const { return m_words; }
    /// Row of `word`, or -1.
    int indexOf(const QString &word) const { return m_index.value(word, -1); }
    /// Pointer to `dimension()` floats of row `index`.
    const float *vector(int index) const { return m_data.data() + size_t(index) * size_t(m_dim); }
    /// Row for a token, trying it as is, lower-cased, then accent-folded; -1 if none.
    int lookup(const QString &token) const;
    Format format() const { return m_format; }
    /// True for fastText .bin models: any word has a vector, built from its character n-grams.
    bool hasSubwords() const { return m_fastText != nullptr; }
    /// fastText's vector for a word not in the table (sum of its n-gram vectors); false when
    /// there is no subword model or none of the word's n-grams is known.
    bool subwordVector(const QString &word, float *out) const;

private:
    int m_dim = 0;
    Format m_format = Format::GloveText;
    QStringList m_words;
    QHash<QString, int> m_index;
    std::vector<float> m_data;
    QHash<QString, int> m_folded; ///< accent-folded lower-case word -> first row
    std::shared_ptr<const fasttext::FastText> m_fastText;

    static core::Result<WordVectors> loadFastText(const QString &path, int maxWords);
    /// Adds a row's word unless it is already there (the caller then drops the row's floats).
    bool addWord(const QString &word);
};

} // namespace graft::text
