// libFuzzer target for the image entry point: format sniffing, header parsing (dimensions,
// EXIF orientation, bit depth, CMYK, palette, truncation) and full decoding. Any byte string
// must give an image or an error, never a crash, an overflow or a huge allocation.
#include "graft/vision/ImageDecoder.h"
#include "graft/vision/ImageHeader.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace graft::vision;
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    (void)sniffImageFormat(bytes.constData(), bytes.size());
    const auto header = parseImageHeader(bytes);
    if (header.ok() && (header->width <= 0 || header->height <= 0))
        __builtin_trap(); // a header that parses has a size
    DecodeOptions options;
    options.maxPixels = 4'000'000; // keep the fuzzer fast; the cap itself is under test
    const auto image = decodeImage(bytes, options);
    if (image.ok() && image->pixels.size() != size_t(image->width) * size_t(image->height) * 3)
        __builtin_trap();
    return 0;
}
