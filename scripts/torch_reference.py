#!/usr/bin/env python3
"""Hold a gradlog run of examples/moons.grad or examples/digits.grad against PyTorch float64.

    python3 scripts/torch_reference.py DB RUN moons|digits

Rebuilds the example's network in PyTorch (float64, one thread) from the same data files and
the run's own initial parameters (read from the database), runs forward and backward, and
compares every named node's value and adjoint that both have. Prints one line per node and a
summary; exits 0 when every element agrees within rtol 1e-11 + atol 1e-13, 1 otherwise, and 2
on bad arguments. Needs numpy and torch (pip install torch==2.13.0+cpu numpy==2.4.6).
"""
import json
import os
import sqlite3
import sys

import numpy as np
import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples")
RTOL, ATOL = 1e-11, 1e-13


def tensor_of(db, run, name, column):
    row = db.execute(
        f"SELECT n.{column}, t.shape FROM nodes n LEFT JOIN tensor_stats t USING (run_id, id) "
        "WHERE n.run_id = ? AND n.name = ? ORDER BY n.id DESC LIMIT 1", (run, name)).fetchone()
    if row is None or row[0] is None:
        return None
    value, shape = row
    if isinstance(value, bytes):
        return np.frombuffer(value, "<f8").reshape(json.loads(shape))
    return np.array(float(value))


def csv_columns(path, names):
    table = np.genfromtxt(path, delimiter=",", names=True)
    return np.stack([table[n] for n in names], axis=1) if len(names) > 1 else table[names[0]]


def moons(db, run):
    X = torch.tensor(csv_columns(os.path.join(ROOT, "data/moons.csv"), ["x0", "x1"]))
    y = torch.tensor(csv_columns(os.path.join(ROOT, "data/moons.csv"), ["y"]))
    p = {k: torch.tensor(tensor_of(db, run, k, "value"), requires_grad=True) for k in ["W1", "b1", "W2", "b2", "W3", "b3"]}
    nodes = dict(p)
    nodes["h1"] = torch.relu(X @ p["W1"] + p["b1"])
    nodes["h2"] = torch.relu(nodes["h1"] @ p["W2"] + p["b2"])
    nodes["score"] = (nodes["h2"] @ p["W3"] + p["b3"]).reshape(-1)
    nodes["data_loss"] = torch.relu(1 - y * nodes["score"]).mean()
    nodes["reg_loss"] = 0.0001 * sum((p[k] * p[k]).sum() for k in ["W1", "b1", "W2", "b2", "W3", "b3"])
    nodes["loss"] = nodes["data_loss"] + nodes["reg_loss"]
    return nodes


def digits(db, run):
    pixels = torch.tensor(np.genfromtxt(os.path.join(ROOT, "data/digits_pixels.csv"), delimiter=",", skip_header=1))
    labels = torch.tensor(csv_columns(os.path.join(ROOT, "data/digits_labels.csv"), ["label"])).long()
    p = {k: torch.tensor(tensor_of(db, run, k, "value"), requires_grad=True) for k in ["W1", "b1", "W2", "b2"]}
    nodes = dict(p)
    nodes["x"] = pixels / 16
    nodes["h"] = torch.relu(nodes["x"] @ p["W1"] + p["b1"])
    nodes["logits"] = nodes["h"] @ p["W2"] + p["b2"]
    nodes["loss"] = torch.nn.functional.cross_entropy(nodes["logits"], labels)
    return nodes


def main():
    if len(sys.argv) != 4 or sys.argv[3] not in ("moons", "digits"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    torch.set_num_threads(1)
    db, run = sqlite3.connect(sys.argv[1]), int(sys.argv[2])
    nodes = (moons if sys.argv[3] == "moons" else digits)(db, run)
    for t in nodes.values():
        if t.requires_grad and not t.is_leaf:
            t.retain_grad()
    nodes["loss"].backward()
    failures = compared = 0
    for name, t in nodes.items():
        for column, reference in (("value", t.detach()), ("grad", t.grad)):
            if reference is None:
                continue
            stored = tensor_of(db, run, name, column)
            if stored is None:
                continue
            ref = reference.numpy()
            ok = stored.shape == ref.shape and np.allclose(stored, ref, rtol=RTOL, atol=ATOL)
            worst = float(np.max(np.abs(stored - ref))) if stored.shape == ref.shape else float("nan")
            print(f"{name:10} {column:5} {list(ref.shape)!s:12} max |gradlog - torch| = {worst:.3g}  {'ok' if ok else 'DIFFERENT'}")
            compared += 1
            failures += not ok
    print(f"{compared - failures} passed, {failures} failed")
    return 1 if failures or compared == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
