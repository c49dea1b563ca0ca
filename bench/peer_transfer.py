#!/usr/bin/python3
"""Peers for the feature-extractor benchmark on an ImageFolder dataset with train/ and val/.

mode A: the PyTorch transfer-learning tutorial's fixed feature extractor (ImageFolder +
        DataLoader with 2 workers, frozen backbone, no cache: every epoch runs the backbone).
mode B: the same with features precomputed once (fastai 0.7 `precompute=True` style), then the
        head trained on the cached features.
Backbone: torchvision MobileNetV2 (same architecture and FLOPs as Graft's mobilenet_v2_imagenet;
weights do not change the timing, so random ones are used: there is no network here).
Prints one JSON line."""
import json
import os
import sys
import time

import torch
import torch.nn as nn
from torch.utils.data import DataLoader
from torchvision import datasets, models, transforms


def loaders(root, workers):
    norm = transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    tf = {
        "train": transforms.Compose([transforms.RandomResizedCrop(224), transforms.RandomHorizontalFlip(),
                                     transforms.ToTensor(), norm]),
        "val": transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224),
                                   transforms.ToTensor(), norm]),
    }
    ds = {k: datasets.ImageFolder(os.path.join(root, k), tf[k]) for k in ("train", "val")}
    return {k: DataLoader(ds[k], batch_size=32, shuffle=(k == "train"), num_workers=workers)
            for k in ds}, ds


def main():
    mode, root = sys.argv[1], sys.argv[2]
    epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    t0 = time.perf_counter()
    dl, ds = loaders(root, 2)
    net = models.mobilenet_v2()
    for p in net.parameters():
        p.requires_grad = False
    net.classifier = nn.Linear(1280, len(ds["train"].classes))
    crit = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(net.classifier.parameters(), lr=0.001, momentum=0.9)
    epoch_times = []
    if mode == "A":
        for _ in range(epochs):
            te = time.perf_counter()
            net.train()
            for x, y in dl["train"]:
                opt.zero_grad()
                loss = crit(net(x), y)
                loss.backward()
                opt.step()
            net.eval()
            correct = 0
            with torch.no_grad():
                for x, y in dl["val"]:
                    correct += (net(x).argmax(1) == y).sum().item()
            epoch_times.append(time.perf_counter() - te)
    else:
        net.eval()
        feats = {}
        with torch.no_grad():
            for k in ("train", "val"):
                fs, ys = [], []
                for x, y in dl[k]:
                    fs.append(net.features(x).mean([2, 3]))
                    ys.append(y)
                feats[k] = (torch.cat(fs), torch.cat(ys))
        head = net.classifier
        for _ in range(epochs):
            te = time.perf_counter()
            x, y = feats["train"]
            perm = torch.randperm(len(y))
            for i in range(0, len(y), 32):
                idx = perm[i:i + 32]
                opt.zero_grad()
                loss = crit(head(x[idx]), y[idx])
                loss.backward()
                opt.step()
            with torch.no_grad():
                correct = (head(feats["val"][0]).argmax(1) == feats["val"][1]).sum().item()
            epoch_times.append(time.perf_counter() - te)
    total = time.perf_counter() - t0
    print(json.dumps({"tool": f"pytorch-{mode}", "epochs": epochs, "seconds": total,
                      "epoch_seconds": epoch_times, "threads": threads,
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
