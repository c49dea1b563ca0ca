#include "vision/ImageTransforms.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace graft::vision {

int decodeTargetSide(const Preprocessing &pre, bool augmenting)
{
    const int s = pre.inputSize;
    if (augmenting)
        return int(std::ceil(s * 1.5));
    if (pre.resize == ResizePolicy::CenterCrop && pre.cropFraction > 0)
        return int(std::ceil(s / pre.cropFraction));
    return s;
}

namespace {

cv::Mat resizeTo(const cv::Mat &m, int w, int h)
{
    if (m.cols == w && m.rows == h)
        return m;
    cv::Mat out;
    const bool shrinking = w < m.cols || h < m.rows;
    cv::resize(m, out, cv::Size(w, h), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
    return out;
}

/// Channel scale and offset so that out = v * a[c] + b[c] for 8-bit v.
void scalingCoefficients(const Preprocessing &pre, float a[3], float b[3])
{
    for (size_t c = 0; c < 3; ++c) {
        const bool meanStd = pre.scaling == Scaling::MeanStd;
        const bool symmetric = pre.scaling == Scaling::MinusOneToOne;
        a[c] = meanStd ? 1.f / (255.f * pre.std[c]) : symmetric ? 1.f / 127.5f : 1.f / 255.f;
        b[c] = meanStd ? -pre.mean[c] / pre.std[c] : symmetric ? -1.f : 0.f;
    }
}

/// Writes a square image of RGB `Pixel`s (8-bit or float in [0, 255]) as CHW floats scaled by
/// the preprocessing.
template<typename Pixel> void writeScaled(const cv::Mat &rgb, const Preprocessing &pre, float *dst)
{
    float a[3], b[3];
    scalingCoefficients(pre, a, b);
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

} // namespace

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

void normalizeInto(const cv::Mat &rgb, const Preprocessing &pre, float *dst)
{
    writeScaled<cv::Vec3b>(rgb, pre, dst);
}

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

std::uint32_t sampleSeed(quint64 seed, int epoch, int sample, int view)
{
    quint64 h = seed * 0x9E3779B97F4A7C15ull;
    for (quint64 v : {quint64(epoch), quint64(sample), quint64(view)}) {
        h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
        h *= 0xBF58476D1CE4E5B9ull;
    }
    return std::uint32_t(h ^ (h >> 32));
}

} // namespace graft::vision
