// libFuzzer target for the safetensors reader: any byte string must give a value or an error,
// never a crash, an overflow or a huge allocation.
#include "graft/io/Safetensors.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace graft::io;
    SafetensorsLimits limits;
    limits.maxHeaderBytes = 1 << 20;
    const auto file = SafetensorsFile::fromBytes(
        QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)),
        QStringLiteral("fuzz.safetensors"), limits);
    if (!file.ok())
        return 0;
    (void)file->checkFinite();
    for (const TensorInfo &t : file->tensors()) {
        if (file->find(t.name) != &t)
            __builtin_trap();
        (void)file->toFloat(t); // bounded: the data section is inside the input
    }
    return 0;
}
