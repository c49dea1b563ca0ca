#include "graft/text/WordVectors.h"

#include "graft/text/Tokenizer.h"

#include <QFile>
#include <QFileInfo>

#include <fasttext/fasttext.h>
#include <zlib.h>

#include <charconv>
#include <cmath>
#include <cstring>

namespace graft::text {

using core::ErrorCode;
using core::makeError;

namespace {

constexpr int32_t kFastTextMagic = 793712314; // fastText .bin / .ftz

/// Inflates gzip data (fastText ships .vec.gz). With `maxLines` > 0 it stops once that many
/// lines are complete, so a 4 GB file is not unpacked to read its first words; the result is
/// capped at `maxBytes` (TooLarge beyond).
core::Result<QByteArray> gunzip(QFile &file, int maxLines, qint64 maxBytes)
{
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 32) != Z_OK) // 15 + 32: zlib or gzip header
        return makeError(ErrorCode::Internal, QStringLiteral("zlib initialisation failed"),
                         file.fileName());
    QByteArray out;
    QByteArray in;
    std::vector<char> chunk(1 << 20);
    qint64 lines = 0;
    int ret = Z_OK;
    bool done = false;
    while (!done) {
        in = file.read(1 << 20);
        if (in.isEmpty())
            break;
        zs.next_in = reinterpret_cast<Bytef *>(in.data());
        zs.avail_in = uInt(in.size());
        while (zs.avail_in > 0 && !done) {
            zs.next_out = reinterpret_cast<Bytef *>(chunk.data());
            zs.avail_out = uInt(chunk.size());
            ret = inflate(&zs, Z_NO_FLUSH);
            if (ret != Z_OK && ret != Z_STREAM_END) {
                inflateEnd(&zs);
                return makeError(ErrorCode::InvalidFormat,
                                 QStringLiteral("corrupt gzip data at byte %1 of the compressed "
                                                "file")
                                     .arg(qint64(zs.total_in)),
                                 file.fileName());
            }
            const qint64 produced = qint64(chunk.size()) - zs.avail_out;
            if (maxLines > 0)
                for (qint64 i = 0; i < produced && !done; ++i)
                    if (chunk[size_t(i)] == '\n' && ++lines >= maxLines) {
                        out.append(chunk.data(), i + 1);
                        done = true;
                    }
            if (!done)
                out.append(chunk.data(), produced);
            if (out.size() > maxBytes) {
                inflateEnd(&zs);
                return makeError(ErrorCode::TooLarge,
                                 QStringLiteral("more than %1 MB once unpacked; keep fewer "
                                                "words (the most frequent come first)")
                                     .arg(maxBytes >> 20),
                                 file.fileName());
            }
            if (ret == Z_STREAM_END)
                done = true;
        }
    }
    inflateEnd(&zs);
    if (!done)
        return makeError(ErrorCode::InvalidFormat, QStringLiteral("the gzip data is truncated"),
                         file.fileName());
    return out;
}

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

// Splits [b, e) on spaces/tabs.
std::vector<std::pair<const char *, const char *>> fields(const char *b, const char *e)
{
    std::vector<std::pair<const char *, const char *>> out;
    while (b < e) {
        while (b < e && isSpace(*b))
            ++b;
        const char *s = b;
        while (b < e && !isSpace(*b))
            ++b;
        if (s < b)
            out.emplace_back(s, b);
    }
    return out;
}

bool parseInt(const char *b, const char *e, long long *out)
{
    auto r = std::from_chars(b, e, *out);
    return r.ec == std::errc() && r.ptr == e;
}

} // namespace

