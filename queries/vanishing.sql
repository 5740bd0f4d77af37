-- description: Edges where the gradient is cut or nearly so: |local_grad| at most :threshold (a dead relu, a saturated sigmoid or tanh, the losing side of max/min).
-- param :run                the run (an id, a unique name, latest, latest~N)
-- param :threshold = 1e-6   the largest |local_grad| to list
--
-- Leaves out the exponent of `x ^ c` (powc), whose derivative is 0 by design. Edges of nodes
-- whose own adjoint is already 0 are listed too: a cut can hide behind another.
--
-- A tensor edge of an elementwise op is listed when every element of its local derivative is
-- at most :threshold in magnitude (a NaN element counts as not cut); local_grad is then the
-- largest |element|, shape the local derivative's (the node's), and node_grad the norm of
-- the node's adjoint; input_value is a scalar's only. Edges of matmul, reductions, reshape and
-- softmax store a contribution, not a local derivative, and are not judged here. A relu that
-- is only partly dead is in the dead-relu query; an adjoint that has faded away, in
-- top-grads and grad-norms.
SELECT node_id, node_name, op, slot, input_id, input_name, shape,
       CASE WHEN typeof(input_value) <> 'blob' THEN input_value END AS input_value,
       local_grad, node_grad
FROM (
    SELECT e.node_id, e.node_name, e.op, e.slot, e.input_id, e.input_name, e.input_value,
           CASE WHEN typeof(e.local_grad) = 'blob' THEN t.shape END AS shape,
           CASE WHEN typeof(e.local_grad) = 'blob'
                THEN (SELECT max(CASE WHEN typeof(x.value) = 'text' THEN 9e999 ELSE abs(x.value) END)
                      FROM tensor_elements(e.local_grad) x)
                ELSE e.local_grad END AS local_grad,
           CASE WHEN t.id IS NOT NULL THEN t.grad_norm ELSE e.node_grad END AS node_grad
    FROM edge_details e
    JOIN op o ON o.name = e.op
    LEFT JOIN tensor_node t ON t.run_id = e.run_id AND t.id = e.node_id
    WHERE e.run_id = :run
      AND typeof(e.local_grad) IN ('real', 'integer', 'blob')
      AND NOT (typeof(e.local_grad) = 'blob' AND o.stores = 'contribution')
      AND NOT (e.op = 'powc' AND e.slot = 1))
WHERE abs(local_grad) <= :threshold
ORDER BY abs(local_grad), node_id, slot;
