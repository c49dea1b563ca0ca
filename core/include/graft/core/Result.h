#pragma once

#include <QString>

#include <exception>
#include <optional>
#include <utility>
#include <variant>

namespace graft::core {

/// What went wrong, independent of language; ui/ translates codes into messages. Append new codes
/// before Internal and name them in errorCodeName()'s table, which follows this order.
enum class ErrorCode {
    Ok = 0,
    NotFound,         ///< a file or folder does not exist
    Unreadable,       ///< exists but cannot be opened or read
    InvalidFormat,    ///< content does not follow the expected format
    Unsupported,      ///< valid but not something Graft handles
    TooLarge,         ///< exceeds a configured limit
    InvalidArgument,  ///< a caller-supplied value is out of range
    DatasetInvalid,   ///< data cannot be trained on (e.g. fewer than two classes)
    WeightsInvalid,   ///< weights file is malformed or does not fit the model
    WriteFailed,      ///< a write, rename or commit failed (disk full, permissions)
    Cancelled,        ///< the caller asked to stop
    NumericalError,   ///< NaN or Inf during training
    Network,          ///< a download failed
    ChecksumMismatch, ///< downloaded or imported data has the wrong SHA-256
    Internal,         ///< a bug or an unexpected library exception
};

/// Stable machine name of a code ("invalid_format"), used in JSON output.
const char *errorCodeName(ErrorCode code);

/// An error: a code plus an English detail for logs and the CLI, naming the file when there is one.
struct Error
{
    ErrorCode code = ErrorCode::Internal;
    QString detail;
    QString file;

    /// "file: detail", or just the detail when no file is involved.
    QString message() const
    {
        return file.isEmpty() ? detail : file + QStringLiteral(": ") + detail;
    }
};

inline Error makeError(ErrorCode code, QString detail, QString file = {})
{
    return Error{code, std::move(detail), std::move(file)};
}

/// Value or Error, in the spirit of std::expected (not available in GCC 12's C++20).
template<typename T> class [[nodiscard]] Result
{
public:
    Result(T value) : m_data(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : m_data(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return m_data.index() == 0; }
    explicit operator bool() const { return ok(); }

    T &value() & { return std::get<0>(m_data); }
    const T &value() const & { return std::get<0>(m_data); }
    T &&value() && { return std::get<0>(std::move(m_data)); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }

    const Error &error() const { return std::get<1>(m_data); }

private:
    std::variant<T, Error> m_data;
};

/// Result of an operation with no value.
template<> class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)) {}

    bool ok() const { return !m_error.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error &error() const { return *m_error; }

private:
    std::optional<Error> m_error;
};

using Status = Result<void>;

/// The first line of an exception's message (LibTorch appends a backtrace to what()).
QString exceptionText(const std::exception &e);

/// Runs `fn` (returning a Result) and turns any exception - LibTorch's c10::Error, OpenCV's
/// cv::Exception, std::bad_alloc - into ErrorCode::Internal naming `file`. The one place where
/// library exceptions become errors at core's boundary.
template<typename Fn> auto guarded(Fn &&fn, const QString &file = {}) -> decltype(fn())
{
    try {
        return fn();
    } catch (const std::exception &e) {
        return makeError(ErrorCode::Internal, exceptionText(e), file);
    }
}

} // namespace graft::core