namespace {

/// Reads little-endian PODs from a byte range; `ok` turns false past the end.
struct Reader
{
    const char *p, *end;
    bool ok = true;
    template <typename T> T get()
    {
        T v{};
        if (end - p < qint64(sizeof(T))) {
            ok = false;
            p = end;
            return v;
        }
        std::memcpy(&v, p, sizeof(T));
        p += sizeof(T);
        return v;
    }
    /// Skips a NUL-terminated string.
    void skipString()
    {
        const void *nul = std::memchr(p, 0, size_t(end - p));
        if (!nul) {
            ok = false;
            p = end;
            return;
        }
        p = static_cast<const char *>(nul) + 1;
    }
};

/// Checks a fastText .bin header and dictionary (libfasttext trusts them: a damaged file can
/// make it allocate or loop without bound). Returns the dimension or an error.
core::Result<int> checkFastTextFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::Unreadable, f.errorString(), path);
    const qint64 size = f.size();
    // The dictionary sits at the start: 2M words take ~40 MB, so 512 MB is plenty.
    const QByteArray head = f.read(std::min<qint64>(size, qint64(512) << 20));
    Reader r{head.constData(), head.constData() + head.size()};
    const int32_t magic = r.get<int32_t>(), version = r.get<int32_t>();
    if (magic != kFastTextMagic || version < 11 || version > 12)
        return makeError(ErrorCode::InvalidFormat,
                         QStringLiteral("fastText model version %1 is not supported (11 or 12)")
                             .arg(version),
                         path);
    int32_t args[12];
    for (int32_t &a : args)
        a = r.get<int32_t>();
    r.get<double>();
    const int32_t dim = args[0], bucket = args[8];
    const int32_t words = r.get<int32_t>(), nwords = r.get<int32_t>();
    r.get<int32_t>(); // labels
    r.get<int64_t>(); // tokens
    const int64_t pruned = r.get<int64_t>();
    if (!r.ok || dim < 1 || dim > 100000 || words < 1 || nwords < 1 || nwords > words ||
        bucket < 0 || pruned < -1 || qint64(words) * 10 > size)
        return makeError(ErrorCode::InvalidFormat,
                         QStringLiteral("damaged fastText header (dimension %1, %2 words)")
                             .arg(dim)
                             .arg(words),
                         path);
    for (int32_t i = 0; i < words && r.ok; ++i) {
        r.skipString();
        r.get<int64_t>(); // count
        r.get<int8_t>();  // type
    }
    for (int64_t i = 0; i < pruned && r.ok; ++i)
        r.get<int64_t>();
    const bool quantized = r.get<bool>();
    const int64_t m = r.get<int64_t>(), n = r.get<int64_t>();
    if (!r.ok)
        return makeError(ErrorCode::InvalidFormat,
                         QStringLiteral("the fastText dictionary is truncated"), path);
    if (quantized)
        return makeError(ErrorCode::Unsupported,
                         QStringLiteral("quantized fastText model (.ftz): use the .bin model"),
                         path);
    const qint64 offset = qint64(r.p - head.constData());
    if (n != dim || m < nwords || m > (qint64(1) << 40) / std::max<int64_t>(n, 1) ||
        offset + m * n * 4 > size)
        return makeError(ErrorCode::InvalidFormat,
                         QStringLiteral("the fastText input matrix (%1 x %2) does not fit the "
                                        "file: truncated or damaged")
                             .arg(m)
                             .arg(n),
                         path);
    // Then the output matrix (its own quantization flag, rows, columns, floats): the file
    // must hold it exactly.
    const qint64 outputAt = offset + m * n * 4;
    QByteArray tail;
    if (f.seek(outputAt))
        tail = f.read(17);
    Reader t{tail.constData(), tail.constData() + tail.size()};
    const bool quantizedOutput = t.get<bool>();
    const int64_t om = t.get<int64_t>(), on = t.get<int64_t>();
    if (!t.ok || quantizedOutput || om < 0 || on != dim ||
        om > (qint64(1) << 40) / std::max<int64_t>(on, 1) || outputAt + 17 + om * on * 4 != size)
        return makeError(ErrorCode::InvalidFormat,
                         QStringLiteral("the fastText output matrix does not fit the file: "
                                        "truncated or damaged"),
                         path);
    return dim;
}

} // namespace

