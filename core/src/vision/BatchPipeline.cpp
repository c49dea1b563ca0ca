#include "graft/vision/BatchPipeline.h"

#include "vision/CvDecode.h"
#include "vision/ImageTransforms.h"

#include "graft/core/Runtime.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <numeric>
#include <random>
#include <thread>

namespace graft::vision {

struct BatchPipeline::Impl
{
    std::vector<Sample> samples;
    PipelineOptions opt;

    std::mutex mutex;
    std::condition_variable cv;
    std::vector<std::thread> workers;
    bool stopping = false;
    bool cancelled = false;
    quint64 generation = 0;
    bool active = false;
    int epoch = 0;
    int view = 0;
    std::vector<int> order;
    int nextToBuild = 0;
    int consumed = 0;
    std::map<int, Batch> ready;

    int batches() const
    {
        const int n = int(samples.size());
        return opt.batchSize <= 0 ? 0 : (n + opt.batchSize - 1) / opt.batchSize;
    }

    Batch build(const std::vector<int> &indices, int ep, int vw) const
    {
        const int s = opt.preprocessing.inputSize;
        const size_t per = size_t(3) * size_t(s) * size_t(s);
        Batch b;
        b.height = s;
        b.width = s;
        b.data.resize(per * indices.size());
        DecodeOptions dec = opt.decode;
        dec.reduceToAtLeast = decodeTargetSide(opt.preprocessing, opt.augmentation.enabled);
        for (int idx : indices) {
            const Sample &sample = samples[size_t(idx)];
            auto bytes = readFileBytes(sample.path);
            core::Result<cv::Mat> mat =
                bytes ? decodeToMat(*bytes, dec) : core::Result<cv::Mat>(bytes.error());
            if (!mat) {
                b.errors << sample.path + QStringLiteral(": ") + mat.error().detail;
                continue;
            }
            float *dst = b.data.data() + per * size_t(b.size);
            if (opt.augmentation.enabled) {
                std::mt19937 rng(sampleSeed(opt.seed, ep, idx, vw));
                augmentAndNormalize(*mat, opt.preprocessing, opt.augmentation, rng, dst);
            } else {
                normalizeInto(resizeForModel(*mat, opt.preprocessing), opt.preprocessing, dst);
            }
            b.labels.push_back(sample.label);
            b.sampleIndices.push_back(idx);
            ++b.size;
        }
        b.data.resize(per * size_t(b.size));
        return b;
    }

    void workerLoop()
    {
        std::unique_lock lock(mutex);
        while (true) {
            cv.wait(lock, [&] {
                return stopping || (active && !cancelled && nextToBuild < batches() &&
                                    nextToBuild < consumed + std::max(1, opt.prefetchBatches));
            });
            if (stopping)
                return;
            const int bi = nextToBuild++;
            const quint64 gen = generation;
            const int ep = epoch, vw = view;
            const int begin = bi * opt.batchSize;
            const int end = std::min(int(order.size()), begin + opt.batchSize);
            std::vector<int> idx(order.begin() + begin, order.begin() + end);
            lock.unlock();
            Batch batch = build(idx, ep, vw);
            lock.lock();
            if (gen == generation) {
                ready.emplace(bi, std::move(batch));
                cv.notify_all();
            }
        }
    }
};

BatchPipeline::BatchPipeline(std::vector<Sample> samples, PipelineOptions options)
    : d(std::make_unique<Impl>())
{
    d->samples = std::move(samples);
    d->opt = std::move(options);
    const int n = d->opt.workers > 0 ? d->opt.workers : core::hardwareThreads();
    for (int i = 0; i < n; ++i)
        d->workers.emplace_back([this] { d->workerLoop(); });
}

BatchPipeline::~BatchPipeline()
{
    {
        std::lock_guard lock(d->mutex);
        d->stopping = true;
    }
    d->cv.notify_all();
    for (auto &t : d->workers)
        t.join();
}

void BatchPipeline::startEpoch(int epoch, int view)
{
    std::lock_guard lock(d->mutex);
    ++d->generation;
    d->epoch = epoch;
    d->view = view;
    d->order.resize(d->samples.size());
    std::iota(d->order.begin(), d->order.end(), 0);
    if (d->opt.shuffle) {
        std::mt19937_64 rng(d->opt.seed * 1000003ull + quint64(epoch) * 7919ull + quint64(view));
        std::shuffle(d->order.begin(), d->order.end(), rng);
    }
    d->nextToBuild = 0;
    d->consumed = 0;
    d->ready.clear();
    d->active = true;
    d->cancelled = false;
    d->cv.notify_all();
}

std::optional<Batch> BatchPipeline::next()
{
    std::unique_lock lock(d->mutex);
    if (!d->active || d->consumed >= d->batches())
        return std::nullopt;
    d->cv.wait(lock, [&] { return d->cancelled || d->ready.count(d->consumed) > 0; });
    if (d->cancelled)
        return std::nullopt;
    auto node = d->ready.extract(d->consumed);
    ++d->consumed;
    d->cv.notify_all();
    return std::move(node.mapped());
}

void BatchPipeline::cancel()
{
    {
        std::lock_guard lock(d->mutex);
        d->cancelled = true;
    }
    d->cv.notify_all();
}

core::Result<std::vector<float>>
loadPreprocessed(const QString &path, const Preprocessing &pre, const DecodeOptions &decode)
{
    auto bytes = readFileBytes(path);
    if (!bytes)
        return bytes.error();
    DecodeOptions dec = decode;
    dec.reduceToAtLeast = decodeTargetSide(pre, false);
    auto mat = decodeToMat(*bytes, dec);
    if (!mat)
        return core::makeError(mat.error().code, mat.error().detail, path);
    std::vector<float> out(size_t(3) * size_t(pre.inputSize) * size_t(pre.inputSize));
    normalizeInto(resizeForModel(*mat, pre), pre, out.data());
    return out;
}

std::vector<float> preprocessRgb(const RgbImage &image, const Preprocessing &pre)
{
    const cv::Mat m(image.height, image.width, CV_8UC3,
                    const_cast<std::uint8_t *>(image.pixels.data()));
    std::vector<float> out(size_t(3) * size_t(pre.inputSize) * size_t(pre.inputSize));
    normalizeInto(resizeForModel(m, pre), pre, out.data());
    return out;
}

} // namespace graft::vision
