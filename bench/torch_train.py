#!/usr/bin/env python3
"""The peer for bench/train.sh: the same trainings as examples/moons.grad and
examples/digits.grad in PyTorch (float64, one thread), timed in-process (the loop only,
after the imports and the data are loaded), printing `seconds final_loss`.

    python3 bench/torch_train.py moons 100       # SGD, lr 1.0 - 0.9 k / 100, micrograd's demo
    python3 bench/torch_train.py digits 200      # SGD, lr 0.5
"""
import os
import sys
import time

import numpy as np
import torch
from safetensors.numpy import load_file

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples")


def moons(steps):
    table = np.genfromtxt(os.path.join(ROOT, "data/moons.csv"), delimiter=",", names=True)
    X = torch.tensor(np.stack([table["x0"], table["x1"]], 1))
    y = torch.tensor(table["y"])
    p = {k: torch.tensor(v, requires_grad=True) for k, v in load_file(os.path.join(ROOT, "data/moons_init.safetensors")).items()}
    names = ["W1", "b1", "W2", "b2", "W3", "b3"]
    start = time.perf_counter()
    for k in range(steps):
        h1 = torch.relu(X @ p["W1"] + p["b1"])
        h2 = torch.relu(h1 @ p["W2"] + p["b2"])
        score = (h2 @ p["W3"] + p["b3"]).reshape(-1)
        loss = torch.relu(1 - y * score).mean() + 1e-4 * sum((p[n] * p[n]).sum() for n in names)
        for n in names:
            p[n].grad = None
        loss.backward()
        lr = 1.0 - 0.9 * k / steps
        with torch.no_grad():
            for n in names:
                p[n] -= lr * p[n].grad
    return time.perf_counter() - start, loss.item()


def digits(steps):
    pixels = torch.tensor(np.genfromtxt(os.path.join(ROOT, "data/digits_pixels.csv"), delimiter=",", skip_header=1))
    labels = torch.tensor(np.genfromtxt(os.path.join(ROOT, "data/digits_labels.csv"), delimiter=",", skip_header=1)).long()
    g = torch.Generator().manual_seed(0)
    p = {"W1": torch.randn(64, 32, dtype=torch.float64, generator=g) * 0.125, "b1": torch.zeros(32, dtype=torch.float64),
         "W2": torch.randn(32, 10, dtype=torch.float64, generator=g) * 0.177, "b2": torch.zeros(10, dtype=torch.float64)}
    for v in p.values():
        v.requires_grad_(True)
    x = pixels / 16
    start = time.perf_counter()
    for _ in range(steps):
        logits = torch.relu(x @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
        loss = torch.nn.functional.cross_entropy(logits, labels)
        for v in p.values():
            v.grad = None
        loss.backward()
        with torch.no_grad():
            for v in p.values():
                v -= 0.5 * v.grad
    return time.perf_counter() - start, loss.item()


if __name__ == "__main__":
    torch.set_num_threads(1)
    seconds, loss = (moons if sys.argv[1] == "moons" else digits)(int(sys.argv[2]))
    print(f"{seconds:.4f} {loss!r}")
