#pragma once

#include <QStringList>

namespace graft::cli {

/// Exit codes: 0 success, 1 usage error or failure, 2 blocking data/model error.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitBlocked = 2;

int runScan(const QStringList &args);
int runBackbones(const QStringList &args);
int runPredict(const QStringList &args);
int runTrain(const QStringList &args);
int runLanguageModel(const QStringList &args);
int runEval(const QStringList &args);
int runCheckWeights(const QStringList &args);
int runExport(const QStringList &args);
int runRuns(const QStringList &args);

} // namespace graft::cli
