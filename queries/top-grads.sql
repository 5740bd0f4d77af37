-- description: The nodes of a run with the largest adjoint: |adjoint| for a scalar, the L2 norm of the adjoint for a tensor; NaN adjoints first.
-- param :run         the run (an id, a unique name, latest, latest~N)
-- param :limit = 10  how many nodes to list
--
-- NaN sorts above +-inf, as in PyTorch's and NumPy's sorts: it is the first thing to look at;
-- a tensor sorts there when any element of its adjoint is NaN, and with +-inf when one is
-- infinite. grad_norm is what the rest is ranked by: |grad| for a finite scalar, for a tensor
-- the norm of its finite elements (tensor_stats.grad_norm); grad_nonfinite counts the NaN and
-- infinite elements (1 for a non-finite scalar). value and grad are a scalar's; a tensor has
-- its shape instead (its elements: tensor_elements, or `gradlog show RUN NODE`).
SELECT id, name, op, input_names, shape, value, grad, grad_norm, grad_nonfinite, line
FROM (
    SELECT n.id, n.name, n.op, n.input_names, t.shape,
           CASE WHEN t.id IS NULL THEN n.value END AS value,
           CASE WHEN t.id IS NULL THEN n.grad END AS grad,
           CASE WHEN t.id IS NOT NULL THEN t.grad_norm
                WHEN n.grad_kind = 'finite' THEN abs(n.grad) END AS grad_norm,
           CASE WHEN t.id IS NOT NULL THEN t.grad_nan + t.grad_pinf + t.grad_ninf
                ELSE n.grad_kind <> 'finite' END AS grad_nonfinite,
           CASE WHEN t.id IS NOT NULL THEN t.grad_nan > 0 ELSE n.grad_kind = 'nan' END AS has_nan,
           CASE WHEN t.id IS NOT NULL THEN t.grad_pinf + t.grad_ninf > 0 ELSE n.grad_kind IN ('+inf', '-inf') END AS has_inf,
           n.line
    FROM node_details n
    LEFT JOIN tensor_node t ON t.run_id = n.run_id AND t.id = n.id
    WHERE n.run_id = :run AND (n.grad IS NOT NULL OR t.grad_norm IS NOT NULL))
ORDER BY has_nan DESC, has_inf DESC, grad_norm DESC, id
LIMIT :limit;
