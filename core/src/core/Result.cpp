#include "graft/core/Result.h"

#include <iterator>

namespace graft::core {

const char *errorCodeName(ErrorCode code)
{
    static constexpr const char *kNames[] = {
        "ok",        "not_found",        "unreadable",      "invalid_format",    "unsupported",
        "too_large", "invalid_argument", "dataset_invalid", "weights_invalid",   "write_failed",
        "cancelled", "numerical_error",  "network",         "checksum_mismatch", "internal"};
    static_assert(std::size(kNames) == size_t(ErrorCode::Internal) + 1, "one name per code");
    const auto i = size_t(code);
    return i < std::size(kNames) ? kNames[i] : "internal";
}

QString exceptionText(const std::exception &e)
{
    const QString what = QString::fromUtf8(e.what()).trimmed();
    const qsizetype nl = what.indexOf(QLatin1Char('\n'));
    return nl > 0 ? what.left(nl).trimmed() : what;
}

} // namespace graft::core
