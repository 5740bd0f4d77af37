-- description: The inputs' values and gradients in every run, with the runs' names and tags: sweeps and comparisons at a glance.
-- param :name = NULL  one input's name; NULL for every input
--
-- value and grad are a scalar input's; a tensor input shows its shape, and its norms are in
-- the grad-norms query (its elements: tensor_elements(value, grad, shape)).
SELECT i.run_id, r.name AS run_name, i.name AS input, t.shape,
       CASE WHEN t.id IS NULL THEN i.value END AS value,
       CASE WHEN t.id IS NULL THEN i.grad END AS grad,
       (SELECT group_concat(g.key || '=' || g.value, ', ')
        FROM (SELECT key, value FROM run_tag WHERE run_id = i.run_id ORDER BY key) g) AS tags,
       r.program_path
FROM inputs i
JOIN run r ON r.id = i.run_id
LEFT JOIN tensor_node t ON t.run_id = i.run_id AND t.id = i.node_id
WHERE :name IS NULL OR i.name = :name
ORDER BY i.run_id, i.node_id;
