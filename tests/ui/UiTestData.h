#pragma once

#include <QColor>
#include <QDir>
#include <QImage>
#include <QString>
#include <QStringList>

namespace graft::test {

/// Writes `counts[i]` small distinct PNGs into root/<classes[i]>/ (a tiny image dataset).
inline bool
writePngDataset(const QString &root, const QStringList &classes, const QList<int> &counts)
{
    int serial = 0;
    for (int c = 0; c < classes.size(); ++c) {
        QDir dir(root);
        if (!dir.mkpath(classes[c]))
            return false;
        for (int i = 0; i < counts[c]; ++i) {
            QImage image(24, 20, QImage::Format_RGB32);
            image.fill(QColor::fromHsv((serial * 37) % 360, 200, 100 + (serial * 13) % 150));
            image.setPixel(serial % 24, serial % 20, qRgb(255, 255, 255));
            ++serial;
            if (!image.save(dir.filePath(QStringLiteral("%1/img%2.png").arg(classes[c]).arg(i))))
                return false;
        }
    }
    return true;
}

} // namespace graft::test
