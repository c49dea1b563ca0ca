#include "graft/vision/BatchPipeline.h"

#include "vision/CvDecode.h"

#include "graft/core/Runtime.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <map>
#include <mutex>
#include <numeric>
#include <random>
#include <thread>

namespace graft::vision {

namespace {

/// Shorter side a decoder must keep so that later resizing loses nothing.
int decodeTargetSide(const Preprocessing &pre, bool augmenting)
{
    const int s = pre.inputSize;
    if (augmenting)
        return int(std::ceil(s * 1.5));
    if (pre.resize == ResizePolicy::CenterCrop && pre.cropFraction > 0)
        return int(std::ceil(s / pre.cropFraction));
    return s;
}

cv::Mat resizeTo(const cv::Mat &m, int w, int h)
{
    if (m.cols == w && m.rows == h)
        return m;
    cv::Mat out;
    const bool shrinking = w < m.cols || h < m.rows;
    cv::resize(m, out, cv::Size(w, h), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
    return out;
}

/// Writes a square image of RGB `Pixel`s (8-bit or float in [0, 255]) as CHW floats scaled by
/// the preprocessing.
template<typename Pixel> void writeScaled(const cv::Mat &rgb, const Preprocessing &pre, float *dst)
{
    // out = v * a[c] + b[c]
    float a[3], b[3];
    for (size_t c = 0; c < 3; ++c) {
        const bool meanStd = pre.scaling == Scaling::MeanStd;
        const bool symmetric = pre.scaling == Scaling::MinusOneToOne;
        a[c] = meanStd ? 1.f / (255.f * pre.std[c]) : symmetric ? 1.f / 127.5f : 1.f / 255.f;
        b[c] = meanStd ? -pre.mean[c] / pre.std[c] : symmetric ? -1.f : 0.f;
    }
    const int s = pre.inputSize;
    const size_t plane = size_t(s) * size_t(s);
    for (int y = 0; y < s; ++y) {
        const auto *row = rgb.ptr<Pixel>(y);
        for (int x = 0; x < s; ++x) {
            const size_t o = size_t(y) * size_t(s) + size_t(x);
            for (int c = 0; c < 3; ++c)
                dst[size_t(c) * plane + o] = float(row[x][pre.bgr ? 2 - c : c]) * a[c] + b[c];
        }
    }
}

/// Brings an RGB image to inputSize x inputSize by the preprocessing's resize policy.
cv::Mat resizeForModel(const cv::Mat &rgb, const Preprocessing &pre)
{
    const int s = pre.inputSize;
    switch (pre.resize) {
    case ResizePolicy::Squash:
        return resizeTo(rgb, s, s);
    case ResizePolicy::CenterCrop: {
        const double target = s / std::max(0.01f, pre.cropFraction);
        const double scale = target / std::min(rgb.cols, rgb.rows);
        const int w = std::max(s, int(std::lround(rgb.cols * scale)));
        const int h = std::max(s, int(std::lround(rgb.rows * scale)));
        const cv::Mat r = resizeTo(rgb, w, h);
        return r(cv::Rect((w - s) / 2, (h - s) / 2, s, s)).clone();
    }
    case ResizePolicy::Pad: {
        const double scale = double(s) / std::max(rgb.cols, rgb.rows);
        const int w = std::clamp(int(std::lround(rgb.cols * scale)), 1, s);
        const int h = std::clamp(int(std::lround(rgb.rows * scale)), 1, s);
        const cv::Mat r = resizeTo(rgb, w, h);
        cv::Mat out;
        const cv::Scalar fill(pre.mean[0] * 255, pre.mean[1] * 255, pre.mean[2] * 255);
        const int top = (s - h) / 2, left = (s - w) / 2;
        cv::copyMakeBorder(r, out, top, s - h - top, left, s - w - left, cv::BORDER_CONSTANT,
                           pre.scaling == Scaling::MeanStd ? fill : cv::Scalar(127, 127, 127));
        return out;
    }
    }
    return resizeTo(rgb, s, s);
}

/// Random resized crop, flip, rotation and colour jitter, then normalisation into dst.
void augmentAndNormalize(const cv::Mat &rgb,
                         const Preprocessing &pre,
                         const Augmentation &aug,
                         std::mt19937 &rng,
                         float *dst)
{
    const int s = pre.inputSize;
    std::uniform_real_distribution<float> u01(0.f, 1.f);
    // Random resized crop (torchvision's algorithm: 10 tries, then a centred fallback).
    const double area = double(rgb.cols) * rgb.rows;
    cv::Rect crop(0, 0, rgb.cols, rgb.rows);
    bool found = false;
    const double logMin = std::log(1.0 / aug.maxAspect), logMax = std::log(aug.maxAspect);
    for (int attempt = 0; attempt < 10 && !found; ++attempt) {
        const double target = area * (aug.minScale + (1.0 - aug.minScale) * u01(rng));
        const double aspect = std::exp(logMin + (logMax - logMin) * u01(rng));
        const int w = int(std::lround(std::sqrt(target * aspect)));
        const int h = int(std::lround(std::sqrt(target / aspect)));
        if (w > 0 && h > 0 && w <= rgb.cols && h <= rgb.rows) {
            std::uniform_int_distribution<int> ux(0, rgb.cols - w), uy(0, rgb.rows - h);
            crop = cv::Rect(ux(rng), uy(rng), w, h);
            found = true;
        }
    }
    if (!found) {
        const int side = std::min(rgb.cols, rgb.rows);
        crop = cv::Rect((rgb.cols - side) / 2, (rgb.rows - side) / 2, side, side);
    }
    cv::Mat img = resizeTo(rgb(crop), s, s);
    if (aug.horizontalFlip && u01(rng) < 0.5f) {
        cv::Mat f;
        cv::flip(img, f, 1);
        img = f;
    }
    if (aug.maxRotationDegrees > 0) {
        const float angle = (u01(rng) * 2.f - 1.f) * aug.maxRotationDegrees;
        const cv::Mat m = cv::getRotationMatrix2D(cv::Point2f(s / 2.f, s / 2.f), angle, 1.0);
        cv::Mat r;
        cv::warpAffine(img, r, m, img.size(), cv::INTER_LINEAR, cv::BORDER_REFLECT_101);
        img = r;
    }
    // Colour jitter on 8-bit values, in float, before scaling.
    const float bright = 1.f + (u01(rng) * 2.f - 1.f) * aug.brightness;
    const float contrast = 1.f + (u01(rng) * 2.f - 1.f) * aug.contrast;
    const float sat = 1.f + (u01(rng) * 2.f - 1.f) * aug.saturation;
    cv::Mat f;
    img.convertTo(f, CV_32FC3, bright);
    const cv::Scalar meanColour = cv::mean(f);
    const float meanGrey =
        float(0.299 * meanColour[0] + 0.587 * meanColour[1] + 0.114 * meanColour[2]);
    for (int y = 0; y < s; ++y) {
        auto *row = f.ptr<cv::Vec3f>(y);
        for (int x = 0; x < s; ++x) {
            cv::Vec3f &px = row[x];
            const float grey = 0.299f * px[0] + 0.587f * px[1] + 0.114f * px[2];
            for (int c = 0; c < 3; ++c) {
                float v = grey + (px[c] - grey) * sat;
                v = meanGrey + (v - meanGrey) * contrast;
                px[c] = std::clamp(v, 0.f, 255.f);
            }
        }
    }
    writeScaled<cv::Vec3f>(f, pre, dst);
}

/// Seed for one sample's augmentation: independent of thread timing.
std::uint32_t sampleSeed(quint64 seed, int epoch, int sample, int view)
{
    quint64 h = seed * 0x9E3779B97F4A7C15ull;
    for (quint64 v : {quint64(epoch), quint64(sample), quint64(view)}) {
        h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
        h *= 0xBF58476D1CE4E5B9ull;
    }
    return std::uint32_t(h ^ (h >> 32));
}

/// [3, size, size] inference input (no augmentation).
std::vector<float> preprocessMat(const cv::Mat &rgb, const Preprocessing &pre)
{
    std::vector<float> out(size_t(3) * size_t(pre.inputSize) * size_t(pre.inputSize));
    writeScaled<cv::Vec3b>(resizeForModel(rgb, pre), pre, out.data());
    return out;
}

} // namespace

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
            auto mat = decodeFileToMat(sample.path, dec);
            if (!mat) {
                b.errors << sample.path + QStringLiteral(": ") + mat.error().detail;
                continue;
            }
            float *dst = b.data.data() + per * size_t(b.size);
            if (opt.augmentation.enabled) {
                std::mt19937 rng(sampleSeed(opt.seed, ep, idx, vw));
                augmentAndNormalize(*mat, opt.preprocessing, opt.augmentation, rng, dst);
            } else {
                writeScaled<cv::Vec3b>(resizeForModel(*mat, opt.preprocessing), opt.preprocessing,
                                       dst);
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
    DecodeOptions dec = decode;
    dec.reduceToAtLeast = decodeTargetSide(pre, false);
    auto mat = decodeFileToMat(path, dec);
    if (!mat)
        return mat.error();
    return preprocessMat(*mat, pre);
}

std::vector<float> preprocessRgb(const RgbImage &image, const Preprocessing &pre)
{
    return preprocessMat(cv::Mat(image.height, image.width, CV_8UC3,
                                 const_cast<std::uint8_t *>(image.pixels.data())),
                         pre);
}

} // namespace graft::vision
