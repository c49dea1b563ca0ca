#pragma once

#include <QtGlobal>
#include <atomic>

#include <functional>
#include <memory>

namespace graft::core {

/// Shared cancellation flag. Copies share the flag; safe to request from any thread.
/// Long-running core calls check it between batches (or files) and return ErrorCode::Cancelled.
class CancelToken
{
public:
    CancelToken() : m_flag(std::make_shared<std::atomic<bool>>(false)) {}

    void requestCancel() const { m_flag->store(true, std::memory_order_relaxed); }
    bool isCancelled() const { return m_flag->load(std::memory_order_relaxed); }
    void reset() const { m_flag->store(false, std::memory_order_relaxed); }

private:
    std::shared_ptr<std::atomic<bool>> m_flag;
};

/// Progress of a one-shot job (scan, feature extraction, export): done of total, in items.
/// Called on the thread doing the work; implementations must be cheap and thread-safe.
using ProgressFn = std::function<void(qint64 done, qint64 total)>;

} // namespace graft::core
