#!/usr/bin/env python3
"""The peer for issue 5: the benchmark chain through micrograd, then Python's sqlite3.

What a person would do without gradlog: build the graph with micrograd's Value, call
backward(), then write one row per node — (run, id, name, op, value, adjoint, input0, input1,
d0, d1), the same table as limit.c — with executemany in one transaction (WAL,
synchronous=NORMAL).

    pip install micrograd
    python3 bench/peer_micrograd.py N DB [--y Y] [--topo recursive|iterative]

micrograd 0.1.0 from PyPI has no tanh (only the lecture version does), so tanh is added
here the way the lecture writes it: t = math.tanh(x), backward adds (1 - t**2) * out.grad.

micrograd's Value.backward() sorts the graph with a recursive DFS whose depth is the length
of the chain (~N here), so it dies with RecursionError past ~1000-2000 nodes. Two ways round:
  --topo recursive (default): keep micrograd's own backward(); raise sys.setrecursionlimit
      and run it in a thread with a big stack (threading.stack_size) so the C stack holds.
  --topo iterative: replace backward() by the same post-order DFS written with an explicit
      stack (same order, same arithmetic).
Local derivatives are not kept by micrograd; they are recomputed from the operands when the
rows are written (mul: the other operand, add: 1, tanh: 1 - t*t).
"""
import argparse
import math
import sqlite3
import sys
import threading

from micrograd.engine import Value

MUL, ADD, TANH, INPUT = 4, 2, 15, 0  # gradlog's op codes


def tanh(self):
    t = math.tanh(self.data)
    out = Value(t, (self,), "tanh")

    def _backward():
        self.grad += (1 - t**2) * out.grad

    out._backward = _backward
    return out


Value.tanh = tanh


def backward_iterative(self):
    """micrograd's backward() with the recursive build_topo turned into an explicit stack."""
    topo, visited = [], set()
    stack = [(self, False)]
    while stack:
        v, expanded = stack.pop()
        if expanded:
            topo.append(v)
            continue
        if v in visited:
            continue
        visited.add(v)
        stack.append((v, True))
        for child in reversed(list(v._prev)):
            if child not in visited:
                stack.append((child, False))
    self.grad = 1
    for v in reversed(topo):
        v._backward()


def build(n, y):
    nodes = [Value(0.5), Value(y)]
    names = ["x", "y"]
    ops = [INPUT, INPUT]
    ins = [(None, None), (None, None)]
    for i in range(2, n):
        a, b = nodes[i - 1], nodes[i // 2]
        k = (i - 2) % 3
        if k == 0:
            nodes.append(a * b); ops.append(MUL); ins.append((i - 1, i // 2))
        elif k == 1:
            nodes.append(a + b); ops.append(ADD); ins.append((i - 1, i // 2))
        else:
            nodes.append(a.tanh()); ops.append(TANH); ins.append((i - 1, None))
        names.append(f"v{i}")
    return nodes, names, ops, ins


def rows(run, nodes, names, ops, ins):
    for i, v in enumerate(nodes):
        op = ops[i]
        i0, i1 = ins[i]
        if op == MUL:
            d0, d1 = nodes[i1].data, nodes[i0].data
        elif op == ADD:
            d0, d1 = 1.0, 1.0
        elif op == TANH:
            d0, d1 = 1 - v.data * v.data, None
        else:
            d0 = d1 = None
        yield (run, i, names[i], op, v.data, float(v.grad), i0, i1, d0, d1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("n", type=int)
    p.add_argument("db")
    p.add_argument("--y", type=float, default=-0.3)
    p.add_argument("--topo", choices=["recursive", "iterative"], default="recursive")
    args = p.parse_args()

    nodes, names, ops, ins = build(args.n, args.y)
    out = nodes[-1]
    if args.topo == "iterative":
        backward_iterative(out)
    else:
        sys.setrecursionlimit(max(10_000, 2 * args.n + 1000))
        threading.stack_size(512 * 1024 * 1024)  # micrograd's DFS recurses ~N deep
        error = []

        def work():
            try:
                out.backward()
            except BaseException as e:  # noqa: BLE001 - report it from the main thread
                error.append(e)

        t = threading.Thread(target=work)
        t.start()
        t.join()
        if error:
            raise error[0]

    db = sqlite3.connect(args.db, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(
        "CREATE TABLE IF NOT EXISTS node ("
        " run INTEGER NOT NULL, id INTEGER NOT NULL, name TEXT, op INTEGER NOT NULL,"
        " value, adjoint, input0 INTEGER, input1 INTEGER, d0, d1,"
        " PRIMARY KEY (run, id)) WITHOUT ROWID"
    )
    db.execute("BEGIN IMMEDIATE")
    run = db.execute("SELECT coalesce(max(run), 0) + 1 FROM node").fetchone()[0]
    db.executemany("INSERT INTO node VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows(run, nodes, names, ops, ins))
    db.execute("COMMIT")
    db.close()
    print(f"run {run}: {args.n} nodes, output v{args.n - 1} = {out.data!r}, "
          f"x.grad = {float(nodes[0].grad)!r}, y.grad = {float(nodes[1].grad)!r}")


if __name__ == "__main__":
    main()
