-- description: For each relu of a run, how many of its local derivatives are 0 (the elements whose input was <= 0, or NaN): the gradient that does not get through.
-- param :run  the run (an id, a unique name, latest, latest~N)
--
-- relu'(x) is 1 for x > 0 and 0 otherwise (0 at x = 0, as in PyTorch, and 0 for NaN, whose
-- output stays NaN), so the zero derivatives are the zero outputs plus the NaN outputs:
-- dead = tensor_stats.value_zero + value_nan, dead_fraction = dead / numel. This needs only the
-- statistics, so it works under --capture stats too. A scalar relu is 1 element, dead or not.
-- A unit dead on every row of a batch shows as a column of zeros: list the elements with
-- tensor_elements(value, NULL, shape).
SELECT n.id, n.name, n.input_names AS input, t.shape,
       coalesce(t.numel, 1) AS numel,
       CASE WHEN t.id IS NOT NULL THEN t.value_zero + t.value_nan
            ELSE n.value_kind = 'nan' OR n.value = 0 END AS dead,
       CASE WHEN t.id IS NOT NULL THEN CAST(t.value_zero + t.value_nan AS REAL) / t.numel
            ELSE CAST(n.value_kind = 'nan' OR n.value = 0 AS REAL) END AS dead_fraction,
       n.line
FROM node_details n
LEFT JOIN tensor_node t ON t.run_id = n.run_id AND t.id = n.id
WHERE n.run_id = :run AND n.op = 'relu'
ORDER BY n.id;
