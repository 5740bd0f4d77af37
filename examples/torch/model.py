#!/usr/bin/env python3
"""A small PyTorch model and its mirror in .grad (model.grad), to find where two
implementations part ways with `gradlog diff`. See README.md beside this file.

    python3 examples/torch/model.py init                 # init.safetensors, data.safetensors
    PYTHONPATH=python python3 examples/torch/model.py capture step.safetensors [--leaky]

`init` writes the initial state dict (torch.manual_seed(0), float64) and a batch of data
(x [6, 4], labels y [6] as float64 class indices); both files are committed. `capture` runs
one forward and backward step through gradlog_torch.capture; --leaky swaps the activation
for leaky_relu, the kind of change a port gets wrong.
"""
import os
import sys

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

HERE = os.path.dirname(os.path.abspath(__file__))


class Net(torch.nn.Module):
    def __init__(self, leaky=False):
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 8)
        self.act = torch.nn.LeakyReLU(0.1) if leaky else torch.nn.ReLU()
        self.fc2 = torch.nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


def init():
    torch.manual_seed(0)
    model = Net().double()
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, os.path.join(HERE, "init.safetensors"))
    x = torch.randn(6, 4, dtype=torch.float64)
    y = torch.tensor([0, 2, 1, 1, 0, 2], dtype=torch.float64)
    save_file({"x": x, "y": y}, os.path.join(HERE, "data.safetensors"))


def capture(path, leaky):
    import gradlog_torch

    torch.set_num_threads(1)
    model = Net(leaky=leaky).double()
    model.load_state_dict(load_file(os.path.join(HERE, "init.safetensors")))
    data = load_file(os.path.join(HERE, "data.safetensors"))
    with gradlog_torch.capture(model, path) as cap:
        loss = cap.name("loss", F.cross_entropy(model(data["x"]), data["y"].long()))
        loss.backward()
    print(f"captured {path}: loss {loss.item()!r}")


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "init":
        init()
    elif len(sys.argv) >= 3 and sys.argv[1] == "capture":
        capture(sys.argv[2], "--leaky" in sys.argv[3:])
    else:
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(2)
