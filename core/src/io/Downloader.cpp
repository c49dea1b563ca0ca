#include "graft/io/Downloader.h"

#include "graft/io/AtomicFile.h"
#include "graft/io/Safetensors.h"
#include "graft/vision/BackboneCatalogue.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QTimer>

#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>

#include <unistd.h>

namespace graft::io {

namespace {

using core::ErrorCode;
using core::makeError;

/// Outcome of one HTTP request.
struct Attempt
{
    core::Status status;
    bool retryable = false; ///< worth another request that resumes the part file
};

/// Start byte and total size (-1 when "*") of a "bytes START-END/TOTAL" Content-Range;
/// start is -1 when the header is not one.
std::pair<qint64, qint64> contentRange(const QByteArray &header)
{
    static const QRegularExpression re(QStringLiteral("^bytes\\s+(\\d+)-\\d+/(\\d+|\\*)$"));
    const auto m = re.match(QString::fromLatin1(header).trimmed());
    if (!m.hasMatch())
        return {-1, -1};
    const QString total = m.captured(2);
    return {m.captured(1).toLongLong(), total == QLatin1String("*") ? -1 : total.toLongLong()};
}

/// One GET into `partPath`, resuming from its current size.
Attempt fetchOnce(QNetworkAccessManager &nam,
                  const DownloadRequest &request,
                  const QString &partPath,
                  const core::ProgressFn &progress,
                  const core::CancelToken &cancel)
{
    QFile part(partPath);
    if (!part.open(QIODevice::ReadWrite))
        return {makeError(ErrorCode::WriteFailed, part.errorString(), partPath)};
    qint64 offset = part.size();
    if (request.expectedSize > 0 && offset > request.expectedSize) {
        part.resize(0);
        offset = 0;
    }
    if (request.expectedSize > 0 && offset == request.expectedSize)
        return {}; // complete already; the caller verifies it
    part.seek(offset);

    QNetworkRequest req(request.url);
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                     QNetworkRequest::NoLessSafeRedirectPolicy);
    req.setTransferTimeout(request.stallTimeoutMs);
    req.setRawHeader("User-Agent", "Graft/" GRAFT_VERSION);
    req.setRawHeader("Accept-Encoding", "identity"); // byte ranges of the file itself
    if (offset > 0)
        req.setRawHeader("Range", "bytes=" + QByteArray::number(offset) + '-');

    const std::unique_ptr<QNetworkReply> reply(nam.get(req)); // deleted once finished
    QEventLoop loop;
    bool headerSeen = false;
    bool accepting = false; // a 200/206 whose body goes to the part file
    bool cancelled = false;
    QString writeError;
    std::optional<Attempt> rejected; // an answer that does not continue the part file
    qint64 total = request.expectedSize;
    qint64 received = 0;
    const QString url = request.url.toDisplayString();
    const auto reject = [&](Attempt why) {
        rejected = std::move(why);
        reply->abort();
    };

