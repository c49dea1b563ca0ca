#pragma once
// Internal: a LibTorch tensor as a float32 safetensors blob (checkpoints, language models).

#include "graft/io/Safetensors.h"

#include <torch/types.h>

#include <string>
#include <vector>

namespace graft::train {

inline io::TensorBlob tensorBlob(std::string name, const torch::Tensor &tensor)
{
    const torch::Tensor t = tensor.detach().to(torch::kCPU, torch::kFloat).contiguous();
    return {std::move(name), io::DType::F32,
            std::vector<std::int64_t>(t.sizes().begin(), t.sizes().end()),
            QByteArray(reinterpret_cast<const char *>(t.data_ptr<float>()),
                       qsizetype(t.numel() * 4))};
}

} // namespace graft::train
