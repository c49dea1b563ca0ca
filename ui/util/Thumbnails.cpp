#include "ui/util/Thumbnails.h"

#include <cstring>

namespace graft::ui {

QImage Thumbnails::toImage(const vision::RgbImage &rgb)
{
    if (rgb.width <= 0 || rgb.height <= 0 ||
        rgb.pixels.size() < size_t(rgb.width) * size_t(rgb.height) * 3)
        return {};
    QImage image(rgb.width, rgb.height, QImage::Format_RGB888);
    const size_t rowBytes = size_t(rgb.width) * 3;
    for (int y = 0; y < rgb.height; ++y)
        std::memcpy(image.scanLine(y), rgb.pixels.data() + size_t(y) * rowBytes, rowBytes);
    return image;
}

QImage Thumbnails::load(const QString &path, int side)
{
    vision::DecodeOptions options;
    options.reduceToAtLeast = side;
    const auto decoded = vision::decodeImageFile(path, options);
    if (!decoded)
        return {};
    const QImage image = toImage(decoded.value());
    if (image.isNull())
        return {};
    return image.scaled(side, side, Qt::KeepAspectRatio, Qt::SmoothTransformation);
}

} // namespace graft::ui
