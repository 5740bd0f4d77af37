-- 0005_tensors: tensor-valued nodes.
--
-- A node's value may be a tensor (an n-dimensional array). A scalar (rank 0) is stored exactly
-- as before: REAL, or TEXT for NaN (see 0001). A tensor of rank 1 or more is a BLOB of
-- little-endian IEEE doubles in row-major order, bit-exact by construction (NaN payloads and
-- -0.0 included), in the same columns: run_node.value, grad, d0, d1. Its shape and the
-- statistics of its value and adjoint are in tensor_node, readable by any SQLite client
-- without decoding a BLOB. In Python: numpy.frombuffer(blob, '<f8').reshape(shape).
--
-- What d0/d1 hold depends on the op (op.stores): 'local_grad' ops (elementwise) store the local
-- derivative d(node)/d(input), element by element in the node's shape (before the broadcast
-- reduction); 'contribution' ops (matmul, reductions, reshape, softmax, cross_entropy) never
-- form their Jacobian and store instead the contribution the backward pass added to the
-- input's adjoint, in the input's shape. Either way, the sum of a node's consumers'
-- contributions is its adjoint.

INSERT INTO op (code, name, arity, fixed_d0, fixed_d1) VALUES
    (21, 'data', 0, NULL, NULL),
    (22, 'identity', 1, 1.0, NULL),
    (23, 'matmul', 2, NULL, NULL),
    (24, 'sum', 1, NULL, NULL),
    (25, 'mean', 1, NULL, NULL),
    (26, 'transpose', 1, NULL, NULL),
    (27, 'reshape', 1, NULL, NULL),
    (28, 'softmax', 1, NULL, NULL),
    (29, 'log_softmax', 1, NULL, NULL),
    (30, 'logsumexp', 1, NULL, NULL),
    (31, 'cross_entropy', 2, NULL, NULL),
    (32, 'gt', 2, 0.0, 0.0),
    (33, 'lt', 2, 0.0, 0.0),
    (34, 'ge', 2, 0.0, 0.0),
    (35, 'le', 2, 0.0, 0.0),
    (36, 'eq', 2, 0.0, 0.0),
    (37, 'external', 0, NULL, NULL);  -- a tensor imported from another framework (gradlog import)

-- What run_node.d0/d1 hold for a node of this op: 'local_grad' or 'contribution' (see above).
ALTER TABLE op ADD COLUMN stores TEXT NOT NULL DEFAULT 'local_grad';
UPDATE op SET stores = 'contribution'
WHERE name IN ('matmul', 'sum', 'mean', 'transpose', 'reshape', 'softmax', 'log_softmax', 'logsumexp', 'cross_entropy');

-- The seed random initialisers drew from, and what was kept: 'full' (values, adjoints, local
-- derivatives and contributions), 'values' (values and adjoints), 'stats' (tensors' statistics
-- only; scalars keep their value and adjoint). NULL on runs recorded before this migration,
-- which were all 'full'.
ALTER TABLE run ADD COLUMN seed INTEGER;
ALTER TABLE run ADD COLUMN capture TEXT;

-- The axis of a reduction or softmax node (part of a program's structure, stored once per
-- graph, for the few nodes that have one).
CREATE TABLE node_axis (
    graph_id INTEGER NOT NULL REFERENCES graph (id),
    node_id INTEGER NOT NULL,
    axis INTEGER NOT NULL,
    PRIMARY KEY (graph_id, node_id)
) WITHOUT ROWID;

-- One row per tensor node (rank 1 or more) per run: its shape and the statistics of its value
-- and of its adjoint, computed at record time (TF Debugger V2's FULL_HEALTH counts, and the
-- min/max/mean/L2 norm of the finite elements). min, max, mean and norm are NULL when no
-- element is finite; every grad_ column is NULL when the node has no adjoint (data).
CREATE TABLE tensor_node (
    run_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    shape TEXT NOT NULL,           -- JSON array of dimensions: '[100, 16]'
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
    PRIMARY KEY (run_id, id)
) WITHOUT ROWID;

-- Public view: every tensor node of every run with its name, op, shape and statistics.
CREATE VIEW tensor_stats AS
SELECT t.run_id, t.id, s.name, o.name AS op, t.shape, t.numel,
       t.value_nan, t.value_pinf, t.value_ninf, t.value_zero,
       t.value_min, t.value_max, t.value_mean, t.value_norm,
       t.grad_nan, t.grad_pinf, t.grad_ninf, t.grad_zero,
       t.grad_min, t.grad_max, t.grad_mean, t.grad_norm
FROM tensor_node t
JOIN run r ON r.id = t.run_id
JOIN graph g ON g.id = r.graph_id
JOIN run_node s ON s.run_id = g.structure_run_id AND s.id = t.id
JOIN op o ON o.code = s.op;

