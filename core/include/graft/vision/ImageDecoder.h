#pragma once

#include "graft/core/Result.h"
#include "graft/vision/ImageHeader.h"

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <vector>

namespace graft::vision {

/// 8-bit RGB pixels, interleaved, row-major, no padding (stride = 3 * width).
struct RgbImage
{
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> pixels;
};

/// Limits and shortcuts for decoding.
struct DecodeOptions
{
    qint64 maxPixels = 100'000'000; ///< checked from the header before any pixel is decoded
    /// When > 0, JPEGs may be decoded at 1/2, 1/4 or 1/8 scale in the DCT domain as long as the
    /// shorter side stays >= this many pixels (about 2x faster, area-like quality).
    int reduceToAtLeast = 0;
};

/// Decoding rules, applied in this one place for the whole application:
///  - the format is detected from magic bytes; the header is validated and the pixel count is
///    checked against DecodeOptions::maxPixels before decoding;
///  - a truncated file (JPEG without EOI, PNG without IEND, short BMP) is an error, not a grey
///    smear;
///  - EXIF orientation (JPEG, TIFF) is applied, so the result is upright as a viewer shows it;
///  - grey and palette images are expanded to RGB; 16-bit channels are scaled to 8 bits (v >> 8);
///  - alpha is discarded (colour channels kept as stored, as PIL's convert("RGB") does);
///  - CMYK/YCCK JPEGs are converted to RGB by libjpeg's Adobe (inverted) convention;
///  - GIF: the first frame, composed on the logical screen filled with the background colour;
///  - output channel order is always RGB (OpenCV's BGR never leaves the decoder).
core::Result<RgbImage> decodeImage(const QByteArray &bytes, const DecodeOptions &options = {});

/// Reads and decodes a file; errors name the file.
core::Result<RgbImage> decodeImageFile(const QString &path, const DecodeOptions &options = {});

/// Reads a whole file (errors name the file: NotFound, Unreadable).
core::Result<QByteArray> readFileBytes(const QString &path, qint64 maxBytes = qint64(1) << 31);

} // namespace graft::vision
