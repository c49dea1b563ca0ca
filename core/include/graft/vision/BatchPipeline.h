#pragma once

#include "graft/core/Cancellation.h"
#include "graft/core/Result.h"
#include "graft/vision/ImageDecoder.h"
#include "graft/vision/Preprocessing.h"
#include "graft/vision/ScanReport.h"

#include <QStringList>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace graft::vision {

/// A batch of preprocessed images: NCHW float32, ready for torch::from_blob.
struct Batch
{
    int size = 0; ///< images in the batch (failed ones left out)
    int height = 0;
    int width = 0;
    std::vector<float> data;          ///< size * 3 * height * width
    std::vector<std::int64_t> labels; ///< per image
    std::vector<int> sampleIndices;   ///< index into the pipeline's sample list, per image
    QStringList errors;               ///< "file: problem" for images that failed to load
};

struct PipelineOptions
{
    Preprocessing preprocessing;
    Augmentation augmentation; ///< applied when enabled (training)
    int batchSize = 32;
    bool shuffle = false;
    quint64 seed = 42;
    int workers = 0;         ///< decode threads; 0 = all cores
    int prefetchBatches = 4; ///< batches decoded ahead of the consumer (memory bound)
    DecodeOptions decode;
};

/// Streams batches from a sample list: decode + resize + augment + normalise on worker threads,
/// batches delivered in order, at most `prefetchBatches` held at once (a 100k-image folder is
/// never held in memory). Images that fail to load (deleted, corrupt) are skipped and reported
/// in Batch::errors; the epoch continues. Augmentation is deterministic given (seed, epoch,
/// sample, view), whatever the thread timing.
class BatchPipeline
{
public:
    BatchPipeline(std::vector<Sample> samples, PipelineOptions options);
    ~BatchPipeline();
    BatchPipeline(const BatchPipeline &) = delete;
    BatchPipeline &operator=(const BatchPipeline &) = delete;

    /// Starts (or restarts) an epoch; shuffles with (seed, epoch) when enabled. `view` selects
    /// the augmentation view (for caching K augmented views of each image).
    void startEpoch(int epoch, int view = 0);
    /// Next batch in order; nullopt at the end of the epoch or after cancel().
    std::optional<Batch> next();
    /// Stops the workers; next() returns nullopt. Safe from any thread.
    void cancel();

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

/// Loads one image and preprocesses it for inference (no augmentation): [3, size, size] floats.
core::Result<std::vector<float>>
loadPreprocessed(const QString &path, const Preprocessing &pre, const DecodeOptions &decode = {});

/// Preprocesses already decoded pixels (RGB interleaved) for inference.
std::vector<float> preprocessRgb(const RgbImage &image, const Preprocessing &pre);

} // namespace graft::vision
