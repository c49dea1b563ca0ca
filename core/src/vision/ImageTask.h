#pragma once
// Internal: the image classifier's part of the one loop.

#include "graft/vision/ScanReport.h"
#include "learn/Learner.h"

#include <memory>

namespace graft::vision {

/// The image task for `config` on a trainable scan: builds the backbone (config.backboneId
/// from config.weightsDir) and the head. Notices (skipped files) go to `observer`.
core::Result<std::unique_ptr<learn::TrainTask>>
makeImageTask(const learn::RunConfig &config, const ScanReport &data, learn::Observer *observer);

} // namespace graft::vision
