#pragma once

#include "graft/core/Result.h"

#include <QByteArray>

namespace graft::vision {

/// Container format, detected from magic bytes (never from the file extension).
enum class ImageFormat { Unknown, Jpeg, Png, Bmp, WebP, Tiff, Gif };

/// Lower-case name ("jpeg", "png", ...; "unknown").
const char *imageFormatName(ImageFormat format);

/// What the header says, read without decoding pixels.
struct ImageHeader
{
    ImageFormat format = ImageFormat::Unknown;
    int width = 0;
    int height = 0;
    int channels = 0;        ///< as stored: 1 grey, 2 grey+alpha, 3 colour, 4 colour+alpha or CMYK
    int bitDepth = 8;        ///< bits per channel as stored
    bool cmyk = false;       ///< JPEG/TIFF in CMYK (or YCCK)
    bool palette = false;    ///< indexed colour (PNG type 3, GIF, 8-bit BMP)
    int exifOrientation = 1; ///< 1..8, JPEG EXIF tag 0x0112; 1 when absent
    bool complete = true;    ///< false when an end marker is missing (truncated file)

    qint64 pixelCount() const { return qint64(width) * qint64(height); }
    /// Width and height as shown, after EXIF orientation (5..8 swap them).
    int displayWidth() const { return exifOrientation >= 5 ? height : width; }
    int displayHeight() const { return exifOrientation >= 5 ? width : height; }
};

/// Detects the format from the first bytes of a file (at least 12 bytes are needed).
ImageFormat sniffImageFormat(const char *data, qint64 size);

/// Parses the header of a whole file held in memory. Errors: Unsupported (not an image),
/// InvalidFormat (recognised but malformed or truncated header). `complete` reports a missing
/// end-of-image marker, which decoders otherwise silently paper over.
core::Result<ImageHeader> parseImageHeader(const QByteArray &bytes);

} // namespace graft::vision
