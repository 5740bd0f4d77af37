-- description: Edges where the gradient is cut or nearly so: |local_grad| at most :threshold (a dead relu, a saturated sigmoid or tanh, the losing side of max/min).
-- param :run                the run (an id, a unique name, latest, latest~N)
-- param :threshold = 1e-6   the largest |local_grad| to list
--
-- Leaves out the exponent of `x ^ c` (powc), whose derivative is 0 by design. Edges of nodes
-- whose own adjoint is already 0 are listed too: a cut can hide behind another.
SELECT e.node_id, e.node_name, e.op, e.slot, e.input_id, e.input_name, e.input_value,
       e.local_grad, e.node_grad
FROM edge_details e
WHERE e.run_id = :run
  AND typeof(e.local_grad) IN ('real', 'integer')
  AND abs(e.local_grad) <= :threshold
  AND NOT (e.op = 'powc' AND e.slot = 1)
ORDER BY abs(e.local_grad), e.node_id, e.slot;
