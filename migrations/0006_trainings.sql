-- 0006_trainings: `gradlog train`, an experiment log of gradient-descent steps.
--
-- A training runs N steps of gradient descent on a program's inputs. Every step logs a few
-- numbers in the long-format metric table (MLflow's shape, with NaN and inf kept exact in
-- gradlog's float encoding; see 0001). The steps that matter (the first, every K-th, the
-- last, and one that went non-finite) are recorded whole as runs, tagged training=ID and
-- step=K, so that show, diff, query and graph work on them.

CREATE TABLE training (
    id INTEGER PRIMARY KEY,
    name TEXT,
    created_at TEXT NOT NULL,          -- ISO 8601, UTC
    program_path TEXT,
    program_sha256 TEXT NOT NULL,      -- hex SHA-256 of the program text (the runs hold the text)
    options TEXT NOT NULL,             -- JSON: steps, lr, lr_end, optimizer, capture_every
    seed INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'diverged')),
    steps_done INTEGER NOT NULL,       -- steps whose metrics are committed
    final_loss,                        -- the last committed step's loss (float)
    graph_id INTEGER REFERENCES graph (id)  -- the program's structure (node names), once a step is recorded
);

CREATE TABLE metric (
    training_id INTEGER NOT NULL REFERENCES training (id),
    name TEXT NOT NULL,
    step INTEGER NOT NULL,
    value,                             -- float, gradlog's encoding
    PRIMARY KEY (training_id, name, step)
) WITHOUT ROWID;

-- Every node's health at every step: the statistics of tensor_node (0005), for scalars too
-- (a scalar's are those of one element). This is what `train` keeps of the steps it does not
-- record whole.
CREATE TABLE training_node (
    training_id INTEGER NOT NULL REFERENCES training (id),
    node_id INTEGER NOT NULL,
    step INTEGER NOT NULL,
    numel INTEGER NOT NULL,
    value_nan INTEGER NOT NULL,
    value_pinf INTEGER NOT NULL,
    value_ninf INTEGER NOT NULL,
    value_zero INTEGER NOT NULL,
    value_min REAL,
    value_max REAL,
    value_mean REAL,
    value_norm REAL,
    grad_nan INTEGER,
    grad_pinf INTEGER,
    grad_ninf INTEGER,
    grad_zero INTEGER,
    grad_min REAL,
    grad_max REAL,
    grad_mean REAL,
    grad_norm REAL,
    PRIMARY KEY (training_id, node_id, step)
) WITHOUT ROWID;

-- Public view: a training's node statistics by step, with the node's name and op.
CREATE VIEW training_stats AS
SELECT n.training_id, n.step, n.node_id, s.name, o.name AS op, n.numel,
       n.value_nan, n.value_pinf, n.value_ninf, n.value_zero, n.value_min, n.value_max, n.value_mean, n.value_norm,
       n.grad_nan, n.grad_pinf, n.grad_ninf, n.grad_zero, n.grad_min, n.grad_max, n.grad_mean, n.grad_norm
FROM training_node n
JOIN training t ON t.id = n.training_id
LEFT JOIN graph g ON g.id = t.graph_id
LEFT JOIN run_node s ON s.run_id = g.structure_run_id AND s.id = n.node_id
LEFT JOIN op o ON o.code = s.op;

CREATE VIEW trainings AS
SELECT id, name, created_at, program_path, program_sha256, options, seed, status, steps_done, final_loss
FROM training;

CREATE VIEW metrics AS
SELECT training_id, step, name, value FROM metric;
