#pragma once

// OpenCV-facing half of the image decoder, for core code that works on cv::Mat (the batch
// pipeline); everyone else uses graft/vision/ImageDecoder.h.

#include "graft/vision/ImageDecoder.h"

#include <opencv2/core.hpp>

namespace graft::vision {

/// Decodes to an 8-bit 3-channel RGB cv::Mat by the rules in ImageDecoder.h.
core::Result<cv::Mat> decodeToMat(const QByteArray &bytes, const DecodeOptions &options);

/// Reads and decodes a file by the same rules; errors name the file.
core::Result<cv::Mat> decodeFileToMat(const QString &path, const DecodeOptions &options);

/// First frame of a GIF as RGB (OpenCV 4.6 has no GIF decoder).
core::Result<cv::Mat> decodeGifFirstFrame(const QByteArray &bytes);

} // namespace graft::vision
