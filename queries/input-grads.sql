-- description: The inputs' values and gradients in every run, with the runs' names and tags: sweeps and comparisons at a glance.
-- param :name = NULL  one input's name; NULL for every input
SELECT i.run_id, r.name AS run_name, i.name AS input, i.value, i.grad,
       (SELECT group_concat(t.key || '=' || t.value, ', ')
        FROM (SELECT key, value FROM run_tag WHERE run_id = i.run_id ORDER BY key) t) AS tags,
       r.program_path
FROM inputs i
JOIN run r ON r.id = i.run_id
WHERE :name IS NULL OR i.name = :name
ORDER BY i.run_id, i.node_id;
