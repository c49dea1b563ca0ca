#pragma once

// OpenCV-facing half of the image decoder, for core code that works on cv::Mat (the batch
// pipeline); everyone else uses graft/data/ImageDecoder.h.

#include "graft/vision/ImageDecoder.h"

#include <opencv2/core.hpp>

namespace graft::vision {

/// Decodes to an 8-bit 3-channel RGB cv::Mat by the rules in ImageDecoder.h.
core::Result<cv::Mat> decodeToMat(const QByteArray &bytes,
                                  const DecodeOptions &options,
                                  ImageHeader *headerOut = nullptr);

/// First frame of a GIF as RGB (OpenCV 4.6 has no GIF decoder).
core::Result<cv::Mat> decodeGifFirstFrame(const QByteArray &bytes);

} // namespace graft::vision
