#pragma once
// Internal: what every text run does first (no LibTorch here).

#include "graft/core/Cancellation.h"
#include "graft/core/Result.h"
#include "graft/text/TextDataset.h"
#include "graft/text/TextTraining.h"
#include "graft/text/WordVectors.h"

#include <optional>

namespace graft::text {

struct PreparedTextRun
{
    TextDataset data;
    std::optional<WordVectors> vectors;
};

/// Scans config.dataPath (blocking problems are an error naming the data) and loads
/// config.vectorsPath when set.
core::Result<PreparedTextRun> prepareTextRun(const TextTrainingConfig &config,
                                             const core::CancelToken &cancel);

} // namespace graft::text
