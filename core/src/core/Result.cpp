#include "graft/core/Result.h"

namespace graft::core {

const char *errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::Ok: return "ok";
    case ErrorCode::NotFound: return "not_found";
    case ErrorCode::Unreadable: return "unreadable";
    case ErrorCode::InvalidFormat: return "invalid_format";
    case ErrorCode::Unsupported: return "unsupported";
    case ErrorCode::TooLarge: return "too_large";
    case ErrorCode::InvalidArgument: return "invalid_argument";
    case ErrorCode::DatasetInvalid: return "dataset_invalid";
    case ErrorCode::WeightsInvalid: return "weights_invalid";
    case ErrorCode::WriteFailed: return "write_failed";
    case ErrorCode::Cancelled: return "cancelled";
    case ErrorCode::NumericalError: return "numerical_error";
    case ErrorCode::Network: return "network";
    case ErrorCode::ChecksumMismatch: return "checksum_mismatch";
    case ErrorCode::Internal: return "internal";
    }
    return "internal";
}

QString exceptionText(const std::exception &e)
{
    const QString what = QString::fromUtf8(e.what()).trimmed();
    const qsizetype nl = what.indexOf(QLatin1Char('\n'));
    return nl > 0 ? what.left(nl).trimmed() : what;
}

} // namespace graft::core
