-- 0002_query_views: views that make the common questions one short SELECT, and an index for
-- finding a node by name.
--
-- Every view here is plain SQLite: no gradlog-only function (ulps, float_eq, ...) appears in
-- them, so the stock sqlite3 shell and any other client can read them. A test keeps it so.
--
-- Float columns keep the encoding of 0001: REAL for every non-NaN double, TEXT 'NaN', '-NaN'
-- or 'NaN(0x...)' for NaN. SQLite's own arithmetic cannot see through that ('NaN' * 2 is 0.0
-- in SQLite, and a REAL result that would be NaN, such as inf * 0, becomes NULL), so the views
-- spell out each float's kind and compute products only from numbers. See docs/schema.md.

-- A node by name in one run, or in every run, is an index lookup instead of a scan of every
-- node of every program.
CREATE INDEX graph_node_by_name ON graph_node (graph_id, name);

-- Every node of every run with its inputs spelled out: names as `show` prints them ('#id' for
-- an unnamed node), values, local derivatives, and the kind of its value and adjoint:
-- 'finite', 'nan', '+inf', '-inf', or NULL when there is no number.
CREATE VIEW node_details AS
SELECT v.run_id, v.id, g.name, o.name AS op, g.line,
       v.value,
       CASE WHEN v.value IS NULL THEN NULL
            WHEN typeof(v.value) = 'text' THEN 'nan'
            WHEN v.value = 9e999 THEN '+inf'
            WHEN v.value = -9e999 THEN '-inf'
            ELSE 'finite' END AS value_kind,
       v.grad,
       CASE WHEN v.grad IS NULL THEN NULL
            WHEN typeof(v.grad) = 'text' THEN 'nan'
            WHEN v.grad = 9e999 THEN '+inf'
            WHEN v.grad = -9e999 THEN '-inf'
            ELSE 'finite' END AS grad_kind,
       CASE WHEN g.in0_back IS NULL THEN NULL
            WHEN g.in1_back IS NULL THEN coalesce(g0.name, '#' || (v.id - g.in0_back))
            ELSE coalesce(g0.name, '#' || (v.id - g.in0_back)) || ', '
                 || coalesce(g1.name, '#' || (v.id - g.in1_back)) END AS input_names,
       v.id - g.in0_back AS input0_id, v0.value AS input0_value, coalesce(v.d0, o.fixed_d0) AS local_grad0,
       v.id - g.in1_back AS input1_id, v1.value AS input1_value, coalesce(v.d1, o.fixed_d1) AS local_grad1
FROM run r
JOIN run_node v ON v.run_id = r.id
JOIN graph_node g ON g.graph_id = r.graph_id AND g.id = v.id
JOIN op o ON o.code = g.op
LEFT JOIN graph_node g0 ON g0.graph_id = r.graph_id AND g0.id = v.id - g.in0_back
LEFT JOIN graph_node g1 ON g1.graph_id = r.graph_id AND g1.id = v.id - g.in1_back
LEFT JOIN run_node v0 ON v0.run_id = r.id AND v0.id = v.id - g.in0_back
LEFT JOIN run_node v1 ON v1.run_id = r.id AND v1.id = v.id - g.in1_back;

-- Every edge (node <- input) of every run with names, values, and what the backward pass sends
-- along it: contribution = node_grad * local_grad, the node's share of the input's adjoint.
-- contribution is NULL when either factor is NaN or missing, or when the product is NaN
-- (inf * 0): SQLite has no NaN. (The backward pass only sends adjoints from nodes the output
-- depends on; for other nodes node_grad is 0 and the contribution 0 or NULL.)
CREATE VIEW edge_details AS
SELECT v.run_id, v.id AS node_id, g.name AS node_name, o.name AS op, 0 AS slot,
       v.id - g.in0_back AS input_id, gi.name AS input_name, vi.value AS input_value,
       v.value AS node_value, v.grad AS node_grad, coalesce(v.d0, o.fixed_d0) AS local_grad,
       CASE WHEN typeof(v.grad) IN ('real', 'integer') AND typeof(coalesce(v.d0, o.fixed_d0)) IN ('real', 'integer')
            THEN v.grad * coalesce(v.d0, o.fixed_d0) END AS contribution
FROM run r
JOIN run_node v ON v.run_id = r.id
JOIN graph_node g ON g.graph_id = r.graph_id AND g.id = v.id
JOIN op o ON o.code = g.op
LEFT JOIN graph_node gi ON gi.graph_id = r.graph_id AND gi.id = v.id - g.in0_back
LEFT JOIN run_node vi ON vi.run_id = r.id AND vi.id = v.id - g.in0_back
WHERE g.in0_back IS NOT NULL
UNION ALL
SELECT v.run_id, v.id AS node_id, g.name AS node_name, o.name AS op, 1 AS slot,
       v.id - g.in1_back AS input_id, gi.name AS input_name, vi.value AS input_value,
       v.value AS node_value, v.grad AS node_grad, coalesce(v.d1, o.fixed_d1) AS local_grad,
       CASE WHEN typeof(v.grad) IN ('real', 'integer') AND typeof(coalesce(v.d1, o.fixed_d1)) IN ('real', 'integer')
            THEN v.grad * coalesce(v.d1, o.fixed_d1) END AS contribution
FROM run r
JOIN run_node v ON v.run_id = r.id
JOIN graph_node g ON g.graph_id = r.graph_id AND g.id = v.id
JOIN op o ON o.code = g.op
LEFT JOIN graph_node gi ON gi.graph_id = r.graph_id AND gi.id = v.id - g.in1_back
LEFT JOIN run_node vi ON vi.run_id = r.id AND vi.id = v.id - g.in1_back
WHERE g.in1_back IS NOT NULL;

-- One row per run: how many values and adjoints are NaN or infinite, the largest finite
-- |adjoint|, and the first node in forward order whose value is not finite (its inputs are
-- all finite, so that is where the first NaN or inf was born).
CREATE VIEW run_health AS
SELECT h.run_id, h.node_count, h.nan_values, h.inf_values, h.nan_grads, h.inf_grads,
       h.max_abs_grad, h.first_nonfinite_id, g.name AS first_nonfinite_name
FROM (
    SELECT v.run_id,
           count(*) AS node_count,
           sum(typeof(v.value) = 'text') AS nan_values,
           sum(v.value IN (9e999, -9e999)) AS inf_values,
           sum(typeof(v.grad) = 'text') AS nan_grads,
           sum(v.grad IN (9e999, -9e999)) AS inf_grads,
           max(CASE WHEN typeof(v.grad) IN ('real', 'integer') AND abs(v.grad) < 9e999 THEN abs(v.grad) END) AS max_abs_grad,
           min(CASE WHEN typeof(v.value) = 'text' OR abs(v.value) >= 9e999 THEN v.id END) AS first_nonfinite_id
    FROM run_node v
    GROUP BY v.run_id
) h
JOIN run r ON r.id = h.run_id
LEFT JOIN graph_node g ON g.graph_id = r.graph_id AND g.id = h.first_nonfinite_id;
