#!/usr/bin/env python3
"""Generate the issue-5 benchmark program: a .grad chain of N nodes, one node per statement.

    input x = 0.5
    input y = -0.3
    v{i} = v{i-1} * v{i/2}     if (i - 2) % 3 == 0
    v{i} = v{i-1} + v{i/2}     if (i - 2) % 3 == 1
    v{i} = tanh(v{i-1})        if (i - 2) % 3 == 2      for i = 2 ... N-1

Integer division; node 0 is named x and node 1 is named y. The output is the last node.

    python3 bench/gen_chain.py N [OUT]        (OUT defaults to stdout)
"""
import sys


def name(i: int) -> str:
    return "x" if i == 0 else "y" if i == 1 else f"v{i}"


def lines(n: int):
    yield "input x = 0.5\n"
    yield "input y = -0.3\n"
    for i in range(2, n):
        k = (i - 2) % 3
        if k == 0:
            yield f"v{i} = {name(i - 1)} * {name(i // 2)}\n"
        elif k == 1:
            yield f"v{i} = {name(i - 1)} + {name(i // 2)}\n"
        else:
            yield f"v{i} = tanh({name(i - 1)})\n"


def main() -> None:
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: gen_chain.py N [OUT]")
    n = int(sys.argv[1])
    if n < 3:
        sys.exit("N must be at least 3")
    out = open(sys.argv[2], "w") if len(sys.argv) == 3 else sys.stdout
    out.writelines(lines(n))
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
