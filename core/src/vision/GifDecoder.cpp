// First-frame GIF decoder (GIF87a/89a, LZW, interlacing). OpenCV 4.6 cannot read GIF.
#include "vision/CvDecode.h"

#include <algorithm>
#include <array>
#include <optional>

namespace graft::vision {

using core::ErrorCode;
using core::makeError;

namespace {

core::Error gifError(const QString &what)
{
    return makeError(ErrorCode::InvalidFormat, QStringLiteral("GIF ") + what);
}

/// Reads GIF sub-blocks into one buffer starting at `pos`; returns false when truncated.
bool readSubBlocks(const unsigned char *p, qint64 n, qint64 &pos, std::vector<unsigned char> *out)
{
    while (true) {
        if (pos >= n)
            return false;
        const unsigned len = p[pos++];
        if (len == 0)
            return true;
        if (pos + len > n)
            return false;
        if (out)
            out->insert(out->end(), p + pos, p + pos + len);
        pos += len;
    }
}

/// Reads a colour table of `size` entries at `pos` into `table`; returns false when truncated.
bool readColourTable(
    const unsigned char *p, qint64 n, qint64 &pos, int size, std::array<cv::Vec3b, 256> &table)
{
    if (pos + 3 * size > n)
        return false;
    for (int i = 0; i < size; ++i)
        table[size_t(i)] = {p[pos + 3 * i], p[pos + 3 * i + 1], p[pos + 3 * i + 2]};
    pos += 3 * size;
    return true;
}

} // namespace

core::Result<cv::Mat> decodeGifFirstFrame(const QByteArray &bytes)
{
    const auto *p = reinterpret_cast<const unsigned char *>(bytes.constData());
    const qint64 n = bytes.size();
    if (n < 13)
        return gifError(QStringLiteral("header is truncated"));
    const int screenW = p[6] | (p[7] << 8);
    const int screenH = p[8] | (p[9] << 8);
    const unsigned flags = p[10];
    const unsigned bgIndex = p[11];
    qint64 pos = 13;

    std::array<cv::Vec3b, 256> globalTable{};
    int globalSize = 0;
    if (flags & 0x80) {
        globalSize = 2 << (flags & 7);
        if (!readColourTable(p, n, pos, globalSize, globalTable))
            return gifError(QStringLiteral("colour table is truncated"));
    }
    // Black when the background index is not in the global table (its other entries are zero).
    cv::Mat canvas(screenH, screenW, CV_8UC3, cv::Scalar(globalTable[bgIndex]));
    while (pos < n) {
        const unsigned block = p[pos++];
        if (block == 0x3B)
            break;
        if (block == 0x21) { // extension: label then sub-blocks
            ++pos;
            if (!readSubBlocks(p, n, pos, nullptr))
                return gifError(QStringLiteral("extension is truncated"));
            continue;
        }
        if (block != 0x2C)
            return gifError(QStringLiteral("has an unknown block 0x%1").arg(block, 2, 16));
        if (pos + 9 > n)
            return gifError(QStringLiteral("image descriptor is truncated"));
        const int left = p[pos] | (p[pos + 1] << 8);
        const int top = p[pos + 2] | (p[pos + 3] << 8);
        const int w = p[pos + 4] | (p[pos + 5] << 8);
        const int h = p[pos + 6] | (p[pos + 7] << 8);
        const unsigned iflags = p[pos + 8];
        pos += 9;
        std::array<cv::Vec3b, 256> table = globalTable;
        int tableSize = globalSize;
        if (iflags & 0x80) {
            tableSize = 2 << (iflags & 7);
            if (!readColourTable(p, n, pos, tableSize, table))
                return gifError(QStringLiteral("local colour table is truncated"));
        }
        const bool interlaced = iflags & 0x40;
        if (pos >= n)
            return gifError(QStringLiteral("image data is truncated"));
        const int minCodeSize = p[pos++];
        if (minCodeSize < 2 || minCodeSize > 11)
            return gifError(QStringLiteral("LZW code size %1 is invalid").arg(minCodeSize));
        std::vector<unsigned char> data;
        if (!readSubBlocks(p, n, pos, &data))
            return gifError(QStringLiteral("image data is truncated"));

        // The frame's size comes from its own descriptor, not from the header whose pixel
        // count was checked: refuse frames far larger than the image (found by fuzz_image: a
        // 50-byte GIF asked for 2.9 GB). Pixels outside the logical screen are dropped anyway.
        const qint64 total = qint64(w) * h;
        if (total > 4 * qint64(screenW) * qint64(screenH) + 65536)
            return gifError(
                QStringLiteral("first frame (%1x%2) is far larger than the image (%3x%4)")
                    .arg(w)
                    .arg(h)
                    .arg(screenW)
                    .arg(screenH));
        // LZW decode into indices. Every string in the code table was output before, so a
        // table code is a span (start, length) of `indices`.
        std::vector<unsigned char> indices;
        indices.reserve(size_t(std::min<qint64>(total, qint64(data.size()) * 8)));
        const int clearCode = 1 << minCodeSize;
        const int endCode = clearCode + 1;
        std::vector<std::pair<size_t, size_t>> spans(4096);
        std::optional<std::pair<size_t, size_t>> prev; // the string of the previous code
        int codeSize = minCodeSize + 1;
        int nextCode = endCode + 1;
        quint32 bitBuf = 0;
        int bitCount = 0;
        size_t byteIndex = 0;
        while (qint64(indices.size()) < total) {
            while (bitCount < codeSize && byteIndex < data.size()) {
                bitBuf |= quint32(data[byteIndex++]) << bitCount;
                bitCount += 8;
            }
            if (bitCount < codeSize)
                break; // data ran out: keep what we have (many encoders stop early)
            const int code = int(bitBuf & ((1u << codeSize) - 1));
            bitBuf >>= codeSize;
            bitCount -= codeSize;
            if (code == clearCode) {
                codeSize = minCodeSize + 1;
                nextCode = endCode + 1;
                prev.reset();
                continue;
            }
            if (code == endCode)
                break;
            if (code > nextCode || (code == nextCode && !prev))
                return gifError(QStringLiteral("LZW data is corrupt"));
            // The next table entry: the previous string and the first index of this one.
            const std::pair<size_t, size_t> entry =
                prev ? std::pair(prev->first, prev->second + 1) : std::pair<size_t, size_t>();
            const size_t start = indices.size();
            if (code < clearCode) {
                indices.push_back(static_cast<unsigned char>(code));
            } else {
                // code == nextCode is that entry itself: the copy reads what it has just written.
                const auto [from, length] = code == nextCode ? entry : spans[size_t(code)];
                for (size_t k = 0; k < length && qint64(indices.size()) < total; ++k) {
                    const unsigned char v = indices[from + k];
                    indices.push_back(v);
                }
            }
            if (prev && nextCode < 4096) {
                spans[size_t(nextCode++)] = entry;
                if (nextCode == (1 << codeSize) && codeSize < 12)
                    ++codeSize;
            }
            prev = std::pair(start, indices.size() - start);
        }
        if (indices.empty())
            return gifError(QStringLiteral("first frame has no pixels"));
        // Missing pixels at the end of short data are index 0, as other decoders do.

        // Row order: one pass, or for interlaced images passes from 0,4,2,1 with steps 8,8,4,2.
        const int starts[4] = {0, 4, 2, 1}, steps[4] = {8, 8, 4, 2};
        std::vector<int> rows;
        rows.reserve(size_t(h));
        for (int pass = 0; pass < (interlaced ? 4 : 1); ++pass)
            for (int y = starts[pass]; y < h; y += interlaced ? steps[pass] : 1)
                rows.push_back(y);
        for (int r = 0; r < h; ++r) {
            const int y = top + rows[size_t(r)];
            if (y < 0 || y >= screenH)
                continue;
            for (int x = 0; x < w; ++x) {
                const int cx = left + x;
                if (cx >= screenW)
                    break;
                const size_t at = size_t(r) * size_t(w) + size_t(x);
                const unsigned idx = at < indices.size() ? indices[at] : 0u;
                if (int(idx) < tableSize)
                    canvas.at<cv::Vec3b>(y, cx) = table[idx];
            }
        }
        return canvas;
    }
    return gifError(QStringLiteral("contains no image"));
}

} // namespace graft::vision
