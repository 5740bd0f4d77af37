-- 0002_query_views: views that make the common questions one short SELECT.
--
-- Every view here is plain SQLite: no gradlog-only function (ulps, float_eq, ...) appears in
-- them, so the stock sqlite3 shell and any other client can read them. A test keeps it so.
--
-- Float columns keep the encoding of 0001: REAL for every non-NaN double, TEXT 'NaN', '-NaN'
-- or 'NaN(0x...)' for NaN. SQLite's own arithmetic cannot see through that ('NaN' * 2 is 0.0
-- in SQLite, and a REAL result that would be NaN, such as inf * 0, becomes NULL), so the views
-- spell out each float's kind and compute products only from numbers. See docs/schema.md.

-- Every node of every run with its inputs spelled out: names as `show` prints them ('#id' for
-- an unnamed node), values, local derivatives, and the kind of its value and adjoint:
-- 'finite', 'nan', '+inf', '-inf', or NULL when there is no number.
CREATE VIEW node_details AS
SELECT v.run_id, v.id, s.name, o.name AS op, s.id - s.line_offset AS line,
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

-- Every edge (node <- input) of every run with names, values, and what the backward pass sends
-- along it: contribution = node_grad * local_grad, the node's share of the input's adjoint.
-- contribution is NULL when either factor is NaN or missing, or when the product is NaN
-- (inf * 0): SQLite has no NaN. (The backward pass only sends adjoints from nodes the output
-- depends on; for other nodes node_grad is 0 and the contribution 0 or NULL.)
CREATE VIEW edge_details AS
SELECT v.run_id, v.id AS node_id, s.name AS node_name, o.name AS op, 0 AS slot,
       v.id - s.in0_back AS input_id, si.name AS input_name, vi.value AS input_value,
       v.value AS node_value, v.grad AS node_grad, coalesce(v.d0, o.fixed_d0) AS local_grad,
       CASE WHEN typeof(v.grad) IN ('real', 'integer') AND typeof(coalesce(v.d0, o.fixed_d0)) IN ('real', 'integer')
            THEN v.grad * coalesce(v.d0, o.fixed_d0) END AS contribution
FROM run r
JOIN graph g ON g.id = r.graph_id
JOIN run_node v ON v.run_id = r.id
JOIN run_node s ON s.run_id = g.structure_run_id AND s.id = v.id
JOIN op o ON o.code = s.op
LEFT JOIN run_node si ON si.run_id = g.structure_run_id AND si.id = v.id - s.in0_back
LEFT JOIN run_node vi ON vi.run_id = r.id AND vi.id = v.id - s.in0_back
WHERE s.in0_back IS NOT NULL
UNION ALL
SELECT v.run_id, v.id AS node_id, s.name AS node_name, o.name AS op, 1 AS slot,
       v.id - s.in1_back AS input_id, si.name AS input_name, vi.value AS input_value,
       v.value AS node_value, v.grad AS node_grad, coalesce(v.d1, o.fixed_d1) AS local_grad,
       CASE WHEN typeof(v.grad) IN ('real', 'integer') AND typeof(coalesce(v.d1, o.fixed_d1)) IN ('real', 'integer')
            THEN v.grad * coalesce(v.d1, o.fixed_d1) END AS contribution
FROM run r
JOIN graph g ON g.id = r.graph_id
JOIN run_node v ON v.run_id = r.id
JOIN run_node s ON s.run_id = g.structure_run_id AND s.id = v.id
JOIN op o ON o.code = s.op
LEFT JOIN run_node si ON si.run_id = g.structure_run_id AND si.id = v.id - s.in1_back
LEFT JOIN run_node vi ON vi.run_id = r.id AND vi.id = v.id - s.in1_back
WHERE s.in1_back IS NOT NULL;

-- One row per run: how many values and adjoints are NaN or infinite, the largest finite
-- |adjoint|, and the first node in forward order whose value is not finite (its inputs are
-- all finite, so that is where the first NaN or inf was born).
CREATE VIEW run_health AS
SELECT r.id AS run_id,
       (SELECT count(*) FROM run_node v WHERE v.run_id = r.id) AS node_count,
       (SELECT total(typeof(v.value) = 'text') FROM run_node v WHERE v.run_id = r.id) AS nan_values,
       (SELECT total(v.value IN (9e999, -9e999)) FROM run_node v WHERE v.run_id = r.id) AS inf_values,
       (SELECT total(typeof(v.grad) = 'text') FROM run_node v WHERE v.run_id = r.id) AS nan_grads,
       (SELECT total(v.grad IN (9e999, -9e999)) FROM run_node v WHERE v.run_id = r.id) AS inf_grads,
       (SELECT max(CASE WHEN typeof(v.grad) IN ('real', 'integer') AND abs(v.grad) < 9e999 THEN abs(v.grad) END)
          FROM run_node v WHERE v.run_id = r.id) AS max_abs_grad,
       f.id AS first_nonfinite_id,
       s.name AS first_nonfinite_name
FROM run r
JOIN graph g ON g.id = r.graph_id
LEFT JOIN run_node f ON f.run_id = r.id AND f.id = (
    SELECT min(v.id) FROM run_node v
    WHERE v.run_id = r.id AND (typeof(v.value) = 'text' OR abs(v.value) >= 9e999))
LEFT JOIN run_node s ON s.run_id = g.structure_run_id AND s.id = f.id;
