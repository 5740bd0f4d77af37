-- description: The nodes of a run with the largest |adjoint|, NaN adjoints first.
-- param :run         the run (an id, a unique name, latest, latest~N)
-- param :limit = 10  how many nodes to list
--
-- NaN sorts above +-inf, as in PyTorch's and NumPy's sorts: it is the first thing to look at.
SELECT n.id, n.name, n.op, n.input_names, n.value, n.grad, n.line
FROM node_details n
WHERE n.run_id = :run AND n.grad IS NOT NULL
ORDER BY n.grad_kind = 'nan' DESC,
         abs(CASE WHEN n.grad_kind <> 'nan' THEN n.grad END) DESC,
         n.id
LIMIT :limit;
