#pragma once

#include "graft/vision/ImageDecoder.h"

#include <QImage>
#include <QString>

namespace graft::ui {

/// Image helpers that are safe off the GUI thread (QImage only, never QPixmap).
class Thumbnails
{
public:
    /// Decodes with the core decoder (EXIF-upright, validated) and scales to fit `side`.
    /// Returns a null image when the file cannot be decoded.
    static QImage load(const QString &path, int side);
    /// Copies decoder output into a QImage (RGB888).
    static QImage toImage(const vision::RgbImage &rgb);
};

} // namespace graft::ui
