-- 0001_initial: the first gradlog schema.
--
-- Physical tables are singular (run, run_node, graph, graph_node, op, run_tag); the public,
-- documented relations are the plural views (runs, nodes, edges, inputs, tags). Scripts should
-- read the views: the tables may change shape between versions, the views keep their columns.
--
-- A program's structure (names, ops, wiring, lines) is stored once in graph/graph_node and
-- shared by every run of the same program text; a run stores only its numbers in run_node.
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

-- One row per distinct program structure.
CREATE TABLE graph (
    id INTEGER PRIMARY KEY,
    program TEXT,                  -- the program text; NULL for computations built in Swift
    program_sha256 TEXT UNIQUE,    -- hex SHA-256 of program; NULL when program is NULL
    node_count INTEGER NOT NULL,
    output_id INTEGER NOT NULL
);

-- A program's nodes in evaluation (topological) order. Inputs are stored as distances back
-- (input id = id - in0_back), which keeps the common "previous node" reference to 0 bytes.
CREATE TABLE graph_node (
    graph_id INTEGER NOT NULL REFERENCES graph (id),
    id INTEGER NOT NULL,
    name TEXT,
    op INTEGER NOT NULL REFERENCES op (code),
    in0_back INTEGER,
    in1_back INTEGER,
    line INTEGER NOT NULL,
    PRIMARY KEY (graph_id, id)
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

-- A run's numbers, one row per node.
CREATE TABLE run_node (
    run_id INTEGER NOT NULL REFERENCES run (id),
    id INTEGER NOT NULL,
    value,                         -- forward value
    grad,                          -- adjoint: d(output)/d(node)
    d0,                            -- local derivative d(node)/d(input 0); NULL if fixed by op
    d1,                            -- local derivative d(node)/d(input 1); NULL if fixed by op
    PRIMARY KEY (run_id, id)
) WITHOUT ROWID;

CREATE TABLE run_tag (
    run_id INTEGER NOT NULL REFERENCES run (id),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
) WITHOUT ROWID;

-- Public views ------------------------------------------------------------------------------

CREATE VIEW runs AS
SELECT r.id, r.name, r.created_at, r.status,
       g.node_count, g.output_id, gn.name AS output_name, rn.value AS output_value,
       r.program_path, g.program, g.program_sha256, r.tool_version, r.sqlite_version
FROM run r
JOIN graph g ON g.id = r.graph_id
LEFT JOIN graph_node gn ON gn.graph_id = g.id AND gn.id = g.output_id
LEFT JOIN run_node rn ON rn.run_id = r.id AND rn.id = g.output_id;

CREATE VIEW nodes AS
SELECT v.run_id, v.id, g.name, o.name AS op, v.value, v.grad, g.line
FROM run r
JOIN run_node v ON v.run_id = r.id
JOIN graph_node g ON g.graph_id = r.graph_id AND g.id = v.id
JOIN op o ON o.code = g.op;

CREATE VIEW edges AS
SELECT v.run_id, v.id AS node_id, 0 AS slot, v.id - g.in0_back AS input_id,
       coalesce(v.d0, o.fixed_d0) AS local_grad
FROM run r
JOIN run_node v ON v.run_id = r.id
JOIN graph_node g ON g.graph_id = r.graph_id AND g.id = v.id
JOIN op o ON o.code = g.op
WHERE g.in0_back IS NOT NULL
UNION ALL
SELECT v.run_id, v.id AS node_id, 1 AS slot, v.id - g.in1_back AS input_id,
       coalesce(v.d1, o.fixed_d1) AS local_grad
FROM run r
JOIN run_node v ON v.run_id = r.id
JOIN graph_node g ON g.graph_id = r.graph_id AND g.id = v.id
JOIN op o ON o.code = g.op
WHERE g.in1_back IS NOT NULL;

CREATE VIEW inputs AS
SELECT v.run_id, g.name, v.value, v.grad, v.id AS node_id
FROM run r
JOIN graph_node g ON g.graph_id = r.graph_id AND g.op = 0
JOIN run_node v ON v.run_id = r.id AND v.id = g.id;

CREATE VIEW tags AS
SELECT run_id, key, value FROM run_tag;
