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


# timm's layout for the same two architectures: blocks.<stage>.<index>.<part>.
TIMM_STAGES = {"mobilenet_v2": [1, 2, 3, 4, 3, 3, 1], "efficientnet_b0": [1, 2, 2, 3, 3, 4, 1]}
TIMM_PARTS = {
    ("mobilenet_v2", True): ["conv_dw", "bn1", "conv_pw", "bn2"],
    ("mobilenet_v2", False): ["conv_pw", "bn1", "conv_dw", "bn2", "conv_pwl", "bn3"],
    ("efficientnet_b0", True): ["conv_dw", "bn1", "se.conv_reduce", "se.conv_expand", "conv_pw",
                                "bn2"],
    ("efficientnet_b0", False): ["conv_pw", "bn1", "conv_dw", "bn2", "se.conv_reduce",
                                 "se.conv_expand", "conv_pwl", "bn3"],
}


def timm_state_dict(name, model):
    """The model's state dict under timm's names, derived from module order inside each block."""
    out = {}
    sd = model.state_dict()
    last = len(model.features) - 1
    for key, value in sd.items():
        if key.endswith("num_batches_tracked"):
            continue
        p = key.split(".")
        if p[0] == "classifier":
            out["classifier." + p[-1]] = value
        elif p[1] == "0":
            out[("conv_stem." if p[2] == "0" else "bn1.") + p[-1]] = value
        elif p[1] == str(last):
            out[("conv_head." if p[2] == "0" else "bn2.") + p[-1]] = value
    flat = []  # (stage, index, block module) in forward order
    if name == "mobilenet_v2":
        blocks = list(model.features)[1:last]
        k = 0
        for stage, n in enumerate(TIMM_STAGES[name]):
            for i in range(n):
                flat.append((stage, i, blocks[k]))
                k += 1
    else:
        for stage, seq in enumerate(list(model.features)[1:last]):
            for i, blk in enumerate(seq):
                flat.append((stage, i, blk))
    for stage, i, blk in flat:
        parts = iter(TIMM_PARTS[(name, stage == 0)])
        for mod in blk.modules():
            if isinstance(mod, (torch.nn.Conv2d, torch.nn.BatchNorm2d)):
                part = next(parts)
                for pname, t in list(mod.named_parameters(recurse=False)) + \
                        list(mod.named_buffers(recurse=False)):
                    if pname != "num_batches_tracked":
                        out[f"blocks.{stage}.{i}.{part}.{pname}"] = t
    assert len(out) == sum(1 for k in sd if not k.endswith("num_batches_tracked")), name
    return out


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
        if name in TIMM_STAGES:
            write_safetensors(f"{out}/{name}_timm.safetensors", timm_state_dict(name, model))
        write_safetensors(f"{out}/{name}_io.safetensors",
                          {"input": x, "features": feats, "logits": logits})
        print(name, tuple(feats.shape), tuple(logits.shape))


if __name__ == "__main__":
    main()
