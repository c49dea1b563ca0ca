#!/usr/bin/python3
"""Independent check of a Graft ONNX export: validates it with onnx.checker (full check, with
shape inference), evaluates it with a small reference interpreter written here on
torch.nn.functional (not Graft's code, not OpenCV), and compares with the TorchScript export
of the same model on random inputs.

Usage: onnx_reference.py MODEL.onnx MODEL.pt [BATCH]
Prints one JSON line; exits 1 when the outputs differ by more than 1e-4."""
import json
import sys

import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper


def attrs(node):
    out = {}
    for a in node.attribute:
        if a.type == onnx.AttributeProto.INT:
            out[a.name] = a.i
        elif a.type == onnx.AttributeProto.FLOAT:
            out[a.name] = a.f
        elif a.type == onnx.AttributeProto.INTS:
            out[a.name] = list(a.ints)
        else:
            raise ValueError(f"attribute type {a.type} of {node.op_type}")
    return out


def run(model, x):
    env = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in model.graph.initializer}
    env[model.graph.input[0].name] = x
    for n in model.graph.node:
        a = attrs(n)
        i = [env[name] for name in n.input]
        op = n.op_type
        if op == "Conv" and i[1].dim() == 3:  # 1-d (text CNN), no padding
            y = F.conv1d(i[0], i[1], i[2] if len(i) > 2 else None)
        elif op == "Conv":
            t, l, b, r = a["pads"]
            xin = F.pad(i[0], (l, r, t, b)) if (t, l) != (b, r) else i[0]
            pad = 0 if (t, l) != (b, r) else (t, l)
            y = F.conv2d(xin, i[1], i[2] if len(i) > 2 else None, a["strides"], pad,
                         a.get("dilations", [1, 1]), a.get("group", 1))
        elif op == "BatchNormalization":
            y = F.batch_norm(i[0], i[3], i[4], i[1], i[2], False, 0.0, a.get("epsilon", 1e-5))
        elif op == "Relu":
            y = F.relu(i[0])
        elif op == "Sigmoid":
            y = torch.sigmoid(i[0])
        elif op == "Add":
            y = i[0] + i[1]
        elif op == "Sub":
            y = i[0] - i[1]
        elif op == "Mul":
            y = i[0] * i[1]
        elif op == "GlobalAveragePool":
            y = i[0].mean(tuple(range(2, i[0].dim())), keepdim=True)
        elif op == "GlobalMaxPool":
            y = i[0].amax(tuple(range(2, i[0].dim())), keepdim=True)
        elif op == "Abs":
            y = i[0].abs()
        elif op == "MatMul":
            y = i[0] @ i[1]
        elif op == "Transpose":
            y = i[0].permute(*a["perm"])
        elif op == "Unsqueeze":
            y = i[0]
            for axis in sorted(i[1].tolist()):
                y = y.unsqueeze(axis)
        elif op == "Concat":
            y = torch.cat(i, a["axis"])
        elif op == "Flatten":
            y = i[0].flatten(a.get("axis", 1))
        elif op == "Gemm":
            w = i[1].t() if a.get("transB", 0) else i[1]
            y = i[0] @ w + (i[2] if len(i) > 2 else 0)
        elif op == "Softmax":
            y = torch.softmax(i[0], a.get("axis", -1))
        elif op == "MaxPool":
            y = F.max_pool2d(i[0], a["kernel_shape"], a["strides"], a["pads"][:2])
        elif op == "Slice":
            y = i[0]
            for start, end, axis, step in zip(i[1].tolist(), i[2].tolist(), i[3].tolist(), i[4].tolist()):
                idx = [slice(None)] * y.dim()
                idx[axis] = slice(start, min(end, y.shape[axis]), step)
                y = y[tuple(idx)]
        elif op == "Pad":
            p = i[1].tolist()
            half = len(p) // 2
            torch_pad = []
            for d in reversed(range(half)):
                torch_pad += [p[d], p[d + half]]
            y = F.pad(i[0], torch_pad)
        else:
            raise ValueError(f"op {op} is not in the reference interpreter")
        env[n.output[0]] = y
    return {o.name: env[o.name] for o in model.graph.output}


def main():
    onnx_path, ts_path = sys.argv[1], sys.argv[2]
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    model = onnx.load(onnx_path)
    onnx.checker.check_model(model, full_check=True)
    meta = {p.key: p.value for p in model.metadata_props}
    torch.manual_seed(0)
    with torch.no_grad():
        ts = torch.jit.load(ts_path)
        if meta.get("kind") == "text":
            # Text: one text per run, ids as a float column [T, 1]; random lengths and ids.
            vocab = len(meta["vocabulary"].splitlines())
            outs, refs = [], []
            for _ in range(batch * 4):
                n = int(torch.randint(5, 60, (1,)))
                ids = torch.randint(1, vocab, (n,))  # 0 is padding
                outs.append(run(model, ids.float().unsqueeze(1))["probabilities"])
                refs.append(ts.predict_proba(ids.unsqueeze(0)))
            out = {"probabilities": torch.cat(outs)}
            ref = torch.cat(refs)
        else:
            dims = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim[1:]]
            x = torch.randn(batch, *dims)
            out = run(model, x)
            ref = ts.predict_proba(x)
    diff = (out["probabilities"] - ref).abs().max().item()
    agree = (out["probabilities"].argmax(1) == ref.argmax(1)).float().mean().item()
    print(json.dumps({"checker": "ok", "opset": model.opset_import[0].version, "nodes": len(model.graph.node),
                      "max_abs_prob_diff": diff, "top1_agreement": agree, "labels": json.loads(meta["labels"])}))
    sys.exit(0 if diff < 1e-4 and agree == 1.0 else 1)


if __name__ == "__main__":
    main()
