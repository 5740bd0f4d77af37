-- description: Where NaN and +-inf are born: forward, the first non-finite values (every input finite); backward, the first non-finite adjoints (every consumer's adjoint finite).
-- param :run  the run (an id, a unique name, latest, latest~N)
--
-- A post-mortem version of PyTorch's detect_anomaly, without a re-run. Forward rows come in
-- evaluation order: each is the op that turned finite inputs into NaN or inf (log of a
-- negative, 0/0, overflow), or an input set to NaN or inf. Backward rows follow in reverse
-- order: each is a node whose adjoint went bad through a local derivative (1/0 at log(0),
-- inf * 0, a NaN operand of mul) while the adjoints above it are finite. Nodes downstream of
-- a birth are left out: they only inherit it.
--
-- A tensor counts as non-finite when any element is NaN or infinite, and as finite when none
-- is (the counts in tensor_stats, so this works under --capture stats too). nonfinite is how
-- many elements are (1 for a scalar): of the value on a forward row, of the adjoint on a
-- backward row. value and grad are a scalar's; a tensor has its shape instead.
SELECT pass, id, name, op, input_names, shape,
       CASE WHEN shape IS NULL THEN value END AS value,
       CASE WHEN shape IS NULL THEN grad END AS grad,
       nonfinite, line
FROM (
    SELECT 'forward' AS pass, n.id AS step, n.id, n.name, n.op, n.input_names, t.shape, n.value, n.grad, n.line,
           CASE WHEN t.id IS NOT NULL THEN t.value_nan + t.value_pinf + t.value_ninf
                ELSE n.value_kind <> 'finite' END AS nonfinite
    FROM node_details n
    LEFT JOIN tensor_node t ON t.run_id = n.run_id AND t.id = n.id
    LEFT JOIN tensor_node t0 ON t0.run_id = n.run_id AND t0.id = n.input0_id
    LEFT JOIN tensor_node t1 ON t1.run_id = n.run_id AND t1.id = n.input1_id
    WHERE n.run_id = :run
      AND CASE WHEN t.id IS NOT NULL THEN t.value_nan + t.value_pinf + t.value_ninf > 0
               ELSE n.value_kind <> 'finite' END
      AND (n.input0_id IS NULL OR CASE WHEN t0.id IS NOT NULL THEN t0.value_nan + t0.value_pinf + t0.value_ninf = 0
               ELSE typeof(n.input0_value) IN ('real', 'integer') AND abs(n.input0_value) < 9e999 END)
      AND (n.input1_id IS NULL OR CASE WHEN t1.id IS NOT NULL THEN t1.value_nan + t1.value_pinf + t1.value_ninf = 0
               ELSE typeof(n.input1_value) IN ('real', 'integer') AND abs(n.input1_value) < 9e999 END)
    UNION ALL
    SELECT 'backward' AS pass, 1e18 - n.id AS step, n.id, n.name, n.op, n.input_names, t.shape, n.value, n.grad, n.line,
           CASE WHEN t.id IS NOT NULL THEN t.grad_nan + t.grad_pinf + t.grad_ninf
                ELSE n.grad_kind <> 'finite' END AS nonfinite
    FROM node_details n
    LEFT JOIN tensor_node t ON t.run_id = n.run_id AND t.id = n.id
    WHERE n.run_id = :run
      AND CASE WHEN t.id IS NOT NULL THEN t.grad_nan + t.grad_pinf + t.grad_ninf > 0
               ELSE n.grad_kind <> 'finite' END
      AND n.id NOT IN (
          SELECT e.input_id FROM edge_details e
          LEFT JOIN tensor_node c ON c.run_id = e.run_id AND c.id = e.node_id
          WHERE e.run_id = :run
            AND CASE WHEN c.id IS NOT NULL THEN coalesce(c.grad_nan + c.grad_pinf + c.grad_ninf, 0) > 0
                     ELSE NOT (typeof(e.node_grad) IN ('real', 'integer') AND abs(e.node_grad) < 9e999) END)
)
ORDER BY step;
