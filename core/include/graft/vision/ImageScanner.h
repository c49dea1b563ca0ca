#pragma once

#include "graft/core/Cancellation.h"
#include "graft/core/Result.h"
#include "graft/vision/ScanReport.h"

#include <QString>

namespace graft::vision {

/// Knobs of a folder scan. Defaults suit a workstation user dropping a folder.
struct ScanOptions
{
    qint64 maxPixels = 100'000'000; ///< larger images are reported TooLarge (from the header)
    int minSide = 8;                ///< smaller images are reported TooSmall
    int minImagesPerClass = 2;      ///< fewer usable images in a class blocks training
    double valFraction = 0.2;       ///< used when the folder has no validation split
    int seed = 42;                  ///< split seed
    QString splitFile;              ///< reuse a split saved by ScanReport::saveSplit
    bool verifyDecode = true;       ///< decode every image (catches corrupt data), not only headers
    double imbalanceRatio = 3.0;    ///< warn when largest / smallest class count reaches this
    int threads = 0;                ///< 0 = all cores
};

/// Scans an image folder. Layouts: root/<class>/... and root/{train,val|valid|validation,test}/
/// <class>/...; class folders may nest subfolders; hidden files and folders are ignored.
/// Every file gets a status; blocking problems are listed in the report (the call itself
/// fails only when the root is missing/unreadable or the scan is cancelled).
/// Never writes anything into the folder.
core::Result<ScanReport> scanImageFolder(const QString &root,
                                         const ScanOptions &options = {},
                                         const core::ProgressFn &progress = {},
                                         const core::CancelToken &cancel = {});

} // namespace graft::vision
