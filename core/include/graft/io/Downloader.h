#pragma once

#include "graft/core/Cancellation.h"
#include "graft/core/Result.h"

#include <QString>
#include <QUrl>

namespace graft::vision {
struct BackboneSpec;
}

namespace graft::io {

/// What to fetch and how to check it.
struct DownloadRequest
{
    QUrl url;
    QString destPath;           ///< final location; written only once the data verifies
    QString expectedSha256;     ///< lower-case hex; empty skips the check
    qint64 expectedSize = 0;    ///< bytes; 0 when unknown
    int stallTimeoutMs = 30000; ///< give up when no byte arrives for this long
    int retries = 3;            ///< automatic resumes after a dropped connection
};

/// Downloads `request.url` to `request.destPath`, synchronously.
/// Data goes to `<dest>.part`; a later call resumes it with an HTTP Range request (and starts
/// over when the server ignores the range). The finished file is checked against the expected
/// size and SHA-256 and then renamed into place atomically, so the destination is either the
/// old file or a verified new one. On a checksum mismatch the part file is deleted
/// (ChecksumMismatch); after a network failure or a cancel it is kept for resuming (Network,
/// Cancelled). `progress` gets (bytes so far, total or 0). Runs a local event loop on the
/// calling thread, which may be any thread; a QCoreApplication must exist. Never throws.
core::Status download(const DownloadRequest &request,
                      const core::ProgressFn &progress = {},
                      const core::CancelToken &cancel = {});

/// Convenience: downloads a catalogue entry's weights into `weightsDir`. Returns the path.
core::Result<QString> downloadWeights(const vision::BackboneSpec &spec,
                                      const QString &weightsDir,
                                      const core::ProgressFn &progress = {},
                                      const core::CancelToken &cancel = {});

/// "Import weights file...": copies `sourcePath` into `weightsDir` under `spec.weightsFile`
/// for machines without internet. A .safetensors file must pass the validating reader; when
/// `spec.sha256` is known the file must match it. The copy is atomic. Returns the new path.
core::Result<QString> importWeightsFile(const QString &sourcePath,
                                        const QString &weightsDir,
                                        const vision::BackboneSpec &spec);

/// Lower-case hex SHA-256 of a file.
core::Result<QString> sha256OfFile(const QString &path);

} // namespace graft::io
