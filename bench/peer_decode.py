#!/usr/bin/python3
"""Peer for the decode benchmark: torchvision ImageFolder + DataLoader (2 workers), resized to
224x224 and normalised, the standard PyTorch transfer-learning input pipeline."""
import json
import sys
import time

import torch
from torch.utils.data import ConcatDataset, DataLoader
from torchvision import datasets, transforms


def main():
    root = sys.argv[1]
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    size = int(sys.argv[4]) if len(sys.argv) > 4 else 224
    tf = transforms.Compose([
        transforms.Resize((size, size)),
        transforms.ToTensor(),
        transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    ])
    import os
    subs = [d for d in ("train", "val", "test") if os.path.isdir(os.path.join(root, d))]
    parts = [datasets.ImageFolder(os.path.join(root, d), tf) for d in subs] or [datasets.ImageFolder(root, tf)]
    ds = ConcatDataset(parts)
    loader = DataLoader(ds, batch_size=32, shuffle=True, num_workers=workers)
    t = time.perf_counter()
    n = 0
    for _ in range(epochs):
        for x, _y in loader:
            n += x.shape[0]
    s = time.perf_counter() - t
    print(json.dumps({"tool": "torchvision", "images": n, "seconds": s,
                      "images_per_second": n / s, "workers": workers, "size": size}))


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
