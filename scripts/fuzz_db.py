#!/usr/bin/env python3
"""Mutates a valid gradlog database and runs the reading commands on each mutant.

    scripts/fuzz_db.py --gradlog BIN --seed-db FILE --cases N [--jobs J] [--timeout S] [--crashes DIR]

Used by scripts/fuzz-db.sh, which builds gradlog and records the seed database. A mutant is the
seed with one or two changes: random bytes overwritten anywhere in the file, one column of one
row set to a hostile value (huge, negative, Int64 min/max, NaN text, a blob, NULL, ...), a row
deleted, a schema object added or changed, or the file truncated. Every command in COMMANDS runs
on every mutant, so a case is one command on one mutant. A case fails when gradlog ends by a
signal, exits other than 0, 1 or 2, prints a backtrace, runs past the time limit, or when a
reading command changes the file. Failing mutants are saved to the crashes folder.
"""

import argparse
import hashlib
import multiprocessing
import os
import random
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time

# Run 1: the seed program; 2: the same with other inputs; 3: another program (diff by name);
# 4: a program text over 64 KiB (stored compressed); 5..: a sweep. Reading commands first.
READING = [
    ["runs"],
    ["runs", "--format", "json"],
    ["show", "1"],
    ["show", "latest", "--format", "json"],
    ["diff", "1", "2"],
    ["diff", "1", "3", "--format", "json"],
    ["graph", "1"],
    ["graph", "1", "--diff", "3"],
    ["query", "node", "--param", "name=f", "--param", "run=1"],
    ["query", "run-health"],
    ["plot", "latest"],
]
WRITING = [
    ["gradcheck", "1"],
    ["gradcheck", "4"],
]
COMMANDS = READING + WRITING

BACKTRACE_MARKS = ("Fatal error", "Stack dump", "Crash", "Backtrac", "Signal ", "Segmentation fault")

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
HOSTILE = [
    0, 1, -1, 2, -5, 21, 22, 23, 255, 256, 1000, 2**31 - 1, 2**31, -(2**31), 2**32, 4 * 10**12,
    INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1,
    0.5, -0.0, 1e308, -1e308, float("inf"), float("-inf"), 4e12, 5e-324,
    "NaN", "-NaN", "NaN(0x7ff8000000000001)", "nan", "", "abc", "21", "1e3", "\x1b[31mred", "x" * 5000,
    b"", b"\x00", b"\x00" * 8, bytes(range(256)), struct.pack("<d", 1.5),
    None,
]

# Tables, their key columns and the columns a mutation may change.
TABLES = {
    "run_node": (["run_id", "id"], ["run_id", "id", "value", "grad", "d0", "d1", "name", "op", "in0_back", "in1_back", "line_offset"]),
    "graph": (["id"], ["id", "program", "program_deflate", "program_bytes", "program_sha256", "node_count", "output_id", "structure_run_id"]),
    "graph_input": (["graph_id", "position"], ["graph_id", "position", "name", "node_id"]),
    "run": (["id"], ["id", "name", "created_at", "status", "graph_id", "program_path", "tool_version", "sqlite_version"]),
    "run_tag": (["run_id", "key"], ["run_id", "key", "value"]),
    "gradcheck": (["run_id", "eps", "atol", "rtol", "node_id"], ["run_id", "node_id", "input", "analytic", "numeric", "passed", "eps"]),
    "op": (["code"], ["code", "name", "arity", "fixed_d0", "fixed_d1"]),
    "gradlog_migration": (["version"], ["version", "name", "sha256"]),
    "sqlite_stat1": (["tbl", "idx"], ["tbl", "idx", "stat"]),
}

SCHEMA_CHANGES = [
    "CREATE TRIGGER t AFTER INSERT ON gradcheck BEGIN UPDATE run_node SET value = 42; END",
    "CREATE TRIGGER t2 BEFORE DELETE ON gradcheck BEGIN SELECT 1; END",
    "CREATE INDEX extra ON run_node (name)",
    "CREATE TABLE extra (x)",
    "CREATE VIEW extra AS SELECT 1",
    "DROP VIEW runs; CREATE VIEW runs AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
    "SELECT x AS id, 1 AS name, 1 AS created_at, 1 AS status, 1 AS node_count, 1 AS output_id, 1 AS output_name, "
    "1 AS output_value, 1 AS program_path, 1 AS program, 1 AS program_bytes, 1 AS program_sha256, 1 AS tool_version, "
    "1 AS sqlite_version FROM c",
    "DROP VIEW nodes; CREATE VIEW nodes AS SELECT * FROM run_node",
    "DROP VIEW graph_node",
    "DROP INDEX run_by_name",
    "DROP INDEX run_by_name; CREATE INDEX run_by_name ON run (name DESC)",
    "ALTER TABLE run ADD COLUMN extra",
    "DROP TABLE gradcheck",
    "DROP TABLE sqlite_stat1",
    "ANALYZE",
]


def mutate_bytes(path, rng):
    with open(path, "r+b") as f:
        data = bytearray(f.read())
        for _ in range(rng.choice([1, 1, 1, 2, 4, 8, 16])):
            at = rng.randrange(len(data)) if rng.random() < 0.9 else rng.randrange(100)
            data[at] = rng.randrange(256) if rng.random() < 0.7 else data[at] ^ (1 << rng.randrange(8))
        f.seek(0)
        f.write(data)
    return "bytes"


