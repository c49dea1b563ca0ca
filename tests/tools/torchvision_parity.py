#!/usr/bin/python3
"""Writes randomly initialised torchvision models and reference outputs for Graft's parity test.

Usage: torchvision_parity.py OUT_DIR [MODEL ...]   (default: resnet18 mobilenet_v2 efficientnet_b0)

For each model NAME it writes OUT_DIR/NAME.safetensors (the state dict, torchvision names) and
OUT_DIR/NAME_io.safetensors with "input" [2, 3, S, S], "features" (pooled, before the classifier)
and "logits", computed in eval mode. BatchNorm affine parameters and running statistics are
randomised so that the check covers them. Needs only torch and torchvision (no safetensors
package): the format is written by hand.
"""
import json
import struct
import sys

import torch
import torchvision

SIZE = 96


def write_safetensors(path, tensors, metadata=None):
    header = {}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        if t.dtype == torch.float32:
            dtype = "F32"
        elif t.dtype == torch.int64:
            dtype = "I64"
        else:
            raise ValueError(f"{name}: unsupported dtype {t.dtype}")
        data = t.numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def pooled_features(name, model, x):
    if name.startswith("resnet"):
        m = model
        y = m.maxpool(m.relu(m.bn1(m.conv1(x))))
        y = m.layer4(m.layer3(m.layer2(m.layer1(y))))
        return torch.flatten(m.avgpool(y), 1)
    y = model.features(x)
    return torch.flatten(torch.nn.functional.adaptive_avg_pool2d(y, 1), 1)


def main():
    out = sys.argv[1]
    names = sys.argv[2:] or ["resnet18", "mobilenet_v2", "efficientnet_b0"]
    torch.set_num_threads(2)
    for i, name in enumerate(names):
        torch.manual_seed(1234 + i)
        model = getattr(torchvision.models, name)(weights=None)
        with torch.no_grad():
            for m in model.modules():
                if isinstance(m, torch.nn.BatchNorm2d):
                    m.weight.uniform_(0.5, 1.5)
                    m.bias.normal_(0.0, 0.1)
                    m.running_mean.normal_(0.0, 0.1)
                    m.running_var.uniform_(0.5, 1.5)
        model.eval()
        x = torch.randn(2, 3, SIZE, SIZE)
        with torch.no_grad():
            feats = pooled_features(name, model, x)
            logits = model(x)
        write_safetensors(f"{out}/{name}.safetensors", model.state_dict(),
                          {"source": "torchvision " + torchvision.__version__ + " random init"})
        write_safetensors(f"{out}/{name}_io.safetensors",
                          {"input": x, "features": feats, "logits": logits})
        print(name, tuple(feats.shape), tuple(logits.shape))


if __name__ == "__main__":
    main()
