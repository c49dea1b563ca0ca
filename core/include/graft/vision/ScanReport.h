#pragma once

#include "graft/core/Result.h"
#include "graft/vision/ImageHeader.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <array>
#include <vector>

namespace graft::vision {

enum class Split { Train = 0, Val = 1, Test = 2 };
const char *splitName(Split split); ///< "train", "val", "test"

/// Per-file verdict of a scan.
enum class FileStatus {
    Ok,
    Unreadable, ///< cannot be opened or read
    ZeroBytes,  ///< empty file
    NotImage,   ///< no known image signature
    Truncated,  ///< end-of-image marker missing / data cut short
    Corrupt,    ///< header or pixel data malformed
    TooSmall,   ///< a side below the minimum
    TooLarge,   ///< pixel count above the cap (checked from the header)
    Duplicate,  ///< same bytes as an earlier file (possibly in another class or split)
};
const char *fileStatusName(FileStatus status); ///< "ok", "unreadable", "zero_bytes", ...

struct ImageEntry
{
    QString path;         ///< absolute
    QString relativePath; ///< to the scanned root, '/' separated
    int classIndex = -1;
    Split split = Split::Train;
    FileStatus status = FileStatus::Ok;
    QString message; ///< English detail for anything but Ok
    ImageFormat format = ImageFormat::Unknown;
    int width = 0; ///< as displayed (after EXIF orientation)
    int height = 0;
    qint64 bytes = 0;
    QByteArray sha256; ///< raw 32 bytes; empty when unreadable
    bool usable() const { return status == FileStatus::Ok; }
};

struct ClassSummary
{
    QString name;
    std::array<int, 3> usable{0, 0, 0}; ///< usable images per split (train, val, test)
    int files = 0;                      ///< all files seen, usable or not
    int total() const { return usable[0] + usable[1] + usable[2]; }
};

/// Something the user must fix before training.
struct BlockingProblem
{
    QString code; ///< "no_classes", "one_class", "empty_class", "too_few_images", "no_images"
    QString message;
};

/// A labelled training sample.
struct Sample
{
    QString path;
    int label = 0;
};

/// Result of scanning an image folder: per-file verdicts, per-class counts, split, problems.
class ScanReport
{
public:
    QString root;
    bool predefinedSplit = false; ///< the folder had train/val(/test) subfolders
    bool splitFromFile = false;   ///< the split came from a saved split file
    int seed = 42;
    double valFraction = 0.2;
    std::vector<ClassSummary> classes;
    std::vector<ImageEntry> entries; ///< sorted by split, class, relative path
    std::vector<BlockingProblem> blocking;
    QStringList warnings;

    bool canTrain() const { return blocking.empty(); }
    QStringList classNames() const;
    /// Usable samples of a split, in entry order.
    std::vector<Sample> samples(Split split) const;
    int count(Split split) const;
    /// Entries whose status is not Ok.
    std::vector<const ImageEntry *> problems() const;

    /// {kind:"image", root, classes:[{name,count,train,val,test}], splits:{train,val,test},
    ///  issues:[{file,kind,message}], blocking:[{code,message}], warnings:[...], can_train}
    QJsonObject toJson() const;

    /// Saves the train/val assignment (relative paths) as JSON, atomically.
    core::Status saveSplit(const QString &path) const;
};

} // namespace graft::vision
