-- description: Checks the chain rule at every node of a run: the sum of adjoint(consumer) x local_grad over its consumers against its stored adjoint.
-- param :run                 the run (an id, a unique name, latest, latest~N)
-- param :tolerance = 1e-12   allowed |sum - adjoint|, as a fraction of the sum of |contributions|
--
-- The output node is skipped (its adjoint is 1 by definition). As in the backward pass, only
-- consumers the output depends on pass an adjoint back; a node with none must have adjoint 0.
-- SQL sums in another order than the tape, so equality is checked within the tolerance,
-- scaled by sum(|contribution|) so that cancelling terms are judged by their size; ulps is the
-- distance in doubles between sum and adjoint. Status is 'MISMATCH', 'ok', or 'not checked'
-- when the adjoint or a contribution is NaN or +-inf: SQLite has no NaN and cannot redo the
-- IEEE sum, so no verdict is given there (see the nonfinite query). Problems sort first.
-- Per-edge contributions are in the edge_details view and the contributions query.
WITH RECURSIVE
  target AS (
      SELECT r.id AS run_id, r.graph_id, g.output_id
      FROM run r JOIN graph g ON g.id = r.graph_id
      WHERE r.id = :run),
  -- The nodes the output depends on: the output and, recursively, the inputs of those nodes.
  reaches(id) AS (
      SELECT output_id FROM target
      UNION
      SELECT gn.id - CASE s.slot WHEN 0 THEN gn.in0_back ELSE gn.in1_back END
      FROM reaches
      JOIN target
      JOIN graph_node gn ON gn.graph_id = target.graph_id AND gn.id = reaches.id
      JOIN (SELECT 0 AS slot UNION ALL SELECT 1) s
      WHERE CASE s.slot WHEN 0 THEN gn.in0_back ELSE gn.in1_back END IS NOT NULL),
  passed AS (
      SELECT e.input_id AS id,
             count(*) AS consumers,
             count(e.contribution) = count(*) AND max(abs(e.contribution)) < 9e999 AS all_finite,
             total(e.contribution) AS sum,
             total(abs(e.contribution)) AS scale
      FROM edge_details e
      JOIN reaches ON reaches.id = e.node_id
      WHERE e.run_id = :run
      GROUP BY e.input_id)
SELECT n.id, n.name, n.op, n.grad AS adjoint,
       coalesce(p.sum, 0.0) AS sum_of_contributions,
       coalesce(p.consumers, 0) AS consumers,
       CASE WHEN n.grad_kind = 'finite' AND coalesce(p.all_finite, 1) THEN abs(coalesce(p.sum, 0.0) - n.grad) END AS error,
       CASE WHEN n.grad_kind = 'finite' AND coalesce(p.all_finite, 1) THEN ulps(coalesce(p.sum, 0.0), n.grad) END AS ulps,
       CASE
           WHEN n.grad_kind IS NOT 'finite' OR NOT coalesce(p.all_finite, 1) THEN 'not checked'
           WHEN abs(coalesce(p.sum, 0.0) - n.grad) <= :tolerance * coalesce(p.scale, 0.0) THEN 'ok'
           ELSE 'MISMATCH'
       END AS status
FROM node_details n
JOIN target ON n.run_id = target.run_id
LEFT JOIN passed p ON p.id = n.id
WHERE n.run_id = :run AND n.id <> target.output_id
ORDER BY status = 'ok', status = 'not checked', n.id;
