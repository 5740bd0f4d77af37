-- description: One node by name, in one run or in every run: value, adjoint, op, inputs.
-- param :name        the node's name, as written in the program
-- param :run = NULL  the run (an id, a unique name, latest, latest~N); NULL for every run
--
-- Across runs this is how one node moves through a sweep. local_grad0/1 are d(node)/d(input).
-- A tensor node shows its shape and the norms of its value and adjoint (tensor_stats has the
-- rest) instead of value, grad and local_grad0/1, which are a scalar's (or an op's fixed local
-- derivative); its elements are `gradlog show RUN NODE`, or tensor_json(value, shape).
SELECT n.run_id, n.id, n.name, n.op, n.input_names, t.shape,
       CASE WHEN t.id IS NULL THEN n.value END AS value,
       CASE WHEN t.id IS NULL THEN n.grad END AS grad,
       t.value_norm, t.grad_norm,
       CASE WHEN typeof(n.local_grad0) <> 'blob' THEN n.local_grad0 END AS local_grad0,
       CASE WHEN typeof(n.local_grad1) <> 'blob' THEN n.local_grad1 END AS local_grad1,
       n.line
FROM node_details n
LEFT JOIN tensor_node t ON t.run_id = n.run_id AND t.id = n.id
WHERE n.name = :name AND (:run IS NULL OR n.run_id = :run)
-- The unary + keeps SQLite from scanning every run's rows just to have them in this order;
-- sorting the few matches is cheaper (20 runs of a million nodes: 0.07 s instead of 7 s).
ORDER BY +n.run_id, +n.id;
