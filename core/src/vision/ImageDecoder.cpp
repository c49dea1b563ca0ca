#include "vision/CvDecode.h"

#include <QFile>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace graft::vision {

using core::ErrorCode;
using core::makeError;

namespace {

/// EXIF orientation 5 and 7 transpose first; then 2 and 4 flip, 3 and 7 turn by 180 degrees,
/// 6 and 8 by 90 degrees.
void applyOrientation(cv::Mat &m, int orientation)
{
    if (orientation == 5 || orientation == 7)
        cv::transpose(m, m);
    if (orientation == 2 || orientation == 4)
        cv::flip(m, m, orientation == 2 ? 1 : 0);
    else if (orientation == 3 || orientation == 7)
        cv::rotate(m, m, cv::ROTATE_180);
    else if (orientation == 6 || orientation == 8)
        cv::rotate(m, m,
                   orientation == 6 ? cv::ROTATE_90_CLOCKWISE : cv::ROTATE_90_COUNTERCLOCKWISE);
}

int reducedFlag(const ImageHeader &h, int atLeast)
{
    if (h.format != ImageFormat::Jpeg || atLeast <= 0)
        return cv::IMREAD_COLOR;
    const int shorter = std::min(h.width, h.height);
    for (const auto &[factor, flag] : {std::pair{8, cv::IMREAD_REDUCED_COLOR_8},
                                       {4, cv::IMREAD_REDUCED_COLOR_4},
                                       {2, cv::IMREAD_REDUCED_COLOR_2}})
        if (shorter >= factor * atLeast)
            return flag;
    return cv::IMREAD_COLOR;
}

core::Result<RgbImage> toRgbImage(core::Result<cv::Mat> mat)
{
    if (!mat)
        return mat.error();
    const cv::Mat m = mat->isContinuous() ? *mat : mat->clone();
    return RgbImage{m.cols, m.rows, std::vector<std::uint8_t>(m.data, m.data + m.total() * 3)};
}

} // namespace

core::Result<cv::Mat> decodeToMat(const QByteArray &bytes, const DecodeOptions &options)
{
    if (bytes.isEmpty())
        return makeError(ErrorCode::InvalidFormat, QStringLiteral("file is empty (0 bytes)"));
    auto header = parseImageHeader(bytes);
    if (!header)
        return header.error();
    const ImageHeader &h = *header;
    if (h.pixelCount() > options.maxPixels)
        return makeError(ErrorCode::TooLarge,
                         QStringLiteral("image is %1x%2 (%3 megapixels), above the %4 megapixel "
                                        "limit")
                             .arg(h.width)
                             .arg(h.height)
                             .arg(double(h.pixelCount()) / 1e6, 0, 'f', 1)
                             .arg(double(options.maxPixels) / 1e6, 0, 'f', 0));
    if (!h.complete)
        return makeError(ErrorCode::InvalidFormat,
                         QStringLiteral("%1 data is truncated (end marker missing)")
                             .arg(QString::fromLatin1(imageFormatName(h.format)).toUpper()));

    cv::Mat rgb;
    try {
        if (h.format == ImageFormat::Gif) {
            auto gif = decodeGifFirstFrame(bytes);
            if (!gif)
                return gif.error();
            rgb = *gif;
        } else {
            const cv::Mat raw(1, int(bytes.size()), CV_8UC1, const_cast<char *>(bytes.constData()));
            const int flags =
                reducedFlag(h, options.reduceToAtLeast) | cv::IMREAD_IGNORE_ORIENTATION;
            cv::Mat bgr = cv::imdecode(raw, flags);
            if (bgr.empty())
                return makeError(
                    ErrorCode::InvalidFormat,
                    QStringLiteral("%1 data is corrupt and could not be decoded")
                        .arg(QString::fromLatin1(imageFormatName(h.format)).toUpper()));
            if (bgr.depth() != CV_8U)
                bgr.convertTo(bgr, CV_8U, 1.0 / 256.0);
            // The one place where OpenCV's BGR becomes RGB.
            cv::cvtColor(bgr, rgb,
                         bgr.channels() == 1   ? cv::COLOR_GRAY2RGB
                         : bgr.channels() == 4 ? cv::COLOR_BGRA2RGB
                                               : cv::COLOR_BGR2RGB);
        }
        applyOrientation(rgb, h.exifOrientation);
    } catch (const cv::Exception &e) {
        return makeError(
            ErrorCode::InvalidFormat,
            QStringLiteral("could not be decoded: %1").arg(QString::fromStdString(e.msg)));
    }
    return rgb;
}

core::Result<RgbImage> decodeImage(const QByteArray &bytes, const DecodeOptions &options)
{
    return toRgbImage(decodeToMat(bytes, options));
}

core::Result<QByteArray> readFileBytes(const QString &path, qint64 maxBytes)
{
    QFile f(path);
    if (!f.exists())
        return makeError(ErrorCode::NotFound, QStringLiteral("file not found"), path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::Unreadable,
                         QStringLiteral("cannot be opened: %1").arg(f.errorString()), path);
    if (f.size() > maxBytes)
        return makeError(
            ErrorCode::TooLarge,
            QStringLiteral("file is %1 bytes, above the %2 byte limit").arg(f.size()).arg(maxBytes),
            path);
    QByteArray bytes = f.readAll();
    if (bytes.size() != f.size())
        return makeError(ErrorCode::Unreadable,
                         QStringLiteral("read error: %1").arg(f.errorString()), path);
    return bytes;
}

core::Result<cv::Mat> decodeFileToMat(const QString &path, const DecodeOptions &options)
{
    auto bytes = readFileBytes(path);
    if (!bytes)
        return bytes.error();
    auto mat = decodeToMat(*bytes, options);
    if (!mat)
        return makeError(mat.error().code, mat.error().detail, path);
    return mat;
}

core::Result<RgbImage> decodeImageFile(const QString &path, const DecodeOptions &options)
{
    return toRgbImage(decodeFileToMat(path, options));
}

} // namespace graft::vision
