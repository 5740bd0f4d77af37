-- description: Checks the chain rule at every node of a run: the sum of its consumers' contributions (adjoint(consumer) x local_grad, or the stored contribution) against its stored adjoint, element by element for a tensor.
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
--
-- Tensors (with the gradlog-only tensor_elements): a consumer that stores its contribution
-- (matmul, reductions, reshape, softmax, cross_entropy) adds that tensor, in the input's
-- shape; an elementwise consumer adds adjoint(consumer) x local_grad element by element,
-- summed over the axes the input was broadcast along. Each element of a tensor's adjoint is
-- checked so; error and ulps are then the largest over its elements, and a tensor passes when
-- every element does. A tensor is 'not checked' when an element of its adjoint or of a
-- contribution is not finite, or when what it needs was not kept (--capture values or
-- stats). Data, and nodes computed from data only, have no adjoint: they are not checked,
-- and pass nothing back.
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
  -- Per node, what its scalar consumers pass back (edges between scalars, one contribution
  -- each). Every node of the run has a row, consumers or not, so that the final join is an
  -- inner one that SQLite can drive from here (a LEFT JOIN scanned this per node: 10,000
  -- nodes took 7.6 s).
  passed AS (
      SELECT id, total(is_edge) AS consumers,
             count(contribution) = total(is_edge) AND coalesce(max(abs(contribution)) < 9e999, 1) AS all_finite,
             total(contribution) AS sum,
             total(abs(contribution)) AS scale
      FROM (
          SELECT v.id, 0 AS is_edge, NULL AS contribution FROM run_node v WHERE v.run_id = :run
          UNION ALL
          SELECT e.input_id, 1, e.contribution
          FROM edge_details e
          WHERE e.run_id = :run AND e.node_id IN (SELECT id FROM reaches)
            AND typeof(e.node_grad) <> 'blob' AND typeof(e.local_grad) <> 'blob'
            AND e.node_id NOT IN (SELECT id FROM tensor_node WHERE run_id = :run)
            AND e.input_id NOT IN (SELECT id FROM tensor_node WHERE run_id = :run))
      GROUP BY id),
  -- Edges with a tensor at either end (none in a run without tensors), and whether what they
  -- need was kept: the stored contribution, or the consumer's adjoint and local derivative.
  tensor_edge AS (
      SELECT e.node_id, e.input_id, o.stores, e.node_grad, e.local_grad,
             tc.shape AS node_shape, ti.shape AS input_shape,
             -- A consumer computed from data only has no adjoint and passes nothing back.
             tc.id IS NOT NULL AND tc.grad_nan IS NULL AS passes_nothing,
             (tc.id IS NOT NULL AND tc.grad_nan IS NULL)
               OR CASE WHEN o.stores = 'contribution' THEN e.local_grad IS NOT NULL
                       ELSE e.node_grad IS NOT NULL AND e.local_grad IS NOT NULL END AS known
      FROM edge_details e
      JOIN op o ON o.name = e.op
      LEFT JOIN tensor_node tc ON tc.run_id = e.run_id AND tc.id = e.node_id
      LEFT JOIN tensor_node ti ON ti.run_id = e.run_id AND ti.id = e.input_id
      WHERE EXISTS (SELECT 1 FROM tensor_node WHERE run_id = :run)
        AND e.run_id = :run AND e.node_id IN (SELECT id FROM reaches) AND (tc.id IS NOT NULL OR ti.id IS NOT NULL)),
  -- Each element of each tensor edge's contribution, keyed by the (row-major) index of the
  -- input element it adds to: a stored contribution is in the input's shape; an elementwise
  -- consumer's element adds to the input element it was broadcast from (operand_idx).
  piece AS (
      SELECT t.input_id,
             CASE t.stores WHEN 'contribution' THEN x.idx ELSE x.operand_idx END AS key,
             -- NULL for a NaN factor or product (inf x 0): SQLite has no NaN.
             CASE WHEN typeof(x.value) = 'text' OR typeof(x.grad) = 'text' THEN NULL
                  WHEN t.stores = 'contribution' THEN x.value
                  ELSE x.value * coalesce(x.grad, t.local_grad) END AS p
      FROM tensor_edge t,
           tensor_elements(CASE t.stores WHEN 'contribution' THEN t.local_grad ELSE t.node_grad END,
                           CASE WHEN t.stores = 'local_grad' AND typeof(t.local_grad) = 'blob' THEN t.local_grad END,
                           CASE t.stores WHEN 'contribution' THEN t.input_shape ELSE t.node_shape END,
                           CASE t.stores WHEN 'local_grad' THEN coalesce(t.input_shape, '[]') END) x
      WHERE t.known AND NOT t.passes_nothing),
  element_sum AS (
      SELECT input_id AS id, key, total(p) AS sum, total(abs(p)) AS scale,
             count(p) = count(*) AND coalesce(max(abs(p)) < 9e999, 1) AS finite
      FROM piece GROUP BY input_id, key),
  tensor_passed AS (
      SELECT input_id AS id, count(*) AS consumers, min(known) AS known
      FROM tensor_edge GROUP BY input_id),
  -- Each tensor node's adjoint, element by element, against the sums of its contributions.
  tensor_check AS (
      SELECT t.id,
             count(*) AS elements,
             min(typeof(g.value) IN ('real', 'integer') AND abs(g.value) < 9e999 AND coalesce(s.finite, 1)) AS all_finite,
             max(abs(coalesce(s.sum, 0.0) - g.value)) AS error,
             max(ulps(coalesce(s.sum, 0.0), g.value)) AS ulps,
             total(abs(coalesce(s.sum, 0.0) - g.value) > :tolerance * coalesce(s.scale, 0.0)) AS mismatches
      FROM tensor_node t
      JOIN run_node v ON v.run_id = t.run_id AND v.id = t.id,
           tensor_elements(v.grad, NULL, t.shape) g
      LEFT JOIN element_sum s ON s.id = t.id
           AND s.key = g.idx
      WHERE t.run_id = :run
      GROUP BY t.id),
  -- What a scalar receives from tensor consumers (a broadcast scalar, a reshape to [1]).
  scalar_from_tensors AS (
      SELECT id, sum, scale, finite FROM element_sum WHERE key = 0)
