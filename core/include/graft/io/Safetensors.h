#pragma once

#include "graft/core/Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace graft::io {

/// Element types of the safetensors format that Graft accepts.
enum class DType { F32, F16, BF16, F64, I64, I32, I8, U8, Bool };

const char *dtypeName(DType dtype);                        ///< "F32", ...
int dtypeSize(DType dtype);                                ///< bytes per element
std::optional<DType> dtypeFromName(const QString &name);   ///< "F32" -> F32; nullopt when unknown
QString shapeText(const std::vector<std::int64_t> &shape); ///< "[3, 224, 224]"

/// One tensor's description from the header, validated.
struct TensorInfo
{
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::uint64_t begin = 0; ///< byte offset inside the data section
    std::uint64_t end = 0;

    std::int64_t numel() const;
};

/// Limits the reader enforces before trusting a file.
struct SafetensorsLimits
{
    std::uint64_t maxHeaderBytes = 100ull << 20; ///< 100 MB
    std::uint64_t maxFileBytes = 8ull << 30;     ///< 8 GiB
};

/// A validated safetensors file held in memory.
/// Validation (all before any tensor data is used): file long enough for the 8-byte length;
/// header length within the file and under the cap; header is UTF-8 JSON and an object; each
/// entry has a known dtype, a shape of non-negative ints whose product does not overflow,
/// data_offsets [begin, end] with begin <= end, end - begin == numel * dtype size, inside the
/// data section; no two tensors overlap, no gaps between them and none after the last (as the
/// reference implementation requires). Every violation is an InvalidFormat (TooLarge for the
/// caps) error whose file is the path and whose detail names the tensor where one applies.
class SafetensorsFile
{
public:
    static core::Result<SafetensorsFile> open(const QString &path,
                                              const SafetensorsLimits &limits = {});
    static core::Result<SafetensorsFile>
    fromBytes(QByteArray bytes, const QString &nameForErrors, const SafetensorsLimits &limits = {});

    const QString &path() const { return m_path; }
    /// Tensors in data-section order (by begin offset; JSON object order is not preserved).
    const std::vector<TensorInfo> &tensors() const { return m_tensors; }
    const TensorInfo *find(const std::string &name) const;
    /// The `__metadata__` object (string values per the format; may be empty).
    const QJsonObject &metadata() const { return m_metadata; }
    /// Raw little-endian bytes of a tensor (points into the file buffer; not necessarily aligned:
    /// copy or memcpy before reading as float).
    const char *data(const TensorInfo &t) const;
    /// Tensor converted to float32 (F32/F16/BF16/F64/ints/bool); row-major.
    std::vector<float> toFloat(const TensorInfo &t) const;
    /// WeightsInvalid naming the file, the tensor and the element when a weight is NaN or Inf.
    core::Status checkFinite() const;

private:
    QString m_path;
    QByteArray m_bytes;
    std::uint64_t m_dataStart = 0;
    std::vector<TensorInfo> m_tensors;
    std::map<std::string, size_t> m_index;
    QJsonObject m_metadata;
};

/// A tensor to write: name, dtype, shape and raw little-endian bytes.
struct TensorBlob
{
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    QByteArray bytes;
};

/// A float32 tensor blob from values (row-major); `values.size()` must equal the shape product.
TensorBlob
floatBlob(std::string name, std::vector<std::int64_t> shape, const std::vector<float> &values);

/// Compact JSON text of an object or array, as metadata values hold structured data.
QString compactJson(const QJsonValue &value);
/// The object or array that compactJson wrote.
QJsonValue parseJson(const QString &text);

/// Writes a safetensors file atomically (QSaveFile). Tensors are stored in the given order,
/// header padded to 8 bytes. Errors: InvalidArgument for a blob whose size does
/// not match its shape or a duplicate/reserved name; WriteFailed naming the file.
core::Status writeSafetensors(const QString &path,
                              const std::vector<TensorBlob> &tensors,
                              const std::map<QString, QString> &metadata = {});

} // namespace graft::io
