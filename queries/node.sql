-- description: One node by name, in one run or in every run: value, adjoint, op, inputs.
-- param :name        the node's name, as written in the program
-- param :run = NULL  the run (an id, a unique name, latest, latest~N); NULL for every run
--
-- Across runs this is how one node moves through a sweep. local_grad0/1 are d(node)/d(input).
SELECT n.run_id, n.id, n.name, n.op, n.input_names, n.value, n.grad,
       n.local_grad0, n.local_grad1, n.line
FROM node_details n
WHERE n.name = :name AND (:run IS NULL OR n.run_id = :run)
-- The unary + keeps SQLite from scanning every run's rows just to have them in this order;
-- sorting the few matches is cheaper (20 runs of a million nodes: 0.07 s instead of 7 s).
ORDER BY +n.run_id, +n.id;
