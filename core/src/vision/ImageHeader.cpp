#include "graft/vision/ImageHeader.h"

#include <algorithm>
#include <cstring>

namespace graft::vision {

using core::ErrorCode;
using core::makeError;

const char *imageFormatName(ImageFormat format)
{
    static const char *const kNames[] = {"unknown", "jpeg", "png", "bmp", "webp", "tiff", "gif"};
    return kNames[size_t(format)]; // in the enum's order
}

namespace {

/// Bounds-checked little/big-endian reads over a byte span; out-of-range reads return 0 and
/// set `failed`, so parsers can read freely and check once.
struct Bytes
{
    const unsigned char *p;
    qint64 n;
    bool failed = false;

    bool has(qint64 off, qint64 len) const { return off >= 0 && len >= 0 && off <= n - len; }
    unsigned u8(qint64 off)
    {
        if (!has(off, 1)) {
            failed = true;
            return 0;
        }
        return p[off];
    }
    quint32 be16(qint64 off) { return (u8(off) << 8) | u8(off + 1); }
    quint32 le16(qint64 off) { return u8(off) | (u8(off + 1) << 8); }
    quint32 be32(qint64 off) { return (be16(off) << 16) | be16(off + 2); }
    quint32 le32(qint64 off) { return le16(off) | (le16(off + 2) << 16); }
    quint32 u16(qint64 off, bool bigEndian) { return bigEndian ? be16(off) : le16(off); }
    quint32 u32(qint64 off, bool bigEndian) { return bigEndian ? be32(off) : le32(off); }
    bool match(qint64 off, const char *magic, qint64 len) const
    {
        return has(off, len) && std::memcmp(p + off, magic, size_t(len)) == 0;
    }
    /// Whether `magic` starts at some offset in [from, to].
    bool matchIn(qint64 from, qint64 to, const char *magic, qint64 len) const
    {
        for (qint64 off = to; off >= from; --off)
            if (match(off, magic, len))
                return true;
        return false;
    }
};

core::Error malformed(const QString &what)
{
    return makeError(ErrorCode::InvalidFormat, what);
}

/// Reads TIFF IFD0 tags. Used for TIFF files and for the EXIF block inside JPEG APP1.
struct TiffInfo
{
    quint32 width = 0, height = 0, bitsPerSample = 8, samplesPerPixel = 1, photometric = 1;
    quint32 orientation = 1;
    bool ok = false;
};

TiffInfo parseTiffIfd0(Bytes b)
{
    TiffInfo info;
    if (!b.match(0, "II*\0", 4) && !b.match(0, "MM\0*", 4))
        return info;
    const bool big = b.p[0] == 'M';
    const quint32 ifd = b.u32(4, big);
    const quint32 count = b.u16(ifd, big);
    if (b.failed || count > 4096)
        return info;
    for (quint32 i = 0; i < count; ++i) {
        const qint64 e = qint64(ifd) + 2 + qint64(i) * 12;
        const quint32 tag = b.u16(e, big);
        const quint32 type = b.u16(e + 2, big);
        const quint32 n = b.u32(e + 4, big);
        auto value = [&]() -> quint32 {
            if (type == 3) // SHORT (more than two: the first of an array stored elsewhere)
                return n <= 2 ? b.u16(e + 8, big) : b.u16(b.u32(e + 8, big), big);
            if (type == 4) // LONG
                return n <= 1 ? b.u32(e + 8, big) : b.u32(b.u32(e + 8, big), big);
            if (type == 1) // BYTE
                return b.u8(e + 8);
            return 0;
        };
        static constexpr std::pair<quint32, quint32 TiffInfo::*> kTags[] = {
            {256, &TiffInfo::width},         {257, &TiffInfo::height},
            {258, &TiffInfo::bitsPerSample}, {262, &TiffInfo::photometric},
            {274, &TiffInfo::orientation},   {277, &TiffInfo::samplesPerPixel}};
        for (const auto &[known, field] : kTags)
            if (tag == known)
                info.*field = value();
        if (b.failed)
            return info;
    }
    info.ok = true;
    return info;
}

core::Result<ImageHeader> parseJpeg(Bytes b)
{
    ImageHeader h;
    qint64 pos = 2;
    bool haveFrame = false;
    qint64 scanStart = -1;
    while (pos < b.n) {
        if (b.u8(pos) != 0xFF)
            return malformed(QStringLiteral("JPEG marker expected at byte %1").arg(pos));
        while (pos < b.n && b.u8(pos) == 0xFF)
            ++pos; // fill bytes
        if (pos >= b.n)
            break;
        const unsigned marker = b.u8(pos++);
        if (marker == 0xD9) // EOI before any scan
            break;
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
            continue;
        const quint32 len = b.be16(pos);
        if (b.failed || len < 2 || !b.has(pos, len)) {
            if (haveFrame) {
                h.complete = false;
                return h;
            }
            return malformed(QStringLiteral("JPEG data is truncated (segment 0x%1 runs past the "
                                            "end of the file)")
                                 .arg(marker, 2, 16, QLatin1Char('0')));
        }
        const qint64 seg = pos + 2;
        if (marker == 0xE1 && len >= 8 && b.match(seg, "Exif\0\0", 6)) {
            Bytes exif{b.p + seg + 6, qint64(len) - 8};
            const TiffInfo t = parseTiffIfd0(exif);
            if (t.ok && t.orientation >= 1 && t.orientation <= 8)
                h.exifOrientation = int(t.orientation);
        } else if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 &&
                   marker != 0xCC) {
            h.bitDepth = int(b.u8(seg));
            h.height = int(b.be16(seg + 1));
            h.width = int(b.be16(seg + 3));
            h.channels = int(b.u8(seg + 5));
            h.cmyk = h.channels == 4;
            haveFrame = true;
        } else if (marker == 0xDA) {
            scanStart = seg + len - 2;
            break;
        }
        pos += len;
    }
    if (!haveFrame)
        return malformed(QStringLiteral("JPEG has no frame header (SOF)"));
    // Entropy-coded data escapes 0xFF as FF 00, so FF D9 after the first scan is the real EOI.
    h.complete = scanStart >= 0 && b.matchIn(scanStart, b.n - 2, "\xFF\xD9", 2);
    return h;
}

core::Result<ImageHeader> parsePng(Bytes b)
{
    ImageHeader h;
    if (!b.match(12, "IHDR", 4))
        return malformed(QStringLiteral("PNG does not start with an IHDR chunk"));
    h.width = int(b.be32(16) & 0x7FFFFFFF);
    h.height = int(b.be32(20) & 0x7FFFFFFF);
    h.bitDepth = int(b.u8(24));
    const unsigned colourType = b.u8(25);
    if (b.failed)
        return malformed(QStringLiteral("PNG header is truncated"));
    // Channels per colour type: grey, -, RGB, palette, grey+alpha, -, RGBA.
    static const int kChannels[] = {1, 0, 3, 3, 2, 0, 4};
    if (colourType > 6 || kChannels[colourType] == 0)
        return malformed(QStringLiteral("PNG colour type %1 is invalid").arg(colourType));
    h.channels = kChannels[colourType];
    h.palette = colourType == 3;
    // IEND is the last chunk: 4-byte length 0, "IEND", CRC.
    h.complete = b.matchIn(std::max<qint64>(33, b.n - 64), b.n - 8, "IEND", 4);
    return h;
}

core::Result<ImageHeader> parseBmp(Bytes b)
{
    ImageHeader h;
    const quint32 dataOffset = b.le32(10);
    const quint32 dibSize = b.le32(14);
    qint64 width, height;
    quint32 bpp, compression = 0;
    if (dibSize == 12) {
        width = qint16(b.le16(18));
        height = qint16(b.le16(20));
        bpp = b.le16(24);
    } else if (dibSize >= 40) {
        width = qint32(b.le32(18));
        height = qint32(b.le32(22));
        bpp = b.le16(28);
        compression = b.le32(30);
    } else {
        return malformed(QStringLiteral("BMP info header size %1 is not supported").arg(dibSize));
    }
    if (b.failed)
        return malformed(QStringLiteral("BMP header is truncated"));
    if (height < 0)
        height = -height; // top-down bitmap
    if (width <= 0 || width > 0x7FFFFFFF || height > 0x7FFFFFFF)
        return malformed(QStringLiteral("BMP has an invalid width %1").arg(width));
    h.width = int(width);
    h.height = int(height);
    h.bitDepth = bpp >= 24 ? 8 : int(bpp);
    h.channels = bpp == 32 ? 4 : 3;
    h.palette = bpp <= 8;
    if (compression == 0 || compression == 3) { // uncompressed: the pixel array must be there
        const qint64 stride = ((qint64(width) * bpp + 31) / 32) * 4;
        h.complete = qint64(dataOffset) + stride * height <= b.n;
    }
    return h;
}

core::Result<ImageHeader> parseGif(Bytes b)
{
    ImageHeader h;
    h.width = int(b.le16(6));
    h.height = int(b.le16(8));
    if (b.failed)
        return malformed(QStringLiteral("GIF header is truncated"));
    h.channels = 3;
    h.palette = true;
    h.complete = b.n > 13 && b.p[b.n - 1] == 0x3B; // trailer
    return h;
}

core::Result<ImageHeader> parseWebp(Bytes b)
{
    ImageHeader h;
    h.channels = 3;
    if (b.match(12, "VP8 ", 4)) {
        if (!(b.u8(23) == 0x9D && b.u8(24) == 0x01 && b.u8(25) == 0x2A))
            return malformed(QStringLiteral("WebP VP8 start code is missing"));
        h.width = int(b.le16(26) & 0x3FFF);
        h.height = int(b.le16(28) & 0x3FFF);
    } else if (b.match(12, "VP8L", 4)) {
        if (b.u8(20) != 0x2F)
            return malformed(QStringLiteral("WebP lossless signature is missing"));
        const quint32 bits = b.le32(21);
        h.width = int((bits & 0x3FFF) + 1);
        h.height = int(((bits >> 14) & 0x3FFF) + 1);
        h.channels = (bits >> 28) & 1 ? 4 : 3;
    } else if (b.match(12, "VP8X", 4)) {
        const unsigned flags = b.u8(20);
        h.width = int((b.le32(24) & 0xFFFFFF) + 1);
        h.height = int((b.le32(27) & 0xFFFFFF) + 1);
        h.channels = (flags & 0x10) ? 4 : 3;
    } else {
        return malformed(QStringLiteral("WebP has no VP8, VP8L or VP8X chunk"));
    }
    if (b.failed)
        return malformed(QStringLiteral("WebP header is truncated"));
    h.complete = qint64(b.le32(4)) + 8 <= b.n;
    return h;
}

core::Result<ImageHeader> parseTiff(Bytes b)
{
    ImageHeader h;
    const TiffInfo t = parseTiffIfd0(b);
    if (!t.ok || t.width == 0 || t.height == 0)
        return malformed(QStringLiteral("TIFF first directory is malformed or truncated"));
    if (t.width > 0x7FFFFFFF || t.height > 0x7FFFFFFF)
        return malformed(QStringLiteral("TIFF dimensions are out of range"));
    h.width = int(t.width);
    h.height = int(t.height);
    h.bitDepth = int(t.bitsPerSample);
    h.channels = int(t.samplesPerPixel);
    h.cmyk = t.photometric == 5;
    h.palette = t.photometric == 3;
    if (t.orientation >= 1 && t.orientation <= 8)
        h.exifOrientation = int(t.orientation);
    return h;
}

} // namespace

