-- 0001_initial: the first gradlog schema.
--
-- Physical tables are singular (run, run_node, graph, graph_input, op, run_tag); the public,
-- documented relations are the plural views (runs, nodes, edges, inputs, tags). Scripts should
-- read the views: the tables may change shape between versions, the views keep their columns.
--
-- A program's structure (names, ops, wiring, lines) is stored once, on the node rows of the
-- first run of that program text, and shared by every later run of it (graph_node view).
--
-- Float columns (value, grad, d0, d1) are declared without a type so that SQLite keeps each
-- double exactly as bound: a finite double, +-inf and -0.0 are stored as REAL, bit for bit.
-- SQLite cannot store NaN as REAL (it would become NULL), so a NaN is stored as TEXT:
-- 'NaN' (bits 7ff8000000000000), '-NaN' (fff8000000000000), or 'NaN(0x<16 hex digits>)'
-- for any other payload. NULL always means "no value". See docs/schema.md.

PRAGMA application_id = 1196575815;  -- 'GRLG': marks the file as a gradlog database

-- The op table: code (as stored in graph_node.op) -> name, arity, and the local derivatives
-- of ops whose derivatives are constants (run_node leaves those NULL).
CREATE TABLE op (
    code INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    arity INTEGER NOT NULL,
    fixed_d0 REAL,
    fixed_d1 REAL
);
INSERT INTO op (code, name, arity, fixed_d0, fixed_d1) VALUES
    (0, 'input', 0, NULL, NULL),
    (1, 'const', 0, NULL, NULL),
    (2, 'add', 2, 1.0, 1.0),
    (3, 'sub', 2, 1.0, -1.0),
    (4, 'mul', 2, NULL, NULL),
    (5, 'div', 2, NULL, NULL),
    (6, 'neg', 1, -1.0, NULL),
    (7, 'pow', 2, NULL, NULL),
    (8, 'powc', 2, NULL, NULL),
    (9, 'exp', 1, NULL, NULL),
    (10, 'log', 1, NULL, NULL),
    (11, 'sqrt', 1, NULL, NULL),
    (12, 'sin', 1, NULL, NULL),
    (13, 'cos', 1, NULL, NULL),
    (14, 'tan', 1, NULL, NULL),
    (15, 'tanh', 1, NULL, NULL),
    (16, 'sigmoid', 1, NULL, NULL),
    (17, 'relu', 1, NULL, NULL),
    (18, 'abs', 1, NULL, NULL),
    (19, 'max', 2, NULL, NULL),
    (20, 'min', 2, NULL, NULL);

-- One row per distinct program (by the SHA-256 of its text). Every run of the same text shares
-- its structure, which is stored once: in the node rows of the graph's first run
-- (structure_run_id), read through the graph_node view.
CREATE TABLE graph (
    id INTEGER PRIMARY KEY,
    program TEXT,                  -- the program text, when it is at most 64 KiB
    program_deflate BLOB,          -- a larger text, zlib-compressed (sqlar_uncompress in the sqlite3 shell)
    program_bytes INTEGER,         -- length of the text in bytes; NULL for computations built in Swift
    program_sha256 TEXT UNIQUE,    -- hex SHA-256 of the text; NULL for computations built in Swift
    node_count INTEGER NOT NULL,
    output_id INTEGER NOT NULL,
    structure_run_id INTEGER NOT NULL  -- the run whose run_node rows carry the structure columns
);

