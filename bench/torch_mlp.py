#!/usr/bin/env python3
"""The PyTorch peer of issue 14's MLP step (bench/gen_mlp.py): the same graph, CPU, float64,
from the same safetensors file.

    python3 bench/torch_mlp.py DIR [--compute-reps 20] [--reps 5] [--threads 1 2] [--hooks-db FILE]

Prints, one a line:
  loss L, gradnorm G       the loss and the L2 norm of the six weight gradients together
  compute T S              forward + backward, best of --compute-reps in-process after one untimed step,
                           with torch.set_num_threads(T)
  hooks T S                one step recorded by hand, best of --reps, each into a fresh database:
                           from reading the safetensors file to the commit and close, every
                           intermediate's value saved as it is computed and its gradient by a
                           tensor hook during backward, one BLOB per tensor through sqlite3
                           (WAL, synchronous=NORMAL, one transaction)
  hooks_bytes N            the BLOB bytes that step writes (values and gradients, no local
                           derivatives: what a user keeps by hand)
  import S                 the time `import torch` took (outside every figure above)
"""
import argparse
import json
import math
import os
import sqlite3
import time

start_import = time.perf_counter()
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from safetensors.torch import load_file  # noqa: E402

IMPORT_SECONDS = time.perf_counter() - start_import
WEIGHTS = ["W1", "b1", "W2", "b2", "W3", "b3"]


def load(directory):
    t = load_file(os.path.join(directory, "mlp.safetensors"))
    params = {k: t[k].clone().requires_grad_(True) for k in WEIGHTS}
    return t["images"], t["labels"].long(), params


def step(X, labels, p, keep=lambda name, t: t):
    """The graph of mlp.grad; `keep` sees every tensor as it is computed."""
    h1 = keep("h1", torch.relu(keep("a1", keep("z1", X @ p["W1"]) + p["b1"])))
    h2 = keep("h2", torch.relu(keep("a2", keep("z2", h1 @ p["W2"]) + p["b2"])))
    logits = keep("logits", keep("z3", h2 @ p["W3"]) + p["b3"])
    loss = keep("loss", F.cross_entropy(logits, labels))
    loss.backward()
    return loss


def compute_seconds(X, labels, p, reps):
    best = math.inf
    for rep in range(reps + 1):
        for v in p.values():
            v.grad = None
        t0 = time.perf_counter()
        step(X, labels, p)
        dt = time.perf_counter() - t0
        if rep > 0:
            best = min(best, dt)
    return best


def recorded_step(directory, path):
    """One step saved by hand; returns the BLOB bytes written."""
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    written = 0
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE tensor (name TEXT, kind TEXT, shape TEXT, data BLOB)")
    db.execute("BEGIN")

    def save(name, kind, t):
        nonlocal written
        data = t.detach().numpy().tobytes()
        written += len(data)
        db.execute("INSERT INTO tensor VALUES (?, ?, ?, ?)", (name, kind, json.dumps(list(t.shape)), data))

    def keep(name, t):
        save(name, "value", t)
        if t.requires_grad:
            t.register_hook(lambda g: save(name, "grad", g))
        return t

    X, labels, p = load(directory)
    keep("images", X)
    keep("labels", labels.double())
    for name in WEIGHTS:
        keep(name, p[name])
    step(X, labels, p, keep)
    db.execute("COMMIT")
    db.close()
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    parser.add_argument("--compute-reps", type=int, default=20)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--hooks-db")
    a = parser.parse_args()
    X, labels, p = load(a.dir)
    loss = step(X, labels, p)
    norm = math.sqrt(sum(float((p[k].grad ** 2).sum()) for k in WEIGHTS))
    print(f"loss {loss.item()!r}\ngradnorm {norm!r}")
    for threads in a.threads:
        torch.set_num_threads(threads)
        print(f"compute {threads} {compute_seconds(X, labels, p, a.compute_reps):.6f}")
        if a.hooks_db:
            best, written = math.inf, 0
            for _ in range(a.reps):
                t0 = time.perf_counter()
                written = recorded_step(a.dir, a.hooks_db)
                best = min(best, time.perf_counter() - t0)
            print(f"hooks {threads} {best:.6f}")
    if a.hooks_db:
        print(f"hooks_bytes {written}")
    print(f"import {IMPORT_SECONDS:.3f}")


if __name__ == "__main__":
    main()