core::Result<WordVectors> WordVectors::loadFastText(const QString &path, int maxWords)
{
    auto dim = checkFastTextFile(path);
    if (!dim)
        return dim.error();
    auto ft = std::make_shared<fasttext::FastText>();
    try {
        ft->loadModel(QFile::encodeName(path).toStdString());
    } catch (const std::exception &e) {
        return makeError(ErrorCode::InvalidFormat,
                         QStringLiteral("libfasttext cannot read it: %1").arg(QString::fromUtf8(e.what())),
                         path);
    }
    WordVectors v;
    v.m_format = Format::FastTextBinary;
    v.m_dim = ft->getDimension();
    const auto dict = ft->getDictionary();
    const int32_t n = std::min<int32_t>(dict->nwords(), maxWords);
    fasttext::Vector vec(v.m_dim);
    v.m_data.reserve(size_t(n) * size_t(v.m_dim));
    for (int32_t i = 0; i < n; ++i) {
        const QString word = QString::fromStdString(dict->getWord(i));
        if (v.m_index.contains(word))
            continue;
        ft->getWordVector(vec, dict->getWord(i));
        const size_t at = v.m_data.size();
        v.m_data.insert(v.m_data.end(), vec.data(), vec.data() + v.m_dim);
        for (size_t k = at; k < v.m_data.size(); ++k)
            if (!std::isfinite(v.m_data[k]))
                return makeError(ErrorCode::InvalidFormat,
                                 QStringLiteral("word %1 (\"%2\"): non-finite value").arg(i + 1).arg(word),
                                 path);
        const int row = int(v.m_words.size());
        v.m_index.insert(word, row);
        v.m_words.append(word);
        const QString folded = Tokenizer::foldAccents(word.toLower());
        if (!v.m_folded.contains(folded))
            v.m_folded.insert(folded, row);
    }
    if (v.m_words.isEmpty())
        return makeError(ErrorCode::InvalidFormat, QStringLiteral("no words in the model"), path);
    v.m_fastText = std::move(ft);
    return v;
}

bool WordVectors::subwordVector(const QString &word, float *out) const
{
    if (!m_fastText || word.isEmpty())
        return false;
    if (word.size() > 1 && word.front() == QChar(0x2581))
        return subwordVector(word.mid(1), out);
    fasttext::Vector vec(m_dim);
    m_fastText->getWordVector(vec, word.toStdString());
    bool any = false;
    for (int k = 0; k < m_dim; ++k) {
        out[k] = vec[k];
        any = any || vec[k] != 0.0f;
    }
    return any;
}

int WordVectors::lookup(const QString &token) const
{
    // Subword pieces mark a word's first piece with U+2581: a whole-word piece is the word.
    if (token.size() > 1 && token.front() == QChar(0x2581))
        return lookup(token.mid(1));
    int i = indexOf(token);
    if (i >= 0)
        return i;
    const QString lower = token.toLower();
    if (lower != token && (i = indexOf(lower)) >= 0)
        return i;
    return m_folded.value(Tokenizer::foldAccents(lower), -1);
}