-- A graph's inputs in declaration order (a few rows per program), so that finding them needs
-- no scan of the structure.
CREATE TABLE graph_input (
    graph_id INTEGER NOT NULL REFERENCES graph (id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    node_id INTEGER NOT NULL,
    PRIMARY KEY (graph_id, position)
) WITHOUT ROWID;

CREATE TABLE run (
    id INTEGER PRIMARY KEY,
    name TEXT,
    created_at TEXT NOT NULL,      -- ISO 8601, UTC
    status TEXT NOT NULL CHECK (status IN ('recording', 'complete')),
    graph_id INTEGER NOT NULL REFERENCES graph (id),
    program_path TEXT,
    tool_version TEXT NOT NULL,
    sqlite_version TEXT NOT NULL
);
CREATE INDEX run_by_name ON run (name);
CREATE INDEX run_by_graph ON run (graph_id);

-- A run's nodes, one row each. The numbers are on every run's rows; the structure columns
-- (name .. line_offset) only on the rows of the graph's structure run, NULL elsewhere. Inputs
-- and lines are stored as offsets from the node id (input id = id - in0_back, line = id -
-- line_offset), which keeps the common "previous node" and "one node a line" cases to a byte.
CREATE TABLE run_node (
    run_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    value,                         -- forward value
    grad,                          -- adjoint: d(output)/d(node)
    d0,                            -- local derivative d(node)/d(input 0); NULL if fixed by op
    d1,                            -- local derivative d(node)/d(input 1); NULL if fixed by op
    name TEXT,
    op INTEGER,
    in0_back INTEGER,
    in1_back INTEGER,
    line_offset INTEGER,
    PRIMARY KEY (run_id, id)
) WITHOUT ROWID;

-- Each graph's nodes: the structure columns of its structure run, with lines restored.
CREATE VIEW graph_node AS
SELECT g.id AS graph_id, s.id, s.name, s.op, s.in0_back, s.in1_back, s.id - s.line_offset AS line
FROM graph g
JOIN run_node s ON s.run_id = g.structure_run_id;

CREATE TABLE run_tag (
    run_id INTEGER NOT NULL REFERENCES run (id),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
) WITHOUT ROWID;

-- Public views ------------------------------------------------------------------------------

CREATE VIEW runs AS
SELECT r.id, r.name, r.created_at, r.status,
       g.node_count, g.output_id, s.name AS output_name, v.value AS output_value,
       r.program_path, g.program, g.program_bytes, g.program_sha256, r.tool_version, r.sqlite_version
FROM run r
JOIN graph g ON g.id = r.graph_id
LEFT JOIN run_node s ON s.run_id = g.structure_run_id AND s.id = g.output_id
LEFT JOIN run_node v ON v.run_id = r.id AND v.id = g.output_id;

CREATE VIEW nodes AS
SELECT v.run_id, v.id, s.name, o.name AS op, v.value, v.grad, s.id - s.line_offset AS line
FROM run r
JOIN graph g ON g.id = r.graph_id
JOIN run_node v ON v.run_id = r.id
JOIN run_node s ON s.run_id = g.structure_run_id AND s.id = v.id
JOIN op o ON o.code = s.op;

CREATE VIEW edges AS
SELECT v.run_id, v.id AS node_id, 0 AS slot, v.id - s.in0_back AS input_id,
       coalesce(v.d0, o.fixed_d0) AS local_grad
FROM run r
JOIN graph g ON g.id = r.graph_id
JOIN run_node v ON v.run_id = r.id
JOIN run_node s ON s.run_id = g.structure_run_id AND s.id = v.id
JOIN op o ON o.code = s.op
WHERE s.in0_back IS NOT NULL
UNION ALL
SELECT v.run_id, v.id AS node_id, 1 AS slot, v.id - s.in1_back AS input_id,
       coalesce(v.d1, o.fixed_d1) AS local_grad
FROM run r
JOIN graph g ON g.id = r.graph_id
JOIN run_node v ON v.run_id = r.id
JOIN run_node s ON s.run_id = g.structure_run_id AND s.id = v.id
JOIN op o ON o.code = s.op
WHERE s.in1_back IS NOT NULL;

-- CROSS JOIN fixes the order: the run, its graph's few inputs, then one key lookup each
-- (left to itself the planner may read every node of the run and match it against the inputs).
CREATE VIEW inputs AS
SELECT r.id AS run_id, i.name, v.value, v.grad, v.id AS node_id
FROM run r
CROSS JOIN graph_input i ON i.graph_id = r.graph_id
CROSS JOIN run_node v ON v.run_id = r.id AND v.id = i.node_id;

CREATE VIEW tags AS
SELECT run_id, key, value FROM run_tag;