    const auto onHeaders = [&] {
        const int code = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (headerSeen || code == 0 || (code >= 300 && code < 400))
            return; // handled already, no status yet, or a redirect being followed
        headerSeen = true;
        if (code != 200 && code != 206)
            return; // an error status; reported when the reply finishes
        const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
        qint64 serverTotal = length.isValid() ? length.toLongLong() : -1;
        if (code == 206) {
            const auto [start, size] = contentRange(reply->rawHeader("Content-Range"));
            if (start != offset) // not the range we asked for: start over
                return reject({makeError(ErrorCode::Network,
                                         QStringLiteral("%1 answered a different byte range "
                                                        "than requested")
                                             .arg(url)),
                               true});
            serverTotal = size;
        } else if (offset > 0) { // the server ignored Range: the body is the whole file
            part.resize(0);
            part.seek(0);
            offset = 0;
        }
        if (request.expectedSize > 0 && serverTotal >= 0 && serverTotal != request.expectedSize)
            return reject({makeError(ErrorCode::ChecksumMismatch,
                                     QStringLiteral("%1 is %2 bytes but %3 were expected")
                                         .arg(url)
                                         .arg(serverTotal)
                                         .arg(request.expectedSize),
                                     request.destPath)});
        accepting = true;
        if (total <= 0 && serverTotal >= 0)
            total = serverTotal;
        else if (total <= 0 && length.isValid())
            total = offset + length.toLongLong();
    };
    const auto onData = [&] {
        onHeaders();
        const QByteArray chunk = reply->readAll();
        if (!accepting || chunk.isEmpty())
            return;
        if (part.write(chunk) != chunk.size()) {
            writeError = part.errorString();
            reply->abort();
            return;
        }
        received += chunk.size();
        if (progress)
            progress(offset + received, total > 0 ? total : 0);
        if (cancel.isCancelled()) {
            cancelled = true;
            reply->abort();
        }
    };
    QObject::connect(reply.get(), &QNetworkReply::metaDataChanged, &loop, onHeaders);
    QObject::connect(reply.get(), &QNetworkReply::readyRead, &loop, onData);
    QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (cancel.isCancelled() && !reply->isFinished()) {
            cancelled = true;
            reply->abort();
        }
    });
    poll.start(50);
    if (!reply->isFinished())
        loop.exec();
    if (!cancelled && !rejected && writeError.isEmpty())
        onData(); // anything left in the buffer

    const bool synced = part.flush() && ::fsync(part.handle()) == 0;
    const qint64 haveBytes = part.size();
    part.close();
    const int code = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const bool netError = reply->error() != QNetworkReply::NoError;
    if (!writeError.isEmpty() || !synced)
        return {makeError(
            ErrorCode::WriteFailed,
            writeError.isEmpty() ? QStringLiteral("cannot flush to disk") : writeError, partPath)};
    if (cancelled)
        return {makeError(
            ErrorCode::Cancelled,
            QStringLiteral("download cancelled; %1 bytes kept for resuming").arg(haveBytes),
            partPath)};
    const bool resumeRefused = code == 416 && offset > 0; // our part is not a prefix it knows
    if (rejected || resumeRefused)
        QFile::remove(partPath);
    if (rejected)
        return *rejected;
    if (resumeRefused)
        return {makeError(ErrorCode::Network,
                          QStringLiteral("%1 refused to resume at byte %2").arg(url).arg(offset)),
                true};
    if (code >= 400 || (!netError && code != 200 && code != 206)) {
        const QString phrase =
            reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString().trimmed();
        const QString reason = QStringLiteral("HTTP %1 %2").arg(code).arg(phrase).trimmed();
        return {makeError(ErrorCode::Network, QStringLiteral("%1 for %2").arg(reason, url))};
    }
    if (netError)
        return {makeError(ErrorCode::Network, QStringLiteral("%1 (after %2 bytes of %3)")
                                                  .arg(reply->errorString())
                                                  .arg(haveBytes)
                                                  .arg(url)),
                received > 0};
    if (total > 0 && haveBytes < total)
        return {makeError(ErrorCode::Network,
                          QStringLiteral("connection ended after %1 of %2 bytes of %3")
                              .arg(haveBytes)
                              .arg(total)
                              .arg(url)),
                received > 0};
    return {};
}

} // namespace

core::Result<QString> sha256OfFile(const QString &path)
{
    QFile f(path);
    if (!f.exists())
        return makeError(ErrorCode::NotFound, QStringLiteral("file does not exist"), path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::Unreadable, f.errorString(), path);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!hash.addData(&f))
        return makeError(ErrorCode::Unreadable, f.errorString(), path);
    return QString::fromLatin1(hash.result().toHex());
}

core::Status download(const DownloadRequest &request,
                      const core::ProgressFn &progress,
                      const core::CancelToken &cancel)
{
    if (!QCoreApplication::instance())
        return makeError(ErrorCode::Internal, QStringLiteral("downloads need a QCoreApplication"));
    const QString dest = request.destPath;
    if (!request.url.isValid() || (request.url.scheme() != QLatin1String("http") &&
                                   request.url.scheme() != QLatin1String("https")))
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("not an http(s) URL: %1").arg(request.url.toString()),
                         dest);
    if (dest.isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("no destination path"));
    const QString expected = request.expectedSha256.toLower();

    if (!expected.isEmpty() && QFileInfo(dest).isFile()) {
        const auto have = sha256OfFile(dest);
        if (have && have.value() == expected) {
            const qint64 size = QFileInfo(dest).size();
            if (progress)
                progress(size, size);
            return {};
        }
    }
    if (const QString dir = QFileInfo(dest).absolutePath(); !QDir().mkpath(dir))
        return makeError(ErrorCode::WriteFailed, QStringLiteral("cannot create the folder"), dir);

    const QString partPath = dest + QStringLiteral(".part");
    try {
        QNetworkAccessManager nam;
        if (request.url.host() == QLatin1String("localhost") ||
            QHostAddress(request.url.host()).isLoopback())
            nam.setProxy(QNetworkProxy::NoProxy);

        for (int attempt = 0;; ++attempt) {
            if (cancel.isCancelled())
                return makeError(ErrorCode::Cancelled, QStringLiteral("download cancelled"),
                                 partPath);
            const Attempt result = fetchOnce(nam, request, partPath, progress, cancel);
            if (result.status.ok())
                break;
            if (!result.retryable || attempt >= request.retries)
                return result.status;
        }
    } catch (const std::exception &e) {
        return makeError(ErrorCode::Internal, QString::fromUtf8(e.what()), dest);
    }

    const qint64 size = QFileInfo(partPath).size();
    if (request.expectedSize > 0 && size != request.expectedSize) {
        QFile::remove(partPath);
        return makeError(ErrorCode::ChecksumMismatch,
                         QStringLiteral("downloaded %1 bytes but %2 were expected from %3")
                             .arg(size)
                             .arg(request.expectedSize)
                             .arg(request.url.toDisplayString()),
                         dest);
    }
    if (!expected.isEmpty()) {
        const auto have = sha256OfFile(partPath);
        if (!have)
            return have.error();
        if (have.value() != expected) {
            QFile::remove(partPath);
            return makeError(ErrorCode::ChecksumMismatch,
                             QStringLiteral("SHA-256 of the download from %1 is %2, expected %3; "
                                            "the file was discarded")
                                 .arg(request.url.toDisplayString(), have.value(), expected),
                             dest);
        }
    }
    std::error_code ec; // replaces dest in one step: rename(2)
    std::filesystem::rename(partPath.toStdString(), dest.toStdString(), ec);
    if (ec)
        return makeError(ErrorCode::WriteFailed,
                         QStringLiteral("cannot move the verified file into place: %1")
                             .arg(QString::fromStdString(ec.message())),
                         dest);
    return {};
}

