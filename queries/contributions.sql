-- description: Where one node's adjoint comes from: each consumer's contribution (adjoint x local_grad, or the stored contribution of a tensor op), largest first.
-- param :run   the run (an id, a unique name, latest, latest~N)
-- param :name  the node whose adjoint to explain
--
-- The contributions of the consumers the output depends on add up to the node's adjoint (see
-- chain-rule). contribution is NULL where a factor is NaN or the product is NaN (inf * 0).
--
-- Tensors (with the gradlog-only tensor_elements): when the node or a consumer is a tensor,
-- the contribution is formed as the backward pass forms it, the stored contribution of matmul,
-- reductions, reshape and softmax, or adjoint(consumer) x local_grad summed over the axes the
-- node was broadcast along, and each consumer is ranked by contribution_norm, the L2 norm of
-- its finite elements; contribution_nonfinite counts the others (NaN, +-inf). For a scalar
-- node contribution is the number itself; for a tensor, shape is its shape. consumer_grad
-- and local_grad are shown where they are scalars. NULL norms where what is needed was not
-- kept (--capture values or stats).
WITH edge AS (
    SELECT e.node_id, e.node_name, e.op, e.slot, o.stores, e.node_grad, e.local_grad, e.contribution,
           tc.shape AS node_shape, ti.shape AS input_shape,
           tc.id IS NOT NULL OR ti.id IS NOT NULL AS is_tensor,
           -- A consumer computed from data only has no adjoint and passes nothing back.
           tc.id IS NOT NULL AND tc.grad_nan IS NULL AS passes_nothing,
           CASE WHEN o.stores = 'contribution' THEN e.local_grad IS NOT NULL
                ELSE e.node_grad IS NOT NULL AND e.local_grad IS NOT NULL END AS known
    FROM edge_details e
    JOIN op o ON o.name = e.op
    LEFT JOIN tensor_node tc ON tc.run_id = e.run_id AND tc.id = e.node_id
    LEFT JOIN tensor_node ti ON ti.run_id = e.run_id AND ti.id = e.input_id
    WHERE e.run_id = :run AND e.input_name = :name),
  -- Each element of a tensor edge's contribution, keyed by the element of the node it adds to
  -- (as in chain-rule).
  piece AS (
    SELECT t.node_id, t.slot,
           CASE t.stores WHEN 'contribution' THEN x.idx ELSE x.operand_idx END AS key,
           CASE WHEN typeof(x.value) = 'text' OR typeof(x.grad) = 'text' THEN NULL
                WHEN t.stores = 'contribution' THEN x.value
                ELSE x.value * coalesce(x.grad, t.local_grad) END AS p
    FROM edge t,
         tensor_elements(CASE t.stores WHEN 'contribution' THEN t.local_grad ELSE t.node_grad END,
                         CASE WHEN t.stores = 'local_grad' AND typeof(t.local_grad) = 'blob' THEN t.local_grad END,
                         CASE t.stores WHEN 'contribution' THEN t.input_shape ELSE t.node_shape END,
                         CASE t.stores WHEN 'local_grad' THEN coalesce(t.input_shape, '[]') END) x
    WHERE t.is_tensor AND t.known AND NOT t.passes_nothing),
  element_sum AS (
    SELECT node_id, slot, total(p) AS sum, count(p) = count(*) AND coalesce(max(abs(p)) < 9e999, 1) AS finite
    FROM piece GROUP BY node_id, slot, key),
  edge_sum AS (
    SELECT node_id, slot, total(sum) AS sum, min(finite) AS all_finite,
           sqrt(total(CASE WHEN finite THEN sum * sum END)) AS norm, CAST(total(NOT finite) AS INTEGER) AS nonfinite
    FROM element_sum GROUP BY node_id, slot)
SELECT e.node_id AS consumer_id, e.node_name AS consumer, e.op, e.slot, e.input_shape AS shape,
       CASE WHEN typeof(e.node_grad) <> 'blob' THEN e.node_grad END AS consumer_grad,
       CASE WHEN typeof(e.local_grad) <> 'blob' AND e.stores = 'local_grad' THEN e.local_grad END AS local_grad,
       CASE WHEN NOT e.is_tensor THEN e.contribution
            WHEN e.input_shape IS NULL AND s.all_finite THEN s.sum END AS contribution,
       CASE WHEN NOT e.is_tensor THEN abs(e.contribution) WHEN e.passes_nothing THEN 0.0 ELSE s.norm END AS contribution_norm,
       CASE WHEN NOT e.is_tensor THEN e.contribution IS NULL OR abs(e.contribution) >= 9e999
            WHEN e.passes_nothing THEN 0 ELSE s.nonfinite END AS contribution_nonfinite
FROM edge e
LEFT JOIN edge_sum s ON s.node_id = e.node_id AND s.slot = e.slot
ORDER BY contribution_nonfinite > 0 DESC, contribution_norm DESC, e.node_id, e.slot;
