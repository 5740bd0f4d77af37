-- description: Where NaN and +-inf are born: forward, the first non-finite values (every input finite); backward, the first non-finite adjoints (every consumer's adjoint finite).
-- param :run  the run (an id, a unique name, latest, latest~N)
--
-- A post-mortem version of PyTorch's detect_anomaly, without a re-run. Forward rows come in
-- evaluation order: each is the op that turned finite inputs into NaN or inf (log of a
-- negative, 0/0, overflow), or an input set to NaN or inf. Backward rows follow in reverse
-- order: each is a node whose adjoint went bad through a local derivative (1/0 at log(0),
-- inf * 0, a NaN operand of mul) while the adjoints above it are finite. Nodes downstream of
-- a birth are left out: they only inherit it.
SELECT pass, id, name, op, input_names, value, grad, line
FROM (
    SELECT 'forward' AS pass, n.id AS step, n.*
    FROM node_details n
    WHERE n.run_id = :run
      AND n.value_kind <> 'finite'
      AND (n.input0_id IS NULL OR (typeof(n.input0_value) IN ('real', 'integer') AND abs(n.input0_value) < 9e999))
      AND (n.input1_id IS NULL OR (typeof(n.input1_value) IN ('real', 'integer') AND abs(n.input1_value) < 9e999))
    UNION ALL
    SELECT 'backward' AS pass, 1e18 - n.id AS step, n.*
    FROM node_details n
    WHERE n.run_id = :run
      AND n.grad_kind <> 'finite'
      AND n.id NOT IN (
          SELECT e.input_id FROM edge_details e
          WHERE e.run_id = :run
            AND NOT (typeof(e.node_grad) IN ('real', 'integer') AND abs(e.node_grad) < 9e999))
)
ORDER BY step;
