#pragma once

#include <QStringList>

namespace graft::cli {

/// Exit codes: 0 success, 1 usage error or failure, 2 blocking data/model error.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitBlocked = 2;

int runScan(const QStringList &args);

} // namespace graft::cli