core::Result<WordVectors> WordVectors::load(const QString &path, Format format, int maxWords,
                                            const core::CancelToken &cancel,
                                            const core::ProgressFn &progress)
{
    // Cancellation and progress every few thousand lines (or entries), over the bytes read.
    qint64 tick = 0;
    const auto stopped = [&](const char *at, const char *begin, const char *finish) {
        if ((++tick & 4095) != 0)
            return false;
        if (progress)
            progress(at - begin, finish - begin);
        return cancel.isCancelled();
    };
    const auto cancelled = [&] { return makeError(ErrorCode::Cancelled, QStringLiteral("cancelled"), path); };
    QFile f(path);
    if (!f.exists())
        return makeError(ErrorCode::NotFound, QStringLiteral("vector file not found"), path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::Unreadable, f.errorString(), path);
    QByteArray bytes;
    {
        int32_t magic = 0;
        const QByteArray head = f.peek(4);
        if (head.size() == 4)
            std::memcpy(&magic, head.constData(), 4);
        if (magic == kFastTextMagic) {
            if (format != Format::Auto && format != Format::FastTextBinary)
                return makeError(ErrorCode::InvalidFormat,
                                 QStringLiteral("this is a fastText binary model, not the format "
                                                "asked for"),
                                 path);
            f.close();
            return loadFastText(path, maxWords > 0 ? maxWords : kDefaultGzipWords);
        }
    }
    if (format == Format::FastTextBinary)
        return makeError(ErrorCode::InvalidFormat,
                         QStringLiteral("not a fastText binary model (no fastText magic number)"),
                         path);
    if (f.peek(2) == QByteArray("\x1f\x8b", 2)) {
        // gzip (e.g. fastText's cc.es.300.vec.gz): unpack only the lines that will be kept.
        if (maxWords <= 0)
            maxWords = kDefaultGzipWords;
        // Binary word2vec (GoogleNews-vectors-negative300.bin.gz) has no lines to count.
        const bool binary = QFileInfo(path).completeSuffix().toLower().contains(QLatin1String("bin"));
        auto unpacked = gunzip(f, binary ? 0 : maxWords + 1, qint64(6) << 30);
        if (!unpacked)
            return unpacked.error();
        if (cancel.isCancelled())
            return cancelled();
        bytes = std::move(unpacked.value());
    } else {
        bytes = f.readAll();
    }
    if (f.error() != QFileDevice::NoError)
        return makeError(ErrorCode::Unreadable, f.errorString(), path);
    if (bytes.isEmpty())
        return makeError(ErrorCode::InvalidFormat, QStringLiteral("empty vector file"), path);

    const char *data = bytes.constData();
    const char *end = data + bytes.size();
    const char *firstEol = static_cast<const char *>(std::memchr(data, '\n', bytes.size()));
    const char *headerEnd = firstEol ? firstEol : end;
    const auto headerFields = fields(data, headerEnd);
    long long hn = 0, hd = 0;
    const bool hasHeader = headerFields.size() == 2 &&
                           parseInt(headerFields[0].first, headerFields[0].second, &hn) &&
                           parseInt(headerFields[1].first, headerFields[1].second, &hd);

    if (format == Format::Auto) {
        if (hasHeader) {
            // Binary word2vec: the first entry's bytes after "word " are raw floats.
            const bool binExt = QFileInfo(path).suffix().toLower() == QLatin1String("bin");
            bool binary = binExt;
            if (!binExt && firstEol) {
                int nonText = 0;
                for (const char *p = firstEol + 1; p < end && p < firstEol + 512; ++p)
                    if ((static_cast<unsigned char>(*p) < 9) ||
                        (static_cast<unsigned char>(*p) > 13 &&
                         static_cast<unsigned char>(*p) < 32))
                        ++nonText;
                binary = nonText > 0;
            }
            format = binary ? Format::Word2VecBinary : Format::Word2VecText;
        } else {
            format = Format::GloveText;
        }
    }

    WordVectors v;
    v.m_format = format;
    auto addWord = [&v](const QString &w) -> bool {
        if (v.m_index.contains(w))
            return false;
        const int row = int(v.m_words.size());
        v.m_index.insert(w, row);
        v.m_words.append(w);
        const QString folded = Tokenizer::foldAccents(w.toLower());
        if (!v.m_folded.contains(folded))
            v.m_folded.insert(folded, row);
        return true;
    };

    if (format == Format::Word2VecBinary) {
        if (!hasHeader || hd <= 0 || hn < 0 || hd > 100000)
            return makeError(ErrorCode::InvalidFormat,
                             QStringLiteral("line 1: expected a header \"<count> <dimension>\""),
                             path);
        v.m_dim = int(hd);
        const long long n = maxWords > 0 ? std::min<long long>(hn, maxWords) : hn;
        const char *p = firstEol ? firstEol + 1 : end;
        v.m_data.reserve(size_t(n) * size_t(hd));
        for (long long i = 0; i < n; ++i) {
            if (stopped(p, data, end))
                return cancelled();
            while (p < end && (*p == '\n' || *p == ' '))
                ++p;
            const char *w = p;
            while (p < end && *p != ' ')
                ++p;
            if (p >= end || p == w || p - w > 1000)
                return makeError(ErrorCode::InvalidFormat,
                                 QStringLiteral("entry %1: truncated or missing word "
                                                "(header says %2 words)")
                                     .arg(i + 1)
                                     .arg(hn),
                                 path);
            const QString word = QString::fromUtf8(w, p - w);
            ++p;
            if (end - p < hd * 4)
                return makeError(ErrorCode::InvalidFormat,
                                 QStringLiteral("entry %1 (\"%2\"): file ends inside its vector")
                                     .arg(i + 1)
                                     .arg(word),
                                 path);
            const size_t at = v.m_data.size();
            v.m_data.resize(at + size_t(hd));
            std::memcpy(v.m_data.data() + at, p, size_t(hd) * 4);
            p += hd * 4;
            for (size_t k = at; k < v.m_data.size(); ++k)
                if (!std::isfinite(v.m_data[k]))
                    return makeError(
                        ErrorCode::InvalidFormat,
                        QStringLiteral("entry %1 (\"%2\"): non-finite value").arg(i + 1).arg(word),
                        path);
            if (!addWord(word))
                v.m_data.resize(at);
        }
        return v;
    }

    // Text formats.
    const char *p = data;
    int lineNo = 0;
    if (format == Format::Word2VecText) {
        if (!hasHeader || hd <= 0)
            return makeError(ErrorCode::InvalidFormat,
                             QStringLiteral("line 1: expected a header \"<count> <dimension>\""),
                             path);
        v.m_dim = int(hd);
        p = firstEol ? firstEol + 1 : end;
        lineNo = 1;
    }
    if (bytes.startsWith("\xEF\xBB\xBF"))
        p += 3;
    while (p < end) {
        if (stopped(p, data, end))
            return cancelled();
        const char *eol = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
        if (!eol)
            eol = end;
        ++lineNo;
        const char *b = p;
        p = eol + 1;
        // The word is everything up to the last `dim` numbers; GloVe has words with spaces
        // only in exotic sets, so split on whitespace and take the first field.
        const auto fs = fields(b, eol);
        if (fs.empty())
            continue;
        if (v.m_dim == 0) {
            if (fs.size() < 2)
                return makeError(ErrorCode::InvalidFormat,
                                 QStringLiteral("line %1: a word without a vector").arg(lineNo),
                                 path);
            v.m_dim = int(fs.size()) - 1;
        }
        if (int(fs.size()) != v.m_dim + 1)
            return makeError(ErrorCode::InvalidFormat,
                             QStringLiteral("line %1: %2 values, expected %3")
                                 .arg(lineNo)
                                 .arg(fs.size() - 1)
                                 .arg(v.m_dim),
                             path);
        const size_t at = v.m_data.size();
        v.m_data.resize(at + size_t(v.m_dim));
        for (int k = 0; k < v.m_dim; ++k) {
            float x = 0;
            const auto [b1, e1] = fs[size_t(k) + 1];
            auto r = std::from_chars(b1, e1, x);
            if (r.ec != std::errc() || r.ptr != e1 || !std::isfinite(x))
                return makeError(ErrorCode::InvalidFormat,
                                 QStringLiteral("line %1: value %2 is not a number: \"%3\"")
                                     .arg(lineNo)
                                     .arg(k + 1)
                                     .arg(QString::fromUtf8(b1, e1 - b1).left(40)),
                                 path);
            v.m_data[at + size_t(k)] = x;
        }
        if (!addWord(QString::fromUtf8(fs[0].first, fs[0].second - fs[0].first)))
            v.m_data.resize(at);
        if (maxWords > 0 && v.size() >= maxWords)
            break;
    }
    if (v.size() == 0)
        return makeError(ErrorCode::InvalidFormat, QStringLiteral("no vectors found"), path);
    if (progress)
        progress(bytes.size(), bytes.size());
    return v;
}

} // namespace graft::text
