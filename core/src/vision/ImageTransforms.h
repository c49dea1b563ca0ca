#pragma once

// Resizing, augmentation and normalisation of decoded RGB images (OpenCV-facing, private).

#include "graft/vision/Preprocessing.h"

#include <opencv2/core.hpp>

#include <random>

namespace graft::vision {

/// Shorter side a decoder must keep so that later resizing loses nothing.
int decodeTargetSide(const Preprocessing &pre, bool augmenting);

/// Brings an RGB image to inputSize x inputSize by the preprocessing's resize policy.
cv::Mat resizeForModel(const cv::Mat &rgb, const Preprocessing &pre);

/// Writes a square 8-bit RGB image as CHW floats scaled by the preprocessing.
void normalizeInto(const cv::Mat &rgbSquare, const Preprocessing &pre, float *dst);

/// Random resized crop, flip, rotation and colour jitter, then normalisation into dst.
void augmentAndNormalize(const cv::Mat &rgb,
                         const Preprocessing &pre,
                         const Augmentation &aug,
                         std::mt19937 &rng,
                         float *dst);

/// Seed for one sample's augmentation: independent of thread timing.
std::uint32_t sampleSeed(quint64 seed, int epoch, int sample, int view);

} // namespace graft::vision