ImageFormat sniffImageFormat(const char *data, qint64 size)
{
    Bytes b{reinterpret_cast<const unsigned char *>(data), size};
    if (b.match(0, "\xFF\xD8\xFF", 3))
        return ImageFormat::Jpeg;
    if (b.match(0, "\x89PNG\r\n\x1A\n", 8))
        return ImageFormat::Png;
    if (b.match(0, "BM", 2) && size >= 26)
        return ImageFormat::Bmp;
    if (b.match(0, "GIF87a", 6) || b.match(0, "GIF89a", 6))
        return ImageFormat::Gif;
    if (b.match(0, "RIFF", 4) && b.match(8, "WEBP", 4))
        return ImageFormat::WebP;
    if (b.match(0, "II*\0", 4) || b.match(0, "MM\0*", 4))
        return ImageFormat::Tiff;
    return ImageFormat::Unknown;
}

core::Result<ImageHeader> parseImageHeader(const QByteArray &bytes)
{
    Bytes b{reinterpret_cast<const unsigned char *>(bytes.constData()), bytes.size()};
    using Parser = core::Result<ImageHeader> (*)(Bytes);
    static const Parser kParsers[] = {nullptr,   parseJpeg, parsePng, parseBmp,
                                      parseWebp, parseTiff, parseGif}; // ImageFormat order
    const ImageFormat format = sniffImageFormat(bytes.constData(), bytes.size());
    if (format == ImageFormat::Unknown)
        return makeError(ErrorCode::Unsupported, QStringLiteral("not an image (unknown format)"));
    core::Result<ImageHeader> result = kParsers[size_t(format)](b);
    if (result)
        result->format = format;
    if (result.ok() && (result->width <= 0 || result->height <= 0))
        return malformed(QStringLiteral("image header declares %1x%2 pixels")
                             .arg(result->width)
                             .arg(result->height));
    return result;
}

} // namespace graft::vision
