#include "graft/io/Safetensors.h"

#include "graft/io/AtomicFile.h"

#include <QFile>
#include <QFileInfo>
#include <QFloat16>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QtEndian>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <set>

namespace graft::io {

namespace {

using core::ErrorCode;

// Largest integer a JSON number (a double) holds exactly; offsets and dimensions above it cannot
// be trusted and no real file needs them.
constexpr double kMaxExactInteger = 9007199254740992.0; // 2^53

QString quoted(const std::string &name)
{
    return QStringLiteral("'%1'").arg(QString::fromStdString(name));
}

QString megabytes(std::uint64_t bytes)
{
    return QString::number(double(bytes) / double(1 << 20), 'g', 4) + QStringLiteral(" MiB");
}

/// A JSON number that is an integer in [0, 2^53], or nullopt.
std::optional<std::uint64_t> nonNegativeInteger(const QJsonValue &v)
{
    if (!v.isDouble())
        return std::nullopt;
    const double d = v.toDouble();
    if (!std::isfinite(d) || d < 0 || d > kMaxExactInteger || std::floor(d) != d)
        return std::nullopt;
    return static_cast<std::uint64_t>(d);
}

/// The little-endian element at `p` as a float.
float elementToFloat(DType dtype, const char *p)
{
    switch (dtype) {
    case DType::F32:
        return qFromLittleEndian<float>(p);
    case DType::F16:
        return qFromLittleEndian<qfloat16>(p);
    case DType::BF16: // the upper half of a float32
        return std::bit_cast<float>(std::uint32_t(qFromLittleEndian<std::uint16_t>(p)) << 16);
    case DType::F64:
        return float(qFromLittleEndian<double>(p));
    case DType::I64:
        return float(qFromLittleEndian<std::int64_t>(p));
    case DType::I32:
        return float(qFromLittleEndian<std::int32_t>(p));
    case DType::I8:
        return float(static_cast<std::int8_t>(*p));
    case DType::U8:
        return float(static_cast<std::uint8_t>(*p));
    case DType::Bool:
        return *p ? 1.f : 0.f;
    }
    return 0.f;
}

/// `text` with its placeholders filled one after the other, as chained QString::arg calls do.
template<typename... Args> QString format(QString text, const Args &...args)
{
    ((text = text.arg(args)), ...);
    return text;
}

QString fileTooLarge(std::uint64_t bytes, const SafetensorsLimits &limits)
{
    return QStringLiteral("file is %1, over the %2 limit for weights files")
        .arg(megabytes(bytes), megabytes(limits.maxFileBytes));
}

struct ParseContext
{
    const QString &name;
    /// An InvalidFormat error about the whole file.
    template<typename... Args> core::Error invalid(const QString &text, const Args &...args) const
    {
        return core::makeError(ErrorCode::InvalidFormat, format(text, args...), name);
    }
    template<typename... Args>
    core::Error tensorError(const std::string &t, const QString &text, const Args &...args) const
    {
        return invalid(QStringLiteral("tensor %1: %2").arg(quoted(t), format(text, args...)));
    }
};

/// Index of the first of `n` little-endian values at `p` with all `exponent` bits set, or -1.
template<typename Bits> std::int64_t firstAllOnes(const char *p, std::int64_t n, Bits exponent)
{
    for (std::int64_t i = 0; i < n; ++i, p += sizeof(Bits))
        if ((qFromLittleEndian<Bits>(p) & exponent) == exponent)
            return i;
    return -1;
}

/// Name and element size of each DType, in the enum's order.
struct DTypeInfo
{
    const char *name;
    int size;
};
constexpr DTypeInfo kDTypes[] = {{"F32", 4}, {"F16", 2}, {"BF16", 2}, {"F64", 8}, {"I64", 8},
                                 {"I32", 4}, {"I8", 1},  {"U8", 1},   {"BOOL", 1}};

} // namespace

QString shapeText(const std::vector<std::int64_t> &shape)
{
    QStringList parts;
    for (std::int64_t d : shape)
        parts << QString::number(d);
    return QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
}

const char *dtypeName(DType dtype)
{
    return kDTypes[size_t(dtype)].name;
}

int dtypeSize(DType dtype)
{
    return kDTypes[size_t(dtype)].size;
}

std::optional<DType> dtypeFromName(const QString &name)
{
    for (size_t i = 0; i < std::size(kDTypes); ++i)
        if (name == QLatin1String(kDTypes[i].name))
            return DType(i);
    return std::nullopt;
}

std::int64_t TensorInfo::numel() const
{
    std::int64_t n = 1;
    for (std::int64_t d : shape)
        n *= d; // validated against overflow when the file was opened
    return n;
}

core::Result<SafetensorsFile> SafetensorsFile::open(const QString &path,
                                                    const SafetensorsLimits &limits)
{
    const QFileInfo info(path);
    if (!info.exists())
        return core::makeError(ErrorCode::NotFound, QStringLiteral("file does not exist"), path);
    if (!info.isFile())
        return core::makeError(ErrorCode::Unreadable, QStringLiteral("not a regular file"), path);
    if (std::uint64_t(info.size()) > limits.maxFileBytes)
        return core::makeError(ErrorCode::TooLarge, fileTooLarge(info.size(), limits), path);
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return core::makeError(ErrorCode::Unreadable, f.errorString(), path);
    QByteArray bytes = f.readAll();
    if (bytes.size() != info.size())
        return core::makeError(
            ErrorCode::Unreadable,
            QStringLiteral("read %1 of %2 bytes").arg(bytes.size()).arg(info.size()), path);
    return fromBytes(std::move(bytes), path, limits);
}

core::Result<SafetensorsFile> SafetensorsFile::fromBytes(QByteArray bytes,
                                                         const QString &nameForErrors,
                                                         const SafetensorsLimits &limits)
{
    const ParseContext ctx{nameForErrors};
    const std::uint64_t total = std::uint64_t(bytes.size());
    if (total > limits.maxFileBytes)
        return core::makeError(ErrorCode::TooLarge, fileTooLarge(total, limits), nameForErrors);
    if (total < 8)
        return ctx.invalid(QStringLiteral("file is %1 bytes, too short for the 8-byte header "
                                          "length of a safetensors file"),
                           total);

    const auto headerLen = qFromLittleEndian<std::uint64_t>(bytes.constData());
    if (headerLen > limits.maxHeaderBytes)
        return core::makeError(ErrorCode::TooLarge,
                               QStringLiteral("header length %1 bytes exceeds the %2 limit")
                                   .arg(headerLen)
                                   .arg(megabytes(limits.maxHeaderBytes)),
                               nameForErrors);
    if (headerLen > total - 8)
        return ctx.invalid(QStringLiteral("header length %1 bytes runs past the end of the file "
                                          "(%2 bytes after the length field)"),
                           headerLen, total - 8);
    if (headerLen < 2)
        return ctx.invalid(QStringLiteral("header length %1 is too small for a JSON object"),
                           headerLen);

    const QByteArray headerBytes = bytes.mid(8, qsizetype(headerLen));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(headerBytes, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return ctx.invalid(QStringLiteral("header is not valid JSON (%1 at byte %2)"),
                           parseError.errorString(), parseError.offset);
    if (!doc.isObject())
        return ctx.invalid(QStringLiteral("header is JSON but not an object"));

    SafetensorsFile file;
    file.m_path = nameForErrors;
    file.m_dataStart = 8 + headerLen;
    const std::uint64_t dataSize = total - file.m_dataStart;

    const QJsonObject root = doc.object();
    for (auto it = root.begin(); it != root.end(); ++it) {
        const std::string name = it.key().toStdString();
        if (it.key() == QLatin1String("__metadata__")) {
            if (!it.value().isObject())
                return ctx.invalid(QStringLiteral("__metadata__ is not an object"));
            file.m_metadata = it.value().toObject();
            continue;
        }
        if (!it.value().isObject())
            return ctx.tensorError(name, QStringLiteral("entry is not an object"));
        const QJsonObject entry = it.value().toObject();

        TensorInfo t;
        t.name = name;

        const QJsonValue dtypeValue = entry.value(QLatin1String("dtype"));
        if (!dtypeValue.isString())
            return ctx.tensorError(name, QStringLiteral("missing or non-string dtype"));
        const auto dtype = dtypeFromName(dtypeValue.toString());
        if (!dtype)
            return ctx.tensorError(name,
                                   QStringLiteral("unknown dtype \"%1\" (accepted: F32, F16, BF16, "
                                                  "F64, I64, I32, I8, U8, BOOL)"),
                                   dtypeValue.toString());
        t.dtype = *dtype;

        const QJsonValue shapeValue = entry.value(QLatin1String("shape"));
        if (!shapeValue.isArray())
            return ctx.tensorError(name, QStringLiteral("missing or non-array shape"));
        std::uint64_t numel = 1;
        bool overflow = false;
        for (const QJsonValue &dimValue : shapeValue.toArray()) {
            const auto dim = nonNegativeInteger(dimValue);
            if (!dim)
                return ctx.tensorError(name, QStringLiteral("shape entries must be non-negative "
                                                            "integers"));
            t.shape.push_back(std::int64_t(*dim));
            overflow |= __builtin_mul_overflow(numel, *dim, &numel);
        }
        std::uint64_t needBytes = 0;
        if (overflow || numel > std::uint64_t(std::numeric_limits<std::int64_t>::max()) ||
            __builtin_mul_overflow(numel, std::uint64_t(dtypeSize(t.dtype)), &needBytes))
            return ctx.tensorError(name,
                                   QStringLiteral("shape %1 overflows: its element count does "
                                                  "not fit in 64 bits"),
                                   shapeText(t.shape));

        const QJsonArray offsets = entry.value(QLatin1String("data_offsets")).toArray();
        if (offsets.size() != 2) // also when it is missing or not an array
            return ctx.tensorError(name, QStringLiteral("data_offsets must be an array "
                                                        "[begin, end]"));
        const auto begin = nonNegativeInteger(offsets.at(0));
        const auto end = nonNegativeInteger(offsets.at(1));
        if (!begin || !end)
            return ctx.tensorError(name, QStringLiteral("data_offsets must be non-negative "
                                                        "integers, got [%1, %2]")
                                             .arg(offsets.at(0).toVariant().toString(),
                                                  offsets.at(1).toVariant().toString()));
        if (*end < *begin)
            return ctx.tensorError(name, QStringLiteral("data_offsets end %1 is before begin %2"),
                                   *end, *begin);
        if (*end - *begin != needBytes)
            return ctx.tensorError(name,
                                   QStringLiteral("data_offsets [%1, %2] span %3 bytes but shape "
                                                  "%4 of %5 needs %6 bytes"),
                                   *begin, *end, *end - *begin, shapeText(t.shape),
                                   QLatin1String(dtypeName(t.dtype)), needBytes);
        if (*begin > dataSize)
            return ctx.tensorError(name,
                                   QStringLiteral("data_offsets [%1, %2] start outside the data "
                                                  "section (%3 bytes)"),
                                   *begin, *end, dataSize);
        if (*end > dataSize)
            return ctx.tensorError(name,
                                   QStringLiteral("data ends at byte %1 but the data section has "
                                                  "only %2 bytes: the file is truncated"),
                                   *end, dataSize);
        t.begin = *begin;
        t.end = *end;
        file.m_tensors.push_back(std::move(t));
    }

    std::stable_sort(file.m_tensors.begin(), file.m_tensors.end(),
                     [](const TensorInfo &a, const TensorInfo &b) {
                         return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
                     });
    std::uint64_t covered = 0;
    const TensorInfo *previous = nullptr;
    for (const TensorInfo &t : file.m_tensors) {
        if (t.begin < covered)
            return ctx.invalid(QStringLiteral("tensors %1 [%2, %3] and %4 [%5, %6] overlap"),
                               quoted(previous->name), previous->begin, previous->end,
                               quoted(t.name), t.begin, t.end);
        if (t.begin > covered)
            return ctx.invalid(QStringLiteral("unused bytes [%1, %2) before tensor %3: data "
                                              "offsets must be contiguous"),
                               covered, t.begin, quoted(t.name));
        covered = t.end;
        previous = &t;
    }
    if (covered != dataSize)
        return ctx.invalid(QStringLiteral("%1 unexpected bytes after the last tensor (data "
                                          "section is %2 bytes, tensors cover %3)"),
                           dataSize - covered, dataSize, covered);

    for (size_t i = 0; i < file.m_tensors.size(); ++i)
        file.m_index.emplace(file.m_tensors[i].name, i);
    file.m_bytes = std::move(bytes);
    return file;
}

const TensorInfo *SafetensorsFile::find(const std::string &name) const
{
    const auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : &m_tensors[it->second];
}

const char *SafetensorsFile::data(const TensorInfo &t) const
{
    return m_bytes.constData() + m_dataStart + t.begin;
}

std::vector<float> SafetensorsFile::toFloat(const TensorInfo &t) const
{
    const auto n = size_t(t.numel());
    std::vector<float> out(n);
    const char *p = data(t);
    const int size = dtypeSize(t.dtype);
    for (size_t i = 0; i < n; ++i, p += size)
        out[i] = elementToFloat(t.dtype, p);
    return out;
}

core::Status SafetensorsFile::checkFinite() const
{
    for (const TensorInfo &t : m_tensors) {
        // The first non-finite element: all exponent bits set (integer types have none).
        const char *p = data(t);
        const std::int64_t n = t.numel();
        const std::int64_t i =
            t.dtype == DType::F32    ? firstAllOnes<std::uint32_t>(p, n, 0x7f800000u)
            : t.dtype == DType::F16  ? firstAllOnes<std::uint16_t>(p, n, 0x7c00u)
            : t.dtype == DType::BF16 ? firstAllOnes<std::uint16_t>(p, n, 0x7f80u)
            : t.dtype == DType::F64  ? firstAllOnes<std::uint64_t>(p, n, 0x7ff0000000000000ull)
                                     : -1;
        if (i < 0)
            continue;
        const bool nan = std::isnan(elementToFloat(t.dtype, p + i * dtypeSize(t.dtype)));
        return core::makeError(ErrorCode::WeightsInvalid,
                               QStringLiteral("tensor %1 contains %2 at element %3")
                                   .arg(quoted(t.name), QLatin1String(nan ? "NaN" : "infinity"))
                                   .arg(i),
                               m_path);
    }
    return {};
}

QString compactJson(const QJsonValue &v)
{
    const QJsonDocument d = v.isArray() ? QJsonDocument(v.toArray()) : QJsonDocument(v.toObject());
    return QString::fromUtf8(d.toJson(QJsonDocument::Compact));
}

QJsonValue parseJson(const QString &text)
{
    const QJsonDocument d = QJsonDocument::fromJson(text.toUtf8());
    return d.isArray() ? QJsonValue(d.array()) : QJsonValue(d.object());
}

TensorBlob
floatBlob(std::string name, std::vector<std::int64_t> shape, const std::vector<float> &values)
{
    TensorBlob blob{std::move(name), DType::F32, std::move(shape), {}};
    blob.bytes.resize(qsizetype(values.size() * sizeof(float)));
    qToLittleEndian<float>(values.data(), qsizetype(values.size()), blob.bytes.data());
    return blob;
}

core::Status writeSafetensors(const QString &path,
                              const std::vector<TensorBlob> &tensors,
                              const std::map<QString, QString> &metadata)
{
    QJsonObject header;
    if (!metadata.empty()) {
        QJsonObject meta;
        for (const auto &[key, value] : metadata)
            meta.insert(key, value);
        header.insert(QStringLiteral("__metadata__"), meta);
    }
    std::set<std::string> names;
    std::uint64_t offset = 0;
    for (const TensorBlob &t : tensors) {
        if (t.name == "__metadata__" || !names.insert(t.name).second)
            return core::makeError(
                ErrorCode::InvalidArgument,
                QStringLiteral("duplicate or reserved tensor name %1").arg(quoted(t.name)), path);
        std::uint64_t numel = 1;
        for (std::int64_t d : t.shape)
            if (d < 0 || __builtin_mul_overflow(numel, std::uint64_t(d), &numel))
                return core::makeError(ErrorCode::InvalidArgument,
                                       QStringLiteral("tensor %1 has an invalid shape %2")
                                           .arg(quoted(t.name), shapeText(t.shape)),
                                       path);
        const std::uint64_t needBytes = numel * std::uint64_t(dtypeSize(t.dtype));
        if (needBytes != std::uint64_t(t.bytes.size()))
            return core::makeError(
                ErrorCode::InvalidArgument,
                format(QStringLiteral("tensor %1: %2 bytes given, shape %3 of %4 needs %5"),
                       quoted(t.name), t.bytes.size(), shapeText(t.shape),
                       QLatin1String(dtypeName(t.dtype)), needBytes),
                path);
        QJsonArray shape;
        for (std::int64_t d : t.shape)
            shape.append(double(d));
        const std::uint64_t end = offset + std::uint64_t(t.bytes.size());
        header.insert(QString::fromStdString(t.name),
                      QJsonObject{{"dtype", QLatin1String(dtypeName(t.dtype))},
                                  {"shape", shape},
                                  {"data_offsets", QJsonArray{double(offset), double(end)}}});
        offset = end;
    }

    QByteArray headerBytes = QJsonDocument(header).toJson(QJsonDocument::Compact);
    headerBytes.append((8 - headerBytes.size() % 8) % 8, ' '); // data starts 8-byte aligned
    char lengthField[8];
    qToLittleEndian(std::uint64_t(headerBytes.size()), lengthField);

    return writeFileAtomically(path, [&](QIODevice &out) {
        bool ok = out.write(lengthField, 8) == 8 && out.write(headerBytes) == headerBytes.size();
        for (const TensorBlob &t : tensors)
            ok = ok && out.write(t.bytes) == t.bytes.size();
        return ok;
    });
}

} // namespace graft::io