def mutate_row(path, rng):
    db = sqlite3.connect(path)
    db.text_factory = bytes
    try:
        db.execute("PRAGMA ignore_check_constraints = ON")
        table = rng.choice(list(TABLES))
        keys, columns = TABLES[table]
        rows = db.execute(f"SELECT {', '.join(keys)} FROM {table}").fetchall()
        if not rows:
            return "none"
        row = rng.choice(rows)
        where = " AND ".join(f"{k} IS ?" for k in keys)
        if rng.random() < 0.15:
            db.execute(f"DELETE FROM {table} WHERE {where}", row)
            what = f"delete {table}"
        else:
            column = rng.choice(columns)
            value = rng.choice(HOSTILE)
            try:
                db.execute(f"UPDATE {table} SET {column} = ? WHERE {where}", (value, *row))
            except sqlite3.Error:
                return "none"
            what = f"{table}.{column}={value!r:.30}"
        db.commit()
        return what
    finally:
        db.close()


def mutate_schema(path, rng):
    db = sqlite3.connect(path)
    try:
        sql = rng.choice(SCHEMA_CHANGES)
        try:
            db.executescript(sql)
        except sqlite3.Error:
            return "none"
        return "schema"
    finally:
        db.close()


def mutate_truncate(path, rng):
    size = os.path.getsize(path)
    keep = rng.randrange(size) if rng.random() < 0.5 else rng.randrange(1, max(2, size // 4096)) * 4096
    os.truncate(path, keep)
    return "truncate"


def mutate(path, rng):
    kinds = []
    for _ in range(1 if rng.random() < 0.8 else 2):
        r = rng.random()
        kind = mutate_bytes if r < 0.45 else mutate_row if r < 0.90 else mutate_schema if r < 0.97 else mutate_truncate
        try:
            kinds.append(kind(path, rng))
        except (sqlite3.Error, ValueError):  # an earlier mutation broke the file for Python too
            kinds.append("none")
    return "+".join(kinds)


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def run_mutant(job):
    """Makes mutant `index` and runs every command on it; returns (index, statuses, messages, failure)."""
    index, options = job
    rng = random.Random(options.seed * 1_000_003 + index)
    work = tempfile.mkdtemp(prefix="gradlog-fuzz-db-")
    try:
        mutant = os.path.join(work, "m.db")
        shutil.copyfile(options.seed_db, mutant)
        what = mutate(mutant, rng)
        original = os.path.join(work, "original")
        shutil.copyfile(mutant, original)
        before = digest(mutant)
        statuses = []
        messages = []
        for command in COMMANDS:
            args = [options.gradlog] + command + ["--db", mutant]
            try:
                result = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        timeout=options.timeout, cwd=work)
            except subprocess.TimeoutExpired:
                return index, statuses, messages, (what, command, f"still running after {options.timeout} s", original)
            stderr = result.stderr.decode("utf-8", "replace")
            status = result.returncode
            statuses.append(status)
            if status < 0 or status not in (0, 1, 2) or any(mark in stderr for mark in BACKTRACE_MARKS):
                return index, statuses, messages, (what, command, f"exit {status}: {stderr[-2000:]}", original)
            if options.messages and status == 2:
                messages.append(stderr.splitlines()[0] if stderr else "(no message)")
            if command in READING and digest(mutant) != before:
                return index, statuses, messages, (what, command, "a reading command changed the file", original)
        return index, statuses, messages, None
    finally:
        if not options.keep:
            shutil.rmtree(work, ignore_errors=True)


def save(failure, index, options):
    what, command, detail, original = failure
    os.makedirs(options.crashes, exist_ok=True)
    name = digest(original)[:16]
    shutil.copyfile(original, os.path.join(options.crashes, name + ".sqlite"))
    with open(os.path.join(options.crashes, name + ".txt"), "w") as f:
        f.write(f"mutant {index} (seed {options.seed}): {what}\ngradlog {' '.join(command)} --db FILE\n{detail}\n")
    return name


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gradlog", required=True)
    parser.add_argument("--seed-db", required=True)
    parser.add_argument("--cases", type=int, required=True, help="command runs in all (mutants x commands)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--timeout", type=float, default=10)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--crashes", default="Tests/Fuzz/db-crashes")
    parser.add_argument("--keep", action="store_true", help="keep each mutant's folder")
    parser.add_argument("--messages", action="store_true", help="print how often each error message came")
    options = parser.parse_args()
    options.gradlog = os.path.abspath(options.gradlog)

    mutants = max(1, -(-options.cases // len(COMMANDS)))
    start = time.time()
    counts = {}
    errors = {}
    failures = []
    cases = 0
    with multiprocessing.Pool(options.jobs) as pool:
        for index, statuses, messages, failure in pool.imap_unordered(run_mutant, ((i, options) for i in range(mutants)), chunksize=4):
            cases += len(statuses) + (1 if failure and failure[2].startswith("still running") else 0)
            for status in statuses:
                counts[status] = counts.get(status, 0) + 1
            for message in messages:
                # The same message for another run, node or value counts once.
                key = re.sub(r"[0-9]+", "N", re.sub(r"/\S*/m\.db", "FILE", message))[:160]
                errors[key] = errors.get(key, 0) + 1
            if failure:
                name = save(failure, index, options)
                failures.append(name)
                print(f"fuzz-db: FAILURE in mutant {index} ({failure[0]}): gradlog {' '.join(failure[1])}: "
                      f"{failure[2][:300]} -> {options.crashes}/{name}.sqlite", file=sys.stderr)
    elapsed = time.time() - start
    exits = ", ".join(f"exit {k}: {v}" for k, v in sorted(counts.items()))
    verdict = f"FAILED, {len(failures)} failing mutants saved to {options.crashes}/" if failures else "OK"
    print(f"fuzz-db: {verdict}, {cases} cases ({mutants} mutants x {len(COMMANDS)} commands, seed {options.seed}) "
          f"in {elapsed:.0f} s ({cases / max(elapsed, 1e-9):.0f} cases/s); {exits}")
    for message, count in sorted(errors.items(), key=lambda item: -item[1]):
        print(f"{count:8d}  {message}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
