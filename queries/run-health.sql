-- description: Per run: how many values and adjoints are NaN or infinite, the largest finite |adjoint|, and where the first non-finite value was born.
-- param :run = NULL  one run (an id, a unique name, latest, latest~N); NULL for every run
SELECT h.run_id, r.name AS run_name, h.node_count, h.nan_values, h.inf_values,
       h.nan_grads, h.inf_grads, h.max_abs_grad, h.first_nonfinite_id, h.first_nonfinite_name
FROM run_health h
JOIN run r ON r.id = h.run_id
WHERE :run IS NULL OR h.run_id = :run
ORDER BY h.run_id;