-- run_health and node_details learn tensors: a tensor's NaN and inf elements count, and its
-- kind is 'tensor' (its statistics say more).
DROP VIEW run_health;
CREATE VIEW run_health AS
SELECT r.id AS run_id,
       (SELECT count(*) FROM run_node v WHERE v.run_id = r.id) AS node_count,
       (SELECT total(typeof(v.value) = 'text') FROM run_node v WHERE v.run_id = r.id)
         + (SELECT total(t.value_nan) FROM tensor_node t WHERE t.run_id = r.id) AS nan_values,
       (SELECT total(v.value IN (9e999, -9e999)) FROM run_node v WHERE v.run_id = r.id)
         + (SELECT total(t.value_pinf + t.value_ninf) FROM tensor_node t WHERE t.run_id = r.id) AS inf_values,
       (SELECT total(typeof(v.grad) = 'text') FROM run_node v WHERE v.run_id = r.id)
         + (SELECT total(t.grad_nan) FROM tensor_node t WHERE t.run_id = r.id) AS nan_grads,
       (SELECT total(v.grad IN (9e999, -9e999)) FROM run_node v WHERE v.run_id = r.id)
         + (SELECT total(t.grad_pinf + t.grad_ninf) FROM tensor_node t WHERE t.run_id = r.id) AS inf_grads,
       nullif(max(coalesce((SELECT max(CASE WHEN typeof(v.grad) IN ('real', 'integer') AND abs(v.grad) < 9e999 THEN abs(v.grad) END)
                     FROM run_node v WHERE v.run_id = r.id), -1),
           coalesce((SELECT max(max(abs(t.grad_min), abs(t.grad_max))) FROM tensor_node t WHERE t.run_id = r.id), -1)), -1)
         AS max_abs_grad,
       f.id AS first_nonfinite_id,
       s.name AS first_nonfinite_name
FROM run r
JOIN graph g ON g.id = r.graph_id
LEFT JOIN run_node f ON f.run_id = r.id AND f.id = (
    SELECT min(id) FROM (
        SELECT min(v.id) AS id FROM run_node v
        WHERE v.run_id = r.id AND (typeof(v.value) = 'text' OR (typeof(v.value) = 'real' AND abs(v.value) >= 9e999))
        UNION ALL
        SELECT min(t.id) FROM tensor_node t
        WHERE t.run_id = r.id AND t.value_nan + t.value_pinf + t.value_ninf > 0))
LEFT JOIN run_node s ON s.run_id = g.structure_run_id AND s.id = f.id;

DROP VIEW node_details;
CREATE VIEW node_details AS
SELECT v.run_id, v.id, s.name, o.name AS op, s.id - s.line_offset AS line,
       v.value,
       CASE WHEN v.value IS NULL THEN NULL
            WHEN typeof(v.value) = 'blob' THEN 'tensor'
            WHEN typeof(v.value) = 'text' THEN 'nan'
            WHEN v.value = 9e999 THEN '+inf'
            WHEN v.value = -9e999 THEN '-inf'
            ELSE 'finite' END AS value_kind,
       v.grad,
       CASE WHEN v.grad IS NULL THEN NULL
            WHEN typeof(v.grad) = 'blob' THEN 'tensor'
            WHEN typeof(v.grad) = 'text' THEN 'nan'
            WHEN v.grad = 9e999 THEN '+inf'
            WHEN v.grad = -9e999 THEN '-inf'
            ELSE 'finite' END AS grad_kind,
       CASE WHEN s.in0_back IS NULL THEN NULL
            WHEN s.in1_back IS NULL THEN coalesce(s0.name, '#' || (v.id - s.in0_back))
            ELSE coalesce(s0.name, '#' || (v.id - s.in0_back)) || ', '
                 || coalesce(s1.name, '#' || (v.id - s.in1_back)) END AS input_names,
       v.id - s.in0_back AS input0_id, v0.value AS input0_value, coalesce(v.d0, o.fixed_d0) AS local_grad0,
       v.id - s.in1_back AS input1_id, v1.value AS input1_value, coalesce(v.d1, o.fixed_d1) AS local_grad1
FROM run r
JOIN graph g ON g.id = r.graph_id
JOIN run_node v ON v.run_id = r.id
JOIN run_node s ON s.run_id = g.structure_run_id AND s.id = v.id
JOIN op o ON o.code = s.op
LEFT JOIN run_node s0 ON s0.run_id = g.structure_run_id AND s0.id = v.id - s.in0_back
LEFT JOIN run_node s1 ON s1.run_id = g.structure_run_id AND s1.id = v.id - s.in1_back
LEFT JOIN run_node v0 ON v0.run_id = r.id AND v0.id = v.id - s.in0_back
LEFT JOIN run_node v1 ON v1.run_id = r.id AND v1.id = v.id - s.in1_back;

-- gradcheck of a tensor input checks its elements (all of them, or a seeded sample) and keeps
-- the worst: which element it was, how many were checked and how many failed. NULL for a
-- scalar input.
ALTER TABLE gradcheck ADD COLUMN element TEXT;             -- JSON index of the worst element, '[3, 7]'
ALTER TABLE gradcheck ADD COLUMN elements_checked INTEGER;
ALTER TABLE gradcheck ADD COLUMN elements_failed INTEGER;
DROP VIEW gradchecks;
CREATE VIEW gradchecks AS
SELECT c.run_id, c.input, c.node_id, CASE WHEN c.element IS NULL THEN v.value END AS value,
       c.analytic, c.numeric, c.abs_error, c.rel_error,
       CASE c.passed WHEN 1 THEN 'pass' ELSE 'fail' END AS verdict,
       c.eps, c.atol, c.rtol, c.checked_at, c.element, c.elements_checked, c.elements_failed
FROM gradcheck c
LEFT JOIN run_node v ON v.run_id = c.run_id AND v.id = c.node_id;
