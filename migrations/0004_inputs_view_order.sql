-- 0004_inputs_view_order: the inputs view reads each input's node by its key.
--
-- As 0001 wrote it, SQLite's planner read every node row of a run and matched each against
-- the graph's inputs: `SELECT * FROM inputs WHERE run_id = ?` cost O(nodes), and a sweep's
-- `input-grads` O(nodes x runs) (0.27 s for 20 runs of 100,000 nodes). CROSS JOIN fixes the
-- order: run, then its graph's few inputs, then one primary-key lookup per input (4 ms).
-- Same columns, same rows.

DROP VIEW inputs;
CREATE VIEW inputs AS
SELECT r.id AS run_id, i.name, v.value, v.grad, v.id AS node_id
FROM run r
CROSS JOIN graph_input i ON i.graph_id = r.graph_id
CROSS JOIN run_node v ON v.run_id = r.id AND v.id = i.node_id;
