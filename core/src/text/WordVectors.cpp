#include "graft/text/WordVectors.h"

#include "graft/text/Tokenizer.h"

#include <QFile>
#include <QFileInfo>

#include <fasttext/fasttext.h>
#include <zlib.h>

#include <algorithm>
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
    const std::unique_ptr<z_stream, int (*)(z_streamp)> release(&zs, inflateEnd);
    QByteArray out;
    std::vector<char> chunk(1 << 20);
    qint64 lines = 0;
    bool done = false;
    while (!done) {
        QByteArray in = file.read(1 << 20);
        if (in.isEmpty())
            break;
        zs.next_in = reinterpret_cast<Bytef *>(in.data());
        zs.avail_in = uInt(in.size());
        while (zs.avail_in > 0 && !done) {
            zs.next_out = reinterpret_cast<Bytef *>(chunk.data());
            zs.avail_out = uInt(chunk.size());
            const int ret = inflate(&zs, Z_NO_FLUSH);
            if (ret != Z_OK && ret != Z_STREAM_END)
                return makeError(ErrorCode::InvalidFormat,
                                 QStringLiteral("corrupt gzip data at byte %1 of the compressed "
                                                "file")
                                     .arg(qint64(zs.total_in)),
                                 file.fileName());
            qint64 produced = qint64(chunk.size()) - zs.avail_out;
            for (qint64 i = 0; maxLines > 0 && !done && i < produced; ++i)
                if (chunk[size_t(i)] == '\n' && ++lines >= maxLines) {
                    produced = i + 1; // keep up to the last line asked for
                    done = true;
                }
            out.append(chunk.data(), produced);
            if (out.size() > maxBytes)
                return makeError(ErrorCode::TooLarge,
                                 QStringLiteral("more than %1 MB once unpacked; keep fewer "
                                                "words (the most frequent come first)")
                                     .arg(maxBytes >> 20),
                                 file.fileName());
            done = done || ret == Z_STREAM_END;
        }
    }
    if (!done)
        return makeError(ErrorCode::InvalidFormat, QStringLiteral("the gzip data is truncated"),
                         file.fileName());
    return out;
}

