// libFuzzer target for the CSV/TSV reader: text decoding (UTF-8/16 BOMs, Latin-1 fallback),
// delimiter detection, RFC 4180 quoting and header detection.
#include "graft/text/TextDecoder.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace graft::text;
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto decoded = decodeText(bytes, QStringLiteral("fuzz.csv"));
    if (!decoded.ok())
        return 0;
    const QChar delimiter = detectDelimiter(decoded->text);
    const DelimitedTable table = parseDelimited(decoded->text, delimiter);
    for (int column = 0; column < 3; ++column)
        (void)looksLikeHeader(table, column);
    return 0;
}
