#!/usr/bin/env python3
"""The MLP-step workload of issue 14: writes OUTDIR/mlp.grad and OUTDIR/mlp.safetensors.

    python3 bench/gen_mlp.py OUTDIR                          # 784-256-256-10, batch 256
    python3 bench/gen_mlp.py --hidden 32 --batch 16 OUTDIR   # the CI smoke size

A 784-H-H-10 network with relu and cross_entropy, float64, on random data (seeded numpy):
`images` [B, 784] uniform in [0, 1) and `labels` [B] (0..9, stored as F64) are `data`; the
weights W1 b1 W2 b2 W3 b3 are `input`s loaded from the same file (He-scaled normals, small
normal biases), so that PyTorch (bench/torch_mlp.py) and the C limit (bench/limit_tensor.c)
start from the same numbers. Prints the shapes as `B IN H OUT` on stdout.
"""
import argparse
import os

import numpy as np
from safetensors.numpy import save_file

PROGRAM = """\
# issue 14's MLP step (bench/gen_mlp.py --batch {b} --hidden {h} --seed {seed}): {i}-{h}-{h}-{o},
# relu, cross_entropy, float64, on random data. One forward and backward per record.
data images = load("mlp.safetensors", "images")   # [{b}, {i}]
data labels = load("mlp.safetensors", "labels")   # [{b}], classes 0..{last}
input W1 = load("mlp.safetensors", "W1")          # [{i}, {h}]
input b1 = load("mlp.safetensors", "b1")          # [{h}]
input W2 = load("mlp.safetensors", "W2")          # [{h}, {h}]
input b2 = load("mlp.safetensors", "b2")          # [{h}]
input W3 = load("mlp.safetensors", "W3")          # [{h}, {o}]
input b3 = load("mlp.safetensors", "b3")          # [{o}]

h1 = relu(images @ W1 + b1)                       # [{b}, {h}]
h2 = relu(h1 @ W2 + b2)                           # [{b}, {h}]
logits = h2 @ W3 + b3                             # [{b}, {o}]
loss = cross_entropy(logits, labels)
output loss
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--inputs", type=int, default=784)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    a = parser.parse_args()
    b, i, h, o = a.batch, a.inputs, a.hidden, a.classes
    rng = np.random.default_rng(a.seed)
    tensors = {
        "images": rng.random((b, i)),
        "labels": rng.integers(0, o, size=b).astype(np.float64),
        "W1": rng.standard_normal((i, h)) * np.sqrt(2.0 / i),
        "b1": rng.standard_normal(h) * 0.01,
        "W2": rng.standard_normal((h, h)) * np.sqrt(2.0 / h),
        "b2": rng.standard_normal(h) * 0.01,
        "W3": rng.standard_normal((h, o)) * np.sqrt(2.0 / h),
        "b3": rng.standard_normal(o) * 0.01,
    }
    os.makedirs(a.outdir, exist_ok=True)
    save_file({k: np.ascontiguousarray(v, dtype="<f8") for k, v in tensors.items()}, os.path.join(a.outdir, "mlp.safetensors"))
    with open(os.path.join(a.outdir, "mlp.grad"), "w") as f:
        f.write(PROGRAM.format(b=b, i=i, h=h, o=o, last=o - 1, seed=a.seed))
    print(b, i, h, o)


if __name__ == "__main__":
    main()