core::Error invalid(const QString &detail, const QString &path)
{
    return makeError(ErrorCode::InvalidFormat, detail, path);
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

bool allFinite(const float *b, const float *e)
{
    return std::all_of(b, e, [](float x) { return std::isfinite(x); });
}

/// Reads little-endian PODs from a byte range; `ok` turns false past the end.
struct Reader
{
    const char *p, *end;
    bool ok = true;
    /// Moves `n` bytes on, or to the end (clearing `ok`) when fewer are left.
    void skip(qint64 n)
    {
        ok = ok && end - p >= n;
        p = end - p >= n ? p + n : end;
    }
    template<typename T> T get()
    {
        T v{};
        if (end - p >= qint64(sizeof(T)))
            std::memcpy(&v, p, sizeof(T));
        skip(qint64(sizeof(T)));
        return v;
    }
    /// Skips a NUL-terminated string.
    void skipString()
    {
        const void *nul = std::memchr(p, 0, size_t(end - p));
        skip(nul ? static_cast<const char *>(nul) + 1 - p : end - p + 1);
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
        return invalid(
            QStringLiteral("fastText model version %1 is not supported (11 or 12)").arg(version),
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
        return invalid(
            QStringLiteral("damaged fastText header (dimension %1, %2 words)").arg(dim).arg(words),
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
        return invalid(QStringLiteral("the fastText dictionary is truncated"), path);
    if (quantized)
        return makeError(ErrorCode::Unsupported,
                         QStringLiteral("quantized fastText model (.ftz): use the .bin model"),
                         path);
    const qint64 offset = qint64(r.p - head.constData());
    if (n != dim || m < nwords || m > (qint64(1) << 40) / std::max<int64_t>(n, 1) ||
        offset + m * n * 4 > size)
        return invalid(QStringLiteral("the fastText input matrix (%1 x %2) does not fit the "
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
        return invalid(QStringLiteral("the fastText output matrix does not fit the file: "
                                      "truncated or damaged"),
                       path);
    return dim;
}

} // namespace

bool WordVectors::addWord(const QString &word)
{
    if (m_index.contains(word))
        return false;
    const int row = int(m_words.size());
    m_index.insert(word, row);
    m_words.append(word);
    const QString key = Tokenizer::foldAccents(word.toLower());
    if (!m_folded.contains(key))
        m_folded.insert(key, row);
    return true;
}

core::Result<WordVectors> WordVectors::loadFastText(const QString &path, int maxWords)
{
    auto dim = checkFastTextFile(path);
    if (!dim)
        return dim.error();
    auto ft = std::make_shared<fasttext::FastText>();
    try {
        ft->loadModel(QFile::encodeName(path).toStdString());
    } catch (const std::exception &e) {
        return invalid(
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
        if (!allFinite(vec.data(), vec.data() + v.m_dim))
            return invalid(
                QStringLiteral("word %1 (\"%2\"): non-finite value").arg(i + 1).arg(word), path);
        v.m_data.insert(v.m_data.end(), vec.data(), vec.data() + v.m_dim);
        v.addWord(word);
    }
    if (v.m_words.isEmpty())
        return invalid(QStringLiteral("no words in the model"), path);
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
    std::copy(vec.data(), vec.data() + m_dim, out);
    return std::any_of(out, out + m_dim, [](float x) { return x != 0.0f; });
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

core::Result<WordVectors> WordVectors::load(const QString &path,
                                            Format format,
                                            int maxWords,
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
    const auto cancelled = [&] {
        return makeError(ErrorCode::Cancelled, QStringLiteral("cancelled"), path);
    };
    const auto badHeader = [&] {
        return invalid(QStringLiteral("line 1: expected a header \"<count> <dimension>\""), path);
    };
    QFile f(path);
    if (!f.exists())
        return makeError(ErrorCode::NotFound, QStringLiteral("vector file not found"), path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::Unreadable, f.errorString(), path);
    int32_t magic = 0;
    if (const QByteArray head = f.peek(4); head.size() == 4)
        std::memcpy(&magic, head.constData(), 4);
    if (magic == kFastTextMagic) {
        if (format != Format::Auto && format != Format::FastTextBinary)
            return invalid(QStringLiteral("this is a fastText binary model, not the format "
                                          "asked for"),
                           path);
        f.close();
        return loadFastText(path, maxWords > 0 ? maxWords : kDefaultGzipWords);
    }
    if (format == Format::FastTextBinary)
        return invalid(QStringLiteral("not a fastText binary model (no fastText magic number)"),
                       path);
    QByteArray bytes;
    if (f.peek(2) == QByteArray("\x1f\x8b", 2)) {
        // gzip (e.g. fastText's cc.es.300.vec.gz): unpack only the lines that will be kept.
        if (maxWords <= 0)
            maxWords = kDefaultGzipWords;
        // Binary word2vec (GoogleNews-vectors-negative300.bin.gz) has no lines to count.
        const bool binary =
            QFileInfo(path).completeSuffix().toLower().contains(QLatin1String("bin"));
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
        return invalid(QStringLiteral("empty vector file"), path);

    const char *data = bytes.constData();
    const char *end = data + bytes.size();
    const char *firstEol = static_cast<const char *>(std::memchr(data, '\n', bytes.size()));
    const auto headerFields = fields(data, firstEol ? firstEol : end);
    long long hn = 0, hd = 0;
    const bool hasHeader = headerFields.size() == 2 &&
                           parseInt(headerFields[0].first, headerFields[0].second, &hn) &&
                           parseInt(headerFields[1].first, headerFields[1].second, &hd);

    if (format == Format::Auto && !hasHeader) {
        format = Format::GloveText;
    } else if (format == Format::Auto) {
        // Binary word2vec: the first entry's bytes after "word " are raw floats (control
        // bytes other than TAB..CR within the 511 bytes after the header line).
        const char *scanEnd = firstEol && end - firstEol > 512 ? firstEol + 512 : end;
        const bool binary = QFileInfo(path).suffix().toLower() == QLatin1String("bin") ||
                            (firstEol && std::any_of(firstEol + 1, scanEnd, [](char c) {
                                 const auto u = static_cast<unsigned char>(c);
                                 return u < 9 || (u > 13 && u < 32);
                             }));
        format = binary ? Format::Word2VecBinary : Format::Word2VecText;
    }

    WordVectors v;
    v.m_format = format;
    if (format == Format::Word2VecBinary) {
        if (!hasHeader || hd <= 0 || hn < 0 || hd > 100000)
            return badHeader();
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
                return invalid(QStringLiteral("entry %1: truncated or missing word "
                                              "(header says %2 words)")
                                   .arg(i + 1)
                                   .arg(hn),
                               path);
            const QString word = QString::fromUtf8(w, p - w);
            ++p;
            if (end - p < hd * 4)
                return invalid(QStringLiteral("entry %1 (\"%2\"): file ends inside its vector")
                                   .arg(i + 1)
                                   .arg(word),
                               path);
            const size_t at = v.m_data.size();
            v.m_data.resize(at + size_t(hd));
            std::memcpy(v.m_data.data() + at, p, size_t(hd) * 4);
            p += hd * 4;
            if (!allFinite(v.m_data.data() + at, v.m_data.data() + v.m_data.size()))
                return invalid(
                    QStringLiteral("entry %1 (\"%2\"): non-finite value").arg(i + 1).arg(word),
                    path);
            if (!v.addWord(word))
                v.m_data.resize(at);
        }
        return v;
    }

    const char *p = data;
    int lineNo = 0;
    if (format == Format::Word2VecText) {
        if (!hasHeader || hd <= 0)
            return badHeader();
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
                return invalid(QStringLiteral("line %1: a word without a vector").arg(lineNo),
                               path);
            v.m_dim = int(fs.size()) - 1;
        }
        if (int(fs.size()) != v.m_dim + 1)
            return invalid(QStringLiteral("line %1: %2 values, expected %3")
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
                return invalid(QStringLiteral("line %1: value %2 is not a number: \"%3\"")
                                   .arg(lineNo)
                                   .arg(k + 1)
                                   .arg(QString::fromUtf8(b1, e1 - b1).left(40)),
                               path);
            v.m_data[at + size_t(k)] = x;
        }
        const QString word = QString::fromUtf8(fs[0].first, fs[0].second - fs[0].first);
        if (!v.addWord(word))
            v.m_data.resize(at);
        if (maxWords > 0 && v.size() >= maxWords)
            break;
    }
    if (v.size() == 0)
        return invalid(QStringLiteral("no vectors found"), path);
    if (progress)
        progress(bytes.size(), bytes.size());
    return v;
}

} // namespace graft::text
