#!/usr/bin/python3
"""Peer for graft-bench-forward: torchvision MobileNetV2 (same architecture and FLOPs) from
PyTorch, batch 32 at 224 px. mode "features": frozen forward (global-pooled features);
mode "train": full training step (forward, cross-entropy, backward, SGD). Prints one JSON line.
Usage: peer_forward.py ITERS THREADS CHANNELS_LAST(0|1) MODE"""
import json
import sys
import time

import torch
import torchvision


def main():
    iters = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    cl = len(sys.argv) > 3 and sys.argv[3] == "1"
    mode = sys.argv[4] if len(sys.argv) > 4 else "features"
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    m = torchvision.models.mobilenet_v2()
    x = torch.randn(32, 3, 224, 224)
    if cl:
        m = m.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    head = torch.zeros(1280, 2, requires_grad=True)
    y = torch.zeros(32, dtype=torch.long)
    if mode == "train":
        m.train()
        opt = torch.optim.SGD(list(m.parameters()) + [head], lr=1e-3, momentum=0.9)

        def step():
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(m.features(x).mean([2, 3]) @ head, y)
            loss.backward()
            opt.step()
    else:
        m.eval()

        def step():
            with torch.no_grad():
                m.features(x).mean([2, 3])
    step()
    t = time.perf_counter()
    for _ in range(iters):
        step()
    s = time.perf_counter() - t
    print(json.dumps({"tool": "pytorch", "mode": mode, "images_per_second": 32 * iters / s,
                      "threads": threads, "channels_last": cl}))


if __name__ == "__main__":
    main()