core::Result<QString> downloadWeights(const vision::BackboneSpec &spec,
                                      const QString &weightsDir,
                                      const core::ProgressFn &progress,
                                      const core::CancelToken &cancel)
{
    if (spec.url.isEmpty())
        return makeError(ErrorCode::Unsupported,
                         QStringLiteral("backbone '%1' has no download URL; import its weights "
                                        "file instead")
                             .arg(spec.id));
    const DownloadRequest request{.url = QUrl(spec.url),
                                  .destPath = vision::weightsPath(spec, weightsDir),
                                  .expectedSha256 = spec.sha256,
                                  .expectedSize = spec.sizeBytes};
    if (auto st = download(request, progress, cancel); !st)
        return st.error();
    return request.destPath;
}

core::Result<QString> importWeightsFile(const QString &sourcePath,
                                        const QString &weightsDir,
                                        const vision::BackboneSpec &spec)
{
    const QFileInfo source(sourcePath);
    if (!source.exists())
        return makeError(ErrorCode::NotFound, QStringLiteral("file does not exist"), sourcePath);
    if (!source.isFile())
        return makeError(ErrorCode::Unreadable, QStringLiteral("not a regular file"), sourcePath);
    if (spec.weightsFile.isEmpty())
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("backbone '%1' names no weights file").arg(spec.id));

    if (spec.weightsFile.endsWith(QLatin1String(".safetensors")) ||
        sourcePath.endsWith(QLatin1String(".safetensors"))) {
        const auto file = SafetensorsFile::open(sourcePath);
        if (!file)
            return file.error();
        if (auto finite = file->checkFinite(); !finite)
            return finite.error();
    }
    if (!spec.sha256.isEmpty()) {
        const auto have = sha256OfFile(sourcePath);
        if (!have)
            return have.error();
        if (have.value() != spec.sha256.toLower())
            return makeError(ErrorCode::ChecksumMismatch,
                             QStringLiteral("not the weights file of '%1': SHA-256 is %2, "
                                            "expected %3")
                                 .arg(spec.id, have.value(), spec.sha256.toLower()),
                             sourcePath);
    }

    if (!QDir().mkpath(weightsDir))
        return makeError(ErrorCode::WriteFailed, QStringLiteral("cannot create the folder"),
                         weightsDir);
    const QString dest = vision::weightsPath(spec, weightsDir);
    if (QFileInfo(dest).canonicalFilePath() == source.canonicalFilePath()) // empty when missing
        return dest;
    QFile in(sourcePath);
    if (!in.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::Unreadable, in.errorString(), sourcePath);
    bool incomplete = false;
    const core::Status written = writeFileAtomically(dest, [&](QIODevice &out) {
        while (!in.atEnd()) {
            const QByteArray buffer = in.read(1 << 20);
            if (buffer.isEmpty() && in.error() != QFileDevice::NoError)
                break;
            if (out.write(buffer) != buffer.size())
                return false;
        }
        incomplete = in.error() != QFileDevice::NoError || out.size() != source.size();
        return !incomplete;
    });
    if (incomplete)
        return makeError(ErrorCode::WriteFailed,
                         QStringLiteral("copy from %1 was incomplete").arg(sourcePath), dest);
    if (!written)
        return written.error();
    return dest;
}

} // namespace graft::io