SELECT n.id, n.name, n.op, t.shape,
       CASE WHEN t.id IS NULL THEN n.grad END AS adjoint,
       CASE WHEN t.id IS NULL THEN coalesce(p.sum, 0.0) + coalesce(f.sum, 0.0) END AS sum_of_contributions,
       CAST(p.consumers AS INTEGER) + coalesce(tp.consumers, 0) AS consumers,
       CASE WHEN t.id IS NOT NULL THEN CASE WHEN c.all_finite AND coalesce(tp.known, 1) THEN c.error END
            WHEN n.grad_kind = 'finite' AND coalesce(p.all_finite, 1) AND coalesce(f.finite, 1) AND coalesce(tp.known, 1)
            THEN abs(coalesce(p.sum, 0.0) + coalesce(f.sum, 0.0) - n.grad) END AS error,
       CASE WHEN t.id IS NOT NULL THEN CASE WHEN c.all_finite AND coalesce(tp.known, 1) THEN c.ulps END
            WHEN n.grad_kind = 'finite' AND coalesce(p.all_finite, 1) AND coalesce(f.finite, 1) AND coalesce(tp.known, 1)
            THEN ulps(coalesce(p.sum, 0.0) + coalesce(f.sum, 0.0), n.grad) END AS ulps,
       CASE
           WHEN t.id IS NOT NULL THEN
               CASE WHEN c.id IS NULL OR NOT c.all_finite OR NOT coalesce(tp.known, 1) THEN 'not checked'
                    WHEN c.mismatches > 0 THEN 'MISMATCH'
                    ELSE 'ok' END
           WHEN n.grad_kind IS NOT 'finite' OR NOT coalesce(p.all_finite, 1) OR NOT coalesce(f.finite, 1)
                OR NOT coalesce(tp.known, 1) THEN 'not checked'
           WHEN abs(coalesce(p.sum, 0.0) + coalesce(f.sum, 0.0) - n.grad)
                <= :tolerance * (coalesce(p.scale, 0.0) + coalesce(f.scale, 0.0)) THEN 'ok'
           ELSE 'MISMATCH'
       END AS status
FROM node_details n
JOIN target ON n.run_id = target.run_id
JOIN passed p ON p.id = n.id
LEFT JOIN tensor_node t ON t.run_id = n.run_id AND t.id = n.id
LEFT JOIN tensor_check c ON c.id = n.id
LEFT JOIN tensor_passed tp ON tp.id = n.id
LEFT JOIN scalar_from_tensors f ON f.id = n.id
WHERE n.run_id = :run AND n.id <> target.output_id
ORDER BY status = 'ok', status = 'not checked', n.id;
