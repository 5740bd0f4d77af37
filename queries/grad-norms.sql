-- description: Each input's adjoint norm in every run (|grad| for a scalar input, the L2 norm of the adjoint for a tensor), with its value's norm: how the gradient of each parameter moves across runs.
-- param :name = NULL  one input's name; NULL for every input
--
-- One row per run and input, in run order and then the program's order of inputs. A norm
-- covers the finite elements (tensor_stats.grad_norm), and is NULL when none is finite, as for
-- a scalar that is NaN or infinite; grad_nonfinite counts the NaN and infinite elements (1 for
-- such a scalar). Data leaves (`data X = ...`) have no adjoint and are not inputs.
SELECT i.run_id, r.name AS run_name, i.name AS input, t.shape,
       CASE WHEN t.id IS NOT NULL THEN t.grad_norm
            WHEN typeof(i.grad) IN ('real', 'integer') AND abs(i.grad) < 9e999 THEN abs(i.grad) END AS grad_norm,
       CASE WHEN t.id IS NOT NULL THEN t.value_norm
            WHEN typeof(i.value) IN ('real', 'integer') AND abs(i.value) < 9e999 THEN abs(i.value) END AS value_norm,
       CASE WHEN t.id IS NOT NULL THEN t.grad_nan + t.grad_pinf + t.grad_ninf
            ELSE NOT (typeof(i.grad) IN ('real', 'integer') AND abs(i.grad) < 9e999) END AS grad_nonfinite
FROM inputs i
JOIN run r ON r.id = i.run_id
LEFT JOIN tensor_node t ON t.run_id = i.run_id AND t.id = i.node_id
WHERE :name IS NULL OR i.name = :name
ORDER BY i.run_id, i.node_id;
